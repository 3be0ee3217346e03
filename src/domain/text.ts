/**
 * Text PostgreSQL cannot store in text or jsonb: NUL, or a UTF-16 surrogate without its pair.
 * Input carrying it is refused at the edge (400) rather than failing deep in a write (500).
 */
export const UNSTORABLE_TEXT =
  // eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
  /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when any string in `value` (keys included, at any depth) cannot be stored. */
export function hasUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return UNSTORABLE_TEXT.test(value);
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => UNSTORABLE_TEXT.test(k) || hasUnstorableText(v));
  }
  return false;
}

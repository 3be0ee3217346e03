/**
 * Text PostgreSQL cannot store in text or jsonb: NUL, or a UTF-16 surrogate without its pair.
 * Input carrying it is refused at the edge (400) rather than failing deep in a write (500).
 */
export const UNSTORABLE_TEXT =
  // eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
  /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * How many arrays and objects input may nest (`{}` is 1 level, `{"a":[]}` 2). No settings value
 * comes near it (a custom property option sits at level 6 of a request body); anything deeper is
 * refused at the edge, before a schema or a recursive function meets it.
 */
export const MAX_INPUT_DEPTH = 32;

/**
 * `ok`, or why `value` may not come in: `too_deep` (arrays and objects nested more than
 * MAX_INPUT_DEPTH levels) or `unstorable` (a string, or an object key, that cannot be stored;
 * see UNSTORABLE_TEXT), whichever is met first.
 */
export function inspectInput(value: unknown): 'ok' | 'too_deep' | 'unstorable' {
  return walk(value, MAX_INPUT_DEPTH);
}

/** True when any string in `value` (keys included, at any depth) cannot be stored. */
export function hasUnstorableText(value: unknown): boolean {
  return walk(value, Number.POSITIVE_INFINITY) === 'unstorable';
}

/** Depth-first, with an explicit stack rather than recursion: no input can overflow the call stack. */
function walk(value: unknown, maxDepth: number): 'ok' | 'too_deep' | 'unstorable' {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item.value;
    if (typeof current === 'string') {
      if (UNSTORABLE_TEXT.test(current)) return 'unstorable';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return 'too_deep';
    if (Array.isArray(current)) {
      for (const element of current as unknown[]) stack.push({ value: element, depth });
      continue;
    }
    for (const [key, element] of Object.entries(current)) {
      if (UNSTORABLE_TEXT.test(key)) return 'unstorable';
      stack.push({ value: element, depth });
    }
  }
  return 'ok';
}

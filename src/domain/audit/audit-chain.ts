import { createHash } from 'node:crypto';

/**
 * The audit log's pure core (SPEC §6, §7): what an entry is, how entries are hash-chained, and
 * the check that keeps secret values out of them. No I/O; the repository stores, the service
 * orchestrates.
 */

/** Every attempt is audited, whatever became of it; a bulk run also when it starts, is asked to
 * stop, and ends (`completed` or `cancelled`). */
export const AUDIT_OUTCOMES = [
  'applied',
  'dry_run',
  'refused',
  'failed',
  'started',
  'cancel_requested',
  'completed',
  'cancelled',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export function isAuditOutcome(value: string): value is AuditOutcome {
  return (AUDIT_OUTCOMES as readonly string[]).includes(value);
}

/** What a caller records: who did what to whom, how it ended, and counts (never secret values). */
export interface AuditEntryInput {
  organizationId: string;
  actorId: string | null;
  targetId: string | null;
  action: string;
  outcome: AuditOutcome;
  categories: string[];
  details: Record<string, unknown>;
  requestId: string | null;
}

/**
 * The fields an entry's hash covers. `outcome` is a plain string so that a stored row can be
 * re-hashed as it is, even if it was tampered with to hold a value outside AuditOutcome.
 */
export interface AuditHashInput {
  organizationId: string;
  occurredAt: Date;
  actorId: string | null;
  targetId: string | null;
  action: string;
  outcome: string;
  categories: readonly string[];
  details: Record<string, unknown>;
  requestId: string | null;
}

/** The `prev_hash` of an organization's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted (by UTF-16 code unit) at every depth and arrays kept in order.
 * Values are first put through JSON itself (Dates become ISO strings, `undefined` properties
 * vanish, non-finite numbers become null), exactly what a jsonb round trip does, so a hash
 * computed before the insert matches one recomputed from the stored row.
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value);
  // JSON.stringify returns undefined (despite its type) for undefined, functions and symbols.
  if ((text as string | undefined) === undefined) {
    throw new TypeError('canonicalJson: value has no JSON representation');
  }
  return canonicalOf(JSON.parse(text) as unknown);
}

function canonicalOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalOf).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Written as text, never rebuilt as an object, so a "__proto__" key stays a plain key.
    const members = Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalOf(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 (hex) over the previous entry's hash followed by the canonical JSON of this entry.
 * Both hashes are 64 hex characters, so the concatenation is unambiguous.
 */
export function hashAuditEntry(prevHash: string, entry: AuditHashInput): string {
  const body = canonicalJson({
    organizationId: entry.organizationId,
    occurredAt: entry.occurredAt.toISOString(),
    actorId: entry.actorId,
    targetId: entry.targetId,
    action: entry.action,
    outcome: entry.outcome,
    categories: entry.categories,
    details: entry.details,
    requestId: entry.requestId,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/** Thrown when audit details look like they carry a secret. Names the path, never the value. */
export class AuditSecretError extends Error {
  override readonly name = 'AuditSecretError';
  constructor(
    readonly path: string,
    readonly reason: 'secret_key' | 'secret_value',
  ) {
    super(
      reason === 'secret_key'
        ? `audit details must not carry secrets: key ${path} names a secret`
        : `audit details must not carry secrets: the value at ${path} looks like a credential`,
    );
  }
}

const SECRET_KEY =
  /token|secret|password|passwd|api[_-]?key|private[_-]?key|credential|authorization|cookie/i;

const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  // An Authorization header value. The token must look random (a digit, a '+', '/' or '=', or a
  // lower-to-upper case change), so prose such as "Basic configuration" passes.
  /\b(?:[Bb]earer|BEARER)\s+(?=[\w\-.~]*(?:[0-9+/=]|[a-z][A-Z]))[\w\-.~+/]{8,}/,
  /\b(?:[Bb]asic|BASIC)\s+(?=[A-Za-z]*(?:[0-9+/=]|[a-z][A-Z]))[A-Za-z0-9+/]{12,}/,
  // JSON Web Tokens: base64url header and payload, both starting with `{"`.
  /\beyJ[\w-]{5,}\.eyJ[\w-]{5,}\./,
  // Vendor prefixes: HubSpot private apps, Stripe-style, OpenAI-style, GitHub, Slack.
  /\bpat-[a-z]{2,4}\d?-[0-9a-f]{4,}/i,
  /\b(?:sk|rk|pk)_(?:live|test)_\w{8,}/,
  /\bsk-[\w-]{16,}/,
  /\bgh[pousr]_\w{20,}/,
  /\bxox[abpr]-[\w-]{10,}/,
  // Credentials in a URL's query string or user-info part.
  /[?&#](?:access_token|refresh_token|id_token|token|api_?key|apikey|secret|client_secret|password|sig|signature)=[^&\s]/i,
  /\/\/[^/\s:@]+:[^/\s@]+@/,
];

const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const OPAQUE_MIN_LENGTH = 24;
const PATH_WORD = /^(?:[a-z]{3,}|[A-Z][a-z]{2,}|[A-Z]{3,})$/;

/**
 * A second line of defence (SPEC §7): services build audit details from counts, ids and category
 * names and never hand them a secret; this refuses details that do carry one anyway. A key that
 * names a secret is refused whatever its value (even empty); a string value is refused when it
 * looks like a bearer token, a known vendor key, a credential in a URL, or a long opaque token.
 * Masked keys (`••••abcd`), UUIDs, Salesforce ids, ISO dates, category and property names pass.
 */
export function assertNoSecrets(details: Record<string, unknown>): void {
  walk(details, 'details', new Set());
}

function walk(value: unknown, path: string, seen: Set<object>): void {
  if (typeof value === 'string') {
    if (looksLikeSecret(value)) throw new AuditSecretError(path, 'secret_value');
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walk(item, `${path}[${index}]`, seen);
    });
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const itemPath = `${path}.${key}`;
    if (SECRET_KEY.test(key)) throw new AuditSecretError(itemPath, 'secret_key');
    walk(item, itemPath, seen);
  }
}

/** Whether a string value looks like a credential (exported for its own tests). */
export function looksLikeSecret(value: string): boolean {
  if (SECRET_VALUE_PATTERNS.some((pattern) => pattern.test(value))) return true;
  // Chunks are runs of token characters; '/', '.' and '=' split paths, hosts, query strings and
  // dotted tokens (Zoho's `1000.<hex>.<hex>`) into parts that are checked on their own. A chunk
  // with '/' but no '.' is also checked whole unless it reads like a path (base64 has '/' too).
  for (const chunk of value.replace(UUIDS, ' ').split(/[^\w\-+/!~.=]+/)) {
    const parts = chunk.split(/[/.=]/);
    if (parts.some(isOpaque)) return true;
    const base64ish = /[+=]/.test(chunk);
    const isPath =
      !base64ish && (chunk.includes('.') || parts.some((part) => PATH_WORD.test(part)));
    if (!isPath && isOpaque(chunk.replace(/[/=]/g, ''))) return true;
  }
  return false;
}

/**
 * A long run of letters and digits that is not made of words: random keys switch between
 * lower case, upper case and digits far more often than identifiers such as
 * `appointmentScheduled2024` do.
 */
function isOpaque(token: string): boolean {
  if (token.length < OPAQUE_MIN_LENGTH) return false;
  if (!/\d/.test(token) || !/[a-z]/i.test(token)) return false;
  // snake_case and kebab-case identifiers whose every part is a word or a number.
  if (token.split(/[-_]/).every((part) => /^(?:[a-z]*|[A-Z]*|[A-Z]?[a-z]*|\d*)$/.test(part))) {
    return false;
  }
  if (token.length >= 32 && /^[0-9a-f]+$/i.test(token)) return true;
  let pairs = 0;
  let switches = 0;
  for (let i = 1; i < token.length; i += 1) {
    const a = classOf(token.charCodeAt(i - 1));
    const b = classOf(token.charCodeAt(i));
    if (a === 0 || b === 0) continue;
    pairs += 1;
    if (a !== b) switches += 1;
  }
  return pairs > 0 && switches / pairs >= 0.25;
}

/** 1 lower case, 2 upper case, 3 digit, 0 anything else. */
function classOf(code: number): number {
  if (code >= 97 && code <= 122) return 1;
  if (code >= 65 && code <= 90) return 2;
  if (code >= 48 && code <= 57) return 3;
  return 0;
}

import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { isCrmKey, type CrmKey } from '#src/domain/crm.ts';

/**
 * Encryption at rest for CRM credentials (SPEC §7): AES-256-GCM (authenticated, so a modified
 * row is detected rather than decrypted into garbage), a key id on every row so keys can be
 * rotated, and the owning user + CRM bound as associated data so a ciphertext copied onto
 * another row does not decrypt. Nothing in this module ever puts key bytes or plaintext into
 * an error message.
 */

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const MASK = '••••';
const HINT_CHARS = 4;
const MIN_LENGTH_FOR_HINT = 12;

/** An encryption key and its id. The id is stored next to each ciphertext to find the key again. */
export interface SecretKey {
  id: string;
  key: Buffer;
}

/**
 * The keys the service can use: `current` encrypts; every key in `byId` (current and previous
 * ones) decrypts, so rows sealed before a rotation stay readable until they are re-sealed.
 */
export interface Keyring {
  current: SecretKey;
  byId: ReadonlyMap<string, SecretKey>;
}

/**
 * Which row a secret belongs to, bound into the ciphertext so it only opens on that row: a
 * user's CRM connection, an OAuth grant (ADR 0014), or a pending OAuth authorization's verifier.
 */
export type SecretBinding =
  | { userId: string; crm: CrmKey }
  | { grantId: string; crm: CrmKey }
  | { oauthState: string; crm: CrmKey };

/** What gets stored: everything needed to decrypt except the key itself. */
export interface SealedSecret {
  keyId: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  authTag: Uint8Array;
}

/**
 * A sealed secret could not be opened. `reason` tells operations whether a key is missing from
 * the keyring (`unknown_key`) or the row was modified / moved to another user or CRM. The
 * message never contains plaintext or key bytes, so it is safe to log.
 */
export class SecretDecryptError extends Error {
  override readonly name = 'SecretDecryptError';
  readonly reason: 'unknown_key' | 'tampered_or_wrong_binding';

  constructor(reason: 'unknown_key' | 'tampered_or_wrong_binding', message: string) {
    super(message);
    this.reason = reason;
  }
}

/**
 * A key's id: the first 8 bytes of its SHA-256, hex. Derived from the key (not chosen) so the same
 * key always has the same id, and it reveals nothing usable about the key.
 */
export function keyIdOf(key: Uint8Array): string {
  return createHash('sha256').update(key).digest().subarray(0, 8).toString('hex');
}

/**
 * Builds a keyring from the current key and any previous ones (rotation). Rejects keys that are
 * not exactly 32 bytes (AES-256) without echoing them. The keys are copied, and the returned
 * objects serialise/inspect without their bytes, so a keyring that ends up in a log leaks nothing.
 */
export function createKeyring(current: Uint8Array, previous: readonly Uint8Array[] = []): Keyring {
  const currentKey = toSecretKey(current, 'current key');
  const byId = new Map<string, SecretKey>([[currentKey.id, currentKey]]);
  previous.forEach((key, index) => {
    const secretKey = toSecretKey(key, `previous key #${index + 1}`);
    if (!byId.has(secretKey.id)) byId.set(secretKey.id, secretKey);
  });
  const keyring: Keyring = { current: currentKey, byId };
  redactWhenPrinted(keyring, () => ({ currentKeyId: currentKey.id, keyIds: [...byId.keys()] }));
  return Object.freeze(keyring);
}

/**
 * Decodes a key from configuration (standard or url-safe base64, padding optional). Throws a
 * readable error — without the value — if it is not base64 or not exactly 32 bytes.
 */
export function parseBase64Key(value: string): Uint8Array {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new Error(
      'The secret encryption key is not valid base64: it must be 32 random bytes encoded as ' +
        'standard or url-safe base64 (e.g. `openssl rand -base64 32`).',
    );
  }
  const unpadded = trimmed.replace(/=+$/, '');
  const bytes = Buffer.from(unpadded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== KEY_BYTES || unpadded.length !== 43) {
    throw new Error(
      `The secret encryption key must be exactly ${KEY_BYTES} bytes; it decodes to ${bytes.length} bytes ` +
        '(generate one with `openssl rand -base64 32`).',
    );
  }
  return new Uint8Array(bytes);
}

/** Encrypts a secret for one user's CRM connection, always with the keyring's current key. */
export function sealSecret(
  keyring: Keyring,
  plaintext: string,
  binding: SecretBinding,
): SealedSecret {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, keyring.current.key, nonce, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(associatedData(binding));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    keyId: keyring.current.id,
    nonce: new Uint8Array(nonce),
    ciphertext: new Uint8Array(ciphertext),
    authTag: new Uint8Array(cipher.getAuthTag()),
  };
}

/**
 * Decrypts a sealed secret with the key named by its key id (so pre-rotation rows still open).
 * Throws `SecretDecryptError` if the key is not in the keyring, or if the row was altered or
 * belongs to another user or CRM — GCM authentication fails rather than returning garbage.
 */
export function openSecret(keyring: Keyring, sealed: SealedSecret, binding: SecretBinding): string {
  const aad = associatedData(binding);
  const secretKey = keyring.byId.get(sealed.keyId);
  if (!secretKey) {
    throw new SecretDecryptError(
      'unknown_key',
      `Cannot decrypt secret: key id ${JSON.stringify(sealed.keyId)} is not in the keyring ` +
        '(was a previous key removed after rotation?).',
    );
  }
  const tampered = () =>
    new SecretDecryptError(
      'tampered_or_wrong_binding',
      'Cannot decrypt secret: it was modified, or it belongs to another user or CRM.',
    );
  if (sealed.nonce.length !== NONCE_BYTES || sealed.authTag.length !== TAG_BYTES) throw tampered();
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv(ALGORITHM, secretKey.key, sealed.nonce, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.authTag);
    plaintext = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    // The underlying error carries no secret, but it adds nothing either: drop it.
    throw tampered();
  }
  const text = plaintext.toString('utf8');
  plaintext.fill(0);
  return text;
}

/** Seals a JSON value (a CRM connection's `secrets` object is stored this way). */
export function sealJson(keyring: Keyring, value: unknown, binding: SecretBinding): SealedSecret {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) throw new TypeError('The secret value cannot be serialised to JSON.');
  return sealSecret(keyring, json, binding);
}

/**
 * Opens a value sealed by `sealJson`. A payload that is not JSON raises an error that, unlike
 * `JSON.parse`'s own, does not quote the decrypted text.
 */
export function openJson(keyring: Keyring, sealed: SealedSecret, binding: SecretBinding): unknown {
  const json = openSecret(keyring, sealed, binding);
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new Error('The decrypted secret is not JSON (was it sealed with sealSecret?).');
  }
}

/**
 * A keyed fingerprint of a secret JSON object (HMAC-SHA256 under a key derived from the current
 * encryption key), stored beside the ciphertext when it is sealed: two users' CRM keys compare
 * (drift, "unchanged") without decrypting either. `<keyId>.<base64url>`: fingerprints made under
 * different keys do not compare. Reveals nothing usable about the secret without the key.
 */
export function fingerprintJson(keyring: Keyring, value: Record<string, unknown>): string {
  const fingerprintKey = createHmac('sha256', keyring.current.key)
    .update('ergo crm-key fingerprint v1')
    .digest();
  const canonical = JSON.stringify(
    Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const mac = createHmac('sha256', fingerprintKey).update(canonical).digest('base64url');
  fingerprintKey.fill(0);
  return `${keyring.current.id}.${mac}`;
}

/** A fingerprint as people may see it: its first 8 characters, enough to tell two apart. */
export function maskFingerprint(fingerprint: string | null): string {
  const mac = fingerprint?.split('.')[1];
  return mac ? `fp:${mac.slice(0, 8)}` : 'fp:unknown';
}

/**
 * The last-4 hint of a secret, to store in plaintext next to the ciphertext so lists can show a
 * masked key without decrypting. Empty for secrets shorter than 12 characters, where 4 characters
 * would reveal too much of the secret.
 */
export function secretHint(secret: string): string {
  return secret.length >= MIN_LENGTH_FOR_HINT ? lastChars(secret, HINT_CHARS) : '';
}

/** Renders a stored hint as the masked view (`••••abcd`, or `••••` when there is no hint). */
export function maskHint(hint: string): string {
  return MASK + lastChars(hint, HINT_CHARS);
}

/**
 * The only form of a secret that may leave the service layer (API responses, logs): `••••` plus at
 * most the last 4 characters.
 */
export function maskSecret(secret: string): string {
  return maskHint(secretHint(secret));
}

// --- internals ---------------------------------------------------------------------------------

/** The associated data: a canonical, versioned name of the row the secret belongs to. */
function associatedData(binding: SecretBinding): Buffer {
  // Checked at runtime too: an empty or wrong binding would silently weaken the row binding.
  const [kind, id] =
    'grantId' in binding
      ? ['crm_grant', binding.grantId]
      : 'oauthState' in binding
        ? ['oauth_state', binding.oauthState]
        : ['crm_connection', binding.userId];
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError(`A ${kind} secret binding needs a non-empty id.`);
  }
  if (!isCrmKey(binding.crm)) throw new TypeError('A secret binding needs a known CRM.');
  // The CRM key never contains '/', so the last segment is unambiguous whatever the id holds.
  return Buffer.from(`ergo/${kind}/v1/${id}/${binding.crm}`, 'utf8');
}

function toSecretKey(key: Uint8Array, label: string): SecretKey {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    const length = key instanceof Uint8Array ? `${key.length} bytes` : 'not bytes';
    throw new Error(`The ${label} must be ${KEY_BYTES} bytes (AES-256); got ${length}.`);
  }
  const secretKey: SecretKey = { id: keyIdOf(key), key: Buffer.from(key) };
  redactWhenPrinted(secretKey, () => ({ id: secretKey.id, key: '[redacted]' }));
  return Object.freeze(secretKey);
}

/** Makes JSON.stringify (pino) and util.inspect (console) print `view()` instead of key bytes. */
function redactWhenPrinted(target: object, view: () => unknown): void {
  Object.defineProperty(target, 'toJSON', { value: view, enumerable: false });
  Object.defineProperty(target, Symbol.for('nodejs.util.inspect.custom'), {
    value: view,
    enumerable: false,
  });
}

/** The last `count` UTF-16 code units, without starting in the middle of a surrogate pair. */
function lastChars(value: string, count: number): string {
  const tail = value.slice(-count);
  const first = tail.charCodeAt(0);
  return tail.length > 0 && first >= 0xdc00 && first <= 0xdfff ? tail.slice(1) : tail;
}

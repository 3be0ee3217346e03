import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SecretDecryptError,
  createKeyring,
  keyIdOf,
  maskHint,
  maskSecret,
  openJson,
  openSecret,
  parseBase64Key,
  sealJson,
  sealSecret,
  secretHint,
  type SealedSecret,
  type SecretBinding,
} from '#src/domain/secrets/secret-box.ts';

const PLAINTEXT = 'pat-na1-1f2e3d4c-5b6a-7980-aabb-ccddeeff0011';
const alice: SecretBinding = { userId: 'user-alice', crm: 'hubspot' };

function newKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** Runs `fn`, expecting it to throw; returns the error. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function flipFirstBit(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[0] = (copy[0] ?? 0) ^ 1;
  return copy;
}

describe('sealSecret / openSecret', () => {
  it('opens what it sealed', () => {
    const keyring = createKeyring(newKey());
    const sealed = sealSecret(keyring, PLAINTEXT, alice);
    expect(openSecret(keyring, sealed, alice)).toBe(PLAINTEXT);
  });

  it('round-trips empty and non-ASCII secrets', () => {
    const keyring = createKeyring(newKey());
    for (const secret of ['', 'clé-ünïcødé-🔑-秘密']) {
      expect(openSecret(keyring, sealSecret(keyring, secret, alice), alice)).toBe(secret);
    }
  });

  it('seals with a 12-byte nonce, a 16-byte tag and the current key id, without storing the plaintext', () => {
    const key = newKey();
    const sealed = sealSecret(createKeyring(key), PLAINTEXT, alice);
    expect(sealed.keyId).toBe(keyIdOf(key));
    expect(sealed.nonce).toHaveLength(12);
    expect(sealed.authTag).toHaveLength(16);
    expect(Buffer.from(sealed.ciphertext).toString('utf8')).not.toContain(PLAINTEXT.slice(0, 8));
  });

  it('gives two seals of the same plaintext different nonces and ciphertexts', () => {
    const keyring = createKeyring(newKey());
    const first = sealSecret(keyring, PLAINTEXT, alice);
    const second = sealSecret(keyring, PLAINTEXT, alice);
    expect(Buffer.from(first.nonce).equals(Buffer.from(second.nonce))).toBe(false);
    expect(Buffer.from(first.ciphertext).equals(Buffer.from(second.ciphertext))).toBe(false);
  });

  it("a ciphertext copied onto another user's row fails to decrypt", () => {
    const keyring = createKeyring(newKey());
    const sealed = sealSecret(keyring, PLAINTEXT, alice);
    const error = thrown(() => openSecret(keyring, sealed, { userId: 'user-bob', crm: 'hubspot' }));
    expect(error).toBeInstanceOf(SecretDecryptError);
    expect((error as SecretDecryptError).reason).toBe('tampered_or_wrong_binding');
  });

  it("a ciphertext copied onto the same user's row for another CRM fails to decrypt", () => {
    const keyring = createKeyring(newKey());
    const sealed = sealSecret(keyring, PLAINTEXT, alice);
    const error = thrown(() => openSecret(keyring, sealed, { userId: 'user-alice', crm: 'attio' }));
    expect(error).toBeInstanceOf(SecretDecryptError);
    expect((error as SecretDecryptError).reason).toBe('tampered_or_wrong_binding');
  });

  it('does not confuse bindings whose user ids contain slashes', () => {
    const keyring = createKeyring(newKey());
    const sealed = sealSecret(keyring, PLAINTEXT, { userId: 'a/hubspot', crm: 'zoho' });
    expect(() => openSecret(keyring, sealed, { userId: 'a', crm: 'zoho' })).toThrow(
      SecretDecryptError,
    );
  });

  it.each([
    [
      'ciphertext',
      (s: SealedSecret): SealedSecret => ({ ...s, ciphertext: flipFirstBit(s.ciphertext) }),
    ],
    ['auth tag', (s: SealedSecret): SealedSecret => ({ ...s, authTag: flipFirstBit(s.authTag) })],
    ['nonce', (s: SealedSecret): SealedSecret => ({ ...s, nonce: flipFirstBit(s.nonce) })],
    [
      'truncated auth tag',
      (s: SealedSecret): SealedSecret => ({ ...s, authTag: s.authTag.slice(0, 8) }),
    ],
    [
      'truncated ciphertext',
      (s: SealedSecret): SealedSecret => ({ ...s, ciphertext: s.ciphertext.slice(1) }),
    ],
  ])('rejects a tampered %s with SecretDecryptError', (_part, tamper) => {
    const keyring = createKeyring(newKey());
    const sealed = sealSecret(keyring, PLAINTEXT, alice);
    const error = thrown(() => openSecret(keyring, tamper(sealed), alice));
    expect(error).toBeInstanceOf(SecretDecryptError);
    expect((error as SecretDecryptError).reason).toBe('tampered_or_wrong_binding');
  });

  it('rejects a binding without a user id instead of sealing under a weaker binding', () => {
    const keyring = createKeyring(newKey());
    expect(() => sealSecret(keyring, PLAINTEXT, { userId: '', crm: 'hubspot' })).toThrow(
      /crm_connection secret binding needs a non-empty id/,
    );
    expect(() => sealSecret(keyring, PLAINTEXT, { grantId: '', crm: 'hubspot' })).toThrow(
      /crm_grant secret binding needs a non-empty id/,
    );
  });

  it('a grant-bound secret opens only with its grant, never as a connection of the same id', () => {
    const keyring = createKeyring(newKey());
    const sealed = sealSecret(keyring, PLAINTEXT, { grantId: 'g-1', crm: 'hubspot' });
    expect(openSecret(keyring, sealed, { grantId: 'g-1', crm: 'hubspot' })).toBe(PLAINTEXT);
    expect(() => openSecret(keyring, sealed, { userId: 'g-1', crm: 'hubspot' })).toThrow();
    expect(() => openSecret(keyring, sealed, { grantId: 'g-2', crm: 'hubspot' })).toThrow();
  });
});

describe('key rotation', () => {
  it('a rotated key still decrypts old rows', () => {
    const k1 = newKey();
    const k2 = newKey();
    const old = sealSecret(createKeyring(k1), PLAINTEXT, alice);

    const rotated = createKeyring(k2, [k1]);
    expect(openSecret(rotated, old, alice)).toBe(PLAINTEXT);

    const fresh = sealSecret(rotated, PLAINTEXT, alice);
    expect(fresh.keyId).toBe(keyIdOf(k2));
    expect(fresh.keyId).not.toBe(old.keyId);
    expect(openSecret(rotated, fresh, alice)).toBe(PLAINTEXT);
  });

  it("fails with reason 'unknown_key' once the old key is dropped from the keyring", () => {
    const k1 = newKey();
    const old = sealSecret(createKeyring(k1), PLAINTEXT, alice);
    const error = thrown(() => openSecret(createKeyring(newKey()), old, alice));
    expect(error).toBeInstanceOf(SecretDecryptError);
    expect((error as SecretDecryptError).reason).toBe('unknown_key');
  });

  it('rejects a row relabelled with another key id', () => {
    const k1 = newKey();
    const k2 = newKey();
    const keyring = createKeyring(k2, [k1]);
    const sealed = sealSecret(keyring, PLAINTEXT, alice);
    const error = thrown(() => openSecret(keyring, { ...sealed, keyId: keyIdOf(k1) }, alice));
    expect((error as SecretDecryptError).reason).toBe('tampered_or_wrong_binding');
  });

  it('derives a 16-hex-character key id that differs between keys', () => {
    const key = newKey();
    expect(keyIdOf(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(key)).toBe(keyIdOf(new Uint8Array(key)));
    expect(keyIdOf(newKey())).not.toBe(keyIdOf(key));
  });
});

describe('createKeyring / parseBase64Key', () => {
  it.each([0, 16, 31, 33, 64])('rejects a %i-byte key, saying it must be 32 bytes', (length) => {
    const key = new Uint8Array(randomBytes(length));
    const error = thrown(() => createKeyring(key));
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/32 bytes/);
    if (length > 0) {
      expect(message).not.toContain(Buffer.from(key).toString('hex'));
      expect(message).not.toContain(Buffer.from(key).toString('base64'));
    }
  });

  it('rejects a previous key of the wrong size too', () => {
    expect(() => createKeyring(newKey(), [new Uint8Array(24)])).toThrow(/32 bytes/);
  });

  it('does not print key bytes when a keyring is logged or inspected', () => {
    const key = newKey();
    const keyring = createKeyring(key, [newKey()]);
    const hex = Buffer.from(key).toString('hex');
    const json = JSON.stringify(keyring);
    const inspected = inspect(keyring, { depth: 10 });
    for (const printed of [json, inspected, JSON.stringify(keyring.current)]) {
      expect(printed).not.toContain(hex);
      expect(printed).not.toContain(Buffer.from(key).toString('base64'));
      expect(printed).not.toContain(Array.from(key).join(','));
    }
    expect(json).toContain(keyIdOf(key));
  });

  it('accepts standard and url-safe base64, with or without padding', () => {
    // Bytes chosen so the standard encoding contains both '+' and '/'.
    const bytes = Buffer.alloc(32, 0xfb);
    bytes[1] = 0xff;
    const standard = bytes.toString('base64');
    expect(standard).toMatch(/[+/]/);
    const urlSafe = bytes.toString('base64url');
    for (const encoded of [standard, standard.replace(/=+$/, ''), urlSafe, `${urlSafe}=`]) {
      expect(Buffer.from(parseBase64Key(encoded)).equals(bytes)).toBe(true);
    }
  });

  it('rejects garbage with a readable message that does not echo the input', () => {
    const garbage = 'not a key!! $$$';
    const error = thrown(() => parseBase64Key(garbage));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/not valid base64/);
    expect((error as Error).message).not.toContain(garbage);
  });

  it.each([16, 31, 33, 48])(
    'rejects base64 that decodes to %i bytes, naming the size',
    (length) => {
      const encoded = randomBytes(length).toString('base64');
      const error = thrown(() => parseBase64Key(encoded));
      expect((error as Error).message).toMatch(/must be exactly 32 bytes/);
      expect((error as Error).message).not.toContain(encoded);
    },
  );

  it('rejects an empty key', () => {
    expect(() => parseBase64Key('')).toThrow(/base64/);
  });
});

describe('sealJson / openJson', () => {
  it('round-trips a CRM credentials secrets object', () => {
    const keyring = createKeyring(newKey());
    const secrets = { accessToken: PLAINTEXT, refreshToken: 'refresh-0123456789' };
    const binding: SecretBinding = { userId: 'user-alice', crm: 'salesforce' };
    expect(openJson(keyring, sealJson(keyring, secrets, binding), binding)).toEqual(secrets);
  });

  it('binds JSON secrets to their row like any other secret', () => {
    const keyring = createKeyring(newKey());
    const sealed = sealJson(keyring, { apiToken: PLAINTEXT }, { userId: 'u1', crm: 'pipedrive' });
    expect(() => openJson(keyring, sealed, { userId: 'u2', crm: 'pipedrive' })).toThrow(
      SecretDecryptError,
    );
  });

  it('refuses values that are not JSON-serialisable', () => {
    const keyring = createKeyring(newKey());
    expect(() => sealJson(keyring, undefined, alice)).toThrow(/JSON/);
    expect(() => sealJson(keyring, { token: 10n }, alice)).toThrow(/JSON/);
  });
});

describe('error messages never contain the plaintext', () => {
  it('for every way opening can fail', () => {
    const k1 = newKey();
    const keyring = createKeyring(k1);
    const sealed = sealSecret(keyring, PLAINTEXT, alice);
    const sealedText = sealSecret(keyring, PLAINTEXT, alice); // not JSON: openJson must fail
    const failures = [
      () => openSecret(createKeyring(newKey()), sealed, alice),
      () => openSecret(keyring, sealed, { userId: 'user-bob', crm: 'hubspot' }),
      () => openSecret(keyring, { ...sealed, authTag: flipFirstBit(sealed.authTag) }, alice),
      () => openJson(keyring, sealedText, alice),
    ];
    for (const failure of failures) {
      const error = thrown(failure);
      expect(error).toBeInstanceOf(Error);
      const printed = `${String(error)}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`;
      expect(printed).not.toContain(PLAINTEXT);
      expect(printed).not.toContain(PLAINTEXT.slice(0, 12));
      expect(printed).not.toContain(Buffer.from(k1).toString('hex'));
    }
  });

  it('when JSON parsing of a decrypted secret fails (JSON.parse would quote the text)', () => {
    const keyring = createKeyring(newKey());
    const error = thrown(() => openJson(keyring, sealSecret(keyring, PLAINTEXT, alice), alice));
    expect((error as Error).message).toMatch(/not JSON/);
    expect((error as Error).cause).toBeUndefined();
  });
});

describe('maskSecret / secretHint / maskHint', () => {
  it('shows the last 4 characters of a long secret', () => {
    expect(maskSecret('abcdefgh1234')).toBe('••••1234');
    expect(maskSecret(PLAINTEXT)).toBe('••••0011');
  });

  it('shows nothing of a secret shorter than 12 characters', () => {
    expect(maskSecret('abcdefgh123')).toBe('••••');
    expect(maskSecret('123456')).toBe('••••');
    expect(maskSecret('')).toBe('••••');
  });

  it('stores a hint that masks to the same view', () => {
    expect(secretHint(PLAINTEXT)).toBe('0011');
    expect(secretHint('short')).toBe('');
    expect(maskHint(secretHint(PLAINTEXT))).toBe(maskSecret(PLAINTEXT));
  });

  it('never renders more than 4 characters of a stored hint, even a corrupt long one', () => {
    expect(maskHint('abcdefgh')).toBe('••••efgh');
    expect(maskHint('')).toBe('••••');
  });

  it('does not split a surrogate pair at the start of the hint', () => {
    expect(secretHint('0123456789abc🔑xyz')).toBe('xyz');
  });

  it('the masked view never contains more than the last 4 characters', () => {
    const anyString = fc.oneof(
      fc.string({ maxLength: 64 }),
      fc.string({ unit: 'binary', maxLength: 64 }),
      fc.string({ unit: 'grapheme', maxLength: 32 }),
    );
    fc.assert(
      fc.property(anyString, (secret) => {
        const masked = maskSecret(secret);
        expect(masked.startsWith('••••')).toBe(true);
        const shown = masked.slice('••••'.length);
        expect(shown.length).toBeLessThanOrEqual(4);
        expect(secret.endsWith(shown)).toBe(true);
        if (secret.length < 12) expect(shown).toBe('');
        expect(maskHint(secretHint(secret))).toBe(masked);
      }),
      { numRuns: 1000 },
    );
  });

  it('short secrets reveal nothing', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 11 }).filter((s) => s.length < 12),
        (secret) => {
          expect(maskSecret(secret)).toBe('••••');
          expect(secretHint(secret)).toBe('');
        },
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuditSecretError,
  GENESIS_HASH,
  assertNoSecrets,
  canonicalJson,
  hashAuditEntry,
  isAuditOutcome,
  looksLikeSecret,
  type AuditHashInput,
} from '#src/domain/audit/audit-chain.ts';

const entry: AuditHashInput = {
  organizationId: '5d0c7f2e-8f3a-4b7e-9c1d-2a3b4c5d6e7f',
  occurredAt: new Date('2026-11-28T09:15:30.123Z'),
  actorId: '0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
  targetId: null,
  action: 'sync_settings_to_user',
  outcome: 'applied',
  categories: ['custom_properties', 'pipeline_stages'],
  details: { counts: { added: 2, changed: 1 }, dryRun: false },
  requestId: 'req-1',
};

/** Runs `fn`, expecting it to throw; returns the error. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('writes Dates as ISO strings and drops undefined properties, as JSON does', () => {
    expect(canonicalJson({ at: new Date('2026-01-02T03:04:05.678Z'), gone: undefined })).toBe(
      '{"at":"2026-01-02T03:04:05.678Z"}',
    );
    expect(canonicalJson([undefined, Number.NaN])).toBe('[null,null]');
  });

  it('keeps a "__proto__" key as a plain key', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe(
      '{"__proto__":{"x":1},"a":2}',
    );
  });

  it('refuses a value with no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('does not depend on key order and survives a JSON round trip (as through jsonb)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(text);
        expect(canonicalJson(reverseKeys(value))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).reverse()) {
      Object.defineProperty(out, key, {
        value: reverseKeys((value as Record<string, unknown>)[key]),
        enumerable: true,
      });
    }
    return out;
  }
  return value;
}

describe('hashAuditEntry', () => {
  it('is a SHA-256 hex digest, deterministic', () => {
    const hash = hashAuditEntry(GENESIS_HASH, entry);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAuditEntry(GENESIS_HASH, { ...entry })).toBe(hash);
  });

  it('changes with the previous hash and with every covered field', () => {
    const hash = hashAuditEntry(GENESIS_HASH, entry);
    expect(hashAuditEntry('f'.repeat(64), entry)).not.toBe(hash);
    const changes: Partial<AuditHashInput>[] = [
      { organizationId: '00000000-0000-4000-8000-000000000000' },
      { occurredAt: new Date('2026-11-28T09:15:30.124Z') },
      { actorId: null },
      { targetId: '0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d' },
      { action: 'sync_crm' },
      { outcome: 'dry_run' },
      { categories: ['pipeline_stages', 'custom_properties'] },
      { details: { counts: { added: 2, changed: 2 }, dryRun: false } },
      { requestId: null },
    ];
    const hashes = changes.map((change) => hashAuditEntry(GENESIS_HASH, { ...entry, ...change }));
    expect(new Set([hash, ...hashes]).size).toBe(changes.length + 1);
  });

  it('does not depend on the key order of details', () => {
    expect(
      hashAuditEntry(GENESIS_HASH, {
        ...entry,
        details: { dryRun: false, counts: { changed: 1, added: 2 } },
      }),
    ).toBe(hashAuditEntry(GENESIS_HASH, entry));
  });
});

describe('isAuditOutcome', () => {
  it('accepts the four outcomes only', () => {
    expect(['applied', 'dry_run', 'refused', 'failed'].every(isAuditOutcome)).toBe(true);
    expect(isAuditOutcome('deleted')).toBe(false);
  });
});

describe('assertNoSecrets', () => {
  it('refuses a key that names a secret, at any depth, whatever its value', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ accessToken: 'x' }, 'details.accessToken'],
      [{ crm: { secrets: {} } }, 'details.crm.secrets'],
      [{ connections: [{ crm: 'hubspot' }, { api_key: '' }] }, 'details.connections[1].api_key'],
      [{ headers: { Authorization: null } }, 'details.headers.Authorization'],
      [{ user: { passwordHash: 'h' } }, 'details.user.passwordHash'],
      [{ apiKey: 1 }, 'details.apiKey'],
      [{ clientCredentials: true }, 'details.clientCredentials'],
      [{ refresh_token: 'r' }, 'details.refresh_token'],
    ];
    for (const [details, path] of cases) {
      const error = thrown(() => {
        assertNoSecrets(details);
      });
      expect(error).toBeInstanceOf(AuditSecretError);
      expect(error).toMatchObject({ path, reason: 'secret_key' });
    }
  });

  it('refuses a value that looks like a credential, and never repeats it', () => {
    const secrets = [
      'Bearer 8f7a6b5c4d3e2f1a',
      'Authorization: Basic dXNlcjpwYXNzd29yZA==',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl',
      'pat-na1-11111111-2222-3333-4444-555555559abc',
      '00D5g000004XyZ!AQ0AQGz8secretsecretWXYZ',
      '1000.8d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f.9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
      'xoxb-263594206564-FGqddMF8t08v8N7Oq4i57vs1',
      '3f8a9c2b7d1e4f60a5b8c9d0e1f2a3b4c5d6e7f8',
      'k9Qz7Lm2Xv8Pw4Rt6Yu1Ib3On5Ae0Sd',
      'https://api.example.test/v1/deals?limit=10&access_token=abc',
      'postgres://admin:hunter2@db.internal:5432/ergo',
      'the key was 7YhT2kPq9XwZ4mNv8RbL3cDf6GjS in the request',
    ];
    for (const secret of secrets) {
      const error = thrown(() => {
        assertNoSecrets({ note: secret });
      });
      expect(error, secret).toMatchObject({ path: 'details.note', reason: 'secret_value' });
      expect((error as Error).message).not.toContain(secret);
    }
    const nested = thrown(() => {
      assertNoSecrets({ errors: [{ message: 'ok' }, { message: 'Bearer 8f7a6b5c4d3e2f1a' }] });
    });
    expect(nested).toMatchObject({ path: 'details.errors[1].message' });
  });

  it('lets ordinary audit details through', () => {
    const details = {
      categories: ['custom_properties', 'crm_keys', 'partnership_domains', 'advanced_settings'],
      counts: { members: 20, applied: 18, refused: 2 },
      maskedKey: '••••9abc',
      crm: 'salesforce',
      sourceUserId: '5d0c7f2e-8f3a-4b7e-9c1d-2a3b4c5d6e7f',
      runId: 'run-0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
      recordTypeId: '012000000000000AAA',
      accountId: '001xx000003DGb2AAG',
      instanceUrl: 'https://acme.my.salesforce.com/lightning/r/Account/001xx000003DGb2AAG/view',
      at: '2026-11-28T09:15:30.123Z',
      properties: ['hs_lead_status_2024_q1', 'appointmentScheduled2024Region'],
      message: 'HubSpot returned 401 Unauthorized: the token was rejected',
      template: 'Hi {{contact.first_name}}, Basic configuration applied at 10:30.',
      email: 'rep-12@example.test',
      dryRun: true,
      nothing: null,
      ratio: 0.5,
    };
    expect(() => {
      assertNoSecrets(details);
    }).not.toThrow();
  });

  it('copes with a cycle', () => {
    const details: Record<string, unknown> = { a: 1 };
    details.self = details;
    expect(() => {
      assertNoSecrets(details);
    }).not.toThrow();
  });

  it('flags opaque tokens but not identifiers', () => {
    expect(looksLikeSecret('Zm9vYmFyYmF6cXV4/cXV1eDEyMzQ1Njc4OTA+')).toBe(true);
    expect(looksLikeSecret('dealstage_appointmentscheduled1')).toBe(false);
    expect(looksLikeSecret('Bearer authentication failed')).toBe(false);
    expect(looksLikeSecret('5d0c7f2e-8f3a-4b7e-9c1d-2a3b4c5d6e7f')).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES, loadConfig } from '#src/config/config.ts';
import { CRM_KEYS } from '#src/domain/crm.ts';

const key = Buffer.alloc(32, 7).toString('base64');

describe('loadConfig', () => {
  it('an OAuth client needs both its id and its secret; a CRM without one has paste-in keys only', () => {
    expect(
      loadConfig({
        ERGO_OAUTH_SALESFORCE_CLIENT_ID: 'sf-id',
        ERGO_OAUTH_SALESFORCE_CLIENT_SECRET: 'sf-secret',
      }),
    ).toMatchObject({
      ok: true,
      config: {
        crm: { oauthClients: { salesforce: { clientId: 'sf-id', clientSecret: 'sf-secret' } } },
      },
    });
    const half = loadConfig({ ERGO_OAUTH_ZOHO_CLIENT_ID: 'zoho-id' });
    expect(half).toEqual({
      ok: false,
      errors: [
        'ERGO_OAUTH_ZOHO_CLIENT_SECRET: set both ERGO_OAUTH_ZOHO_CLIENT_ID and ERGO_OAUTH_ZOHO_CLIENT_SECRET (or neither)',
      ],
    });
    expect(JSON.stringify(half)).not.toContain('zoho-id');
    const ok = loadConfig({});
    expect(ok.ok && ok.config.crm.oauthClients).toEqual({});
  });

  it('production with an OAuth client needs ERGO_PUBLIC_URL (the redirect URI is built on it)', () => {
    const base = {
      NODE_ENV: 'production',
      ERGO_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      DATABASE_URL: 'postgres://u@127.0.0.1:5432/ergo',
      ERGO_OAUTH_HUBSPOT_CLIENT_ID: 'hs-id',
      ERGO_OAUTH_HUBSPOT_CLIENT_SECRET: 'hs-secret',
      ERGO_SMTP_URL: 'smtps://u:p@smtp.example.com:465',
      ERGO_MAIL_FROM: 'Ergo <no-reply@example.com>',
    };
    expect(loadConfig(base)).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^ERGO_PUBLIC_URL: is required in production/) as unknown],
    });
    expect(loadConfig({ ...base, ERGO_PUBLIC_URL: 'https://ergo.example.com/' })).toMatchObject({
      ok: true,
      config: { publicUrl: 'https://ergo.example.com' },
    });
  });

  it('ERGO_SMTP_URL must be an smtp:// or smtps:// URL, without echoing it (it holds the password)', () => {
    const bad = loadConfig({ ERGO_SMTP_URL: 'https://user:hunter2@mail.example.com' });
    expect(bad).toMatchObject({
      ok: false,
      errors: [
        expect.stringMatching(/^ERGO_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/) as unknown,
      ],
    });
    expect(JSON.stringify(bad)).not.toContain('hunter2');
    expect(
      loadConfig({ ERGO_SMTP_URL: 'smtp://127.0.0.1:2525', ERGO_MAIL_FROM: 'ergo@example.com' }),
    ).toMatchObject({
      ok: true,
      config: { mail: { smtp: { url: 'smtp://127.0.0.1:2525', from: 'ergo@example.com' } } },
    });
  });

  it('ERGO_MAIL_FROM must be an email address (optionally with a name) and is required with ERGO_SMTP_URL', () => {
    const smtp = { ERGO_SMTP_URL: 'smtps://u:p@smtp.example.com:465' };
    expect(loadConfig(smtp)).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^ERGO_MAIL_FROM: is required with ERGO_SMTP_URL/) as unknown],
    });
    for (const from of ['not an email', 'Ergo <nobody>', 'a@b.example\r\nBcc: x@y.example']) {
      expect(loadConfig({ ...smtp, ERGO_MAIL_FROM: from })).toMatchObject({
        ok: false,
        errors: [expect.stringMatching(/^ERGO_MAIL_FROM: must be an email address/) as unknown],
      });
    }
    expect(
      loadConfig({ ...smtp, ERGO_MAIL_FROM: 'Ergo Admin <no-reply@example.com>' }),
    ).toMatchObject({
      ok: true,
      config: { mail: { smtp: { from: 'Ergo Admin <no-reply@example.com>' } } },
    });
  });

  it('without SMTP, mail goes to the outbox outside production; production refuses to start without ERGO_SMTP_URL', () => {
    expect(loadConfig({})).toMatchObject({ ok: true, config: { mail: { smtp: undefined } } });
    const production = {
      NODE_ENV: 'production',
      ERGO_SECRET_KEY: key,
      DATABASE_URL: 'postgres://u@127.0.0.1:5432/ergo',
    };
    expect(loadConfig(production)).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^ERGO_SMTP_URL: is required in production/) as unknown],
    });
    expect(
      loadConfig({
        ...production,
        ERGO_SMTP_URL: 'smtps://u:p@smtp.example.com',
        ERGO_MAIL_FROM: 'no-reply@example.com',
      }),
    ).toMatchObject({ ok: true });
  });

  it('defaults to embedded PGlite in ./data with the demo on', () => {
    const result = loadConfig({});
    expect(result).toMatchObject({
      ok: true,
      config: {
        database: { engine: 'pglite', dataDir: './data/pglite' },
        http: { host: '127.0.0.1', port: 3000 },
        demo: true,
      },
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set, with the demo off unless asked for', () => {
    const url = 'postgres://ergo@127.0.0.1:5432/ergo';
    expect(loadConfig({ DATABASE_URL: url })).toMatchObject({
      ok: true,
      config: { database: { engine: 'postgres', url }, demo: false },
    });
    expect(loadConfig({ DATABASE_URL: url, ERGO_DEMO: '1' })).toMatchObject({
      config: { demo: true },
    });
    expect(loadConfig({ ERGO_DEMO: '0' })).toMatchObject({ config: { demo: false } });
  });

  it('only an all-in-one process starts the CRM emulators in-process (demo mode)', () => {
    expect(loadConfig({})).toMatchObject({ config: { crm: { startEmulators: true } } });
    const url = 'postgres://ergo@127.0.0.1:5432/ergo';
    for (const role of ['web', 'worker']) {
      expect(loadConfig({ DATABASE_URL: url, ERGO_DEMO: '1', ERGO_ROLE: role })).toMatchObject({
        ok: true,
        config: { demo: true, crm: { startEmulators: false } },
      });
    }
  });

  it('a web or worker process told to use the emulators needs all five URLs from configuration', () => {
    const url = 'postgres://ergo@127.0.0.1:5432/ergo';
    const result = loadConfig({
      DATABASE_URL: url,
      ERGO_ROLE: 'worker',
      ERGO_CRM_EMULATORS: '1',
      ERGO_CRM_HUBSPOT_URL: 'http://127.0.0.1:5101',
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(
          /^ERGO_CRM_EMULATORS: .*ERGO_CRM_SALESFORCE_URL, ERGO_CRM_ZOHO_URL, ERGO_CRM_ATTIO_URL, ERGO_CRM_PIPEDRIVE_URL/,
        ),
      ],
    });
    const urls = {
      ERGO_CRM_HUBSPOT_URL: 'http://127.0.0.1:5101',
      ERGO_CRM_SALESFORCE_URL: 'http://127.0.0.1:5102',
      ERGO_CRM_ZOHO_URL: 'http://127.0.0.1:5103',
      ERGO_CRM_ATTIO_URL: 'http://127.0.0.1:5104',
      ERGO_CRM_PIPEDRIVE_URL: 'http://127.0.0.1:5105',
    };
    expect(
      loadConfig({ DATABASE_URL: url, ERGO_ROLE: 'worker', ERGO_CRM_EMULATORS: '1', ...urls }),
    ).toMatchObject({
      ok: true,
      config: { crm: { startEmulators: false, baseUrls: { zoho: 'http://127.0.0.1:5103' } } },
    });
  });

  it('lists every bad variable by name', () => {
    const result = loadConfig({
      PORT: 'abc',
      DATABASE_URL: 'mysql://nope',
      ERGO_SECRET_KEY: Buffer.alloc(16).toString('base64'),
      ERGO_DEMO: 'maybe',
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    for (const name of ['PORT', 'DATABASE_URL', 'ERGO_SECRET_KEY', 'ERGO_DEMO']) {
      expect(
        errors.some((e) => e.startsWith(`${name}:`)),
        `${name} listed in ${errors.join(' | ')}`,
      ).toBe(true);
    }
  });

  it('rejects a port out of range', () => {
    expect(loadConfig({ PORT: '70000' }).ok).toBe(false);
  });

  it('requires ERGO_SECRET_KEY in production', () => {
    const smtp = { ERGO_SMTP_URL: 'smtps://u:p@smtp.example.com', ERGO_MAIL_FROM: 'e@example.com' };
    const result = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u@h/db',
      ...smtp,
    });
    expect(result).toEqual({ ok: false, errors: [expect.stringMatching(/^ERGO_SECRET_KEY:/)] });
    expect(
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://u@h/db',
        ERGO_SECRET_KEY: key,
        ...smtp,
      }).ok,
    ).toBe(true);
  });

  it('accepts previous keys for rotation and rejects a malformed one', () => {
    const other = Buffer.alloc(32, 9).toString('base64url');
    expect(
      loadConfig({ ERGO_SECRET_KEY: key, ERGO_SECRET_KEYS_PREVIOUS: `${other}, ${key}` }),
    ).toMatchObject({
      config: { secrets: { currentKey: key, previousKeys: [other, key] } },
    });
    expect(loadConfig({ ERGO_SECRET_KEYS_PREVIOUS: 'short' }).ok).toBe(false);
  });

  it('trusts X-Forwarded-For only from the listed proxies (IPs or CIDRs), none by default', () => {
    expect(loadConfig({})).toMatchObject({ config: { http: { trustProxy: [] } } });
    expect(loadConfig({ ERGO_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' })).toMatchObject({
      config: { http: { trustProxy: ['127.0.0.1', '10.0.0.0/8', '::1'] } },
    });
    for (const bad of ['proxy.local', '10.0.0.0/33', '1.2.3.4/8/1', 'true']) {
      expect(loadConfig({ ERGO_TRUST_PROXY: bad })).toEqual({
        ok: false,
        errors: [expect.stringMatching(/^ERGO_TRUST_PROXY/)],
      });
    }
  });

  it('reads the Idempotency-Key lease and the shutdown bound in seconds', () => {
    expect(loadConfig({})).toMatchObject({
      config: { idempotencyLeaseMs: 60_000, http: { shutdownTimeoutMs: 10_000 } },
    });
    expect(
      loadConfig({ ERGO_IDEMPOTENCY_LEASE_SECONDS: '5', ERGO_SHUTDOWN_TIMEOUT_SECONDS: '30' }),
    ).toMatchObject({ config: { idempotencyLeaseMs: 5_000, http: { shutdownTimeoutMs: 30_000 } } });
    expect(loadConfig({ ERGO_IDEMPOTENCY_LEASE_SECONDS: '0' }).ok).toBe(false);
  });
});

describe('docs/configuration.md', () => {
  it('documents every environment variable the configuration reads', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const crmNames = CRM_KEYS.map((c) => c.toUpperCase()).join('|');
    const undocumented = ENV_VARIABLES.filter((name) => {
      const generic = name.replace(new RegExp(`_(${crmNames})_`), '_<NAME>_');
      return !doc.includes(`| \`${name}\``) && !doc.includes(`| \`${generic}\``);
    });
    expect(ENV_VARIABLES.length).toBeGreaterThan(20);
    expect(undocumented).toEqual([]);
  });
});

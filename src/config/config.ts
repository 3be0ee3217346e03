import { isIP } from 'node:net';
import { DEFAULT_BULK_BATCH_SIZE } from '#src/domain/bulk-defaults.ts';
import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import { z } from 'zod';

/**
 * The process environment, parsed once at start-up (ENGINEERING.md, after Epic Stack).
 * `loadConfig` never throws: it returns every bad variable so start-up can list them all.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const booleanFlag = z
  .enum(['0', '1', 'true', 'false'], { error: 'must be 0, 1, true or false' })
  .transform((v) => v === '1' || v === 'true');

const base64Key = z
  .string()
  .trim()
  .refine((v) => decodeBase64(v)?.length === 32, {
    error: 'must be 32 bytes encoded as base64 (e.g. `openssl rand -base64 32`)',
  });

const oauthValue = z.string().trim().min(1).max(500).optional();

const crmUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional();

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(3000),
  DATABASE_URL: z
    .string()
    .trim()
    .refine(isPostgresUrl, {
      error: 'must be a postgres:// or postgresql:// URL, e.g. postgres://user@127.0.0.1:5432/ergo',
    })
    .optional(),
  ERGO_DATA_DIR: z.string().trim().min(1).default('./data'),
  ERGO_SECRET_KEY: base64Key.optional(),
  ERGO_SECRET_KEYS_PREVIOUS: z
    .string()
    .trim()
    .transform((v) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(z.array(base64Key))
    .optional(),
  ERGO_DEMO: booleanFlag.optional(),
  ERGO_CRM_EMULATORS: booleanFlag.optional(),
  ERGO_CRM_HUBSPOT_URL: crmUrl,
  ERGO_CRM_SALESFORCE_URL: crmUrl,
  ERGO_CRM_ZOHO_URL: crmUrl,
  ERGO_CRM_ATTIO_URL: crmUrl,
  ERGO_CRM_PIPEDRIVE_URL: crmUrl,
  ERGO_OAUTH_HUBSPOT_CLIENT_ID: oauthValue,
  ERGO_OAUTH_HUBSPOT_CLIENT_SECRET: oauthValue,
  ERGO_OAUTH_SALESFORCE_CLIENT_ID: oauthValue,
  ERGO_OAUTH_SALESFORCE_CLIENT_SECRET: oauthValue,
  ERGO_OAUTH_ZOHO_CLIENT_ID: oauthValue,
  ERGO_OAUTH_ZOHO_CLIENT_SECRET: oauthValue,
  ERGO_OAUTH_ATTIO_CLIENT_ID: oauthValue,
  ERGO_OAUTH_ATTIO_CLIENT_SECRET: oauthValue,
  ERGO_OAUTH_PIPEDRIVE_CLIENT_ID: oauthValue,
  ERGO_OAUTH_PIPEDRIVE_CLIENT_SECRET: oauthValue,
  ERGO_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://ergo.example.com' })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  ERGO_SMTP_URL: z
    .string()
    .trim()
    .refine(isSmtpUrl, {
      error: 'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465',
    })
    .optional(),
  ERGO_MAIL_FROM: z
    .string()
    .trim()
    .refine(isMailFrom, {
      error: 'must be an email address, optionally with a name: Ergo <no-reply@example.com>',
    })
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  ERGO_TRUST_PROXY: z
    .string()
    .trim()
    .transform((v) =>
      v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().refine(isAddressOrCidr, {
          error: 'must be comma-separated IP addresses or CIDR ranges of your proxies',
        }),
      ),
    )
    .optional(),
  ERGO_IDEMPOTENCY_LEASE_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 3600')
    .max(3600, 'must be between 1 and 3600')
    .default(60),
  ERGO_ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  ERGO_BULK_BATCH_SIZE: z.coerce
    .number({ error: 'must be a number of members' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 1000')
    .max(1000, 'must be between 1 and 1000')
    .default(DEFAULT_BULK_BATCH_SIZE),
  ERGO_WORKER_CONCURRENCY: z.coerce
    .number({ error: 'must be a number of batches' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 16')
    .max(16, 'must be between 1 and 16')
    // One: planning a batch is synchronous CPU, so a second batch in the same process would
    // only delay the first one's COMMIT (and double the memory). Scale with worker processes.
    .default(1),
  ERGO_DIGEST_INTERVAL_MINUTES: z.coerce
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number')
    .min(0, 'must be between 0 (off) and 10080')
    .max(10_080, 'must be between 0 (off) and 10080')
    .default(60),
  ERGO_SHUTDOWN_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 300')
    .max(300, 'must be between 1 and 300')
    .default(10),
});

export type Env = z.input<typeof envSchema>;

/** Every environment variable the configuration reads (documented in docs/configuration.md). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  mode: 'development' | 'test' | 'production';
  http: {
    host: string;
    port: number;
    /** Proxies whose X-Forwarded-For is believed; empty = the socket's address only. */
    trustProxy: string[];
    /** On SIGTERM, how long requests in flight may take before the process exits anyway. */
    shutdownTimeoutMs: number;
  };
  /** How long an Idempotency-Key claim is held before a retry may take it over. */
  idempotencyLeaseMs: number;
  /** What this process runs: the HTTP server, the bulk-run worker, or both (default). */
  role: 'all' | 'web' | 'worker';
  bulk: {
    /** Members per batch (one transaction each). */
    batchSize: number;
    /** Batches one worker process runs at once (PostgreSQL; PGlite runs one). */
    workerConcurrency: number;
  };
  /** How often a worker mails notification digests; 0: never (issue 16). */
  digestIntervalMs: number;
  database: { engine: 'pglite'; dataDir: string } | { engine: 'postgres'; url: string };
  dataDir: string;
  secrets: {
    /** base64 key from ERGO_SECRET_KEY; undefined = generate into the data dir (embedded only). */
    currentKey: string | undefined;
    previousKeys: string[];
  };
  /** Create the demo organization on start. */
  demo: boolean;
  crm: {
    /** Per-CRM base URL overrides; unset = the vendor's URL or the credential's instance URL. */
    baseUrls: Partial<Record<CrmKey, string>>;
    /**
     * Start the local CRM emulators in-process on free ports and point every CRM at them (demo
     * mode, or ERGO_CRM_EMULATORS=1): all-in-one processes only. A web or worker process with
     * ERGO_CRM_EMULATORS=1 uses the emulators at the ERGO_CRM_<NAME>_URLs it must be given.
     */
    startEmulators: boolean;
    /** OAuth clients per CRM ("Connect <CRM>"); a CRM without one offers paste-in keys only. */
    oauthClients: Partial<Record<CrmKey, { clientId: string; clientSecret: string }>>;
  };
  /**
   * The origin users reach Ergo at (OAuth redirect URIs are built on it). Unset outside
   * production: the request's own origin.
   */
  publicUrl: string | undefined;
  /**
   * Outgoing mail (invitations): SMTP when ERGO_SMTP_URL is set (required in production);
   * otherwise the mail outbox shown at the dev-only outbox page.
   */
  mail: { smtp: { url: string; from: string } | undefined };
  logLevel: (typeof LOG_LEVELS)[number];
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Parses the environment; empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map(
        (issue) => `${issue.path.map(String).join('.')}: ${issue.message}`,
      ),
    };
  }
  const e = parsed.data;
  const crmBaseUrls: Partial<Record<CrmKey, string>> = {};
  const urls = {
    hubspot: e.ERGO_CRM_HUBSPOT_URL,
    salesforce: e.ERGO_CRM_SALESFORCE_URL,
    zoho: e.ERGO_CRM_ZOHO_URL,
    attio: e.ERGO_CRM_ATTIO_URL,
    pipedrive: e.ERGO_CRM_PIPEDRIVE_URL,
  };
  for (const [crm, url] of Object.entries(urls)) if (url) crmBaseUrls[crm as CrmKey] = url;
  const errors: string[] = [];
  const oauthClients: Partial<Record<CrmKey, { clientId: string; clientSecret: string }>> = {};
  for (const crm of CRM_KEYS) {
    const name = `ERGO_OAUTH_${crm.toUpperCase()}_CLIENT`;
    const clientId = e[`${name}_ID` as keyof typeof e] as string | undefined;
    const clientSecret = e[`${name}_SECRET` as keyof typeof e] as string | undefined;
    if (clientId && clientSecret) oauthClients[crm] = { clientId, clientSecret };
    else if (clientId || clientSecret) {
      errors.push(
        `${clientId ? `${name}_SECRET` : `${name}_ID`}: set both ${name}_ID and ${name}_SECRET (or neither)`,
      );
    }
  }
  if (
    e.NODE_ENV === 'production' &&
    Object.keys(oauthClients).length > 0 &&
    e.ERGO_PUBLIC_URL === undefined
  ) {
    errors.push(
      'ERGO_PUBLIC_URL: is required in production when an OAuth client is configured (the redirect URI is built on it)',
    );
  }
  if (e.ERGO_SMTP_URL !== undefined && e.ERGO_MAIL_FROM === undefined) {
    errors.push(
      'ERGO_MAIL_FROM: is required with ERGO_SMTP_URL (the sender of invitation emails, e.g. Ergo <no-reply@example.com>)',
    );
  }
  if (e.NODE_ENV === 'production' && e.ERGO_SMTP_URL === undefined) {
    errors.push(
      'ERGO_SMTP_URL: is required in production (invitation emails are sent over SMTP), e.g. smtps://user:password@smtp.example.com:465',
    );
  }
  const embedded = e.DATABASE_URL === undefined;
  if (e.NODE_ENV === 'production' && !e.ERGO_SECRET_KEY) {
    errors.push('ERGO_SECRET_KEY: is required in production (32 bytes, base64)');
  }
  if (embedded && e.ERGO_ROLE !== 'all') {
    errors.push(
      'ERGO_ROLE: the embedded database is one process, which runs web and worker together; set DATABASE_URL to run them apart',
    );
  }
  const missingCrmUrls = Object.entries(urls).filter(([, url]) => url === undefined);
  if (e.ERGO_CRM_EMULATORS === true && e.ERGO_ROLE !== 'all' && missingCrmUrls.length > 0) {
    // Only an all-in-one process starts the emulators in-process (on free ports): the other
    // processes of a web + worker deployment could not know those ports.
    errors.push(
      `ERGO_CRM_EMULATORS: a ${e.ERGO_ROLE} process does not start the CRM emulators; run \`npm run crm-emulators\` and set ${missingCrmUrls.map(([crm]) => `ERGO_CRM_${crm.toUpperCase()}_URL`).join(', ')} to the URLs it prints`,
    );
  }
  if (errors.length > 0) return { ok: false, errors };
  const demo = e.ERGO_DEMO ?? (embedded && e.NODE_ENV !== 'production');
  return {
    ok: true,
    config: {
      mode: e.NODE_ENV,
      http: {
        host: e.HOST,
        port: e.PORT,
        trustProxy: e.ERGO_TRUST_PROXY ?? [],
        shutdownTimeoutMs: e.ERGO_SHUTDOWN_TIMEOUT_SECONDS * 1000,
      },
      idempotencyLeaseMs: e.ERGO_IDEMPOTENCY_LEASE_SECONDS * 1000,
      role: e.ERGO_ROLE,
      bulk: { batchSize: e.ERGO_BULK_BATCH_SIZE, workerConcurrency: e.ERGO_WORKER_CONCURRENCY },
      digestIntervalMs: e.ERGO_DIGEST_INTERVAL_MINUTES * 60_000,
      database: embedded
        ? { engine: 'pglite', dataDir: `${e.ERGO_DATA_DIR}/pglite` }
        : { engine: 'postgres', url: e.DATABASE_URL ?? '' },
      dataDir: e.ERGO_DATA_DIR,
      secrets: { currentKey: e.ERGO_SECRET_KEY, previousKeys: e.ERGO_SECRET_KEYS_PREVIOUS ?? [] },
      demo,
      crm: {
        baseUrls: crmBaseUrls,
        startEmulators: e.ERGO_ROLE === 'all' && (e.ERGO_CRM_EMULATORS ?? demo),
        oauthClients,
      },
      publicUrl: e.ERGO_PUBLIC_URL,
      mail: {
        smtp:
          e.ERGO_SMTP_URL !== undefined && e.ERGO_MAIL_FROM !== undefined
            ? { url: e.ERGO_SMTP_URL, from: e.ERGO_MAIL_FROM }
            : undefined,
      },
      logLevel: e.LOG_LEVEL,
    },
  };
}

function isAddressOrCidr(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** `user@example.com` or `Name <user@example.com>` (no line breaks: it becomes a mail header). */
function isMailFrom(value: string): boolean {
  const address = /^[^<>]*<([^<>]+)>$/.exec(value)?.[1] ?? value;
  return !/[\r\n]/.test(value) && z.email().safeParse(address.trim()).success;
}

/** Standard or URL-safe base64 → bytes; undefined when it is not base64. */
export function decodeBase64(value: string): Uint8Array | undefined {
  const normalised = value.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(normalised)) return undefined;
  return Buffer.from(normalised, 'base64');
}

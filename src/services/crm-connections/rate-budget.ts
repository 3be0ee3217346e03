import type { CrmKey } from '#src/domain/crm.ts';
import { fingerprintJson, type Keyring } from '#src/domain/secrets/secret-box.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import type { Repositories } from '#src/repositories/repositories.ts';

/**
 * Requests per window each CRM account is allowed from us, below the vendors' published limits
 * (../shared/product/crm-api-notes.md): HubSpot's SDK default of about 10/s (private apps allow
 * 19/s), Salesforce's concurrency cap of about 25, Zoho's per-edition caps (unconfirmed), Attio's
 * 25 writes/s, Pipedrive's lowest plan of 20 per 2 s.
 */
export const CRM_RATE_LIMITS: Record<CrmKey, { limit: number; windowMs: number }> = {
  hubspot: { limit: 10, windowMs: 1000 },
  salesforce: { limit: 20, windowMs: 1000 },
  zoho: { limit: 10, windowMs: 1000 },
  attio: { limit: 20, windowMs: 1000 },
  pipedrive: { limit: 20, windowMs: 2000 },
};

/** Waiting for a budget longer than this fails the request (the CRM step reports it). */
const MAX_WAIT_MS = 60_000;

/**
 * A `fetch` for one CRM account that takes a request from the account's budget in PostgreSQL
 * before each call, waiting for the next window when it is spent. The budget's key is the CRM
 * and the keyed fingerprint of the credentials: members given the same keys by Sync CRM share
 * the account's budget, across every process.
 */
/**
 * One CRM account, as the rate budget and the account lock key it: the CRM and the keyed
 * fingerprint of the credentials (never the credentials).
 */
export function crmAccountKey(keyring: Keyring, credentials: CrmCredentials): string {
  return (
    GRANT_ACCOUNT_KEYS.get(credentials) ??
    `${credentials.crm}:${fingerprintJson(keyring, credentials.secrets)}`
  );
}

/**
 * Credentials opened from an OAuth grant are keyed by the grant, not by the access token, which
 * every refresh replaces: the budget and the account lock stay one per grant (ADR 0014).
 */
const GRANT_ACCOUNT_KEYS = new WeakMap<CrmCredentials, string>();

export function keyByGrant(credentials: CrmCredentials, grantId: string): CrmCredentials {
  GRANT_ACCOUNT_KEYS.set(credentials, `${credentials.crm}:grant:${grantId}`);
  return credentials;
}

export function budgetedFetch(
  repos: Pick<Repositories, 'rateBudgets'>,
  keyring: Keyring,
  credentials: CrmCredentials,
  options: {
    fetch?: typeof fetch;
    sleep?: (ms: number) => Promise<void>;
    limits?: Partial<Record<CrmKey, { limit: number; windowMs: number }>>;
  } = {},
): typeof fetch {
  const key = crmAccountKey(keyring, credentials);
  const { limit, windowMs } = options.limits?.[credentials.crm] ?? CRM_RATE_LIMITS[credentials.crm];
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const base = options.fetch ?? fetch;
  return async (input, init) => {
    let waited = 0;
    for (;;) {
      const { granted, waitMs } = await repos.rateBudgets.take(key, limit, windowMs);
      if (granted) break;
      if (waited + waitMs > MAX_WAIT_MS) {
        throw new Error(`the ${credentials.crm} request budget stayed spent for ${MAX_WAIT_MS} ms`);
      }
      const pause = waitMs + Math.floor(Math.random() * 20);
      waited += pause;
      await sleep(pause);
    }
    return base(input, init);
  };
}

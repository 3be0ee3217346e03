import type { CrmKey } from '#src/domain/crm.ts';
import {
  maskHint,
  openJson,
  sealJson,
  secretHint,
  type Keyring,
} from '#src/domain/secrets/secret-box.ts';
import {
  crmCredentialsSchema,
  primarySecretOf,
  type CrmCredentials,
} from '#src/domain/settings/settings.schema.ts';
import type { Repositories } from '#src/repositories/repositories.ts';

/** What leaves the service layer about a CRM connection: never the secret itself (SPEC §7). */
export interface MaskedCrmConnection {
  crm: CrmKey;
  /** `••••` followed by at most the last 4 characters of the key. */
  maskedKey: string;
  instance: Record<string, unknown>;
  updatedAt: Date;
}

/** Seals CRM credentials for one user and stores them, replacing any connection to that CRM. */
export async function saveCrmConnections(
  repos: Repositories,
  keyring: Keyring,
  userId: string,
  credentials: readonly CrmCredentials[],
): Promise<void> {
  await repos.crmConnections.upsertMany(
    credentials.map((c) => ({
      userId,
      crm: c.crm,
      sealed: sealJson(keyring, c.secrets, { userId, crm: c.crm }),
      secretHint: secretHint(primarySecretOf(c)),
      instance: c.instance,
    })),
  );
  if (credentials.length > 0) await repos.dashboards.touchCategory(userId, 'crm_keys');
}

/** The masked view of a user's connections. */
export async function listMaskedCrmConnections(
  repos: Repositories,
  userId: string,
): Promise<MaskedCrmConnection[]> {
  const rows = await repos.crmConnections.listForUser(userId);
  return rows.map((r) => ({
    crm: r.crm,
    maskedKey: maskHint(r.secretHint),
    instance: r.instance,
    updatedAt: r.updatedAt,
  }));
}

/**
 * Decrypts a user's credentials for a connector call. Internal to services: the result must
 * never be returned to a client, logged or put in an audit entry.
 */
export async function readCrmCredentials(
  repos: Repositories,
  keyring: Keyring,
  userId: string,
): Promise<CrmCredentials[]> {
  const rows = await repos.crmConnections.listForUser(userId);
  return rows.map((r) =>
    crmCredentialsSchema.parse({
      crm: r.crm,
      secrets: openJson(keyring, r.sealed, { userId, crm: r.crm }),
      instance: r.instance,
    }),
  );
}

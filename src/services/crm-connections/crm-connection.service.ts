import type { MaskedCrmConnection } from '#src/domain/contracts/settings.contract.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import {
  fingerprintJson,
  maskHint,
  openJson,
  sealJson,
  secretHint,
  SecretDecryptError,
  type Keyring,
} from '#src/domain/secrets/secret-box.ts';
import {
  crmCredentialsSchema,
  primarySecretOf,
  type CrmCredentials,
} from '#src/domain/settings/settings.schema.ts';
import type { StoredCrmConnection } from '#src/repositories/crm-connection.repository.ts';
import type { StoredCrmGrant } from '#src/repositories/crm-grant.repository.ts';
import { keyByGrant } from '#src/services/crm-connections/rate-budget.ts';
import type { Repositories } from '#src/repositories/repositories.ts';

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
      grantId: null,
      secretHint: secretHint(primarySecretOf(c)),
      instance: c.instance,
      fingerprint: fingerprintJson(keyring, c.secrets),
    })),
  );
  if (credentials.length > 0) await repos.dashboards.touchCategory(userId, 'crm_keys');
}

/** The masked view of a user's connections. */
export async function listMaskedCrmConnections(
  repos: Repositories,
  userId: string,
): Promise<MaskedCrmConnection[]> {
  const rows = await repos.crmConnections.listOverviewForUser(userId);
  return rows.map((r) => ({
    crm: r.crm,
    maskedKey: r.grant === null ? maskHint(r.secretHint) : '',
    via: r.grant === null ? 'key' : 'oauth',
    status: r.status,
    statusDetail: r.statusDetail,
    checkedAt: r.checkedAt,
    ...(r.grant ? { scopes: r.grant.scopes, accessExpiresAt: r.grant.accessExpiresAt } : {}),
    instance: r.instance,
    updatedAt: r.updatedAt,
  }));
}

/**
 * Opens a pasted key's credentials for a connector call. Internal to services: the result must
 * never be returned to a client, logged or put in an audit entry. An OAuth connection has no
 * secrets of its own: `crm-access.ts` opens (and refreshes) its grant.
 */
export function openPastedCredentials(
  keyring: Keyring,
  connection: StoredCrmConnection,
): CrmCredentials {
  if (connection.sealed === null) {
    throw new Error(`the ${connection.crm} connection is an OAuth grant's, not a pasted key`);
  }
  return crmCredentialsSchema.parse({
    crm: connection.crm,
    secrets: openJson(keyring, connection.sealed, {
      userId: connection.userId,
      crm: connection.crm,
    }),
    instance: connection.instance,
  });
}

/** What the grant's seal holds. */
export interface GrantSecrets {
  accessToken: string;
  refreshToken?: string;
}

/** The credential `instance` keys each connector reads (the grant's instance holds more). */
const CONNECTOR_INSTANCE_KEYS: Record<CrmKey, readonly string[]> = {
  hubspot: ['portalId'],
  salesforce: ['instanceUrl'],
  zoho: ['apiDomain'],
  attio: ['workspaceSlug'],
  pipedrive: ['apiDomain'],
};

export function openGrantSecrets(keyring: Keyring, grant: StoredCrmGrant): GrantSecrets {
  return openJson(keyring, grant.sealed, { grantId: grant.id, crm: grant.crm }) as GrantSecrets;
}

export function credentialsOf(
  grant: Pick<StoredCrmGrant, 'id' | 'crm' | 'instance'>,
  secrets: GrantSecrets,
): CrmCredentials {
  const credentials = crmCredentialsSchema.parse({
    crm: grant.crm,
    secrets: { accessToken: secrets.accessToken },
    instance: connectorInstance(grant.crm, grant.instance),
  });
  return keyByGrant(credentials, grant.id);
}

export function connectorInstance(
  crm: CrmKey,
  instance: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    CONNECTOR_INSTANCE_KEYS[crm].flatMap((k) =>
      instance[k] === undefined ? [] : [[k, instance[k]]],
    ),
  );
}

/**
 * A user's credentials as stored, for tests and checks: pasted keys opened, OAuth connections
 * opened from their grants (no refresh: connector calls go through `openCrmAccess`).
 */
export async function readCrmCredentials(
  repos: Repositories,
  keyring: Keyring,
  userId: string,
): Promise<CrmCredentials[]> {
  const rows = await repos.crmConnections.listForUser(userId);
  const grants = new Map(
    (await repos.crmGrants.findMany(rows.flatMap((r) => (r.grantId ? [r.grantId] : [])))).map(
      (g) => [g.id, g],
    ),
  );
  return rows.map((r) => {
    if (r.grantId === null) return openPastedCredentials(keyring, r);
    const grant = grants.get(r.grantId);
    if (!grant) throw new Error(`the ${r.crm} connection's grant is missing`);
    return credentialsOf(grant, openGrantSecrets(keyring, grant));
  });
}

/** The fingerprint of an OAuth connection: of its grant's id, so copies of one grant compare equal. */
export function grantFingerprint(keyring: Keyring, grantId: string): string {
  return fingerprintJson(keyring, { grant: grantId });
}

/**
 * Gives every connection sealed before fingerprints existed (or under a rotated-out key) its
 * fingerprint, in one pass of batches: decrypting here, once at start-up, spares drift from ever
 * doing it. A connection that cannot be opened (its key is not in the keyring) is skipped and
 * counted: it stays without a fingerprint and compares as "differs".
 */
export async function backfillFingerprints(
  repos: Repositories,
  keyring: Keyring,
  batch = 500,
): Promise<{ fingerprinted: number; unreadable: number }> {
  let fingerprinted = 0;
  let unreadable = 0;
  let after: { userId: string; crm: CrmKey } | undefined;
  for (;;) {
    const stale = await repos.crmConnections.listWithStaleFingerprint(
      keyring.current.id,
      batch,
      after,
    );
    const last = stale.at(-1);
    if (!last) return { fingerprinted, unreadable };
    after = { userId: last.userId, crm: last.crm };
    const entries: { userId: string; crm: CrmKey; fingerprint: string }[] = [];
    for (const c of stale) {
      if (c.sealed === null) {
        if (c.grantId !== null) {
          entries.push({
            userId: c.userId,
            crm: c.crm,
            fingerprint: grantFingerprint(keyring, c.grantId),
          });
        }
        continue;
      }
      try {
        const secrets = openJson(keyring, c.sealed, { userId: c.userId, crm: c.crm });
        entries.push({
          userId: c.userId,
          crm: c.crm,
          fingerprint: fingerprintJson(keyring, secrets as Record<string, unknown>),
        });
      } catch (error) {
        if (!(error instanceof SecretDecryptError)) throw error;
        unreadable += 1;
      }
    }
    await repos.crmConnections.setFingerprints(entries);
    fingerprinted += entries.length;
  }
}

/**
 * One user's connection sealed again for another user (Sync CRM, the CRM keys category): the
 * secrets are opened once and sealed under the target's binding; the fingerprint, which does not
 * depend on the user, carries over. An OAuth connection is copied as a pointer to the same grant
 * (ADR 0014): nothing is opened.
 */
export function resealFor(
  keyring: Keyring,
  source: StoredCrmConnection,
  targetId: string,
): Omit<StoredCrmConnection, 'updatedAt'> {
  if (source.sealed === null) {
    if (source.grantId === null)
      throw new Error('a CRM connection has neither secrets nor a grant');
    return {
      userId: targetId,
      crm: source.crm,
      sealed: null,
      grantId: source.grantId,
      secretHint: source.secretHint,
      instance: source.instance,
      fingerprint: grantFingerprint(keyring, source.grantId),
    };
  }
  const secrets = openJson(keyring, source.sealed, { userId: source.userId, crm: source.crm });
  return {
    userId: targetId,
    crm: source.crm,
    sealed: sealJson(keyring, secrets, { userId: targetId, crm: source.crm }),
    grantId: null,
    secretHint: source.secretHint,
    instance: source.instance,
    fingerprint:
      currentFingerprint(keyring, source) ??
      fingerprintJson(keyring, secrets as Record<string, unknown>),
  };
}

/** The connection's fingerprint when it was made under the current key (it compares), else null. */
export function currentFingerprint(
  keyring: Keyring,
  c: Pick<StoredCrmConnection, 'fingerprint'>,
): string | null {
  return c.fingerprint?.startsWith(`${keyring.current.id}.`) ? c.fingerprint : null;
}

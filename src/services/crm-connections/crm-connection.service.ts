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
 * depend on the user, carries over.
 */
export function resealFor(
  keyring: Keyring,
  source: StoredCrmConnection,
  targetId: string,
): Omit<StoredCrmConnection, 'updatedAt'> {
  const secrets = openJson(keyring, source.sealed, { userId: source.userId, crm: source.crm });
  return {
    userId: targetId,
    crm: source.crm,
    sealed: sealJson(keyring, secrets, { userId: targetId, crm: source.crm }),
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

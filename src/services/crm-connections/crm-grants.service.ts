import { randomUUID } from 'node:crypto';
import { CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import { sealJson, type Keyring } from '#src/domain/secrets/secret-box.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import type { CrmConnector } from '#src/integrations/crm/crm-connector.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';
import {
  OAuthError,
  type OAuthProvider,
  type TokenSet,
} from '#src/integrations/crm/oauth/oauth-provider.ts';
import type { StoredCrmConnection } from '#src/repositories/crm-connection.repository.ts';
import type { StoredCrmGrant } from '#src/repositories/crm-grant.repository.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import {
  connectorInstance,
  credentialsOf,
  grantFingerprint,
  openGrantSecrets,
  openPastedCredentials,
  type GrantSecrets,
} from '#src/services/crm-connections/crm-connection.service.ts';

/**
 * The token lifecycle of OAuth connections (issue 12, ADR 0014): a grant's access token is
 * refreshed before it expires and once after a call fails authentication; one refresh per grant
 * at a time (in-process single flight, then a row lock across processes), so a rotating refresh
 * token is never spent twice; a grant the vendor refuses to refresh is marked revoked and every
 * connection on it `reconnect_needed`.
 */

/** Refresh when the access token has less than this left. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export type OAuthProviders = Partial<Record<CrmKey, OAuthProvider>>;

export interface GrantDeps {
  uow: UnitOfWork;
  keyring: Keyring;
  oauth: OAuthProviders;
  now?: () => number;
  /**
   * The refreshes in flight in this process (default: one map per process). Tests give two
   * callers their own to act as two processes, which then meet at the grant's row lock.
   */
  inFlight?: Map<string, Promise<CrmCredentials>>;
}

/** One connection ready for connector calls: its credentials, and its grant when OAuth. */
export interface CrmAccess {
  crm: CrmKey;
  credentials: CrmCredentials;
  grantId: string | null;
}

export function reconnectNeeded(crm: CrmKey): CrmError {
  return new CrmError({
    crm,
    kind: 'reconnect_needed',
    message: `${CRM_LABELS[crm]} no longer accepts this connection: the admin who connected it must reconnect ${CRM_LABELS[crm]} in My settings, then run Sync CRM again.`,
  });
}

/** Stores a new grant from a token exchange; returns its id (the connection is the caller's). */
export async function insertGrant(
  repos: Repositories,
  keyring: Keyring,
  input: { organizationId: string; crm: CrmKey; connectedBy: string; tokens: TokenSet },
): Promise<string> {
  const id = randomUUID();
  await repos.crmGrants.insert({
    id,
    organizationId: input.organizationId,
    crm: input.crm,
    connectedBy: input.connectedBy,
    ...sealedTokens(keyring, id, input.crm, secretsOf(input.tokens), input.tokens, undefined),
  });
  return id;
}

/** The connection row of a user for a grant (no secrets of its own). */
export function grantConnection(
  keyring: Keyring,
  userId: string,
  crm: CrmKey,
  grantId: string,
  instance: Record<string, unknown>,
): Omit<StoredCrmConnection, 'updatedAt'> {
  return {
    userId,
    crm,
    sealed: null,
    grantId,
    secretHint: '',
    instance: connectorInstance(crm, instance),
    fingerprint: grantFingerprint(keyring, grantId),
  };
}

/**
 * A user's connections, opened for connector calls: pasted keys as they are, OAuth connections
 * with an access token that is not about to expire (refreshing first when it is). A connection
 * that cannot be used comes back as its CrmError (`reconnect_needed`), not thrown.
 */
export async function openCrmAccess(
  deps: GrantDeps,
  userId: string,
  crms?: readonly CrmKey[],
): Promise<(CrmAccess | { crm: CrmKey; failure: CrmError })[]> {
  const connections = (await deps.uow.read.crmConnections.listForUser(userId)).filter(
    (c) => crms === undefined || crms.includes(c.crm),
  );
  return Promise.all(
    connections.map(async (c) => {
      if (c.grantId === null) {
        return { crm: c.crm, credentials: openPastedCredentials(deps.keyring, c), grantId: null };
      }
      try {
        const credentials = await grantCredentials(deps, c.crm, c.grantId);
        return { crm: c.crm, credentials, grantId: c.grantId };
      } catch (error) {
        if (error instanceof CrmError) return { crm: c.crm, failure: error };
        throw error;
      }
    }),
  );
}

/**
 * Runs one connector call. When it fails authentication on an OAuth connection, the grant is
 * refreshed once (unless another caller already did) and the call made again with the new token;
 * `access` then holds the new credentials for the calls after it.
 */
export async function callWithRefresh<T>(
  deps: GrantDeps,
  access: CrmAccess,
  connectorFor: (credentials: CrmCredentials) => CrmConnector,
  call: (connector: CrmConnector) => Promise<T>,
): Promise<T> {
  try {
    return await call(connectorFor(access.credentials));
  } catch (error) {
    if (access.grantId === null || !isAuthFailure(error)) throw error;
    access.credentials = await grantCredentials(deps, access.crm, access.grantId, {
      failedAccessToken: accessTokenOf(access.credentials),
    });
    return call(connectorFor(access.credentials));
  }
}

export function isAuthFailure(error: unknown): error is CrmError {
  return (
    error instanceof CrmError &&
    (error.kind === 'invalid_credentials' || error.kind === 'expired_credentials')
  );
}

/**
 * The grant's credentials, refreshed first when the access token expires within the margin or,
 * with `failedAccessToken`, when that token is still the stored one (a vendor refused it).
 */
export async function grantCredentials(
  deps: GrantDeps,
  crm: CrmKey,
  grantId: string,
  options: { failedAccessToken?: string } = {},
): Promise<CrmCredentials> {
  const [grant] = await deps.uow.read.crmGrants.findMany([grantId]);
  if (!grant || grant.status === 'revoked') throw reconnectNeeded(crm);
  const secrets = openGrantSecrets(deps.keyring, grant);
  if (!isStale(deps, grant, secrets, options.failedAccessToken)) {
    return credentialsOf(grant, secrets);
  }
  return refreshOnce(deps, crm, grantId, options.failedAccessToken);
}

// --- internals ---------------------------------------------------------------------------------

const processInFlight = new Map<string, Promise<CrmCredentials>>();

/** One refresh per grant in this process: concurrent callers share its promise. */
function refreshOnce(
  deps: GrantDeps,
  crm: CrmKey,
  grantId: string,
  failedAccessToken: string | undefined,
): Promise<CrmCredentials> {
  const inFlight = deps.inFlight ?? processInFlight;
  const pending = inFlight.get(grantId);
  if (pending) return pending;
  const refresh = refreshGrant(deps, crm, grantId, failedAccessToken).finally(() => {
    inFlight.delete(grantId);
  });
  inFlight.set(grantId, refresh);
  return refresh;
}

type RefreshOutcome =
  | { kind: 'usable'; credentials: CrmCredentials }
  | { kind: 'revoked' }
  | { kind: 'not_configured' };

async function refreshGrant(
  deps: GrantDeps,
  crm: CrmKey,
  grantId: string,
  failedAccessToken: string | undefined,
): Promise<CrmCredentials> {
  const provider = deps.oauth[crm];
  const outcome = await deps.uow.transaction(async (repos): Promise<RefreshOutcome> => {
    const grant = await repos.crmGrants.lockForRefresh(grantId);
    if (!grant || grant.status === 'revoked') return { kind: 'revoked' };
    const secrets = openGrantSecrets(deps.keyring, grant);
    // Re-read under the lock: whoever held it before us may have refreshed already.
    if (!isStale(deps, grant, secrets, failedAccessToken)) {
      return { kind: 'usable', credentials: credentialsOf(grant, secrets) };
    }
    if (!provider) return { kind: 'not_configured' };
    let tokens: TokenSet;
    try {
      if (secrets.refreshToken === undefined) {
        throw new OAuthError({
          crm,
          kind: 'invalid_grant',
          message: `${CRM_LABELS[crm]} issued no refresh token for this connection.`,
        });
      }
      tokens = await provider.refresh({
        refreshToken: secrets.refreshToken,
        instance: grant.instance,
      });
    } catch (error) {
      if (error instanceof OAuthError && error.kind === 'invalid_grant') {
        await revoke(repos, grant, error.message);
        return { kind: 'revoked' };
      }
      throw refreshFailure(crm, error);
    }
    const refreshed = secretsOf(tokens, secrets.refreshToken);
    const sealed = sealedTokens(deps.keyring, grant.id, crm, refreshed, tokens, grant);
    await repos.crmGrants.updateTokens(grant.id, sealed);
    return {
      kind: 'usable',
      credentials: credentialsOf({ ...grant, instance: sealed.instance }, refreshed),
    };
  });
  if (outcome.kind === 'revoked') throw reconnectNeeded(crm);
  if (outcome.kind === 'not_configured') {
    throw new CrmError({
      crm,
      kind: 'expired_credentials',
      message: `The ${CRM_LABELS[crm]} access token expired and this server has no ${CRM_LABELS[crm]} OAuth client configured to refresh it.`,
    });
  }
  return outcome.credentials;
}

async function revoke(repos: Repositories, grant: StoredCrmGrant, reason: string): Promise<void> {
  await repos.crmGrants.markRevoked(grant.id);
  const connections = await repos.crmConnections.setStatusForGrant(
    grant.id,
    'reconnect_needed',
    `${CRM_LABELS[grant.crm]} refused to renew this connection: reconnect ${CRM_LABELS[grant.crm]}.`,
  );
  await appendAudit(repos, {
    organizationId: grant.organizationId,
    actorId: null,
    targetId: null,
    action: 'crm_grant.revoked',
    outcome: 'applied',
    categories: ['crm_keys'],
    details: { crm: grant.crm, grantId: grant.id, connections, reason },
    requestId: null,
  });
}

function refreshFailure(crm: CrmKey, error: unknown): CrmError {
  if (error instanceof OAuthError) {
    const kind =
      error.kind === 'timeout' || error.kind === 'network' || error.kind === 'server_error'
        ? error.kind
        : 'expired_credentials';
    return new CrmError({
      crm,
      kind,
      message: `The ${CRM_LABELS[crm]} access token could not be renewed: ${error.message}`,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode }),
    });
  }
  return new CrmError({
    crm,
    kind: 'network',
    message: `The ${CRM_LABELS[crm]} access token could not be renewed.`,
  });
}

function isStale(
  deps: GrantDeps,
  grant: StoredCrmGrant,
  secrets: GrantSecrets,
  failedAccessToken: string | undefined,
): boolean {
  if (failedAccessToken !== undefined) return secrets.accessToken === failedAccessToken;
  if (grant.accessExpiresAt === null) return false;
  const now = deps.now?.() ?? Date.now();
  return grant.accessExpiresAt.getTime() - now < REFRESH_MARGIN_MS;
}

function accessTokenOf(credentials: CrmCredentials): string {
  const secrets = credentials.secrets;
  return 'accessToken' in secrets ? secrets.accessToken : secrets.apiToken;
}

/** The grant row's token columns: `secrets` sealed to the grant, the rest from the token response. */
function sealedTokens(
  keyring: Keyring,
  grantId: string,
  crm: CrmKey,
  secrets: GrantSecrets,
  tokens: TokenSet,
  previous: Pick<StoredCrmGrant, 'instance' | 'scopes'> | undefined,
): {
  sealed: ReturnType<typeof sealJson>;
  secretHint: string;
  instance: Record<string, unknown>;
  scopes: string[];
  accessExpiresAt: Date | null;
} {
  return {
    sealed: sealJson(keyring, secrets, { grantId, crm }),
    secretHint: '',
    instance: { ...previous?.instance, ...tokens.instance },
    scopes: tokens.scopes.length > 0 ? tokens.scopes : (previous?.scopes ?? []),
    accessExpiresAt: tokens.expiresAt,
  };
}

function secretsOf(tokens: TokenSet, previousRefreshToken?: string): GrantSecrets {
  // A refresh that returns no refresh token keeps the stored one (the vendor does not rotate).
  const refreshToken = tokens.refreshToken ?? previousRefreshToken;
  return {
    accessToken: tokens.accessToken,
    ...(refreshToken === undefined ? {} : { refreshToken }),
  };
}

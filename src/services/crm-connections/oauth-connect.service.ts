import {
  checkOwnChange,
  pushToFollowers,
  type FollowPushDeps,
} from '#src/services/policies/follow.service.ts';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  SALESFORCE_LOGINS,
  type ConnectionTestResult,
  type OAuthAvailability,
  type OAuthStart,
} from '#src/domain/contracts/settings.contract.ts';
import { CRM_KEYS, CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import { AppError } from '#src/domain/errors.ts';
import { openSecret, sealSecret } from '#src/domain/secrets/secret-box.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import type { CrmConnector, VerifyResult } from '#src/integrations/crm/crm-connector.ts';
import {
  OAuthError,
  ZOHO_DATA_CENTRES,
  type OAuthConnectOptions,
  type TokenSet,
} from '#src/integrations/crm/oauth/oauth-provider.ts';
import {
  grantConnection,
  grantCredentials,
  insertGrant,
  openCrmAccess,
  type GrantDeps,
} from '#src/services/crm-connections/crm-grants.service.ts';
import {
  auditOwnChange,
  authorizeOwn,
  dashboardMissing,
  parseCrm,
  type OwnSettingsContext,
} from '#src/services/settings/own-settings.service.ts';

/**
 * "Connect <CRM>" in My settings (issue 12 item 1) and "Test connection" (item 8). The
 * authorization-code flow: `startOAuthConnect` stores a pending state (hashed, single use, 10
 * minutes, bound to the session that began it, with the PKCE verifier sealed) and returns the
 * vendor's authorization URL; the vendor redirects the browser to the callback, where
 * `completeOAuthConnect` checks the state against the same session, exchanges the code and stores
 * the grant and the user's connection to it in one transaction.
 */

export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export interface OAuthConnectContext extends OwnSettingsContext {
  sessionId: string;
}

export type OAuthConnectDeps = GrantDeps &
  FollowPushDeps & {
    connectorFor: (credentials: CrmCredentials) => CrmConnector;
  };

/** Which CRMs this server can connect with OAuth, and what their connect forms ask. */
export function oauthAvailability(deps: Pick<GrantDeps, 'oauth'>): OAuthAvailability[] {
  return CRM_KEYS.map((crm) => ({
    crm,
    label: CRM_LABELS[crm],
    oauth: deps.oauth[crm] !== undefined,
    pasteIn: true,
    options:
      crm === 'salesforce'
        ? { salesforceLogin: [...SALESFORCE_LOGINS] }
        : crm === 'zoho'
          ? { zohoDataCentres: [...ZOHO_DATA_CENTRES] }
          : {},
  }));
}

const startBody = z
  .strictObject({
    salesforceLogin: z.enum(SALESFORCE_LOGINS).optional(),
    myDomain: z.string().trim().min(1).max(253).optional(),
    zohoDataCentre: z.enum(ZOHO_DATA_CENTRES).optional(),
  })
  .refine((b) => b.salesforceLogin !== 'my_domain' || b.myDomain !== undefined, {
    error: 'myDomain is required when salesforceLogin is my_domain',
    path: ['myDomain'],
  });

/** Begins "Connect <CRM>": returns where to send the browser. */
export async function startOAuthConnect(
  deps: OAuthConnectDeps,
  context: OAuthConnectContext,
  crmParam: string,
  body: unknown,
  redirectUri: string,
): Promise<OAuthStart> {
  const crm = parseCrm(crmParam);
  const provider = deps.oauth[crm];
  const parsed = startBody.safeParse(body ?? {});
  if (!parsed.success) {
    throw new AppError(
      'invalid_request',
      `Connect ${CRM_LABELS[crm]}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
    );
  }
  return deps.uow.transaction(async (repos) => {
    const actor = await authorizeOwn(repos, context);
    if ((await repos.dashboards.find(actor.id)) === undefined) throw dashboardMissing();
    // A locked CRM keys category is refused before the browser goes to the CRM.
    await checkOwnChange(repos, actor, 'crm_keys', { record: 'nothing' });
    if (!provider) {
      throw new AppError(
        'oauth_not_configured',
        `Connect with ${CRM_LABELS[crm]} is not set up on this server: paste a ${CRM_LABELS[crm]} key instead, or ask your operator to configure ERGO_OAUTH_${crm.toUpperCase()}_CLIENT_ID and ERGO_OAUTH_${crm.toUpperCase()}_CLIENT_SECRET.`,
      );
    }
    const options: OAuthConnectOptions = {
      ...(parsed.data.salesforceLogin
        ? {
            salesforceLogin:
              parsed.data.salesforceLogin === 'my_domain'
                ? { kind: 'my_domain', host: parsed.data.myDomain ?? '' }
                : { kind: parsed.data.salesforceLogin },
          }
        : {}),
      ...(parsed.data.zohoDataCentre ? { zohoDataCentre: parsed.data.zohoDataCentre } : {}),
    };
    const state = randomBytes(32).toString('base64url');
    const stateHash = hashState(state);
    const verifier = provider.pkce ? randomBytes(48).toString('base64url') : undefined;
    let request;
    try {
      request = provider.authorizationUrl({
        redirectUri,
        state,
        ...(verifier ? { codeChallenge: challengeOf(verifier) } : {}),
        options,
      });
    } catch (error) {
      if (error instanceof OAuthError) {
        throw new AppError('invalid_request', `Connect ${CRM_LABELS[crm]}: ${error.message}`);
      }
      throw error;
    }
    await repos.oauthStates.insert({
      stateHash,
      sessionId: context.sessionId,
      userId: actor.id,
      crm,
      redirectUri,
      verifier: verifier
        ? sealSecret(deps.keyring, verifier, { oauthState: stateHash, crm })
        : null,
      context: request.context,
      expiresAt: new Date((deps.now?.() ?? Date.now()) + OAUTH_STATE_TTL_MS),
    });
    return { authorizationUrl: request.url };
  });
}

/**
 * The callback: checks the state (known, unexpired, this session's, this CRM's; used once),
 * exchanges the code and stores the connection. Throws AppError codes `oauth_state_invalid`,
 * `oauth_denied`, `crm_oauth_failed`, `oauth_not_configured`, `dashboard_missing`.
 */
export async function completeOAuthConnect(
  deps: OAuthConnectDeps,
  context: OAuthConnectContext,
  crmParam: string,
  query: URLSearchParams,
): Promise<{ crm: CrmKey }> {
  const crm = parseCrm(crmParam);
  const state = query.get('state') ?? '';
  const expired = new AppError(
    'oauth_state_invalid',
    `This ${CRM_LABELS[crm]} sign-in has expired or was already used: choose Connect ${CRM_LABELS[crm]} again.`,
  );
  if (state.length === 0 || state.length > 200) throw expired;
  const pending = await deps.uow.transaction((repos) => repos.oauthStates.take(hashState(state)));
  const now = deps.now?.() ?? Date.now();
  if (
    !pending ||
    pending.expiresAt.getTime() < now ||
    pending.sessionId !== context.sessionId ||
    pending.userId !== context.actorId ||
    pending.crm !== crm
  ) {
    throw expired;
  }
  const vendorError = query.get('error');
  if (vendorError !== null) {
    // RFC 6749's `access_denied`; Salesforce's error page spells it `access-denied` (mem).
    const denied = vendorError === 'access_denied' || vendorError === 'access-denied';
    throw new AppError(
      denied ? 'oauth_denied' : 'crm_oauth_failed',
      denied
        ? `You did not allow Ergo to access ${CRM_LABELS[crm]}, so nothing was connected.`
        : `${CRM_LABELS[crm]} did not complete the sign-in (${vendorError.slice(0, 100)}), so nothing was connected.`,
    );
  }
  const provider = deps.oauth[crm];
  if (!provider) {
    throw new AppError(
      'oauth_not_configured',
      `Connect with ${CRM_LABELS[crm]} is not set up on this server.`,
    );
  }
  const code = query.get('code') ?? '';
  if (code.length === 0) {
    throw new AppError(
      'crm_oauth_failed',
      `${CRM_LABELS[crm]} sent no authorization code, so nothing was connected.`,
    );
  }
  let tokens: TokenSet;
  try {
    tokens = await provider.exchangeCode({
      code,
      redirectUri: pending.redirectUri,
      ...(pending.verifier
        ? {
            codeVerifier: openSecret(deps.keyring, pending.verifier, {
              oauthState: pending.stateHash,
              crm,
            }),
          }
        : {}),
      context: pending.context,
      callbackParams: query,
    });
  } catch (error) {
    if (error instanceof OAuthError) {
      throw new AppError(
        'crm_oauth_failed',
        `${CRM_LABELS[crm]} refused the sign-in, so nothing was connected: ${error.message}`,
      );
    }
    throw error;
  }
  const start = await deps.uow.transaction(async (repos) => {
    const actor = await authorizeOwn(repos, context);
    if ((await repos.dashboards.lockForUpdate(actor.id)) === undefined) throw dashboardMissing();
    await checkOwnChange(repos, actor, 'crm_keys');
    const replaced = (await repos.crmConnections.listForUser(actor.id)).find(
      (c) => c.crm === crm,
    )?.grantId;
    const grantId = await insertGrant(repos, deps.keyring, {
      organizationId: actor.organizationId,
      crm,
      connectedBy: actor.id,
      tokens,
    });
    await repos.crmConnections.upsertMany([
      grantConnection(deps.keyring, actor.id, crm, grantId, tokens.instance),
    ]);
    if (replaced) await repos.crmGrants.deleteUnused([replaced]);
    await repos.dashboards.touchCategory(actor.id, 'crm_keys');
    await auditOwnChange(repos, context, actor, 'crm_connection.connect', ['crm_keys'], {
      crm,
      via: 'oauth',
      scopes: tokens.scopes,
    });
    return (await pushToFollowers(repos, deps, context, actor, ['crm_keys'])).start;
  });
  start();
  return { crm };
}

/**
 * "Test connection": the CRM's cheapest authenticated call with the user's connection (an OAuth
 * grant refreshed first if it must be, and once more if the CRM refuses its token). The outcome
 * is kept as the connection's health, which admins see in the member table.
 */
export async function testOwnCrmConnection(
  deps: OAuthConnectDeps,
  context: OwnSettingsContext,
  crmParam: string,
): Promise<ConnectionTestResult> {
  const crm = parseCrm(crmParam);
  const actor = await authorizeOwn(deps.uow.read, context);
  const [access] = await openCrmAccess(deps, actor.id, [crm]);
  if (!access) throw new AppError('not_found', `You have no ${CRM_LABELS[crm]} connection.`);
  const checkedAt = new Date(deps.now?.() ?? Date.now());
  let result: ConnectionTestResult;
  if ('failure' in access) {
    result = {
      crm,
      status: 'reconnect_needed',
      via: 'oauth',
      detail: access.failure.message,
      checkedAt,
    };
  } else {
    let verified: VerifyResult = await deps.connectorFor(access.credentials).verifyCredentials();
    if (
      access.grantId !== null &&
      (verified.status === 'expired' || verified.status === 'invalid')
    ) {
      try {
        const failed = access.credentials.secrets;
        access.credentials = await grantCredentials(deps, crm, access.grantId, {
          failedAccessToken: 'accessToken' in failed ? failed.accessToken : failed.apiToken,
        });
        verified = await deps.connectorFor(access.credentials).verifyCredentials();
      } catch (error) {
        verified = {
          status: 'invalid',
          detail: error instanceof Error ? error.message : 'The token could not be renewed.',
        };
      }
    }
    const grant =
      access.grantId === null
        ? undefined
        : (await deps.uow.read.crmGrants.findMany([access.grantId]))[0];
    const status =
      verified.status === 'valid'
        ? 'connected'
        : verified.status === 'unreachable'
          ? 'unreachable'
          : 'reconnect_needed';
    result = {
      crm,
      status,
      via: access.grantId === null ? 'key' : 'oauth',
      ...(verified.account ? { account: verified.account } : {}),
      ...(verified.scopes ? { scopes: verified.scopes } : grant ? { scopes: grant.scopes } : {}),
      ...(verified.expiresAt
        ? { expiresAt: verified.expiresAt }
        : grant
          ? { expiresAt: grant.accessExpiresAt }
          : {}),
      detail: testDetail(crm, status, verified),
      checkedAt,
    };
  }
  await deps.uow.transaction(async (repos) => {
    if (result.status !== 'unreachable') {
      await repos.crmConnections.setStatus(
        actor.id,
        crm,
        result.status,
        result.status === 'connected' ? null : result.detail,
      );
    }
    await auditOwnChange(repos, context, actor, 'crm_connection.test', ['crm_keys'], {
      crm,
      status: result.status,
    });
  });
  return result;
}

function testDetail(crm: CrmKey, status: ConnectionTestResult['status'], v: VerifyResult): string {
  const label = CRM_LABELS[crm];
  if (status === 'connected') return `${label} accepted the connection.`;
  if (status === 'unreachable') {
    return `${label} could not be reached${v.detail ? `: ${v.detail}` : '.'} Try again later.`;
  }
  return `${label} refused the connection${v.detail ? `: ${v.detail}` : '.'} Reconnect ${label}.`;
}

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

import { createHash, randomBytes } from 'node:crypto';
import {
  API_TOKEN_MAX_DAYS,
  API_TOKEN_NAME_MAX,
  API_TOKEN_PREFIX,
  API_TOKEN_SCOPES,
  scopeAllows,
  type ApiToken,
  type ApiTokenScope,
  type CreateApiTokenBody,
  type CreatedApiToken,
} from '#src/domain/contracts/api-tokens.contract.ts';
import type { SessionUser } from '#src/domain/contracts/auth.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import type { LoginThrottle } from '#src/services/auth/login-throttle.ts';
import { isUuid } from '#src/services/sync/sync-support.ts';

export interface ApiTokenDeps {
  uow: UnitOfWork;
  now?: () => Date;
}

/** A user may hold this many working tokens at once (revoke one to make another). */
export const MAX_ACTIVE_API_TOKENS = 25;
/** A token's use is written to the audit log at most this often (sampled; last-used is per minute). */
export const API_TOKEN_USE_AUDIT_INTERVAL_MS = 60 * 60_000;

/** Who is creating, listing or revoking: the signed-in user, and the token they came with. */
export interface ApiTokenCaller {
  user: SessionUser;
  /** Set when the request came with a personal API token rather than a session. */
  token?: { id: string; scopes: ApiTokenScope[] };
  requestId?: string;
}

/** The stored form of a personal API token: SHA-256 hex, like sessions and SCIM tokens. */
export function apiTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Creates a personal API token for the signed-in user. Only a session may (a token never mints
 * another). The token is returned once, here; only its hash and last 4 characters are kept.
 */
export async function createApiToken(
  deps: ApiTokenDeps,
  caller: ApiTokenCaller,
  input: CreateApiTokenBody,
): Promise<CreatedApiToken> {
  if (caller.token) {
    throw new AppError(
      'token_scope',
      'API tokens are created from a signed-in session (My settings, or `ergo login`), not with another token.',
    );
  }
  const name = input.name.trim();
  if (name.length === 0 || name.length > API_TOKEN_NAME_MAX) {
    throw new AppError(
      'invalid_request',
      `An API token's name needs 1 to ${API_TOKEN_NAME_MAX} characters (e.g. "Laptop CLI").`,
    );
  }
  const scopes = API_TOKEN_SCOPES.filter((scope) => input.scopes.includes(scope));
  const now = deps.now?.() ?? new Date();
  const expiresAt =
    input.expiresInDays === null
      ? null
      : new Date(now.getTime() + Math.min(input.expiresInDays, API_TOKEN_MAX_DAYS) * 86_400_000);
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const apiToken = await deps.uow.transaction(async (repos) => {
    // Serializes a user's concurrent creations, so the limit holds under races.
    await repos.apiTokens.lockOwner(caller.user.id);
    if ((await repos.apiTokens.countActive(caller.user.id, now)) >= MAX_ACTIVE_API_TOKENS) {
      throw new AppError(
        'invalid_request',
        `You already have ${MAX_ACTIVE_API_TOKENS} working API tokens: revoke one you no longer use first.`,
      );
    }
    const created = await repos.apiTokens.create({
      organizationId: caller.user.organizationId,
      userId: caller.user.id,
      name,
      tokenHash: apiTokenHash(token),
      tokenHint: token.slice(-4),
      scopes,
      expiresAt,
    });
    await appendAudit(
      repos,
      {
        organizationId: caller.user.organizationId,
        actorId: caller.user.id,
        targetId: caller.user.id,
        action: 'api_token.created',
        outcome: 'applied',
        categories: [],
        details: {
          apiClientId: created.id,
          name,
          scopes,
          expiresAt: expiresAt?.toISOString() ?? null,
        },
        requestId: caller.requestId ?? null,
      },
      now,
    );
    return created;
  });
  return { token, apiToken };
}

/** The signed-in user's tokens, newest first, without the tokens themselves. */
export async function listApiTokens(
  deps: ApiTokenDeps,
  caller: ApiTokenCaller,
): Promise<{ items: ApiToken[] }> {
  return { items: await deps.uow.read.apiTokens.listByUser(caller.user.id) };
}

/**
 * Revokes one of the signed-in user's tokens: it stops working at once. Any token may revoke
 * itself (`ergo logout`); revoking another of the owner's tokens takes a session or the `admin`
 * scope. Revoking twice changes nothing; another user's token reads as not found.
 */
export async function revokeApiToken(
  deps: ApiTokenDeps,
  caller: ApiTokenCaller,
  tokenId: string,
): Promise<void> {
  if (caller.token && caller.token.id !== tokenId && !scopeAllows(caller.token.scopes, 'admin')) {
    throw new AppError(
      'token_scope',
      'This API token may revoke only itself: revoking your other tokens needs the admin scope or My settings.',
    );
  }
  await deps.uow.transaction(async (repos) => {
    const found = isUuid(tokenId)
      ? await repos.apiTokens.findOwnForUpdate(caller.user.id, tokenId)
      : undefined;
    if (!found) throw new AppError('not_found', 'That API token was not found among yours.');
    if (found.revokedAt !== null) return;
    const now = deps.now?.() ?? new Date();
    await repos.apiTokens.revoke(caller.user.id, found.id, now);
    await appendAudit(
      repos,
      {
        organizationId: caller.user.organizationId,
        actorId: caller.user.id,
        targetId: caller.user.id,
        action: 'api_token.revoked',
        outcome: 'applied',
        categories: [],
        details: { apiClientId: found.id, name: found.name },
        requestId: caller.requestId ?? null,
      },
      now,
    );
  });
}

const INVALID_TOKEN =
  'The API token is not valid: it may have been revoked or mistyped. Create a new one in My settings, or run `ergo login` again.';

/**
 * The user behind `Authorization: Bearer <token>`, for a request to `route`: refused with 401
 * `unauthenticated` when the token is unknown, revoked or expired or its owner is deactivated
 * (each failure counted against the client address like a failed login, and 429 `rate_limited`
 * once too many), and with 429 before any lookup while the address is blocked. On success, use
 * is recorded at most once a minute and written to the audit log at most once an hour.
 */
export async function authenticateApiToken(
  deps: ApiTokenDeps & { throttle: LoginThrottle },
  presented: string,
  client: { ip: string; method: string; route: string; requestId: string },
): Promise<{
  user: SessionUser;
  token: { id: string; scopes: ApiTokenScope[] };
  memberListVersion: string;
}> {
  const account = `api-token@${client.ip}`;
  const wait = await deps.throttle.retryAfterMs(account, client.ip);
  if (wait > 0) {
    throw new AppError(
      'rate_limited',
      'Too many requests with an invalid API token. Wait a few minutes and try again.',
      { retryAfterSeconds: Math.ceil(wait / 1000) },
    );
  }
  const now = deps.now?.() ?? new Date();
  const found =
    presented.startsWith(API_TOKEN_PREFIX) && presented.length <= 200
      ? await deps.uow.read.apiTokens.findActiveWithOwner(apiTokenHash(presented))
      : undefined;
  if (!found || found.user.status === 'deactivated') {
    await deps.throttle.recordFailure(account, client.ip);
    throw new AppError('unauthenticated', INVALID_TOKEN);
  }
  if (found.expiresAt !== null && found.expiresAt.getTime() <= now.getTime()) {
    await deps.throttle.recordFailure(account, client.ip);
    throw new AppError(
      'unauthenticated',
      `This API token expired on ${found.expiresAt.toISOString().slice(0, 10)}. Create a new one in My settings, or run \`ergo login\` again.`,
    );
  }
  const touched = await deps.uow.read.apiTokens.touch(found.id, now);
  if (
    touched &&
    (touched.previous === null ||
      now.getTime() - touched.previous.getTime() >= API_TOKEN_USE_AUDIT_INTERVAL_MS)
  ) {
    await deps.uow.transaction((repos) =>
      appendAudit(
        repos,
        {
          organizationId: found.user.organizationId,
          actorId: found.user.id,
          targetId: found.user.id,
          action: 'api_token.used',
          outcome: 'applied',
          categories: [],
          details: {
            apiClientId: found.id,
            name: found.name,
            method: client.method,
            route: client.route,
          },
          requestId: client.requestId,
        },
        now,
      ),
    );
  }
  return {
    user: found.user,
    token: { id: found.id, scopes: found.scopes },
    memberListVersion: found.memberListVersion,
  };
}

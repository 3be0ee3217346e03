import type { FastifyRequest } from 'fastify';
import type { ApiTokenScope } from '#src/domain/contracts/api-tokens.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import type { SessionUser } from '#src/services/auth/auth.service.ts';
import type { SyncContext } from '#src/services/sync/sync-support.ts';

/** Who a request acts for: a browser session (cookie + CSRF token) or a personal API token. */
export type RequestAuth = (
  | { via: 'session'; user: SessionUser; csrfToken: string; sessionId: string }
  | { via: 'token'; user: SessionUser; token: { id: string; scopes: ApiTokenScope[] } }
) & {
  /** The user's organization's member list version as the lookup read it (ADR 0015). */
  memberListVersion?: string;
};

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | undefined;
  }
}

/** The signed-in user, or 401 `unauthenticated`. */
export function requireAuth(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new AppError('unauthenticated', 'Log in to continue.');
  return request.auth;
}

/** The signed-in session (browser flows that tie state to it); `token_scope` for a token. */
export function requireSession(request: FastifyRequest): Extract<RequestAuth, { via: 'session' }> {
  const auth = requireAuth(request);
  if (auth.via !== 'session') {
    throw new AppError('token_scope', 'This request needs a signed-in session, not an API token.');
  }
  return auth;
}

/** What services take: the actor and the request id (which also goes in audit entries). */
export function contextOf(request: FastifyRequest): SyncContext {
  const { user, memberListVersion } = requireAuth(request);
  return {
    ...(memberListVersion === undefined ? {} : { memberListVersion }),
    actorId: user.id,
    actor: {
      id: user.id,
      organizationId: user.organizationId,
      role: user.role,
      status: user.status,
    },
    requestId: request.id,
  };
}

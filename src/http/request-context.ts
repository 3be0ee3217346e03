import type { FastifyRequest } from 'fastify';
import { AppError } from '#src/domain/errors.ts';
import type { SessionUser } from '#src/services/auth/auth.service.ts';
import type { SyncContext } from '#src/services/sync/sync-support.ts';

export interface RequestAuth {
  user: SessionUser;
  csrfToken: string;
  sessionId: string;
}

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

/** What services take: the actor and the request id (which also goes in audit entries). */
export function contextOf(request: FastifyRequest): SyncContext {
  const { user } = requireAuth(request);
  return {
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

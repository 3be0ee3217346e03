import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '#src/domain/errors.ts';
import { resolveSession, type AuthDeps } from '#src/services/auth/auth.service.ts';
import '#src/http/request-context.ts';

export const SESSION_COOKIE = 'ergo_session';

/**
 * The session cookie's name: with Secure cookies (https, production) the `__Host-` prefix, so
 * the browser accepts it only from this host, over https, for path / (no Domain can widen it).
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Requests that need no CSRF token: they start a session or carry none. */
const CSRF_EXEMPT = new Set(['/api/auth/login']);
/** Paths with a parameter that start a session: accepting an invitation (its token is the proof). */
const CSRF_EXEMPT_PATTERNS = [/^\/api\/invitations\/[^/]+\/accept$/];
/** API routes open without a session; every other /api route answers 401 before validating input. */
const PUBLIC_API = new Set([
  'GET /api/health',
  'GET /api/health/live',
  'GET /api/health/ready',
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'GET /api/openapi.json',
  // The demo's mail outbox: the route itself answers 404 without the outbox, and asks for an
  // admin's session outside demo mode.
  'GET /api/dev/outbox',
]);
/** Public API routes with a parameter: an invitation link's (issue 13), whose token is the proof. */
const PUBLIC_API_PATTERNS = [
  /^GET \/api\/invitations\/[^/]+$/,
  /^POST \/api\/invitations\/[^/]+\/accept$/,
];

/**
 * Resolves the session cookie on every request, and enforces the CSRF token (header
 * `x-csrf-token`, compared in constant time) on every state-changing request with a session.
 */
export function registerAuth(app: FastifyInstance, deps: AuthDeps, cookieName: string): void {
  app.decorateRequest('auth', undefined);
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[cookieName];
    request.auth = token ? await resolveSession(deps, token) : undefined;
    const path = request.url.split('?')[0] ?? '';
    if (!request.auth) {
      // Refuse before the body is validated: an anonymous caller learns nothing about the route.
      // HEAD is GET without the body: public where GET is.
      const route = `${request.method === 'HEAD' ? 'GET' : request.method} ${path}`;
      const isPublic =
        !path.startsWith('/api/') ||
        path.startsWith('/api/docs') ||
        PUBLIC_API.has(route) ||
        PUBLIC_API_PATTERNS.some((pattern) => pattern.test(route));
      if (!isPublic) throw new AppError('unauthenticated', 'Log in to continue.');
      return;
    }
    if (
      SAFE_METHODS.has(request.method) ||
      CSRF_EXEMPT.has(path) ||
      CSRF_EXEMPT_PATTERNS.some((pattern) => pattern.test(path))
    ) {
      return;
    }
    const given = request.headers['x-csrf-token'];
    if (typeof given !== 'string' || !safeEqual(given, request.auth.csrfToken)) {
      throw new AppError(
        'csrf_failed',
        'The request is missing its security token. Reload the page and try again.',
      );
    }
  });
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '#src/domain/errors.ts';
import { scopeAllows } from '#src/domain/contracts/api-tokens.contract.ts';
import { tokenRequirement } from '#src/http/token-scopes.ts';
import { authenticateApiToken } from '#src/services/auth/api-tokens.service.ts';
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
 * Resolves who a request acts for on every request: a personal API token (`Authorization:
 * Bearer`, /api routes only; its scope checked against the route, token-scopes.ts) or else the
 * session cookie, and enforces the CSRF token (header `x-csrf-token`, compared in constant time)
 * on every state-changing request with a session. A token needs no CSRF token: a browser never
 * attaches it by itself.
 */
export function registerAuth(app: FastifyInstance, deps: AuthDeps, cookieName: string): void {
  app.decorateRequest('auth', undefined);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    const bearer = path.startsWith('/api/') ? bearerOf(request.headers.authorization) : undefined;
    if (bearer !== undefined) {
      // A personal API token (issue 15): in place of cookie and CSRF token, never beside them.
      const route = request.routeOptions.url ?? path;
      const found = await authenticateApiToken(deps, bearer, {
        ip: request.ip,
        method: request.method,
        route,
        requestId: request.id,
      });
      request.auth = { via: 'token', ...found };
      const needed = tokenRequirement(request.method, route);
      if (needed === 'session') {
        throw new AppError(
          'token_scope',
          'This request needs a signed-in session, not an API token (it starts a browser flow or creates tokens).',
        );
      }
      if (!scopeAllows(found.token.scopes, needed)) {
        throw new AppError(
          'token_scope',
          `This API token has the ${found.token.scopes.join(', ')} scope; this request needs ${needed}. Create a token with the ${needed} scope in My settings.`,
          { needed },
        );
      }
      return;
    }
    const token = request.cookies[cookieName];
    const session = token ? await resolveSession(deps, token) : undefined;
    request.auth = session && { via: 'session', ...session };
    if (!session) {
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
    if (typeof given !== 'string' || !safeEqual(given, session.csrfToken)) {
      throw new AppError(
        'csrf_failed',
        'The request is missing its security token. Reload the page and try again.',
      );
    }
  });
}

/** The token of an `Authorization: Bearer <token>` header; undefined without one. */
function bearerOf(header: string | undefined): string | undefined {
  // Other schemes (Basic from a proxy in front of the console, say) are not ours: ignored.
  if (header === undefined || !/^Bearer(\s|$)/i.test(header)) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? '';
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

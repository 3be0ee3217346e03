import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loginResponseSchema, meSchema } from '#src/domain/contracts/auth.contract.ts';
import { noContent, withProblems } from '#src/domain/contracts/problem.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { sessionCookieName } from '#src/http/auth.plugin.ts';
import { requireAuth } from '#src/http/request-context.ts';
import {
  DEFAULT_SESSION_POLICY,
  login,
  logout,
  type AuthDeps,
} from '#src/services/auth/auth.service.ts';

const loginBody = z.strictObject({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1000),
});

/** Log in, log out, and who am I. */
export const authRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; authDeps: AuthDeps }> = async (
  app,
  { deps, authDeps },
) => {
  const cookieName = sessionCookieName(deps.secureCookies);
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: deps.secureCookies,
  };

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in; sets the session cookie and returns the CSRF token',
        body: loginBody,
        security: [],
        response: withProblems({ 200: loginResponseSchema }),
      },
    },
    async (request, reply) => {
      const session = await login(authDeps, {
        email: request.body.email,
        password: request.body.password,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });
      reply.setCookie(cookieName, session.token, {
        ...cookieOptions,
        maxAge: Math.floor(
          (authDeps.sessionPolicy ?? DEFAULT_SESSION_POLICY).absoluteTimeoutMs / 1000,
        ),
      });
      return { user: session.user, csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the session',
        response: withProblems({ 204: noContent }),
      },
    },
    async (request, reply) => {
      const token = request.cookies[cookieName];
      if (token) await logout(authDeps, token);
      reply.clearCookie(cookieName, cookieOptions);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user, their organization and a CSRF token',
        response: withProblems({ 200: meSchema }),
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const [organization, dashboard] = await Promise.all([
        deps.uow.read.organizations.findById(auth.user.organizationId),
        deps.uow.read.dashboards.find(auth.user.id),
      ]);
      return {
        user: { ...auth.user, hasDashboard: dashboard !== undefined },
        organization: organization ? { id: organization.id, name: organization.name } : null,
        // With an API token there is no session, so no CSRF token: requests need none.
        csrfToken: auth.via === 'session' ? auth.csrfToken : '',
      };
    },
  );
};

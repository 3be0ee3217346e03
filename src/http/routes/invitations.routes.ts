import { existsSync } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can } from '#src/domain/authorization.ts';
import {
  acceptInvitationBodySchema,
  acceptedInvitationSchema,
  invitationPreviewSchema,
  inviteBodySchema,
  outboxSchema,
  resentInvitationSchema,
  sentInvitationSchema,
} from '#src/domain/contracts/invitations.contract.ts';
import { noContent, withProblems } from '#src/domain/contracts/problem.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import type { AppDeps } from '#src/http/app.ts';
import { sessionCookieName } from '#src/http/auth.plugin.ts';
import { contextOf, requireAuth } from '#src/http/request-context.ts';
import { DEFAULT_SESSION_POLICY } from '#src/services/auth/auth.service.ts';
import {
  acceptInvitation,
  describeInvitation,
  type AcceptDeps,
} from '#src/services/invitations/accept-invitation.service.ts';
import {
  inviteMember,
  resendInvitation,
  revokeInvitation,
  type InvitationDeps,
} from '#src/services/invitations/invitation.service.ts';
import { listOutbox } from '#src/services/invitations/outbox.service.ts';
import { createOutboxMailer } from '#src/services/mail/outbox-mailer.ts';

const memberParams = z.strictObject({ userId: z.string().max(100) });
const tokenParams = z.strictObject({ token: z.string().min(1).max(200) });

/**
 * The token is in these routes' URLs (and the `/invite` page's), and Fastify logs each request's
 * URL at `info` ("incoming request"): below `warn`, these requests are not logged, so the token
 * never reaches a log. Errors still are (without the URL).
 */
const TOKEN_ROUTE_LOG_LEVEL = 'warn';

/**
 * Invitations and setup completion (issue 13): an admin invites by email, resends or revokes; the
 * invitee opens the link (public: the token is the proof), sets a password and lands in the
 * console with a session. Demo mode without SMTP: the dev-only outbox of the mail not sent.
 */
export const invitationsRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (
  app,
  { deps },
) => {
  // No mailer given (tests, tools): mail is kept in the outbox, as in demo mode.
  const mailer = deps.mailer ?? createOutboxMailer(deps.uow.read);
  const invitationDeps = (request: FastifyRequest): InvitationDeps => ({
    uow: deps.uow,
    mailer,
    publicUrl: deps.publicUrl ?? `${request.protocol}://${request.host}`,
    logger: request.log,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const acceptDeps: AcceptDeps = {
    uow: deps.uow,
    queue: deps.queue,
    batchSize: deps.bulk?.batchSize,
    auth: {
      uow: deps.uow,
      ...(deps.sessionPolicy ? { sessionPolicy: deps.sessionPolicy } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    },
    ...(deps.now ? { now: deps.now } : {}),
  };
  const cookieName = sessionCookieName(deps.secureCookies);

  app.post(
    '/api/invitations',
    {
      schema: {
        tags: ['invitations'],
        summary:
          'Invite a member by email (admins): an invited user on the given teams, and the invitation email with a single-use link valid 7 days',
        body: inviteBodySchema,
        response: withProblems({ 201: sentInvitationSchema }),
      },
    },
    async (request, reply) => {
      const sent = await inviteMember(invitationDeps(request), contextOf(request), request.body);
      return reply.status(201).send(sent);
    },
  );

  app.post(
    '/api/members/:userId/invitation/resend',
    {
      schema: {
        tags: ['invitations'],
        summary:
          'Resend the invitation of a member who has not finished setup (admins): a new link valid 7 days; the previous link stops working',
        params: memberParams,
        response: withProblems({ 200: resentInvitationSchema }),
      },
    },
    async (request) =>
      resendInvitation(invitationDeps(request), contextOf(request), request.params.userId),
  );

  app.delete(
    '/api/members/:userId/invitation',
    {
      schema: {
        tags: ['invitations'],
        summary:
          "Revoke a member's open invitation (admins): the link stops working; the member stays invited",
        params: memberParams,
        response: withProblems({ 204: noContent }),
      },
    },
    async (request, reply) => {
      await revokeInvitation(
        { uow: deps.uow, ...(deps.now ? { now: deps.now } : {}) },
        contextOf(request),
        request.params.userId,
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/invitations/:token',
    {
      logLevel: TOKEN_ROUTE_LOG_LEVEL,
      schema: {
        tags: ['invitations'],
        summary:
          "The invitation behind a link (public): the invitee's name and email and the organization; 410 invite_expired when unknown, used, revoked or expired",
        params: tokenParams,
        security: [],
        response: withProblems({ 200: invitationPreviewSchema }),
      },
    },
    async (request) => describeInvitation(acceptDeps, request.params.token),
  );

  app.post(
    '/api/invitations/:token/accept',
    {
      logLevel: TOKEN_ROUTE_LOG_LEVEL,
      schema: {
        tags: ['invitations'],
        summary:
          'Accept an invitation (public): set the password, finish setup (the dashboard is created), and log in: sets the session cookie and returns the CSRF token like POST /api/auth/login',
        params: tokenParams,
        body: acceptInvitationBodySchema,
        security: [],
        response: withProblems({ 200: acceptedInvitationSchema }),
      },
    },
    async (request, reply) => {
      const session = await acceptInvitation(acceptDeps, request.params.token, {
        password: request.body.password,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        requestId: request.id,
      });
      reply.setCookie(cookieName, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies,
        maxAge: Math.floor((deps.sessionPolicy ?? DEFAULT_SESSION_POLICY).absoluteTimeoutMs / 1000),
      });
      return { user: session.user, csrfToken: session.csrfToken };
    },
  );

  // The invitation link's page: the web app's index.html, as the fallback serves every page,
  // but without logging its URL (see TOKEN_ROUTE_LOG_LEVEL).
  if (deps.webRoot && existsSync(deps.webRoot)) {
    app.get(
      '/invite',
      { logLevel: TOKEN_ROUTE_LOG_LEVEL, schema: { hide: true } },
      async (_request, reply) => reply.type('text/html').sendFile('index.html'),
    );
  }

  app.get(
    '/api/dev/outbox',
    {
      schema: {
        tags: ['invitations'],
        summary:
          'The latest 50 messages of the mail outbox (only when no SMTP is configured; 404 otherwise). Public in demo mode; otherwise admins see their organization’s',
        security: [],
        response: withProblems({ 200: outboxSchema }),
      },
    },
    async (request) => {
      if (mailer.kind !== 'outbox') {
        throw new AppError('not_found', 'There is no mail outbox: mail is sent over SMTP.');
      }
      if (deps.demo) return { messages: await listOutbox(deps, {}) };
      const auth = requireAuth(request);
      const { actor } = contextOf(request);
      if (!actor || !can(actor, 'members:manage')) {
        throw new AppError('forbidden', 'Only an admin of this organization can read the outbox.');
      }
      return { messages: await listOutbox(deps, { organizationId: auth.user.organizationId }) };
    },
  );
};

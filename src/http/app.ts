import { existsSync } from 'node:fs';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '#src/db/connection-errors.ts';
import type { DatabaseHealth } from '#src/db/health.ts';
import { AppError } from '#src/domain/errors.ts';
import { inspectInput, MAX_INPUT_DEPTH } from '#src/domain/text.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import { registerAuth, sessionCookieName } from '#src/http/auth.plugin.ts';
import { compressKeptResponse, keptSerializerCompiler } from '#src/http/kept-responses.ts';
import { sendProblem, sendValidationProblem } from '#src/http/problem.ts';
import { docsCsp, registerSecurityHeaders } from '#src/http/security-headers.ts';
import { authRoutes } from '#src/http/routes/auth.routes.ts';
import { meRoutes } from '#src/http/routes/me.routes.ts';
import { crmOAuthRoutes } from '#src/http/routes/crm-oauth.routes.ts';
import { invitationsRoutes } from '#src/http/routes/invitations.routes.ts';
import { scimRoutes } from '#src/http/routes/scim.routes.ts';
import { apiTokenRoutes } from '#src/http/routes/api-tokens.routes.ts';
import { auditRoutes } from '#src/http/routes/audit.routes.ts';
import { teamsRoutes } from '#src/http/routes/teams.routes.ts';
import type { Mailer } from '#src/services/mail/mailer.ts';
import type { OAuthProviders } from '#src/services/crm-connections/crm-grants.service.ts';
import { membersRoutes } from '#src/http/routes/members.routes.ts';
import { metaRoutes } from '#src/http/routes/meta.routes.ts';
import { syncRoutes } from '#src/http/routes/sync.routes.ts';
import { bulkRoutes } from '#src/http/routes/bulk.routes.ts';
import { notificationsRoutes } from '#src/http/routes/notifications.routes.ts';
import { notificationPreferencesRoutes } from '#src/http/routes/notification-preferences.routes.ts';
import { policiesRoutes } from '#src/http/routes/policies.routes.ts';
import type { JobQueue } from '#src/jobs/job-queue.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import type { SessionPolicy } from '#src/services/auth/auth.service.ts';
import { LoginThrottle, type ThrottleLimits } from '#src/services/auth/login-throttle.ts';
import type { IdempotencyPolicy } from '#src/services/idempotency/idempotency.service.ts';
import type { AccountLock } from '#src/services/crm-connections/account-lock.ts';
import type { ConnectorFactory } from '#src/services/sync/sync-crm.service.ts';

export interface AppDeps {
  logger: Logger;
  health: () => Promise<DatabaseHealth>;
  version: string;
  uow: UnitOfWork;
  keyring: Keyring;
  connectorFor: ConnectorFactory;
  /** One owner-property write at a time per CRM account (default: within this process). */
  accountLock?: AccountLock;
  /** Secure cookies (https only): on outside local development. */
  secureCookies: boolean;
  /** Addresses or CIDR ranges of trusted reverse proxies (X-Forwarded-For); empty = none. */
  trustProxy?: string[];
  /** Failed-login limits (the throttle itself lives in the database). */
  throttleLimits?: ThrottleLimits;
  /** Idempotency-Key lease and lifetime, and the clock they follow. */
  idempotency?: { policy?: IdempotencyPolicy; now?: () => Date };
  sessionPolicy?: SessionPolicy;
  now?: () => Date;
  /** Demo mode: the login page shows the demo logins. */
  demo?: boolean;
  /** The built web app (vite build → dist/web); served with an index.html fallback when present. */
  webRoot?: string;
  /** Where bulk runs' batches go (pg-boss or the in-process runner); bulk routes need it. */
  queue?: JobQueue;
  bulk?: { batchSize?: number; maxMembers?: number };
  /** Set while the server shuts down: long-lived streams end. */
  isShuttingDown?: () => boolean;
  /** OAuth clients per CRM ("Connect <CRM>", token refresh); none: paste-in keys only. */
  oauth?: OAuthProviders;
  /** The public origin OAuth redirect URIs and invitation links are built on; unset: the request's own origin. */
  publicUrl?: string;
  /** Outgoing mail (invitations): SMTP, or the outbox in demo mode. */
  mailer?: Mailer;
}

export type AppInstance = FastifyInstance;

/** Builds the HTTP app without listening, so tests can `inject()` and main can `listen()`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: 256 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    // X-Forwarded-For is believed only from the configured proxies; otherwise the socket's
    // address is the client's (the login throttle keys on it).
    trustProxy: deps.trustProxy && deps.trustProxy.length > 0 ? deps.trustProxy : false,
    // While shutting down, new requests get our own problem+json 503 (below).
    return503OnClosing: false,
    // Malformed escapes (FST_ERR_BAD_URL) and over-long path params (FST_ERR_MAX_PARAM_LENGTH)
    // are answered by the router before any hook: as problems too.
    frameworkErrors: (_error, _request, reply) => {
      void sendProblem(
        reply,
        'invalid_request',
        'The request URL could not be read: check its path.',
      );
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(keptSerializerCompiler);
  app.addHook('onSend', compressKeptResponse);

  // Graceful shutdown: once close() begins, requests in flight finish and new ones are refused
  // with a 503 (Fastify adds `Connection: close`), before any hook touches the database.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('retry-after', '5');
    return sendProblem(
      reply,
      'service_unavailable',
      'Ergo is restarting; nothing was changed. Try again in a moment.',
    );
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ergo Admin API',
        version: deps.version,
        description:
          "Everything the Admin console does: Sync CRM, Sync Settings to User, history and undo, members, and a user's own dashboard. Errors are application/problem+json with a stable `code`. With a session cookie, state-changing requests need the `x-csrf-token` header from `POST /api/auth/login` or `GET /api/me`; with a personal API token (`Authorization: Bearer ergo_pat_…`, created in My settings, scopes read / sync / admin) no CSRF token is needed and a request beyond the token's scope is 403 token_scope. " +
          `Request bodies may nest at most ${MAX_INPUT_DEPTH} levels of arrays and objects (deeper: 400 invalid_request).`,
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: sessionCookieName(deps.secureCookies) },
          apiToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'A personal API token (My settings, or `ergo login`)',
          },
        },
      },
      security: [{ session: [] }, { apiToken: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await registerSecurityHeaders(app, { https: deps.secureCookies });
  await app.register(swaggerUi, { routePrefix: '/api/docs', transformStaticCSP: docsCsp });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.url.startsWith('/api/') && !request.url.startsWith('/api/docs')) {
      reply.header('cache-control', 'no-store');
    }
  });

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof AppError) {
      if (typeof error.details?.retryAfterSeconds === 'number') {
        reply.header('retry-after', String(error.details.retryAfterSeconds));
      }
      return sendProblem(reply, error.code, error.message, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      return sendValidationProblem(reply, error.validationContext ?? 'request', error.validation);
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, unsupported content type.
      return sendProblem(
        reply,
        'invalid_request',
        'The request could not be read: check its body and headers.',
      );
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ reason: (error as Error).message }, 'database unavailable');
      reply.header('retry-after', '5');
      return sendProblem(
        reply,
        'database_unavailable',
        'The database is not reachable right now; nothing was changed. Try again in a moment.',
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      'internal',
      'Something went wrong on our side. Try again; if it persists, contact support with the request id.',
    );
  });

  const webRoot = deps.webRoot && existsSync(deps.webRoot) ? deps.webRoot : undefined;
  if (webRoot) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: false });
  }
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // The web app routes in the browser: any other GET page gets its index.html.
    if (
      webRoot &&
      (request.method === 'GET' || request.method === 'HEAD') &&
      !path.startsWith('/api/')
    ) {
      return reply.type('text/html').sendFile('index.html');
    }
    return sendProblem(reply, 'not_found', `No route for ${request.method} ${path}.`);
  });

  // PostgreSQL cannot store NUL nor a lone surrogate (text, jsonb): refuse them at the door.
  // So too input nested deeper than MAX_INPUT_DEPTH, before a schema (or anything recursive)
  // walks it: a 10,000-deep body fits in the body limit. Runs on every route (after parsing).
  app.addHook('preValidation', async (request) => {
    const key = request.headers['idempotency-key'];
    for (const part of [request.params, request.query, request.body, key]) {
      const verdict = inspectInput(part);
      if (verdict === 'too_deep') {
        throw new AppError(
          'invalid_request',
          `The request body is nested too deeply (more than ${MAX_INPUT_DEPTH} levels).`,
        );
      }
      if (verdict === 'unstorable') {
        throw new AppError(
          'invalid_request',
          'The request contains characters that cannot be stored (NUL or an unpaired surrogate).',
        );
      }
    }
  });

  const throttle = new LoginThrottle(
    deps.uow.read.loginFailures,
    deps.throttleLimits,
    deps.now ?? (() => new Date()),
  );
  const authDeps = {
    uow: deps.uow,
    throttle,
    ...(deps.sessionPolicy ? { sessionPolicy: deps.sessionPolicy } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  };
  registerAuth(app, authDeps, sessionCookieName(deps.secureCookies));

  await app.register(metaRoutes, { deps });
  await app.register(authRoutes, { deps, authDeps });
  await app.register(syncRoutes, { deps });
  await app.register(membersRoutes, { deps });
  // Event streams end when the server starts closing, so shutdown is not held up by them.
  await app.register(bulkRoutes, { deps: { ...deps, isShuttingDown: () => closing } });
  await app.register(meRoutes, { deps });
  await app.register(apiTokenRoutes, { deps });
  await app.register(crmOAuthRoutes, { deps });
  await app.register(invitationsRoutes, { deps });
  await app.register(teamsRoutes, { deps });
  await app.register(scimRoutes, { deps });
  await app.register(auditRoutes, { deps });
  await app.register(policiesRoutes, { deps });
  await app.register(notificationsRoutes, { deps });
  await app.register(notificationPreferencesRoutes, { deps });

  await app.ready();
  return app;
}

import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { DatabaseHealth } from '#src/db/health.ts';
import { AppError } from '#src/domain/errors.ts';
import { sendProblem } from '#src/http/problem.ts';

export interface AppDeps {
  logger: Logger;
  health: () => Promise<DatabaseHealth>;
  version: string;
}

/** Builds the HTTP app without listening, so tests can `inject()` and main can `listen()`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: 256 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
  });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-request-id', reply.request.id);
  });

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof AppError)
      return sendProblem(reply, error.code, error.message, error.details);
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, bad content type.
      return sendProblem(
        reply,
        'invalid_request',
        'The request could not be read: check its body and headers.',
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      'internal',
      'Something went wrong on our side. Try again; if it persists, contact support with the request id.',
    );
  });

  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(
      reply,
      'not_found',
      `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`,
    ),
  );

  app.get('/api/health', async (_request, reply) => {
    const health = await deps.health();
    return reply.status(health.ok ? 200 : 503).send({
      status: health.ok ? 'ok' : 'unavailable',
      version: deps.version,
      database: health.database,
      migrations: health.migrations,
    });
  });

  await app.ready();
  return app;
}

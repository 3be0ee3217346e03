import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CATEGORIES } from '#src/domain/settings/categories.ts';
import type { AppDeps } from '#src/http/app.ts';
import { requireAuth } from '#src/http/request-context.ts';

/** Health, the category list of the Sync Settings modal, and the OpenAPI document. */
export const metaRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/api/health/live',
    {
      schema: { tags: ['meta'], summary: 'Liveness: the process is up (no I/O)', security: [] },
    },
    async () => ({ status: 'ok', version: deps.version }),
  );

  const readiness = {
    schema: {
      tags: ['meta'],
      summary:
        'Readiness: the database answers (one cheap query) and no migration is pending (state read at start-up)',
      security: [],
    },
  };
  async function ready(_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const health = await deps.health();
    return reply.status(health.ok ? 200 : 503).send({
      status: health.ok ? 'ok' : 'unavailable',
      version: deps.version,
      demo: deps.demo ?? false,
      database: health.database,
      migrations: health.migrations,
    });
  }
  app.get('/api/health/ready', readiness, ready);
  // The first health route, kept as an alias of readiness.
  app.get('/api/health', readiness, ready);

  app.get(
    '/api/sync/categories',
    {
      schema: {
        tags: ['sync'],
        summary:
          "The settings categories in the guide's order, with labels, default selection and rule",
      },
    },
    async (request) => {
      requireAuth(request);
      return CATEGORIES.map((c) => ({
        key: c.key,
        label: c.label,
        defaultSelected: c.defaultSelected,
        rule: c.rule,
      }));
    },
  );

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

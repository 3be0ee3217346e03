import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CATEGORIES } from '#src/domain/settings/categories.ts';
import { z } from 'zod';
import {
  livenessSchema,
  readinessSchema,
  syncCategorySchema,
} from '#src/domain/contracts/meta.contract.ts';
import { problemSchema, withProblems } from '#src/domain/contracts/problem.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { requireAuth } from '#src/http/request-context.ts';

/** Health, the category list of the Sync Settings modal, and the OpenAPI document. */
export const metaRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/api/health/live',
    {
      schema: {
        tags: ['meta'],
        summary: 'Liveness: the process is up (no I/O)',
        security: [],
        response: withProblems({ 200: livenessSchema }),
      },
    },
    async () => ({ status: 'ok' as const, version: deps.version }),
  );

  const readiness = {
    schema: {
      tags: ['meta'],
      summary:
        'Readiness: the database answers (one cheap query) and no migration is pending (state read at start-up)',
      security: [],
      // 503: not ready (the same shape), or shutting down (a problem, service_unavailable).
      response: withProblems({
        200: readinessSchema,
        503: z.union([readinessSchema, problemSchema]),
      }),
    },
  };
  // `/api/health`, the first health route, is kept as an alias of readiness.
  for (const url of ['/api/health/ready', '/api/health']) {
    app.get(url, readiness, async (_request, reply) => {
      const health = await deps.health();
      return reply.status(health.ok ? 200 : 503).send({
        status: health.ok ? 'ok' : 'unavailable',
        version: deps.version,
        demo: deps.demo ?? false,
        database: health.database,
        migrations: health.migrations,
      });
    });
  }

  app.get(
    '/api/sync/categories',
    {
      schema: {
        tags: ['sync'],
        summary:
          "The settings categories in the guide's order, with labels, default selection and rule",
        response: withProblems({ 200: z.array(syncCategorySchema) }),
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

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '#src/http/app.ts';

/** Placeholder: the scim routes of issue 13. */
export const scimRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (_app, _options) => {
  await Promise.resolve();
};

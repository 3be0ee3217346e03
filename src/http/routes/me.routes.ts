import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { noContent, withProblems } from '#src/domain/contracts/problem.contract.ts';
import {
  maskedCrmConnectionSchema,
  ownCategoryWithVersionSchema,
  ownSettingsSchema,
} from '#src/domain/contracts/settings.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { contextOf } from '#src/http/request-context.ts';
import {
  deleteOwnCrmConnection,
  getOwnCategory,
  getOwnSettings,
  listOwnCrmConnections,
  putOwnCategory,
  putOwnCrmConnection,
} from '#src/services/settings/own-settings.service.ts';

const categoryParams = z.strictObject({ category: z.string().max(100) });
const crmParams = z.strictObject({ crm: z.string().max(50) });
const putCategoryBody = z.strictObject({
  value: z.unknown(),
  dashboardVersion: z.number().int().min(0),
});
const putConnectionBody = z.strictObject({
  secrets: z.record(z.string(), z.string().max(4096)),
  instance: z.record(z.string(), z.unknown()).optional(),
});

/** A user's own dashboard: settings pages and CRM connections (keys masked). */
export const meRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  // The queue: a source admin's change is pushed to the followers as bulk runs (issue 16).
  const settingsDeps = {
    uow: deps.uow,
    keyring: deps.keyring,
    queue: deps.queue,
    batchSize: deps.bulk?.batchSize,
  };

  app.get(
    '/api/me/settings',
    {
      schema: {
        tags: ['my settings'],
        summary: 'All your settings categories',
        response: withProblems({ 200: ownSettingsSchema }),
      },
    },
    async (request) => getOwnSettings(settingsDeps, contextOf(request)),
  );

  app.get(
    '/api/me/settings/:category',
    {
      schema: {
        tags: ['my settings'],
        summary: 'One of your settings categories',
        params: categoryParams,
        response: withProblems({ 200: ownCategoryWithVersionSchema }),
      },
    },
    async (request) => getOwnCategory(settingsDeps, contextOf(request), request.params.category),
  );

  app.put(
    '/api/me/settings/:category',
    {
      schema: {
        tags: ['my settings'],
        summary:
          'Replace one of your settings categories (optimistic concurrency on dashboardVersion)',
        params: categoryParams,
        body: putCategoryBody,
        response: withProblems({ 200: ownCategoryWithVersionSchema }),
      },
    },
    async (request) =>
      putOwnCategory(settingsDeps, contextOf(request), request.params.category, {
        value: request.body.value,
        dashboardVersion: request.body.dashboardVersion,
      }),
  );

  app.get(
    '/api/me/crm-connections',
    {
      schema: {
        tags: ['my settings'],
        summary: 'Your CRM connections, keys masked',
        response: withProblems({ 200: z.array(maskedCrmConnectionSchema) }),
      },
    },
    async (request) => listOwnCrmConnections(settingsDeps, contextOf(request)),
  );

  app.put(
    '/api/me/crm-connections/:crm',
    {
      schema: {
        tags: ['my settings'],
        summary: 'Connect or replace a CRM',
        params: crmParams,
        body: putConnectionBody,
        response: withProblems({ 200: maskedCrmConnectionSchema }),
      },
    },
    async (request) =>
      putOwnCrmConnection(settingsDeps, contextOf(request), request.params.crm, request.body),
  );

  app.delete(
    '/api/me/crm-connections/:crm',
    {
      schema: {
        tags: ['my settings'],
        summary: 'Remove a CRM connection',
        params: crmParams,
        response: withProblems({ 204: noContent }),
      },
    },
    async (request, reply) => {
      await deleteOwnCrmConnection(settingsDeps, contextOf(request), request.params.crm);
      return reply.status(204).send(null);
    },
  );
};

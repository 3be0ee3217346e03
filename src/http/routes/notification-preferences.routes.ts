import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notificationPreferencesSchema } from '#src/domain/contracts/notifications.contract.ts';
import { withProblems } from '#src/domain/contracts/problem.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { contextOf } from '#src/http/request-context.ts';
import {
  getNotificationPreferences,
  setNotificationPreferences,
} from '#src/services/notifications/digest.service.ts';

/** Whether your unread notifications are also mailed to you as a digest (issue 16). */
export const notificationPreferencesRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (
  app,
  { deps },
) => {
  app.get(
    '/api/me/notification-preferences',
    {
      schema: {
        tags: ['my settings'],
        summary: 'Your notification preferences (the email digest)',
        response: withProblems({ 200: notificationPreferencesSchema }),
      },
    },
    async (request) => getNotificationPreferences({ uow: deps.uow }, contextOf(request)),
  );

  app.put(
    '/api/me/notification-preferences',
    {
      schema: {
        tags: ['my settings'],
        summary: 'Choose whether unread notifications are mailed to you as a digest',
        body: notificationPreferencesSchema.strict(),
        response: withProblems({ 200: notificationPreferencesSchema }),
      },
    },
    async (request) =>
      setNotificationPreferences({ uow: deps.uow }, contextOf(request), request.body),
  );
};

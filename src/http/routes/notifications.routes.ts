import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  notificationChangesSchema,
  notificationListSchema,
  RESTORE_WINDOW_DAYS,
  unreadCountSchema,
} from '#src/domain/contracts/notifications.contract.ts';
import { noContent, withProblems } from '#src/domain/contracts/problem.contract.ts';
import { revertResultSchema } from '#src/domain/contracts/sync.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { contextOf } from '#src/http/request-context.ts';
import {
  DEFAULT_NOTIFICATION_LIMIT,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  notificationChanges,
  restoreFromNotification,
  unreadCount,
} from '#src/services/notifications/notification.service.ts';

const notificationParams = z.strictObject({ notificationId: z.string().max(100) });
const listQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe(`1 to 100; default ${DEFAULT_NOTIFICATION_LIMIT}`),
  before: z
    .string()
    .max(100)
    .optional()
    .describe('The id of the last notification of the previous page'),
});

/**
 * A user's notifications (issue 16, ADR 0016): any active user, their own only (another user's
 * notification is 404 not_found). Read, marked read, "Review changes" and "Restore my previous
 * settings" for a change to their dashboard.
 */
export const notificationsRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (
  app,
  { deps },
) => {
  const notificationDeps = { uow: deps.uow };
  const syncDeps = { uow: deps.uow, keyring: deps.keyring };

  app.get(
    '/api/me/notifications',
    {
      schema: {
        tags: ['my settings'],
        summary: 'Your notifications, newest first, with the unread count',
        querystring: listQuery,
        response: withProblems({ 200: notificationListSchema }),
      },
    },
    async (request) =>
      listNotifications(notificationDeps, contextOf(request), {
        ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
        ...(request.query.before === undefined ? {} : { before: request.query.before }),
      }),
  );

  app.get(
    '/api/me/notifications/unread-count',
    {
      schema: {
        tags: ['my settings'],
        summary: 'How many of your notifications are unread',
        response: withProblems({ 200: unreadCountSchema }),
      },
    },
    async (request) => unreadCount(notificationDeps, contextOf(request)),
  );

  app.post(
    '/api/me/notifications/read-all',
    {
      schema: {
        tags: ['my settings'],
        summary: 'Mark all your notifications read',
        response: withProblems({ 204: noContent }),
      },
    },
    async (request, reply) => {
      await markAllNotificationsRead(notificationDeps, contextOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/me/notifications/:notificationId/read',
    {
      schema: {
        tags: ['my settings'],
        summary: 'Mark one of your notifications read',
        params: notificationParams,
        response: withProblems({ 204: noContent }),
      },
    },
    async (request, reply) => {
      await markNotificationRead(
        notificationDeps,
        contextOf(request),
        request.params.notificationId,
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me/notifications/:notificationId/changes',
    {
      schema: {
        tags: ['my settings'],
        summary:
          'Review changes: what a sync changed on your dashboard, item by item, while the category is as it left it (never secrets)',
        params: notificationParams,
        response: withProblems({ 200: notificationChangesSchema }),
      },
    },
    async (request) =>
      notificationChanges(notificationDeps, contextOf(request), request.params.notificationId),
  );

  app.post(
    '/api/me/notifications/:notificationId/restore',
    {
      schema: {
        tags: ['my settings'],
        summary: `Restore your previous settings from a change to your dashboard (for ${RESTORE_WINDOW_DAYS} days: 410 restore_expired; a locked category: 403 category_locked; changed since: 409 version_conflict)`,
        params: notificationParams,
        response: withProblems({ 200: revertResultSchema }),
      },
    },
    async (request) =>
      restoreFromNotification(syncDeps, contextOf(request), request.params.notificationId),
  );
};

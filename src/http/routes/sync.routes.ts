import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Readable } from 'node:stream';
import { SYNC_ACTIONS, SYNC_STATUSES } from '#src/domain/contracts/members.contract.ts';
import { problemSchema, withProblems } from '#src/domain/contracts/problem.contract.ts';
import {
  memberDriftReportSchema,
  revertResultSchema,
  syncCrmPreviewSchema,
  syncCrmResultSchema,
  syncHistoryPageSchema,
  syncSettingsResultSchema,
  type SyncHistoryFilter,
} from '#src/domain/contracts/sync.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { idempotentReply } from '#src/http/idempotent.ts';
import { streamSyncCrm, wantsSyncCrmEvents } from '#src/http/sync-crm-events.ts';
import { instant } from '#src/http/query.ts';
import { contextOf } from '#src/http/request-context.ts';
import { revertSync } from '#src/services/sync/revert-sync.service.ts';
import { syncCrm, syncCrmOwnerProperties } from '#src/services/sync/sync-crm.service.ts';
import { previewSyncCrm } from '#src/services/sync/sync-crm-preview.service.ts';
import { memberDrift } from '#src/services/sync/drift.service.ts';
import {
  exportSyncs,
  listSyncs,
  syncHistoryCsvHeader,
  syncHistoryCsvRow,
} from '#src/services/sync/sync-history.service.ts';
import { syncSettings } from '#src/services/sync/sync-settings.service.ts';
import type { SyncContext } from '#src/services/sync/sync-support.ts';

const memberParams = z.strictObject({ userId: z.string().max(100) });
const syncParams = z.strictObject({ syncId: z.string().max(100) });
const syncSettingsBody = z
  .strictObject({
    categories: z.array(z.string().max(100)).max(20).optional(),
    dryRun: z.boolean().optional(),
  })
  .optional();
const HISTORY_CSV_MEDIA_TYPE = 'text/csv; charset=utf-8';

const historyFilter = {
  memberId: z.string().max(100).optional().describe('Only syncs to this member (user id)'),
  actorId: z.string().max(100).optional().describe('Only syncs run by this admin (user id)'),
  action: z.enum(SYNC_ACTIONS).optional(),
  status: z.enum(SYNC_STATUSES).optional(),
  since: instant.optional().describe('Syncs at or after this time (ISO 8601)'),
  until: instant.optional().describe('Syncs before this time (ISO 8601)'),
};
const historyQuery = z.strictObject({
  ...historyFilter,
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
const historyExportQuery = z.strictObject({
  ...historyFilter,
  format: z.enum(['csv']).default('csv'),
});

/** The filter as the service takes it: only the parameters given. */
function filterOf(query: {
  memberId?: string | undefined;
  actorId?: string | undefined;
  action?: SyncHistoryFilter['action'];
  status?: SyncHistoryFilter['status'];
  since?: Date | undefined;
  until?: Date | undefined;
}): SyncHistoryFilter {
  return {
    ...(query.memberId ? { memberId: query.memberId } : {}),
    ...(query.actorId ? { actorId: query.actorId } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.since ? { since: query.since } : {}),
    ...(query.until ? { until: query.until } : {}),
  };
}
const idempotencyHeaders = z.object({ 'idempotency-key': z.string().max(200).optional() });

/** Sync CRM, Sync Settings to User, history and undo (SPEC §3, §6). */
export const syncRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const syncDeps = {
    uow: deps.uow,
    keyring: deps.keyring,
    connectorFor: deps.connectorFor,
    ...(deps.accountLock ? { accountLock: deps.accountLock } : {}),
    ...(deps.oauth ? { oauth: deps.oauth } : {}),
  };

  const idempotent = (
    request: FastifyRequest,
    reply: FastifyReply,
    route: string,
    payload: unknown,
    work: (context: SyncContext) => Promise<unknown>,
  ): Promise<FastifyReply> => idempotentReply(deps, request, reply, { route, payload, work });

  app.post(
    '/api/members/:userId/sync-crm',
    {
      schema: {
        tags: ['sync'],
        summary:
          "Sync CRM: copy the organization admin's CRM keys to the member, then ensure their CRM owner properties",
        description:
          'With `Accept: application/x-ndjson` the same run is told as it happens, one JSON event per line: `copied` once the keys are committed, `crm` as each CRM finishes, then `result` (this body) or `problem` (syncCrmEventSchema).',
        params: memberParams,
        headers: idempotencyHeaders,
        response: withProblems({ 200: syncCrmResultSchema }),
      },
    },
    async (request, reply) =>
      wantsSyncCrmEvents(request)
        ? streamSyncCrm(deps, syncDeps, request, reply, request.params.userId)
        : idempotent(request, reply, `sync-crm:${request.params.userId}`, {}, (context) =>
            syncCrm(syncDeps, context, request.params.userId),
          ),
  );

  app.get(
    '/api/members/:userId/sync-crm/preview',
    {
      schema: {
        tags: ['sync'],
        summary:
          "What Sync CRM would do to the member's CRM connections: which CRMs it copies, which of the member's own connections it would replace (no secrets)",
        params: memberParams,
        response: withProblems({ 200: syncCrmPreviewSchema }),
      },
    },
    async (request) => previewSyncCrm(syncDeps, contextOf(request), request.params.userId),
  );

  app.post(
    '/api/members/:userId/sync-crm/owner-properties',
    {
      schema: {
        tags: ['sync'],
        summary: 'Re-run only the CRM owner-property step of Sync CRM',
        params: memberParams,
        headers: idempotencyHeaders,
        response: withProblems({ 200: syncCrmResultSchema }),
      },
    },
    async (request, reply) =>
      idempotent(request, reply, `sync-crm-owner:${request.params.userId}`, {}, (context) =>
        syncCrmOwnerProperties(syncDeps, context, request.params.userId),
      ),
  );

  app.post(
    '/api/members/:userId/sync-settings',
    {
      schema: {
        tags: ['sync'],
        summary:
          'Sync Settings to User: copy the selected categories from your dashboard (dryRun: preview only)',
        params: memberParams,
        body: syncSettingsBody,
        headers: idempotencyHeaders,
        response: withProblems({ 200: syncSettingsResultSchema }),
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      return idempotent(request, reply, `sync-settings:${request.params.userId}`, body, (context) =>
        syncSettings(syncDeps, context, {
          targetUserId: request.params.userId,
          ...(body.categories ? { categories: body.categories } : {}),
          ...(body.dryRun === undefined ? {} : { dryRun: body.dryRun }),
        }),
      );
    },
  );

  app.get(
    '/api/members/:userId/drift',
    {
      schema: {
        tags: ['sync'],
        summary:
          "A member's drift from an admin (`from=me` or an admin id): per category the admin has set, what Sync Settings would add, change or remove, item by item",
        params: memberParams,
        querystring: z.strictObject({ from: z.string().max(100).default('me') }),
        response: withProblems({ 200: memberDriftReportSchema }),
      },
    },
    async (request) =>
      memberDrift(syncDeps, contextOf(request), request.params.userId, request.query.from),
  );

  app.get(
    '/api/syncs',
    {
      schema: {
        tags: ['sync'],
        summary: 'Sync history of your organization, newest first',
        querystring: historyQuery,
        response: withProblems({ 200: syncHistoryPageSchema }),
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      return listSyncs(syncDeps, contextOf(request), {
        ...filterOf(request.query),
        ...(cursor ? { cursor } : {}),
        ...(limit ? { limit } : {}),
      });
    },
  );

  app.get(
    '/api/syncs/export',
    {
      schema: {
        tags: ['sync'],
        summary:
          'Download the sync history as CSV (RFC 4180), newest first, with the same filters as GET /api/syncs',
        querystring: historyExportQuery,
        response: {
          200: {
            description: 'A header row, then one row per sync',
            content: { [HISTORY_CSV_MEDIA_TYPE]: { schema: z.string() } },
          },
          '4xx': problemSchema,
          '5xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      const items = await exportSyncs(syncDeps, contextOf(request), filterOf(request.query));
      async function* lines(): AsyncGenerator<string> {
        yield syncHistoryCsvHeader();
        for await (const item of items) yield syncHistoryCsvRow(item);
      }
      const day = new Date().toISOString().slice(0, 10);
      return (
        reply
          .type(HISTORY_CSV_MEDIA_TYPE)
          .header('content-disposition', `attachment; filename="ergo-sync-history-${day}.csv"`)
          // A stream is sent as it is (no serializer); the schema above documents its text.
          .send(Readable.from(lines()) as unknown as string)
      );
    },
  );

  app.post(
    '/api/syncs/:syncId/revert',
    {
      schema: {
        tags: ['sync'],
        summary: "Revert a sync: restore the member's previous values",
        params: syncParams,
        response: withProblems({ 200: revertResultSchema }),
      },
    },
    async (request) => revertSync(syncDeps, contextOf(request), request.params.syncId),
  );
};

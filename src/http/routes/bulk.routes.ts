import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BULK_MEMBER_STATUSES,
  bulkRunDetailSchema,
  bulkRunListSchema,
  bulkRunSchema,
} from '#src/domain/contracts/bulk.contract.ts';
import { problemSchema, withProblems } from '#src/domain/contracts/problem.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { idempotentReply } from '#src/http/idempotent.ts';
import { contextOf } from '#src/http/request-context.ts';
import {
  cancelBulkSync,
  getBulkRun,
  getBulkSync,
  listBulkSyncs,
  retryFailedBulkSync,
  revertBulkSync,
  startBulkSync,
  type BulkRunView,
} from '#src/services/bulk/bulk-sync.service.ts';

const runParams = z.strictObject({ id: z.string().max(100) });
const startBody = z.strictObject({
  action: z.enum(['sync_settings', 'sync_crm']),
  memberIds: z.array(z.string().max(100)).min(1).max(10_000).optional(),
  teamId: z.string().max(100).optional(),
  categories: z.array(z.string().max(100)).max(20).optional(),
  dryRun: z.boolean().optional(),
  /** Sync Settings only: just the members (of the team or selection) whose drift differs. */
  outOfSync: z.boolean().optional(),
});
const detailQuery = z.strictObject({
  status: z.enum(BULK_MEMBER_STATUSES).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
const idempotencyHeaders = z.object({ 'idempotency-key': z.string().max(200).optional() });

/** How often the events stream looks at the run (any process may be working on it). */
const EVENTS_POLL_MS = 250;
/** A comment line this often keeps proxies from closing an idle stream. */
const EVENTS_KEEPALIVE_MS = 15_000;

/** Bulk Sync Settings / Sync CRM for a team or a selection (issue 11, SPEC §6 Bulk). */
export const bulkRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const bulkDeps = () => {
    if (!deps.queue) throw new Error('bulk runs need a job queue (AppDeps.queue)');
    return {
      uow: deps.uow,
      keyring: deps.keyring,
      connectorFor: deps.connectorFor,
      ...(deps.accountLock ? { accountLock: deps.accountLock } : {}),
      ...(deps.oauth ? { oauth: deps.oauth } : {}),
      queue: deps.queue,
      ...(deps.bulk?.batchSize ? { batchSize: deps.bulk.batchSize } : {}),
      ...(deps.bulk?.maxMembers ? { maxMembers: deps.bulk.maxMembers } : {}),
    };
  };

  app.post(
    '/api/bulk-syncs',
    {
      schema: {
        tags: ['bulk'],
        summary:
          'Start Sync Settings or Sync CRM for a team (`teamId`) or a selection (`memberIds`), for Sync Settings optionally only the members out of sync with you (`outOfSync`): a background run, answered 202 with the run',
        body: startBody,
        headers: idempotencyHeaders,
        response: withProblems({ 202: bulkRunSchema }),
      },
    },
    async (request, reply) =>
      idempotentReply(deps, request, reply, {
        route: 'POST /api/bulk-syncs',
        payload: request.body,
        status: 202,
        work: (context) =>
          startBulkSync(bulkDeps(), context, {
            action: request.body.action,
            ...(request.body.memberIds ? { memberIds: request.body.memberIds } : {}),
            ...(request.body.teamId !== undefined ? { teamId: request.body.teamId } : {}),
            ...(request.body.categories ? { categories: request.body.categories } : {}),
            ...(request.body.dryRun !== undefined ? { dryRun: request.body.dryRun } : {}),
            ...(request.body.outOfSync !== undefined ? { outOfSync: request.body.outOfSync } : {}),
          }),
      }),
  );

  app.get(
    '/api/bulk-syncs',
    {
      schema: {
        tags: ['bulk'],
        summary: "Your organization's bulk runs, newest first",
        response: withProblems({ 200: bulkRunListSchema }),
      },
    },
    async (request) => listBulkSyncs(deps, contextOf(request)),
  );

  app.get(
    '/api/bulk-syncs/:id',
    {
      schema: {
        tags: ['bulk'],
        summary:
          'A bulk run: status, counts, time left, the aggregated per-category summary and one page of per-member results (`status=failed` for the failures)',
        params: runParams,
        querystring: detailQuery,
        response: withProblems({ 200: bulkRunDetailSchema }),
      },
    },
    async (request) =>
      getBulkSync(deps, contextOf(request), request.params.id, {
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
        ...(request.query.limit ? { limit: request.query.limit } : {}),
      }),
  );

  app.get(
    '/api/bulk-syncs/:id/events',
    {
      schema: {
        tags: ['bulk'],
        summary:
          'Progress of a bulk run as Server-Sent Events: `progress` with the run whenever it moves, then `done` when it has finished',
        description:
          'A `text/event-stream`: each event is `event: progress` or `event: done` and one `data:` line holding the run as JSON (the schema below, as GET /api/bulk-syncs/{id} gives it in `run`); comment lines (`: keep-alive`) keep an idle stream open. The stream ends after `done`, or when the server stops (reconnect). A run that is not found or not yours is an ordinary problem response before the stream opens.',
        params: runParams,
        response: {
          200: {
            description:
              'Server-Sent Events; the schema is the `data` of each `progress` and `done` event',
            content: { 'text/event-stream': { schema: bulkRunSchema } },
          },
          '4xx': problemSchema,
          '5xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      const context = contextOf(request);
      // Authorized and found before the stream opens: a refusal is an ordinary problem response.
      let last = await getBulkRun(deps, context, request.params.id);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
        'x-accel-buffering': 'no',
      });
      let closed = false;
      const isClosed = (): boolean => closed;
      request.raw.on('close', () => {
        closed = true;
      });
      const send = (event: string, run: BulkRunView): void => {
        raw.write(`event: ${event}\ndata: ${JSON.stringify(run)}\n\n`);
      };
      send('progress', last);
      let lastWrite = Date.now();
      while (!isClosed() && !last.finishedAt && !deps.isShuttingDown?.()) {
        await new Promise((resolve) => setTimeout(resolve, EVENTS_POLL_MS));
        if (isClosed()) break;
        let run: BulkRunView;
        try {
          run = await getBulkRun(deps, context, request.params.id);
        } catch {
          break; // the database went away or access ended: the client reconnects
        }
        if (
          run.done !== last.done ||
          run.status !== last.status ||
          run.cancelRequested !== last.cancelRequested
        ) {
          send('progress', run);
          lastWrite = Date.now();
        } else if (Date.now() - lastWrite > EVENTS_KEEPALIVE_MS) {
          raw.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        last = run;
      }
      if (!isClosed() && last.finishedAt) send('done', last);
      raw.end();
    },
  );

  app.post(
    '/api/bulk-syncs/:id/cancel',
    {
      schema: {
        tags: ['bulk'],
        summary:
          'Cancel a bulk run: it stops after the batches in progress; members not reached are `cancelled`',
        params: runParams,
        response: withProblems({ 200: bulkRunSchema }),
      },
    },
    async (request) => cancelBulkSync(bulkDeps(), contextOf(request), request.params.id),
  );

  app.post(
    '/api/bulk-syncs/:id/retry',
    {
      schema: {
        tags: ['bulk'],
        summary: 'Retry failed: a new run of the same action for the members that failed (202)',
        params: runParams,
        headers: idempotencyHeaders,
        response: withProblems({ 202: bulkRunSchema }),
      },
    },
    async (request, reply) =>
      idempotentReply(deps, request, reply, {
        route: 'POST /api/bulk-syncs/:id/retry',
        payload: { id: request.params.id },
        status: 202,
        work: (context) => retryFailedBulkSync(bulkDeps(), context, request.params.id),
      }),
  );

  app.post(
    '/api/bulk-syncs/:id/revert',
    {
      schema: {
        tags: ['bulk'],
        summary:
          'Revert a whole run (202): a revert run over the members it changed, each refused alone (`version_conflict`) if that member changed those settings since',
        params: runParams,
        headers: idempotencyHeaders,
        response: withProblems({ 202: bulkRunSchema }),
      },
    },
    async (request, reply) =>
      idempotentReply(deps, request, reply, {
        route: 'POST /api/bulk-syncs/:id/revert',
        payload: { id: request.params.id },
        status: 202,
        work: (context) => revertBulkSync(bulkDeps(), context, request.params.id),
      }),
  );
};

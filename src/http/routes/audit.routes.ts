import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AUDIT_EXPORT_FORMATS,
  auditChainHeadSchema,
  auditLogPageSchema,
  auditVerificationSchema,
} from '#src/domain/contracts/audit.contract.ts';
import { problemSchema, withProblems } from '#src/domain/contracts/problem.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { instant } from '#src/http/query.ts';
import { contextOf } from '#src/http/request-context.ts';
import {
  AUDIT_EXPORT_MEDIA_TYPES,
  auditCsvHeader,
  auditCsvRow,
  auditJsonLine,
} from '#src/services/audit/audit-read-format.ts';
import {
  auditChainHead,
  exportAuditLog,
  listAuditLog,
  verifyAuditLog,
} from '#src/services/audit/audit-read.service.ts';

const timeRange = {
  since: instant.optional().describe('Entries at or after this time (ISO 8601)'),
  until: instant.optional().describe('Entries before this time (ISO 8601)'),
};

const listQuery = z.strictObject({
  actor: z.string().max(100).optional().describe('Only entries by this user id'),
  target: z.string().max(100).optional().describe('Only entries about this user id'),
  action: z.string().max(100).optional().describe('Only entries of this action'),
  ...timeRange,
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

const exportQuery = z.strictObject({
  format: z.enum(AUDIT_EXPORT_FORMATS).default('jsonl'),
  actor: listQuery.shape.actor,
  target: listQuery.shape.target,
  action: listQuery.shape.action,
  ...timeRange,
});

/** The audit log for admins (SPEC §6, issue 15): read, filter, export, verify, chain head. */
export const auditRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const auditDeps = { uow: deps.uow };

  app.get(
    '/api/audit-log',
    {
      schema: {
        tags: ['audit'],
        summary:
          "Your organization's audit log, newest first: filter by `actor`, `target` (user ids), `action`, `since` and `until`",
        querystring: listQuery,
        response: withProblems({ 200: auditLogPageSchema }),
      },
    },
    async (request) => {
      const q = request.query;
      return listAuditLog(auditDeps, contextOf(request), {
        ...(q.actor === undefined ? {} : { actorId: q.actor }),
        ...(q.target === undefined ? {} : { targetId: q.target }),
        ...(q.action === undefined ? {} : { action: q.action }),
        ...(q.since === undefined ? {} : { since: q.since }),
        ...(q.until === undefined ? {} : { until: q.until }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
      });
    },
  );

  app.get(
    '/api/audit-log/export',
    {
      schema: {
        tags: ['audit'],
        summary:
          'Download the audit log oldest first, as JSON Lines (`format=jsonl`, the entries of GET /api/audit-log) or CSV (`format=csv`); `Ergo-Audit-Head` gives the chain head (`<seq> <hash>`) when the export began',
        querystring: exportQuery,
        response: {
          200: {
            description: 'The entries, one per line (CSV: after a header row)',
            content: {
              [AUDIT_EXPORT_MEDIA_TYPES.jsonl]: { schema: z.string() },
              [AUDIT_EXPORT_MEDIA_TYPES.csv]: { schema: z.string() },
            },
          },
          '4xx': problemSchema,
          '5xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { format, since, until, actor, target, action } = request.query;
      const { head, entries } = await exportAuditLog(auditDeps, contextOf(request), {
        ...(actor === undefined ? {} : { actorId: actor }),
        ...(target === undefined ? {} : { targetId: target }),
        ...(action === undefined ? {} : { action }),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
      });
      async function* lines(): AsyncGenerator<string> {
        if (format === 'csv') yield auditCsvHeader();
        for await (const entry of entries) {
          yield format === 'csv' ? auditCsvRow(entry) : auditJsonLine(entry);
        }
      }
      const day = new Date().toISOString().slice(0, 10);
      return (
        reply
          .type(AUDIT_EXPORT_MEDIA_TYPES[format])
          .header('content-disposition', `attachment; filename="ergo-audit-log-${day}.${format}"`)
          .header('ergo-audit-head', `${head.seq} ${head.hash}`)
          // A stream is sent as it is (no serializer); the schema above documents its text.
          .send(Readable.from(lines()) as unknown as string)
      );
    },
  );

  app.get(
    '/api/audit-log/verify',
    {
      schema: {
        tags: ['audit'],
        summary:
          'Verify the chain: every hash recomputed; `intact` and the last entry found good (`checkedThrough`), or where it breaks (`brokenAt`)',
        response: withProblems({ 200: auditVerificationSchema }),
      },
    },
    async (request) => verifyAuditLog(auditDeps, contextOf(request)),
  );

  app.get(
    '/api/audit-log/head',
    {
      schema: {
        tags: ['audit'],
        summary:
          "The chain head (newest entry's seq and hash): record it outside Ergo to detect removal of the newest entries later",
        response: withProblems({ 200: auditChainHeadSchema }),
      },
    },
    async (request) => auditChainHead(auditDeps, contextOf(request)),
  );
};

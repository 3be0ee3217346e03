import { can, type Actor } from '#src/domain/authorization.ts';
import type {
  AuditChainHead,
  AuditLogEntry,
  AuditLogPage,
  AuditVerification,
} from '#src/domain/contracts/audit.contract.ts';
import { GENESIS_HASH } from '#src/domain/audit/audit-chain.ts';
import { AppError } from '#src/domain/errors.ts';
import type {
  AuditChainHeadRecord,
  AuditLogFilter,
  AuditLogRecord,
} from '#src/repositories/audit.repository.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { verifyAuditChain } from '#src/services/audit/audit.service.ts';
import { actorOf, isUuid, type SyncContext } from '#src/services/sync/sync-support.ts';

/**
 * Reading the audit log (SPEC §6, issue 15): admins read, filter, export and verify their own
 * organization's chain. Entries hold ids, counts and category names, never secrets (SPEC §7:
 * appendAudit refuses details that look like one), so they are returned as stored.
 */

export interface AuditReadDeps {
  uow: UnitOfWork;
}

export interface AuditLogQuery {
  actorId?: string;
  targetId?: string;
  action?: string;
  since?: Date;
  until?: Date;
  cursor?: string;
  limit?: number;
}

export type AuditLogEntryView = AuditLogEntry;
export type { AuditChainHead, AuditLogPage, AuditVerification };

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
/** Entries read per statement while exporting. */
const EXPORT_BATCH = 500;

async function authorizeAuditRead(repos: Repositories, context: SyncContext): Promise<Actor> {
  const actor = await actorOf(repos, context);
  // Reading what admins did is an admin's capability, as reading sync history is (SPEC §4).
  if (!can(actor, 'sync:read')) {
    throw new AppError(
      'forbidden',
      'Only an active admin of this organization can read the audit log.',
    );
  }
  return actor;
}

/** A filter that names a user by something other than a user id matches nothing. */
function filterOf(query: AuditLogQuery): AuditLogFilter | undefined {
  if (query.actorId !== undefined && !isUuid(query.actorId)) return undefined;
  if (query.targetId !== undefined && !isUuid(query.targetId)) return undefined;
  return {
    ...(query.actorId === undefined ? {} : { actorId: query.actorId }),
    ...(query.targetId === undefined ? {} : { targetId: query.targetId }),
    ...(query.action === undefined ? {} : { action: query.action }),
    ...(query.since === undefined ? {} : { since: query.since }),
    ...(query.until === undefined ? {} : { until: query.until }),
  };
}

/** One page of the organization's audit log, newest first, filtered by actor, target, action and time. */
export async function listAuditLog(
  deps: AuditReadDeps,
  context: SyncContext,
  query: AuditLogQuery = {},
): Promise<AuditLogPage> {
  const actor = await authorizeAuditRead(deps.uow.read, context);
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
  const beforeId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const filter = filterOf(query);
  if (!filter) return { entries: [], nextCursor: null };
  const rows = await deps.uow.read.audit.listFiltered(actor.organizationId, filter, {
    order: 'newest',
    limit: limit + 1,
    ...(beforeId === undefined ? {} : { beforeId }),
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map(viewOf),
    nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
  };
}

/**
 * The organization's entries oldest first, for an export: authorized before the first entry is
 * read (so a refusal is an ordinary error, not a broken download), then read in batches.
 */
export async function exportAuditLog(
  deps: AuditReadDeps,
  context: SyncContext,
  query: Omit<AuditLogQuery, 'cursor' | 'limit'> = {},
): Promise<{ head: AuditChainHead; entries: AsyncIterable<AuditLogEntryView> }> {
  const actor = await authorizeAuditRead(deps.uow.read, context);
  const organizationId = actor.organizationId;
  const head = headOf(await deps.uow.read.audit.head(organizationId));
  const filter = filterOf(query);
  const repos = deps.uow.read;
  async function* entries(): AsyncGenerator<AuditLogEntryView> {
    // A filter naming a user by something other than an id matches nothing.
    if (!filter) return;
    let afterId = 0;
    for (;;) {
      const rows = await repos.audit.listFiltered(organizationId, filter, {
        order: 'oldest',
        afterId,
        limit: EXPORT_BATCH,
      });
      for (const row of rows) {
        // The export ends at the head read above: entries appended meanwhile wait for the next.
        if (row.id > head.seq) return;
        yield viewOf(row);
      }
      const last = rows.at(-1);
      if (!last || rows.length < EXPORT_BATCH) return;
      afterId = last.id;
    }
  }
  return { head, entries: entries() };
}

/**
 * Verifies the organization's chain with the one verifier (audit.service.ts verifyAuditChain)
 * and says how far it is intact. Known limit (docs/audit.md): removing the newest entries
 * leaves a shorter chain that verifies; compare `head` with one anchored outside the database.
 */
export async function verifyAuditLog(
  deps: AuditReadDeps,
  context: SyncContext,
): Promise<AuditVerification> {
  const actor = await authorizeAuditRead(deps.uow.read, context);
  const repos = deps.uow.read;
  const organizationId = actor.organizationId;
  const result = await verifyAuditChain(repos, organizationId);
  // The chain's head as the verifier saw it: its `entries`-th entry (entries are never deleted,
  // so appends since do not move it).
  const head = headOf(await repos.audit.entryAt(organizationId, result.entries));
  if (result.ok) {
    return { intact: true, checkedThrough: head.seq, count: result.entries, head };
  }
  const lastGood = await repos.audit.entryBefore(organizationId, result.brokenAtId);
  return {
    intact: false,
    checkedThrough: lastGood?.id ?? 0,
    count: result.entries,
    head,
    brokenAt: result.brokenAtId,
    reason: result.reason,
  };
}

/** The organization's chain head, to anchor outside the database (docs/audit.md). */
export async function auditChainHead(
  deps: AuditReadDeps,
  context: SyncContext,
): Promise<AuditChainHead> {
  const actor = await authorizeAuditRead(deps.uow.read, context);
  return headOf(await deps.uow.read.audit.head(actor.organizationId));
}

/** Every organization's chain head (the scheduled `audit chain head` log line; no actor). */
export async function allAuditChainHeads(
  repos: Repositories,
): Promise<(AuditChainHead & { organizationId: string })[]> {
  const heads = await repos.audit.allHeads();
  return heads.map((head) => ({ organizationId: head.organizationId, ...headOf(head) }));
}

export interface AuditHeadLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Hourly: often enough that at most an hour of newest entries could vanish unnoticed. */
export const AUDIT_HEAD_LOG_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Publishes the chain heads (issue 15): logs `audit chain head` with each organization's seq
 * and hash now and then every `intervalMs`, so an operator can ship them to a store outside the
 * database (docs/audit.md). Returns a stop function; the timer never keeps the process alive.
 */
export function publishAuditChainHeads(
  repos: Repositories,
  logger: AuditHeadLogger,
  intervalMs: number = AUDIT_HEAD_LOG_INTERVAL_MS,
): () => void {
  const publish = async (): Promise<void> => {
    try {
      const heads = await allAuditChainHeads(repos);
      if (heads.length === 0) logger.info({ organizations: 0 }, 'audit chain head: no entries yet');
      for (const head of heads) {
        logger.info(
          {
            organizationId: head.organizationId,
            seq: head.seq,
            hash: head.hash,
            at: head.at?.toISOString() ?? null,
          },
          'audit chain head',
        );
      }
    } catch (error) {
      logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'audit chain heads not published this time',
      );
    }
  };
  void publish();
  const timer = setInterval(() => void publish(), intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

function headOf(record: AuditChainHeadRecord | undefined): AuditChainHead {
  return record
    ? { seq: record.id, hash: record.hash, at: record.occurredAt }
    : { seq: 0, hash: GENESIS_HASH, at: null };
}

function viewOf(row: AuditLogRecord): AuditLogEntryView {
  return {
    seq: row.id,
    id: String(row.id),
    at: row.occurredAt,
    action: row.action,
    outcome: row.outcome,
    categories: [...row.categories],
    actor: row.actor,
    target: row.target,
    details: row.details,
    requestId: row.requestId,
    hash: row.hash,
    prevHash: row.prevHash,
  };
}

/** A page cursor: the seq of the last entry shown (pages go to older entries). */
function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) {
    throw new AppError(
      'invalid_request',
      'That page cursor is not valid: start from the first page.',
    );
  }
  return Number(match[1]);
}

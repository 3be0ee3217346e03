import { can } from '#src/domain/authorization.ts';
import { AppError } from '#src/domain/errors.ts';
import {
  SYNC_HISTORY_CSV_COLUMNS,
  type SyncHistoryFilter,
  type SyncHistoryItem,
  type SyncHistoryPage,
} from '#src/domain/contracts/sync.contract.ts';
import { csvRow } from '#src/domain/csv.ts';
import type { SyncRunListItem } from '#src/repositories/sync-run.repository.ts';
import { isUuid, resolveActor, type SyncContext } from '#src/services/sync/sync-support.ts';
import type { SyncDeps } from '#src/services/sync/sync-settings.service.ts';

export type { SyncHistoryItem, SyncHistoryPage };

/** Only admins read the history (SPEC §4); throws `forbidden` otherwise. */
async function historyReader(deps: Pick<SyncDeps, 'uow'>, context: SyncContext) {
  const actor = await resolveActor(deps.uow.read, context.actorId);
  if (!can(actor, 'sync:read'))
    throw new AppError(
      'forbidden',
      'Only an active admin of this organization can read sync history.',
    );
  return actor;
}

/** A filter naming a user by something other than an id matches nothing (never a 500). */
function matchesNothing(filter: SyncHistoryFilter): boolean {
  return (
    (filter.memberId !== undefined && !isUuid(filter.memberId)) ||
    (filter.actorId !== undefined && !isUuid(filter.actorId))
  );
}

function toItem(r: SyncRunListItem): SyncHistoryItem {
  return {
    id: r.id,
    action: r.action,
    status: r.status,
    categories: r.categories,
    actorId: r.actorId,
    actorName: r.actorName,
    targetId: r.targetId,
    targetName: r.targetName,
    sourceUserId: r.sourceUserId,
    createdAt: r.createdAt,
    result: r.result,
    revertsSyncId: r.revertsSyncId,
    revertedBySyncId: r.revertedBySyncId,
  };
}

/**
 * Sync history of the actor's organization, newest first, filtered by member, admin, action,
 * status and time (issue 15 §6).
 */
export async function listSyncs(
  deps: Pick<SyncDeps, 'uow'>,
  context: SyncContext,
  filter: SyncHistoryFilter & { cursor?: string; limit?: number } = {},
): Promise<SyncHistoryPage> {
  const actor = await historyReader(deps, context);
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const before = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
  if (matchesNothing(filter)) return { items: [], nextCursor: null };
  const { memberId, actorId, action, status, since, until } = filter;
  const rows = await deps.uow.read.syncRuns.list(actor.organizationId, {
    ...(memberId === undefined ? {} : { memberId }),
    ...(actorId === undefined ? {} : { actorId }),
    ...(action === undefined ? {} : { action }),
    ...(status === undefined ? {} : { status }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    limit: limit + 1,
    ...(before === undefined ? {} : { beforeSeq: before }),
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
  };
}

/**
 * Every entry of the filtered history, newest first, read page by page (500 at a time) as the
 * export streams them. The admin check runs before the first row is read.
 */
export async function exportSyncs(
  deps: Pick<SyncDeps, 'uow'>,
  context: SyncContext,
  filter: SyncHistoryFilter,
): Promise<AsyncIterable<SyncHistoryItem>> {
  const actor = await historyReader(deps, context);
  const empty = matchesNothing(filter);
  async function* entries(): AsyncGenerator<SyncHistoryItem> {
    if (empty) return;
    let beforeSeq: number | undefined;
    for (;;) {
      const rows = await deps.uow.read.syncRuns.list(actor.organizationId, {
        ...filter,
        limit: EXPORT_BATCH,
        ...(beforeSeq === undefined ? {} : { beforeSeq }),
      });
      for (const row of rows) yield toItem(row);
      const last = rows.at(-1);
      if (rows.length < EXPORT_BATCH || !last) return;
      beforeSeq = last.seq;
    }
  }
  return entries();
}

const EXPORT_BATCH = 500;

/** One history entry as a row of the CSV export (with its CRLF). */
export function syncHistoryCsvRow(item: SyncHistoryItem): string {
  const cells = {
    id: item.id,
    at: item.createdAt.toISOString(),
    action: item.action,
    status: item.status,
    categories: item.categories.join(' '),
    admin_id: item.actorId ?? '',
    admin_name: item.actorName ?? '',
    member_id: item.targetId ?? '',
    member_name: item.targetName ?? '',
    reverts_sync_id: item.revertsSyncId ?? '',
    reverted_by_sync_id: item.revertedBySyncId ?? '',
    result: JSON.stringify(item.result ?? null),
  } satisfies Record<(typeof SYNC_HISTORY_CSV_COLUMNS)[number], string>;
  return csvRow(SYNC_HISTORY_CSV_COLUMNS.map((column) => cells[column]));
}

export function syncHistoryCsvHeader(): string {
  return csvRow(SYNC_HISTORY_CSV_COLUMNS);
}

/** A page cursor: the apply order (`seq`) of the last row shown. */
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

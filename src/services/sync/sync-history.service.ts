import { can } from '#src/domain/authorization.ts';
import { AppError } from '#src/domain/errors.ts';
import type { SyncHistoryItem, SyncHistoryPage } from '#src/domain/contracts/sync.contract.ts';
import { isUuid, resolveActor, type SyncContext } from '#src/services/sync/sync-support.ts';
import type { SyncDeps } from '#src/services/sync/sync-settings.service.ts';

export type { SyncHistoryItem, SyncHistoryPage };

/** Sync history of the actor's organization, newest first, optionally for one member. */
export async function listSyncs(
  deps: Pick<SyncDeps, 'uow'>,
  context: SyncContext,
  filter: { memberId?: string; cursor?: string; limit?: number } = {},
): Promise<SyncHistoryPage> {
  const actor = await resolveActor(deps.uow.read, context.actorId);
  if (!can(actor, 'sync:read'))
    throw new AppError(
      'forbidden',
      'Only an active admin of this organization can read sync history.',
    );
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  if (filter.memberId !== undefined && !isUuid(filter.memberId))
    return { items: [], nextCursor: null };
  const before = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
  const rows = await deps.uow.read.syncRuns.list(actor.organizationId, {
    limit: limit + 1,
    ...(filter.memberId === undefined ? {} : { targetId: filter.memberId }),
    ...(before === undefined ? {} : { beforeSeq: before }),
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
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
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
  };
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

import { sql, type Kysely } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type { SyncHistoryFilter } from '#src/domain/contracts/sync.contract.ts';
import type { DB, SyncAction, SyncStatus } from '#src/db/schema.ts';

export interface SyncRunRecord {
  id: string;
  organizationId: string;
  actorId: string | null;
  targetId: string | null;
  sourceUserId: string | null;
  action: SyncAction;
  categories: string[];
  status: SyncStatus;
  result: unknown;
  snapshot: unknown;
  revertsSyncId: string | null;
  revertedBySyncId: string | null;
  errorCode: string | null;
  requestId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** Apply order (SPEC §6 history): assigned at insert, under the target's lock. */
  seq: number;
}

/** A history row with the names a person reads. */
export interface SyncRunListItem extends SyncRunRecord {
  actorName: string | null;
  targetName: string | null;
}

export interface NewSyncRun {
  organizationId: string;
  actorId: string;
  targetId: string | null;
  sourceUserId: string | null;
  action: SyncAction;
  categories: readonly string[];
  status: SyncStatus;
  result: unknown;
  snapshot?: unknown;
  revertsSyncId?: string | null;
  errorCode?: string | null;
  requestId: string | null;
  /** The bulk run this entry belongs to (at most one applied entry per run and member). */
  bulkRunId?: string | null;
}

const COLUMNS = [
  'id',
  'organization_id',
  'actor_id',
  'target_id',
  'source_user_id',
  'action',
  'categories',
  'status',
  'result',
  'snapshot',
  'reverts_sync_id',
  'reverted_by_sync_id',
  'error_code',
  'request_id',
  'created_at',
  'finished_at',
  'seq',
] as const;

type Row = {
  id: string;
  organization_id: string;
  actor_id: string | null;
  target_id: string | null;
  source_user_id: string | null;
  action: SyncAction;
  categories: string[];
  status: SyncStatus;
  result: unknown;
  snapshot: unknown;
  reverts_sync_id: string | null;
  reverted_by_sync_id: string | null;
  error_code: string | null;
  request_id: string | null;
  created_at: Date;
  finished_at: Date | null;
  seq: number;
};

function toRecord(r: Row): SyncRunRecord {
  return {
    id: r.id,
    organizationId: r.organization_id,
    actorId: r.actor_id,
    targetId: r.target_id,
    sourceUserId: r.source_user_id,
    action: r.action,
    categories: r.categories,
    status: r.status,
    result: r.result,
    snapshot: r.snapshot,
    revertsSyncId: r.reverts_sync_id,
    revertedBySyncId: r.reverted_by_sync_id,
    errorCode: r.error_code,
    requestId: r.request_id,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    seq: r.seq,
  };
}

/** History of syncs: what was done, to whom, and the previous values for undo. */
export class SyncRunRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(run: NewSyncRun): Promise<SyncRunRecord> {
    const [record] = await this.insertMany([run]);
    if (!record) throw new Error('sync_runs insert returned no row');
    return record;
  }

  /** Inserts history entries in one statement, returned in the order given. */
  async insertMany(runs: readonly NewSyncRun[]): Promise<SyncRunRecord[]> {
    if (runs.length === 0) return [];
    const rows = await this.db
      .insertInto('sync_runs')
      .values(
        runs.map((run) => ({
          organization_id: run.organizationId,
          actor_id: run.actorId,
          target_id: run.targetId,
          source_user_id: run.sourceUserId,
          action: run.action,
          categories: [...run.categories],
          status: run.status,
          result: toJson(run.result),
          snapshot: run.snapshot === undefined ? null : toJson(run.snapshot),
          reverts_sync_id: run.revertsSyncId ?? null,
          error_code: run.errorCode ?? null,
          request_id: run.requestId,
          bulk_run_id: run.bulkRunId ?? null,
          // The statement's clock, not the transaction's start (now()): the real end of the work.
          finished_at: sql<Date>`clock_timestamp()`,
        })),
      )
      .returning(COLUMNS)
      .execute();
    // RETURNING gives the rows in VALUES order for a plain INSERT … VALUES.
    return rows.map(toRecord);
  }

  /** Tenancy in the WHERE clause: another organization's sync is not found. */
  async findInOrganization(
    organizationId: string,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<SyncRunRecord | undefined> {
    let query = this.db
      .selectFrom('sync_runs')
      .select(COLUMNS)
      .where('organization_id', '=', organizationId)
      .where('id', '=', id);
    if (options.forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && toRecord(row);
  }

  /** A member's applied entry in a bulk run, if it has one. */
  async idInBulkRun(bulkRunId: string, targetId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('sync_runs')
      .select('id')
      .where('bulk_run_id', '=', bulkRunId)
      .where('target_id', '=', targetId)
      .where('status', 'in', ['applied', 'partial'])
      .executeTakeFirst();
    return row?.id;
  }

  async markReverted(id: string, revertedBySyncId: string): Promise<void> {
    await this.db
      .updateTable('sync_runs')
      .set({ reverted_by_sync_id: revertedBySyncId })
      .where('id', '=', id)
      .execute();
  }

  /** The result once known (Sync CRM's owner-property step), and the status it gives the run. */
  async updateResult(id: string, result: unknown, status?: SyncStatus): Promise<void> {
    await this.db
      .updateTable('sync_runs')
      .set({ result: toJson(result), ...(status === undefined ? {} : { status }) })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Per category, the newest sync (or revert) applied to the member after `afterSeq` that wrote
   * it, with who ran it: what a refused revert names as the change since (one statement).
   */
  async latestWritesSince(
    targetId: string,
    categories: readonly string[],
    afterSeq: number,
  ): Promise<{ category: string; actorName: string | null; action: SyncAction; at: Date }[]> {
    if (categories.length === 0) return [];
    const { rows } = await sql<{
      category: string;
      actor_name: string | null;
      action: SyncAction;
      at: Date;
    }>`
      select distinct on (c.category) c.category, u.name as actor_name, r.action, r.created_at as at
      from sync_runs r
      cross join lateral unnest(r.categories) as c(category)
      left join users u on u.id = r.actor_id
      where r.target_id = ${targetId} and r.seq > ${afterSeq}
        and r.status in ('applied', 'partial')
        and c.category in (${sql.join(categories.map((c) => sql`${c}`))})
      order by c.category, r.seq desc`.execute(this.db);
    return rows.map((r) => ({
      category: r.category,
      actorName: r.actor_name,
      action: r.action,
      at: new Date(r.at),
    }));
  }

  /** Newest applied first (by `seq`), with actor and target names; `beforeSeq` is the cursor. */
  async list(
    organizationId: string,
    filter: SyncHistoryFilter & { limit: number; beforeSeq?: number },
  ): Promise<SyncRunListItem[]> {
    let query = this.db
      .selectFrom('sync_runs')
      .leftJoin('users as actor', 'actor.id', 'sync_runs.actor_id')
      .leftJoin('users as target', 'target.id', 'sync_runs.target_id')
      .select(COLUMNS.map((c) => `sync_runs.${c}` as const))
      .select(['actor.name as actor_name', 'target.name as target_name'])
      .where('sync_runs.organization_id', '=', organizationId)
      .orderBy('sync_runs.seq', 'desc')
      .limit(filter.limit);
    if (filter.memberId) query = query.where('sync_runs.target_id', '=', filter.memberId);
    if (filter.actorId) query = query.where('sync_runs.actor_id', '=', filter.actorId);
    if (filter.action) query = query.where('sync_runs.action', '=', filter.action);
    if (filter.status) query = query.where('sync_runs.status', '=', filter.status);
    if (filter.since) query = query.where('sync_runs.created_at', '>=', filter.since);
    if (filter.until) query = query.where('sync_runs.created_at', '<', filter.until);
    if (filter.beforeSeq !== undefined) query = query.where('sync_runs.seq', '<', filter.beforeSeq);
    return (await query.execute()).map((r) => ({
      ...toRecord(r),
      actorName: r.actor_name,
      targetName: r.target_name,
    }));
  }
}

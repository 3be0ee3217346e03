import { sql, type Kysely, type Selectable } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type {
  BulkAction,
  BulkMemberStatus,
  BulkRunsTable,
  BulkRunStatus,
  BulkTrigger,
  DB,
} from '#src/db/schema.ts';

export interface BulkRunRecord {
  id: string;
  organizationId: string;
  actorId: string;
  action: BulkAction;
  categories: string[];
  dryRun: boolean;
  status: BulkRunStatus;
  total: number;
  done: number;
  applied: number;
  unchanged: number;
  failed: number;
  cancelled: number;
  batchSize: number;
  batches: number;
  teamId: string | null;
  retryOf: string | null;
  /** A revert run: the run whose members' syncs it reverts. */
  revertsRunId: string | null;
  cancelRequestedAt: Date | null;
  requestId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** `follow`: a follow push or a member's arrival (issue 16); `manual`: an admin started it. */
  trigger: BulkTrigger;
}

/** One member's outcome in a run, with the names a person reads. */
export interface BulkMemberRecord {
  memberId: string;
  name: string | null;
  email: string | null;
  position: number;
  status: BulkMemberStatus;
  errorCode: string | null;
  syncRunId: string | null;
  counts: unknown;
  finishedAt: Date | null;
}

/** What a batch settles for one member, in the batch's transaction. */
export interface MemberOutcome {
  memberId: string;
  status: Exclude<BulkMemberStatus, 'pending'>;
  errorCode?: string | null;
  syncRunId?: string | null;
  counts?: unknown;
}

const RUN_COLUMNS = [
  'id',
  'organization_id',
  'actor_id',
  'action',
  'categories',
  'dry_run',
  'status',
  'total',
  'done',
  'applied',
  'unchanged',
  'failed',
  'cancelled',
  'batch_size',
  'batches',
  'team_id',
  'retry_of',
  'reverts_run_id',
  'cancel_requested_at',
  'request_id',
  'created_at',
  'started_at',
  'finished_at',
  'trigger',
] as const;

function toRun(row: Pick<Selectable<BulkRunsTable>, (typeof RUN_COLUMNS)[number]>): BulkRunRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    actorId: row.actor_id,
    action: row.action,
    categories: row.categories,
    dryRun: row.dry_run,
    status: row.status,
    total: row.total,
    done: row.done,
    applied: row.applied,
    unchanged: row.unchanged,
    failed: row.failed,
    cancelled: row.cancelled,
    batchSize: row.batch_size,
    batches: row.batches,
    teamId: row.team_id,
    retryOf: row.retry_of,
    revertsRunId: row.reverts_run_id,
    cancelRequestedAt: row.cancel_requested_at,
    requestId: row.request_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    trigger: row.trigger,
  };
}

/**
 * Bulk runs and their members (ADR 0012). The member rows are the run's durable state: a batch
 * reads its pending members under row locks and settles them in its own transaction.
 */
export class BulkRunRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Creates a run and its member rows (positions in the order given, batches of `batchSize`)
   * in two statements, set-based whatever the number of members.
   */
  async create(run: {
    organizationId: string;
    actorId: string;
    action: BulkAction;
    categories: readonly string[];
    dryRun: boolean;
    memberIds: readonly string[];
    batchSize: number;
    teamId: string | null;
    retryOf: string | null;
    revertsRunId?: string | null;
    requestId: string | null;
    trigger?: BulkTrigger;
  }): Promise<BulkRunRecord> {
    const total = run.memberIds.length;
    const row = await this.db
      .insertInto('bulk_runs')
      .values({
        organization_id: run.organizationId,
        actor_id: run.actorId,
        action: run.action,
        categories: [...run.categories],
        dry_run: run.dryRun,
        status: 'queued',
        total,
        batch_size: run.batchSize,
        batches: Math.ceil(total / run.batchSize),
        team_id: run.teamId,
        retry_of: run.retryOf,
        reverts_run_id: run.revertsRunId ?? null,
        request_id: run.requestId,
        trigger: run.trigger ?? 'manual',
      })
      .returning(RUN_COLUMNS)
      .executeTakeFirstOrThrow();
    if (total > 0) {
      await sql`
        insert into bulk_run_members (run_id, member_id, position, batch)
        select ${row.id}::uuid, m.id, (m.ord - 1)::int, ((m.ord - 1) / ${run.batchSize}::int)::int
        from unnest(${sql.val([...run.memberIds])}::uuid[]) with ordinality as m(id, ord)
      `.execute(this.db);
    }
    return toRun(row);
  }

  async find(organizationId: string, id: string): Promise<BulkRunRecord | undefined> {
    const row = await this.db
      .selectFrom('bulk_runs')
      .select(RUN_COLUMNS)
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRun(row);
  }

  /** The run by id alone (workers: the job names only the run). */
  async findById(
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<BulkRunRecord | undefined> {
    let query = this.db.selectFrom('bulk_runs').select(RUN_COLUMNS).where('id', '=', id);
    if (options.forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && toRun(row);
  }

  /** An organization's runs, newest first. */
  async list(organizationId: string, limit: number): Promise<BulkRunRecord[]> {
    const rows = await this.db
      .selectFrom('bulk_runs')
      .select(RUN_COLUMNS)
      .where('organization_id', '=', organizationId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toRun);
  }

  /** Marks the run running (first batch to start); no-op once running or finished. */
  async markStarted(id: string): Promise<void> {
    await this.db
      .updateTable('bulk_runs')
      .set({ status: 'running', started_at: sql<Date>`clock_timestamp()` })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .execute();
  }

  /** Asks the run to stop after the batches in progress. Returns false if it had finished. */
  async requestCancel(organizationId: string, id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('bulk_runs')
      .set({ cancel_requested_at: sql<Date>`coalesce(cancel_requested_at, clock_timestamp())` })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * The batch's members still pending, locked: a second delivery of the same batch waits here
   * for the first to commit, then finds them settled (READ COMMITTED re-checks the row).
   */
  async lockPendingOfBatch(runId: string, batch: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('bulk_run_members')
      .select('member_id')
      .where('run_id', '=', runId)
      .where('batch', '=', batch)
      .where('status', '=', 'pending')
      .orderBy('position')
      .forUpdate()
      .execute();
    return rows.map((r) => r.member_id);
  }

  /**
   * A Sync CRM batch's pending members, locked, with the history entry of their key copy when
   * it is already committed (the owner-property step is what is left of them).
   */
  async lockPendingCrmMembers(
    runId: string,
    batch: number,
  ): Promise<{ memberId: string; syncRunId: string | null }[]> {
    const rows = await this.db
      .selectFrom('bulk_run_members')
      .select(['member_id', 'sync_run_id'])
      .where('run_id', '=', runId)
      .where('batch', '=', batch)
      .where('status', '=', 'pending')
      .orderBy('position')
      .forUpdate()
      .execute();
    return rows.map((r) => ({ memberId: r.member_id, syncRunId: r.sync_run_id }));
  }

  /** Records the key copy's history entry of pending members, who stay pending until their owner step ends. */
  async markKeysCopied(
    runId: string,
    entries: readonly { memberId: string; syncRunId: string }[],
  ): Promise<number> {
    if (entries.length === 0) return 0;
    const result = await sql`
      update bulk_run_members m set sync_run_id = e."syncRunId"
        from jsonb_to_recordset(${JSON.stringify(entries)}::jsonb)
             as e("memberId" uuid, "syncRunId" uuid)
       where m.run_id = ${runId} and m.member_id = e."memberId"
         and m.status = 'pending' and m.sync_run_id is null`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /** Settles members, only those still pending; returns the ids it settled. */
  async settle(runId: string, outcomes: readonly MemberOutcome[]): Promise<string[]> {
    if (outcomes.length === 0) return [];
    const payload = outcomes.map((o) => ({
      member_id: o.memberId,
      status: o.status,
      error_code: o.errorCode ?? null,
      sync_run_id: o.syncRunId ?? null,
      counts: o.counts ?? null,
    }));
    const result = await sql<{ member_id: string }>`
      update bulk_run_members m
      set status = o.status, error_code = o.error_code, sync_run_id = o.sync_run_id,
          counts = o.counts, finished_at = clock_timestamp()
      from jsonb_to_recordset(${toJson(payload)}::jsonb)
        as o(member_id uuid, status text, error_code text, sync_run_id uuid, counts jsonb)
      where m.run_id = ${runId} and m.member_id = o.member_id and m.status = 'pending'
      returning m.member_id
    `.execute(this.db);
    return result.rows.map((r) => r.member_id);
  }

  /**
   * Sync CRM: the member was settled `applied` by the key copy; records its history entry and
   * the owner-property outcome per CRM (a failed owner step makes the member `failed`, so
   * "Retry failed" runs Sync CRM again for it: the keys already match, only the step re-runs).
   */
  async recordCrmOutcome(
    runId: string,
    memberId: string,
    outcome: { syncRunId: string; counts: unknown; errorCode: string | null },
  ): Promise<void> {
    await this.db
      .updateTable('bulk_run_members')
      .set({
        status: outcome.errorCode ? 'failed' : 'applied',
        error_code: outcome.errorCode,
        sync_run_id: outcome.syncRunId,
        counts: toJson(outcome.counts),
        finished_at: sql<Date>`clock_timestamp()`,
      })
      .where('run_id', '=', runId)
      .where('member_id', '=', memberId)
      // Once: a batch delivered again after the outcome was recorded leaves it as it is.
      .where('status', '=', 'pending')
      .execute();
  }

  /**
   * Adds a batch's tallies to the run under its row lock, and finishes the run when no member is
   * left pending (the lock orders the batches' ends, so exactly one of them finishes it).
   */
  async recordProgress(runId: string): Promise<{ run: BulkRunRecord; finishedNow: boolean }> {
    const before = await this.db
      .selectFrom('bulk_runs')
      .select('finished_at')
      .where('id', '=', runId)
      .forUpdate()
      .executeTakeFirst();
    const row = await sql<Selectable<BulkRunsTable>>`
      with tally as (
        select
          count(*) filter (where status <> 'pending')::int as done,
          count(*) filter (where status = 'applied')::int as applied,
          count(*) filter (where status = 'unchanged')::int as unchanged,
          count(*) filter (where status = 'failed')::int as failed,
          count(*) filter (where status = 'cancelled')::int as cancelled,
          count(*) filter (where status = 'pending')::int as pending
        from bulk_run_members where run_id = ${runId}
      )
      update bulk_runs r set
        done = tally.done, applied = tally.applied, unchanged = tally.unchanged,
        failed = tally.failed, cancelled = tally.cancelled,
        status = case
          when tally.pending > 0 then (case when r.status = 'queued' then 'running' else r.status end)
          when tally.cancelled > 0 then 'cancelled'
          else 'completed' end,
        started_at = coalesce(r.started_at, clock_timestamp()),
        finished_at = case when tally.pending = 0 then coalesce(r.finished_at, clock_timestamp()) end
      from tally
      where r.id = ${runId}
      returning r.*
    `.execute(this.db);
    const updated = row.rows[0];
    if (!updated || !before) throw new Error(`bulk run ${runId} not found`);
    const run = toRun(updated);
    return { run, finishedNow: before.finished_at === null && run.finishedAt !== null };
  }

  /**
   * Adds what a batch settled to the run's tallies, finishing the run when every member is
   * settled. One statement, meant to be the last before COMMIT: the run's row stays locked only
   * from here to the commit, so batches of one run (in any number of workers) do not queue
   * behind each other's work. Concurrent updates re-apply to the newest row version, so the
   * increments add up and exactly one batch sees the run finish.
   */
  async recordSettled(
    runId: string,
    tally: { applied: number; unchanged: number; failed: number; cancelled: number },
  ): Promise<{ run: BulkRunRecord; finishedNow: boolean } | undefined> {
    const n = tally.applied + tally.unchanged + tally.failed + tally.cancelled;
    if (n === 0) return undefined;
    const result = await sql<Selectable<BulkRunsTable>>`
      update bulk_runs set
        done = done + ${n}::int,
        applied = applied + ${tally.applied}::int,
        unchanged = unchanged + ${tally.unchanged}::int,
        failed = failed + ${tally.failed}::int,
        cancelled = cancelled + ${tally.cancelled}::int,
        status = case
          when done + ${n}::int >= total then
            (case when cancelled + ${tally.cancelled}::int > 0 then 'cancelled' else 'completed' end)
          when status = 'queued' then 'running'
          else status end,
        started_at = coalesce(started_at, clock_timestamp()),
        finished_at = case when done + ${n}::int >= total
          then coalesce(finished_at, clock_timestamp()) else finished_at end
      where id = ${runId}
      returning *
    `.execute(this.db);
    const row = result.rows[0];
    if (!row) throw new Error(`bulk run ${runId} not found`);
    const run = toRun(row);
    return { run, finishedNow: run.done >= run.total && run.done - n < run.total };
  }

  /** Cancels every pending member of the run (cancel requested): one statement. */
  async cancelPending(runId: string, batch?: number): Promise<number> {
    let query = this.db
      .updateTable('bulk_run_members')
      .set({ status: 'cancelled', finished_at: sql<Date>`clock_timestamp()` })
      .where('run_id', '=', runId)
      .where('status', '=', 'pending')
      // A Sync CRM member whose keys are already copied is past cancelling: its owner step ends it.
      .where('sync_run_id', 'is', null);
    if (batch !== undefined) query = query.where('batch', '=', batch);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** One page of a run's members by position, optionally of one status. */
  async listMembers(
    runId: string,
    page: { status?: BulkMemberStatus; afterPosition?: number; limit: number },
  ): Promise<BulkMemberRecord[]> {
    let query = this.db
      .selectFrom('bulk_run_members as m')
      .innerJoin('bulk_runs as r', 'r.id', 'm.run_id')
      // Names only of users of the run's organization: an id of another organization's user
      // in a selection is reported (target_not_found) but never named.
      .leftJoin('users as u', (join) =>
        join.onRef('u.id', '=', 'm.member_id').onRef('u.organization_id', '=', 'r.organization_id'),
      )
      .select([
        'm.member_id',
        'u.name',
        'u.email',
        'm.position',
        'm.status',
        'm.error_code',
        'm.sync_run_id',
        'm.counts',
        'm.finished_at',
      ])
      .where('m.run_id', '=', runId);
    if (page.status) query = query.where('m.status', '=', page.status);
    if (page.afterPosition !== undefined)
      query = query.where('m.position', '>', page.afterPosition);
    const rows = await query.orderBy('m.position').limit(page.limit).execute();
    return rows.map((r) => ({
      memberId: r.member_id,
      name: r.name,
      email: r.email,
      position: r.position,
      status: r.status,
      errorCode: r.error_code,
      syncRunId: r.sync_run_id,
      counts: r.counts,
      finishedAt: r.finished_at,
    }));
  }

  /** Members of a run with an applied history entry that changed something: what a revert undoes. */
  async revertibleMembers(runId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('bulk_run_members as m')
      .innerJoin('sync_runs as s', 's.id', 'm.sync_run_id')
      .select('m.member_id')
      .where('m.run_id', '=', runId)
      .where('m.status', '=', 'applied')
      .where('s.snapshot', 'is not', null)
      .orderBy('m.position')
      .execute();
    return rows.map((r) => r.member_id);
  }

  /** The history entry a member got in a run (a revert run reverts it). */
  async syncRunOf(runId: string, memberId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('bulk_run_members')
      .select('sync_run_id')
      .where('run_id', '=', runId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
    return row?.sync_run_id ?? undefined;
  }

  /** Member ids of a run with one status, in position order (retry failed). */
  async memberIdsWithStatus(runId: string, status: BulkMemberStatus): Promise<string[]> {
    const rows = await this.db
      .selectFrom('bulk_run_members')
      .select('member_id')
      .where('run_id', '=', runId)
      .where('status', '=', status)
      .orderBy('position')
      .execute();
    return rows.map((r) => r.member_id);
  }

  /**
   * Per category, the sums of the members' counts, and how many members change (or would):
   * the aggregated preview, computed in SQL over the stored per-member counts.
   */
  async summarize(runId: string): Promise<{
    membersChanging: number;
    categories: {
      category: string;
      added: number;
      updated: number;
      removed: number;
      unchanged: number;
      members: number;
    }[];
  }> {
    const [changing, categories] = await Promise.all([
      this.db
        .selectFrom('bulk_run_members')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('run_id', '=', runId)
        .where('status', '=', 'applied')
        .executeTakeFirstOrThrow(),
      sql<{
        category: string;
        added: number;
        updated: number;
        removed: number;
        unchanged: number;
        members: number;
      }>`
        select c.key as category,
          coalesce(sum((c.value->>'added')::int), 0)::int as added,
          coalesce(sum((c.value->>'updated')::int), 0)::int as updated,
          coalesce(sum((c.value->>'removed')::int), 0)::int as removed,
          coalesce(sum((c.value->>'unchanged')::int), 0)::int as unchanged,
          count(*) filter (where (c.value->>'added')::int + (c.value->>'updated')::int
                                 + (c.value->>'removed')::int > 0)::int as members
        from bulk_run_members m, jsonb_each(m.counts) c
        where m.run_id = ${runId} and jsonb_typeof(m.counts) = 'object'
        group by c.key
        order by c.key
      `.execute(this.db),
    ]);
    return { membersChanging: changing.n, categories: categories.rows };
  }

  /** Batches that still have pending members, of runs not finished (the in-process runner's resume). */
  async unfinishedBatches(): Promise<{ runId: string; batch: number }[]> {
    const rows = await sql<{ run_id: string; batch: number }>`
      select distinct m.run_id, m.batch
      from bulk_run_members m join bulk_runs r on r.id = m.run_id
      where r.status in ('queued', 'running') and m.status = 'pending'
      order by m.run_id, m.batch
    `.execute(this.db);
    return rows.rows.map((r) => ({ runId: r.run_id, batch: r.batch }));
  }
}

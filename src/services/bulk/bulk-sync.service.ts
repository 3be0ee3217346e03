import { DEFAULT_BULK_BATCH_SIZE } from '#src/domain/bulk-defaults.ts';
import { can, authorizeMemberAction, type Actor } from '#src/domain/authorization.ts';
import type {
  BulkAction,
  BulkMemberResult,
  BulkMemberStatus,
  BulkRun,
  BulkRunDetail,
  BulkRunList,
} from '#src/domain/contracts/bulk.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import type { AuditEntryInput } from '#src/domain/audit/audit-chain.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import type { BulkTrigger } from '#src/db/schema.ts';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { orderForApply } from '#src/domain/sync/sync-rules.ts';
import type { BatchJob, JobQueue } from '#src/jobs/job-queue.ts';
import { BATCH_RETRY_LIMIT } from '#src/jobs/job-queue.ts';
import type {
  BulkMemberRecord,
  BulkRunRecord,
  MemberOutcome,
} from '#src/repositories/bulk-run.repository.ts';
import type { Repositories } from '#src/repositories/repositories.ts';
import { appendAudit, appendAuditMany } from '#src/services/audit/audit.service.ts';
import { driftOfMembers } from '#src/services/sync/drift.service.ts';
import { revertSync } from '#src/services/sync/revert-sync.service.ts';
import {
  copyCrmKeys,
  runOwnerPropertyStep,
  type SyncCrmDeps,
} from '#src/services/sync/sync-crm.service.ts';
import {
  applySyncPlans,
  planSync,
  readPlanSource,
  type PlanSource,
} from '#src/services/sync/sync-engine.ts';
import {
  countsByCategory,
  historyEntryOf,
  parseCategorySelection,
} from '#src/services/sync/sync-settings.service.ts';
import {
  auditRefusal,
  isUuid,
  resolveActor,
  type SyncContext,
  type TargetMember,
} from '#src/services/sync/sync-support.ts';

/**
 * Bulk Sync Settings / Sync CRM (issue 11, ADR 0012). A run is created with its members in one
 * transaction, together with its batch jobs; each batch is settled in its own transaction:
 * authorization per member (fresh), then the one sync engine over all the batch's targets at
 * once (`planSync` / `applySyncPlans`), one history entry per member, one audit append for the
 * batch. A member is settled only while pending, so a batch delivered twice applies nobody twice.
 */

export interface BulkDeps extends SyncCrmDeps {
  queue: JobQueue;
  /** Members per batch (one transaction each). */
  batchSize?: number;
  /** The largest selection one run takes. */
  maxMembers?: number;
}

export const DEFAULT_MAX_MEMBERS = 10_000;

export interface BulkSyncInput {
  action: Exclude<BulkAction, 'revert'>;
  memberIds?: readonly string[];
  teamId?: string;
  categories?: readonly string[];
  dryRun?: boolean;
  /**
   * Sync Settings only: keep just the members whose settings differ from the actor's in a
   * chosen category (drift, SPEC §6; members without a dashboard are left out).
   */
  outOfSync?: boolean;
}

/** The API's shapes (src/domain/contracts/bulk.contract.ts), under the names the service uses. */
export type BulkRunView = BulkRun;
/** A member's outcome as the API shows it; in a preview "applied" reads `would_change`. */
export type BulkMemberView = BulkMemberResult;
export type { BulkRunDetail, BulkRunList };

const RUN_NOT_FOUND = 'That bulk run was not found.';

/** The audit action of a run's own entries: `bulk_sync.preview`, `bulk_sync_settings`, … */
function runAuditAction(run: { dryRun: boolean; action: BulkAction }): string {
  return run.dryRun ? 'bulk_sync.preview' : `bulk_${run.action}`;
}

export function viewOfRun(run: BulkRunRecord, now: Date = new Date()): BulkRunView {
  const pending = run.total - run.done;
  let etaSeconds: number | null = null;
  if (run.startedAt && run.done > 0 && pending > 0 && !run.finishedAt) {
    const elapsed = (now.getTime() - run.startedAt.getTime()) / 1000;
    etaSeconds = Math.max(0, Math.round((elapsed / run.done) * pending));
  }
  return {
    id: run.id,
    action: run.action,
    dryRun: run.dryRun,
    status: run.status,
    categories: run.categories,
    total: run.total,
    done: run.done,
    applied: run.applied,
    unchanged: run.unchanged,
    failed: run.failed,
    cancelled: run.cancelled,
    pending,
    cancelRequested: run.cancelRequestedAt !== null,
    teamId: run.teamId,
    retryOf: run.retryOf,
    revertsRunId: run.revertsRunId,
    trigger: run.trigger,
    actorId: run.actorId,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    etaSeconds,
  };
}

function assertCanRun(actor: Actor): void {
  if (!can(actor, 'sync:run')) {
    throw new AppError('forbidden', 'Only an active admin of this organization can do this.');
  }
}

function categoriesOf(input: BulkSyncInput): CategoryKey[] {
  if (input.action === 'sync_crm') {
    if (input.dryRun) {
      throw new AppError(
        'invalid_request',
        'Sync CRM has no preview: run it, or preview Sync Settings.',
      );
    }
    if (input.categories !== undefined) {
      throw new AppError('invalid_request', 'Sync CRM copies CRM keys only: leave out categories.');
    }
    return ['crm_keys'];
  }
  return orderForApply(parseCategorySelection(input.categories));
}

/**
 * Starts a bulk run (202): validates, resolves the selection (a team: its members in table
 * order, without the primary admin and the actor, who are never targets), creates the run, its
 * member rows and its batch jobs in one transaction. Each member is authorized when its batch runs.
 */
export async function startBulkSync(
  deps: BulkDeps,
  context: SyncContext,
  input: BulkSyncInput,
): Promise<BulkRunView> {
  const action = runAuditAction({ dryRun: input.dryRun ?? false, action: input.action });
  try {
    const actor = await resolveActor(deps.uow.read, context.actorId);
    assertCanRun(actor);
    const categories = categoriesOf(input);
    let memberIds = await selectionOf(deps.uow.read, actor, input);
    const max = deps.maxMembers ?? DEFAULT_MAX_MEMBERS;
    if (memberIds.length === 0) {
      throw new AppError('invalid_request', 'Select at least one member to sync.');
    }
    if (memberIds.length > max) {
      throw new AppError(
        'invalid_request',
        `A bulk run takes at most ${max} members; this selection has ${memberIds.length}. Split it by team.`,
        { max, selected: memberIds.length },
      );
    }
    if (input.outOfSync) {
      if (input.action !== 'sync_settings') {
        throw new AppError(
          'invalid_request',
          'Only Sync Settings can be limited to the members out of sync (outOfSync).',
        );
      }
      memberIds = await outOfSyncMembers(deps, actor, memberIds, categories);
      if (memberIds.length === 0) {
        throw new AppError(
          'nothing_to_sync',
          'Every member of this selection already has your settings in the chosen categories.',
        );
      }
    }
    return await createRun(deps, context, actor, {
      action: input.action,
      categories,
      dryRun: input.dryRun ?? false,
      memberIds,
      teamId: input.teamId ?? null,
      retryOf: null,
    });
  } catch (error) {
    return auditRefusal(
      deps.uow,
      context,
      action,
      (input.categories ?? []).map(String),
      '',
      error,
      { bulk: true },
    );
  }
}

/** Members planned for drift at once while selecting the ones out of sync (memory stays bounded). */
const DRIFT_SLICE = 200;

/**
 * The members, in the order given, with a dashboard and drift from the actor in one of
 * `categories` (the kept drift of ADR 0013: members unchanged since last planned cost a lookup).
 */
async function outOfSyncMembers(
  deps: BulkDeps,
  actor: Actor,
  memberIds: readonly string[],
  categories: readonly CategoryKey[],
): Promise<string[]> {
  const repos = deps.uow.read;
  const out: string[] = [];
  for (let at = 0; at < memberIds.length; at += DRIFT_SLICE) {
    const slice = memberIds.slice(at, at + DRIFT_SLICE);
    const withDashboard = (await repos.users.findMembersWithDashboard(actor.organizationId, slice))
      .filter((r) => r.has_dashboard)
      .map((r) => r.id);
    const drift = await driftOfMembers(repos, deps.keyring, actor.id, withDashboard);
    const wanted = new Set(
      withDashboard.filter((id) => {
        const states = drift.get(id)?.drift ?? {};
        return categories.some((c) => states[c] === 'differs');
      }),
    );
    out.push(...slice.filter((id) => wanted.has(id)));
  }
  return out;
}

async function selectionOf(
  repos: Repositories,
  actor: Actor,
  input: BulkSyncInput,
): Promise<string[]> {
  const hasIds = input.memberIds !== undefined;
  const hasTeam = input.teamId !== undefined;
  if (hasIds === hasTeam) {
    throw new AppError('invalid_request', 'Give either memberIds or teamId (one of them).');
  }
  if (input.teamId !== undefined) {
    const team = isUuid(input.teamId)
      ? await repos.members.findTeam(actor.organizationId, input.teamId)
      : undefined;
    if (!team) throw new AppError('not_found', 'That team was not found.');
    return repos.members.memberIdsOfTeam(actor.organizationId, team.id, actor.id);
  }
  const ids = input.memberIds ?? [];
  const invalid = ids.filter((id) => !isUuid(id));
  if (invalid.length > 0) {
    throw new AppError('invalid_request', 'memberIds must be user ids.', {
      invalid: invalid.slice(0, 5),
    });
  }
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

/** A bulk run to create: what `createRunIn` takes. */
export interface NewBulkRun {
  action: BulkAction;
  categories: readonly CategoryKey[];
  dryRun: boolean;
  memberIds: readonly string[];
  teamId: string | null;
  retryOf: string | null;
  revertsRunId?: string | null;
  trigger?: BulkTrigger;
}

async function createRun(
  deps: BulkDeps,
  context: SyncContext,
  actor: Actor,
  run: NewBulkRun,
): Promise<BulkRunView> {
  const { record: created, start } = await deps.uow.transaction(async (repos) => {
    const made = await createRunIn(repos, deps, context, actor, run);
    // With an Idempotency-Key, the 202 is stored with the run: a retried POST gets this run back.
    await context.idempotency?.complete(repos, viewOfRun(made.record), 202);
    return made;
  });
  start();
  return viewOfRun(created);
}

/**
 * Creates a run, its member rows, its batch jobs and its audit entry in the caller's
 * transaction (`repos`): an admin's POST, and a follow push inside the source admin's save
 * (issue 16), so a run exists exactly when what started it committed. Call `start` once that
 * transaction has committed.
 */
export async function createRunIn(
  repos: Repositories,
  deps: Pick<BulkDeps, 'queue' | 'batchSize'>,
  context: Pick<SyncContext, 'requestId'>,
  actor: Actor,
  run: NewBulkRun,
): Promise<{ record: BulkRunRecord; start: () => void }> {
  const record = await repos.bulkRuns.create({
    organizationId: actor.organizationId,
    actorId: actor.id,
    action: run.action,
    categories: run.categories,
    dryRun: run.dryRun,
    memberIds: run.memberIds,
    batchSize: deps.batchSize ?? DEFAULT_BULK_BATCH_SIZE,
    teamId: run.teamId,
    retryOf: run.retryOf,
    revertsRunId: run.revertsRunId ?? null,
    requestId: context.requestId ?? null,
    trigger: run.trigger ?? 'manual',
  });
  const start = await deps.queue.enqueueBatches(repos, record.id, record.batches);
  await appendAudit(repos, {
    organizationId: actor.organizationId,
    actorId: actor.id,
    targetId: null,
    action: runAuditAction(run),
    outcome: 'started',
    categories: [...run.categories],
    details: {
      bulkRunId: record.id,
      total: record.total,
      ...(run.teamId ? { teamId: run.teamId } : {}),
      ...(run.retryOf ? { retryOf: run.retryOf } : {}),
      ...(run.revertsRunId ? { revertsRunId: run.revertsRunId } : {}),
      ...(run.trigger === 'follow' ? { trigger: 'follow' } : {}),
    },
    requestId: context.requestId ?? null,
  });
  return { record, start };
}

async function findRunOrThrow(
  repos: Repositories,
  actor: Actor,
  runId: string,
): Promise<BulkRunRecord> {
  const run = isUuid(runId) ? await repos.bulkRuns.find(actor.organizationId, runId) : undefined;
  if (!run) throw new AppError('not_found', RUN_NOT_FOUND);
  return run;
}

function assertCanRead(actor: Actor): void {
  if (!can(actor, 'sync:read')) {
    throw new AppError('forbidden', 'Only an active admin of this organization can see bulk runs.');
  }
}

/** The run with one page of its per-member results (optionally of one status) and its summary. */
export async function getBulkSync(
  deps: Pick<BulkDeps, 'uow'>,
  context: SyncContext,
  runId: string,
  query: { status?: BulkMemberStatus; cursor?: string; limit?: number } = {},
): Promise<BulkRunDetail> {
  const repos = deps.uow.read;
  const actor = await resolveActor(repos, context.actorId);
  assertCanRead(actor);
  const run = await findRunOrThrow(repos, actor, runId);
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const status = query.status === 'would_change' ? 'applied' : query.status;
  const [items, summary] = await Promise.all([
    repos.bulkRuns.listMembers(run.id, {
      ...(status ? { status } : {}),
      ...(after === undefined ? {} : { afterPosition: after }),
      limit: limit + 1,
    }),
    repos.bulkRuns.summarize(run.id),
  ]);
  const page = items.slice(0, limit);
  const last = page.at(-1);
  return {
    run: viewOfRun(run),
    summary,
    results: {
      items: page.map((item) => memberView(run, item)),
      nextCursor: items.length > limit && last ? encodeCursor(last.position) : null,
    },
  };
}

/** Just the run (the events stream polls this). */
export async function getBulkRun(
  deps: Pick<BulkDeps, 'uow'>,
  context: SyncContext,
  runId: string,
): Promise<BulkRunView> {
  const actor = await resolveActor(deps.uow.read, context.actorId);
  assertCanRead(actor);
  return viewOfRun(await findRunOrThrow(deps.uow.read, actor, runId));
}

/** The organization's bulk runs, newest first (the bulk history). */
export async function listBulkSyncs(
  deps: Pick<BulkDeps, 'uow'>,
  context: SyncContext,
): Promise<BulkRunList> {
  const actor = await resolveActor(deps.uow.read, context.actorId);
  assertCanRead(actor);
  const runs = await deps.uow.read.bulkRuns.list(actor.organizationId, 50);
  return { items: runs.map((run) => viewOfRun(run)) };
}

function memberView(run: BulkRunRecord, item: BulkMemberRecord): BulkMemberView {
  return {
    memberId: item.memberId,
    name: item.name,
    email: item.email,
    status: run.dryRun && item.status === 'applied' ? 'would_change' : item.status,
    errorCode: item.errorCode,
    syncRunId: item.syncRunId,
    counts: item.counts,
    finishedAt: item.finishedAt,
  };
}

/** Asks a run to stop after the batches in progress; the members not reached are `cancelled`. */
export async function cancelBulkSync(
  deps: BulkDeps,
  context: SyncContext,
  runId: string,
): Promise<BulkRunView> {
  const actor = await resolveActor(deps.uow.read, context.actorId);
  assertCanRun(actor);
  const run = await findRunOrThrow(deps.uow.read, actor, runId);
  const accepted = await deps.uow.transaction(async (repos) => {
    const ok = await repos.bulkRuns.requestCancel(actor.organizationId, run.id);
    if (ok) {
      await appendAudit(repos, {
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId: null,
        action: runAuditAction(run),
        outcome: 'cancel_requested',
        categories: run.categories,
        details: { bulkRunId: run.id },
        requestId: context.requestId ?? null,
      });
    }
    return ok;
  });
  if (!accepted) {
    throw new AppError(
      'bulk_run_finished',
      'This bulk run has already finished: there is nothing to cancel.',
    );
  }
  return getBulkRun(deps, context, run.id);
}

/** "Retry failed": a new run of the same action and categories for the failed members only. */
export async function retryFailedBulkSync(
  deps: BulkDeps,
  context: SyncContext,
  runId: string,
): Promise<BulkRunView> {
  const actor = await resolveActor(deps.uow.read, context.actorId);
  assertCanRun(actor);
  const run = await findRunOrThrow(deps.uow.read, actor, runId);
  const failed = await deps.uow.read.bulkRuns.memberIdsWithStatus(run.id, 'failed');
  if (failed.length === 0) {
    throw new AppError(
      'nothing_to_retry',
      'No member of this run failed: there is nothing to retry.',
    );
  }
  return createRun(deps, context, actor, {
    action: run.action,
    categories: run.categories as CategoryKey[],
    dryRun: run.dryRun,
    memberIds: failed,
    teamId: run.teamId,
    retryOf: run.id,
    revertsRunId: run.revertsRunId,
  });
}

/**
 * Reverts a whole run (202): a revert run over the members the run changed, each member's sync
 * reverted as the single revert does it (refused per member, `version_conflict`, when the member
 * changed those settings since), with a result per member.
 */
export async function revertBulkSync(
  deps: BulkDeps,
  context: SyncContext,
  runId: string,
): Promise<BulkRunView> {
  const actor = await resolveActor(deps.uow.read, context.actorId);
  if (!can(actor, 'sync:revert')) {
    throw new AppError('forbidden', 'Only an active admin of this organization can revert a sync.');
  }
  const run = await findRunOrThrow(deps.uow.read, actor, runId);
  if (run.dryRun || run.action === 'revert') {
    throw new AppError('invalid_request', 'Only a run that applied changes can be reverted.');
  }
  if (!run.finishedAt) {
    throw new AppError(
      'bulk_run_in_progress',
      'This run is still in progress: wait for it to finish, or cancel it, then revert.',
    );
  }
  const members = await deps.uow.read.bulkRuns.revertibleMembers(run.id);
  if (members.length === 0) {
    throw new AppError(
      'nothing_to_revert',
      'This run changed no member: there is nothing to revert.',
    );
  }
  return createRun(deps, context, actor, {
    action: 'revert',
    categories: run.categories as CategoryKey[],
    dryRun: false,
    memberIds: members,
    teamId: run.teamId,
    retryOf: null,
    revertsRunId: run.id,
  });
}

// ---------------------------------------------------------------------------------------------
// The worker side

/**
 * Runs one batch of a run. The first attempt settles the whole batch in one transaction; a
 * retried batch (the first attempt threw) settles member by member, so one member that keeps
 * failing fails alone (on the last attempt it is settled `failed` with code `internal`).
 */
export async function processBulkBatch(
  deps: BulkDeps,
  job: BatchJob,
  attempt: number,
): Promise<void> {
  const run = await deps.uow.read.bulkRuns.findById(job.runId);
  if (!run || run.finishedAt) return;
  await deps.uow.read.bulkRuns.markStarted(run.id);
  if (run.action === 'sync_crm') {
    await processCrmBatch(deps, run, job.batch);
    return;
  }
  if (run.action === 'revert') {
    await processOneByOne(deps, run, job.batch, attempt);
    return;
  }
  if (attempt === 0) {
    await deps.uow.transaction((repos) => settleSettingsBatch(deps, repos, run, job.batch));
    return;
  }
  const pending = await deps.uow.read.bulkRuns.lockPendingOfBatch(run.id, job.batch);
  let lastError: Error | undefined;
  for (const memberId of pending) {
    try {
      await deps.uow.transaction((repos) =>
        settleSettingsBatch(deps, repos, run, job.batch, memberId),
      );
    } catch (error) {
      if (attempt < BATCH_RETRY_LIMIT) {
        lastError = error instanceof Error ? error : new Error(String(error));
        continue;
      }
      await deps.uow.transaction(async (repos) => {
        const settled = await repos.bulkRuns.settle(run.id, [
          { memberId, status: 'failed', errorCode: 'internal' },
        ]);
        await finishSettled(
          repos,
          run,
          [
            {
              organizationId: run.organizationId,
              actorId: run.actorId,
              targetId: memberId,
              action: run.dryRun ? 'sync_settings.preview' : 'sync_settings',
              outcome: 'failed',
              categories: run.categories,
              details: { code: 'internal', bulkRunId: run.id },
              requestId: run.requestId,
            },
          ],
          { ...NO_TALLY, failed: settled.length },
        );
      });
    }
  }
  if (lastError) throw lastError;
}

/** Settles the batch's pending members (or just `onlyMember`) in the caller's transaction. */
async function settleSettingsBatch(
  deps: BulkDeps,
  repos: Repositories,
  run: BulkRunRecord,
  batch: number,
  onlyMember?: string,
): Promise<void> {
  const fresh = await repos.bulkRuns.findById(run.id);
  if (!fresh || fresh.finishedAt) return;
  if (fresh.cancelRequestedAt) {
    const cancelled = await repos.bulkRuns.cancelPending(run.id, batch);
    await finishSettled(repos, run, [], { ...NO_TALLY, cancelled });
    return;
  }
  const pending = (await repos.bulkRuns.lockPendingOfBatch(run.id, batch)).filter(
    (id) => onlyMember === undefined || id === onlyMember,
  );
  if (pending.length === 0) return; // delivered again: everything here is settled
  const categories = run.categories as CategoryKey[];
  const outcomes: MemberOutcome[] = [];
  const audit: AuditEntryInput[] = [];
  const action = run.dryRun ? 'sync_settings.preview' : 'sync_settings';
  const base = {
    organizationId: run.organizationId,
    actorId: run.actorId,
    categories,
    requestId: run.requestId,
  };
  const refuse = (memberId: string, error: AppError, known: boolean): void => {
    outcomes.push({ memberId, status: 'failed', errorCode: error.code });
    audit.push({
      ...base,
      action,
      targetId: known ? memberId : null,
      outcome: 'refused',
      details: { code: error.code, bulkRunId: run.id },
    });
  };

  const { actor, allowed: authorized } = await authorizeBatch(repos, run, pending, refuse);
  let allowed = authorized;

  if (actor && allowed.length > 0) {
    await repos.dashboards.lockManyForUpdate(allowed);
    const excepted = await exceptedFromFollowRun(repos, run, allowed);
    for (const [memberId, code] of excepted) {
      outcomes.push({ memberId, status: 'unchanged', errorCode: code });
      audit.push({
        ...base,
        action,
        targetId: memberId,
        outcome: 'refused',
        details: { code, bulkRunId: run.id },
      });
    }
    allowed = allowed.filter((id) => !excepted.has(id));
    // The source read once for every slice of the batch.
    const source = await readPlanSource(repos, actor.id, categories);
    // Planned a slice at a time, in the batch's one transaction: a plan holds both dashboards
    // and the target's snapshot (megabytes with a large admin), so a whole batch of plans at
    // once set the worker's peak memory; a slice's are garbage before the next slice is read.
    for (let at = 0; at < allowed.length; at += PLAN_SLICE) {
      await settleSlice(allowed.slice(at, at + PLAN_SLICE), source);
    }
  }
  const settled = await repos.bulkRuns.settle(run.id, outcomes);
  if (settled.length !== outcomes.length) {
    // Members were locked as pending above, so this cannot happen short of a bug: roll back.
    throw new Error(
      `bulk run ${run.id} batch ${batch}: ${outcomes.length - settled.length} members were not pending`,
    );
  }
  await finishSettled(repos, run, audit, tallyOf(outcomes));

  async function settleSlice(targetIds: string[], source: PlanSource): Promise<void> {
    if (!actor) return;
    const plans = await planSync(repos, deps.keyring, {
      sourceId: actor.id,
      targetIds,
      categories,
      mode: run.dryRun ? 'compare' : 'write',
      source,
    });
    if (run.dryRun) {
      for (const plan of plans) {
        const counts = countsByCategory(plan.results);
        outcomes.push({
          memberId: plan.targetId,
          status: plan.changed ? 'applied' : 'unchanged',
          counts: countsOnly(counts),
        });
        audit.push({
          ...base,
          action,
          targetId: plan.targetId,
          outcome: 'dry_run',
          details: { counts, bulkRunId: run.id },
        });
      }
    } else {
      const versions = await applySyncPlans(
        repos,
        actor.id,
        plans.filter((p) => p.changed),
      );
      const entries = await repos.syncRuns.insertMany(
        plans.map((plan) =>
          historyEntryOf(plan, {
            ...base,
            versionsAfter: versions.get(plan.targetId) ?? {},
            bulkRunId: run.id,
          }),
        ),
      );
      const entryOf = new Map(entries.map((e) => [e.targetId, e.id]));
      for (const plan of plans) {
        const counts = countsByCategory(plan.results);
        const syncId = entryOf.get(plan.targetId) ?? null;
        outcomes.push({
          memberId: plan.targetId,
          status: plan.changed ? 'applied' : 'unchanged',
          syncRunId: syncId,
          counts: countsOnly(counts),
        });
        audit.push({
          ...base,
          action,
          targetId: plan.targetId,
          outcome: 'applied',
          details: { syncId, changed: plan.changed, counts, bulkRunId: run.id },
        });
      }
    }
  }
}

/**
 * A follow run's members to leave alone now, read under their dashboards' locks: those who
 * overrode or paused the run's category after the run was created (issue 16: a push never
 * overwrites an edit that landed after it was queued), with the code their outcome carries.
 */
async function exceptedFromFollowRun(
  repos: Repositories,
  run: BulkRunRecord,
  memberIds: readonly string[],
): Promise<Map<string, 'follow_overridden' | 'follow_paused'>> {
  const [category] = run.categories;
  if (run.trigger !== 'follow' || category === undefined) return new Map();
  const states = await repos.policies.exceptedAmong(memberIds, category);
  return new Map(
    [...states].map(([id, state]) => [
      id,
      state === 'paused' ? ('follow_paused' as const) : ('follow_overridden' as const),
    ]),
  );
}

/** Members planned and written together inside a batch (see `settleSettingsBatch`). */
const PLAN_SLICE = 5;

/**
 * The members of a batch the run's actor may still run its action on, each checked with the
 * single action's rule (`authorizeMemberAction`); `refuse` gets every other member.
 */
async function authorizeBatch(
  repos: Repositories,
  run: BulkRunRecord,
  pending: readonly string[],
  refuse: (memberId: string, error: AppError, known: boolean) => void,
): Promise<{ actor: Actor | undefined; allowed: string[] }> {
  let actor: Actor | undefined;
  try {
    actor = await resolveActor(repos, run.actorId);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    for (const memberId of pending) refuse(memberId, error, false);
  }
  const allowed: string[] = [];
  if (actor) {
    const rows = new Map(
      (await repos.users.findMembersWithDashboard(run.organizationId, pending)).map((r) => [
        r.id,
        r,
      ]),
    );
    for (const memberId of pending) {
      const row = rows.get(memberId);
      try {
        authorizeMemberAction(
          actor,
          'sync:run',
          row && {
            id: row.id,
            organizationId: row.organization_id,
            role: row.role,
            status: row.status,
            hasDashboard: row.has_dashboard,
          },
        );
        allowed.push(memberId);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        refuse(memberId, error, row !== undefined);
      }
    }
  }

  return { actor, allowed };
}

const NO_TALLY = { applied: 0, unchanged: 0, failed: 0, cancelled: 0 };

function tallyOf(outcomes: readonly MemberOutcome[]): typeof NO_TALLY {
  const tally = { ...NO_TALLY };
  for (const o of outcomes) tally[o.status] += 1;
  return tally;
}

/**
 * Ends a Sync Settings batch: its audit entries first, then the run's tallies as the last
 * statement (the run's row is locked only from there to COMMIT), then, if this batch finished
 * the run, the run's own entry.
 */
async function finishSettled(
  repos: Repositories,
  run: BulkRunRecord,
  audit: AuditEntryInput[],
  tally: typeof NO_TALLY,
): Promise<void> {
  await appendAuditMany(repos, run.organizationId, audit);
  const recorded = await repos.bulkRuns.recordSettled(run.id, tally);
  if (recorded?.finishedNow) {
    await appendAuditMany(repos, run.organizationId, [runEndEntry(run, recorded.run)]);
  }
}

function runEndEntry(run: BulkRunRecord, after: BulkRunRecord): AuditEntryInput {
  return {
    organizationId: run.organizationId,
    actorId: run.actorId,
    targetId: null,
    action: runAuditAction(run),
    outcome: after.status === 'cancelled' ? 'cancelled' : 'completed',
    categories: run.categories,
    details: {
      bulkRunId: run.id,
      total: after.total,
      applied: after.applied,
      unchanged: after.unchanged,
      failed: after.failed,
      cancelled: after.cancelled,
    },
    requestId: run.requestId,
  };
}

/**
 * Ends a batch of a member-by-member run (Sync CRM, revert), whose members were settled in
 * their own transactions: the tallies are recounted from the member rows under the run's lock
 * (finishing the run when nothing is pending), then the audit entries.
 */
async function finishBatch(
  repos: Repositories,
  run: BulkRunRecord,
  audit: AuditEntryInput[],
): Promise<void> {
  const { run: after, finishedNow } = await repos.bulkRuns.recordProgress(run.id);
  if (finishedNow) audit.push(runEndEntry(run, after));
  await appendAuditMany(repos, run.organizationId, audit);
}

function countsOnly(
  counts: Record<string, { added: number; updated: number; removed: number; unchanged: number }>,
): Record<string, { added: number; updated: number; removed: number; unchanged: number }> {
  return Object.fromEntries(
    Object.entries(counts).map(([category, c]) => [
      category,
      { added: c.added, updated: c.updated, removed: c.removed, unchanged: c.unchanged },
    ]),
  );
}

/**
 * Revert runs, member by member, through the single action's use case: `revertSync` of the
 * member's entry in the reverted run (conflict-checked per member), each settled in its own
 * transaction; a repeated batch finds it already reverted by this run (its entry carries this
 * run's id) and settles it as applied.
 */
async function processOneByOne(
  deps: BulkDeps,
  run: BulkRunRecord,
  batch: number,
  attempt: number,
): Promise<void> {
  const fresh = await deps.uow.read.bulkRuns.findById(run.id);
  if (!fresh || fresh.finishedAt) return;
  const pending = await deps.uow.read.bulkRuns.lockPendingOfBatch(run.id, batch);
  let lastError: Error | undefined;
  for (const memberId of pending) {
    const current = await deps.uow.read.bulkRuns.findById(run.id);
    if (current?.cancelRequestedAt) break;
    try {
      await revertMember(deps, run, memberId);
    } catch (error) {
      if (attempt < BATCH_RETRY_LIMIT) {
        lastError = error instanceof Error ? error : new Error(String(error));
        continue;
      }
      await deps.uow.transaction((repos) =>
        repos.bulkRuns.settle(run.id, [{ memberId, status: 'failed', errorCode: 'internal' }]),
      );
    }
  }
  await deps.uow.transaction(async (repos) => {
    const cancelled = await repos.bulkRuns.findById(run.id);
    if (cancelled?.cancelRequestedAt) await repos.bulkRuns.cancelPending(run.id, batch);
    await finishBatch(repos, run, []);
  });
  if (lastError) throw lastError;
}

/** Members of a batch whose owner-property steps run at once (see `processCrmBatch`). */
const CRM_STEP_CONCURRENCY = 4;

/**
 * A bulk Sync CRM batch, in three steps:
 * 1. One transaction: lock the batch's pending members, authorize each with the single action's
 *    rule, copy the organization admin's keys to every allowed member at once (`copyCrmKeys`,
 *    the single action's copy: a fixed number of statements per batch), and record each copy's
 *    history entry on its member row, which stays pending; refused members are settled.
 * 2. The owner-property step (`runOwnerPropertyStep`, the single action's), outside any
 *    transaction since it calls the CRMs, for `CRM_STEP_CONCURRENCY` members at a time. Every
 *    member's keys are the organization admin's, so that is also how many requests one worker
 *    has in flight per CRM connection; the rate budget (in PostgreSQL) bounds all processes
 *    together. Each member's outcome is recorded once, while it is pending.
 * 3. The run's tallies, recounted from the member rows; the batch that leaves nothing pending
 *    finishes the run.
 * Delivered again (a crash, a retry), members whose copy is recorded skip step 1 and run only
 * the owner step again, which SPEC §3 makes idempotent; a member is never copied twice in a run.
 */
async function processCrmBatch(deps: BulkDeps, run: BulkRunRecord, batch: number): Promise<void> {
  const copied = await deps.uow.transaction(async (repos) => {
    const fresh = await repos.bulkRuns.findById(run.id);
    if (!fresh || fresh.finishedAt) return [];
    const pending = await repos.bulkRuns.lockPendingCrmMembers(run.id, batch);
    const copiedBefore = pending.flatMap((p) =>
      p.syncRunId === null ? [] : [{ memberId: p.memberId, syncRunId: p.syncRunId }],
    );
    if (fresh.cancelRequestedAt) {
      await repos.bulkRuns.cancelPending(run.id, batch);
      return copiedBefore;
    }
    const toCopy = pending.filter((p) => p.syncRunId === null).map((p) => p.memberId);
    const outcomes: MemberOutcome[] = [];
    const audit: AuditEntryInput[] = [];
    const base = {
      organizationId: run.organizationId,
      actorId: run.actorId,
      categories: ['crm_keys'],
      requestId: run.requestId,
      action: 'sync_crm',
    };
    const { actor, allowed } = await authorizeBatch(
      repos,
      run,
      toCopy,
      (memberId, error, known) => {
        outcomes.push({ memberId, status: 'failed', errorCode: error.code });
        audit.push({
          ...base,
          targetId: known ? memberId : null,
          outcome: 'refused',
          details: { code: error.code, bulkRunId: run.id },
        });
      },
    );
    let toCopyNow = allowed;
    if (actor && allowed.length > 0) {
      await repos.dashboards.lockManyForUpdate(allowed);
      const excepted = await exceptedFromFollowRun(repos, run, allowed);
      for (const [memberId, code] of excepted) {
        outcomes.push({ memberId, status: 'unchanged', errorCode: code });
        audit.push({
          ...base,
          targetId: memberId,
          outcome: 'refused',
          details: { code, bulkRunId: run.id },
        });
      }
      toCopyNow = allowed.filter((id) => !excepted.has(id));
    }
    await repos.bulkRuns.settle(run.id, outcomes);
    await appendAuditMany(repos, run.organizationId, audit);
    if (!actor || toCopyNow.length === 0) return copiedBefore;
    const copies = await copyCrmKeys(repos, deps.keyring, actor, toCopyNow, {
      requestId: run.requestId,
      bulkRunId: run.id,
    });
    const entries = copies.map((c) => ({ memberId: c.targetId, syncRunId: c.syncId }));
    if ((await repos.bulkRuns.markKeysCopied(run.id, entries)) !== entries.length) {
      // The members were locked as pending without a copy above: roll back, this is a bug.
      throw new Error(`bulk run ${run.id} batch ${batch}: a key copy found its member settled`);
    }
    return [...copiedBefore, ...entries];
  });

  const context = { actorId: run.actorId, requestId: run.requestId, bulkRunId: run.id };
  const targets = new Map(
    (
      await deps.uow.read.users.findMembersWithDashboard(
        run.organizationId,
        copied.map((c) => c.memberId),
      )
    ).map((r) => [r.id, r]),
  );
  const queue = [...copied];
  const stepWorker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const row = targets.get(next.memberId);
      const target: TargetMember | undefined = row && {
        id: row.id,
        organizationId: row.organization_id,
        role: row.role,
        status: row.status,
        hasDashboard: row.has_dashboard,
        email: row.email,
        name: row.name,
      };
      const copy = await deps.uow.read.syncRuns.findInOrganization(
        run.organizationId,
        next.syncRunId,
      );
      const crms = ((copy?.result ?? {}) as { copied?: CrmKey[] }).copied ?? [];
      const results = target
        ? await runOwnerPropertyStep(deps, context, target, crms, next.syncRunId)
        : [];
      const crmFailures = results.filter((c) => c.ownerProperty.status === 'failed').length;
      await deps.uow.read.bulkRuns.recordCrmOutcome(run.id, next.memberId, {
        syncRunId: next.syncRunId,
        counts: {
          copied: crms,
          crms: results.map((c) => ({ crm: c.crm, ownerProperty: c.ownerProperty.status })),
        },
        errorCode: crmFailures > 0 ? 'crm_owner_property_failed' : null,
      });
    }
  };
  await Promise.all(Array.from({ length: CRM_STEP_CONCURRENCY }, stepWorker));
  await deps.uow.transaction((repos) => finishBatch(repos, run, []));
}

/** Reverts one member's sync of the reverted run and settles the member (refusals are results). */
async function revertMember(deps: BulkDeps, run: BulkRunRecord, memberId: string): Promise<void> {
  const syncId = run.revertsRunId
    ? await deps.uow.read.bulkRuns.syncRunOf(run.revertsRunId, memberId)
    : undefined;
  let outcome: MemberOutcome;
  if (!syncId) {
    outcome = { memberId, status: 'failed', errorCode: 'not_found' };
  } else {
    try {
      const result = await revertSync(
        deps,
        { actorId: run.actorId, requestId: run.requestId, bulkRunId: run.id },
        syncId,
      );
      outcome = { memberId, status: 'applied', syncRunId: result.syncId };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const ours =
        error.code === 'already_reverted'
          ? await deps.uow.read.syncRuns.idInBulkRun(run.id, memberId)
          : undefined;
      outcome = ours
        ? { memberId, status: 'applied', syncRunId: ours }
        : { memberId, status: 'failed', errorCode: error.code };
    }
  }
  await deps.uow.transaction((repos) => repos.bulkRuns.settle(run.id, [outcome]));
}

function encodeCursor(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'p' in parsed &&
      typeof parsed.p === 'number' &&
      Number.isInteger(parsed.p) &&
      parsed.p >= 0 &&
      parsed.p <= 2_147_483_647
    ) {
      return parsed.p;
    }
  } catch {
    // fall through
  }
  throw new AppError('invalid_request', 'That cursor is not valid: start from the first page.');
}

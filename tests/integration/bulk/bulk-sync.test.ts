import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessQueue } from '#src/jobs/job-queue.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { verifyAuditChain } from '#src/services/audit/audit.service.ts';
import {
  cancelBulkSync,
  getBulkSync,
  processBulkBatch,
  retryFailedBulkSync,
  revertBulkSync,
  startBulkSync,
  type BulkDeps,
} from '#src/services/bulk/bulk-sync.service.ts';
import { syncSettings } from '#src/services/sync/sync-settings.service.ts';
import { writeCategory } from '#src/services/settings/settings-store.ts';
import { dashboardState } from '#tests/factories/dashboard.factory.ts';
import {
  insertOrganizationWithPeople,
  insertUser,
  type InsertedOrganizationWithPeople,
} from '#tests/factories/organization.factory.ts';
import { makeMemberSettings } from '#tests/factories/settings.factory.ts';
import { ADMIN_SETTINGS, HUBSPOT_KEY, keyring } from '#tests/integration/sync/fixtures.ts';
import { manualQueue, quietLogger } from '#tests/integration/bulk/support.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Bulk Sync Settings (issue 11): the job code on this engine, driven batch by batch so
 * redelivery, concurrency, cancel and retry can be staged exactly.
 */
let database: TestDatabase;
let uow: UnitOfWork;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

const noCrm = () => {
  throw new Error('no CRM calls in these tests');
};

function depsWith(queue = manualQueue(), batchSize = 2) {
  const deps: BulkDeps = { uow, keyring, connectorFor: noCrm, queue, batchSize };
  return { deps, queue };
}

async function team(
  members: number,
  extra: Parameters<typeof insertOrganizationWithPeople>[2] = {},
): Promise<InsertedOrganizationWithPeople & { admin: string; teamId: string }> {
  const org = await insertOrganizationWithPeople(uow, keyring, {
    teams: ['Sales'],
    admins: [{ teams: ['Sales'], settings: ADMIN_SETTINGS, crm: [HUBSPOT_KEY], canLogIn: false }],
    members: Array.from({ length: members }, (_, i) => ({
      name: `Rep ${String(i).padStart(3, '0')}`,
      teams: ['Sales'],
      settings: makeMemberSettings(),
      canLogIn: false,
    })),
    ...extra,
  });
  const admin = org.admins[0]?.id;
  const teamId = org.teamIds.Sales;
  if (!admin || !teamId) throw new Error('fixture incomplete');
  return { ...org, admin, teamId };
}

async function runAll(deps: BulkDeps, jobs: { runId: string; batch: number }[]): Promise<void> {
  for (const job of jobs.splice(0)) await processBulkBatch(deps, job, 0);
}

async function historyCount(runId: string): Promise<Map<string, number>> {
  const rows = await sql<{ target_id: string; n: number }>`
    select target_id, count(*)::int as n from sync_runs where bulk_run_id = ${runId} group by target_id
  `.execute(database.db);
  return new Map(rows.rows.map((r) => [r.target_id, r.n]));
}

describe('a bulk Sync Settings run', () => {
  it('applies every member of the team once, exactly as the single sync would, and leaves out the primary admin and the actor', async () => {
    const org = await team(5);
    const twin = await team(1);
    const { deps, queue } = depsWith();
    const run = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    expect(run).toMatchObject({ status: 'queued', total: 5, done: 0, pending: 5 });
    expect(queue.jobs).toHaveLength(3); // batches of 2
    await runAll(deps, queue.jobs);

    const detail = await getBulkSync(deps, { actorId: org.admin }, run.id, { limit: 100 });
    expect(detail.run).toMatchObject({
      status: 'completed',
      total: 5,
      done: 5,
      applied: 5,
      failed: 0,
    });
    expect(detail.results.items.map((i) => i.memberId).sort()).toEqual(
      org.members.map((m) => m.id).sort(),
    );
    expect(detail.results.items.every((i) => i.status === 'applied' && i.syncRunId)).toBe(true);

    // The same values as a single Sync Settings from the same admin to an identical member.
    const single = twin.members[0];
    if (!single) throw new Error('no twin');
    await syncSettings(deps, { actorId: twin.admin }, { targetUserId: single.id });
    const expected = await dashboardState(uow, keyring, single.id);
    for (const member of org.members) {
      const state = await dashboardState(uow, keyring, member.id);
      expect({ ...state, crm_keys: null }).toEqual({ ...expected, crm_keys: null });
    }
    const history = await historyCount(run.id);
    expect([...history.values()]).toEqual([1, 1, 1, 1, 1]);
    expect(await verifyAuditChain(uow.read, org.organizationId)).toMatchObject({ ok: true });
  });

  it('a batch larger than one planning slice applies every member once, in one transaction', async () => {
    // 23 members in one batch: planned slice by slice (PLAN_SLICE) inside its one transaction.
    const org = await team(23);
    const { deps, queue } = depsWith(manualQueue(), 100);
    const run = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    expect(queue.jobs).toHaveLength(1);
    await runAll(deps, queue.jobs);
    const detail = await getBulkSync(deps, { actorId: org.admin }, run.id, { limit: 100 });
    expect(detail.run).toMatchObject({ status: 'completed', total: 23, applied: 23, failed: 0 });
    const history = await historyCount(run.id);
    expect(history.size).toBe(23);
    expect([...history.values()].every((n) => n === 1)).toBe(true);
    const first = org.members[0];
    if (!first) throw new Error('no member');
    const expected = await dashboardState(uow, keyring, first.id);
    for (const member of org.members.slice(1)) {
      const state = await dashboardState(uow, keyring, member.id);
      expect({ ...state, crm_keys: null }).toEqual({ ...expected, crm_keys: null });
    }
    expect(await verifyAuditChain(uow.read, org.organizationId)).toMatchObject({ ok: true });
  });

  it('outOfSync: only the members whose settings differ from the actor’s are synced, and none out of sync is nothing_to_sync', async () => {
    const org = await team(3);
    const { deps, queue } = depsWith(manualQueue(), 10);
    const first = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId, outOfSync: true },
    );
    expect(first.total).toBe(3); // fresh members differ from the admin
    await runAll(deps, queue.jobs);
    const [changed] = org.members;
    if (!changed) throw new Error('no member');
    await uow.transaction((repos) =>
      writeCategory(repos, changed.id, 'company_details', {
        ...(ADMIN_SETTINGS.company_details as object),
        companyName: 'Changed since',
      }),
    );
    const second = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId, outOfSync: true },
    );
    expect(second.total).toBe(1);
    await runAll(deps, queue.jobs);
    const detail = await getBulkSync(deps, { actorId: org.admin }, second.id);
    expect(detail.results.items.map((i) => i.memberId)).toEqual([changed.id]);

    const runsBefore = await sql<{ n: number }>`select count(*)::int as n from bulk_runs`.execute(
      database.db,
    );
    await expect(
      startBulkSync(
        deps,
        { actorId: org.admin },
        { action: 'sync_settings', teamId: org.teamId, outOfSync: true },
      ),
    ).rejects.toMatchObject({ code: 'nothing_to_sync' });
    await expect(
      startBulkSync(
        deps,
        { actorId: org.admin },
        { action: 'sync_crm', teamId: org.teamId, outOfSync: true },
      ),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    const runsAfter = await sql<{ n: number }>`select count(*)::int as n from bulk_runs`.execute(
      database.db,
    );
    expect(runsAfter.rows[0]?.n).toBe(runsBefore.rows[0]?.n);
  });

  it('one member failing never stops the others: each failure has its stable code', async () => {
    const org = await team(2);
    const other = await team(0);
    const noDashboard = await uow.transaction((repos) =>
      insertUser(repos, org.organizationId, { dashboard: false }),
    );
    const deactivated = await uow.transaction((repos) =>
      insertUser(repos, org.organizationId, { status: 'deactivated' }),
    );
    const [a, b] = org.members;
    if (!a || !b) throw new Error('fixture');
    const { deps, queue } = depsWith(manualQueue(), 10);
    const run = await startBulkSync(
      deps,
      { actorId: org.admin },
      {
        action: 'sync_settings',
        memberIds: [
          a.id,
          noDashboard.id,
          deactivated.id,
          other.admin,
          org.primaryAdmin.id,
          org.admin,
          b.id,
        ],
      },
    );
    await runAll(deps, queue.jobs);
    const detail = await getBulkSync(deps, { actorId: org.admin }, run.id);
    const codeOf = new Map(detail.results.items.map((i) => [i.memberId, [i.status, i.errorCode]]));
    expect(codeOf.get(a.id)).toEqual(['applied', null]);
    expect(codeOf.get(b.id)).toEqual(['applied', null]);
    expect(codeOf.get(noDashboard.id)).toEqual(['failed', 'dashboard_missing']);
    expect(codeOf.get(deactivated.id)).toEqual(['failed', 'forbidden']);
    expect(codeOf.get(other.admin)).toEqual(['failed', 'target_not_found']);
    expect(codeOf.get(org.primaryAdmin.id)).toEqual(['failed', 'forbidden']);
    expect(codeOf.get(org.admin)).toEqual(['failed', 'forbidden']);
    expect(detail.run).toMatchObject({ status: 'completed', applied: 2, failed: 5 });
    // The other organization's user is not named in this organization's audit log.
    const named = await sql<{ n: number }>`
      select count(*)::int as n from audit_log where organization_id = ${org.organizationId} and target_id = ${other.admin}
    `.execute(database.db);
    expect(named.rows[0]?.n).toBe(0);
  });

  it('exactly once per member: a batch delivered again, or twice at the same time, applies nobody twice', async () => {
    const org = await team(4);
    const { deps, queue } = depsWith();
    const run = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    const [first, second] = queue.jobs;
    if (!first || !second) throw new Error('two batches expected');
    // Concurrent deliveries of the same batch (PGlite serialises them; PostgreSQL runs them on
    // two connections, the second waiting on the first's member locks), then a late redelivery.
    await Promise.all([processBulkBatch(deps, first, 0), processBulkBatch(deps, first, 1)]);
    await processBulkBatch(deps, first, 0);
    await processBulkBatch(deps, second, 0);
    await processBulkBatch(deps, second, 2);
    const history = await historyCount(run.id);
    expect(history.size).toBe(4);
    expect([...history.values()].every((n) => n === 1)).toBe(true);
    const detail = await getBulkSync(deps, { actorId: org.admin }, run.id);
    expect(detail.run).toMatchObject({ status: 'completed', done: 4, applied: 4 });
    const audits = await sql<{ n: number }>`
      select count(*)::int as n from audit_log
      where organization_id = ${org.organizationId} and action = 'sync_settings' and outcome = 'applied'
    `.execute(database.db);
    expect(audits.rows[0]?.n).toBe(4);
    const finished = await sql<{ n: number }>`
      select count(*)::int as n from audit_log
      where organization_id = ${org.organizationId} and action = 'bulk_sync_settings' and outcome = 'completed'
    `.execute(database.db);
    expect(finished.rows[0]?.n).toBe(1);
  });

  it('a re-run to members already in sync writes nothing and says unchanged', async () => {
    const org = await team(2);
    const { deps, queue } = depsWith();
    await runAll(deps, [...(await startAndJobs(deps, queue, org))]);
    const again = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    await runAll(deps, queue.jobs);
    const detail = await getBulkSync(deps, { actorId: org.admin }, again.id);
    expect(detail.run).toMatchObject({ status: 'completed', applied: 0, unchanged: 2 });
  });

  it('cancel stops after the current batch: the members not reached are cancelled, the ones done stay done', async () => {
    const org = await team(6);
    const { deps, queue } = depsWith();
    const run = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    const [first, ...rest] = queue.jobs;
    if (!first) throw new Error('batches expected');
    await processBulkBatch(deps, first, 0);
    const cancelling = await cancelBulkSync(deps, { actorId: org.admin }, run.id);
    expect(cancelling).toMatchObject({ cancelRequested: true, done: 2 });
    for (const job of rest) await processBulkBatch(deps, job, 0);
    const detail = await getBulkSync(deps, { actorId: org.admin }, run.id);
    expect(detail.run).toMatchObject({ status: 'cancelled', applied: 2, cancelled: 4, done: 6 });
    expect(detail.results.items.slice(0, 2).every((i) => i.status === 'applied')).toBe(true);
    expect(detail.results.items.slice(2).every((i) => i.status === 'cancelled')).toBe(true);
    expect((await historyCount(run.id)).size).toBe(2);
    await expect(cancelBulkSync(deps, { actorId: org.admin }, run.id)).rejects.toMatchObject({
      code: 'bulk_run_finished',
    });
  });

  it('retry failed starts a run of the failed members only, which then succeeds', async () => {
    const org = await team(2);
    const late = await uow.transaction((repos) =>
      insertUser(repos, org.organizationId, { dashboard: false }),
    );
    const { deps, queue } = depsWith();
    const run = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', memberIds: [...org.members.map((m) => m.id), late.id] },
    );
    await runAll(deps, queue.jobs);
    expect((await getBulkSync(deps, { actorId: org.admin }, run.id)).run.failed).toBe(1);
    await uow.transaction((repos) => repos.dashboards.create(late.id, org.organizationId));
    const retry = await retryFailedBulkSync(deps, { actorId: org.admin }, run.id);
    expect(retry).toMatchObject({ total: 1, retryOf: run.id });
    await runAll(deps, queue.jobs);
    const detail = await getBulkSync(deps, { actorId: org.admin }, retry.id);
    expect(detail.results.items).toMatchObject([{ memberId: late.id, status: 'applied' }]);
    await expect(retryFailedBulkSync(deps, { actorId: org.admin }, retry.id)).rejects.toMatchObject(
      {
        code: 'nothing_to_retry',
      },
    );
  });

  it('a preview (dryRun) writes nothing and sums what would change per category', async () => {
    const org = await team(3);
    const before = await dashboardState(uow, keyring, org.members[0]?.id ?? '');
    const { deps, queue } = depsWith();
    const run = await startBulkSync(
      deps,
      { actorId: org.admin },
      {
        action: 'sync_settings',
        teamId: org.teamId,
        dryRun: true,
        categories: ['custom_properties', 'company_details'],
      },
    );
    await runAll(deps, queue.jobs);
    const detail = await getBulkSync(deps, { actorId: org.admin }, run.id);
    expect(detail.run).toMatchObject({ status: 'completed', dryRun: true, applied: 3 });
    expect(
      detail.results.items.every((i) => i.status === 'would_change' && i.syncRunId === null),
    ).toBe(true);
    expect(detail.summary.membersChanging).toBe(3);
    const properties = detail.summary.categories.find((c) => c.category === 'custom_properties');
    expect(properties?.members).toBe(3);
    expect(
      (properties?.added ?? 0) + (properties?.updated ?? 0) + (properties?.removed ?? 0),
    ).toBeGreaterThan(0);
    expect(await dashboardState(uow, keyring, org.members[0]?.id ?? '')).toEqual(before);
    expect((await historyCount(run.id)).size).toBe(0);
  });

  it('a batch that keeps failing is retried member by member, and on the last attempt only the failing member fails (internal)', async () => {
    const org = await team(3);
    const [, poison] = org.members;
    if (!poison) throw new Error('fixture');
    // The database refuses the poison member's history entry: an unexpected error in the batch.
    await sql
      .raw(
        `create or replace function ergo_test_poison() returns trigger language plpgsql as $$
      begin
        if new.target_id = '${poison.id}' then raise exception 'injected: poison member'; end if;
        return new;
      end $$`,
      )
      .execute(database.db);
    await sql
      .raw(
        `create trigger ergo_test_poison before insert on sync_runs
      for each row execute function ergo_test_poison()`,
      )
      .execute(database.db);
    const { deps, queue } = depsWith(manualQueue(), 10);
    const run = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId, categories: ['crm_keys', 'company_details'] },
    );
    const [job] = queue.jobs;
    if (!job) throw new Error('one batch expected');
    await expect(processBulkBatch(deps, job, 0)).rejects.toThrow(/injected/);
    expect((await getBulkSync(deps, { actorId: org.admin }, run.id)).run.done).toBe(0);
    await expect(processBulkBatch(deps, job, 1)).rejects.toThrow(/injected/);
    expect((await getBulkSync(deps, { actorId: org.admin }, run.id)).run.done).toBe(2);
    await processBulkBatch(deps, job, 3);
    await sql.raw(`drop trigger ergo_test_poison on sync_runs`).execute(database.db);
    const detail = await getBulkSync(deps, { actorId: org.admin }, run.id);
    expect(detail.run).toMatchObject({ status: 'completed', applied: 2, failed: 1 });
    expect(detail.results.items.find((i) => i.memberId === poison.id)).toMatchObject({
      status: 'failed',
      errorCode: 'internal',
    });
  });

  it('job payloads hold only the run and batch numbers, never a secret', async () => {
    const org = await team(3);
    const { deps, queue } = depsWith();
    await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    for (const payload of queue.payloads) {
      expect(Object.keys(JSON.parse(payload) as object).sort()).toEqual(['batch', 'runId']);
      expect(payload).not.toContain('pat-na1-admin');
    }
  });

  it('refuses a bad selection with a clear error and creates nothing', async () => {
    const org = await team(1);
    const { deps, queue } = depsWith();
    const actor = { actorId: org.admin };
    await expect(startBulkSync(deps, actor, { action: 'sync_settings' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      startBulkSync(deps, actor, {
        action: 'sync_settings',
        teamId: org.teamId,
        memberIds: [org.admin],
      }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(
      startBulkSync(deps, actor, { action: 'sync_settings', memberIds: ['nope'] }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      startBulkSync(deps, actor, {
        action: 'sync_settings',
        teamId: '00000000-0000-4000-8000-000000000000',
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      startBulkSync(deps, actor, {
        action: 'sync_settings',
        teamId: org.teamId,
        categories: ['bogus'],
      }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(
      startBulkSync(deps, actor, { action: 'sync_crm', teamId: org.teamId, dryRun: true }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
    const member = org.members[0];
    if (!member) throw new Error('fixture');
    await expect(
      startBulkSync(deps, { actorId: member.id }, { action: 'sync_settings', teamId: org.teamId }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const { deps: small } = depsWith(queue);
    await expect(
      startBulkSync({ ...small, maxMembers: 1 }, actor, {
        action: 'sync_settings',
        memberIds: [member.id, org.primaryAdmin.id],
      }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    expect(queue.jobs).toHaveLength(0);
    const runs = await sql<{
      n: number;
    }>`select count(*)::int as n from bulk_runs where organization_id = ${org.organizationId}`.execute(
      database.db,
    );
    expect(runs.rows[0]?.n).toBe(0);
  });
});

describe('reverting a whole run', () => {
  it('restores every member it changed, refuses alone (version_conflict) a member changed since, and a repeated batch reverts nobody twice', async () => {
    const org = await team(3);
    const [a, changedSince, c] = org.members;
    if (!a || !changedSince || !c) throw new Error('fixture');
    const before = new Map<string, unknown>();
    for (const m of org.members) before.set(m.id, await dashboardState(uow, keyring, m.id));
    const { deps, queue } = depsWith();
    const run = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    await runAll(deps, queue.jobs);
    // One member changes a synced category after the run.
    await uow.transaction((repos) =>
      writeCategory(repos, changedSince.id, 'company_details', {
        ...(ADMIN_SETTINGS.company_details as object),
        companyName: 'Changed since',
      }),
    );
    const revert = await revertBulkSync(deps, { actorId: org.admin }, run.id);
    expect(revert).toMatchObject({ action: 'revert', total: 3, revertsRunId: run.id });
    const jobs = queue.jobs.splice(0);
    for (const job of jobs) await processBulkBatch(deps, job, 0);
    for (const job of jobs) await processBulkBatch(deps, job, 1); // redelivered
    const detail = await getBulkSync(deps, { actorId: org.admin }, revert.id);
    const status = new Map(detail.results.items.map((i) => [i.memberId, [i.status, i.errorCode]]));
    expect(status.get(a.id)).toEqual(['applied', null]);
    expect(status.get(c.id)).toEqual(['applied', null]);
    expect(status.get(changedSince.id)).toEqual(['failed', 'version_conflict']);
    expect(await dashboardState(uow, keyring, a.id)).toEqual(before.get(a.id));
    expect(await dashboardState(uow, keyring, c.id)).toEqual(before.get(c.id));
    expect([...(await historyCount(revert.id)).values()]).toEqual([1, 1]);
    expect(detail.run).toMatchObject({ status: 'completed', applied: 2, failed: 1 });
  });

  it('refuses a preview, a run still in progress, and a run that changed nobody', async () => {
    const org = await team(2);
    const { deps, queue } = depsWith();
    const preview = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId, dryRun: true },
    );
    await expect(revertBulkSync(deps, { actorId: org.admin }, preview.id)).rejects.toMatchObject({
      code: 'invalid_request',
    });
    queue.jobs.splice(0);
    const running = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    await expect(revertBulkSync(deps, { actorId: org.admin }, running.id)).rejects.toMatchObject({
      code: 'bulk_run_in_progress',
    });
    await runAll(deps, queue.jobs);
    const again = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    await runAll(deps, queue.jobs);
    await expect(revertBulkSync(deps, { actorId: org.admin }, again.id)).rejects.toMatchObject({
      code: 'nothing_to_revert',
    });
  });
});

describe('the in-process runner (the embedded database)', () => {
  it('runs every batch of a run to the end, and resumes batches left pending by a previous process', async () => {
    const org = await team(5);
    // A "previous process" created the run and died before running it.
    const { deps: dead } = depsWith();
    const run = await startBulkSync(
      dead,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    const runner = createInProcessQueue({
      logger: quietLogger,
      resume: () => uow.read.bulkRuns.unfinishedBatches(),
      retryDelayMs: 1,
    });
    const deps: BulkDeps = { uow, keyring, connectorFor: noCrm, queue: runner, batchSize: 2 };
    await runner.work((job, attempt) => processBulkBatch(deps, job, attempt));
    await runner.idle();
    expect((await getBulkSync(deps, { actorId: org.admin }, run.id)).run).toMatchObject({
      status: 'completed',
      applied: 5,
    });
    const second = await startBulkSync(
      deps,
      { actorId: org.admin },
      { action: 'sync_settings', teamId: org.teamId },
    );
    await runner.idle();
    expect((await getBulkSync(deps, { actorId: org.admin }, second.id)).run).toMatchObject({
      status: 'completed',
      unchanged: 5,
    });
    await runner.stop();
  });
});

async function startAndJobs(
  deps: BulkDeps,
  queue: ReturnType<typeof manualQueue>,
  org: { admin: string; teamId: string },
) {
  await startBulkSync(
    deps,
    { actorId: org.admin },
    { action: 'sync_settings', teamId: org.teamId },
  );
  return queue.jobs.splice(0);
}

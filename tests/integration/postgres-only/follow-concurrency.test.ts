import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '#src/domain/errors.ts';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import { createPgBossQueue, type JobQueue } from '#src/jobs/job-queue.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { verifyAuditChain } from '#src/services/audit/audit.service.ts';
import { putOwnCategory, getOwnCategory } from '#src/services/settings/own-settings.service.ts';
import { syncSettings } from '#src/services/sync/sync-settings.service.ts';
import { insertOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { makeAdminSettings, makeMemberSettings } from '#tests/factories/settings.factory.ts';
import { quietLogger } from '#tests/integration/bulk/support.ts';
import { startWorker, type AppProcess } from '#tests/support/app-process.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Issue 16's concurrency acceptance on PostgreSQL with 2 worker processes (started as `npm run
 * worker` starts them): the source admin's change pushed to a following team races, in the same
 * moment, an admin's manual Sync Settings to one follower and another follower's own edit of the
 * followed category. Nothing is lost: every write that committed is in the end state (the
 * member's own edit is kept and marks the category overridden, or it was refused with
 * version_conflict because the push landed first), each follower gets the push once, and the
 * audit chain verifies.
 */
const SECRET = randomBytes(32);
const keyring = createKeyring(SECRET);
let database: TestDatabase;
let uow: UnitOfWork;
let url: string;
let queue: JobQueue;
const workers: AppProcess[] = [];

interface Stages {
  stages: { internalId: string; name: string; order: number; probability: number }[];
  salesforceRecordTypes: unknown[];
}

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  const base = new URL(process.env.TEST_DATABASE_URL ?? '');
  base.pathname = `/${database.name}`;
  url = base.toString();
  queue = await createPgBossQueue({ connectionString: url, logger: quietLogger });
  for (let i = 0; i < 2; i += 1) {
    const worker = startWorker({
      DATABASE_URL: url,
      ERGO_SECRET_KEY: SECRET.toString('base64'),
      ERGO_DEMO: '0',
      ERGO_CRM_EMULATORS: '0',
      ERGO_BULK_BATCH_SIZE: '5',
      ERGO_WORKER_CONCURRENCY: '1',
      HOST: '127.0.0.1',
      PORT: '0',
    });
    workers.push(worker);
    await worker.ready();
  }
}, 90_000);

afterAll(async () => {
  for (const w of workers) {
    w.child.kill('SIGTERM');
    await w.exited;
  }
  await queue.stop();
  await database.close();
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stagesOf(userId: string): Promise<string[]> {
  const read = await getOwnCategory({ uow }, { actorId: userId }, 'pipeline_stages');
  return (read.value as Stages).stages.map((s) => s.name);
}

describe('a follow push racing a manual sync and a member edit (PostgreSQL, 2 workers)', () => {
  it('loses nothing: versions are checked, each follower is pushed once, the chain verifies', async () => {
    const org = await insertOrganizationWithPeople(uow, keyring, {
      teams: ['Sales'],
      admins: [{ name: 'Ada Admin', teams: ['Sales'], settings: makeAdminSettings() }],
      members: Array.from({ length: 12 }, () => ({
        teams: ['Sales'],
        settings: makeMemberSettings(),
        canLogIn: false,
      })),
    });
    const [ada] = org.admins;
    const [synced, editor, ...others] = org.members;
    const teamId = org.teamIds.Sales;
    if (!ada || !synced || !editor || !teamId) throw new Error('fixture incomplete');
    await uow.transaction((repos) =>
      repos.policies.upsert({
        teamId,
        organizationId: org.organizationId,
        category: 'pipeline_stages',
        mode: 'follow',
        sourceUserId: ada.id,
        locked: false,
        updatedBy: ada.id,
      }),
    );

    const adaNow = await getOwnCategory({ uow }, { actorId: ada.id }, 'pipeline_stages');
    const adaStages = adaNow.value as Stages;
    const editorNow = await getOwnCategory({ uow }, { actorId: editor.id }, 'pipeline_stages');
    const editorStages = editorNow.value as Stages;

    const [push, manual, edit] = await Promise.allSettled([
      putOwnCategory({ uow, queue, batchSize: 5 }, { actorId: ada.id }, 'pipeline_stages', {
        value: {
          ...adaStages,
          stages: [
            ...adaStages.stages,
            { internalId: 'stage.pushed', name: 'Pushed', order: 30, probability: 40 },
          ],
        },
        dashboardVersion: adaNow.dashboardVersion,
      }),
      syncSettings(
        { uow, keyring },
        { actorId: ada.id },
        { targetUserId: synced.id, categories: ['pipeline_stages'] },
      ),
      putOwnCategory({ uow, queue }, { actorId: editor.id }, 'pipeline_stages', {
        value: {
          ...editorStages,
          stages: [
            ...editorStages.stages,
            { internalId: 'stage.mine', name: 'Mine', order: 31, probability: 10 },
          ],
        },
        dashboardVersion: editorNow.dashboardVersion,
      }),
    ]);
    expect(push.status).toBe('fulfilled');
    expect(manual.status).toBe('fulfilled');

    const runs = await sql<{ id: string; total: number }>`
      select id, total from bulk_runs where team_id = ${teamId} and trigger = 'follow'`.execute(
      database.db,
    );
    expect(runs.rows).toHaveLength(1);
    const runId = runs.rows[0]?.id ?? '';
    await until(async () => {
      const { rows } = await sql<{ finished: boolean }>`
        select finished_at is not null as finished from bulk_runs where id = ${runId}`.execute(
        database.db,
      );
      return rows[0]?.finished === true;
    }, 'the follow run');

    // The member's edit: kept (and overridden: the push left it alone) unless the push landed
    // first, in which case it was refused as stale and nothing of it was written.
    if (edit.status === 'fulfilled') {
      expect(await stagesOf(editor.id)).toContain('Mine');
      const { rows } = await sql<{ state: string }>`
        select state from member_category_states where user_id = ${editor.id}`.execute(database.db);
      expect(rows[0]?.state).toBe('overridden');
    } else {
      expect(edit.reason).toBeInstanceOf(AppError);
      expect((edit.reason as AppError).code).toBe('version_conflict');
      expect(await stagesOf(editor.id)).toContain('Pushed');
      expect(await stagesOf(editor.id)).not.toContain('Mine');
    }
    // The manual sync and the push both reached the synced member: the admin's new stage is
    // there whichever ran first.
    expect(await stagesOf(synced.id)).toContain('Pushed');
    // Every other follower: pushed once.
    for (const member of others) expect(await stagesOf(member.id)).toContain('Pushed');
    const perMember = await sql<{ n: number }>`
      select count(*)::int as n from sync_runs where bulk_run_id = ${runId}
       group by target_id`.execute(database.db);
    expect(perMember.rows.every((r) => r.n === 1)).toBe(true);
    expect((await verifyAuditChain(uow.read, org.organizationId)).ok).toBe(true);
  }, 120_000);
});

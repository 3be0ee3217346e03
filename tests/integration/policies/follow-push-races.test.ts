import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { processBulkBatch, type BulkDeps } from '#src/services/bulk/bulk-sync.service.ts';
import { getOwnCategory, putOwnCategory } from '#src/services/settings/own-settings.service.ts';
import { insertOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { makeAdminSettings, makeMemberSettings } from '#tests/factories/settings.factory.ts';
import { manualQueue } from '#tests/integration/bulk/support.ts';
import { keyring } from '#tests/integration/sync/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * A follow push between being queued and being settled (issue 16), staged batch by batch with
 * the job code itself: a member who overrides the category meanwhile is left alone, and a
 * member who can no longer be synced fails alone and the source admin is told
 * (`follow_failed`).
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

interface Stages {
  stages: { internalId: string; name: string; order: number; probability: number }[];
  salesforceRecordTypes: unknown[];
}

async function followingTeam() {
  const org = await insertOrganizationWithPeople(uow, keyring, {
    teams: ['Sales'],
    admins: [{ name: 'Ada Admin', teams: ['Sales'], settings: makeAdminSettings() }],
    members: [
      { name: 'Rep A', teams: ['Sales'], settings: makeMemberSettings(), canLogIn: false },
      { name: 'Rep B', teams: ['Sales'], settings: makeMemberSettings(), canLogIn: false },
    ],
  });
  const [ada] = org.admins;
  const [a, b] = org.members;
  const teamId = org.teamIds.Sales;
  if (!ada || !a || !b || !teamId) throw new Error('fixture incomplete');
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
  return { ada, a, b, teamId };
}

async function addStage(userId: string, name: string, deps: { queue?: BulkDeps['queue'] }) {
  const now = await getOwnCategory({ uow }, { actorId: userId }, 'pipeline_stages');
  const value = now.value as Stages;
  await putOwnCategory({ uow, ...deps }, { actorId: userId }, 'pipeline_stages', {
    value: {
      ...value,
      stages: [
        ...value.stages,
        { internalId: `stage.${name.toLowerCase()}`, name, order: 40, probability: 40 },
      ],
    },
    dashboardVersion: now.dashboardVersion,
  });
}

async function names(userId: string): Promise<string[]> {
  const read = await getOwnCategory({ uow }, { actorId: userId }, 'pipeline_stages');
  return (read.value as Stages).stages.map((s) => s.name);
}

function bulkDeps(queue: BulkDeps['queue']): BulkDeps {
  return {
    uow,
    keyring,
    connectorFor: () => {
      throw new Error('no CRM calls');
    },
    queue,
  };
}

describe('a follow push between queued and settled', () => {
  it('a member who overrides the category after the push was queued keeps their edit; the others get the push', async () => {
    const { ada, a, b } = await followingTeam();
    const queue = manualQueue();
    await addStage(ada.id, 'Pushed', { queue });
    expect(queue.jobs).toHaveLength(1);
    // Rep A edits the followed category before the batch runs.
    await addStage(a.id, 'Mine', {});
    for (const job of queue.jobs) await processBulkBatch(bulkDeps(queue), job, 0);

    expect(await names(a.id)).toContain('Mine');
    expect(await names(a.id)).not.toContain('Pushed');
    expect(await names(b.id)).toContain('Pushed');
    const { rows } = await sql<{ member_id: string; status: string; error_code: string | null }>`
      select member_id, status, error_code from bulk_run_members
       where run_id = ${queue.jobs[0]?.runId ?? ''} order by position`.execute(database.db);
    expect(rows).toEqual(
      expect.arrayContaining([
        { member_id: a.id, status: 'unchanged', error_code: 'follow_overridden' },
        { member_id: b.id, status: 'applied', error_code: null },
      ]),
    );
  });

  it('a member who can no longer be synced fails alone, and the source admin is notified follow_failed', async () => {
    const { ada, a, b } = await followingTeam();
    const queue = manualQueue();
    await addStage(ada.id, 'Pushed', { queue });
    await sql`update users set status = 'deactivated' where id = ${a.id}`.execute(database.db);
    for (const job of queue.jobs) await processBulkBatch(bulkDeps(queue), job, 0);

    expect(await names(b.id)).toContain('Pushed');
    const { rows } = await sql<{ kind: string; user_id: string }>`
      select kind, user_id from notifications
       where bulk_run_id = ${queue.jobs[0]?.runId ?? ''}`.execute(database.db);
    expect(rows).toEqual([{ kind: 'follow_failed', user_id: ada.id }]);
  });

  it('a policy whose admin was demoted since pushes nothing: their own save creates no run', async () => {
    const { ada, b } = await followingTeam();
    await sql`update users set role = 'member' where id = ${ada.id}`.execute(database.db);
    const queue = manualQueue();
    await addStage(ada.id, 'Unpushed', { queue });
    expect(queue.jobs).toHaveLength(0);
    expect(await names(b.id)).not.toContain('Unpushed');
  });
});

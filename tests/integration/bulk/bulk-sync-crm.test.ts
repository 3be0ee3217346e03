import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import { createConnectorFactory } from '#src/integrations/crm/crm-connectors.ts';
import type { RunningEmulators } from '#emulators/start-emulators.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { readCrmCredentials } from '#src/services/crm-connections/crm-connection.service.ts';
import {
  getBulkSync,
  processBulkBatch,
  startBulkSync,
  type BulkDeps,
} from '#src/services/bulk/bulk-sync.service.ts';
import {
  makeCrmConnections,
  startEmulatorsAccepting,
} from '#tests/factories/crm-connection.factory.ts';
import { insertOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { keyring } from '#tests/integration/sync/fixtures.ts';
import { manualQueue } from '#tests/integration/bulk/support.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Bulk Sync CRM (issue 11 point 3) against the five emulators over real HTTP: the organization
 * admin's keys copied to every member, the owner-property step per member per CRM with a result
 * for each, and a redelivered batch calling no CRM and copying nothing again.
 */
let database: TestDatabase;
let uow: UnitOfWork;
let emulators: RunningEmulators;
const ownerKeys = makeCrmConnections();

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  emulators = await startEmulatorsAccepting(ownerKeys);
});
afterAll(async () => {
  await emulators.close();
  await database.close();
});

const writes = () =>
  CRM_KEYS.reduce((sum, crm: CrmKey) => sum + emulators.servers[crm].writeLog.length, 0);

/** An organization whose owner has keys for all five CRMs, an admin and `reps` (emails at `domain`) in Sales. */
async function salesTeam(domain: string, reps: number) {
  const org = await insertOrganizationWithPeople(uow, keyring, {
    teams: ['Sales'],
    primaryAdmin: { email: `owner@${domain}`, canLogIn: false, crm: ownerKeys },
    admins: [{ email: `admin@${domain}`, canLogIn: false, teams: ['Sales'] }],
    members: Array.from({ length: reps }, (_, i) => ({
      email: `rep${String(i + 1)}@${domain}`,
      canLogIn: false,
      teams: ['Sales'],
    })),
  });
  const admin = org.admins[0];
  const teamId = org.teamIds.Sales;
  if (!admin || !teamId) throw new Error('fixture');
  const queue = manualQueue();
  const deps: BulkDeps = {
    uow,
    keyring,
    connectorFor: createConnectorFactory({ baseUrls: emulators.urls, policy: FAST_RETRY_POLICY }),
    queue,
    batchSize: 10,
  };
  return { org, admin, teamId, queue, deps };
}

describe('bulk Sync CRM', () => {
  it("copies the organization admin's keys to every member, ensures their owner properties, and applies each member once", async () => {
    const { org, admin, teamId, queue, deps } = await salesTeam('acme.test', 2);
    const run = await startBulkSync(deps, { actorId: admin.id }, { action: 'sync_crm', teamId });
    expect(run).toMatchObject({ action: 'sync_crm', total: 2, categories: ['crm_keys'] });
    const [job] = queue.jobs;
    if (!job) throw new Error('one batch expected');
    await processBulkBatch(deps, job, 0);

    const detail = await getBulkSync(deps, { actorId: admin.id }, run.id);
    expect(detail.run).toMatchObject({ status: 'completed', applied: 2, failed: 0 });
    for (const item of detail.results.items) {
      expect(item.status).toBe('applied');
      const counts = item.counts as {
        copied: string[];
        crms: { crm: string; ownerProperty: string }[];
      };
      expect([...counts.copied].sort()).toEqual([...CRM_KEYS].sort());
      expect(counts.crms).toHaveLength(5);
      for (const crm of counts.crms)
        expect(['created', 'option_added', 'already_present']).toContain(crm.ownerProperty);
    }
    for (const member of org.members) {
      const keys = await readCrmCredentials(uow.read, keyring, member.id);
      expect(keys.map((k) => k.crm).sort()).toEqual([...CRM_KEYS].sort());
    }
    expect(JSON.stringify(detail)).not.toMatch(/pat-na1|api-token|access-token|secret/i);

    // Delivered again (a retry after a crash): no CRM write, no second history entry.
    const before = writes();
    await processBulkBatch(deps, job, 1);
    expect(writes()).toBe(before);
    const entries = await sql<{ n: number }>`
      select count(*)::int as n from sync_runs where bulk_run_id = ${run.id} and status = 'applied'
    `.execute(database.db);
    expect(entries.rows[0]?.n).toBe(2);
  });

  it('a batch delivered again after its keys were copied runs only the owner step: each member is copied once', async () => {
    const { admin, teamId, queue, deps } = await salesTeam('beta.test', 6);
    const run = await startBulkSync(deps, { actorId: admin.id }, { action: 'sync_crm', teamId });
    const [job] = queue.jobs;
    if (!job) throw new Error('one batch expected');
    await processBulkBatch(deps, job, 0);
    // The state a crash between the key copy's commit and the owner steps leaves: every member
    // pending with its copy's history entry recorded, the run not finished.
    await sql`update bulk_run_members set status = 'pending', counts = null, finished_at = null
              where run_id = ${run.id}`.execute(database.db);
    await sql`update bulk_runs set status = 'running', finished_at = null, done = 0, applied = 0
              where id = ${run.id}`.execute(database.db);
    const copiesBefore = await sql<{ n: number }>`
      select count(*)::int as n from crm_connections c
        join bulk_run_members m on m.member_id = c.user_id where m.run_id = ${run.id}
    `.execute(database.db);

    await processBulkBatch(deps, job, 1);

    const detail = await getBulkSync(deps, { actorId: admin.id }, run.id);
    expect(detail.run).toMatchObject({ status: 'completed', total: 6, applied: 6, failed: 0 });
    for (const item of detail.results.items) {
      const counts = item.counts as { crms: { ownerProperty: string }[] } | null;
      expect(counts?.crms).toHaveLength(5); // the owner step ran again, for every CRM
    }
    const entries = await sql<{ target_id: string; n: number }>`
      select target_id, count(*)::int as n from sync_runs
       where bulk_run_id = ${run.id} and action = 'sync_crm' group by target_id
    `.execute(database.db);
    expect(entries.rows).toHaveLength(6);
    expect(entries.rows.every((r) => r.n === 1)).toBe(true);
    const copiesAfter = await sql<{ n: number }>`
      select count(*)::int as n from crm_connections c
        join bulk_run_members m on m.member_id = c.user_id where m.run_id = ${run.id}
    `.execute(database.db);
    expect(copiesAfter.rows[0]?.n).toBe(copiesBefore.rows[0]?.n);
  });
});

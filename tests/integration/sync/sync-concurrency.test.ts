import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { verifyAuditChain } from '#src/services/audit/audit.service.ts';
import { readCategory } from '#src/services/settings/settings-store.ts';
import { listSyncs } from '#src/services/sync/sync-history.service.ts';
import { syncSettings } from '#src/services/sync/sync-settings.service.ts';
import { insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { ADMIN_SETTINGS, keyring, MEMBER_SETTINGS } from '#tests/integration/sync/fixtures.ts';
import { createTestDatabase, testEngine, type TestDatabase } from '#tests/support/test-database.ts';

let database: TestDatabase;
let uow: UnitOfWork;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  await warmUp();
});
afterAll(async () => {
  await database.close();
});

const OVERWRITTEN = [
  'company_details',
  'meeting_titles',
  'alternate_domains',
  'task_settings',
  'advanced_settings',
] as const;

/**
 * One sync between two dashboards of their own organization, in the hook's budget: on PGlite the
 * first syncs of a process cost many times the later ones (its WASM warms up; seconds under
 * load), and the 50 syncs under test should not pay for it.
 */
async function warmUp(): Promise<void> {
  const { organizationId } = await insertOrganization(uow);
  const admin = await insertUserWithDashboard(uow, keyring, organizationId, {
    role: 'admin',
    settings: ADMIN_SETTINGS,
  });
  const member = await insertUserWithDashboard(uow, keyring, organizationId, {
    settings: MEMBER_SETTINGS,
  });
  await syncSettings({ uow, keyring }, { actorId: admin.id }, { targetUserId: member.id });
}

describe(`concurrent syncs (${testEngine})`, () => {
  it('50 concurrent syncs from two admins into one member serialise: no lost update', async () => {
    const { organizationId } = await insertOrganization(uow);
    const adminA = await insertUserWithDashboard(uow, keyring, organizationId, {
      role: 'admin',
      settings: ADMIN_SETTINGS,
    });
    const adminB = await insertUserWithDashboard(uow, keyring, organizationId, {
      role: 'admin',
      settings: {
        ...MEMBER_SETTINGS,
        company_details: { companyName: 'B corp' },
        task_settings: { defaultDueOffsetDays: 9 },
      },
    });
    const member = await insertUserWithDashboard(uow, keyring, organizationId, {
      settings: MEMBER_SETTINGS,
    });
    const versionBefore = (await uow.read.dashboards.find(member.id))?.version ?? 0;

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        syncSettings(
          { uow, keyring },
          { actorId: i % 2 === 0 ? adminA.id : adminB.id },
          { targetUserId: member.id },
        ),
      ),
    );
    expect(results.every((r) => r.syncId !== null)).toBe(true);

    for (const category of OVERWRITTEN) {
      const value = JSON.stringify((await readCategory(uow.read, member.id, category)).value);
      const fromA = JSON.stringify((await readCategory(uow.read, adminA.id, category)).value);
      const fromB = JSON.stringify((await readCategory(uow.read, adminB.id, category)).value);
      expect([fromA, fromB], category).toContain(value);
    }
    const history = await listSyncs(
      { uow },
      { actorId: adminA.id },
      { memberId: member.id, limit: 200 },
    );
    expect(history.items.filter((i) => i.status === 'applied')).toHaveLength(50);
    // Every sync that changed something bumped the version once; one that found the member
    // already in step (the same admin twice in a row) wrote nothing.
    const changing = results.filter((r) => r.changed).length;
    expect(changing).toBeGreaterThan(1);
    expect((await uow.read.dashboards.find(member.id))?.version).toBe(versionBefore + changing);
    expect(await verifyAuditChain(uow.read, organizationId)).toMatchObject({
      ok: true,
      entries: 50,
    });
  });
});

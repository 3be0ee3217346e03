import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { saveCrmConnections } from '#src/services/crm-connections/crm-connection.service.ts';
import { insertLoginOrganization, TEST_PASSWORD } from '#tests/support/accounts.ts';
import {
  buildTestApp,
  loginAs,
  request,
  type Agent,
  type TestApp,
} from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Drift (issue 10, SPEC §6) through HTTP: per member × category, would Sync Settings from an
 * admin change anything — in the member table (`driftFrom`) and item by item for one member.
 */
let database: TestDatabase;
let testApp: TestApp;
let uow: UnitOfWork;
let admin: Agent;
let adminId: string;
let teamId: string;
let memberId: string;
let otherMemberId: string;
let plainMember: Agent;
let outsiderAdminId: string;
const SECRET = 'pat-na1-drift-secret-0000-1111-2222';

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database);
  uow = createUnitOfWork(database.db);
  const org = await insertLoginOrganization(uow);
  adminId = org.primaryAdmin.id;
  const member = await org.addUser();
  const other = await org.addUser();
  const plain = await org.addUser();
  memberId = member.id;
  otherMemberId = other.id;
  const [team] = await uow.transaction(async (repos) => {
    const teams = await repos.teams.insertMany(org.organizationId, ['Drift team']);
    await repos.teams.addMembers(
      org.organizationId,
      [member.id, other.id, plain.id, adminId].map((userId) => ({
        teamId: teams[0]?.id ?? '',
        userId,
      })),
    );
    await saveCrmConnections(repos, testApp.keyring, adminId, [
      { crm: 'hubspot', secrets: { accessToken: SECRET }, instance: {} },
    ]);
    return teams;
  });
  teamId = team?.id ?? '';
  outsiderAdminId = (await insertLoginOrganization(uow)).primaryAdmin.id;
  admin = await loginAs(testApp.app, org.primaryAdmin.email, TEST_PASSWORD);
  plainMember = await loginAs(testApp.app, plain.email, TEST_PASSWORD);
  await setCompany('Drift Corp');
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

async function setCompany(name: string): Promise<void> {
  const dashboardVersion = (await uow.read.dashboards.find(adminId))?.version ?? 0;
  const put = await request(testApp.app, admin, 'PUT', '/api/me/settings/company_details', {
    value: { companyName: name },
    dashboardVersion,
  });
  expect(put.statusCode, put.body).toBe(200);
}

interface Row {
  id: string;
  drift?: Record<string, string>;
  driftCount?: number;
}

async function table(from = 'me'): Promise<Map<string, Row>> {
  const response = await request(
    testApp.app,
    admin,
    'GET',
    `/api/teams/${teamId}/members?driftFrom=${from}`,
  );
  expect(response.statusCode, response.body).toBe(200);
  return new Map(response.json<{ items: Row[] }>().items.map((r) => [r.id, r]));
}

async function sync(target: string): Promise<void> {
  const response = await request(
    testApp.app,
    admin,
    'POST',
    `/api/members/${target}/sync-settings`,
    {
      categories: ['company_details', 'crm_keys'],
    },
  );
  expect(response.statusCode, response.body).toBe(200);
}

describe('drift', () => {
  it('lists only the categories the admin has set, and is in sync after a sync, differs after the admin changes, in sync after the next sync', async () => {
    let rows = await table();
    expect(rows.get(memberId)).toMatchObject({
      drift: { company_details: 'differs', crm_keys: 'differs' },
      driftCount: 2,
    });
    expect(Object.keys(rows.get(memberId)?.drift ?? {}).sort()).toEqual([
      'company_details',
      'crm_keys',
    ]);
    // The admin's own row has no drift from themself.
    expect(rows.get(adminId)?.drift).toBeUndefined();

    await sync(memberId);
    rows = await table();
    expect(rows.get(memberId)).toMatchObject({
      drift: { company_details: 'in_sync', crm_keys: 'in_sync' },
      driftCount: 0,
    });
    expect(rows.get(otherMemberId)?.driftCount).toBe(2);

    await setCompany('Drift Corp 2');
    rows = await table();
    expect(rows.get(memberId)).toMatchObject({
      drift: { company_details: 'differs', crm_keys: 'in_sync' },
      driftCount: 1,
    });

    await sync(memberId);
    expect((await table()).get(memberId)?.driftCount).toBe(0);
  });

  it("a member's drift shows the preview's counts and items, CRM keys only as masked fingerprints", async () => {
    await setCompany('Drift Corp 3');
    const response = await request(
      testApp.app,
      admin,
      'GET',
      `/api/members/${memberId}/drift?from=me`,
    );
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{
      driftCount: number;
      categories: { category: string; state: string; counts: object; changes: unknown[] }[];
    }>();
    expect(body.driftCount).toBe(1);
    const company = body.categories.find((c) => c.category === 'company_details');
    expect(company).toMatchObject({
      state: 'differs',
      counts: { updated: 1 },
      changes: [
        { key: 'companyName', change: 'updated', before: 'Drift Corp 2', after: 'Drift Corp 3' },
      ],
    });
    const preview = await request(
      testApp.app,
      admin,
      'POST',
      `/api/members/${memberId}/sync-settings`,
      {
        categories: ['company_details'],
        dryRun: true,
      },
    );
    expect(preview.json<{ categories: { changes: unknown }[] }>().categories[0]?.changes).toEqual(
      company?.changes,
    );

    const fresh = await request(
      testApp.app,
      admin,
      'GET',
      `/api/members/${otherMemberId}/drift?from=me`,
    );
    const crm = fresh
      .json<{ categories: { category: string; changes: { after: string }[] }[] }>()
      .categories.find((c) => c.category === 'crm_keys');
    expect(crm?.changes[0]?.after).toMatch(/^fp:[\w-]{8}$/);
    expect(fresh.body).not.toContain(SECRET);
    expect(fresh.body).not.toContain(SECRET.slice(-8));
  });

  it.each([
    ['garbage', 'nope'],
    ['a member of the organization', 'member'],
    ["another organization's admin", 'outsider'],
  ])('driftFrom=%s is 400 invalid_request', async (_what, which) => {
    const from =
      which === 'member' ? otherMemberId : which === 'outsider' ? outsiderAdminId : which;
    for (const url of [
      `/api/teams/${teamId}/members?driftFrom=${from}`,
      `/api/members/${memberId}/drift?from=${from}`,
    ]) {
      const response = await request(testApp.app, admin, 'GET', url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toMatchObject({ code: 'invalid_request' });
    }
  });

  it("a member may not read drift (403); another organization's member is not found (404)", async () => {
    const forbidden = await request(
      testApp.app,
      plainMember,
      'GET',
      `/api/members/${memberId}/drift`,
    );
    expect(forbidden.statusCode).toBe(403);
    const outsider = await request(
      testApp.app,
      admin,
      'GET',
      `/api/members/${outsiderAdminId}/drift`,
    );
    expect(outsider.statusCode).toBe(404);
  });
});

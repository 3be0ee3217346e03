import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
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
 * Member-table pages kept in memory under the organization's member list version (ADR 0015):
 * a page is served from memory while nothing it shows has changed, and a change committed by
 * anyone (this process, another one, raw SQL) is on the next page at once.
 */
let database: TestDatabase;
let testApp: TestApp;
let uow: UnitOfWork;
let admin: Agent;
let otherAdmin: Agent;
let adminId: string;
let otherAdminId: string;
let organizationId: string;
let teamId: string;
let memberId: string;

interface Row {
  id: string;
  name: string;
  email: string;
  teams: { id: string; name: string }[];
  lastSync: { action: string } | null;
  actions: string[];
  connections: { crm: string; status: string }[];
  drift?: Record<string, string>;
}

async function page(agent = admin, query = 'driftFrom=me'): Promise<Map<string, Row>> {
  const response = await request(
    testApp.app,
    agent,
    'GET',
    `/api/teams/${teamId}/members?${query}`,
  );
  expect(response.statusCode, response.body).toBe(200);
  return new Map(response.json<{ items: Row[] }>().items.map((r) => [r.id, r]));
}

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database);
  uow = createUnitOfWork(database.db);
  const org = await insertLoginOrganization(uow);
  organizationId = org.organizationId;
  adminId = org.primaryAdmin.id;
  const member = await org.addUser();
  const other = await org.addUser({ role: 'admin' });
  memberId = member.id;
  otherAdminId = other.id;
  const [team] = await uow.transaction(async (repos) => {
    const teams = await repos.teams.insertMany(org.organizationId, ['Cache team']);
    await repos.teams.addMembers(
      org.organizationId,
      [member.id, other.id, adminId].map((userId) => ({ teamId: teams[0]?.id ?? '', userId })),
    );
    return teams;
  });
  teamId = team?.id ?? '';
  admin = await loginAs(testApp.app, org.primaryAdmin.email, TEST_PASSWORD);
  otherAdmin = await loginAs(testApp.app, other.email, TEST_PASSWORD);
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

describe('member page cache', () => {
  it('a page is served from memory while its version holds: a change the version does not see is not shown', async () => {
    expect((await page()).get(memberId)?.email).not.toBe('unseen@cache.test');
    // Take the users table out of the version for a moment: a new email is then invisible to it,
    // and the kept page (not a fresh read) is what the next request gets. (A rename would also
    // change the member's team rows, whose trigger would see it.)
    await sql`alter table users disable trigger users_member_list_update`.execute(database.db);
    try {
      await database.db
        .updateTable('users')
        .set({ email: 'unseen@cache.test' })
        .where('id', '=', memberId)
        .execute();
      expect((await page()).get(memberId)?.email).not.toBe('unseen@cache.test');
      // Another query is another page: computed, so current.
      expect((await page(admin, '')).get(memberId)?.email).toBe('unseen@cache.test');
    } finally {
      await sql`alter table users enable trigger users_member_list_update`.execute(database.db);
    }
    await database.db
      .updateTable('users')
      .set({ email: 'seen@cache.test' })
      .where('id', '=', memberId)
      .execute();
    expect((await page()).get(memberId)?.email).toBe('seen@cache.test');
  });

  it('a change committed outside this process is on the next page: membership, team name, last sync', async () => {
    await page();
    const team = await database.db
      .insertInto('teams')
      .values({ organization_id: organizationId, name: 'Second team' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('team_members')
      .values({ team_id: team.id, user_id: memberId, organization_id: organizationId })
      .execute();
    expect((await page()).get(memberId)?.teams.map((t) => t.name)).toContain('Second team');

    await database.db
      .updateTable('teams')
      .set({ name: 'Renamed team' })
      .where('id', '=', team.id)
      .execute();
    expect((await page()).get(memberId)?.teams.map((t) => t.name)).toContain('Renamed team');

    expect((await page()).get(memberId)?.lastSync).toBeNull();
    await database.db
      .insertInto('sync_runs')
      .values({
        organization_id: organizationId,
        actor_id: adminId,
        target_id: memberId,
        action: 'sync_crm',
        status: 'applied',
        categories: ['crm_keys'],
      })
      .execute();
    expect((await page()).get(memberId)?.lastSync).toMatchObject({ action: 'sync_crm' });
  });

  it('drift: differs after the admin changes a category, in sync after the sync, through kept pages', async () => {
    const put = await request(testApp.app, admin, 'PUT', '/api/me/settings/company_details', {
      value: { companyName: 'Cache Corp' },
      dashboardVersion: (await uow.read.dashboards.find(adminId))?.version ?? 0,
    });
    expect(put.statusCode, put.body).toBe(200);
    expect((await page()).get(memberId)?.drift).toEqual({ company_details: 'differs' });
    expect((await page()).get(memberId)?.drift).toEqual({ company_details: 'differs' });
    const sync = await request(
      testApp.app,
      admin,
      'POST',
      `/api/members/${memberId}/sync-settings`,
      {
        categories: ['company_details'],
      },
    );
    expect(sync.statusCode, sync.body).toBe(200);
    expect((await page()).get(memberId)?.drift).toEqual({ company_details: 'in_sync' });
  });

  it('pages are kept per actor: each admin gets the actions they may run, and a role change is seen at once', async () => {
    const mine = (await page(admin, '')).get(otherAdminId);
    const theirs = (await page(otherAdmin, '')).get(otherAdminId);
    // The primary admin may manage the other admin; the other admin may not manage themself.
    expect(mine?.actions).not.toEqual(theirs?.actions);
    expect((await page(admin, '')).get(otherAdminId)?.actions).toEqual(mine?.actions);

    const demote = await request(testApp.app, admin, 'PATCH', `/api/members/${otherAdminId}`, {
      role: 'member',
    });
    expect(demote.statusCode, demote.body).toBe(200);
    const refused = await request(testApp.app, otherAdmin, 'GET', `/api/teams/${teamId}/members`);
    expect(refused.statusCode).toBe(403);
  });
});

describe('kept responses', () => {
  it('a kept page goes gzipped to a client that accepts gzip, and as plain JSON to one that does not; the same JSON either way', async () => {
    const url = `/api/teams/${teamId}/members?driftFrom=me&limit=100`;
    const plain = await request(testApp.app, admin, 'GET', url);
    const zipped = await request(testApp.app, admin, 'GET', url, undefined, {
      'accept-encoding': 'gzip, deflate, br',
    });
    const refused = await request(testApp.app, admin, 'GET', url, undefined, {
      'accept-encoding': 'gzip;q=0, identity',
    });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(plain.body);
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body).toBe(plain.body);
  });
});

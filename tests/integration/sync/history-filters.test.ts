import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
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
 * Issue 15 §6: the sync history filters by member, admin, action, status and time, combined,
 * and downloads as CSV (RFC 4180, formula-safe) with the same filters.
 */
let database: TestDatabase;
let testApp: TestApp;
let owner: Agent;
let second: Agent;
let alice: string;
let bob: string;
let member: Agent;
let startedAt: string;

interface Item {
  id: string;
  action: string;
  status: string;
  actorId: string | null;
  targetId: string | null;
  revertsSyncId: string | null;
}

const list = async (agent: Agent, query: string) => {
  const response = await request(testApp.app, agent, 'GET', `/api/syncs${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ items: Item[] }>().items;
};

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database);
  const org = await insertLoginOrganization(createUnitOfWork(database.db));
  const secondAdmin = await org.addUser({ role: 'admin' });
  const aliceUser = await org.addUser();
  // A name a spreadsheet would run as a formula: the export must show it as text.
  await database.db
    .updateTable('users')
    .set({ name: '=HYPERLINK("x") Alice' })
    .where('id', '=', aliceUser.id)
    .execute();
  const bobUser = await org.addUser();
  alice = aliceUser.id;
  bob = bobUser.id;
  owner = await loginAs(testApp.app, org.primaryAdmin.email, TEST_PASSWORD);
  second = await loginAs(testApp.app, secondAdmin.email, TEST_PASSWORD);
  member = await loginAs(testApp.app, bobUser.email, TEST_PASSWORD);
  for (const [i, admin] of [owner, second].entries()) {
    const put = await request(testApp.app, admin, 'PUT', '/api/me/settings/company_details', {
      value: { companyName: `Admin ${i}` },
      dashboardVersion: 1,
    });
    expect(put.statusCode, put.body).toBe(200);
  }
  startedAt = new Date().toISOString();
  const sync = (admin: Agent, target: string) =>
    request(testApp.app, admin, 'POST', `/api/members/${target}/sync-settings`, {
      categories: ['company_details'],
    });
  expect((await sync(owner, alice)).statusCode).toBe(200);
  expect((await sync(second, bob)).statusCode).toBe(200);
  const last = await sync(owner, bob);
  const syncId = last.json<{ syncId: string }>().syncId;
  expect(
    (await request(testApp.app, owner, 'POST', `/api/syncs/${syncId}/revert`)).statusCode,
  ).toBe(200);
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

describe('sync history filters', () => {
  it('filters by member, by admin, by action and by status, combined', async () => {
    expect((await list(owner, `?memberId=${bob}`)).map((i) => i.targetId)).toEqual([bob, bob, bob]);
    const byOwner = await list(owner, `?actorId=${owner.userId}`);
    expect(byOwner).toHaveLength(3);
    expect(byOwner.every((i) => i.actorId === owner.userId)).toBe(true);
    const reverts = await list(owner, '?action=revert');
    expect(reverts.map((i) => i.action)).toEqual(['revert']);
    expect(reverts[0]?.revertsSyncId).not.toBeNull();
    const combined = await list(
      owner,
      `?memberId=${bob}&actorId=${second.userId}&action=sync_settings`,
    );
    expect(combined).toHaveLength(1);
    expect(await list(owner, '?status=failed')).toEqual([]);
    expect((await list(owner, '?status=applied')).length).toBe(4);
  });

  it('filters by time: since inclusive, until exclusive', async () => {
    expect(await list(owner, `?until=${encodeURIComponent(startedAt)}`)).toEqual([]);
    expect((await list(owner, `?since=${encodeURIComponent(startedAt)}`)).length).toBe(4);
    expect(await list(owner, '?since=2999-01-01')).toEqual([]);
  });

  it('refuses an unknown action or status, an unreadable date (400); a non-id member matches nothing', async () => {
    for (const query of ['?action=delete', '?status=ok', '?since=yesterday', '?until=0000-01-01']) {
      const response = await request(testApp.app, owner, 'GET', `/api/syncs${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ code: string }>().code).toBe('invalid_request');
    }
    expect(await list(owner, '?memberId=nobody')).toEqual([]);
  });

  it('downloads the filtered history as CSV: a header, one quoted row per sync, formula-safe', async () => {
    const response = await request(
      testApp.app,
      owner,
      'GET',
      `/api/syncs/export?memberId=${alice}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(
      /attachment; filename="ergo-sync-history-/,
    );
    const rows = response.body.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe(
      '"id","at","action","status","categories","admin_id","admin_name","member_id","member_name","reverts_sync_id","reverted_by_sync_id","result"',
    );
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain(`"${alice}"`);
    expect(rows[1]).toContain(`"'=HYPERLINK(""x"") Alice"`);
    const all = await request(testApp.app, owner, 'GET', '/api/syncs/export');
    expect(all.body.split('\r\n').filter(Boolean)).toHaveLength(5);
  });

  it('is for admins only: a member gets 403 on the list and the export', async () => {
    for (const url of ['/api/syncs?action=revert', '/api/syncs/export']) {
      const response = await request(testApp.app, member, 'GET', url);
      expect(response.statusCode, url).toBe(403);
    }
  });
});

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
 * Issue 9.5: history is listed in the order syncs were applied. On PostgreSQL `now()` is the
 * transaction's start, so concurrent syncs that waited on the member's lock used to be listed
 * out of order; `seq` is taken under that lock, and `finished_at` is the statement's clock.
 */
let database: TestDatabase;
let testApp: TestApp;
let admins: Agent[];
let memberId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database);
  const org = await insertLoginOrganization(createUnitOfWork(database.db));
  const second = await org.addUser({ role: 'admin' });
  memberId = (await org.addUser()).id;
  admins = [
    await loginAs(testApp.app, org.primaryAdmin.email, TEST_PASSWORD),
    await loginAs(testApp.app, second.email, TEST_PASSWORD),
  ];
  // Each admin has their own company details, so every sync changes the member's value.
  for (const [i, admin] of admins.entries()) {
    const put = await request(testApp.app, admin, 'PUT', '/api/me/settings/company_details', {
      value: { companyName: `Admin ${i}` },
      dashboardVersion: 1,
    });
    expect(put.statusCode, put.body).toBe(200);
  }
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

interface HistoryItem {
  id: string;
  createdAt: string;
  result: { versionsAfter?: { company_details?: number } };
}

describe('sync history order', () => {
  it('lists concurrent syncs to one member in the order they were applied (version order), across pages', async () => {
    const count = 30;
    const responses = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        request(testApp.app, admins[i % 2], 'POST', `/api/members/${memberId}/sync-settings`, {
          categories: ['company_details'],
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(count).fill(200));

    const items: HistoryItem[] = [];
    let cursor: string | null = null;
    do {
      const page = await request(
        testApp.app,
        admins[0],
        'GET',
        `/api/syncs?memberId=${memberId}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json<{ items: HistoryItem[]; nextCursor: string | null }>();
      items.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);

    expect(items).toHaveLength(count);
    // A sync that found the member already in step changed nothing (no version of its own).
    const versions = items
      .map((i) => i.result.versionsAfter?.company_details)
      .filter((v): v is number => v !== undefined);
    expect(versions.length).toBeGreaterThan(1);
    // Newest first: versions strictly decreasing, one per changing sync.
    expect(versions).toEqual([...versions].sort((a, b) => b - a));
    expect(new Set(versions).size).toBe(versions.length);
    const times = items.map((i) => Date.parse(i.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});

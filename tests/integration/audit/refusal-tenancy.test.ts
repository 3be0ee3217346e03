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
 * Issue 9.6: one organization's audit log never stores another organization's user ids. A
 * refusal records its target only when the target is in the actor's organization.
 */
let database: TestDatabase;
let testApp: TestApp;
let uow: UnitOfWork;
let acmeAdmin: Agent;
let acmeOrg: string;
let acmeMember: string;
let globexMember: string;

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database);
  uow = createUnitOfWork(database.db);
  const acme = await insertLoginOrganization(uow);
  const globex = await insertLoginOrganization(uow);
  acmeOrg = acme.organizationId;
  acmeMember = (await acme.addUser()).id;
  globexMember = (await globex.addUser()).id;
  acmeAdmin = await loginAs(testApp.app, acme.primaryAdmin.email, TEST_PASSWORD);
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

async function lastRefusal(requestId: string) {
  const entries = await uow.read.audit.listByOrganization(acmeOrg, { limit: 500 });
  return entries.find((e) => e.requestId === requestId && e.outcome === 'refused');
}

describe('audit entries of refusals', () => {
  it.each([
    ['an unknown category', { categories: ['nope'] }, 400],
    ['an empty category list', { categories: [] }, 400],
    ['a valid request', { categories: ['company_details'] }, 404],
  ])(
    "a refused sync on another organization's user (%s) records no target id",
    async (_what, body, status) => {
      const response = await request(
        testApp.app,
        acmeAdmin,
        'POST',
        `/api/members/${globexMember}/sync-settings`,
        body,
      );
      expect(response.statusCode).toBe(status);
      const entry = await lastRefusal(response.json<{ requestId: string }>().requestId);
      expect(entry).toBeDefined();
      expect(entry?.targetId).toBeNull();
    },
  );

  it('a refused sync on a user of the same organization records the target', async () => {
    const response = await request(
      testApp.app,
      acmeAdmin,
      'POST',
      `/api/members/${acmeMember}/sync-settings`,
      { categories: ['nope'] },
    );
    expect(response.statusCode).toBe(400);
    const entry = await lastRefusal(response.json<{ requestId: string }>().requestId);
    expect(entry?.targetId).toBe(acmeMember);
  });
});

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
 * Issue 9.7 (SPEC §1): `invited` becomes `active` only through setup completion, which creates
 * the dashboard. An admin's PATCH can neither activate an invited user nor reactivate a user who
 * never finished setup: 409 setup_incomplete, nothing changed.
 */
let database: TestDatabase;
let testApp: TestApp;
let uow: UnitOfWork;
let admin: Agent;
let org: Awaited<ReturnType<typeof insertLoginOrganization>>;

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database);
  uow = createUnitOfWork(database.db);
  org = await insertLoginOrganization(uow);
  admin = await loginAs(testApp.app, org.primaryAdmin.email, TEST_PASSWORD);
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

describe('activating a user', () => {
  it('an invited user set active by an admin is 409 setup_incomplete and stays invited', async () => {
    const invited = await org.addUser({ status: 'invited', dashboard: false });
    const response = await request(testApp.app, admin, 'PATCH', `/api/members/${invited.id}`, {
      status: 'active',
    });
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json()).toMatchObject({ code: 'setup_incomplete' });
    expect((await uow.read.users.findById(invited.id))?.status).toBe('invited');
  });

  it('a deactivated user who never finished setup cannot be reactivated either', async () => {
    const neverSetUp = await org.addUser({ status: 'deactivated', dashboard: false });
    const response = await request(testApp.app, admin, 'PATCH', `/api/members/${neverSetUp.id}`, {
      status: 'active',
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'setup_incomplete' });
    expect((await uow.read.users.findById(neverSetUp.id))?.status).toBe('deactivated');
  });

  it('positive control: a deactivated user with a dashboard is reactivated (200)', async () => {
    const user = await org.addUser({ status: 'deactivated' });
    const response = await request(testApp.app, admin, 'PATCH', `/api/members/${user.id}`, {
      status: 'active',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect((await uow.read.users.findById(user.id))?.status).toBe('active');
  });

  it('an invited user may still be deactivated (an invitation withdrawn)', async () => {
    const invited = await org.addUser({ status: 'invited', dashboard: false });
    const response = await request(testApp.app, admin, 'PATCH', `/api/members/${invited.id}`, {
      status: 'deactivated',
    });
    expect(response.statusCode, response.body).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { hashPassword } from '#src/services/auth/password.ts';
import { writeCategory } from '#src/services/settings/settings-store.ts';
import { insertOrganization, insertUser } from '#tests/factories/organization.factory.ts';
import { fingerprint } from '#tests/integration/http/support/db-fingerprint.ts';
import { describeResponse, expectProblem, send } from '#tests/integration/http/support/http.ts';
import { buildTestApp, loginAs, type Agent, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * ADR 0005: the category schemas are strict over HTTP too. A misspelt field is refused with a
 * message naming it, and the dashboard is left as it was: `"ownerPropery": true` once stored an
 * ordinary property (ownerProperty false) that the next sync would have overwritten.
 */

const PASSWORD = 'strict-password';
const SETTINGS_URL = '/api/me/settings/custom_properties';
const SOURCE = {
  crm: 'hubspot',
  object: 'deal',
  name: 'deal_source',
  label: 'Deal source',
  type: 'string',
};
const OWNER = { crm: 'hubspot', object: 'deal', name: 'ergo_owner', label: 'Ergo owner' };

let database: TestDatabase;
let testApp: TestApp;
let agent: Agent;

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database);
  const uow = createUnitOfWork(database.db);
  const { organizationId } = await insertOrganization(uow);
  const passwordHash = await hashPassword(PASSWORD);
  const email = 'strict-settings@example.test';
  await uow.transaction(async (repos) => {
    const user = await insertUser(repos, organizationId, { email, passwordHash });
    await writeCategory(repos, user.id, 'custom_properties', { properties: [SOURCE] });
  });
  agent = await loginAs(testApp.app, email, PASSWORD);
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

async function readOwn() {
  const response = await send(testApp.app, agent, { method: 'GET', url: SETTINGS_URL });
  expect(response.statusCode, describeResponse(response)).toBe(200);
  return response.json<{ value: unknown; version: number; dashboardVersion: number }>();
}

describe('strict settings over HTTP', () => {
  it('PUT custom_properties with "ownerPropery" (misspelt) is 400 invalid_request naming the key, and changes nothing', async () => {
    const before = await readOwn();
    const rows = await fingerprint(database.db);
    const response = await send(testApp.app, agent, {
      method: 'PUT',
      url: SETTINGS_URL,
      body: {
        value: { properties: [SOURCE, { ...OWNER, type: 'string', ownerPropery: true }] },
        dashboardVersion: before.dashboardVersion,
      },
    });
    expect(response.statusCode, describeResponse(response)).toBe(400);
    expect(expectProblem(response, 'ownerPropery')).toBe('invalid_request');
    expect(response.json<{ detail: string }>().detail).toBe(
      'Custom properties: properties.1: unknown key "ownerPropery"',
    );
    expect(await readOwn()).toEqual(before);
    expect(await fingerprint(database.db)).toEqual(rows);
  });

  it('the same PUT spelt "ownerProperty" is stored as an owner property (positive control)', async () => {
    const before = await readOwn();
    const response = await send(testApp.app, agent, {
      method: 'PUT',
      url: SETTINGS_URL,
      body: {
        value: { properties: [SOURCE, { ...OWNER, type: 'string', ownerProperty: true }] },
        dashboardVersion: before.dashboardVersion,
      },
    });
    expect(response.statusCode, describeResponse(response)).toBe(200);
    const after = await readOwn();
    expect(after.value).toEqual({
      properties: [
        { ...SOURCE, options: [], ownerProperty: false },
        { ...OWNER, type: 'string', options: [], ownerProperty: true },
      ],
    });
  });
});

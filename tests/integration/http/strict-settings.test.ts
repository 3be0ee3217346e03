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
    expect(response.json()).toMatchObject({
      detail: 'Custom property 2 has an unknown field "ownerPropery".',
      category: 'custom_properties',
      errors: [
        { path: 'properties.1', message: 'Custom property 2 has an unknown field "ownerPropery"' },
      ],
    });
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

describe('refused values are told in sentences, per field (issue 14)', () => {
  it('PUT task_settings out of range, fractional and misspelt: one sentence per field, nothing stored', async () => {
    const url = '/api/me/settings/task_settings';
    const before = await send(testApp.app, agent, { method: 'GET', url });
    const { dashboardVersion, value } = before.json<{ value: unknown; dashboardVersion: number }>();
    const response = await send(testApp.app, agent, {
      method: 'PUT',
      url,
      body: {
        value: { defaultDueOffsetDays: 400, defaultPriority: 'urgent', weeklyDigest: true },
        dashboardVersion,
      },
    });
    expect(response.statusCode, describeResponse(response)).toBe(400);
    expect(expectProblem(response, 'task_settings')).toBe('invalid_request');
    expect(response.json()).toMatchObject({
      detail:
        'Default due date must be 365 days or fewer. Default priority must be one of "low", "medium" or "high". Task settings has an unknown field "weeklyDigest".',
      category: 'task_settings',
      errors: [
        { path: 'defaultDueOffsetDays', message: 'Default due date must be 365 days or fewer' },
        {
          path: 'defaultPriority',
          message: 'Default priority must be one of "low", "medium" or "high"',
        },
        { path: '', message: 'Task settings has an unknown field "weeklyDigest"' },
      ],
    });
    const fractional = await send(testApp.app, agent, {
      method: 'PUT',
      url,
      body: { value: { defaultDueOffsetDays: 1.5 }, dashboardVersion },
    });
    expect(fractional.statusCode, describeResponse(fractional)).toBe(400);
    expect(fractional.json<{ detail: string }>().detail).toBe(
      'Default due date must be a whole number of days.',
    );
    const after = await send(testApp.app, agent, { method: 'GET', url });
    expect(after.json<{ value: unknown }>().value).toEqual(value);
  });

  it('PUT meeting_titles with a template without a title: "Meeting title 1 is required"', async () => {
    const url = '/api/me/settings/meeting_titles';
    const { dashboardVersion } = (await send(testApp.app, agent, { method: 'GET', url })).json<{
      dashboardVersion: number;
    }>();
    const response = await send(testApp.app, agent, {
      method: 'PUT',
      url,
      body: { value: { templates: [{ id: 'mt.1' }] }, dashboardVersion },
    });
    expect(response.statusCode, describeResponse(response)).toBe(400);
    expect(response.json()).toMatchObject({
      detail: 'Meeting title 1 is required.',
      errors: [{ path: 'templates.0.title', message: 'Meeting title 1 is required' }],
    });
  });

  it('a CRM connection missing its instance URL says it is required, never "received undefined"', async () => {
    const response = await send(testApp.app, agent, {
      method: 'PUT',
      url: '/api/me/crm-connections/salesforce',
      body: { secrets: { accessToken: '00D000000000001!token' }, instance: {} },
    });
    expect(response.statusCode, describeResponse(response)).toBe(400);
    expect(response.json()).toMatchObject({
      detail: 'Salesforce connection: Instance URL is required.',
      errors: [{ path: 'instance.instanceUrl', message: 'Instance URL is required' }],
    });
  });

  it('a body refused by its route schema names the field in a sentence too', async () => {
    const response = await send(testApp.app, agent, {
      method: 'PUT',
      url: SETTINGS_URL,
      body: { value: {}, dashboardVersion: 'latest' },
    });
    expect(response.statusCode, describeResponse(response)).toBe(400);
    expect(expectProblem(response, 'dashboardVersion')).toBe('invalid_request');
    expect(response.json()).toMatchObject({
      detail: 'The request is not valid: Dashboard version must be a number.',
      in: 'body',
      errors: [{ path: 'dashboardVersion', message: 'Dashboard version must be a number' }],
    });
  });
});

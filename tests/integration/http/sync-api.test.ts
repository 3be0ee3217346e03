import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type RunningEmulators } from '#emulators/start-emulators.ts';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { seedDemo } from '#src/services/demo/seed-demo.service.ts';
import {
  buildTestApp,
  loginAs,
  request,
  type Agent,
  type TestApp,
} from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';
import { DEMO_CRM_ACCOUNTS } from '#src/db/seed/demo-data.ts';

let database: TestDatabase;
let testApp: TestApp;
let emulators: RunningEmulators;
let admin: Agent;
const ids: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  emulators = await startEmulators({ accounts: DEMO_CRM_ACCOUNTS });
  testApp = await buildTestApp(database, { crmBaseUrls: emulators.urls });
  await seedDemo(createUnitOfWork(database.db), testApp.keyring);
  const users = await database.db.selectFrom('users').select(['id', 'email']).execute();
  for (const u of users) ids[u.email] = u.id;
  admin = await loginAs(testApp.app, 'admin@acme.test');
});
afterAll(async () => {
  await testApp.app.close();
  await emulators.close();
  await database.close();
});

describe('sync endpoints', () => {
  it("GET /api/sync/categories lists the guide's categories with Email templates unselected", async () => {
    const response = await request(testApp.app, admin, 'GET', '/api/sync/categories');
    const categories = response.json<{ key: string; label: string; defaultSelected: boolean }[]>();
    expect(categories.map((c) => c.label)).toEqual([
      'Custom properties',
      'Pipeline stages',
      'Company details',
      'Meeting titles',
      'Alternate domains',
      'Partnership domains',
      'Task settings',
      'CRM keys',
      'Email templates',
      'Advanced settings',
    ]);
    expect(categories.filter((c) => !c.defaultSelected).map((c) => c.key)).toEqual([
      'email_templates',
    ]);
  });

  it('POST sync-settings with dryRun previews and writes nothing; without it, applies', async () => {
    const url = `/api/members/${ids['rep1@acme.test'] ?? ''}/sync-settings`;
    const before = await request(
      testApp.app,
      await loginAs(testApp.app, 'rep1@acme.test'),
      'GET',
      '/api/me',
    );
    const preview = await request(testApp.app, admin, 'POST', url, { dryRun: true });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ syncId: null, dryRun: true });
    const applied = await request(testApp.app, admin, 'POST', url, {});
    expect(applied.statusCode).toBe(200);
    // The same result, notes aside: a preview's say what will happen ("Will copy: HubSpot."),
    // the sync's what happened; as many of them.
    type Categories = { categories: { category: string; notes: string[] }[] };
    const counted = (c: Categories) =>
      c.categories.map((category) => ({ ...category, notes: category.notes.length }));
    expect(counted(preview.json<Categories>())).toEqual(counted(applied.json<Categories>()));
    const crmNotes = (c: Categories) =>
      c.categories.find((category) => category.category === 'crm_keys')?.notes[0];
    expect(crmNotes(preview.json<Categories>())).toBe('Will copy: HubSpot.');
    expect(crmNotes(applied.json<Categories>())).toBe('Copied: HubSpot.');
    expect(before.statusCode).toBe(200);
  });

  it('refuses a sync to the primary admin (403), to another organization (404) and to a user without a dashboard (409)', async () => {
    const cases: [string, number, string][] = [
      [ids['owner@acme.test'] ?? '', 403, 'forbidden'],
      [ids['admin@globex.test'] ?? '', 404, 'target_not_found'],
      [ids['pending@acme.test'] ?? '', 409, 'dashboard_missing'],
    ];
    for (const [id, status, code] of cases) {
      const response = await request(
        testApp.app,
        admin,
        'POST',
        `/api/members/${id}/sync-settings`,
        {},
      );
      expect(response.statusCode, code).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.json()).toMatchObject({ code });
    }
  });

  it('POST sync-crm copies the organization admin keys and reports per CRM, keys never in the response', async () => {
    const response = await request(
      testApp.app,
      admin,
      'POST',
      `/api/members/${ids['rep2@acme.test'] ?? ''}/sync-crm`,
    );
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      copied: string[];
      crms: { crm: string; owner: { status: string } }[];
    }>();
    expect(body.copied).toHaveLength(5);
    expect(body.crms.every((c) => c.owner.status === 'found')).toBe(true);
    expect(response.body).not.toMatch(/pat-na1-demo|access-token|api-token/);
  });

  it('an Idempotency-Key replays the first response without syncing again; a different body is 422', async () => {
    const url = `/api/members/${ids['rep3@acme.test'] ?? ''}/sync-settings`;
    const headers = { 'idempotency-key': 'retry-123' };
    const first = await request(
      testApp.app,
      admin,
      'POST',
      url,
      { categories: ['task_settings'] },
      headers,
    );
    const second = await request(
      testApp.app,
      admin,
      'POST',
      url,
      { categories: ['task_settings'] },
      headers,
    );
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    const history = await request(
      testApp.app,
      admin,
      'GET',
      `/api/syncs?memberId=${ids['rep3@acme.test'] ?? ''}`,
    );
    expect(history.json<{ items: unknown[] }>().items).toHaveLength(1);
    const mismatch = await request(
      testApp.app,
      admin,
      'POST',
      url,
      { categories: ['company_details'] },
      headers,
    );
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json()).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('history and revert over the API', async () => {
    const memberId = ids['rep4@acme.test'] ?? '';
    const applied = await request(
      testApp.app,
      admin,
      'POST',
      `/api/members/${memberId}/sync-settings`,
      { categories: ['company_details'] },
    );
    const syncId = applied.json<{ syncId: string }>().syncId;
    const revert = await request(testApp.app, admin, 'POST', `/api/syncs/${syncId}/revert`);
    expect(revert.statusCode).toBe(200);
    const again = await request(testApp.app, admin, 'POST', `/api/syncs/${syncId}/revert`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'already_reverted' });
    const history = await request(testApp.app, admin, 'GET', `/api/syncs?memberId=${memberId}`);
    expect(history.json<{ items: { action: string }[] }>().items.map((i) => i.action)).toEqual([
      'revert',
      'sync_settings',
    ]);
    expect(history.body).not.toContain('snapshot');
  });

  it('an unknown route is a problem+json 404 with a stable code', async () => {
    const response = await request(testApp.app, admin, 'GET', '/api/nope?token=x');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: 'No route for GET /api/nope.',
    });
  });

  it('history rows carry the names of who synced and to whom', async () => {
    const history = await request(testApp.app, admin, 'GET', '/api/syncs?limit=1');
    expect(
      history.json<{ items: { actorName: string; targetName: string }[] }>().items[0],
    ).toMatchObject({
      actorName: expect.any(String) as string,
      targetName: expect.any(String) as string,
    });
  });

  it('GET /api/openapi.json documents every route', async () => {
    const response = await request(testApp.app, undefined, 'GET', '/api/openapi.json');
    const doc = response.json<{ openapi: string; paths: Record<string, unknown> }>();
    const docs = await request(testApp.app, undefined, 'GET', '/api/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/api/auth/login',
      '/api/me',
      '/api/teams',
      '/api/teams/{teamId}/members',
      '/api/members/{userId}/sync-crm',
      '/api/members/{userId}/sync-crm/owner-properties',
      '/api/members/{userId}/sync-settings',
      '/api/syncs',
      '/api/syncs/{syncId}/revert',
      '/api/me/settings/{category}',
      '/api/me/crm-connections/{crm}',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type RunningEmulators } from '#emulators/start-emulators.ts';
import { DEMO_CRM_ACCOUNTS } from '#src/db/seed/demo-data.ts';
import { syncCrmEventSchema, type SyncCrmEvent } from '#src/domain/contracts/sync.contract.ts';
import { CRM_KEYS } from '#src/domain/crm.ts';
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

/**
 * Sync CRM told as it happens (issue 14): `Accept: application/x-ndjson` on the Sync CRM route
 * streams `copied`, one `crm` per CRM as it finishes, then `result`; a refusal is still an
 * ordinary problem response, and an Idempotency-Key replays the same run either way.
 */

let database: TestDatabase;
let testApp: TestApp;
let emulators: RunningEmulators;
let admin: Agent;
const ids: Record<string, string> = {};
const NDJSON = { accept: 'application/x-ndjson' };

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

const syncCrmUrl = (email: string) => `/api/members/${ids[email] ?? ''}/sync-crm`;

function eventsOf(body: string): SyncCrmEvent[] {
  return body
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => syncCrmEventSchema.parse(JSON.parse(line)));
}

describe('Sync CRM events (application/x-ndjson)', () => {
  it('streams the copy, then each CRM as it finishes (the slowest last), then the result', async () => {
    emulators.servers.hubspot.setFaults({ latencyMs: 800 });
    try {
      const response = await request(
        testApp.app,
        admin,
        'POST',
        syncCrmUrl('rep2@acme.test'),
        undefined,
        NDJSON,
      );
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const events = eventsOf(response.body);
      expect(events.map((e) => e.type)).toEqual(['copied', ...CRM_KEYS.map(() => 'crm'), 'result']);
      const crmOrder = events.flatMap((e) => (e.type === 'crm' ? [e.step.crm] : []));
      expect(crmOrder.sort()).toEqual([...CRM_KEYS].sort());
      expect(events.filter((e) => e.type === 'crm').at(-1)).toMatchObject({
        step: { crm: 'hubspot' },
      });
      const [copied] = events;
      const result = events.at(-1);
      if (copied?.type !== 'copied' || result?.type !== 'result') throw new Error('events');
      expect(result.result).toMatchObject({ syncId: copied.syncId, status: 'applied' });
      expect(result.result.crms).toHaveLength(CRM_KEYS.length);
      expect(response.body).not.toMatch(/pat-na1|api-token|access-token|demo-owner/);
    } finally {
      emulators.servers.hubspot.resetFaults();
    }
  });

  it('a refusal is a problem response, not a stream', async () => {
    const response = await request(
      testApp.app,
      admin,
      'POST',
      syncCrmUrl('pending@acme.test'),
      undefined,
      NDJSON,
    );
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'dashboard_missing' });
  });

  it('one Idempotency-Key, one run: the stream replays the JSON answer', async () => {
    const key = { 'idempotency-key': 'events-replay-1' };
    const first = await request(
      testApp.app,
      admin,
      'POST',
      syncCrmUrl('rep3@acme.test'),
      undefined,
      key,
    );
    expect(first.statusCode).toBe(200);
    const replay = await request(
      testApp.app,
      admin,
      'POST',
      syncCrmUrl('rep3@acme.test'),
      undefined,
      {
        ...key,
        ...NDJSON,
      },
    );
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(eventsOf(replay.body)).toEqual([{ type: 'result', result: first.json<unknown>() }]);
    const runs = await database.db
      .selectFrom('sync_runs')
      .select('id')
      .where('target_id', '=', ids['rep3@acme.test'] ?? '')
      .execute();
    expect(runs).toHaveLength(1);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { withIdempotency } from '#src/services/idempotency/idempotency.service.ts';
import { syncSettings } from '#src/services/sync/sync-settings.service.ts';
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
 * Issue 9.3: an Idempotency-Key never stays "in progress" forever after a crash, and a retry
 * never applies a sync twice: the claim has a lease a retry may take over once it ends, and the
 * stored answer commits in the sync's own transaction, fenced by the claim's token.
 */
let database: TestDatabase;
let testApp: TestApp;
let uow: UnitOfWork;
let clock = new Date('2026-12-01T12:00:00Z');
let admin: Agent;
let adminId: string;
let memberId: string;

const LEASE_MS = 30_000;
const DAY_MS = 24 * 60 * 60_000;

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database, {
    idempotency: { policy: { leaseMs: LEASE_MS, ttlMs: DAY_MS }, now: () => clock },
  });
  uow = createUnitOfWork(database.db);
  const org = await insertLoginOrganization(uow);
  adminId = org.primaryAdmin.id;
  memberId = (await org.addUser()).id;
  admin = await loginAs(testApp.app, org.primaryAdmin.email, TEST_PASSWORD);
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

let companyVersion = 1;
/** Changes the admin's company details, so the next sync to the member changes something. */
async function changeAdminCompany(name: string): Promise<void> {
  const response = await request(testApp.app, admin, 'PUT', '/api/me/settings/company_details', {
    value: { companyName: name },
    dashboardVersion: companyVersion,
  });
  expect(response.statusCode, response.body).toBe(200);
  companyVersion += 1;
}

function sync(key: string, categories = ['company_details']) {
  return request(
    testApp.app,
    admin,
    'POST',
    `/api/members/${memberId}/sync-settings`,
    { categories },
    { 'idempotency-key': key },
  );
}

async function appliedSyncs(): Promise<number> {
  const member = await uow.read.users.findById(memberId);
  const page = await uow.read.syncRuns.list(member?.organization_id ?? '', {
    memberId: memberId,
    limit: 1000,
  });
  return page.filter((r) => r.status === 'applied').length;
}

/** A claim as a process that died mid-request leaves it: unanswered, with its lease. */
async function abandonedClaim(key: string, categories = ['company_details']): Promise<void> {
  // The same request hash as the route computes: claim through the service, then "crash".
  await withIdempotency(
    uow,
    { userId: adminId, key, route: `sync-settings:${memberId}`, request: { categories } },
    () => new Promise(() => undefined).then(() => ({ status: 200, body: null })),
    { policy: { leaseMs: LEASE_MS, ttlMs: DAY_MS }, now: () => clock },
  ).catch(() => undefined);
}

describe('Idempotency-Key', () => {
  it('a retry within the lease of a claim whose holder died answers 409 idempotency_in_progress with Retry-After', async () => {
    const key = randomUUID();
    void abandonedClaim(key);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const response = await sync(key);
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json()).toMatchObject({ code: 'idempotency_in_progress' });
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(LEASE_MS / 1000);
  });

  it('after the lease ends, the retry takes the claim over and the sync runs exactly once', async () => {
    await changeAdminCompany('Lease Corp');
    const key = randomUUID();
    void abandonedClaim(key);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = await appliedSyncs();
    clock = new Date(clock.getTime() + LEASE_MS + 1);
    const retried = await sync(key);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    const replayed = await sync(key);
    expect(replayed.statusCode).toBe(200);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.json()).toEqual(retried.json());
    expect(await appliedSyncs()).toBe(before + 1);
  });

  it('the answer commits with the sync: when a retry took the claim over, the slow holder rolls its sync back', async () => {
    await changeAdminCompany('Fenced Ltd');
    const key = randomUUID();
    const before = await appliedSyncs();
    const stateBefore = await uow.read.dashboards.find(memberId);
    const slow = withIdempotency(
      uow,
      { userId: adminId, key, route: `sync-settings:${memberId}`, request: {} },
      async (guard) => {
        // Meanwhile the lease ran out and a retry claimed the key (new token).
        const takenOver = await uow.read.idempotency.claim({
          userId: adminId,
          key,
          route: `sync-settings:${memberId}`,
          requestHash: (await uow.read.idempotency.find(adminId, key))?.requestHash ?? '',
          token: randomUUID(),
          now: new Date(clock.getTime() + LEASE_MS + 1),
          leaseMs: LEASE_MS,
          ttlMs: DAY_MS,
        });
        expect(takenOver).toBe(true);
        const body = await syncSettings(
          { uow, keyring: testApp.keyring },
          { actorId: adminId, ...(guard ? { idempotency: guard } : {}) },
          { targetUserId: memberId, categories: ['company_details'] },
        );
        return { status: 200, body };
      },
      { policy: { leaseMs: LEASE_MS, ttlMs: DAY_MS }, now: () => clock },
    );
    await expect(slow).rejects.toMatchObject({ code: 'idempotency_in_progress' });
    expect(await appliedSyncs()).toBe(before);
    expect(await uow.read.dashboards.find(memberId)).toEqual(stateBefore);
  });

  it('reusing a key with a different body is 422 idempotency_key_reused and changes nothing', async () => {
    const key = randomUUID();
    expect((await sync(key)).statusCode).toBe(200);
    const before = await appliedSyncs();
    const reused = await sync(key, ['task_settings']);
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({ code: 'idempotency_key_reused' });
    expect(await appliedSyncs()).toBe(before);
  });

  it('keys expire after 24 hours: the same key then starts a new request', async () => {
    const key = randomUUID();
    expect((await sync(key)).statusCode).toBe(200);
    clock = new Date(clock.getTime() + DAY_MS - 1000);
    expect((await sync(key, ['task_settings'])).statusCode).toBe(422);
    clock = new Date(clock.getTime() + 2000);
    const fresh = await sync(key, ['task_settings']);
    expect(fresh.statusCode, fresh.body).toBe(200);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
  });

  it('start-up deletes keys past their 24 hours and keeps the others', async () => {
    const old = randomUUID();
    const fresh = randomUUID();
    expect((await sync(old)).statusCode).toBe(200);
    clock = new Date(clock.getTime() + DAY_MS - 60_000);
    expect((await sync(fresh)).statusCode).toBe(200);
    const deleted = await uow.read.idempotency.deleteExpired(new Date(clock.getTime() + 120_000));
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await uow.read.idempotency.find(adminId, old)).toBeUndefined();
    expect(await uow.read.idempotency.find(adminId, fresh)).toBeDefined();
  });

  it('on the embedded database, start-up ends the leases of the previous run at once', async () => {
    const key = randomUUID();
    void abandonedClaim(key);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await sync(key)).statusCode).toBe(409);
    expect(await uow.read.idempotency.endAllLeases()).toBeGreaterThanOrEqual(1);
    expect((await sync(key)).statusCode).toBe(200);
  });
});

import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BulkRunDetail, BulkRunView } from '#src/services/bulk/bulk-sync.service.ts';
import { insertOrganizationWithPeople, insertUser } from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { makeMemberSettings } from '#tests/factories/settings.factory.ts';
import { describeResponse, expectProblem } from '#tests/integration/http/support/http.ts';
import {
  ADMIN_SETTINGS,
  HUBSPOT_KEY,
  keyring,
  MEMBER_PIPEDRIVE_KEY,
  SALESFORCE_KEY,
} from '#tests/integration/sync/fixtures.ts';
import {
  buildTestApp,
  loginAs,
  request,
  type Agent,
  type TestApp,
  type TestQueue,
} from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * The bulk API (issue 11) over HTTP, with the in-process runner of buildTestApp: a run is
 * answered 202, runs in the background (awaited with `queue.idle()`), and is read back with its
 * per-member results, as Server-Sent Events, cancelled, retried; refusals are problems.
 */

let database: TestDatabase;
let testApp: TestApp;
let queue: TestQueue;
let admin: Agent;
let member: Agent;
let outsiderAdmin: Agent;
let orgId: string;
let teamId: string;
/** The team's members a team run targets (the primary admin and the actor are left out). */
let teamMembers: string[];
/** A run of the other organization, and a member of it. */
let foreignRunId: string;
let foreignMember: { id: string; email: string; name: string };
/** Every response body and job payload of this file, searched for CRM secrets at the end. */
const seen: string[] = [];

async function call(
  agent: Agent | undefined,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const response = await request(testApp.app, agent, method, url, payload, headers);
  seen.push(response.body);
  return response;
}

async function runCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from bulk_runs where organization_id = ${orgId}
  `.execute(database.db);
  return rows[0]?.n ?? -1;
}

async function detail(runId: string, query = ''): Promise<BulkRunDetail> {
  const response = await call(admin, 'GET', `/api/bulk-syncs/${runId}${query}`);
  expect(response.statusCode, describeResponse(response)).toBe(200);
  return response.json<BulkRunDetail>();
}

/** Starts a run as the admin and waits for it to finish. */
async function finishedRun(body: Record<string, unknown>): Promise<BulkRunView> {
  const response = await call(admin, 'POST', '/api/bulk-syncs', body);
  expect(response.statusCode, describeResponse(response)).toBe(202);
  await queue.idle();
  return (await detail(response.json<BulkRunView>().id)).run;
}

function expectCode(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, describeResponse(response)).toBe(status);
  expect(expectProblem(response, `${status} ${code}`)).toBe(code);
}

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database, { keyring, bulk: { batchSize: 2 } });
  if (!testApp.queue) throw new Error('buildTestApp gives an in-process queue by default');
  queue = testApp.queue;
  const uow = testApp.deps.uow;
  const org = await insertOrganizationWithPeople(uow, keyring, {
    teams: ['Sales'],
    primaryAdmin: { teams: ['Sales'] },
    admins: [{ teams: ['Sales'], settings: ADMIN_SETTINGS, crm: [HUBSPOT_KEY, SALESFORCE_KEY] }],
    members: [
      { teams: ['Sales'], settings: makeMemberSettings() },
      { teams: ['Sales'], settings: makeMemberSettings(), crm: [MEMBER_PIPEDRIVE_KEY] },
      { teams: ['Sales'], settings: makeMemberSettings() },
    ],
  });
  const other = await insertOrganizationWithPeople(uow, keyring, {
    teams: ['Ops'],
    primaryAdmin: { teams: ['Ops'], settings: ADMIN_SETTINGS },
    members: [{ teams: ['Ops'], settings: makeMemberSettings() }],
  });
  orgId = org.organizationId;
  const [actor] = org.admins;
  const [rep] = org.members;
  const sales = org.teamIds.Sales;
  const ops = other.teamIds.Ops;
  const [outsider] = other.members;
  if (!actor || !rep || !sales || !ops || !outsider) throw new Error('fixture incomplete');
  foreignMember = { id: outsider.id, email: outsider.email, name: outsider.name };
  teamId = sales;
  teamMembers = org.members.map((m) => m.id);
  admin = await loginAs(testApp.app, actor.email, TEST_PASSWORD);
  member = await loginAs(testApp.app, rep.email, TEST_PASSWORD);
  outsiderAdmin = await loginAs(testApp.app, other.primaryAdmin.email, TEST_PASSWORD);
  const foreign = await call(outsiderAdmin, 'POST', '/api/bulk-syncs', {
    action: 'sync_settings',
    teamId: ops,
  });
  expect(foreign.statusCode, describeResponse(foreign)).toBe(202);
  foreignRunId = foreign.json<BulkRunView>().id;
  await queue.idle();
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

describe('the bulk API', () => {
  it('POST a team run: 202 with the run; it completes in the background with a result per member', async () => {
    // What the run hands the queue: its id and batch count (each job is { runId, batch }).
    const spy = vi.spyOn(queue, 'enqueueBatches');
    let started: LightMyRequestResponse;
    let payloads: string[];
    try {
      started = await call(admin, 'POST', '/api/bulk-syncs', { action: 'sync_settings', teamId });
      payloads = spy.mock.calls.map(([, runId, batches]) => JSON.stringify({ runId, batches }));
    } finally {
      spy.mockRestore();
    }
    expect(started.statusCode, describeResponse(started)).toBe(202);
    const run = started.json<BulkRunView>();
    expect(run).toMatchObject({
      action: 'sync_settings',
      dryRun: false,
      status: 'queued',
      total: 3,
      done: 0,
      pending: 3,
      teamId,
      retryOf: null,
      actorId: admin.userId,
      finishedAt: null,
    });
    expect(payloads).toEqual([JSON.stringify({ runId: run.id, batches: 2 })]);
    seen.push(...payloads);

    await queue.idle();
    const after = await detail(run.id);
    expect(after.run).toMatchObject({
      id: run.id,
      status: 'completed',
      total: 3,
      done: 3,
      applied: 3,
      unchanged: 0,
      failed: 0,
      cancelled: 0,
      pending: 0,
      etaSeconds: null,
    });
    expect(after.run.finishedAt).not.toBeNull();
    expect(after.results.nextCursor).toBeNull();
    expect(after.results.items.map((i) => i.memberId).sort()).toEqual([...teamMembers].sort());
    for (const item of after.results.items) {
      expect(item).toMatchObject({ status: 'applied', errorCode: null });
      expect(item.syncRunId).toEqual(expect.any(String));
      expect(Object.keys(item.counts ?? {})).toContain('company_details');
    }
    expect(after.summary.membersChanging).toBe(3);

    // One page at a time, and the run in the organization's list.
    const page = await detail(run.id, '?limit=2');
    expect(page.results.items).toHaveLength(2);
    expect(page.results.nextCursor).toEqual(expect.any(String));
    const rest = await detail(run.id, `?limit=2&cursor=${page.results.nextCursor ?? ''}`);
    expect(rest.results.items).toHaveLength(1);
    const list = await call(admin, 'GET', '/api/bulk-syncs');
    expect(list.statusCode).toBe(200);
    const items = list.json<{ items: BulkRunView[] }>().items;
    expect(items.map((i) => i.id)).toContain(run.id);
    expect(items.map((i) => i.id)).not.toContain(foreignRunId);
  });

  it('GET …/events streams text/event-stream: progress, then done for a finished run', async () => {
    const run = await finishedRun({
      action: 'sync_settings',
      teamId,
      categories: ['company_details'],
    });
    const response = await call(admin, 'GET', `/api/bulk-syncs/${run.id}/events`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('event: progress\n');
    const events = response.body.split('\n\n').filter((e) => e.trim() !== '');
    const last = events.at(-1) ?? '';
    expect(last.startsWith('event: done\ndata: ')).toBe(true);
    expect(JSON.parse(last.slice('event: done\ndata: '.length))).toMatchObject({
      id: run.id,
      status: 'completed',
      done: 3,
    });
  });

  it('GET …/events on a run still running follows it to the end', async () => {
    const started = await call(admin, 'POST', '/api/bulk-syncs', {
      action: 'sync_settings',
      memberIds: teamMembers,
      categories: ['task_settings'],
    });
    expect(started.statusCode).toBe(202);
    const response = await call(
      admin,
      'GET',
      `/api/bulk-syncs/${started.json<BulkRunView>().id}/events`,
    );
    expect(response.statusCode).toBe(200);
    expect(response.body.startsWith('event: progress\n')).toBe(true);
    expect(response.body).toMatch(/event: done\ndata: [^\n]*"status":"completed"[^\n]*\n\n$/);
    await queue.idle();
  });

  it('cancel on a finished run: 409 bulk_run_finished', async () => {
    const run = await finishedRun({
      action: 'sync_settings',
      teamId,
      categories: ['company_details'],
    });
    expectCode(
      await call(admin, 'POST', `/api/bulk-syncs/${run.id}/cancel`),
      409,
      'bulk_run_finished',
    );
  });

  it('retry with no failures: 409 nothing_to_retry', async () => {
    const run = await finishedRun({
      action: 'sync_settings',
      teamId,
      categories: ['company_details'],
    });
    expect(run.failed).toBe(0);
    const before = await runCount();
    expectCode(
      await call(admin, 'POST', `/api/bulk-syncs/${run.id}/retry`),
      409,
      'nothing_to_retry',
    );
    expect(await runCount()).toBe(before);
  });

  it('outOfSync after a sync of the category: 409 nothing_to_sync, and no run created', async () => {
    await finishedRun({ action: 'sync_settings', teamId, categories: ['task_settings'] });
    const before = await runCount();
    expectCode(
      await call(admin, 'POST', '/api/bulk-syncs', {
        action: 'sync_settings',
        teamId,
        categories: ['task_settings'],
        outOfSync: true,
      }),
      409,
      'nothing_to_sync',
    );
    expect(await runCount()).toBe(before);
  });

  it('retry with a failure (a member without a dashboard): 202, a new run of that member only', async () => {
    const noDashboard = await testApp.deps.uow.transaction((repos) =>
      insertUser(repos, orgId, { dashboard: false }),
    );
    const [first] = teamMembers;
    if (!first) throw new Error('fixture');
    const run = await finishedRun({
      action: 'sync_settings',
      memberIds: [first, noDashboard.id],
      categories: ['company_details'],
    });
    expect(run).toMatchObject({ status: 'completed', total: 2, failed: 1 });
    const failures = await detail(run.id, '?status=failed');
    expect(failures.results.items).toMatchObject([
      { memberId: noDashboard.id, status: 'failed', errorCode: 'dashboard_missing' },
    ]);

    const retried = await call(admin, 'POST', `/api/bulk-syncs/${run.id}/retry`);
    expect(retried.statusCode, describeResponse(retried)).toBe(202);
    const retry = retried.json<BulkRunView>();
    expect(retry).toMatchObject({ retryOf: run.id, total: 1, action: 'sync_settings' });
    expect(retry.id).not.toBe(run.id);
    await queue.idle();
    const after = await detail(retry.id);
    expect(after.results.items).toMatchObject([
      { memberId: noDashboard.id, status: 'failed', errorCode: 'dashboard_missing' },
    ]);
  });

  describe('refuses a bad request with 400 invalid_request, creating no run', () => {
    const [someone, other] = [randomUUID(), randomUUID()];
    const cases: [string, () => Record<string, unknown>][] = [
      [
        'both memberIds and teamId',
        () => ({ action: 'sync_settings', memberIds: [someone], teamId }),
      ],
      ['neither memberIds nor teamId', () => ({ action: 'sync_settings' })],
      ['an unknown category', () => ({ action: 'sync_settings', teamId, categories: ['bogus'] })],
      ['dryRun with sync_crm', () => ({ action: 'sync_crm', teamId, dryRun: true })],
      [
        'a member id that is not a uuid',
        () => ({ action: 'sync_settings', memberIds: [other, 'nope'] }),
      ],
      ['an unknown action', () => ({ action: 'sync_everything', teamId })],
      ['an unknown field', () => ({ action: 'sync_settings', teamId, force: true })],
      ['an empty selection', () => ({ action: 'sync_settings', memberIds: [] })],
    ];
    for (const [name, body] of cases) {
      it(name, async () => {
        const before = await runCount();
        expectCode(await call(admin, 'POST', '/api/bulk-syncs', body()), 400, 'invalid_request');
        expect(await runCount()).toBe(before);
      });
    }
  });

  it('a member (not an admin): 403 forbidden on every bulk route, and no run created', async () => {
    const before = await runCount();
    expectCode(
      await call(member, 'POST', '/api/bulk-syncs', { action: 'sync_settings', teamId }),
      403,
      'forbidden',
    );
    expectCode(await call(member, 'GET', '/api/bulk-syncs'), 403, 'forbidden');
    const run = await finishedRun({
      action: 'sync_settings',
      teamId,
      categories: ['company_details'],
    });
    const after = await runCount();
    for (const [method, path] of [
      ['GET', ''],
      ['GET', '/events'],
      ['POST', '/cancel'],
      ['POST', '/retry'],
    ] as const) {
      expectCode(await call(member, method, `/api/bulk-syncs/${run.id}${path}`), 403, 'forbidden');
    }
    expect(after).toBe(before + 1);
    expect(await runCount()).toBe(after);
  });

  it("another organization's run: 404 not_found on every route naming it", async () => {
    for (const [method, path] of [
      ['GET', ''],
      ['GET', '/events'],
      ['POST', '/cancel'],
      ['POST', '/retry'],
      ['POST', '/revert'],
    ] as const) {
      expectCode(
        await call(admin, method, `/api/bulk-syncs/${foreignRunId}${path}`),
        404,
        'not_found',
      );
    }
    // Its owner sees it.
    expect((await call(outsiderAdmin, 'GET', `/api/bulk-syncs/${foreignRunId}`)).statusCode).toBe(
      200,
    );
  });

  it('an Idempotency-Key on POST twice: the same run, replayed, and one run row', async () => {
    const before = await runCount();
    const key = `bulk-${randomUUID()}`;
    const body = { action: 'sync_settings', teamId, categories: ['alternate_domains'] };
    const first = await call(admin, 'POST', '/api/bulk-syncs', body, { 'idempotency-key': key });
    expect(first.statusCode, describeResponse(first)).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    await queue.idle();
    const second = await call(admin, 'POST', '/api/bulk-syncs', body, { 'idempotency-key': key });
    expect(second.statusCode, describeResponse(second)).toBe(202);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json<BulkRunView>().id).toBe(first.json<BulkRunView>().id);
    await queue.idle();
    expect(await runCount()).toBe(before + 1);
  });

  it("a selection naming another organization's user: 202, that member fails target_not_found, and nothing of it is shown", async () => {
    const [first] = teamMembers;
    if (!first) throw new Error('fixture');
    const run = await finishedRun({
      action: 'sync_settings',
      memberIds: [first, foreignMember.id],
      categories: ['company_details'],
    });
    expect(run).toMatchObject({ status: 'completed', done: 2, failed: 1 });
    const failures = await detail(run.id, '?status=failed');
    expect(failures.results.items).toMatchObject([
      { memberId: foreignMember.id, status: 'failed', errorCode: 'target_not_found' },
    ]);
  });

  // Found by this file: the results once joined `users` on the member id alone.
  it("the results never name another organization's user: name and email are null", async () => {
    const run = await finishedRun({
      action: 'sync_settings',
      memberIds: [foreignMember.id],
      categories: ['company_details'],
    });
    const results = await detail(run.id);
    expect(JSON.stringify(results)).not.toContain(foreignMember.email);
    expect(JSON.stringify(results)).not.toContain(foreignMember.name);
    expect(results.results.items).toMatchObject([
      { memberId: foreignMember.id, errorCode: 'target_not_found', name: null, email: null },
    ]);
  });

  // Found by this file: a position past the int column's range once reached the query (500).
  it('a cursor past the int range is 400 invalid_request', async () => {
    const cursor = Buffer.from(JSON.stringify({ p: 2 ** 31 })).toString('base64url');
    const list = await call(admin, 'GET', '/api/bulk-syncs');
    const ours = list.json<{ items: BulkRunView[] }>().items[0]?.id ?? '';
    const response = await call(admin, 'GET', `/api/bulk-syncs/${ours}?cursor=${cursor}`);
    expect(response.statusCode, describeResponse(response)).toBe(400);
  });

  it('no response or job payload holds a CRM secret', () => {
    const secrets = [HUBSPOT_KEY, SALESFORCE_KEY, MEMBER_PIPEDRIVE_KEY].flatMap((key) =>
      Object.values(key.secrets as Record<string, string>),
    );
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeGreaterThan(20);
    for (const secret of secrets) {
      expect(seen.filter((body) => body.includes(secret))).toEqual([]);
    }
  });
});

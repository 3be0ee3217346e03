import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { hashPassword } from '#src/services/auth/password.ts';
import { insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { buildTestApp, loginAs, request, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Issue 9.1: PostgreSQL ends the app's *active* connection (pg_terminate_backend) in the middle
 * of a sync. The process must survive, the request in flight answer 503 database_unavailable with
 * its transaction rolled back, and the next request succeed on a fresh connection.
 * (PostgreSQL only: the embedded database has no server to end a connection.)
 */
let database: TestDatabase;
let testApp: TestApp;
let url: string;
let ownerEmail: string;
let memberId: string;
const PASSWORD = 'connection-loss-password';

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database);
  const uow = createUnitOfWork(database.db);
  const org = await insertOrganization(uow, {
    primaryAdmin: { passwordHash: await hashPassword(PASSWORD) },
  });
  ownerEmail = org.primaryAdmin.email;
  await uow.transaction(async (repos) => {
    await repos.dashboards.create(org.primaryAdmin.id, org.organizationId);
  });
  const member = await insertUserWithDashboard(uow, testApp.keyring, org.organizationId);
  memberId = member.id;
  const base = new URL(process.env.TEST_DATABASE_URL ?? '');
  base.pathname = `/${database.name}`;
  url = base.toString();
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('an ended PostgreSQL connection', () => {
  it('answers the request in flight 503 database_unavailable, rolls it back, and the next request succeeds', async () => {
    const owner = await loginAs(testApp.app, ownerEmail, PASSWORD);
    const company = { companyName: 'Terminated Inc.', website: 'https://terminated.example' };
    const put = await request(testApp.app, owner, 'PUT', '/api/me/settings/company_details', {
      value: company,
      dashboardVersion: 1,
    });
    expect(put.statusCode, put.body).toBe(200);

    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    try {
      // Hold the member's dashboard row: the sync blocks under its lock, mid-transaction.
      const blockerPid = (await blocker.query<{ pid: number }>('select pg_backend_pid() as pid'))
        .rows[0]?.pid;
      await blocker.query('begin');
      await blocker.query('select 1 from dashboards where user_id = $1 for update', [memberId]);
      const inFlight = request(
        testApp.app,
        owner,
        'POST',
        `/api/members/${memberId}/sync-settings`,
        {
          categories: ['company_details'],
        },
      );
      const victim = await waitForLockWaiter(blockerPid ?? -1);
      await withClient((c) => c.query('select pg_terminate_backend($1)', [victim]));
      await blocker.query('rollback');

      const response = await inFlight;
      expect(response.statusCode, response.body).toBe(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'database_unavailable', status: 503 });
      expect(response.body).not.toMatch(/terminat|57P01|pg_/i);
    } finally {
      await blocker.end();
    }

    // Rolled back: the member's company details were not written, no applied sync recorded.
    const written = await withClient((c) =>
      c.query(
        `select (select count(*) from dashboard_settings where user_id = $1 and category = 'company_details')::int as settings,
                (select count(*) from sync_runs where target_id = $1 and status = 'applied')::int as applied`,
        [memberId],
      ),
    );
    expect(written.rows[0]).toEqual({ settings: 0, applied: 0 });

    // The pool replaced the client: the next sync succeeds, the process never went down.
    const next = await request(
      testApp.app,
      owner,
      'POST',
      `/api/members/${memberId}/sync-settings`,
      {
        categories: ['company_details'],
      },
    );
    expect(next.statusCode, next.body).toBe(200);
    const health = await testApp.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(health.statusCode).toBe(200);
  });
});

/** The backend (not `blockerPid`) waiting on a row lock in this database. */
async function waitForLockWaiter(blockerPid: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  return withClient(async (client) => {
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ pid: number }>(
        `select pid from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and pid <> $1`,
        [blockerPid],
      );
      if (rows[0]) return rows[0].pid;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the sync never waited on the lock');
  });
}

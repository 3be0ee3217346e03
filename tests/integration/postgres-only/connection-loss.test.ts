import { sql } from 'kysely';
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

describe('connections the server ended while they sat idle in the pool', () => {
  it('are replaced before a read or a transaction runs its first statement: no 503 for a request that had not started', async () => {
    const owner = await loginAs(testApp.app, ownerEmail, PASSWORD);
    const { db } = database;
    const killer = new pg.Client({ connectionString: url });
    await killer.connect();
    try {
      for (let round = 0; round < 10; round += 1) {
        // Fill the pool (5 connections), then let them go idle.
        await Promise.all(Array.from({ length: 5 }, () => sql`select pg_sleep(0.01)`.execute(db)));
        // pg_terminate_backend signals and returns at once: the idle clients hear of it later,
        // so the statements below are sent on connections whose backends are ending.
        await killer.query(
          `with app as materialized (
             select pid from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid()
           )
           select pid from app where pg_terminate_backend(pid)`,
        );
        const answers = await Promise.allSettled([
          sql<{ one: number }>`select 1 as one`.execute(db),
          sql<{ one: number }>`select 1 as one`.execute(db),
          db.transaction().execute((trx) => sql<{ one: number }>`select 1 as one`.execute(trx)),
          db.transaction().execute((trx) => sql<{ one: number }>`select 1 as one`.execute(trx)),
        ]);
        const failed = answers.flatMap((a) =>
          a.status === 'rejected' ? [(a.reason as Error).message] : [],
        );
        expect(failed, `round ${round}`).toEqual([]);
        const teams = await request(testApp.app, owner, 'GET', '/api/teams');
        expect(teams.statusCode, `round ${round}: ${teams.body}`).toBe(200);
      }
    } finally {
      await killer.end();
    }
  });
});

describe('a dead idle connection when no new one can be had', () => {
  it('fails the statement with the connect error, releases each connection once, and recovers', async () => {
    const { db } = database;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      await Promise.all(Array.from({ length: 5 }, () => sql`select pg_sleep(0.01)`.execute(db)));
      await admin.query(`alter database ${database.name} allow_connections false`);
      await admin.query(
        `with app as materialized (select pid from pg_stat_activity where datname = $1)
         select pid from app where pg_terminate_backend(pid)`,
        [database.name],
      );
      const failure = await sql`select 1 as one`.execute(db).then(
        () => null,
        (error: unknown) => error as Error,
      );
      // The replacement's own error, not a double release of the dead one.
      expect(failure?.message).toMatch(
        /is not currently accepting connections|does not allow connections/,
      );
      expect(failure?.message).not.toMatch(/already been released/);
    } finally {
      await admin.query(`alter database ${database.name} allow_connections true`);
      await admin.end();
    }
    const again = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(again.rows).toEqual([{ one: 1 }]);
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

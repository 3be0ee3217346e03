import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import { createPgBossQueue, type JobQueue } from '#src/jobs/job-queue.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { verifyAuditChain } from '#src/services/audit/audit.service.ts';
import { startBulkSync, type BulkDeps } from '#src/services/bulk/bulk-sync.service.ts';
import { insertOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { makeAdminSettings, makeMemberSettings } from '#tests/factories/settings.factory.ts';
import { HUBSPOT_KEY } from '#tests/integration/sync/fixtures.ts';
import { quietLogger } from '#tests/integration/bulk/support.ts';
import { startApp, startWorker, type AppProcess } from '#tests/support/app-process.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Bulk runs across real processes on PostgreSQL (issue 11): a worker killed with SIGKILL in the
 * middle of a run, and 2 web + 2 worker processes sharing one run. Every process is started as
 * `npm start` / `npm run worker` start it, against this test's database.
 */
const SECRET = randomBytes(32);
const keyring = createKeyring(SECRET);
let database: TestDatabase;
let uow: UnitOfWork;
let url: string;
let queue: JobQueue;
const processes: AppProcess[] = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: url,
    ERGO_SECRET_KEY: SECRET.toString('base64'),
    ERGO_DEMO: '0',
    ERGO_CRM_EMULATORS: '0',
    ERGO_BULK_BATCH_SIZE: '10',
    ERGO_WORKER_CONCURRENCY: '1',
    HOST: '127.0.0.1',
    PORT: '0',
    ...extra,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  const base = new URL(process.env.TEST_DATABASE_URL ?? '');
  base.pathname = `/${database.name}`;
  url = base.toString();
  // The "web" side of the first test: enqueues through pg-boss, runs nothing.
  queue = await createPgBossQueue({ connectionString: url, logger: quietLogger });
}, 60_000);
afterEach(async () => {
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }
});
afterAll(async () => {
  await queue.stop();
  await database.close();
});

async function organization(members: number) {
  const org = await insertOrganizationWithPeople(uow, keyring, {
    teams: ['Sales'],
    admins: [{ teams: ['Sales'], settings: makeAdminSettings(), crm: [HUBSPOT_KEY] }],
    members: Array.from({ length: members }, () => ({
      teams: ['Sales'],
      settings: makeMemberSettings(),
      canLogIn: false,
    })),
  });
  const admin = org.admins[0];
  const teamId = org.teamIds.Sales;
  if (!admin || !teamId) throw new Error('fixture incomplete');
  return { ...org, admin, teamId };
}

async function runState(runId: string) {
  return sql<{ status: string; done: number; total: number; applied: number }>`
    select status, done, total, applied from bulk_runs where id = ${runId}
  `
    .execute(database.db)
    .then((r) => r.rows[0]);
}

async function entriesPerMember(runId: string): Promise<number[]> {
  const rows = await sql<{ n: number }>`
    select count(*)::int as n from sync_runs where bulk_run_id = ${runId} group by target_id
  `.execute(database.db);
  return rows.rows.map((r) => r.n);
}

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('bulk runs across processes (PostgreSQL, pg-boss)', () => {
  it('kill -9 of the worker mid-run: after a new worker starts, the run resumes and finishes, each member applied exactly once', async () => {
    const org = await organization(150);
    const deps: BulkDeps = {
      uow,
      keyring,
      connectorFor: () => {
        throw new Error('no CRM calls');
      },
      queue,
      batchSize: 10,
    };
    const first = startWorker(env());
    processes.push(first);
    await first.ready();
    const run = await startBulkSync(
      deps,
      { actorId: org.admin.id },
      { action: 'sync_settings', teamId: org.teamId },
    );
    expect(run.total).toBe(150);
    // Kill it while the run is part-way: some batches done, some not.
    await until(
      () => runState(run.id),
      (s) => (s?.done ?? 0) >= 20,
      60_000,
      'the first batches',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await runState(run.id);
    expect(atKill?.done).toBeLessThan(150);

    const second = startWorker(env());
    processes.push(second);
    await second.ready();
    // The killed worker's batch is handed out again once its heartbeat is missed (10 s).
    const finished = await until(
      () => runState(run.id),
      (s) => s?.status === 'completed',
      90_000,
      'the run to finish',
    );
    expect(finished).toMatchObject({ done: 150, total: 150, applied: 150 });
    const perMember = await entriesPerMember(run.id);
    expect(perMember).toHaveLength(150);
    expect(perMember.every((n) => n === 1)).toBe(true);
    expect(second.output()).toMatch(/bulk batch done/);
    expect(await verifyAuditChain(uow.read, org.organizationId)).toMatchObject({ ok: true });
  }, 180_000);

  it('2 web and 2 worker processes share one run: started on one web process, followed on the other, batches taken by both workers', async () => {
    const org = await organization(120);
    const webs = [startApp(env({ ERGO_ROLE: 'web' })), startApp(env({ ERGO_ROLE: 'web' }))];
    const workers = [startWorker(env()), startWorker(env())];
    processes.push(...webs, ...workers);
    const [webA, webB] = await Promise.all(webs.map((w) => w.url()));
    await Promise.all(workers.map((w) => w.ready()));
    if (!webA || !webB) throw new Error('web processes did not start');

    const login = await fetch(`${webA}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: org.admin.email, password: TEST_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const started = await fetch(`${webA}/api/bulk-syncs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ action: 'sync_settings', teamId: org.teamId }),
    });
    expect(started.status).toBe(202);
    const run = (await started.json()) as { id: string; total: number };
    expect(run.total).toBe(120);

    // Followed from the other web process (sessions live in PostgreSQL), to the end.
    const final = await until(
      async () => {
        const response = await fetch(`${webB}/api/bulk-syncs/${run.id}?status=failed`, {
          headers: { cookie },
        });
        return (await response.json()) as {
          run: { status: string; done: number; applied: number };
        };
      },
      (d) => d.run.status === 'completed',
      60_000,
      'the run on the other web process',
    );
    expect(final.run).toMatchObject({ done: 120, applied: 120 });
    const perMember = await entriesPerMember(run.id);
    expect(perMember).toHaveLength(120);
    expect(perMember.every((n) => n === 1)).toBe(true);
    const batchesBy = workers.map(
      (w) =>
        (w.output().match(new RegExp(`"runId":"${run.id}"[^\\n]*bulk batch done`, 'g')) ?? [])
          .length,
    );
    expect(batchesBy.reduce((a, b) => a + b, 0)).toBe(12);
    expect(batchesBy.every((n) => n > 0)).toBe(true);
    // The events stream works from either web process.
    const events = await fetch(`${webB}/api/bulk-syncs/${run.id}/events`, { headers: { cookie } });
    expect(events.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(await events.text()).toMatch(/event: done/);
  }, 180_000);
});

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CompiledQuery, sql, type Kysely, type KyselyPlugin, type RootOperationNode } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import { MemberRepository } from '#src/repositories/member.repository.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import { hashPassword } from '#src/services/auth/password.ts';
import { listTeamMembers } from '#src/services/members/member.service.ts';
import { writeCategory } from '#src/services/settings/settings-store.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { openMeteredPostgres, type StatementMeter } from '#tests/bench/metered-database.ts';
import { PhaseTracer } from '#tests/bench/phase-tracer.ts';
import { median, ms, timed } from '#tests/bench/stats.ts';
import { startApp } from '#tests/support/app-process.ts';

/**
 * The member table at 100,000 members against the readiness route, over HTTP, in one run: a
 * server started as `npm start` starts it, on the bench's PostgreSQL database, with an
 * organization generated set-based; autocannon (10 connections, 5 s a run) alternates the page
 * of 25 rows with drift (logged in as the primary admin) and `/api/health/ready`.
 */

export const MEMBER_COUNT = 100_000;
const CONNECTIONS = 10;
const SECONDS = 5;
const PAGE_SIZE = 25;
const PASSWORD = 'bench-password-100k';
const ROOT = path.resolve(import.meta.dirname, '../..');

export interface AutocannonRun {
  route: 'page' | 'ready';
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface MemberListReport {
  members: number;
  connections: number;
  seconds: number;
  pageSize: number;
  /** What the admin has set (drift is computed over these). */
  adminCategories: string[];
  seedSeconds: number;
  runs: AutocannonRun[];
  pageRequestsPerSecond: number;
  readyRequestsPerSecond: number;
  ratio: number;
  /** EXPLAIN (ANALYZE) of the page query the repository sends, first page and from a cursor. */
  plans: {
    label: string;
    text: string;
    planningMillis: number;
    executionMillis: number;
    hasSort: boolean;
  }[];
  /** Page without drift over HTTP (one run), to tell the drift's share from the rest. */
  pageWithoutDrift: AutocannonRun;
  /** A signed-in route with a constant answer (one run): what signing in alone costs. */
  signedInStatic: AutocannonRun;
  /** In-process medians (ms) on the bench's pool: where one page request's time goes. */
  inProcess: {
    pageQuery: number;
    serviceWithoutDrift: number;
    serviceWithDrift: number;
    /** The page with drift through repositories that record their intervals. */
    withDriftDatabase: number;
    withDriftJavaScript: number;
    withDriftStatements: number;
  };
  /** One page request as the browser makes it, checked: 25 rows, each with drift. */
  sample: {
    rows: number;
    withDrift: number;
    nextCursor: boolean;
    /** Of the JSON. */
    bytes: number;
    /** As sent to a browser (the first request computes the page; it is then kept). */
    encoding: string | null;
  };
}

/** The organization: a primary admin with a password and a few categories, 100,000 members. */
async function seed(
  db: Kysely<DB>,
  uow: UnitOfWork,
  say: (line: string) => void,
): Promise<{
  email: string;
  adminId: string;
  teamId: string;
  organizationId: string;
  categories: string[];
}> {
  const email = `bench-admin-${process.pid}@bench.test`;
  const { organizationId, primaryAdmin } = await insertOrganization(uow, {
    primaryAdmin: { email, name: 'Bench Admin', passwordHash: await hashPassword(PASSWORD) },
  });
  const adminCategories = {
    company_details: { companyName: 'Bench Co', website: 'https://bench.test' },
    task_settings: { defaultDueOffsetDays: 2 },
    alternate_domains: { domains: ['bench.example', 'bench-alt.example'] },
    custom_properties: {
      properties: Array.from({ length: 20 }, (_, i) => ({
        crm: 'hubspot',
        object: 'deal',
        name: `bench_prop_${i}`,
        label: `Bench property ${i}`,
        type: 'string',
        options: [],
      })),
    },
  } as const;
  await uow.transaction(async (repos) => {
    await repos.dashboards.create(primaryAdmin.id, organizationId);
    for (const [category, value] of Object.entries(adminCategories)) {
      await writeCategory(repos, primaryAdmin.id, category as keyof typeof adminCategories, value);
    }
  });
  // A bulk load, as an import would do it: the trigram indexes take the new users in their
  // pending list and merge it once at the end, instead of one index update per row.
  const trigramIndexes = ['users_name_trgm_idx', 'users_email_trgm_idx'];
  for (const index of trigramIndexes)
    await sql`alter index ${sql.id(index)} set (fastupdate = on)`.execute(db);
  const steps: string[] = [];
  const step = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const { result, millis } = await timed(work);
    steps.push(`${label} ${(millis / 1000).toFixed(1)} s`);
    return result;
  };
  const teamId = await db.transaction().execute(async (trx) => {
    await step('users', () =>
      sql`
      insert into users (organization_id, email, name, role, status)
      select ${organizationId}::uuid, 'member-' || i || '-' || ${process.pid} || '@bench.test',
             initcap(substr(md5(i::text), 1, 7)) || ' ' || initcap(substr(md5(i::text), 8, 9)),
             'member', 'active'
      from generate_series(1, ${MEMBER_COUNT}) as i`.execute(trx),
    );
    await step('dashboards', () =>
      sql`
      insert into dashboards (user_id, organization_id)
      select id, organization_id from users
      where organization_id = ${organizationId}::uuid and role = 'member'`.execute(trx),
    );
    const team = await sql<{ id: string }>`
      insert into teams (organization_id, name) values (${organizationId}::uuid, 'Everyone')
      returning id`.execute(trx);
    const id = team.rows[0]?.id;
    if (!id) throw new Error('team not inserted');
    await step('team members', () =>
      sql`
      insert into team_members (team_id, user_id, organization_id)
      select ${id}::uuid, id, organization_id from users
      where organization_id = ${organizationId}::uuid`.execute(trx),
    );
    // Some history, so the table's "last sync" column has something to find.
    await step('history', () =>
      sql`
      insert into sync_runs
        (organization_id, actor_id, target_id, source_user_id, action, categories, status)
      select ${organizationId}::uuid, ${primaryAdmin.id}::uuid, id, ${primaryAdmin.id}::uuid,
             'sync_settings', '{task_settings}', 'applied'
      from users where organization_id = ${organizationId}::uuid and role = 'member'
        and abs(hashtext(id::text)) % 10 = 0`.execute(trx),
    );
    return id;
  });
  await step('trigram merge', async () => {
    for (const index of trigramIndexes) {
      await sql`select gin_clean_pending_list(${index}::regclass)`.execute(db);
      await sql`alter index ${sql.id(index)} set (fastupdate = off)`.execute(db);
    }
  });
  await step('analyze', () => sql`analyze`.execute(db));
  say(`[members] seed: ${steps.join(', ')}`);
  return {
    email,
    adminId: primaryAdmin.id,
    teamId,
    organizationId,
    categories: Object.keys(adminCategories),
  };
}

/** EXPLAIN (ANALYZE) of the statement the repository sends for a page. */
async function explainPage(
  db: Kysely<DB>,
  organizationId: string,
  teamId: string,
  after?: { sortName: string; id: string },
): Promise<{ text: string; planningMillis: number; executionMillis: number; hasSort: boolean }> {
  let captured: RootOperationNode | undefined;
  const capture: KyselyPlugin = {
    transformQuery: (args) => {
      captured = args.node;
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  await new MemberRepository(db.withPlugin(capture)).listTeamMembers(organizationId, teamId, {
    limit: PAGE_SIZE + 1,
    ...(after ? { after } : {}),
  });
  if (!captured) throw new Error('no page query captured');
  const compiled = db.getExecutor().compileQuery(captured, { queryId: 'explain' });
  const result = await db.executeQuery<{ 'QUERY PLAN': string }>(
    CompiledQuery.raw(`explain (analyze, costs off, summary on) ${compiled.sql}`, [
      ...compiled.parameters,
    ]),
  );
  const lines = result.rows.map((r) => r['QUERY PLAN']);
  const execution = /Execution Time: ([\d.]+) ms/.exec(lines.join('\n'));
  const planning = /Planning Time: ([\d.]+) ms/.exec(lines.join('\n'));
  // The plan's own nodes: "SubPlan" blocks (each row's list of teams, sorted) are per row.
  const main = lines.filter((l) => !/^\s*(Planning|Execution)/.test(l));
  const subPlanStart = main.findIndex((l) => /^\s*SubPlan/.test(l));
  const body = subPlanStart === -1 ? main : main.slice(0, subPlanStart);
  return {
    text: main
      .filter((l) => !/^\s*(Buffers|Index Searches|Planning|Memory|Sort Method)/.test(l))
      .join('\n'),
    planningMillis: planning ? Number(planning[1]) : Number.NaN,
    executionMillis: execution ? Number(execution[1]) : Number.NaN,
    hasSort: body.some((l) => /(^|\s)(Sort|Incremental Sort)\s/.test(l)),
  };
}

async function autocannon(
  url: string,
  cookie: string | undefined,
  seconds: number,
): Promise<Omit<AutocannonRun, 'route'>> {
  const args = [
    path.join(ROOT, 'node_modules/autocannon/autocannon.js'),
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
    '-j',
    '-n',
    // Both routes are asked as the console's browser asks: gzip accepted.
    '-H',
    'accept-encoding=gzip, deflate, br',
    ...(cookie ? ['-H', `cookie=${cookie}`] : []),
    url,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`autocannon exited with ${code}: ${err}`);
  const json = JSON.parse(out) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    duration: number;
  };
  return {
    requestsPerSecond: json.requests.total / json.duration,
    latencyP50: json.latency.p50,
    latencyP99: json.latency.p99,
    requests: json.requests.total,
    non2xx: json.non2xx,
    errors: json.errors,
  };
}

/** Seeds, starts the server, checks one page, then alternates the two routes under load. */
export async function benchMemberList(
  serverUrl: string,
  say: (line: string) => void,
): Promise<MemberListReport> {
  // A database of its own: nothing of the sync runs in it (their CRM keys are sealed under the
  // bench's keyring, which the server does not have), and dropped at the end.
  const { database, name } = await openMeteredPostgres(serverUrl, '_members');
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return await run(
      database.db,
      createUnitOfWork(database.db),
      url.toString(),
      say,
      database.meter,
    );
  } finally {
    await database.close();
  }
}

async function run(
  db: Kysely<DB>,
  uow: UnitOfWork,
  databaseUrl: string,
  say: (line: string) => void,
  meter: StatementMeter,
): Promise<MemberListReport> {
  let start = performance.now();
  const { email, adminId, teamId, organizationId, categories } = await seed(db, uow, say);
  const seedSeconds = (performance.now() - start) / 1000;
  say(`[members] seeded ${MEMBER_COUNT} members set-based in ${seedSeconds.toFixed(1)} s`);

  const firstPage = await new MemberRepository(db).listTeamMembers(organizationId, teamId, {
    limit: PAGE_SIZE,
  });
  const last = firstPage.at(-1);
  const plans = [
    { label: 'first page', ...(await explainPage(db, organizationId, teamId)) },
    {
      label: 'from a cursor (page 2)',
      ...(await explainPage(
        db,
        organizationId,
        teamId,
        last ? { sortName: last.sortName, id: last.id } : undefined,
      )),
    },
  ];

  const timeIt = async (work: () => Promise<unknown>): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 40; i += 1) times.push((await timed(work)).millis);
    return median(times.slice(10));
  };
  const members = { uow, keyring: createKeyring(randomBytes(32)) };
  const inProcess: MemberListReport['inProcess'] = {
    withDriftDatabase: 0,
    withDriftJavaScript: 0,
    withDriftStatements: 0,
    pageQuery: await timeIt(() =>
      new MemberRepository(db).listTeamMembers(organizationId, teamId, { limit: PAGE_SIZE + 1 }),
    ),
    serviceWithoutDrift: await timeIt(() =>
      listTeamMembers(members, { actorId: adminId }, teamId, { limit: PAGE_SIZE }),
    ),
    serviceWithDrift: await timeIt(() =>
      listTeamMembers(members, { actorId: adminId }, teamId, {
        limit: PAGE_SIZE,
        driftFrom: 'me',
      }),
    ),
  };
  const tracer = new PhaseTracer(db);
  const traced = { uow: tracer.unitOfWork(), keyring: members.keyring };
  const databaseTimes: number[] = [];
  const totals: number[] = [];
  for (let i = 0; i < 30; i += 1) {
    tracer.reset();
    totals.push(
      (
        await timed(() =>
          listTeamMembers(traced, { actorId: adminId }, teamId, {
            limit: PAGE_SIZE,
            driftFrom: 'me',
          }),
        )
      ).millis,
    );
    databaseTimes.push(tracer.totals().database);
  }
  const statements = (
    await meter.measure(() =>
      listTeamMembers(members, { actorId: adminId }, teamId, {
        limit: PAGE_SIZE,
        driftFrom: 'me',
      }),
    )
  ).statements;
  const withDrift = {
    withDriftDatabase: median(databaseTimes.slice(10)),
    withDriftJavaScript: Math.max(0, median(totals.slice(10)) - median(databaseTimes.slice(10))),
    withDriftStatements: statements,
  };
  Object.assign(inProcess, withDrift);
  say(
    `[members] in process: page query ${ms(inProcess.pageQuery)} ms, service ` +
      `${ms(inProcess.serviceWithoutDrift)} ms, with drift ${ms(inProcess.serviceWithDrift)} ms ` +
      `(database ${ms(withDrift.withDriftDatabase)} ms, JavaScript ${ms(withDrift.withDriftJavaScript)} ms, ` +
      `${statements} statements)`,
  );

  const app = startApp({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    ERGO_DEMO: '0',
    ERGO_CRM_EMULATORS: '0',
    ERGO_SECRET_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    // To profile the server: BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof".
    ...(process.env.BENCH_SERVER_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS }
      : {}),
  });
  try {
    const base = await app.url();
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0] ?? '')[0];
    if (!cookie) throw new Error('login set no cookie');
    const pageUrl = `${base}/api/teams/${teamId}/members?limit=${PAGE_SIZE}&driftFrom=me`;
    const readyUrl = `${base}/api/health/ready`;
    const check = await fetch(pageUrl, { headers: { cookie, 'accept-encoding': 'gzip' } });
    const encoding = check.headers.get('content-encoding');
    if (!check.ok) throw new Error(`member page failed: ${check.status} ${await check.text()}`);
    const text = await check.text();
    const body = JSON.parse(text) as {
      items: { drift?: unknown }[];
      nextCursor: string | null;
    };
    const sample = {
      bytes: Buffer.byteLength(text),
      encoding,
      rows: body.items.length,
      withDrift: body.items.filter((i) => i.drift !== undefined).length,
      nextCursor: body.nextCursor !== null,
    };
    // Warm both routes (JIT, pool, plan caches), then page/ready, ready/page.
    await autocannon(pageUrl, cookie, 1);
    await autocannon(readyUrl, undefined, 1);
    const runs: AutocannonRun[] = [];
    start = performance.now();
    for (const route of ['page', 'ready', 'ready', 'page'] as const) {
      const run = await autocannon(
        route === 'page' ? pageUrl : readyUrl,
        route === 'page' ? cookie : undefined,
        SECONDS,
      );
      runs.push({ route, ...run });
      say(
        `[members] ${route}: ${run.requestsPerSecond.toFixed(0)} req/s ` +
          `(p50 ${run.latencyP50} ms, p99 ${run.latencyP99} ms, non-2xx ${run.non2xx}, errors ${run.errors})`,
      );
    }
    const noDrift = await autocannon(pageUrl.replace('&driftFrom=me', ''), cookie, SECONDS);
    const pageWithoutDrift: AutocannonRun = { route: 'page', ...noDrift };
    say(`[members] page without drift: ${noDrift.requestsPerSecond.toFixed(0)} req/s`);
    const signedIn = await autocannon(`${base}/api/sync/categories`, cookie, SECONDS);
    const signedInStatic: AutocannonRun = { route: 'page', ...signedIn };
    say(
      `[members] a signed-in static route (/api/sync/categories): ${signedIn.requestsPerSecond.toFixed(0)} req/s`,
    );
    const mean = (route: AutocannonRun['route']) => {
      const of = runs.filter((r) => r.route === route);
      return of.reduce((sum, r) => sum + r.requestsPerSecond, 0) / of.length;
    };
    const page = mean('page');
    const ready = mean('ready');
    return {
      members: MEMBER_COUNT,
      connections: CONNECTIONS,
      seconds: SECONDS,
      pageSize: PAGE_SIZE,
      adminCategories: categories,
      seedSeconds,
      runs,
      pageRequestsPerSecond: page,
      readyRequestsPerSecond: ready,
      ratio: page / ready,
      plans,
      pageWithoutDrift,
      signedInStatic,
      inProcess,
      sample,
    };
  } finally {
    app.child.kill('SIGTERM');
    await app.exited;
  }
}

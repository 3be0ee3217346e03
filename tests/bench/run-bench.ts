/**
 * `npm run bench`: Sync Settings to User on PGlite and on PostgreSQL, in one run.
 *
 * 1. Statements per full sync (all ten categories) at 10 and at 1,000 items per list: equal, or
 *    the sync is not set-based.
 * 2. p50/p95 of a full sync at a realistic size against the floor (the same copy as raw
 *    INSERT … SELECT … ON CONFLICT in one transaction), and where the sync's time goes.
 * 3. PostgreSQL only: syncs per second to 1,000 members with 2 concurrent callers.
 *
 * Prints tables, rewrites docs/benchmarks.md, and ends with `sync/floor ratio (postgres): <n>`.
 * No assertion fails the run on a timing: this is a measurement, not a test.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CATEGORY_KEYS, type CategoryKey } from '#src/domain/settings/categories.ts';
import { stableStringify } from '#src/domain/sync/sync-rules.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import {
  syncSettings,
  type SyncDeps,
  type SyncSettingsResult,
} from '#src/services/sync/sync-settings.service.ts';
import {
  insertMembers,
  insertSyncPair,
  uniformSizes,
  type ListSizes,
  type SyncPair,
} from '#tests/bench/bench-data.ts';
import { floorCopy } from '#tests/bench/floor-copy.ts';
import { timeJsSteps, type JsStepTimes } from '#tests/bench/js-steps.ts';
import {
  dropDatabasesOnInterrupt,
  openMeteredPglite,
  openMeteredPostgres,
  probePostgres,
  type MeteredDatabase,
} from '#tests/bench/metered-database.ts';
import { DB_PHASES, PhaseTracer, type Phase } from '#tests/bench/phase-tracer.ts';
import { writeBenchmarksDoc, type BenchReport, type EngineReport } from '#tests/bench/report.ts';
import { median, ms, percentile, textTable, timed } from '#tests/bench/stats.ts';
import { dashboardState } from '#tests/factories/dashboard.factory.ts';
import { keyring } from '#tests/integration/sync/fixtures.ts';

const ALL_CATEGORIES: readonly CategoryKey[] = CATEGORY_KEYS;
const WARMUP = 10;
const ITERATIONS = 100;
const TRACED_ITERATIONS = 20;
const SMALL = 10;
const LARGE = 1000;

/** The realistic size of the issue: 500 custom properties, 100 stages, 200 templates. */
const REALISTIC: ListSizes = {
  customProperties: 500,
  stages: 100,
  recordTypes: 10,
  emailTemplates: 200,
  meetingTitles: 10,
  alternateDomains: 20,
  partnershipDomains: 10,
};

/** The throughput run's source: realistic but smaller. */
const THROUGHPUT_SOURCE: ListSizes = {
  customProperties: 50,
  stages: 20,
  recordTypes: 3,
  emailTemplates: 10,
  meetingTitles: 5,
  alternateDomains: 5,
  partnershipDomains: 5,
};
const MEMBERS = 1000;
const CALLERS = 2;

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function say(line = ''): void {
  console.log(line);
}

function expectApplied(result: SyncSettingsResult): void {
  if (!result.syncId || result.categories.some((c) => c.status !== 'applied')) {
    throw new Error(`sync did not apply: ${JSON.stringify(result.categories)}`);
  }
}

async function fullSync(deps: SyncDeps, pair: SyncPair): Promise<void> {
  expectApplied(
    await syncSettings(
      deps,
      { actorId: pair.adminId },
      { targetUserId: pair.memberId, categories: ALL_CATEGORIES },
    ),
  );
}

async function countStatements(
  database: MeteredDatabase,
  uow: UnitOfWork,
  deps: SyncDeps,
): Promise<EngineReport['statements']> {
  const { meter } = database;
  const small = await insertSyncPair(uow, uniformSizes(SMALL));
  const large = await insertSyncPair(uow, uniformSizes(LARGE));
  // First sync (the target still differs from the source) and a second one (steady state).
  const counts = async (pair: SyncPair) => [
    (await meter.measure(() => fullSync(deps, pair))).statements,
    (await meter.measure(() => fullSync(deps, pair))).statements,
  ];
  const smallCounts = await counts(small);
  const largeCounts = await counts(large);
  const kinds = [...meter.byKind].map(([kind, v]) => ({ kind, count: v.count }));
  const floor = (
    await meter.measure(() => floorCopy(database.db, small.adminId, small.memberId, ALL_CATEGORIES))
  ).statements;
  const all = [...smallCounts, ...largeCounts];
  return {
    smallSizes: uniformSizes(SMALL),
    largeSizes: uniformSizes(LARGE),
    small: smallCounts,
    large: largeCounts,
    equal: all.every((c) => c === all[0]),
    floor,
    kinds,
  };
}

/**
 * The floor must be the same copy: from two identical fresh pairs, one synced and one copied by
 * the floor, the targets must end with the same values in every category but CRM keys (which the
 * floor cannot copy).
 */
async function floorMatchesSync(
  database: MeteredDatabase,
  uow: UnitOfWork,
  deps: SyncDeps,
): Promise<boolean> {
  const synced = await insertSyncPair(uow, uniformSizes(SMALL));
  const copied = await insertSyncPair(uow, uniformSizes(SMALL));
  await fullSync(deps, synced);
  await floorCopy(database.db, copied.adminId, copied.memberId, ALL_CATEGORIES);
  const values = async (userId: string) => {
    const state: Partial<Record<CategoryKey, unknown>> = await dashboardState(uow, keyring, userId);
    delete state.crm_keys;
    return stableStringify(state);
  };
  return (await values(synced.memberId)) === (await values(copied.memberId));
}

async function measureLatency(
  database: MeteredDatabase,
  uow: UnitOfWork,
  deps: SyncDeps,
): Promise<Pick<EngineReport, 'latency' | 'statementTimes' | 'phases'>> {
  const { db, meter } = database;
  const pair = await insertSyncPair(uow, REALISTIC);
  const floor = () => floorCopy(db, pair.adminId, pair.memberId, ALL_CATEGORIES);
  for (let i = 0; i < WARMUP; i += 1) {
    await fullSync(deps, pair);
    await floor();
  }
  const sync: number[] = [];
  const floors: number[] = [];
  const syncKinds = new Map<string, { count: number; millis: number }>();
  const floorKinds = new Map<string, { count: number; millis: number }>();
  meter.reset();
  meter.active = true;
  try {
    // Alternate which goes first, so neither always runs right after the other's writes.
    for (let i = 0; i < ITERATIONS; i += 1) {
      const runSync = async () => {
        sync.push((await timed(() => fullSync(deps, pair))).millis);
        meter.drainInto(syncKinds);
      };
      const runFloor = async () => {
        floors.push((await timed(floor)).millis);
        meter.drainInto(floorKinds);
      };
      if (i % 2 === 0) {
        await runSync();
        await runFloor();
      } else {
        await runFloor();
        await runSync();
      }
    }
  } finally {
    meter.active = false;
  }
  const kinds = new Set([...syncKinds.keys(), ...floorKinds.keys()]);
  const statementTimes = [...kinds]
    .map((kind) => ({
      kind,
      syncCount: (syncKinds.get(kind)?.count ?? 0) / ITERATIONS,
      syncMillis: (syncKinds.get(kind)?.millis ?? 0) / ITERATIONS,
      floorCount: (floorKinds.get(kind)?.count ?? 0) / ITERATIONS,
      floorMillis: (floorKinds.get(kind)?.millis ?? 0) / ITERATIONS,
    }))
    .sort((a, b) => b.syncMillis - a.syncMillis);

  // The same sync again through repositories that record their intervals.
  const tracer = new PhaseTracer(db);
  const tracedDeps: SyncDeps = { uow: tracer.unitOfWork(), keyring };
  const totals: number[] = [];
  const databaseTotals: number[] = [];
  const perPhase = new Map<Phase, number[]>(DB_PHASES.map((p) => [p, []]));
  for (let i = 0; i < TRACED_ITERATIONS; i += 1) {
    tracer.reset();
    totals.push((await timed(() => fullSync(tracedDeps, pair))).millis);
    const { byPhase, database: inDatabase } = tracer.totals();
    databaseTotals.push(inDatabase);
    for (const phase of DB_PHASES) perPhase.get(phase)?.push(byPhase.get(phase) ?? 0);
  }
  const js: JsStepTimes = await timeJsSteps(
    uow,
    pair.adminId,
    pair.memberId,
    ALL_CATEGORIES,
    TRACED_ITERATIONS,
  );
  const total = median(totals);
  const inDatabase = median(databaseTotals);
  return {
    latency: {
      sizes: REALISTIC,
      iterations: ITERATIONS,
      warmup: WARMUP,
      syncP50: median(sync),
      syncP95: percentile(sync, 95),
      floorP50: median(floors),
      floorP95: percentile(floors, 95),
      pairedRatios: pairedRatioStats(sync, floors),
    },
    statementTimes,
    phases: {
      iterations: TRACED_ITERATIONS,
      total,
      database: inDatabase,
      javascript: Math.max(0, total - inDatabase),
      byPhase: DB_PHASES.map((phase) => ({ phase, millis: median(perPhase.get(phase) ?? []) })),
      js,
    },
  };
}

/** Each round's sync over the same round's floor copy: less sensitive to drift in load. */
function pairedRatioStats(
  sync: readonly number[],
  floors: readonly number[],
): EngineReport['latency']['pairedRatios'] {
  const ratios = sync.map((s, i) => s / (floors[i] ?? Number.NaN));
  return { p25: percentile(ratios, 25), p50: median(ratios), p75: percentile(ratios, 75) };
}

async function measureThroughput(
  database: MeteredDatabase,
  uow: UnitOfWork,
  deps: SyncDeps,
): Promise<NonNullable<EngineReport['throughput']>> {
  const { db, meter } = database;
  const pair = await insertSyncPair(uow, THROUGHPUT_SOURCE);
  const members = await insertMembers(db, uow, pair.organizationId, MEMBERS);
  const halves = Array.from({ length: CALLERS }, (_, c) =>
    members.filter((_, i) => i % CALLERS === c),
  );
  const latencies: number[] = [];
  meter.reset();
  meter.active = true;
  const start = performance.now();
  await Promise.all(
    halves.map(async (targets) => {
      for (const targetUserId of targets) {
        const { result, millis } = await timed(() =>
          syncSettings(deps, { actorId: pair.adminId }, { targetUserId }),
        );
        expectApplied(result);
        latencies.push(millis);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  meter.active = false;
  const auditLock = meter.byKind.get('select pg_advisory_xact_lock');
  return {
    members: MEMBERS,
    callers: CALLERS,
    sourceSizes: THROUGHPUT_SOURCE,
    seconds,
    syncsPerSecond: MEMBERS / seconds,
    p50: median(latencies),
    p95: percentile(latencies, 95),
    statements: meter.count,
    auditLockWaitMillis: auditLock?.millis ?? 0,
  };
}

async function benchEngine(
  database: MeteredDatabase,
  withThroughput: boolean,
): Promise<EngineReport> {
  const uow = createUnitOfWork(database.db);
  const deps: SyncDeps = { uow, keyring };
  const tag = `[${database.engine}]`;

  let start = performance.now();
  const statements = await countStatements(database, uow, deps);
  const floorMatches = await floorMatchesSync(database, uow, deps);
  say(
    `${tag} statements per full sync: ${SMALL} items ${statements.small.join('/')}, ` +
      `${LARGE} items ${statements.large.join('/')} (first/second call) — ` +
      `${statements.equal ? 'OK' : 'NOT OK'} (${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );

  say(
    `${tag} the floor leaves the target as the sync does (all categories but CRM keys): ` +
      (floorMatches ? 'OK' : 'NOT OK'),
  );

  start = performance.now();
  const measured = await measureLatency(database, uow, deps);
  const { latency } = measured;
  say(
    `${tag} realistic sync p50 ${ms(latency.syncP50)} ms, p95 ${ms(latency.syncP95)} ms; ` +
      `floor p50 ${ms(latency.floorP50)} ms, p95 ${ms(latency.floorP95)} ms; ` +
      `ratio ${(latency.syncP50 / latency.floorP50).toFixed(2)} ` +
      `(per round: median ${latency.pairedRatios.p50.toFixed(2)}, ` +
      `IQR ${latency.pairedRatios.p25.toFixed(2)}–${latency.pairedRatios.p75.toFixed(2)}) ` +
      `(${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );

  let throughput: EngineReport['throughput'];
  if (withThroughput) {
    throughput = await measureThroughput(database, uow, deps);
    say(
      `${tag} throughput: ${throughput.syncsPerSecond.toFixed(1)} syncs/s ` +
        `(${MEMBERS} members, ${CALLERS} callers, ${throughput.seconds.toFixed(1)} s)`,
    );
  }
  return {
    engine: database.engine,
    serverVersion: database.serverVersion,
    statements,
    floorMatches,
    ...measured,
    ...(throughput ? { throughput } : {}),
  };
}

function printSummary(report: BenchReport): void {
  const ratio = (e: EngineReport) => (e.latency.syncP50 / e.latency.floorP50).toFixed(2);
  say();
  say(
    textTable([
      [
        'engine',
        `stmts @${SMALL}`,
        `stmts @${LARGE}`,
        'equal',
        'sync p50',
        'sync p95',
        'floor p50',
        'floor p95',
        'sync/floor',
      ],
      ...report.engines.map((e) => [
        e.engine,
        String(e.statements.small[0]),
        String(e.statements.large[0]),
        e.statements.equal ? 'OK' : 'NOT OK',
        `${ms(e.latency.syncP50)} ms`,
        `${ms(e.latency.syncP95)} ms`,
        `${ms(e.latency.floorP50)} ms`,
        `${ms(e.latency.floorP95)} ms`,
        `${ratio(e)}×`,
      ]),
    ]),
  );
  say();
  say('Where a realistic sync spends its time (median of traced runs, ms):');
  const phases = ['total', 'in JavaScript', ...DB_PHASES.map((p) => `db: ${p}`)];
  say(
    textTable([
      ['', ...report.engines.map((e) => e.engine)],
      ...phases.map((label) => [
        label,
        ...report.engines.map((e) => {
          if (label === 'total') return ms(e.phases.total);
          if (label === 'in JavaScript') return ms(e.phases.javascript);
          const phase = label.slice(4) as Phase;
          return ms(e.phases.byPhase.find((p) => p.phase === phase)?.millis ?? 0);
        }),
      ]),
      ['js: zod validation', ...report.engines.map((e) => ms(e.phases.js.validate))],
      ['js: rules + diff', ...report.engines.map((e) => ms(e.phases.js.rulesAndDiff))],
      ['js: history JSON', ...report.engines.map((e) => ms(e.phases.js.historyJson))],
    ]),
  );
  for (const e of report.engines) {
    if (!e.throughput) continue;
    const t = e.throughput;
    say();
    say(
      `Throughput (${e.engine}): ${t.syncsPerSecond.toFixed(1)} syncs/s — ${t.members} members, ` +
        `${t.callers} concurrent callers, default categories; per sync p50 ${ms(t.p50)} ms, ` +
        `p95 ${ms(t.p95)} ms; audit lock wait ${ms(t.auditLockWaitMillis)} ms in total.`,
    );
  }
}

async function main(): Promise<void> {
  dropDatabasesOnInterrupt();
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_URL;
  const startedAt = new Date();
  const begin = performance.now();
  const loadAtStart = os.loadavg()[0] ?? 0;
  say(
    `Ergo Admin sync benchmark — node ${process.version}, ${os.availableParallelism()} CPUs ` +
      `(${os.cpus()[0]?.model.trim() ?? 'unknown CPU'})`,
  );

  const engines: EngineReport[] = [];
  const pglite = await openMeteredPglite();
  try {
    engines.push(await benchEngine(pglite, false));
  } finally {
    await pglite.close();
  }

  let postgresSkipped: string | undefined;
  const probe = await probePostgres(url);
  if (probe.ok) {
    const { database } = await openMeteredPostgres(url);
    try {
      engines.push(await benchEngine(database, true));
    } finally {
      await database.close();
    }
  } else {
    postgresSkipped = `PostgreSQL at ${redact(url)} is unreachable: ${probe.reason}`;
    say(`[postgres] skipped — ${postgresSkipped}`);
  }

  const report: BenchReport = {
    startedAt,
    seconds: (performance.now() - begin) / 1000,
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: os.totalmem() / 2 ** 30,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      pglite: await pgliteVersion(),
      loadAverage: { start: loadAtStart, end: os.loadavg()[0] ?? 0 },
    },
    postgresUrl: redact(url),
    postgresSkipped,
    sizes: { small: SMALL, large: LARGE, warmup: WARMUP, iterations: ITERATIONS },
    engines,
  };
  printSummary(report);
  const file = path.resolve('docs/benchmarks.md');
  await writeBenchmarksDoc(file, report);
  say();
  say(`Wrote ${path.relative(process.cwd(), file)} (${report.seconds.toFixed(0)} s in all).`);
  const postgres = engines.find((e) => e.engine === 'postgres');
  say(
    `sync/floor ratio (postgres): ${
      postgres ? (postgres.latency.syncP50 / postgres.latency.floorP50).toFixed(2) : 'n/a'
    }`,
  );
}

async function pgliteVersion(): Promise<string> {
  try {
    const text = await readFile('node_modules/@electric-sql/pglite/package.json', 'utf8');
    const { version } = JSON.parse(text) as { version?: string };
    return version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

await main();

/**
 * `npm run bench`: Sync Settings to User on PGlite and on PostgreSQL, and the member table at
 * 100,000 members, in one run (issue 10).
 *
 * Per size (10 items per list, the realistic size, and on PostgreSQL 10,000 items per row list):
 * 1. Statements of a sync that changes everything and of a no-op re-sync; on PostgreSQL also the
 *    dashboard rows each writes, from the server's own table statistics.
 * 2. p50/p95 of a sync that changes the target against the floor (the same copy as raw SQL), in
 *    alternating rounds, and of the no-op re-sync; where the sync's time goes.
 * 3. The floor's equality check (it leaves the target as the sync does), and once per engine for
 *    a source that has never set a category.
 * Then, PostgreSQL only: syncs per second to 1,000 members with 2 callers, and the member list
 * page against the readiness route over HTTP (autocannon); then bulk Sync Settings through
 * pg-boss and worker processes (issue 11, tests/bench/bulk-bench.ts): a 10,000-member run against
 * the set-based floor, 2 workers against 1, the worker's peak RSS and the first progress event.
 *
 * `BENCH_ONLY=bulk npm run bench` runs the bulk part alone and replaces only the bulk section of
 * docs/benchmarks.md; `BENCH_BULK_MEMBERS` / `BENCH_BULK_THROUGHPUT_MEMBERS` shrink its runs while
 * iterating (the recorded figures use the defaults, 10,000 and 1,000).
 *
 * Prints tables, rewrites docs/benchmarks.md, and ends with the lines of issue 10. No assertion
 * fails the run on a timing: this is a measurement, not a test.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import { CATEGORY_KEYS, type CategoryKey } from '#src/domain/settings/categories.ts';
import { stableStringify } from '#src/domain/sync/sync-rules.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import {
  syncSettings,
  type SyncDeps,
  type SyncSettingsResult,
} from '#src/services/sync/sync-settings.service.ts';
import {
  describeSizes,
  insertMembers,
  insertNeverSetSource,
  insertSyncPair,
  insertSyncSet,
  targetSettings,
  uniformSizes,
  type ListSizes,
  type SyncSet,
  type Variant,
} from '#tests/bench/bench-data.ts';
import { benchBulk, type BulkReport } from '#tests/bench/bulk-bench.ts';
import { floorCopy } from '#tests/bench/floor-copy.ts';
import { timeJsSteps } from '#tests/bench/js-steps.ts';
import { benchMemberList } from '#tests/bench/member-list-bench.ts';
import {
  dropDatabasesOnInterrupt,
  openMeteredPglite,
  openMeteredPostgres,
  probePostgres,
  type MeteredDatabase,
} from '#tests/bench/metered-database.ts';
import { DB_PHASES, PhaseTracer, type Phase } from '#tests/bench/phase-tracer.ts';
import {
  bulkHeadlineLines,
  headlineLines,
  writeBenchmarksDoc,
  writeBulkSection,
  type BenchReport,
  type EngineReport,
  type SizeKey,
  type SizeReport,
} from '#tests/bench/report.ts';
import { median, ms, percentile, textTable, timed } from '#tests/bench/stats.ts';
import {
  DASHBOARD_TABLES,
  readTableWrites,
  RECORD_TABLES,
  writesBetween,
  type TableWrites,
} from '#tests/bench/table-writes.ts';
import { dashboardState, insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { keyring, MEMBER_PIPEDRIVE_KEY } from '#tests/integration/sync/fixtures.ts';

const ALL_CATEGORIES: readonly CategoryKey[] = CATEGORY_KEYS;
const SMALL = 10;
const HUGE = 10_000;
const POOL_SIZE = 10;

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

interface SizeSpec {
  key: SizeKey;
  /** What the documents hold (the schema caps them). */
  sizes: ListSizes;
  /** Row lists inserted in SQL with this many items each (no caps). */
  rowsBySql?: number;
  warmup: number;
  rounds: number;
  traced: number;
}

const SIZE_SPECS: Record<SizeKey, SizeSpec> = {
  small: { key: 'small', sizes: uniformSizes(SMALL), warmup: 10, rounds: 100, traced: 20 },
  realistic: { key: 'realistic', sizes: REALISTIC, warmup: 10, rounds: 100, traced: 20 },
  huge: {
    key: 'huge',
    sizes: uniformSizes(HUGE),
    rowsBySql: HUGE,
    warmup: 2,
    rounds: 14,
    traced: 4,
  },
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

function expectApplied(result: SyncSettingsResult, changed?: boolean): void {
  if (!result.syncId || result.categories.some((c) => c.status !== 'applied')) {
    throw new Error(`sync did not apply: ${JSON.stringify(result.categories)}`);
  }
  if (changed !== undefined && result.changed !== changed) {
    throw new Error(`the sync was expected ${changed ? 'to change' : 'not to change'} the target`);
  }
}

async function fullSync(
  deps: SyncDeps,
  sourceId: string,
  targetId: string,
  changed?: boolean,
): Promise<void> {
  expectApplied(
    await syncSettings(
      deps,
      { actorId: sourceId },
      { targetUserId: targetId, categories: ALL_CATEGORIES },
    ),
    changed,
  );
}

/**
 * Both targets' values in every category but CRM keys (the floor cannot copy those). `ring`: the
 * keyring the targets' CRM keys are sealed under (the bulk bench's worker processes have their own).
 */
async function sameValues(
  uow: UnitOfWork,
  a: string,
  b: string,
  ring: Keyring = keyring,
): Promise<boolean> {
  const values = async (userId: string) => {
    const state: Partial<Record<CategoryKey, unknown>> = await dashboardState(uow, ring, userId);
    delete state.crm_keys;
    return stableStringify(state);
  };
  return (await values(a)) === (await values(b));
}

function kindsOf(database: MeteredDatabase): { kind: string; count: number }[] {
  return [...database.meter.byKind].map(([kind, v]) => ({ kind, count: v.count }));
}

type Kinds = Map<string, { count: number; millis: number }>;

async function measureSize(
  database: MeteredDatabase,
  uow: UnitOfWork,
  deps: SyncDeps,
  spec: SizeSpec,
  withRowsWritten: boolean,
): Promise<SizeReport> {
  const { db, meter, engine } = database;
  const tag = `[${engine}, ${spec.key}]`;
  let start = performance.now();
  const set: SyncSet = await insertSyncSet(uow, db, spec.sizes, spec.rowsBySql);
  const setupSeconds = (performance.now() - start) / 1000;
  const sync = (variant: Variant, changed?: boolean) =>
    fullSync(deps, set.sources[variant], set.syncTarget, changed);
  const floor = (variant: Variant) =>
    floorCopy(db, set.sources[variant], set.floorTarget, ALL_CATEGORIES);

  // 1. A first sync (the target differs in every category, CRM keys included), a no-op re-sync,
  //    and the floor's first copy, each counted; on PostgreSQL with the rows each wrote.
  const reads: TableWrites[] = [];
  const mark = async () => {
    if (withRowsWritten) reads.push(await readTableWrites(db, POOL_SIZE));
  };
  await mark();
  const changing = (await meter.measure(() => sync('a', true))).statements;
  const changingKinds = kindsOf(database);
  await mark();
  const noop = (await meter.measure(() => sync('a', false))).statements;
  const noopKinds = kindsOf(database);
  await mark();
  const floorStatements = (await meter.measure(() => floor('a'))).statements;
  const freshMatch = await sameValues(uow, set.syncTarget, set.floorTarget);
  let rowsWritten: SizeReport['rowsWritten'];
  const [w0, w1, w2] = reads;
  if (w0 && w1 && w2) {
    rowsWritten = {
      changing: writesBetween(w0, w1, DASHBOARD_TABLES),
      changingRecord: writesBetween(w0, w1, RECORD_TABLES),
      noop: writesBetween(w1, w2, DASHBOARD_TABLES),
      noopRecord: writesBetween(w1, w2, RECORD_TABLES),
      noopByTable: Object.fromEntries(
        [...DASHBOARD_TABLES, ...RECORD_TABLES].map((t) => [t, writesBetween(w1, w2, [t])]),
      ),
    };
  }
  say(
    `${tag} statements: changing sync ${changing}, no-op re-sync ${noop}, floor ${floorStatements}` +
      (rowsWritten
        ? `; dashboard rows written: changing ${rowsWritten.changing}, no-op ${rowsWritten.noop}`
        : '') +
      `; floor leaves the target as the sync does: ${freshMatch ? 'OK' : 'NOT OK'} ` +
      `(setup ${setupSeconds.toFixed(1)} s)`,
  );

  // 2. Rounds: the source alternates between its two variants, so every timed sync changes the
  //    target (every row and document but CRM keys); right after it, the same sync again is the
  //    no-op. The floor copies the same variant to its own target. Which goes first alternates.
  start = performance.now();
  const syncTimes: number[] = [];
  const noopTimes: number[] = [];
  const floorTimes: number[] = [];
  const syncKinds: Kinds = new Map();
  const noopKindTimes: Kinds = new Map();
  const floorKinds: Kinds = new Map();
  let roundStatements = 0;
  let variant: Variant = 'a';
  for (let i = 0; i < spec.warmup + spec.rounds; i += 1) {
    variant = variant === 'a' ? 'b' : 'a';
    const measured = i >= spec.warmup;
    const v = variant;
    const runSync = async () => {
      meter.reset();
      meter.active = measured;
      const changed = await timed(() => sync(v, true));
      if (measured) roundStatements = meter.count;
      meter.drainInto(syncKinds);
      const again = await timed(() => sync(v, false));
      meter.drainInto(noopKindTimes);
      meter.active = false;
      if (measured) {
        syncTimes.push(changed.millis);
        noopTimes.push(again.millis);
      }
    };
    const runFloor = async () => {
      meter.reset();
      meter.active = measured;
      const copied = await timed(() => floor(v));
      meter.drainInto(floorKinds);
      meter.active = false;
      if (measured) floorTimes.push(copied.millis);
    };
    if (i % 2 === 0) {
      await runSync();
      await runFloor();
    } else {
      await runFloor();
      await runSync();
    }
  }
  const afterRounds = await sameValues(uow, set.syncTarget, set.floorTarget);
  const kinds = new Set([...syncKinds.keys(), ...floorKinds.keys(), ...noopKindTimes.keys()]);
  const per = (m: Kinds, kind: string, field: 'count' | 'millis') =>
    (m.get(kind)?.[field] ?? 0) / spec.rounds;
  const statementTimes = [...kinds]
    .map((kind) => ({
      kind,
      syncCount: per(syncKinds, kind, 'count'),
      syncMillis: per(syncKinds, kind, 'millis'),
      noopCount: per(noopKindTimes, kind, 'count'),
      noopMillis: per(noopKindTimes, kind, 'millis'),
      floorCount: per(floorKinds, kind, 'count'),
      floorMillis: per(floorKinds, kind, 'millis'),
    }))
    .sort((a, b) => b.syncMillis - a.syncMillis);
  const latency = {
    warmup: spec.warmup,
    rounds: spec.rounds,
    syncP50: median(syncTimes),
    syncP95: percentile(syncTimes, 95),
    noopP50: median(noopTimes),
    noopP95: percentile(noopTimes, 95),
    floorP50: median(floorTimes),
    floorP95: percentile(floorTimes, 95),
    paired: pairedRatioStats(syncTimes, floorTimes),
  };
  say(
    `${tag} changing sync p50 ${ms(latency.syncP50)} ms (p95 ${ms(latency.syncP95)}), no-op ` +
      `re-sync p50 ${ms(latency.noopP50)} ms, floor p50 ${ms(latency.floorP50)} ms ` +
      `(p95 ${ms(latency.floorP95)}): ratio ${(latency.syncP50 / latency.floorP50).toFixed(2)} ` +
      `(per round ${latency.paired.p50.toFixed(2)}, IQR ${latency.paired.p25.toFixed(2)}–` +
      `${latency.paired.p75.toFixed(2)}); equality after the rounds ${afterRounds ? 'OK' : 'NOT OK'} ` +
      `(${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );

  // 3. The same changing sync through repositories that record their intervals, and the
  //    engine's planning timed alone.
  const tracer = new PhaseTracer(db);
  const tracedDeps: SyncDeps = { uow: tracer.unitOfWork(), keyring };
  const totals: number[] = [];
  const databaseTotals: number[] = [];
  const perPhase = new Map<Phase, number[]>(DB_PHASES.map((p) => [p, []]));
  for (let i = 0; i < spec.traced; i += 1) {
    variant = variant === 'a' ? 'b' : 'a';
    const v = variant;
    tracer.reset();
    totals.push(
      (await timed(() => fullSync(tracedDeps, set.sources[v], set.syncTarget, true))).millis,
    );
    const { byPhase, database: inDatabase } = tracer.totals();
    databaseTotals.push(inDatabase);
    for (const phase of DB_PHASES) perPhase.get(phase)?.push(byPhase.get(phase) ?? 0);
  }
  const next: Variant = variant === 'a' ? 'b' : 'a';
  const js = await timeJsSteps(
    uow,
    keyring,
    set.sources[next],
    set.syncTarget,
    ALL_CATEGORIES,
    Math.max(5, spec.traced),
  );
  const total = median(totals);
  const inDatabase = median(databaseTotals);
  return {
    key: spec.key,
    sizes: spec.sizes,
    rowItems: set.rowItems,
    statements: {
      changing,
      noop,
      round: roundStatements,
      floor: floorStatements,
      changingKinds,
      noopKinds,
    },
    ...(rowsWritten ? { rowsWritten } : {}),
    floorMatches: { fresh: freshMatch, afterRounds },
    latency,
    statementTimes,
    phases: {
      iterations: spec.traced,
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
): SizeReport['latency']['paired'] {
  const ratios = sync.map((s, i) => s / (floors[i] ?? Number.NaN));
  return { p25: percentile(ratios, 25), p50: median(ratios), p75: percentile(ratios, 75) };
}

/**
 * The floor's equality check for a source that has never set a category (SPEC §2: its default
 * values are copied): two identical members, one synced by the service, one copied by the floor.
 */
async function neverSetSourceMatches(database: MeteredDatabase, deps: SyncDeps): Promise<boolean> {
  const { uow } = deps;
  const { organizationId } = await insertOrganization(uow);
  const source = await insertNeverSetSource(uow, organizationId);
  const target = () =>
    insertUserWithDashboard(uow, keyring, organizationId, {
      settings: targetSettings(uniformSizes(SMALL)),
      crm: [MEMBER_PIPEDRIVE_KEY],
    });
  const synced = await target();
  const copied = await target();
  await fullSync(deps, source, synced.id, true);
  await floorCopy(database.db, source, copied.id, ALL_CATEGORIES);
  return sameValues(uow, synced.id, copied.id);
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
  sizes: readonly SizeKey[],
  /** PostgreSQL: the server's URL (the member table gets a database of its own there). */
  postgres?: { url: string },
): Promise<EngineReport> {
  const uow = createUnitOfWork(database.db);
  const deps: SyncDeps = { uow, keyring };
  const tag = `[${database.engine}]`;
  const results: SizeReport[] = [];
  for (const key of sizes) {
    const spec = SIZE_SPECS[key];
    results.push(
      await measureSize(database, uow, deps, spec, postgres !== undefined && key !== 'realistic'),
    );
  }
  const neverSet = await neverSetSourceMatches(database, deps);
  say(
    `${tag} the floor leaves the target as the sync does for a source that never set a category: ` +
      (neverSet ? 'OK' : 'NOT OK'),
  );
  let throughput: EngineReport['throughput'];
  let memberList: EngineReport['memberList'];
  if (postgres) {
    throughput = await measureThroughput(database, uow, deps);
    say(
      `${tag} throughput: ${throughput.syncsPerSecond.toFixed(1)} syncs/s ` +
        `(${MEMBERS} members, ${CALLERS} callers, ${throughput.seconds.toFixed(1)} s)`,
    );
    memberList = await benchMemberList(postgres.url, say);
  }
  return {
    engine: database.engine,
    serverVersion: database.serverVersion,
    sizes: results,
    neverSetMatches: neverSet,
    ...(throughput ? { throughput } : {}),
    ...(memberList ? { memberList } : {}),
  };
}

function printSummary(report: BenchReport): void {
  say();
  say(
    textTable([
      [
        'engine',
        'size',
        'stmts',
        'no-op stmts',
        'sync p50',
        'no-op p50',
        'floor p50',
        'sync/floor',
        'floor check',
      ],
      ...report.engines.flatMap((e) =>
        e.sizes.map((s) => [
          e.engine,
          s.key,
          String(s.statements.changing),
          String(s.statements.noop),
          `${ms(s.latency.syncP50)} ms`,
          `${ms(s.latency.noopP50)} ms`,
          `${ms(s.latency.floorP50)} ms`,
          `${(s.latency.syncP50 / s.latency.floorP50).toFixed(2)}×`,
          s.floorMatches.fresh && s.floorMatches.afterRounds ? 'OK' : 'NOT OK',
        ]),
      ),
    ]),
  );
  say();
  say('Where a changing sync spends its time (median of traced runs, ms):');
  const columns = report.engines.flatMap((e) => e.sizes.map((s) => ({ e, s })));
  const phases = ['total', 'in JavaScript', ...DB_PHASES.map((p) => `db: ${p}`)];
  say(
    textTable([
      ['', ...columns.map(({ e, s }) => `${e.engine} ${s.key}`)],
      ...phases.map((label) => [
        label,
        ...columns.map(({ s }) => {
          if (label === 'total') return ms(s.phases.total);
          if (label === 'in JavaScript') return ms(s.phases.javascript);
          const phase = label.slice(4) as Phase;
          return ms(s.phases.byPhase.find((p) => p.phase === phase)?.millis ?? 0);
        }),
      ]),
      ['js: planSync alone', ...columns.map(({ s }) => ms(s.phases.js.plan))],
      ['js: history JSON', ...columns.map(({ s }) => ms(s.phases.js.historyJson))],
    ]),
  );
}

/**
 * `BENCH_ONLY=bulk`: only the bulk runs (issue 11), written to their section of the doc;
 * `BENCH_ONLY=members`: only the member table over HTTP, printed and not written (to iterate on
 * it); unset: everything.
 */
function benchOnly(): 'bulk' | 'members' | undefined {
  const only = process.env.BENCH_ONLY;
  if (only === undefined || only === '') return undefined;
  if (only === 'bulk' || only === 'members') return only;
  throw new Error(`BENCH_ONLY=${only}: the parts that run alone are "bulk" and "members"`);
}

async function main(): Promise<void> {
  dropDatabasesOnInterrupt();
  const only = benchOnly();
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_URL;
  const startedAt = new Date();
  const begin = performance.now();
  const loadAtStart = os.loadavg()[0] ?? 0;
  say(
    `Ergo Admin sync benchmark — node ${process.version}, ${os.availableParallelism()} CPUs ` +
      `(${os.cpus()[0]?.model.trim() ?? 'unknown CPU'})` +
      (only ? ` — BENCH_ONLY=${only}` : ''),
  );

  const engines: EngineReport[] = [];
  if (!only) {
    const pglite = await openMeteredPglite();
    try {
      engines.push(await benchEngine(pglite, ['small', 'realistic']));
    } finally {
      await pglite.close();
    }
  }

  let postgresSkipped: string | undefined;
  let bulk: BulkReport | undefined;
  const probe = await probePostgres(url);
  if (only === 'members') {
    if (!probe.ok) throw new Error(`PostgreSQL at ${redact(url)} is unreachable: ${probe.reason}`);
    const list = await benchMemberList(url, say);
    say(
      `member list/ready req/s (postgres, ${list.members} members): ${list.ratio.toFixed(3)} ` +
        `(page ${list.pageRequestsPerSecond.toFixed(0)} req/s, ${list.sample.bytes} bytes; ready ${list.readyRequestsPerSecond.toFixed(0)} req/s; not written to docs/benchmarks.md)`,
    );
    return;
  }
  if (probe.ok) {
    if (!only) {
      const { database } = await openMeteredPostgres(url);
      try {
        engines.push(await benchEngine(database, ['small', 'realistic', 'huge'], { url }));
      } finally {
        await database.close();
      }
    }
    bulk = await benchBulk(url, say, sameValues, REALISTIC);
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
    sizeDescriptions: {
      small: describeSizes(SIZE_SPECS.small.sizes),
      realistic: describeSizes(SIZE_SPECS.realistic.sizes),
      huge:
        `${HUGE.toLocaleString('en')} properties, ${HUGE.toLocaleString('en')} stages and ` +
        `${HUGE.toLocaleString('en')} record types inserted in SQL (past the schema's caps); ` +
        `documents at the caps: ${describeSizes(SIZE_SPECS.huge.sizes)
          .split(', ')
          .slice(3)
          .join(', ')}`,
    },
    engines,
    ...(bulk ? { bulk } : {}),
  };
  const file = path.resolve('docs/benchmarks.md');
  if (only) {
    // Only the bulk section of the file is replaced; the rest keeps the last full run's figures.
    if (bulk) await writeBulkSection(file, report);
    say();
    say(
      bulk
        ? `Replaced the bulk section of ${path.relative(process.cwd(), file)} (${report.seconds.toFixed(0)} s in all).`
        : 'Nothing measured: PostgreSQL is unreachable.',
    );
  } else {
    printSummary(report);
    await writeBenchmarksDoc(file, report);
    say();
    say(`Wrote ${path.relative(process.cwd(), file)} (${report.seconds.toFixed(0)} s in all).`);
    for (const line of headlineLines(report)) say(line);
  }
  for (const line of bulkHeadlineLines(report)) say(line);
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

import { readFile, writeFile } from 'node:fs/promises';
import * as prettier from 'prettier';
import type { DatabaseEngine } from '#src/db/database.ts';
import { describeSizes, type ListSizes } from '#tests/bench/bench-data.ts';
import type { BulkReport, BulkRunMeasure } from '#tests/bench/bulk-bench.ts';
import type { JsStepTimes } from '#tests/bench/js-steps.ts';
import type { MemberListReport } from '#tests/bench/member-list-bench.ts';
import type { Phase } from '#tests/bench/phase-tracer.ts';
import { markdownTable, ms, pct } from '#tests/bench/stats.ts';

export type SizeKey = 'small' | 'realistic' | 'huge';

export interface SizeReport {
  key: SizeKey;
  /** What the source's documents hold (and its row lists, unless `rowItems` says otherwise). */
  sizes: ListSizes;
  rowItems: { customProperties: number; stages: number; recordTypes: number };
  statements: {
    /** A first sync: the target differs in every category, CRM keys included. */
    changing: number;
    /** The same sync again: nothing to change. */
    noop: number;
    /** A timed round's sync (every row and document changes; CRM keys already equal). */
    round: number;
    floor: number;
    changingKinds: { kind: string; count: number }[];
    noopKinds: { kind: string; count: number }[];
  };
  /** PostgreSQL: rows inserted + updated + deleted, from pg_stat_user_tables. */
  rowsWritten?: {
    /** Dashboard tables, by the first (changing) sync. */
    changing: number;
    /** sync_runs + audit_log rows of that sync (its record, not dashboard rows). */
    changingRecord: number;
    /** Dashboard tables, by the no-op re-sync. */
    noop: number;
    noopRecord: number;
    noopByTable: Record<string, number>;
  };
  floorMatches: { fresh: boolean; afterRounds: boolean };
  latency: {
    warmup: number;
    rounds: number;
    syncP50: number;
    syncP95: number;
    noopP50: number;
    noopP95: number;
    floorP50: number;
    floorP95: number;
    paired: { p25: number; p50: number; p75: number };
  };
  /** From Kysely's log, per round (mean): statements of each kind and their summed duration. */
  statementTimes: {
    kind: string;
    syncCount: number;
    syncMillis: number;
    noopCount: number;
    noopMillis: number;
    floorCount: number;
    floorMillis: number;
  }[];
  phases: {
    iterations: number;
    total: number;
    database: number;
    javascript: number;
    byPhase: { phase: Phase; millis: number }[];
    js: JsStepTimes;
  };
}

export interface EngineReport {
  engine: DatabaseEngine;
  serverVersion: string;
  sizes: SizeReport[];
  /** The floor's equality check for a source that has never set a category. */
  neverSetMatches: boolean;
  throughput?: {
    members: number;
    callers: number;
    sourceSizes: ListSizes;
    seconds: number;
    syncsPerSecond: number;
    p50: number;
    p95: number;
    statements: number;
    auditLockWaitMillis: number;
  };
  memberList?: MemberListReport;
}

export interface BenchReport {
  startedAt: Date;
  seconds: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    platform: string;
    node: string;
    pglite: string;
    /** 1-minute load average when the run started and when it ended. */
    loadAverage: { start: number; end: number };
  };
  postgresUrl: string;
  postgresSkipped: string | undefined;
  sizeDescriptions: Record<SizeKey, string>;
  engines: EngineReport[];
  /** Bulk Sync Settings through pg-boss and worker processes (issue 11), PostgreSQL only. */
  bulk?: BulkReport;
}

const LABEL: Record<DatabaseEngine, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };
const SIZE_LABEL: Record<SizeKey, string> = {
  small: '10 items',
  realistic: 'realistic',
  huge: '10,000 items',
};

/** Issue 10's targets. */
const TARGETS = {
  small: 3,
  realistic: 2.5,
  huge: 2,
  statementsBelow: 30,
  noopRows: 0,
  memberListRatio: 0.5,
};

export function ratioOf(s: SizeReport): number {
  return s.latency.syncP50 / s.latency.floorP50;
}

function size(e: EngineReport | undefined, key: SizeKey): SizeReport | undefined {
  return e?.sizes.find((s) => s.key === key);
}

const fixed = (n: number | undefined, digits = 2) =>
  n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits);

interface Headline {
  line: string;
  detail?: string;
  figure: string;
  target: string;
  met: boolean | undefined;
}

function headlines(r: BenchReport): Headline[] {
  const pg = r.engines.find((e) => e.engine === 'postgres');
  const out: Headline[] = [];
  const ratio = (key: SizeKey, prefix: string, target: number) => {
    const s = size(pg, key);
    const value = s ? ratioOf(s) : undefined;
    out.push({
      line: `${prefix}: ${fixed(value)}`,
      ...(s
        ? {
            detail:
              `changing sync p50 ${ms(s.latency.syncP50)} ms, floor p50 ${ms(s.latency.floorP50)} ms, ` +
              `no-op re-sync p50 ${ms(s.latency.noopP50)} ms (per-round ratio median ` +
              `${fixed(s.latency.paired.p50)}, IQR ${fixed(s.latency.paired.p25)}–${fixed(s.latency.paired.p75)})`,
          }
        : {}),
      figure: value === undefined ? 'n/a' : `${fixed(value)}×`,
      target: `≤ ${target}`,
      met: value === undefined ? undefined : value <= target,
    });
  };
  ratio('small', 'sync/floor ratio (postgres, 10 items)', TARGETS.small);
  ratio('realistic', 'sync/floor ratio (postgres)', TARGETS.realistic);
  ratio('huge', 'sync/floor ratio (postgres, 10000 items)', TARGETS.huge);

  const small = size(pg, 'small');
  const huge = size(pg, 'huge');
  const equal = small && huge ? small.statements.changing === huge.statements.changing : undefined;
  const n = small?.statements.changing;
  out.push({
    line: `statements per sync (postgres): ${
      n === undefined
        ? 'n/a'
        : equal
          ? String(n)
          : `${n} (10 items) / ${huge?.statements.changing ?? '?'} (10000 items)`
    }`,
    detail:
      `a sync that changes every category: ${small?.statements.changing ?? '?'} at 10 items, ` +
      `${huge?.statements.changing ?? '?'} at 10,000 (${equal ? 'equal' : 'NOT equal'}); a timed ` +
      `round's sync (CRM keys already equal): ${small?.statements.round ?? '?'} / ` +
      `${huge?.statements.round ?? '?'}; no-op re-sync: ${small?.statements.noop ?? '?'} / ` +
      `${huge?.statements.noop ?? '?'}; the floor: ${small?.statements.floor ?? '?'}`,
    figure: n === undefined ? 'n/a' : equal ? String(n) : `${n} / ${huge?.statements.changing}`,
    target: `< ${TARGETS.statementsBelow}, same at 10 and 10,000`,
    met: n === undefined ? undefined : Boolean(equal) && n < TARGETS.statementsBelow,
  });

  const measured = (pg?.sizes ?? []).filter((s) => s.rowsWritten);
  const noopRows = measured.reduce((sum, s) => sum + (s.rowsWritten?.noop ?? 0), 0);
  out.push({
    line: `no-op re-sync rows written (postgres): ${measured.length > 0 ? noopRows : 'n/a'}`,
    detail:
      'dashboard-table rows (dashboards, dashboard_settings, custom_properties, pipeline_stages, ' +
      'salesforce_record_types, crm_connections) inserted+updated+deleted by a re-sync that changes ' +
      'nothing, from pg_stat_user_tables: ' +
      measured
        .map(
          (s) =>
            `${SIZE_LABEL[s.key]} ${s.rowsWritten?.noop ?? '?'} (the run's record: ` +
            `${s.rowsWritten?.noopRecord ?? '?'} rows of sync_runs + audit_log; the changing sync ` +
            `before it wrote ${s.rowsWritten?.changing ?? '?'} dashboard rows)`,
        )
        .join('; '),
    figure: measured.length > 0 ? String(noopRows) : 'n/a',
    target: '= 0',
    met: measured.length > 0 ? noopRows === TARGETS.noopRows : undefined,
  });

  const list = pg?.memberList;
  out.push({
    line: `member list/ready req/s (postgres, 100000 members): ${fixed(list?.ratio, 3)}`,
    ...(list
      ? {
          detail:
            `page of ${list.pageSize} rows with driftFrom=me ${list.pageRequestsPerSecond.toFixed(0)} req/s, ` +
            `/api/health/ready ${list.readyRequestsPerSecond.toFixed(0)} req/s (${list.connections} ` +
            `connections, ${list.seconds} s per run, page/ready/ready/page); the page without ` +
            `drift ${list.pageWithoutDrift.requestsPerSecond.toFixed(0)} req/s`,
        }
      : {}),
    figure: list ? fixed(list.ratio, 3) : 'n/a',
    target: `≥ ${TARGETS.memberListRatio}`,
    met: list ? list.ratio >= TARGETS.memberListRatio : undefined,
  });

  const checks = r.engines.flatMap((e) => [
    ...e.sizes.map((s) => s.floorMatches.fresh && s.floorMatches.afterRounds),
    e.neverSetMatches,
  ]);
  out.push({
    line: `floor equality (every size, and a never-set source): ${checks.every(Boolean) ? 'OK' : 'NOT OK'}`,
    figure: checks.every(Boolean) ? 'OK' : 'NOT OK',
    target: 'OK on every engine and size',
    met: checks.length > 0 ? checks.every(Boolean) : undefined,
  });
  return out;
}

/** The lines `npm run bench` ends with (the exact prefixes of issue 10), with their details. */
export function headlineLines(r: BenchReport): string[] {
  return headlines(r).flatMap((h) => [h.line, ...(h.detail ? [`  ${h.detail}`] : [])]);
}

/** Writes the report as Markdown, formatted as `npm run format` would, so format:check passes. */
export async function writeBenchmarksDoc(file: string, report: BenchReport): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  await writeFile(
    file,
    await prettier.format(renderBenchmarksDoc(report), { ...options, parser: 'markdown' }),
  );
}

function phaseMillis(s: SizeReport, phase: Phase): number {
  return s.phases.byPhase.find((p) => p.phase === phase)?.millis ?? 0;
}

function kindTimes(s: SizeReport, kind: string): SizeReport['statementTimes'][number] {
  return (
    s.statementTimes.find((t) => t.kind === kind) ?? {
      kind,
      syncCount: 0,
      syncMillis: 0,
      noopCount: 0,
      noopMillis: 0,
      floorCount: 0,
      floorMillis: 0,
    }
  );
}

function sumKinds(s: SizeReport, test: (kind: string) => boolean, side: 'sync' | 'floor') {
  return s.statementTimes
    .filter((t) => test(t.kind))
    .reduce((sum, t) => sum + (side === 'sync' ? t.syncMillis : t.floorMillis), 0);
}

const isWrite = (k: string) =>
  /^(insert|update|delete)/.test(k) &&
  k !== 'insert into sync_runs' &&
  k !== 'insert into audit_log';

function kindList(kinds: readonly { kind: string; count: number }[]): string {
  return kinds.map((k) => (k.count > 1 ? `${k.kind} ×${k.count}` : k.kind)).join(', ');
}

export function renderBenchmarksDoc(r: BenchReport): string {
  const pg = r.engines.find((e) => e.engine === 'postgres');
  const out: string[] = [];
  const add = (...lines: string[]) => out.push(...lines);

  add(
    '# Benchmarks: Sync Settings to User, the member table and bulk sync',
    '',
    `Generated by \`npm run bench\` (\`tests/bench/run-bench.ts\`) on ${r.startedAt.toISOString()}, ` +
      `in ${r.seconds.toFixed(0)} s. Each run rewrites this file; every figure in it comes from that ` +
      'one run. Timings move by several percent from run to run on a small machine, and by much ' +
      'more when other work shares it (see the load average under "Machine"); statement and row ' +
      'counts do not move.',
    '',
  );
  if (r.postgresSkipped) add(`**PostgreSQL was skipped in this run:** ${r.postgresSkipped}.`, '');

  // --- headline ---------------------------------------------------------------------------------
  const hs = headlines(r);
  add(
    '## Headline (issue 10)',
    '',
    markdownTable([
      ['line printed by the bench', 'figure', 'target', 'met'],
      ...hs.map((h) => [
        `\`${h.line.replace(/: [^:]*$/, '')}\``,
        h.figure,
        h.target,
        h.met === undefined ? '—' : h.met ? '**yes**' : '**no**',
      ]),
    ]),
    '',
    'The same lines, as printed at the end of the run:',
    '',
    '```',
    ...headlineLines(r),
    '```',
    '',
  );

  // --- machine ---------------------------------------------------------------------------------
  const load = r.machine.loadAverage;
  add(
    '## Machine',
    '',
    `- ${r.machine.cpus} CPUs (\`os.availableParallelism()\`), ${r.machine.cpuModel}, ` +
      `${r.machine.memoryGiB.toFixed(1)} GiB RAM, ${r.machine.platform}; 1-minute load average ` +
      `${load.start.toFixed(2)} at the start of the run, ${load.end.toFixed(2)} at the end` +
      (Math.max(load.start, load.end) > r.machine.cpus
        ? ` (above ${r.machine.cpus}: other work was competing for the CPUs, so the timings are inflated and noisier)`
        : ''),
    `- Node ${r.machine.node}; Kysely 0.28 over both engines`,
    ...r.engines.map((e) =>
      e.engine === 'pglite'
        ? `- PGlite ${r.machine.pglite}, in memory, in the bench's own process (\`${e.serverVersion}\`)`
        : `- PostgreSQL on the same machine (\`${e.serverVersion}\`), at ${r.postgresUrl}, through a ` +
          '`pg` pool of 10; fresh databases `ergo_bench_<pid>` (the syncs) and ' +
          '`ergo_bench_<pid>_members` (the member table) are created, migrated and dropped by the run',
    ),
    '',
    'Node, PostgreSQL, the HTTP server and autocannon all share the same CPUs, as they would on a ' +
      'small single-host deployment.',
    '',
  );

  // --- method ----------------------------------------------------------------------------------
  add(
    '## Method',
    '',
    '**Sizes.** ' +
      `10 items: ${r.sizeDescriptions.small}. Realistic: ${r.sizeDescriptions.realistic}. ` +
      `10,000 items (PostgreSQL only): ${r.sizeDescriptions.huge}. Every other category is set too.`,
    '',
    '**A sync** is `syncSettings(deps, { actorId: admin }, { targetUserId: member, categories: <all ten> })`, ' +
      'the use case the API calls: authorization (before the transaction and again inside it), the ' +
      "target's row lock, the engine's plan (`planSync`: both dashboards read in one pass, the SPEC §2 " +
      'rules, the item and row diff), the writes of what changes (`applySyncPlans`), the `sync_runs` ' +
      'history row with its undo snapshot, and the hash-chained audit entry.',
    '',
    '**Rounds that change the target.** The engine writes only what changes, so a sync repeated ' +
      'to the same target is a no-op and would be compared with a floor that rewrites everything. ' +
      'So each size has two admins holding two variants of the source, `a` and `b`, which differ ' +
      'in every item of every category except CRM keys (labels, names, domains, documents), and ' +
      'two members that start alike. Each round takes the other variant: the sync copies it to the ' +
      'first member (so every row and document of that member changes: the same rows the floor ' +
      'writes), then the same sync runs again (the **no-op re-sync**, timed on its own), and the ' +
      'floor copies the same variant to the second member. Which of sync and floor goes first ' +
      'alternates. Warm-up rounds are excluded; p50/p95 are nearest-rank; the ratio is sync p50 / ' +
      'floor p50, and the per-round ratio divides each round by itself.',
    '',
    '**The floor** (`tests/bench/floor-copy.ts`) is the same copy as raw set-based SQL in one ' +
      "transaction, eight statements whatever the sizes: DELETE the target's non-owner properties " +
      'the source lacks; INSERT … SELECT … ON CONFLICT DO UPDATE for custom properties (owner rows ' +
      'untouched), stages (marked synced), Salesforce record types and `dashboard_settings` (a ' +
      'category the source never set copies its default, as SPEC §2 says); UPDATE `dashboards`. ' +
      'It leaves out everything that is not copying: authorization, the row lock, reading into ' +
      'Node, validation, the diff, the history row, the audit entry, and CRM keys (sealed per ' +
      'user, so SQL cannot copy them). **Equality check**, at every size: after the first sync and ' +
      'the first floor copy from the same starting state, and again after all rounds, the two ' +
      'members hold the same values in every category but CRM keys; and once per engine for an ' +
      'admin who never set any category.',
    '',
    "**Statements** are counted with Kysely's `log` hook, which wraps the connection itself, so " +
      'every statement is seen, BEGIN and COMMIT included. The headline count is the first sync ' +
      'of a fresh pair (the member differs in every category, CRM keys included: the most a sync ' +
      'writes); the no-op re-sync and a timed round are counted too.',
    '',
    '**Rows written** (PostgreSQL): `n_tup_ins + n_tup_upd + n_tup_del` of `pg_stat_user_tables`, ' +
      'read before and after the first sync and after the no-op re-sync. A backend publishes its ' +
      'counters when it goes idle, at most once a second, so each read waits a little over a ' +
      'second, runs one short statement on each of the 10 pooled connections, calls ' +
      '`pg_stat_clear_snapshot()` and repeats until two reads agree. Only the dashboard tables ' +
      "count as rows written; the `sync_runs` history row and the audit entry are the run's own " +
      'record (SPEC §6: a no-op sync still says "No changes" in the history) and are shown apart.',
    '',
    '**Where the time goes**: a few more changing syncs through repositories that record when each ' +
      'call starts and ends, booked per phase as the union of their intervals; what is left of the ' +
      "wall time is JavaScript between repository calls. The engine's planning is also timed alone " +
      '(`planSync` over dashboards already in memory: zod parse of the documents, the rules, the ' +
      'diffs), and the JSON of the history row.',
    '',
    '**The member table** (PostgreSQL): an organization of 100,000 members generated set-based ' +
      '(users, dashboards, one team of all of them, an applied sync for one member in ten), a ' +
      'primary admin with a password hashed once with `hashPassword` and four categories set ' +
      '(company details, task settings, alternate domains, 20 custom properties). A server is ' +
      'started as `npm start` starts it (`node --import tsx src/main.ts`, `DATABASE_URL` of the ' +
      'bench database, `ERGO_DEMO=0`, `ERGO_CRM_EMULATORS=0`, `LOG_LEVEL=warn`); the bench logs in ' +
      'over HTTP and runs autocannon 9.0.0 (10 connections, 5 s each; 1 s of warm-up per route) on ' +
      '`GET /api/teams/{teamId}/members?limit=25&driftFrom=me` and `GET /api/health/ready` ' +
      'alternately (page, ready, ready, page); the ratio is the mean page req/s over the mean ' +
      'ready req/s. Both routes are asked with `accept-encoding: gzip, deflate, br`, as the ' +
      "console's browser asks. The page without drift and a signed-in route with a constant answer " +
      '(`/api/sync/categories`) are run once more each for comparison, and the page query is ' +
      'EXPLAINed (ANALYZE) as the repository sends it. After the first request a page is served ' +
      'from memory while nothing it shows changes (ADR 0015); the in-process figures are of a page ' +
      'computed afresh.',
    '',
    '**Throughput** (PostgreSQL): 1,000 members with empty dashboards; 2 concurrent callers each ' +
      'running syncs with the default categories (all but Email templates) to its half.',
    '',
  );

  // --- results per size ------------------------------------------------------------------------
  add(
    '## Results',
    '',
    '### Sync against the floor, per size',
    '',
    markdownTable([
      [
        'engine',
        'size',
        'statements: changing / round / no-op / floor',
        'sync p50 / p95',
        'no-op re-sync p50 / p95',
        'floor p50 / p95',
        '**sync / floor**',
        'per round: median (IQR)',
        'floor check',
      ],
      ...r.engines.flatMap((e) =>
        e.sizes.map((s) => [
          LABEL[e.engine],
          SIZE_LABEL[s.key],
          `${s.statements.changing} / ${s.statements.round} / ${s.statements.noop} / ${s.statements.floor}`,
          `${ms(s.latency.syncP50)} / ${ms(s.latency.syncP95)} ms`,
          `${ms(s.latency.noopP50)} / ${ms(s.latency.noopP95)} ms`,
          `${ms(s.latency.floorP50)} / ${ms(s.latency.floorP95)} ms`,
          `**${fixed(ratioOf(s))}×**`,
          `${fixed(s.latency.paired.p50)}× (${fixed(s.latency.paired.p25)}–${fixed(s.latency.paired.p75)}×)`,
          s.floorMatches.fresh && s.floorMatches.afterRounds ? 'OK' : '**NOT OK**',
        ]),
      ),
    ]),
    '',
    `Rounds: ${r.engines[0]?.sizes.map((s) => `${SIZE_LABEL[s.key]} ${s.latency.rounds} (+${s.latency.warmup} warm-up)`).join(', ') ?? ''}` +
      (pg
        ? `; 10,000 items ${size(pg, 'huge')?.latency.rounds ?? '?'} (+${size(pg, 'huge')?.latency.warmup ?? '?'})`
        : '') +
      '. Floor check for a source that never set a category: ' +
      r.engines
        .map((e) => `${LABEL[e.engine]} ${e.neverSetMatches ? 'OK' : '**NOT OK**'}`)
        .join(', ') +
      '.',
    '',
  );
  const pgSmall = size(pg, 'small');
  if (pgSmall) {
    add(
      `The ${pgSmall.statements.changing} statements of a changing sync (PostgreSQL, 10 items): ` +
        `${kindList(pgSmall.statements.changingKinds)}.`,
      '',
      `The ${pgSmall.statements.noop} of the no-op re-sync: ${kindList(pgSmall.statements.noopKinds)}.`,
      '',
    );
  }

  // --- rows written ----------------------------------------------------------------------------
  const withRows = (pg?.sizes ?? []).filter((s) => s.rowsWritten);
  if (withRows.length > 0) {
    add(
      '### Rows written (PostgreSQL, `pg_stat_user_tables`)',
      '',
      markdownTable([
        [
          'size',
          'first sync: dashboard rows',
          'first sync: sync_runs + audit_log',
          '**no-op re-sync: dashboard rows**',
          'no-op re-sync: sync_runs + audit_log',
        ],
        ...withRows.map((s) => [
          SIZE_LABEL[s.key],
          String(s.rowsWritten?.changing ?? '?'),
          String(s.rowsWritten?.changingRecord ?? '?'),
          `**${s.rowsWritten?.noop ?? '?'}**`,
          String(s.rowsWritten?.noopRecord ?? '?'),
        ]),
      ]),
      '',
    );
  }

  // --- time split ------------------------------------------------------------------------------
  const columns = r.engines.flatMap((e) => e.sizes.map((s) => ({ e, s })));
  const phaseRow = (label: string, phase: Phase) => [
    `↳ ${label}`,
    ...columns.map(
      ({ s }) => `${ms(phaseMillis(s, phase))} (${pct(phaseMillis(s, phase), s.phases.total)})`,
    ),
  ];
  add(
    '### Time split of one changing sync (median of the traced runs, ms)',
    '',
    markdownTable([
      ['', ...columns.map(({ e, s }) => `${LABEL[e.engine]}, ${SIZE_LABEL[s.key]}`)],
      ['total (traced)', ...columns.map(({ s }) => ms(s.phases.total))],
      [
        'waiting on the database',
        ...columns.map(
          ({ s }) => `${ms(s.phases.database)} (${pct(s.phases.database, s.phases.total)})`,
        ),
      ],
      phaseRow('authorize (user reads)', 'authorize'),
      phaseRow("lock the target's dashboard", 'lock'),
      phaseRow('read both dashboards + CRM keys', 'read'),
      phaseRow('write what changes', 'write'),
      phaseRow('history row (`sync_runs`)', 'history'),
      phaseRow('audit append', 'audit'),
      phaseRow('BEGIN / COMMIT', 'begin/commit'),
      phaseRow('other', 'other db'),
      [
        'in JavaScript (the rest)',
        ...columns.map(
          ({ s }) => `${ms(s.phases.javascript)} (${pct(s.phases.javascript, s.phases.total)})`,
        ),
      ],
      ['↳ `planSync` alone, dashboards in memory', ...columns.map(({ s }) => ms(s.phases.js.plan))],
      [
        '↳ history JSON (inside "history row")',
        ...columns.map(
          ({ s }) =>
            `${ms(s.phases.js.historyJson)}, ${(s.phases.js.historyBytes / 1024).toFixed(0)} KiB`,
        ),
      ],
    ]),
    '',
  );

  // --- statement kinds -------------------------------------------------------------------------
  for (const s of pg?.sizes ?? []) {
    add(
      `### Statements by kind, PostgreSQL, ${SIZE_LABEL[s.key]} (mean per round, from Kysely's log)`,
      '',
      markdownTable([
        ['statement', 'sync: n', 'sync: ms', 'no-op: n', 'no-op: ms', 'floor: n', 'floor: ms'],
        ...s.statementTimes.map((t) => [
          `\`${t.kind}\``,
          t.syncCount ? fixed(t.syncCount, 0) : '—',
          t.syncCount ? ms(t.syncMillis) : '—',
          t.noopCount ? fixed(t.noopCount, 0) : '—',
          t.noopCount ? ms(t.noopMillis) : '—',
          t.floorCount ? fixed(t.floorCount, 0) : '—',
          t.floorCount ? ms(t.floorMillis) : '—',
        ]),
      ]),
      '',
    );
  }

  // --- member list -----------------------------------------------------------------------------
  const list = pg?.memberList;
  if (list) {
    add(
      `### The member table at ${list.members.toLocaleString('en')} members (PostgreSQL, over HTTP)`,
      '',
      markdownTable([
        ['run', 'route', 'req/s', 'latency p50', 'latency p99', 'requests', 'non-2xx', 'errors'],
        ...[...list.runs, { ...list.pageWithoutDrift, route: 'page without drift' as const }].map(
          (run, i) => [
            String(i + 1),
            run.route === 'page'
              ? `page of ${list.pageSize}, driftFrom=me`
              : run.route === 'ready'
                ? '/api/health/ready'
                : 'page of 25, no drift',
            run.requestsPerSecond.toFixed(0),
            `${run.latencyP50} ms`,
            `${run.latencyP99} ms`,
            String(run.requests),
            String(run.non2xx),
            String(run.errors),
          ],
        ),
      ]),
      '',
      `**Page / ready: ${fixed(list.ratio, 3)}** (${list.pageRequestsPerSecond.toFixed(0)} / ` +
        `${list.readyRequestsPerSecond.toFixed(0)} req/s). Seeding took ${list.seedSeconds.toFixed(1)} s. ` +
        `A page checked before the load: ${list.sample.rows} rows (${(list.sample.bytes / 1024).toFixed(1)} KiB of JSON), ${list.sample.withDrift} with drift, ` +
        `next cursor ${list.sample.nextCursor ? 'present' : 'missing'}.`,
      '',
      `In process, on the bench's pool (median): the page query alone ${ms(list.inProcess.pageQuery)} ms; ` +
        `the use case without drift ${ms(list.inProcess.serviceWithoutDrift)} ms; with drift ` +
        `${ms(list.inProcess.serviceWithDrift)} ms (${list.inProcess.withDriftStatements} statements; ` +
        `traced: ${ms(list.inProcess.withDriftDatabase)} ms waiting on the database, ` +
        `${ms(list.inProcess.withDriftJavaScript)} ms in JavaScript).`,
      '',
      ...list.plans.flatMap((p) => [
        `EXPLAIN ANALYZE of the page query, ${p.label}: planning ${ms(p.planningMillis)} ms, ` +
          `execution ${ms(p.executionMillis)} ms, ${p.hasSort ? '**a Sort node in the page itself**' : "no Sort in the page itself (the only Sort is of each row's own teams, in its SubPlan)"}.`,
        '',
        '```',
        p.text,
        '```',
        '',
      ]),
    );
  }

  if (pg?.throughput) {
    const t = pg.throughput;
    add(
      '### Throughput (PostgreSQL)',
      '',
      markdownTable([
        [
          'members',
          'callers',
          'wall time',
          'syncs/s',
          'per sync p50',
          'per sync p95',
          'statements per sync',
          'audit lock wait (all syncs)',
        ],
        [
          t.members.toLocaleString('en'),
          String(t.callers),
          `${t.seconds.toFixed(1)} s`,
          `**${t.syncsPerSecond.toFixed(1)}**`,
          `${ms(t.p50)} ms`,
          `${ms(t.p95)} ms`,
          (t.statements / t.members).toFixed(1),
          `${ms(t.auditLockWaitMillis)} ms`,
        ],
      ]),
      '',
      'Each sync is a separate `syncSettings` call, as a loop over the single-member API would ' +
        'make them: the baseline for bulk sync, which plans all targets in one pass.',
      '',
    );
  }

  if (pg) add(...analysis(pg));
  if (r.bulk) add(BULK_START, '', ...bulkSection(r, r.bulk, false), BULK_END);
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

function analysis(e: EngineReport): string[] {
  const lines = ['## Where the time goes, and what was not reached', ''];
  for (const s of e.sizes) {
    const p = s.phases;
    const writes = sumKinds(s, isWrite, 'sync');
    const floorWrites = sumKinds(s, (k) => /^(insert|update|delete)/.test(k), 'floor');
    const history = kindTimes(s, 'insert into sync_runs');
    const reads = sumKinds(s, (k) => k.startsWith('select from'), 'sync');
    const target =
      s.key === 'small' ? TARGETS.small : s.key === 'realistic' ? TARGETS.realistic : TARGETS.huge;
    lines.push(
      `**${SIZE_LABEL[s.key]}: ${fixed(ratioOf(s))}× (target ≤ ${target}: ${ratioOf(s) <= target ? 'met' : 'not met'}).** ` +
        `A changing sync takes ${ms(s.latency.syncP50)} ms against the floor's ${ms(s.latency.floorP50)} ms. ` +
        `Traced (${ms(p.total)} ms): ${pct(p.database, p.total)} waiting on the database, ` +
        `${pct(p.javascript, p.total)} in JavaScript. Reading both dashboards into Node ` +
        `${ms(phaseMillis(s, 'read'))} ms (statement log ${ms(reads)} ms), which the floor does not ` +
        `do at all; the engine's planning alone ${ms(p.js.plan)} ms; writing what changes ` +
        `${ms(phaseMillis(s, 'write'))} ms (statement log ${ms(writes)} ms, the floor's writes ` +
        `${ms(floorWrites)} ms); the history row ${ms(history.syncMillis)} ms with a ` +
        `${(p.js.historyBytes / 1024).toFixed(0)} KiB snapshot (every row changed, so the undo ` +
        `snapshot holds every previous row); authorization ${ms(phaseMillis(s, 'authorize'))} ms, ` +
        `lock ${ms(phaseMillis(s, 'lock'))} ms, audit ${ms(phaseMillis(s, 'audit'))} ms, ` +
        `BEGIN/COMMIT ${ms(phaseMillis(s, 'begin/commit'))} ms. The no-op re-sync ` +
        `(${ms(s.latency.noopP50)} ms) is the reads and the planning without the writes.`,
      '',
    );
  }
  const list = e.memberList;
  if (list) {
    lines.push(
      `**Member table: ${fixed(list.ratio, 3)} (target ≥ ${TARGETS.memberListRatio}: ${list.ratio >= TARGETS.memberListRatio ? 'met' : 'not met'}).** ` +
        `A page is kept in the server's memory under the organization's member list version ` +
        `(ADR 0015), which the session lookup reads with the user, so a page that nothing has ` +
        `changed since costs what any signed-in request costs: one statement (the session lookup, a ` +
        `prepared statement on PostgreSQL), its JSON and gzip made once. A signed-in route that ` +
        `answers a constant list (\`/api/sync/categories\`) served ` +
        `${list.signedInStatic.requestsPerSecond.toFixed(0)} req/s in the same run, the page ` +
        `${list.pageRequestsPerSecond.toFixed(0)}, the readiness route (\`select 1\`, no session) ` +
        `${list.readyRequestsPerSecond.toFixed(0)}. A page computed afresh (the first view after a change) ` +
        `runs ${list.inProcess.withDriftStatements} statements: ${ms(list.inProcess.serviceWithDrift)} ms in ` +
        `process with drift, ${ms(list.inProcess.serviceWithoutDrift)} ms without; the page query itself walks ` +
        `the index in order and reads about 26 rows at ${list.members.toLocaleString('en')} members ` +
        `(EXPLAIN: ${list.plans.map((p) => `${ms(p.planningMillis)} ms planning + ${ms(p.executionMillis)} ms execution`).join('; ')}).`,
      '',
    );
  }
  const huge = e.sizes.find((s) => s.key === 'huge');
  const realistic = e.sizes.find((s) => s.key === 'realistic');
  if (huge && realistic) {
    lines.push(
      '**What dominates, and what would bring the ratios down.** In every size the writes cost ' +
        "what the floor's writes cost (they write the same rows: every row changes in these " +
        'rounds); the gap is what the floor never does. (1) Reading both dashboards into Node and ' +
        `planning there: ${ms(phaseMillis(realistic, 'read'))} + ${ms(realistic.phases.js.plan)} ms ` +
        `at the realistic size, ${ms(phaseMillis(huge, 'read'))} + ${ms(huge.phases.js.plan)} ms at ` +
        '10,000 items; the no-op re-sync is almost only this. Comparing in SQL (or planning from ' +
        'row hashes instead of whole rows) would cut it, at the price of a second implementation of ' +
        'the diff (ADR 0011 keeps the rules and the diff once, in TypeScript). (2) The history row: when everything changes the undo ' +
        `snapshot holds every previous row (${(huge.phases.js.historyBytes / 1024).toFixed(0)} KiB, ` +
        `${ms(kindTimes(huge, 'insert into sync_runs').syncMillis)} ms at 10,000 items); building it ` +
        'on the server from the rows being replaced would spare sending it back. (3) Fixed costs of ' +
        `a sync, ${ms(phaseMillis(realistic, 'authorize') + phaseMillis(realistic, 'audit') + phaseMillis(realistic, 'lock') + phaseMillis(realistic, 'begin/commit'))} ms ` +
        'whatever the size: four user reads (authorization before and inside the transaction), the ' +
        "audit append's three statements, the row lock; they dominate at 10 items.",
      '',
    );
  }
  return lines;
}

// --- bulk sync (issue 11) ------------------------------------------------------------------------

const BULK_START = '<!-- bulk:start (tests/bench/report.ts: replaced by BENCH_ONLY=bulk) -->';
const BULK_END = '<!-- bulk:end -->';

/** Issue 11's targets. */
const BULK_TARGETS = { ratio: 3, rssMb: 300 };

const cores = (m: BulkRunMeasure) => {
  const c = m.cpu;
  return (
    (c.workers.reduce((a, b) => a + b, 0) + c.postgres + c.postgresBackground + c.web) /
    (m.totalMillis / 1000)
  );
};

function bulkHeadlines(b: BulkReport): Headline[] {
  const run = b.run;
  const ones = b.throughput.runs.filter((x) => x.workers === 1);
  const twos = b.throughput.runs.filter((x) => x.workers === 2);
  const rates = (runs: BulkRunMeasure[]) =>
    runs
      .map(
        (x) =>
          `${x.membersPerSecond.toFixed(1)}${x.failed > 0 ? ` with ${x.failed} failed` : ''}${x.timedOut ? ', timed out' : ''}`,
      )
      .join('; ');
  const equal = b.equality.equal === b.equality.samples;
  return [
    {
      line: `bulk/floor ratio (postgres, ${b.members} members): ${fixed(b.ratio)}`,
      detail:
        `run ${(run.totalMillis / 1000).toFixed(1)} s from POST to finished_at ` +
        `(${run.membersPerSecond.toFixed(1)} members/s, 1 worker process, ${run.batches.count} batches ` +
        `of ${b.batchSize}, p50 ${ms(run.batches.p50)} ms; ${run.applied} applied, ${run.failed} failed` +
        `${run.failed > 0 ? ` ${JSON.stringify(run.failedCodes)}` : ''}), ` +
        `floor ${(b.floor.millis / 1000).toFixed(1)} s (${b.floor.statements} statements in one ` +
        `transaction, ${b.floor.membersPerSecond.toFixed(0)} members/s, ${b.order}); equality ` +
        `${b.equality.equal}/${b.equality.samples} sampled pairs ${equal ? 'OK' : 'NOT OK'}`,
      figure: `${fixed(b.ratio)}×`,
      target: `≤ ${BULK_TARGETS.ratio}`,
      met: Number.isFinite(b.ratio) ? b.ratio <= BULK_TARGETS.ratio && equal : undefined,
    },
    {
      line: `bulk workers 2/1 throughput (postgres): ${fixed(b.throughput.ratio)}`,
      detail:
        `${b.throughputMembers} members per run, runs in the order 1, 2, 2, 1 worker processes: ` +
        `1 worker ${b.throughput.oneWorker.toFixed(1)} members/s (${rates(ones)}), 2 workers ` +
        `${b.throughput.twoWorkers.toFixed(1)} members/s (${rates(twos)}); ${b.concurrency} batches ` +
        `at once per worker; cores busy (of 2) with 1 worker ${ones.map((x) => cores(x).toFixed(2)).join(', ')}, ` +
        `with 2 ${twos.map((x) => cores(x).toFixed(2)).join(', ')}`,
      figure: `${fixed(b.throughput.ratio)}×`,
      target: 'report (explained in docs/scaling.md)',
      met: undefined,
    },
    {
      line: `bulk worker peak RSS (postgres, ${b.members} members): ${b.workerPeakRssMb.toFixed(0)} MB`,
      detail:
        `the worker process's VmHWM at the end of the run ${run.workerPeakRssMb.map((x) => x.toFixed(0)).join(', ')} MB ` +
        `(VmRSS ${run.workerRssBeforeMb.map((x) => x.toFixed(0)).join(', ')} MB just before the POST, started and idle), ` +
        `highest VmRSS polled every 100 ms during it ${run.workerPolledRssMb.map((x) => x.toFixed(0)).join(', ')} MB; ` +
        `the web process ${run.webPeakRssMb.toFixed(0)} MB`,
      figure: `${b.workerPeakRssMb.toFixed(0)} MB`,
      target: `≤ ${BULK_TARGETS.rssMb} MB`,
      met: Number.isFinite(b.workerPeakRssMb) ? b.workerPeakRssMb <= BULK_TARGETS.rssMb : undefined,
    },
    {
      line: `bulk progress first event (postgres): ${b.firstProgressMillis.toFixed(0)} ms`,
      detail:
        `POST → 202 ${ms(run.acceptMillis)} ms, → first batch taken ${ms(run.startMillis)} ms, → first ` +
        `progress event with done > 0 ${ms(b.firstProgressMillis)} ms (done ${run.firstProgress?.done ?? '?'}, ` +
        `event ${run.firstProgress?.events ?? '?'} of the stream; the stream reads the run every 250 ms; ` +
        `one batch p50 ${ms(run.batches.p50)} ms)`,
      figure: `${b.firstProgressMillis.toFixed(0)} ms`,
      target: 'report',
      met: undefined,
    },
  ];
}

/** The bulk lines `npm run bench` ends with (the exact prefixes of issue 11), with details. */
export function bulkHeadlineLines(r: BenchReport): string[] {
  if (!r.bulk) return [];
  return bulkHeadlines(r.bulk).flatMap((h) => [h.line, ...(h.detail ? [`  ${h.detail}`] : [])]);
}

function runRow(m: BulkRunMeasure): string[] {
  const c = m.cpu;
  return [
    m.label,
    String(m.workers),
    m.members.toLocaleString('en'),
    `${(m.totalMillis / 1000).toFixed(1)} s`,
    `**${m.membersPerSecond.toFixed(1)}**`,
    `${ms(m.acceptMillis)} ms`,
    `${ms(m.startMillis)} ms`,
    `${m.batches.count} (${m.batches.perWorker.join(' + ')})`,
    `${ms(m.batches.p50)} / ${ms(m.batches.p95)} ms`,
    c.workers.map((x) => x.toFixed(1)).join(' + '),
    `${c.postgres.toFixed(1)} (+${c.postgresBackground.toFixed(1)})`,
    c.web.toFixed(1),
    cores(m).toFixed(2),
    m.workerPeakRssMb.map((x) => x.toFixed(0)).join(', '),
  ];
}

function bulkSection(r: BenchReport, b: BulkReport, standalone: boolean): string[] {
  const run = b.run;
  const hs = bulkHeadlines(b);
  const allRuns = [run, ...b.throughput.runs];
  const events = [
    ...new Set(allRuns.flatMap((m) => m.waits.byEvent.slice(0, 6).map((w) => w.event))),
  ];
  const share = (m: BulkRunMeasure, event: string) => {
    const w = m.waits.byEvent.find((x) => x.event === event);
    return w ? `${(100 * w.share).toFixed(0)}%` : '—';
  };
  const ones = b.throughput.runs.filter((x) => x.workers === 1);
  const twos = b.throughput.runs.filter((x) => x.workers === 2);
  const meanOf = (runs: BulkRunMeasure[], f: (m: BulkRunMeasure) => number) =>
    runs.reduce((sum, m) => sum + f(m), 0) / Math.max(1, runs.length);
  const workerCpu = (m: BulkRunMeasure) => m.cpu.workers.reduce((a, c) => a + c, 0);
  const perMember = (m: BulkRunMeasure, f: (m: BulkRunMeasure) => number) =>
    (1000 * f(m)) / m.members;
  return [
    '## Bulk sync (issue 11)',
    '',
    standalone
      ? `This section alone was regenerated by \`BENCH_ONLY=bulk npm run bench\` on ${r.startedAt.toISOString()} ` +
        `(${b.seconds.toFixed(0)} s; 1-minute load average ${r.machine.loadAverage.start.toFixed(2)} at the start, ` +
        `${r.machine.loadAverage.end.toFixed(2)} at the end); the sections above come from the last full run.`
      : `From the same run (${b.seconds.toFixed(0)} s of it). \`BENCH_ONLY=bulk npm run bench\` runs ` +
        'this part alone and replaces only this section.',
    '',
    markdownTable([
      ['line printed by the bench', 'figure', 'target', 'met'],
      ...hs.map((h) => [
        `\`${h.line.replace(/: [^:]*$/, '')}\``,
        h.figure,
        h.target,
        h.met === undefined ? '—' : h.met ? '**yes**' : '**no**',
      ]),
    ]),
    '',
    '```',
    ...bulkHeadlineLines(r),
    '```',
    '',
    '### Method',
    '',
    `**Data** (a database \`ergo_bench_<pid>_bulk\` of its own, seeded set-based in ${b.seedSeconds.toFixed(1)} s). ` +
      `The admin who runs every bulk sync is the primary admin, with a password (the bench logs in over ` +
      `HTTP), HubSpot and Salesforce keys and the realistic size: ${describeSizes(b.sourceSizes)}. ` +
      `Members are inserted with one statement per table (users, dashboards, a team per set, team ` +
      'rows), then each gets a copy of one member dashboard built through the settings store ' +
      `(\`targetSettings\` of bench-data.ts at ${b.memberSizes.customProperties} items: an owner property of its own, ` +
      'half the properties and stages under other labels, properties the sync removes, stages of its ' +
      'own it keeps, every document set) in which the company name, the task due offset, the alternate ' +
      "domain, every property label and stage name carry the member's number, so every member " +
      'changes and no two are alike; member n of every set holds the same. Sets: ' +
      `${b.members.toLocaleString('en')} members for the run, ${b.members.toLocaleString('en')} for the floor, ` +
      `and four of ${b.throughputMembers.toLocaleString('en')} for the worker comparison.`,
    '',
    '**Processes.** One web-only process (`ERGO_ROLE=web`, started as `npm start` starts it: ' +
      '`node --import tsx src/main.ts`) takes the POST and enqueues the batches on pg-boss; worker ' +
      'processes are started as `npm run worker` starts them (`node --import tsx src/worker.ts`), ' +
      `with the defaults: batches of ${b.batchSize} members, ${b.concurrency} batches at once per ` +
      'worker (`ERGO_BULK_BATCH_SIZE`, `ERGO_WORKER_CONCURRENCY` unset). All of them, PostgreSQL and ' +
      'the bench share the 2 CPUs.',
    '',
    `**The run** is \`POST /api/bulk-syncs\` \`{ action: "sync_settings", teamId }\` (the default ` +
      `categories: ${b.categories.join(', ')}), timed from just before the POST to the run's ` +
      '`finished_at` (set by the batch that settles the last member, in its transaction). The ' +
      `${b.members.toLocaleString('en')}-member run uses one worker process. A \`CHECKPOINT\` ` +
      "precedes every timed part, so none inherits the previous one's dirty pages.",
    '',
    `**The floor** (\`floorCopyMany\` in \`tests/bench/bulk-bench.ts\`) is floor-copy.ts's copy with ` +
      'each statement set-based over all the targets at once (`unnest` of their ids crossed with the ' +
      `source's rows): ${b.floor.statements} statements in one transaction for the whole set (BEGIN, ` +
      'DELETE of the properties the source lacks, INSERT … ON CONFLICT DO UPDATE of properties, ' +
      'stages, record types and `dashboard_settings`, UPDATE `dashboards`, COMMIT), on the second ' +
      `set, ${b.order === 'floor first' ? 'before' : 'after'} the run (one round; at this size a round is ` +
      'long enough that the order matters less than at one member). **Equality check**: ' +
      `${b.equality.samples} pairs (member n of each set, spread over the set) compared in every ` +
      "category but CRM keys with run-bench.ts's `sameValues`.",
    '',
    '**Workers 2/1.** Four runs of the same size, each on its own identical set, in the order 1, 2, 2, ' +
      'and 1 worker processes (the second worker is started before the first 2-worker run and stopped ' +
      'after the second); members/s of each worker count is the members over the summed wall time of ' +
      'its two runs. **Peak RSS** is `VmHWM` of the worker process from `/proc/<pid>/status` at the end ' +
      'of the 10,000-member run (the process started just before; its peak since start), with the ' +
      'highest `VmRSS` polled every 100 ms during the run as a check. **First progress event**: the ' +
      'bench opens `GET /api/bulk-syncs/{id}/events` with its session cookie right after the 202 and ' +
      'takes the time from the POST to the first `progress` event whose `done` is above 0. **CPU** per ' +
      'process is utime + stime from `/proc/<pid>/stat` over the run (PostgreSQL: the backends of the ' +
      "bench database, plus the server's WAL writer, checkpointer and background writer in parentheses); " +
      '**what the database backends wait on** is `pg_stat_activity` sampled every 100 ms (active ' +
      'backends of the bench database, "on CPU" when they wait on nothing).',
    '',
    '### Results',
    '',
    markdownTable([
      [
        'run',
        'workers',
        'members',
        'wall (POST → finished_at)',
        'members/s',
        'POST → 202',
        'POST → first batch',
        'batches (per worker)',
        'batch p50 / p95',
        'CPU s: workers',
        'CPU s: PostgreSQL',
        'CPU s: web',
        'cores busy',
        'worker VmHWM MB',
      ],
      ...allRuns.map(runRow),
    ]),
    '',
    `Floor: ${(b.floor.millis / 1000).toFixed(1)} s for ${b.members.toLocaleString('en')} members ` +
      `(${b.floor.membersPerSecond.toFixed(0)} members/s).`,
    '',
    "What the bench database's active backends were doing (share of samples):",
    '',
    markdownTable([
      ['wait event', ...allRuns.map((m) => `${m.label} (${m.workers}w)`)],
      ...events.map((event) => [`\`${event}\``, ...allRuns.map((m) => share(m, event))]),
      ['samples', ...allRuns.map((m) => String(m.waits.samples))],
    ]),
    '',
    '### Where the time goes',
    '',
    `**Per member** (the ${b.members.toLocaleString('en')}-member run, one worker): ` +
      `${ms(run.totalMillis / run.members)} ms of wall time, ${ms(perMember(run, workerCpu))} ms of worker CPU ` +
      `and ${ms(perMember(run, (m) => m.cpu.postgres))} ms of PostgreSQL CPU; the floor: ` +
      `${ms(b.floor.millis / b.members)} ms. The run keeps ${cores(run).toFixed(2)} of the 2 cores busy. ` +
      `With 2 workers: ${meanOf(twos, cores).toFixed(2)} cores busy on average against ` +
      `${meanOf(ones, cores).toFixed(2)} with 1, per member ${ms(meanOf(twos, (m) => perMember(m, workerCpu)))} ms ` +
      `of worker CPU and ${ms(meanOf(twos, (m) => perMember(m, (x) => x.cpu.postgres)))} ms of PostgreSQL CPU ` +
      `(1 worker: ${ms(meanOf(ones, (m) => perMember(m, workerCpu)))} and ` +
      `${ms(meanOf(ones, (m) => perMember(m, (x) => x.cpu.postgres)))} ms). See docs/scaling.md for what ` +
      'bounds the throughput and how it grows with workers.',
    '',
  ];
}

/** BENCH_ONLY=bulk: replaces the bulk section of the existing file (appends it if missing). */
export async function writeBulkSection(file: string, report: BenchReport): Promise<void> {
  if (!report.bulk) return;
  const section = [BULK_START, '', ...bulkSection(report, report.bulk, true), BULK_END].join('\n');
  let text = await readFile(file, 'utf8').catch(() => '');
  const start = text.indexOf(BULK_START);
  const end = text.indexOf(BULK_END);
  text =
    start !== -1 && end > start
      ? `${text.slice(0, start)}${section}${text.slice(end + BULK_END.length)}`
      : `${text.trimEnd()}\n\n${section}\n`;
  const options = (await prettier.resolveConfig(file)) ?? {};
  await writeFile(file, await prettier.format(text, { ...options, parser: 'markdown' }));
}

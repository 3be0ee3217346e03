/**
 * `npm run chaos` (issue 9): faults against real app processes, started as `npm start` runs
 * them, on 127.0.0.1 only. Prints one row per scenario and exits 1 when any row has failures.
 * Bounded: every scenario has a hard timeout (a timed-out scenario counts as failed), and the
 * whole run stops at RUN_BUDGET_MS. docs/chaos.md describes each scenario.
 *
 *   npm run chaos                   # everything
 *   CHAOS_ONLY=1p,4 npm run chaos   # some rows (ids below)
 */
import { killAllApps, removeTempDirsSync } from '#tests/chaos/app-process.ts';
import { destroyAllClustersSync, startPgCluster, type PgCluster } from '#tests/chaos/pg-cluster.ts';
import {
  fail,
  newRow,
  renderProblems,
  renderTable,
  type ScenarioRow,
} from '#tests/chaos/report.ts';
import { concurrentSyncs } from '#tests/chaos/scenarios/concurrent-syncs.ts';
import { hostileBodies } from '#tests/chaos/scenarios/hostile-bodies.ts';
import { killMidBulk } from '#tests/chaos/scenarios/kill-mid-bulk.ts';
import { killMidSync } from '#tests/chaos/scenarios/kill-mid-sync.ts';
import { pgRestart } from '#tests/chaos/scenarios/pg-restart.ts';
import { terminateBackends } from '#tests/chaos/scenarios/terminate-backends.ts';
import { twoProcesses } from '#tests/chaos/scenarios/two-processes.ts';
import { Scope } from '#tests/chaos/scope.ts';

/** The whole run, start to table. */
const RUN_BUDGET_MS = 175_000;
/** First port tried for the throwaway clusters (never the machine's own 5432). */
const PG_PORT_FROM = 5444;

interface Scenario {
  id: string;
  name: string;
  /** Which lane: lanes run side by side, scenarios in a lane one after another. */
  lane: 'pglite' | 'pg' | 'pg-restart';
  timeoutMs: number;
  run: (scope: Scope, row: ScenarioRow) => Promise<void>;
}

const started = performance.now();
const log = (message: string): void => {
  console.log(`[chaos ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}`);
};

async function main(): Promise<number> {
  const scenarios: Scenario[] = [
    {
      id: '1p',
      name: '1 kill -9 mid-sync (PGlite)',
      lane: 'pglite',
      timeoutMs: 150_000,
      run: (scope, row) => killMidSync(scope, row, 'pglite'),
    },
    {
      id: '5p',
      name: '5 50 concurrent syncs + reverts (PGlite)',
      lane: 'pglite',
      timeoutMs: 60_000,
      run: (scope, row) => concurrentSyncs(scope, row, 'pglite'),
    },
    {
      id: '7p',
      name: '7 kill -9 mid bulk run (PGlite)',
      lane: 'pglite',
      timeoutMs: 60_000,
      run: (scope, row) => killMidBulk(scope, row, 'pglite', 3),
    },
    {
      id: '1g',
      name: '1 kill -9 mid-sync (PostgreSQL)',
      lane: 'pg',
      timeoutMs: 90_000,
      run: (scope, row) => killMidSync(scope, row, 'postgres'),
    },
    {
      id: '2',
      name: '2 pg_terminate_backend during syncs',
      lane: 'pg',
      timeoutMs: 30_000,
      run: terminateBackends,
    },
    {
      id: '3',
      name: '3 PostgreSQL restart under load',
      lane: 'pg-restart',
      timeoutMs: 90_000,
      run: pgRestart,
    },
    {
      id: '4',
      name: '4 two processes, one PostgreSQL',
      lane: 'pg',
      timeoutMs: 40_000,
      run: twoProcesses,
    },
    {
      id: '5g',
      name: '5 50 concurrent syncs + reverts (PostgreSQL)',
      lane: 'pg',
      timeoutMs: 40_000,
      run: (scope, row) => concurrentSyncs(scope, row, 'postgres'),
    },
    {
      id: '7g',
      name: '7 kill -9 mid bulk run (PostgreSQL)',
      lane: 'pg-restart',
      // About 10 s on a quiet machine; the rest is room for a loaded one (CI beside other work).
      timeoutMs: 90_000,
      run: (scope, row) => killMidBulk(scope, row, 'postgres', 1),
    },
    {
      id: '6',
      name: '6 hostile bodies (PostgreSQL)',
      lane: 'pg',
      timeoutMs: 30_000,
      run: hostileBodies,
    },
  ];
  const only = process.env.CHAOS_ONLY?.split(',').map((s) => s.trim());
  const selected = only ? scenarios.filter((s) => only.includes(s.id)) : scenarios;
  const rows = new Map(
    [...selected].sort((x, y) => x.name.localeCompare(y.name)).map((s) => [s.id, newRow(s.name)]),
  );
  const runDeadline = started + RUN_BUDGET_MS;

  const clusters: PgCluster[] = [];
  const clusterFor = async (lane: Scenario['lane']): Promise<PgCluster | undefined> => {
    if (lane === 'pglite') return undefined;
    const cluster = await startPgCluster({
      portFrom: PG_PORT_FROM + (lane === 'pg' ? 0 : 10),
      label: lane,
    });
    clusters.push(cluster);
    log(`PostgreSQL cluster for lane ${lane} on 127.0.0.1:${cluster.port}`);
    return cluster;
  };

  const runLane = async (lane: Scenario['lane']): Promise<void> => {
    const mine = selected.filter((s) => s.lane === lane);
    if (mine.length === 0) return;
    let cluster: PgCluster | undefined;
    try {
      cluster = await clusterFor(lane);
    } catch (error) {
      for (const s of mine) {
        const row = rows.get(s.id);
        if (row)
          fail(
            row,
            `no PostgreSQL cluster: ${error instanceof Error ? error.message : String(error)}`,
          );
      }
      return;
    }
    for (const s of mine) {
      const row = rows.get(s.id);
      if (!row) continue;
      const budget = Math.min(s.timeoutMs, runDeadline - performance.now());
      if (budget < 5_000) {
        fail(row, 'not run: the chaos run is out of time');
        continue;
      }
      log(`start ${s.name} (timeout ${Math.round(budget / 1000)} s)`);
      const scope = new Scope(s.name, performance.now() + budget, cluster);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => {
          resolve('timeout');
        }, budget);
      });
      const t0 = performance.now();
      try {
        const outcome = await Promise.race([
          s.run(scope, row).then(() => 'done' as const),
          timeout,
        ]);
        if (outcome === 'timeout') fail(row, `timed out after ${Math.round(budget / 1000)} s`);
      } catch (error) {
        fail(row, `aborted: ${error instanceof Error ? error.message : String(error)}`);
        if (process.env.CHAOS_DEBUG) console.error(error);
      } finally {
        clearTimeout(timer);
        await scope.close();
      }
      if (row.runs === 0) row.runs = 1;
      log(
        `end ${s.name}: ${row.failures} failures in ${Math.round((performance.now() - t0) / 1000)} s`,
      );
    }
  };

  try {
    await Promise.all([runLane('pglite'), runLane('pg'), runLane('pg-restart')]);
  } finally {
    killAllApps();
    await Promise.all(clusters.map((c) => c.destroy()));
  }

  const list = [...rows.values()];
  console.log(`\nChaos results (${Math.round((performance.now() - started) / 1000)} s):\n`);
  console.log(renderTable(list));
  const problems = renderProblems(list);
  if (problems) console.log(`\nFailures:\n${problems}`);
  const failed = list.filter((r) => r.failures > 0).length;
  console.log(`\n${failed === 0 ? 'all rows passed' : `${failed} of ${list.length} rows failed`}`);
  return failed === 0 ? 0 : 1;
}

// The hard stop: whatever hangs, the run ends, its processes and clusters with it.
const watchdog = setTimeout(() => {
  console.error(`chaos: hard stop after ${RUN_BUDGET_MS + 20_000} ms`);
  cleanUpSync();
  process.exit(2);
}, RUN_BUDGET_MS + 20_000);
watchdog.unref();
// Whatever way the run ends, nothing it started survives it (all synchronous, so it works in
// 'exit' too): app processes, clusters, PGlite data dirs.
function cleanUpSync(): void {
  killAllApps();
  destroyAllClustersSync();
  removeTempDirsSync();
}
process.on('exit', cleanUpSync);
process.on('uncaughtException', (error) => {
  console.error(error);
  cleanUpSync();
  process.exit(1);
});

// A stray rejection in one scenario must not end the run: it is reported, the scenario's own
// timeout still bounds it.
process.on('unhandledRejection', (reason) => {
  log(`unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUpSync();
    process.exit(130);
  });
}

main()
  .then((code) => {
    process.exit(code);
  })
  .catch((error: unknown) => {
    console.error(error);
    cleanUpSync();
    process.exit(1);
  });

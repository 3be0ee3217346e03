import {
  ApiClient,
  outcomeOf,
  problemCode,
  TransportError,
  type ApiResponse,
} from '#tests/chaos/api-client.ts';
import { appEnv } from '#tests/chaos/app-process.ts';
import { ms, percentile, tally, type ScenarioRow } from '#tests/chaos/report.ts';
import type { Scope } from '#tests/chaos/scope.ts';
import { sleep, SYNC_BODY, syncPath, syncTargets } from '#tests/chaos/scenarios/ergo.ts';

/**
 * Scenario 3: the (throwaway) PostgreSQL server stops and starts again under load, the app
 * left running. Required: while it is down every request answers `503 database_unavailable`
 * (never a 500, never a crash), and once it is back a request answers 200 within
 * RECOVERY_BOUND_MS, without restarting the app.
 */
const RUNS = 2;
const LOAD_WORKERS = 3;
const UP_MS = 1_000;
const DOWN_MS = 3_000;
const RECOVERY_BOUND_MS = 20_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** Upper bound on requests per worker, whatever happens. */
const MAX_REQUESTS_PER_WORKER = 2_000;

type Phase = 'up' | 'stopping' | 'down' | 'starting' | 'recovered';
const ALLOWED: Record<Phase, (r: ApiResponse | TransportError) => boolean> = {
  up: (r) => is200(r) || is503(r),
  stopping: (r) => is200(r) || is503(r),
  down: is503,
  starting: (r) => is200(r) || is503(r),
  recovered: is200,
};

export async function pgRestart(scope: Scope, row: ScenarioRow): Promise<void> {
  const cluster = scope.requireCluster();
  const database = await cluster.createDatabase('chaos_restart');
  const app = await scope.startApp(appEnv({ DATABASE_URL: cluster.urlFor(database) }), 'app');
  const client = new ApiClient(app.url);
  await client.mustLogin();
  const targets = await syncTargets(client);
  let phase: Phase = 'up';
  let stop = false;
  let problems: string[] = [];
  const byPhase = new Map<Phase, string[]>();
  const recoveries: number[] = [];
  const downLatency: number[] = [];

  const worker = async (n: number): Promise<void> => {
    for (let i = 0; i < MAX_REQUESTS_PER_WORKER && !stop && !scope.expired(); i += 1) {
      const at = phase;
      const target = targets[(n + i) % targets.length]?.id ?? '';
      const response = await (i % 2 === 0
        ? client.tryRequest('GET', `/api/syncs?memberId=${target}&limit=5`, {
            timeoutMs: REQUEST_TIMEOUT_MS,
          })
        : client.tryRequest('POST', syncPath(target), {
            body: { ...SYNC_BODY, dryRun: true },
            timeoutMs: REQUEST_TIMEOUT_MS,
          }));
      const outcome = outcomeOf(response);
      const list = byPhase.get(at) ?? [];
      list.push(outcome);
      byPhase.set(at, list);
      if (at === 'down' && !(response instanceof TransportError)) downLatency.push(response.ms);
      if (!ALLOWED[at](response)) problems.push(`request started while ${at} answered ${outcome}`);
      if (response instanceof TransportError || response.status >= 500) await sleep(50);
    }
  };

  const load = Array.from({ length: LOAD_WORKERS }, (_, n) => worker(n));
  try {
    for (let run = 0; run < RUNS; run += 1) {
      scope.check();
      row.runs += 1;
      problems = [];
      phase = 'up';
      await sleep(UP_MS);
      phase = 'stopping';
      await cluster.stop();
      phase = 'down';
      await sleep(DOWN_MS);
      if (!app.alive()) {
        problems.push(`run ${run}: the app died while PostgreSQL was down`);
        stop = true;
      }
      phase = 'starting';
      await cluster.start();
      const t0 = performance.now();
      let recovered = false;
      while (performance.now() - t0 < RECOVERY_BOUND_MS && !scope.expired()) {
        const probe = await client.tryRequest('GET', '/api/teams', {
          timeoutMs: REQUEST_TIMEOUT_MS,
        });
        if (is200(probe)) {
          recovered = true;
          break;
        }
        await sleep(200);
      }
      if (recovered) {
        recoveries.push(performance.now() - t0);
        phase = 'recovered';
        await sleep(UP_MS);
      } else {
        problems.push(`run ${run}: no 200 within ${RECOVERY_BOUND_MS} ms of PostgreSQL being back`);
      }
      const died = !app.alive();
      if (died) problems.push(`run ${run}: the app process died`);
      if (problems.length > 0) {
        row.failures += 1;
        row.problems.push(...problems);
      }
      if (died) break;
    }
  } finally {
    stop = true;
    await Promise.race([Promise.all(load), sleep(REQUEST_TIMEOUT_MS + 1_000)]);
    for (const p of ['down', 'recovered'] as const) {
      row.figures.push(`${p}: ${tally(byPhase.get(p) ?? []) || 'none'}`);
    }
    row.figures.push(
      `p50 answer while down ${ms(percentile(downLatency, 50))}`,
      `p50 recovery ${ms(percentile(recoveries, 50))}`,
    );
  }
}

function is200(r: ApiResponse | TransportError): boolean {
  return !(r instanceof TransportError) && r.status === 200;
}

function is503(r: ApiResponse | TransportError): boolean {
  return (
    !(r instanceof TransportError) && r.status === 503 && problemCode(r) === 'database_unavailable'
  );
}

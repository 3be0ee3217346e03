import {
  ApiClient,
  outcomeOf,
  problemCode,
  TransportError,
  type ApiResponse,
} from '#tests/chaos/api-client.ts';
import { appEnv, makeTempDir, removeTempDir, type AppProcess } from '#tests/chaos/app-process.ts';
import { ms, percentile, tally, type ScenarioRow } from '#tests/chaos/report.ts';
import type { Scope } from '#tests/chaos/scope.ts';
import {
  appliedSyncs,
  changeOwnSettings,
  history,
  pendingChanges,
  randomKey,
  sleep,
  SYNC_BODY,
  syncPath,
  syncTargets,
  totalOf,
} from '#tests/chaos/scenarios/ergo.ts';

/**
 * Scenario 1: SIGKILL the app in the middle of a Sync Settings request, restart it on the same
 * data, and require that (a) the target is entirely old or entirely new (every category, and the
 * history entry with it), and (b) the same Idempotency-Key resolves: 200 (a replay, or the sync
 * run exactly once), never `409 idempotency_in_progress` for longer than the claim's lease.
 */

/** Kills per engine. */
const RUNS = 5;
/**
 * The kill lands a uniformly random moment after the request is sent: within 0–40 ms, or within
 * the time a whole sync takes here (measured once per engine) when that is longer, so kills
 * land before, inside and after the commit.
 */
const MAX_KILL_DELAY_MS = 40;
/**
 * The chaos apps run with a short Idempotency-Key lease (README: ERGO_IDEMPOTENCY_LEASE_SECONDS):
 * a claim left behind by a killed PostgreSQL process may answer `409 idempotency_in_progress`
 * for at most this long (plus a margin); on PGlite start-up ends such leases at once.
 */
const CHAOS_LEASE_SECONDS = 5;
/** Slack on top of the lease: clocks, a restart, one poll interval. */
const LEASE_MARGIN_MS = 3_000;
const POLL_MS = 500;

interface Pending {
  run: number;
  targetId: string;
  key: string;
  historyBefore: number;
  killedAt: number;
  /** When a retry last answered 409 idempotency_in_progress. */
  last409: number;
  problems: string[];
}

export async function killMidSync(
  scope: Scope,
  row: ScenarioRow,
  engine: 'pglite' | 'postgres',
): Promise<void> {
  let dataDir: string | undefined;
  let env: Record<string, string>;
  if (engine === 'pglite') {
    dataDir = await makeTempDir('ergo-chaos-pglite-');
    env = appEnv({ ERGO_DATA_DIR: dataDir });
  } else {
    const cluster = scope.requireCluster();
    env = appEnv({ DATABASE_URL: cluster.urlFor(await cluster.createDatabase('chaos_kill')) });
  }
  env.ERGO_IDEMPOTENCY_LEASE_SECONDS = String(CHAOS_LEASE_SECONDS);
  const waitBound = CHAOS_LEASE_SECONDS * 1000 + LEASE_MARGIN_MS;
  const restarts: number[] = [];
  const states: string[] = [];
  const retries: string[] = [];
  const stuckWaits: number[] = [];
  const runProblems: string[][] = [];
  const pending: Pending[] = [];
  try {
    let app: AppProcess = await scope.startApp(env, 'first start');
    row.figures.push(`first start ${ms(app.startMs)}`);
    const client = new ApiClient(app.url);
    await client.mustLogin();
    const targets = await syncTargets(client);
    if (targets.length < RUNS + 1) {
      throw new Error(`only ${targets.length} sync targets in the demo`);
    }
    // One undisturbed sync (to a target no run uses) tells how long a sync takes here.
    const spare = targets[RUNS];
    const timed = spare
      ? await client.request('POST', syncPath(spare.id), { body: SYNC_BODY })
      : undefined;
    const killWindow = Math.max(MAX_KILL_DELAY_MS, timed?.ms ?? 0);
    row.figures.push(`sync ${ms(timed?.ms)}, kill within ${ms(killWindow)}`);

    for (let run = 0; run < RUNS; run += 1) {
      scope.check();
      const problems: string[] = [];
      runProblems.push(problems);
      row.runs += 1;
      const target = targets[run];
      if (!target) break;
      await changeOwnSettings(client, `${engine}-${run}-${Date.now()}`);
      const before = await pendingChanges(client, target.id);
      if (totalOf(before) === 0) problems.push(`run ${run}: the sync had nothing to change`);
      const historyBefore = appliedSyncs(await history(client, target.id)).length;
      const key = randomKey(`chaos-kill-${engine}`);
      const inFlight = client.tryRequest('POST', syncPath(target.id), {
        body: SYNC_BODY,
        headers: { 'idempotency-key': key },
      });
      await sleep(Math.random() * killWindow);
      const killedAt = performance.now();
      await app.kill('SIGKILL');
      const first = await inFlight;
      app = await scope.startApp(env, `restart ${run}`);
      restarts.push(performance.now() - killedAt);
      client.baseUrl = app.url;

      const after = await pendingChanges(client, target.id);
      const historyAfter = appliedSyncs(await history(client, target.id)).length;
      let state: string;
      if (totalOf(after) === 0) state = 'new';
      else if (JSON.stringify(after) === JSON.stringify(before)) state = 'old';
      else state = 'mixed';
      states.push(
        first instanceof TransportError ? state : `${state} (answered ${outcomeOf(first)})`,
      );
      if (state === 'mixed') {
        problems.push(
          `run ${run}: target partly synced after the kill: pending before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
        );
      }
      const expectedHistory = historyBefore + (state === 'new' ? 1 : 0);
      if (state !== 'mixed' && historyAfter !== expectedHistory) {
        problems.push(
          `run ${run}: state ${state} but history has ${historyAfter - historyBefore} new entries`,
        );
      }

      const retry = await client.request('POST', syncPath(target.id), {
        body: SYNC_BODY,
        headers: { 'idempotency-key': key },
      });
      if (retry.status === 409 && problemCode(retry) === 'idempotency_in_progress') {
        pending.push({
          run,
          targetId: target.id,
          key,
          historyBefore,
          killedAt,
          last409: performance.now(),
          problems,
        });
        continue;
      }
      await checkResolved(client, retry, { run, targetId: target.id, historyBefore, problems });
      retries.push(describeRetry(retry));
    }

    // Keys a killed process left claimed: poll them together, each until its lease is over.
    for (const p of pending) {
      let last: ApiResponse;
      // At least once, however late: earlier runs may have taken longer than the lease.
      do {
        await sleep(POLL_MS);
        last = await client.request('POST', syncPath(p.targetId), {
          body: SYNC_BODY,
          headers: { 'idempotency-key': p.key },
        });
        if (!(last.status === 409 && problemCode(last) === 'idempotency_in_progress')) break;
        p.last409 = performance.now();
      } while (performance.now() - p.killedAt < waitBound && !scope.expired());
      const waited = performance.now() - p.killedAt;
      if (last.status === 409 && problemCode(last) === 'idempotency_in_progress') {
        retries.push('409 idempotency_in_progress (stuck)');
        p.problems.push(
          `run ${p.run}: the same-key retry still answers 409 idempotency_in_progress ${ms(waited)} after the kill (bound ${ms(waitBound)})`,
        );
        continue;
      }
      stuckWaits.push(p.last409 - p.killedAt);
      retries.push(`${describeRetry(last)} after 409 wait`);
      await checkResolved(client, last, p);
    }
  } finally {
    for (const problems of runProblems) {
      if (problems.length > 0) {
        row.failures += 1;
        row.problems.push(...problems);
      }
    }
    row.figures.push(
      `p50 restart ${ms(percentile(restarts, 50))}`,
      `max restart ${ms(percentile(restarts, 100))}`,
      `state ${tally(states)}`,
      `retry ${tally(retries)}`,
    );
    if (stuckWaits.length > 0) {
      row.figures.push(`last 409 in-progress ${ms(Math.max(...stuckWaits))} after a kill`);
    }
    row.figures.push(`lease ${CHAOS_LEASE_SECONDS} s`);
    await scope.close();
    if (dataDir) await removeTempDir(dataDir);
  }
}

function describeRetry(response: ApiResponse): string {
  const replayed = response.headers.get('idempotent-replayed') === 'true';
  return response.status === 200 ? (replayed ? '200 replay' : '200 ran') : outcomeOf(response);
}

/** The retry must be 200, leave the target up to date, and the sync recorded exactly once. */
async function checkResolved(
  client: ApiClient,
  response: ApiResponse,
  p: { run: number; targetId: string; historyBefore: number; problems: string[] },
): Promise<void> {
  if (response.status !== 200) {
    p.problems.push(`run ${p.run}: same-key retry answered ${outcomeOf(response)}`);
    return;
  }
  const left = await pendingChanges(client, p.targetId);
  if (totalOf(left) !== 0) {
    p.problems.push(
      `run ${p.run}: after the 200 retry the target still differs: ${JSON.stringify(left)}`,
    );
  }
  const count = appliedSyncs(await history(client, p.targetId)).length - p.historyBefore;
  if (count !== 1) {
    p.problems.push(`run ${p.run}: the sync was recorded ${count} times (expected exactly once)`);
  }
}

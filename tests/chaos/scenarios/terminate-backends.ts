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
 * Scenario 2: pg_terminate_backend on every connection the app holds, while syncs are in
 * flight. Required: the process stays up, each in-flight request answers 200 or `503
 * database_unavailable` (never a 500, never a dropped connection), and the next request is 200.
 */
const ROUNDS = 5;
const SYNCS_PER_ROUND = 4;
const MAX_TERMINATE_DELAY_MS = 30;

export async function terminateBackends(scope: Scope, row: ScenarioRow): Promise<void> {
  const cluster = scope.requireCluster();
  const database = await cluster.createDatabase('chaos_term');
  const app = await scope.startApp(appEnv({ DATABASE_URL: cluster.urlFor(database) }), 'app');
  const client = new ApiClient(app.url);
  await client.mustLogin();
  const targets = await syncTargets(client);
  const inFlight: string[] = [];
  const next: number[] = [];
  const terminated: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      scope.check();
      row.runs += 1;
      const problems: string[] = [];
      const requests = Array.from({ length: SYNCS_PER_ROUND }, (_, i) => {
        const target = targets[(round * SYNCS_PER_ROUND + i) % targets.length];
        return client.tryRequest('POST', syncPath(target?.id ?? ''), { body: SYNC_BODY });
      });
      await sleep(Math.random() * MAX_TERMINATE_DELAY_MS);
      // Materialised first: in one WHERE, PostgreSQL may call pg_terminate_backend before the
      // other filters, on our own connection too.
      const killed = await cluster.query<{ pid: number }>(
        `with app as materialized (
           select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()
         )
         select pid from app where pg_terminate_backend(pid)`,
        [database],
      );
      const t0 = performance.now();
      terminated.push(killed.length);
      for (const response of await Promise.all(requests)) {
        const outcome = outcomeOf(response);
        inFlight.push(outcome);
        if (!isOk(response)) problems.push(`round ${round}: an in-flight sync answered ${outcome}`);
      }
      if (!app.alive()) {
        problems.push(`round ${round}: the app process died`);
        row.failures += 1;
        row.problems.push(...problems);
        break;
      }
      const after = await client.tryRequest('GET', '/api/teams');
      next.push(performance.now() - t0);
      if (after instanceof TransportError || after.status !== 200) {
        problems.push(`round ${round}: the next request answered ${outcomeOf(after)}`);
      }
      if (problems.length > 0) {
        row.failures += 1;
        row.problems.push(...problems);
      }
    }
  } finally {
    row.figures.push(
      `in-flight ${tally(inFlight)}`,
      `backends terminated p50 ${percentile(terminated, 50) ?? 'n/a'}`,
      `next 200 p50 ${ms(percentile(next, 50))}`,
    );
  }
}

function isOk(response: ApiResponse | TransportError): boolean {
  if (response instanceof TransportError) return false;
  return (
    response.status === 200 ||
    (response.status === 503 && problemCode(response) === 'database_unavailable')
  );
}

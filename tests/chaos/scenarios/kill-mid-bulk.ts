import { ApiClient } from '#tests/chaos/api-client.ts';
import { appEnv, makeTempDir, removeTempDir, type AppProcess } from '#tests/chaos/app-process.ts';
import { ms, type ScenarioRow } from '#tests/chaos/report.ts';
import type { Scope } from '#tests/chaos/scope.ts';
import {
  appliedSyncs,
  changeOwnSettings,
  expectStatus,
  history,
  sleep,
} from '#tests/chaos/scenarios/ergo.ts';

/**
 * Scenario 7: SIGKILL the app (`npm start`: web and worker in one process) in the middle of a
 * bulk Sync Settings run for a whole team, restart it on the same data, and require that the run
 * finishes by itself (PGlite: the in-process runner resumes pending batches at start;
 * PostgreSQL: pg-boss hands the killed batch to another attempt after its missed heartbeat),
 * with every member settled and exactly one new history entry per member that was applied.
 */

interface Run {
  id: string;
  status: string;
  total: number;
  done: number;
  applied: number;
  unchanged: number;
  failed: number;
  finishedAt: string | null;
}

interface Detail {
  run: Run;
  results: {
    items: {
      memberId: string;
      status: string;
      errorCode: string | null;
      syncRunId: string | null;
    }[];
  };
}

const POLL_MS = 100;

export async function killMidBulk(
  scope: Scope,
  row: ScenarioRow,
  engine: 'pglite' | 'postgres',
  runs: number,
): Promise<void> {
  let dataDir: string | undefined;
  let env: Record<string, string>;
  if (engine === 'pglite') {
    dataDir = await makeTempDir('ergo-chaos-bulk-');
    env = appEnv({ ERGO_DATA_DIR: dataDir });
  } else {
    const cluster = scope.requireCluster();
    env = appEnv({ DATABASE_URL: cluster.urlFor(await cluster.createDatabase('chaos_bulk')) });
  }
  // One member per batch: a kill lands between batches or inside one.
  env.ERGO_BULK_BATCH_SIZE = '1';
  env.ERGO_WORKER_CONCURRENCY = '1';
  // Info: the in-process runner says how many batches it resumed at start.
  env.LOG_LEVEL = 'info';
  const resumes: number[] = [];
  const killedAt: string[] = [];
  const resumedBatches: string[] = [];
  try {
    let app: AppProcess = await scope.startApp(env, 'first start');
    let client = new ApiClient(app.url);
    await client.mustLogin();
    const teams = expectStatus(
      await client.request<{ id: string; memberCount: number }[]>('GET', '/api/teams'),
      200,
      'GET /api/teams',
    );
    const team = [...teams].sort((a, b) => b.memberCount - a.memberCount)[0];
    if (!team) throw new Error('no team in the demo');

    // One undisturbed run tells how long a run takes here; kills land within that window.
    const first = await startRun(client, team.id);
    const timed = await waitFinished(scope, client, first.id, 60_000);
    const window = Math.max(
      20,
      new Date(timed.finishedAt ?? 0).getTime() -
        Date.parse((timed as unknown as { createdAt: string }).createdAt),
    );
    row.figures.push(`${timed.total} members, a run ${ms(window)}`);

    for (let run = 0; run < runs; run += 1) {
      scope.check();
      row.runs += 1;
      await changeOwnSettings(client, `bulk-${engine}-${run}-${Date.now()}`);
      const before = new Map<string, number>();
      const members = (await detail(client, first.id)).results.items.map((i) => i.memberId);
      for (const id of members) before.set(id, appliedSyncs(await history(client, id)).length);

      const started = await startRun(client, team.id);
      // No request in between: on PGlite it would queue behind the batches.
      await sleep(Math.random() * window * 0.8);
      await app.kill('SIGKILL');
      const killTime = performance.now();
      app = await scope.startApp(env, `restart ${run}`);
      client = client.cloneFor(app.url);
      const atRestart = await client.tryRequest<Detail>(
        'GET',
        `/api/bulk-syncs/${started.id}?limit=1`,
      );
      killedAt.push(
        'status' in atRestart && atRestart.status === 200
          ? `${atRestart.body.run.done}/${atRestart.body.run.total}`
          : '?',
      );
      const resumed = /"batches":(\d+),"runs":\d+,"msg":"bulk batches left pending/.exec(
        app.output(),
      );
      if (engine === 'pglite') resumedBatches.push(resumed?.[1] ?? '0');
      const finished = await waitFinished(
        scope,
        client,
        started.id,
        engine === 'pglite' ? 30_000 : 75_000,
      );
      resumes.push(performance.now() - killTime);

      const problems: string[] = [];
      if (finished.status !== 'completed') problems.push(`run ${run}: ended ${finished.status}`);
      if (finished.done !== finished.total)
        problems.push(`run ${run}: ${finished.done} of ${finished.total} settled`);
      const items = (await detail(client, started.id)).results.items;
      for (const item of items) {
        if (item.status === 'failed') {
          // The demo has members a sync refuses (no dashboard yet, access off): a result with its
          // code and no history entry, the same in every run.
          if (!item.errorCode)
            problems.push(`run ${run}: member ${item.memberId} failed without a code`);
          if (item.syncRunId)
            problems.push(`run ${run}: failed member ${item.memberId} has a history entry`);
          continue;
        }
        const count = appliedSyncs(await history(client, item.memberId)).length;
        const added = count - (before.get(item.memberId) ?? 0);
        if (added !== 1)
          problems.push(`run ${run}: member ${item.memberId} got ${added} history entries`);
        if (!item.syncRunId)
          problems.push(`run ${run}: member ${item.memberId} has no history entry`);
      }
      if (problems.length > 0) {
        row.failures += 1;
        row.problems.push(...problems);
      }
    }
    if (resumedBatches.length > 0)
      row.figures.push(`batches resumed at restart: ${resumedBatches.join(', ')}`);
    row.figures.push(
      `at restart ${killedAt.join(', ')} done`,
      `finished ${resumes.map((r) => ms(r)).join(', ')} after the kill`,
    );
  } finally {
    if (dataDir) await removeTempDir(dataDir);
  }
}

async function startRun(client: ApiClient, teamId: string): Promise<Run> {
  return expectStatus(
    await client.request<Run>('POST', '/api/bulk-syncs', {
      body: { action: 'sync_settings', teamId },
    }),
    202,
    'POST /api/bulk-syncs',
  );
}

async function detail(client: ApiClient, runId: string): Promise<Detail> {
  return expectStatus(
    await client.request<Detail>('GET', `/api/bulk-syncs/${runId}?limit=200`),
    200,
    'GET /api/bulk-syncs/{id}',
  );
}

async function waitFinished(
  scope: Scope,
  client: ApiClient,
  runId: string,
  timeoutMs: number,
): Promise<Run> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    scope.check();
    const { run } = await detail(client, runId);
    if (run.finishedAt) return run;
    if (performance.now() > deadline)
      throw new Error(`run ${runId} not finished after ${timeoutMs} ms: ${run.done}/${run.total}`);
    await sleep(POLL_MS);
  }
}

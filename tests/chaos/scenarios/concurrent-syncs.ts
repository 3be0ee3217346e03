import pg from 'pg';
import { ApiClient, attempt, outcomeOf, TransportError } from '#tests/chaos/api-client.ts';
import { appEnv, makeTempDir, removeTempDir } from '#tests/chaos/app-process.ts';
import { tally, type ScenarioRow } from '#tests/chaos/report.ts';
import type { Scope } from '#tests/chaos/scope.ts';
import {
  changeOwnSettings,
  expectStatus,
  history,
  SYNC_BODY,
  syncPath,
  syncTargets,
  type SyncResult,
} from '#tests/chaos/scenarios/ergo.ts';

/**
 * Scenario 5: 50 concurrent requests on one member, syncs and reverts mixed, on either engine.
 * Required: no 5xx; no lost update (every 200 is exactly one history entry — counted in the
 * database on PostgreSQL, through the API on PGlite — and no two syncs report the same version of
 * a category); and the history, newest first, is in version order (each sync's
 * `result.versionsAfter` strictly decreases down the list).
 */
const SETUP_SYNCS = 4;
const BURST = 50;
/**
 * Every REVERT_EVERY-th request of the burst (the first one included) reverts the latest setup
 * sync: the first to take the member's lock may undo it, the others must be refused.
 */
const REVERT_EVERY = 4;

export async function concurrentSyncs(
  scope: Scope,
  row: ScenarioRow,
  engine: 'pglite' | 'postgres',
): Promise<void> {
  let dataDir: string | undefined;
  let db: pg.Client | undefined;
  let env: Record<string, string>;
  if (engine === 'pglite') {
    dataDir = await makeTempDir('ergo-chaos-burst-');
    env = appEnv({ ERGO_DATA_DIR: dataDir });
  } else {
    const cluster = scope.requireCluster();
    const url = cluster.urlFor(await cluster.createDatabase('chaos_burst'));
    env = appEnv({ DATABASE_URL: url });
    db = new pg.Client({ connectionString: url });
    db.on('error', () => undefined);
    await db.connect();
  }
  const app = await scope.startApp(env, 'app');
  const client = new ApiClient(app.url);
  await client.mustLogin();
  const target = (await syncTargets(client))[0]?.id ?? '';
  const appliedCount = async (): Promise<number> => {
    if (!db) return (await history(client, target)).filter((i) => i.status === 'applied').length;
    const result = await db.query<{ n: string }>(
      `select count(*) as n from sync_runs where target_id = $1 and status = 'applied'`,
      [target],
    );
    return Number(result.rows[0]?.n);
  };
  row.runs += 1;
  const problems: string[] = [];
  try {
    const setupIds: string[] = [];
    for (let i = 0; i < SETUP_SYNCS; i += 1) {
      await changeOwnSettings(client, `burst-${i}-${Date.now()}`);
      const result = expectStatus(
        await client.request<SyncResult>('POST', syncPath(target), { body: SYNC_BODY }),
        200,
        'setup sync',
      );
      if (result.syncId) setupIds.push(result.syncId);
    }
    scope.check();
    const before = await appliedCount();
    const kinds: ('sync' | 'revert')[] = [];
    const responses = await Promise.all(
      Array.from({ length: BURST }, (_, i) => {
        const revert = i % REVERT_EVERY === 0;
        kinds.push(revert ? 'revert' : 'sync');
        const request = revert
          ? client.request('POST', `/api/syncs/${setupIds.at(-1) ?? ''}/revert`)
          : client.request('POST', syncPath(target), { body: SYNC_BODY });
        return attempt(request);
      }),
    );
    const outcomes = responses.map((r, i) => `${kinds[i] ?? '?'} ${outcomeOf(r)}`);
    row.figures.push(tally(outcomes));
    const bad = responses.filter((r) => r instanceof TransportError || r.status >= 500);
    if (bad.length > 0)
      problems.push(`${bad.length} answers were 5xx or no answer: ${tally(bad.map(outcomeOf))}`);
    const ok = responses.filter((r) => !(r instanceof TransportError) && r.status === 200).length;
    const after = await appliedCount();
    if (after - before !== ok) {
      problems.push(
        `lost update: ${ok} answers were 200 but the history grew by ${after - before}`,
      );
    }

    const items = await history(client, target);
    const ids = new Map<string, number>();
    for (const item of items) ids.set(item.id, (ids.get(item.id) ?? 0) + 1);
    const missing = responses.filter((r) => {
      if (r instanceof TransportError || r.status !== 200) return false;
      const id = (r.body as { syncId?: unknown }).syncId;
      return typeof id !== 'string' || ids.get(id) !== 1;
    }).length;
    if (missing > 0)
      problems.push(
        `lost update: ${missing} answers were 200 but their sync id is not in the history once`,
      );
    const syncs = items.filter((i) => i.action === 'sync_settings' && i.status === 'applied');
    let inversions = 0;
    const seen = new Map<string, Set<number>>();
    let duplicates = 0;
    for (let i = 0; i < syncs.length; i += 1) {
      const newer = syncs[i]?.result?.versionsAfter ?? {};
      for (const [category, version] of Object.entries(newer)) {
        const set = seen.get(category) ?? new Set<number>();
        if (set.has(version)) duplicates += 1;
        set.add(version);
        seen.set(category, set);
      }
      const older = syncs[i + 1]?.result?.versionsAfter;
      if (!older) continue;
      if (Object.entries(newer).some(([c, v]) => older[c] !== undefined && v <= older[c])) {
        inversions += 1;
      }
    }
    row.figures.push(`history ${syncs.length} syncs, ${inversions} order inversions`);
    if (inversions > 0) {
      problems.push(
        `history order ≠ version order: ${inversions} of ${syncs.length - 1} adjacent sync pairs are out of version order`,
      );
    }
    if (duplicates > 0)
      problems.push(
        `lost update: ${duplicates} syncs report a category version another sync reported`,
      );
    if (!app.alive()) problems.push('the app process died');
  } finally {
    if (problems.length > 0) {
      row.failures += 1;
      row.problems.push(...problems);
    }
    await db?.end().catch(() => undefined);
    await scope.close();
    if (dataDir) await removeTempDir(dataDir);
  }
}

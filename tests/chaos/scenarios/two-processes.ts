import pg from 'pg';
import {
  ApiClient,
  outcomeOf,
  problemCode,
  TransportError,
  type ApiResponse,
} from '#tests/chaos/api-client.ts';
import { appEnv } from '#tests/chaos/app-process.ts';
import { tally, type ScenarioRow } from '#tests/chaos/report.ts';
import type { Scope } from '#tests/chaos/scope.ts';
import {
  randomKey,
  SYNC_BODY,
  syncPath,
  syncTargets,
  type SyncResult,
} from '#tests/chaos/scenarios/ergo.ts';

/**
 * Scenario 4: two app processes on one PostgreSQL database (a multi-node deployment).
 * Required, one run each:
 * - login throttling is shared: 5 failed logins for one account, alternated across the two
 *   processes, and the 6th attempt answers 429 with Retry-After on either process;
 * - an Idempotency-Key used on process A and retried on B replays (`idempotent-replayed: true`,
 *   the same sync id);
 * - 20 concurrent syncs to one member, split across both, serialise: each answers 200 or a clear
 *   4xx, the member's history count advances by the number of 200s and the dashboard version
 *   by the number of those that changed something.
 */
const FAILED_LOGINS = 5;
const CONCURRENT_SYNCS = 20;

export async function twoProcesses(scope: Scope, row: ScenarioRow): Promise<void> {
  const cluster = scope.requireCluster();
  const database = await cluster.createDatabase('chaos_two');
  const url = cluster.urlFor(database);
  // The same secret key on both: they share the encrypted CRM keys.
  const env = appEnv({ DATABASE_URL: url });
  const appA = await scope.startApp(env, 'A');
  const appB = await scope.startApp(env, 'B');
  const a = new ApiClient(appA.url);
  await a.mustLogin();
  const b = new ApiClient(appB.url);
  await b.mustLogin();
  const targets = await syncTargets(a);
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  try {
    // --- shared login throttling --------------------------------------------------------------
    row.runs += 1;
    {
      const problems: string[] = [];
      const email = targets.at(-1)?.email ?? 'rep10@acme.test';
      const anonA = new ApiClient(appA.url);
      const anonB = new ApiClient(appB.url);
      const seen: string[] = [];
      for (let i = 0; i < FAILED_LOGINS; i += 1) {
        const response = await (i % 2 === 0 ? anonA : anonB).login(email, `wrong-${i}`);
        seen.push(outcomeOf(response));
      }
      for (const [name, client] of [
        ['B', anonB],
        ['A', anonA],
      ] as const) {
        const sixth = await client.login(email, 'wrong-again');
        seen.push(`${name}:${outcomeOf(sixth)}`);
        if (sixth.status !== 429) {
          problems.push(
            `throttle: the 6th failed login on process ${name} answered ${outcomeOf(sixth)}, not 429`,
          );
        } else if (!sixth.headers.get('retry-after')) {
          problems.push(`throttle: the 429 on process ${name} has no Retry-After`);
        }
      }
      row.figures.push(`logins ${seen.join(' ')}`);
      if (problems.length > 0) {
        row.failures += 1;
        row.problems.push(...problems);
      }
    }

    // --- Idempotency-Key on A, retried on B -----------------------------------------------------
    scope.check();
    row.runs += 1;
    {
      const problems: string[] = [];
      const target = targets[1]?.id ?? '';
      const key = randomKey('chaos-two');
      const first = await a.request<SyncResult>('POST', syncPath(target), {
        body: SYNC_BODY,
        headers: { 'idempotency-key': key },
      });
      const second = await b.request<SyncResult>('POST', syncPath(target), {
        body: SYNC_BODY,
        headers: { 'idempotency-key': key },
      });
      const replayed = second.headers.get('idempotent-replayed') === 'true';
      row.figures.push(
        `key A→B ${outcomeOf(first)}→${outcomeOf(second)}${replayed ? ' replayed' : ''}`,
      );
      if (first.status !== 200)
        problems.push(`idempotency: first call on A answered ${outcomeOf(first)}`);
      else if (second.status !== 200 || !replayed) {
        problems.push(
          `idempotency: the retry on B answered ${outcomeOf(second)}, replayed=${String(replayed)}`,
        );
      } else if (second.body.syncId !== first.body.syncId) {
        problems.push('idempotency: the replay on B has another sync id');
      }
      if (problems.length > 0) {
        row.failures += 1;
        row.problems.push(...problems);
      }
    }

    // --- 20 concurrent syncs to one member across both ------------------------------------------
    scope.check();
    row.runs += 1;
    {
      const problems: string[] = [];
      const target = targets[0]?.id ?? '';
      const before = await memberFigures(db, target);
      const responses = await Promise.all(
        Array.from({ length: CONCURRENT_SYNCS }, (_, i) =>
          (i % 2 === 0 ? a : b).tryRequest('POST', syncPath(target), { body: SYNC_BODY }),
        ),
      );
      const after = await memberFigures(db, target);
      const ok = responses.filter((r) => !(r instanceof TransportError) && r.status === 200).length;
      // A sync that finds the member already in step changes nothing and bumps no version.
      const changed = responses.filter(
        (r) =>
          !(r instanceof TransportError) &&
          r.status === 200 &&
          (r.body as { changed?: boolean }).changed !== false,
      ).length;
      const unclear = responses.filter((r) => !isClear(r));
      row.figures.push(
        `20 syncs ${tally(responses.map(outcomeOf))}`,
        `history +${after.history - before.history}, version +${after.version - before.version}`,
      );
      if (unclear.length > 0) {
        problems.push(
          `concurrent: ${unclear.length} answers neither 200 nor a clear 4xx: ${tally(unclear.map(outcomeOf))}`,
        );
      }
      if (after.history - before.history !== ok || after.version - before.version !== changed) {
        problems.push(
          `concurrent: ${ok} syncs answered 200 (${changed} changing something) but history advanced by ${after.history - before.history} and the version by ${after.version - before.version}`,
        );
      }
      if (!appA.alive() || !appB.alive()) problems.push('a process died');
      if (problems.length > 0) {
        row.failures += 1;
        row.problems.push(...problems);
      }
    }
  } finally {
    await db.end().catch(() => undefined);
  }
}

async function memberFigures(
  db: pg.Client,
  userId: string,
): Promise<{ history: number; version: number }> {
  const result = await db.query<{ history: string; version: string }>(
    `select (select count(*) from sync_runs
              where target_id = $1 and action = 'sync_settings' and status = 'applied') as history,
            (select version from dashboards where user_id = $1) as version`,
    [userId],
  );
  return { history: Number(result.rows[0]?.history), version: Number(result.rows[0]?.version) };
}

/** 200, or a 4xx problem with a code a client can act on. */
function isClear(r: ApiResponse | TransportError): boolean {
  if (r instanceof TransportError) return false;
  return r.status === 200 || (r.status >= 400 && r.status < 500 && problemCode(r) !== undefined);
}

import { loadConfig } from '#src/config/config.ts';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import {
  categoryDefinition,
  defaultValueOf,
  type CategoryKey,
} from '#src/domain/settings/categories.ts';
import { DEFAULT_SYNC_CATEGORIES } from '#src/domain/sync/sync-rules.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { hashPassword } from '#src/services/auth/password.ts';
import { saveCrmConnections } from '#src/services/crm-connections/crm-connection.service.ts';
import { writeCategory } from '#src/services/settings/settings-store.ts';
import {
  describeSizes,
  sourceSettings,
  targetSettings,
  uniformSizes,
  type ListSizes,
} from '#tests/bench/bench-data.ts';
import { openMeteredPostgres, statementKind } from '#tests/bench/metered-database.ts';
import { median, ms, percentile } from '#tests/bench/stats.ts';
import { insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { HUBSPOT_KEY, SALESFORCE_KEY } from '#tests/integration/sync/fixtures.ts';
import { startApp, startWorker, type AppProcess } from '#tests/support/app-process.ts';

/** The batch size and per-process concurrency the workers run with: the product's defaults. */
const WORKER_DEFAULTS = (() => {
  const loaded = loadConfig({});
  if (!loaded.ok) throw new Error(`default configuration: ${loaded.errors.join('; ')}`);
  return loaded.config.bulk;
})();
/**
 * Bulk Sync Settings on PostgreSQL through the real job system (issue 11, "Speed and memory"):
 * a web-only process (`ERGO_ROLE=web`, as `npm start` starts it) takes `POST /api/bulk-syncs`
 * and enqueues the run's batches on pg-boss; worker processes started as `npm run worker`
 * starts them (`src/worker.ts`, default batch size and concurrency) run them. Measured:
 *
 * 1. A Sync Settings run with the default categories from an admin of the realistic size to
 *    10,000 members, from the POST to the run's `finished_at`, against the floor: the same copy
 *    as one set-based statement per table for all 10,000 members of an identical second set,
 *    in one transaction. Then the floor's equality check on sampled pairs of members.
 * 2. The worker's peak RSS during that run, and the first SSE `progress` event with done > 0.
 * 3. Members per second with 2 worker processes over 1, on runs of the same size, in the order
 *    1, 2, 2, 1 (each on its own identical set of members).
 *
 * Every process this starts is stopped before it returns.
 */

export const BULK_MEMBERS = Number(process.env.BENCH_BULK_MEMBERS ?? 10_000);
export const THROUGHPUT_MEMBERS = Number(process.env.BENCH_BULK_THROUGHPUT_MEMBERS ?? 1_000);
const PASSWORD = 'bench-password-bulk';
const EQUALITY_SAMPLES = 20;
const RUN_TIMEOUT_MS = 15 * 60_000;
/** A worker-comparison run still going after this is cancelled and measured on what it did. */
const THROUGHPUT_TIMEOUT_MS = 3 * 60_000;
const CATEGORIES: readonly CategoryKey[] = DEFAULT_SYNC_CATEGORIES;

/** Each member's own dashboard before the run (copied set-based from one member built so). */
const MEMBER_SIZES: ListSizes = uniformSizes(20);

/** Compares two members in every category but CRM keys (run-bench.ts's equality helper). */
export type SameValues = (uow: UnitOfWork, a: string, b: string, ring: Keyring) => Promise<boolean>;

export interface ProcessCpu {
  /** CPU seconds (user + system) used during the run. */
  workers: number[];
  web: number;
  /** Backends of the bench database (and autovacuum in it). */
  postgres: number;
  /** PostgreSQL's own background processes (WAL writer, checkpointer, background writer). */
  postgresBackground: number;
}

export interface BulkRunMeasure {
  label: string;
  workers: number;
  members: number;
  status: string;
  applied: number;
  unchanged: number;
  failed: number;
  /** POST → 202 (the run, its member rows and its jobs created in one transaction). */
  acceptMillis: number;
  /** POST → the run's `started_at` (the first batch taken by a worker). */
  startMillis: number;
  /** POST → the run's `finished_at`. */
  totalMillis: number;
  membersPerSecond: number;
  batches: { count: number; p50: number; p95: number; max: number; perWorker: number[] };
  cpu: ProcessCpu;
  /** Share of samples of the bench database's active backends, by wait event (pg_stat_activity). */
  waits: {
    samples: number;
    byEvent: { event: string; share: number }[];
    /** Samples waiting on a heavyweight lock, by lock and the waiting statement's kind. */
    lockWaits: { lock: string; statement: string; share: number }[];
  };
  done: number;
  /** Members failed, by error code. */
  failedCodes: Record<string, number>;
  /** The run was still going at its time limit: cancelled, measured on the members done. */
  timedOut: boolean;
  /** Each worker's VmRSS just before the POST (a worker started and idle, or after earlier runs). */
  workerRssBeforeMb: number[];
  /** Peak RSS (VmHWM) of each worker process at the end of the run, MB. */
  workerPeakRssMb: number[];
  /** The highest VmRSS seen while polling each worker during the run, MB. */
  workerPolledRssMb: number[];
  webPeakRssMb: number;
  /** The run's history entries: how many, and their mean size as text and as stored (KiB). */
  history: { entries: number; textKiB: number; storedKiB: number };
  /** First SSE `progress` event with done > 0, from the POST (only when watched). */
  firstProgress?: { millis: number; done: number; events: number };
}

export interface BulkReport {
  members: number;
  throughputMembers: number;
  batchSize: number;
  concurrency: number;
  sourceSizes: ListSizes;
  memberSizes: ListSizes;
  categories: string[];
  seedSeconds: number;
  /** The 10,000-member run (1 worker process). */
  run: BulkRunMeasure;
  floor: { millis: number; statements: number; membersPerSecond: number };
  order: 'floor first' | 'run first';
  ratio: number;
  equality: { samples: number; equal: number };
  /** Dashboard rows written per member (the run), from pg_stat_user_tables. */
  throughput: {
    runs: BulkRunMeasure[];
    oneWorker: number;
    twoWorkers: number;
    ratio: number;
  };
  firstProgressMillis: number;
  workerPeakRssMb: number;
  seconds: number;
}

interface Worker {
  proc: AppProcess;
  pid: number;
}

interface Context {
  db: Kysely<DB>;
  databaseName: string;
  web: AppProcess;
  webPid: number;
  base: string;
  cookie: string;
  csrfToken: string;
}

/** Per category, what a never-set source copies (as floor-copy.ts); null for rows and keys. */
function fallbacks(categories: readonly CategoryKey[]): string {
  return JSON.stringify(
    Object.fromEntries(
      categories.map((c) => [
        c,
        c === 'crm_keys' || categoryDefinition(c).storage !== 'document' ? null : defaultValueOf(c),
      ]),
    ),
  );
}

/**
 * The floor for many targets: floor-copy.ts's copy, each statement set-based over all the
 * targets at once (`unnest` of their ids crossed with the source's rows), in one transaction.
 * Eight statements whatever the number of members; nothing but the copy (no authorization,
 * locks, reads into Node, diff, history, audit, CRM keys).
 */
export async function floorCopyMany(
  db: Kysely<DB>,
  sourceId: string,
  targetIds: readonly string[],
  categories: readonly CategoryKey[],
): Promise<number> {
  const ids = sql`${[...targetIds]}::uuid[]`;
  const selected = new Set(categories);
  let statements = 2;
  await db.transaction().execute(async (trx) => {
    const run = async (query: ReturnType<typeof sql>) => {
      statements += 1;
      await query.execute(trx);
    };
    if (selected.has('custom_properties')) {
      await run(sql`
        delete from custom_properties t
        where t.user_id = any(${ids}) and not t.owner_property
          and not exists (
            select 1 from custom_properties s
            where s.user_id = ${sourceId}::uuid and not s.owner_property
              and s.crm = t.crm and s.object = t.object and s.name = t.name)`);
      await run(sql`
        insert into custom_properties
          (user_id, crm, object, name, label, type, options, owner_property, position)
        select t.id, s.crm, s.object, s.name, s.label, s.type, s.options, false, s.pos
        from unnest(${ids}) as t (id)
        cross join (
          select crm, object, name, label, type, options,
                 999 + row_number() over (order by position, name) as pos
          from custom_properties
          where user_id = ${sourceId}::uuid and not owner_property) s
        on conflict (user_id, crm, object, name) do update
          set label = excluded.label, type = excluded.type, options = excluded.options,
              position = excluded.position, updated_at = now()
          where custom_properties.owner_property = false`);
    }
    if (selected.has('pipeline_stages')) {
      await run(sql`
        insert into pipeline_stages
          (user_id, internal_id, name, position, probability, crm_stage_mappings, synced,
           synced_at, synced_from_user_id)
        select t.id, s.internal_id, s.name, s.position, s.probability, s.crm_stage_mappings,
               true, now(), ${sourceId}::uuid
        from unnest(${ids}) as t (id)
        cross join pipeline_stages s
        where s.user_id = ${sourceId}::uuid
        on conflict (user_id, internal_id) do update
          set name = excluded.name, position = excluded.position,
              probability = excluded.probability, crm_stage_mappings = excluded.crm_stage_mappings,
              synced = true, synced_at = excluded.synced_at,
              synced_from_user_id = excluded.synced_from_user_id, updated_at = now()`);
      await run(sql`
        insert into salesforce_record_types
          (user_id, record_type_id, name, developer_name, stage_internal_ids, is_active, position)
        select t.id, s.record_type_id, s.name, s.developer_name, s.stage_internal_ids,
               s.is_active, s.position
        from unnest(${ids}) as t (id)
        cross join salesforce_record_types s
        where s.user_id = ${sourceId}::uuid
        on conflict (user_id, record_type_id) do update
          set name = excluded.name, developer_name = excluded.developer_name,
              stage_internal_ids = excluded.stage_internal_ids, is_active = excluded.is_active,
              position = excluded.position, updated_at = now()`);
    }
    await run(sql`
      insert into dashboard_settings (user_id, category, document)
      select t.id, c.category,
             case when jsonb_typeof(c.fallback) = 'null' then null
                  else coalesce(s.document, c.fallback) end
      from unnest(${ids}) as t (id)
      cross join jsonb_each(${fallbacks(categories)}::jsonb) as c (category, fallback)
      left join dashboard_settings s on s.user_id = ${sourceId}::uuid and s.category = c.category
      on conflict (user_id, category) do update
        set document = excluded.document, version = dashboard_settings.version + 1,
            updated_at = now()`);
    await run(sql`
      update dashboards set version = version + 1, updated_at = now()
      where user_id = any(${ids})`);
  });
  return statements;
}

// ---------------------------------------------------------------------------------------------
// Seeding

interface MemberSet {
  key: string;
  teamId: string;
  /** Member ids by their number (1-based): member n of two sets start alike. */
  ids: string[];
}

/**
 * `count` members in a team of their own, set-based: users, dashboards, team rows, then the
 * template member's dashboard copied to each with a value of its own (company name, task due
 * offset, a domain, property labels and stage names carry the member's number), so every member
 * starts different from the admin and from each other. Member n of every set holds the same.
 */
async function seedSet(
  db: Kysely<DB>,
  organizationId: string,
  templateId: string,
  key: string,
  count: number,
): Promise<MemberSet> {
  return db.transaction().execute(async (trx) => {
    const team = await sql<{ id: string }>`
      insert into teams (organization_id, name) values (${organizationId}::uuid, ${`Bulk ${key}`})
      returning id`.execute(trx);
    const teamId = team.rows[0]?.id;
    if (!teamId) throw new Error('team not inserted');
    await sql`
      insert into users (organization_id, email, name, role, status)
      select ${organizationId}::uuid, 'bulk-' || ${key} || '-' || n || '@bench.test',
             'Rep ' || ${key} || ' ' || lpad(n::text, 6, '0'), 'member', 'active'
      from generate_series(1, ${count}) as n`.execute(trx);
    await sql`
      insert into bench_members (set_key, n, user_id)
      select ${key}, split_part(split_part(email, '@', 1), '-', 3)::int, id
      from users
      where organization_id = ${organizationId}::uuid and email like ${`bulk-${key}-%`}`.execute(
      trx,
    );
    await sql`
      insert into dashboards (user_id, organization_id)
      select user_id, ${organizationId}::uuid from bench_members where set_key = ${key}`.execute(
      trx,
    );
    await sql`
      insert into team_members (team_id, user_id, organization_id)
      select ${teamId}::uuid, user_id, ${organizationId}::uuid
      from bench_members where set_key = ${key}`.execute(trx);
    await sql`
      insert into dashboard_settings (user_id, category, document)
      select m.user_id, s.category,
             case s.category
               when 'company_details' then jsonb_set(s.document, '{companyName}',
                 to_jsonb('Rep ' || m.n || ' Co'))
               when 'task_settings' then jsonb_set(s.document, '{defaultDueOffsetDays}',
                 to_jsonb(1 + m.n % 30))
               when 'alternate_domains' then jsonb_set(s.document, '{domains}',
                 jsonb_build_array('rep' || m.n || '.example'))
               else s.document end
      from bench_members m cross join dashboard_settings s
      where m.set_key = ${key} and s.user_id = ${templateId}::uuid`.execute(trx);
    await sql`
      insert into custom_properties
        (user_id, crm, object, name, label, type, options, owner_property, position)
      select m.user_id, p.crm, p.object, p.name,
             case when p.owner_property then p.label else p.label || ' #' || m.n end,
             p.type, p.options, p.owner_property, p.position
      from bench_members m cross join custom_properties p
      where m.set_key = ${key} and p.user_id = ${templateId}::uuid`.execute(trx);
    await sql`
      insert into pipeline_stages
        (user_id, internal_id, name, position, probability, crm_stage_mappings, synced)
      select m.user_id, p.internal_id, p.name || ' #' || m.n, p.position, p.probability,
             p.crm_stage_mappings, p.synced
      from bench_members m cross join pipeline_stages p
      where m.set_key = ${key} and p.user_id = ${templateId}::uuid`.execute(trx);
    const rows = await sql<{ user_id: string }>`
      select user_id from bench_members where set_key = ${key} order by n`.execute(trx);
    return { key, teamId, ids: rows.rows.map((r) => r.user_id) };
  });
}

async function seed(
  db: Kysely<DB>,
  uow: UnitOfWork,
  keyring: Keyring,
  sizes: ListSizes,
  sets: { key: string; count: number }[],
): Promise<{ email: string; adminId: string; sets: Map<string, MemberSet> }> {
  const email = `bench-bulk-admin-${process.pid}@bench.test`;
  const { organizationId, primaryAdmin } = await insertOrganization(uow, {
    primaryAdmin: { email, name: 'Bench Admin', passwordHash: await hashPassword(PASSWORD) },
  });
  // The admin (the source of every run): the realistic size, HubSpot and Salesforce keys.
  const settings = sourceSettings(sizes);
  await uow.transaction(async (repos) => {
    await repos.dashboards.create(primaryAdmin.id, organizationId);
    for (const [category, value] of Object.entries(settings)) {
      await writeCategory(repos, primaryAdmin.id, category as never, value);
    }
    await saveCrmConnections(repos, keyring, primaryAdmin.id, [HUBSPOT_KEY, SALESFORCE_KEY]);
  });
  // The template member (in no team, so never a target) whose dashboard every member copies.
  const template = await insertUserWithDashboard(uow, keyring, organizationId, {
    settings: targetSettings(MEMBER_SIZES),
  });
  await sql`create table bench_members (
    set_key text not null, n int not null, user_id uuid primary key, unique (set_key, n))`.execute(
    db,
  );
  const out = new Map<string, MemberSet>();
  for (const set of sets) {
    out.set(set.key, await seedSet(db, organizationId, template.id, set.key, set.count));
  }
  await sql`vacuum analyze`.execute(db);
  return { email, adminId: primaryAdmin.id, sets: out };
}

// ---------------------------------------------------------------------------------------------
// Processes, CPU, memory

const TICKS_PER_SECOND = 100;

async function cpuTicks(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  } catch {
    return 0;
  }
}

async function memoryOf(pid: number): Promise<{ rssMb: number; hwmMb: number }> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: 0, hwmMb: 0 };
  }
}

/** PostgreSQL processes: the bench database's backends, and the server's background writers. */
async function postgresTicks(
  databaseName: string,
): Promise<{ own: Map<number, number>; background: Map<number, number> }> {
  const own = new Map<number, number>();
  const background = new Map<number, number>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let title: string;
    try {
      title = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (!title.startsWith('postgres:')) continue;
    if (title.includes(` ${databaseName} `)) own.set(pid, await cpuTicks(pid));
    else if (/(walwriter|checkpointer|background writer)/.test(title))
      background.set(pid, await cpuTicks(pid));
  }
  return { own, background };
}

function ticksBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ticks] of after) sum += ticks - (before.get(pid) ?? 0);
  return sum / TICKS_PER_SECOND;
}

async function stopProcess(proc: AppProcess): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
    await proc.exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// One run

async function login(base: string, email: string): Promise<{ cookie: string; csrfToken: string }> {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0] ?? '')[0];
  if (!cookie) throw new Error('login set no cookie');
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

/**
 * Follows GET /api/bulk-syncs/{id}/events until a `progress` event shows done > 0; resolves with
 * the time since `postedAt` (performance.now()), then closes the stream.
 */
async function firstProgress(
  context: Context,
  runId: string,
  postedAt: number,
): Promise<{ millis: number; done: number; events: number }> {
  const abort = new AbortController();
  const timer = setTimeout(() => {
    abort.abort();
  }, RUN_TIMEOUT_MS);
  try {
    const response = await fetch(`${context.base}/api/bulk-syncs/${runId}/events`, {
      headers: { cookie: context.cookie, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    let events = 0;
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (\w+)/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || !data) continue;
        events += 1;
        const run = JSON.parse(data) as { done: number };
        if ((event === 'progress' || event === 'done') && run.done > 0) {
          return { millis: performance.now() - postedAt, done: run.done, events };
        }
      }
    }
    throw new Error('the events stream ended before any progress');
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

interface WaitSampler {
  stop(): Promise<BulkRunMeasure['waits']>;
}

/** Samples what the bench database's active backends are doing, every 100 ms. */
function sampleWaits(db: Kysely<DB>): WaitSampler {
  const counts = new Map<string, number>();
  const locks = new Map<string, number>();
  let samples = 0;
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const rows = await sql<{ event: string; lock: boolean; query: string }>`
        select coalesce(wait_event_type || ':' || wait_event, 'on CPU') as event,
               wait_event_type is not distinct from 'Lock' as lock, left(query, 200) as query
        from pg_stat_activity
        where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`
        .execute(db)
        .catch(() => ({ rows: [] as { event: string; lock: boolean; query: string }[] }));
      for (const row of rows.rows) {
        counts.set(row.event, (counts.get(row.event) ?? 0) + 1);
        if (row.lock) {
          const key = `${row.event}\u0000${statementKind(row.query)}`;
          locks.set(key, (locks.get(key) ?? 0) + 1);
        }
        samples += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      state.running = false;
      await loop;
      const share = (n: number) => (samples > 0 ? n / samples : 0);
      return {
        samples,
        byEvent: [...counts]
          .map(([event, n]) => ({ event, share: share(n) }))
          .sort((a, b) => b.share - a.share),
        lockWaits: [...locks]
          .map(([key, n]) => {
            const [lock = '', statement = ''] = key.split('\u0000');
            return { lock, statement, share: share(n) };
          })
          .sort((a, b) => b.share - a.share),
      };
    },
  };
}

async function bulkRun(
  context: Context,
  label: string,
  set: MemberSet,
  workers: Worker[],
  options: { watchProgress?: boolean; timeoutMs?: number } = {},
): Promise<BulkRunMeasure> {
  const { db } = context;
  await sql`checkpoint`.execute(db);
  const rssBefore = await Promise.all(workers.map((w) => memoryOf(w.pid)));
  const cpu0 = {
    workers: await Promise.all(workers.map((w) => cpuTicks(w.pid))),
    web: await cpuTicks(context.webPid),
    postgres: await postgresTicks(context.databaseName),
  };
  const outputAt = workers.map((w) => w.proc.output().length);
  const waits = sampleWaits(db);
  const polledRss = workers.map(() => 0);
  const rss = { polling: true };
  const rssLoop = (async () => {
    while (rss.polling) {
      const memories = await Promise.all(workers.map((w) => memoryOf(w.pid)));
      memories.forEach((m, i) => (polledRss[i] = Math.max(polledRss[i] ?? 0, m.rssMb)));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  const postedAtWall = Date.now();
  const postedAt = performance.now();
  const response = await fetch(`${context.base}/api/bulk-syncs`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: context.cookie,
      'x-csrf-token': context.csrfToken,
    },
    body: JSON.stringify({ action: 'sync_settings', teamId: set.teamId }),
  });
  const acceptMillis = performance.now() - postedAt;
  if (response.status !== 202) {
    throw new Error(`POST /api/bulk-syncs: ${response.status} ${await response.text()}`);
  }
  const created = (await response.json()) as { id: string; total: number };
  if (created.total !== set.ids.length) {
    throw new Error(`the run has ${created.total} members, the team ${set.ids.length}`);
  }
  const progress = options.watchProgress ? firstProgress(context, created.id, postedAt) : undefined;

  const deadline = Date.now() + (options.timeoutMs ?? RUN_TIMEOUT_MS);
  let timedOut = false;
  let run: {
    status: string;
    done: number;
    applied: number;
    unchanged: number;
    failed: number;
    started_at: Date | null;
    finished_at: Date | null;
  };
  for (;;) {
    const rows = await sql<typeof run>`
      select status, done, applied, unchanged, failed, started_at,
             coalesce(finished_at, case when ${timedOut} then clock_timestamp() end) as finished_at
      from bulk_runs where id = ${created.id}::uuid`.execute(db);
    const row = rows.rows[0];
    if (!row) throw new Error(`bulk run ${created.id} not found`);
    run = row;
    if (row.finished_at) break;
    if (Date.now() > deadline) {
      // Measured on the members done by now; the rest is cancelled so the next run starts clean.
      timedOut = true;
      await fetch(`${context.base}/api/bulk-syncs/${created.id}/cancel`, {
        method: 'POST',
        headers: { cookie: context.cookie, 'x-csrf-token': context.csrfToken },
      });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (timedOut) {
    // Let the cancelled run settle before the next one.
    for (let i = 0; i < 600; i += 1) {
      const left = await sql<{ finished: boolean }>`
        select finished_at is not null as finished from bulk_runs where id = ${created.id}::uuid`.execute(
        db,
      );
      if (left.rows[0]?.finished) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const codes = await sql<{ code: string; n: number }>`
    select coalesce(error_code, '?') as code, count(*)::int as n from bulk_run_members
    where run_id = ${created.id}::uuid and status = 'failed' group by 1`.execute(db);
  const first = await progress;
  rss.polling = false;
  await rssLoop;
  const waitShares = await waits.stop();
  const cpu1 = {
    workers: await Promise.all(workers.map((w) => cpuTicks(w.pid))),
    web: await cpuTicks(context.webPid),
    postgres: await postgresTicks(context.databaseName),
  };
  const memories = await Promise.all(workers.map((w) => memoryOf(w.pid)));
  const web = await memoryOf(context.webPid);

  const history = await sql<{ entries: number; text: number; stored: number }>`
    select count(*)::int as entries,
           coalesce(avg(octet_length(result::text) + coalesce(octet_length(snapshot::text), 0)), 0)::float8 as text,
           coalesce(avg(pg_column_size(result) + coalesce(pg_column_size(snapshot), 0)), 0)::float8 as stored
    from sync_runs where bulk_run_id = ${created.id}::uuid`.execute(db);
  const batchTimes: number[] = [];
  const perWorker = workers.map((w, i) => {
    const lines = w.proc
      .output()
      .slice(outputAt[i] ?? 0)
      .split('\n')
      .filter((l) => l.includes('bulk batch done') && l.includes(created.id));
    for (const line of lines) {
      try {
        batchTimes.push((JSON.parse(line) as { ms: number }).ms);
      } catch {
        // not a JSON log line
      }
    }
    return lines.length;
  });
  const totalMillis = (run.finished_at?.getTime() ?? Number.NaN) - postedAtWall;
  return {
    label,
    workers: workers.length,
    members: timedOut ? run.done : set.ids.length,
    status: timedOut ? `timed out (${run.done} of ${set.ids.length} done)` : run.status,
    done: run.done,
    failedCodes: Object.fromEntries(codes.rows.map((r) => [r.code, r.n])),
    timedOut,
    workerRssBeforeMb: rssBefore.map((m) => m.rssMb),
    applied: run.applied,
    unchanged: run.unchanged,
    failed: run.failed,
    acceptMillis,
    startMillis: (run.started_at?.getTime() ?? Number.NaN) - postedAtWall,
    totalMillis,
    membersPerSecond: (timedOut ? run.done : set.ids.length) / (totalMillis / 1000),
    batches: {
      count: batchTimes.length,
      p50: median(batchTimes),
      p95: percentile(batchTimes, 95),
      max: Math.max(...batchTimes),
      perWorker,
    },
    cpu: {
      workers: workers.map(
        (_, i) => ((cpu1.workers[i] ?? 0) - (cpu0.workers[i] ?? 0)) / TICKS_PER_SECOND,
      ),
      web: (cpu1.web - cpu0.web) / TICKS_PER_SECOND,
      postgres: ticksBetween(cpu0.postgres.own, cpu1.postgres.own),
      postgresBackground: ticksBetween(cpu0.postgres.background, cpu1.postgres.background),
    },
    waits: waitShares,
    workerPeakRssMb: memories.map((m) => m.hwmMb),
    workerPolledRssMb: polledRss,
    webPeakRssMb: web.hwmMb,
    history: {
      entries: history.rows[0]?.entries ?? 0,
      textKiB: (history.rows[0]?.text ?? 0) / 1024,
      storedKiB: (history.rows[0]?.stored ?? 0) / 1024,
    },
    ...(first ? { firstProgress: first } : {}),
  };
}

function describeRun(m: BulkRunMeasure): string {
  const seconds = m.totalMillis / 1000;
  const cpu = m.cpu;
  return (
    `${m.label}: ${m.members} members, ${m.workers} worker${m.workers > 1 ? 's' : ''}, ` +
    `${m.status} (${m.applied} applied, ${m.unchanged} unchanged, ${m.failed} failed` +
    (m.failed > 0 ? ` ${JSON.stringify(m.failedCodes)}` : '') +
    `) in ` +
    `${seconds.toFixed(1)} s = ${m.membersPerSecond.toFixed(1)} members/s; 202 after ` +
    `${ms(m.acceptMillis)} ms, first batch started at ${ms(m.startMillis)} ms; ${m.batches.count} ` +
    `batches (${m.batches.perWorker.join(' + ')}), p50 ${ms(m.batches.p50)} ms, p95 ` +
    `${ms(m.batches.p95)} ms; CPU s: worker ${cpu.workers.map((c) => c.toFixed(1)).join(' + ')}, ` +
    `PostgreSQL ${cpu.postgres.toFixed(1)} (+${cpu.postgresBackground.toFixed(1)} background), ` +
    `web ${cpu.web.toFixed(1)} = ${((cpu.workers.reduce((a, b) => a + b, 0) + cpu.postgres + cpu.postgresBackground + cpu.web) / seconds).toFixed(2)} cores busy; ` +
    `worker RSS ${m.workerRssBeforeMb.map((x) => x.toFixed(0)).join(', ')} MB before, peak ` +
    `${m.workerPeakRssMb.map((x) => x.toFixed(0)).join(', ')} MB`
  );
}

function describeWaits(m: BulkRunMeasure): string {
  const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
  const locks = m.waits.lockWaits.slice(0, 4);
  return (
    m.waits.byEvent
      .slice(0, 6)
      .map((w) => `${w.event} ${percent(w.share)}`)
      .join(', ') +
    (locks.length > 0
      ? `; lock waits: ${locks.map((l) => `${l.lock} in ${l.statement} ${percent(l.share)}`).join(', ')}`
      : '')
  );
}

// ---------------------------------------------------------------------------------------------

/** Seeds, starts a web process and worker processes, runs and measures; stops everything. */
export async function benchBulk(
  serverUrl: string,
  say: (line: string) => void,
  sameValues: SameValues,
  realistic: ListSizes,
): Promise<BulkReport> {
  const begin = performance.now();
  const { database, name } = await openMeteredPostgres(serverUrl, '_bulk');
  const { db } = database;
  const uow = createUnitOfWork(db);
  const secret = randomBytes(32);
  const keyring = createKeyring(secret);
  const processes: AppProcess[] = [];
  try {
    let start = performance.now();
    const setSpecs = [
      { key: 'run', count: BULK_MEMBERS },
      { key: 'floor', count: BULK_MEMBERS },
      { key: 't1a', count: THROUGHPUT_MEMBERS },
      { key: 't2a', count: THROUGHPUT_MEMBERS },
      { key: 't2b', count: THROUGHPUT_MEMBERS },
      { key: 't1b', count: THROUGHPUT_MEMBERS },
    ];
    const { email, adminId, sets } = await seed(db, uow, keyring, realistic, setSpecs);
    const seedSeconds = (performance.now() - start) / 1000;
    const setOf = (key: string): MemberSet => {
      const set = sets.get(key);
      if (!set) throw new Error(`set ${key} not seeded`);
      return set;
    };
    say(
      `[bulk] seeded ${setSpecs.map((s) => `${s.count} (${s.key})`).join(' + ')} members set-based ` +
        `in ${seedSeconds.toFixed(1)} s; admin: ${describeSizes(realistic)}`,
    );

    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const env = {
      DATABASE_URL: url.toString(),
      HOST: '127.0.0.1',
      PORT: '0',
      ERGO_DEMO: '0',
      ERGO_CRM_EMULATORS: '0',
      ERGO_SECRET_KEY: secret.toString('base64'),
      LOG_LEVEL: 'info',
    };
    // A diagnosis knob, unset in the recorded runs: e.g. --max-old-space-size=256 for the workers.
    const workerNodeOptions = process.env.BENCH_BULK_WORKER_NODE_OPTIONS;
    const web = startApp({ ...env, ERGO_ROLE: 'web', LOG_LEVEL: 'warn' });
    processes.push(web);
    const base = await web.url();
    const startWorkerProcess = async (): Promise<Worker> => {
      const proc = startWorker({
        ...env,
        ...(workerNodeOptions ? { NODE_OPTIONS: workerNodeOptions } : {}),
      });
      processes.push(proc);
      await proc.ready();
      if (!proc.child.pid) throw new Error('worker has no pid');
      return { proc, pid: proc.child.pid };
    };
    const first = await startWorkerProcess();
    const session = await login(base, email);
    const context: Context = {
      db,
      databaseName: name,
      web,
      webPid: web.child.pid ?? 0,
      base,
      ...session,
    };

    // 1. The 10,000-member run against the floor (floor first: the run's writes would otherwise
    //    leave it a checkpoint and dirtier tables). A CHECKPOINT precedes each.
    const floorSet = setOf('floor');
    await sql`checkpoint`.execute(db);
    start = performance.now();
    const floorStatements = await floorCopyMany(db, adminId, floorSet.ids, CATEGORIES);
    const floorMillis = performance.now() - start;
    say(
      `[bulk] floor: ${floorSet.ids.length} members in one transaction, ${floorStatements} ` +
        `statements, ${(floorMillis / 1000).toFixed(1)} s`,
    );
    const run = await bulkRun(context, 'run', setOf('run'), [first], { watchProgress: true });
    say(`[bulk] ${describeRun(run)}`);
    say(`[bulk]   database backends: ${describeWaits(run)}`);
    say(
      `[bulk]   history: ${run.history.entries} entries, ${run.history.textKiB.toFixed(0)} KiB of JSON ` +
        `each (${run.history.storedKiB.toFixed(0)} KiB stored); worker peak RSS ` +
        `${run.workerPeakRssMb.map((x) => x.toFixed(0)).join(', ')} MB`,
    );

    // 2. The floor's equality check on sampled pairs.
    const runSet = setOf('run');
    const picks = Array.from({ length: EQUALITY_SAMPLES }, (_, i) =>
      Math.floor((i * (runSet.ids.length - 1)) / Math.max(1, EQUALITY_SAMPLES - 1)),
    );
    let equal = 0;
    for (const i of picks) {
      const a = runSet.ids[i];
      const b = floorSet.ids[i];
      if (a && b && (await sameValues(uow, a, b, keyring))) equal += 1;
    }
    say(`[bulk] floor equality: ${equal}/${picks.length} sampled pairs hold the same values`);

    // 3. 1 worker, 2 workers, 2 workers, 1 worker, each on its own set of the same size.
    const runs: BulkRunMeasure[] = [];
    const limit = { timeoutMs: THROUGHPUT_TIMEOUT_MS };
    runs.push(await bulkRun(context, 'throughput 1', setOf('t1a'), [first], limit));
    say(`[bulk] ${describeRun(runs.at(-1) as BulkRunMeasure)}`);
    const second = await startWorkerProcess();
    for (const key of ['t2a', 't2b']) {
      runs.push(await bulkRun(context, 'throughput 2', setOf(key), [first, second], limit));
      say(`[bulk] ${describeRun(runs.at(-1) as BulkRunMeasure)}`);
      say(`[bulk]   database backends: ${describeWaits(runs.at(-1) as BulkRunMeasure)}`);
    }
    await stopProcess(second.proc);
    runs.push(await bulkRun(context, 'throughput 1', setOf('t1b'), [first], limit));
    say(`[bulk] ${describeRun(runs.at(-1) as BulkRunMeasure)}`);
    say(`[bulk]   database backends: ${describeWaits(runs.at(-1) as BulkRunMeasure)}`);

    const rate = (workers: number) => {
      const of = runs.filter((r) => r.workers === workers);
      const members = of.reduce((sum, r) => sum + r.members, 0);
      const seconds = of.reduce((sum, r) => sum + r.totalMillis / 1000, 0);
      return members / seconds;
    };
    const oneWorker = rate(1);
    const twoWorkers = rate(2);
    return {
      members: BULK_MEMBERS,
      throughputMembers: THROUGHPUT_MEMBERS,
      batchSize: WORKER_DEFAULTS.batchSize,
      concurrency: WORKER_DEFAULTS.workerConcurrency,
      sourceSizes: realistic,
      memberSizes: MEMBER_SIZES,
      categories: [...CATEGORIES],
      seedSeconds,
      run,
      floor: {
        millis: floorMillis,
        statements: floorStatements,
        membersPerSecond: floorSet.ids.length / (floorMillis / 1000),
      },
      order: 'floor first',
      ratio: run.totalMillis / floorMillis,
      equality: { samples: picks.length, equal },
      throughput: { runs, oneWorker, twoWorkers, ratio: twoWorkers / oneWorker },
      firstProgressMillis: run.firstProgress?.millis ?? Number.NaN,
      workerPeakRssMb: Math.max(...run.workerPeakRssMb, ...run.workerPolledRssMb),
      seconds: (performance.now() - begin) / 1000,
    };
  } finally {
    for (const proc of processes.reverse()) await stopProcess(proc);
    await database.close();
  }
}

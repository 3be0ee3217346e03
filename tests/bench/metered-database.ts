import { Kysely, PostgresDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseEngine } from '#src/db/database.ts';
import { migrateToLatest } from '#src/db/migrator.ts';
import { PGliteDialect } from '#src/db/pglite-dialect.ts';
import type { DB } from '#src/db/schema.ts';

/**
 * Counts and times every statement a Kysely instance sends, BEGIN/COMMIT included: Kysely's `log`
 * hook wraps the connection itself, so the driver's own transaction statements pass through it
 * too (a plugin would only see the statements built by query builders).
 */
export class StatementMeter {
  active = false;
  count = 0;
  readonly byKind = new Map<string, { count: number; millis: number }>();

  readonly log = (event: LogEvent): void => {
    if (!this.active) return;
    this.count += 1;
    const kind = statementKind(event.query.sql);
    const entry = this.byKind.get(kind) ?? { count: 0, millis: 0 };
    entry.count += 1;
    entry.millis += event.queryDurationMillis;
    this.byKind.set(kind, entry);
  };

  reset(): void {
    this.count = 0;
    this.byKind.clear();
  }

  /** Adds what was counted since the last reset to `totals`, then resets. */
  drainInto(totals: Map<string, { count: number; millis: number }>): void {
    for (const [kind, v] of this.byKind) {
      const entry = totals.get(kind) ?? { count: 0, millis: 0 };
      entry.count += v.count;
      entry.millis += v.millis;
      totals.set(kind, entry);
    }
    this.reset();
  }

  /** Runs `work` with the meter on, from zero; returns what it counted. */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
    this.reset();
    this.active = true;
    try {
      const result = await work();
      return { result, statements: this.count };
    } finally {
      this.active = false;
    }
  }
}

/** `insert into custom_properties`, `select from users`, `begin`, `select pg_advisory_xact_lock`… */
export function statementKind(text: string): string {
  const s = text.trim().replace(/\s+/g, ' ').toLowerCase();
  const insert = /^insert into "?(\w+)"?/.exec(s);
  if (insert) return `insert into ${insert[1] ?? '?'}`;
  const update = /^update "?(\w+)"?/.exec(s);
  if (update) return `update ${update[1] ?? '?'}`;
  const del = /^delete from "?(\w+)"?/.exec(s);
  if (del) return `delete from ${del[1] ?? '?'}`;
  if (s.startsWith('select')) {
    const from = /\bfrom "?(\w+)"?/.exec(s);
    if (from)
      return `select from ${from[1] ?? '?'}${s.includes(' for update') ? ' for update' : ''}`;
    const call = /^select (\w+)\(/.exec(s);
    return `select ${call?.[1] ?? '…'}`;
  }
  return s.split(' ')[0] ?? s;
}

export interface MeteredDatabase {
  engine: DatabaseEngine;
  db: Kysely<DB>;
  meter: StatementMeter;
  /** What the engine says it is (`select version()`). */
  serverVersion: string;
  close(): Promise<void>;
}

/**
 * PGlite in memory, migrated. `openDatabase` has no `log` option, so a second Kysely with the
 * meter is put over the same PGlite instance and is the only one used (the first one's driver is
 * never touched, so its lock never competes with ours).
 */
export async function openMeteredPglite(): Promise<MeteredDatabase> {
  const base = await openDatabase({ engine: 'pglite' });
  if (!base.pglite) throw new Error('openDatabase returned no PGlite instance');
  const meter = new StatementMeter();
  const db = new Kysely<DB>({ dialect: new PGliteDialect(base.pglite), log: meter.log });
  await migrateToLatest(db);
  return {
    engine: 'pglite',
    db,
    meter,
    serverVersion: await versionOf(db),
    close: async () => {
      await db.destroy();
      await base.close();
    },
  };
}

const INT8_OID = 20;

export interface PostgresBench {
  database: MeteredDatabase;
  name: string;
}

/**
 * A fresh database `ergo_bench_<pid><suffix>` on the server at `url`, migrated, with a metered
 * pool built like `openDatabase` builds its own (int8 read as a JS number). `close` drops it.
 */
export async function openMeteredPostgres(url: string, suffix = ''): Promise<PostgresBench> {
  const name = `ergo_bench_${process.pid}${suffix}`;
  // A database of this name can only be a leftover of an interrupted run with the same pid.
  await adminQuery(url, `drop database if exists ${name} with (force)`);
  await adminQuery(url, `create database ${name}`);
  dropOnExit.add({ url, name });
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, 'text', Number);
  const pool = new pg.Pool({ connectionString: dbUrl.toString(), max: 10, types });
  // An idle pooled connection can still be closing when the database is dropped (with force,
  // which ends it from the server side); pg reports that on the pool, where it is harmless.
  pool.on('error', () => undefined);
  const meter = new StatementMeter();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: meter.log });
  const close = async (): Promise<void> => {
    await db.destroy();
    await dropDatabase(url, name);
  };
  try {
    await migrateToLatest(db);
    return {
      name,
      database: { engine: 'postgres', db, meter, serverVersion: await versionOf(db), close },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Databases still to drop if the process is interrupted. */
const dropOnExit = new Set<{ url: string; name: string }>();

async function dropDatabase(url: string, name: string): Promise<void> {
  await adminQuery(url, `drop database if exists ${name} with (force)`);
  for (const entry of dropOnExit) if (entry.name === name) dropOnExit.delete(entry);
}

/** On Ctrl-C, drop what this run created before leaving. */
export function dropDatabasesOnInterrupt(): void {
  process.once('SIGINT', () => {
    console.log('interrupted: dropping the bench database…');
    // Dropping with (force) ends our own pooled connections, and pg reports that as an error
    // event on the clients in use; the process is ending, so those errors no longer matter.
    process.on('uncaughtException', () => undefined);
    void Promise.allSettled(
      [...dropOnExit].map((entry) => dropDatabase(entry.url, entry.name)),
    ).finally(() => process.exit(130));
  });
}

/** Whether the server answers; the reason when it does not. */
export async function probePostgres(
  url: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: describeError(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function versionOf(db: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ version: string }>`select version() as version`.execute(db);
  return rows[0]?.version ?? 'unknown';
}

/** Node reports a refused connection to `localhost` as an AggregateError with an empty message. */
function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeError))].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return error.message || (typeof code === 'string' ? code : error.name);
  }
  return String(error);
}

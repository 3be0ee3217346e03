import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import { isDatabaseUnavailable } from '#src/db/connection-errors.ts';
import type { DB } from '#src/db/schema.ts';
import { PGliteDialect } from '#src/db/pglite-dialect.ts';

export type DatabaseEngine = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  engine: DatabaseEngine;
  /** The embedded instance (PGlite only): tests dump it as a template. */
  pglite?: PGlite;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { engine: 'pglite'; dataDir?: string; loadDataDir?: Blob }
  | {
      engine: 'postgres';
      url: string;
      maxConnections?: number;
      /** Milliseconds to wait for a connection before the request fails (503). */
      connectionTimeoutMs?: number;
      /** A connection the server ended, idle or in use; the pool replaces it on next use. */
      onConnectionError?: (error: Error) => void;
    };

const INT8_OID = 20;

function int8AsNumber(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, 'text', Number);
  return types;
}

/**
 * Opens the database. PGlite: on-disk under `dataDir` (in memory when omitted), optionally from
 * a dumped data dir (test templates). PostgreSQL: a `pg` pool. Both engines return int8 as a JS
 * number (ids stay far below 2^53), so repositories see the same types on either.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.engine === 'pglite') {
    if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
    const pglite = await PGlite.create({
      // Trigram indexes for the member search (migration 20261201210000_member_list_scale).
      extensions: { pg_trgm },
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
    const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
    const close = async (): Promise<void> => {
      // Kysely only destroys a driver it has used; close PGlite ourselves in every case.
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    };
    return { db, engine: 'pglite', pglite, close };
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    types: int8AsNumber(),
  });
  // A client whose connection the server ends (pg_terminate_backend, restart, failover) emits
  // 'error'. The pool listens only while a client is idle; a client checked out by a request has
  // no listener, and an unhandled 'error' would crash the process. So every client gets its own
  // listener for its whole life: the query in flight rejects (→ 503 database_unavailable, the
  // server rolled its transaction back) and the pool drops the dead client when it is released.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onConnectionError?.(error));
  });
  pool.on('error', (error) => {
    options.onConnectionError?.(error);
  });
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({
      pool: withPreparedStatements(pool, options.maxConnections ?? 10),
    }),
  });
  return { db, engine: 'postgres', close: () => db.destroy() };
}

/** The marker that makes a statement a named prepared statement on PostgreSQL: `/* prepared:<name> *\/`. */
const PREPARED = /^\/\* prepared:([a-z_]+) \*\//;

/**
 * Statements that start with `/* prepared:<name> *\/` run as named prepared statements: parsed
 * and planned once per connection instead of on every call. For the few statements every request
 * runs (the session lookup), where planning a join costs more than running it
 * (measured in docs/benchmarks.md). A name must always carry the same text. PGlite runs in the
 * process and ignores the marker (it is a comment).
 *
 * A checked-out connection whose first statement fails because the connection is gone (the
 * server ended it while it sat idle, and the pool had not heard yet: pg_terminate_backend, a
 * restart) is dropped and that statement sent again on another connection, when nothing can
 * have been written by it: `begin` (the start of a transaction) or a read. Any other statement,
 * and every later one, fails as before (503 database_unavailable).
 */
function withPreparedStatements(pool: pg.Pool, maxRetries: number): PostgresPool {
  const send = (client: pg.PoolClient, text: string, values?: unknown[]) => {
    const name = PREPARED.exec(text)?.[1];
    return name === undefined
      ? client.query(text, values)
      : client.query({ name, text, ...(values ? { values } : {}) });
  };
  return {
    connect: async () => {
      // null once released: a replacement that could not be had leaves nothing to release.
      let client: pg.PoolClient | null = await pool.connect();
      let first = true;
      return {
        query: async (text: string, values?: unknown[]) => {
          if (!client) throw new Error('query on a released connection');
          if (!first) return send(client, text, values);
          first = false;
          // Every idle connection may be dead at once: try as many as the pool holds, then one
          // new one (a server that is down fails at connect and ends the loop).
          for (let attempt = 0; ; attempt += 1) {
            try {
              return await send(client, text, values);
            } catch (error) {
              if (!isDatabaseUnavailable(error) || !writesNothing(text) || attempt > maxRetries) {
                throw error;
              }
              client.release(error as Error); // destroyed, not returned to the pool
              client = null;
              client = await pool.connect();
            }
          }
        },
        release: () => {
          client?.release();
          client = null;
        },
      } as unknown as pg.PoolClient;
    },
    end: () => pool.end(),
  };
}

/** `begin`, or a plain `select` (no data-modifying CTE can precede it). */
const WRITES_NOTHING = /^(?:\/\* prepared:[a-z_]+ \*\/\s*)?(?:begin\b|select\b)/i;

function writesNothing(text: string): boolean {
  return WRITES_NOTHING.test(text.trimStart());
}

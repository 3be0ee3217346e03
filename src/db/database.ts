import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
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
      onIdleError?: (error: Error) => void;
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
    types: int8AsNumber(),
  });
  // An idle client whose connection the server ends (restart, failover, DROP DATABASE … FORCE)
  // emits 'error' on the pool; unhandled, that would crash the process. The pool replaces the
  // client on next use, and the query that needs it reports any real failure.
  pool.on('error', (error) => {
    options.onIdleError?.(error);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'postgres', close: () => db.destroy() };
}

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '#src/db/database.ts';
import { migrateToLatest } from '#src/db/migrator.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplatePath: string;
    postgresTemplateDatabase: string;
  }
}

/**
 * Builds one migrated database per run and per engine; each test file then gets a copy
 * (ADR 0004). A fresh PGlite takes seconds to start; loading a dumped data dir is much faster.
 * PostgreSQL copies a template database with CREATE DATABASE … TEMPLATE.
 */
export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  const engine = project.config.env.ERGO_TEST_ENGINE;
  if (engine === 'postgres') return setupPostgres(project);
  const dir = path.resolve('.tmp/test-templates');
  await mkdir(dir, { recursive: true });
  const database = await openDatabase({ engine: 'pglite' });
  try {
    await migrateToLatest(database.db);
    const dump = await database.pglite?.dumpDataDir('none');
    if (!dump) throw new Error('PGlite did not dump its data dir');
    const file = path.join(dir, `pglite-${process.pid}.tar`);
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
    project.provide('pgliteTemplatePath', file);
  } finally {
    await database.close();
  }
  return undefined;
}

async function setupPostgres(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const template = `ergo_test_tpl_${process.pid}`;
  await adminQuery(url, [`drop database if exists ${template}`, `create database ${template}`]);
  const templateUrl = new URL(url);
  templateUrl.pathname = `/${template}`;
  const database = await openDatabase({ engine: 'postgres', url: templateUrl.toString() });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  project.provide('postgresTemplateDatabase', template);
  return async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>(
        `select datname from pg_database where datname like $1`,
        [`ergo_test_%${process.pid}%`],
      );
      for (const row of rows)
        await client.query(`drop database if exists ${row.datname} with (force)`);
    } finally {
      await client.end();
    }
  };
}

async function adminQuery(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

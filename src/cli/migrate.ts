import { loadConfig } from '#src/config/config.ts';
import { openDatabase } from '#src/db/database.ts';
import { migrateToLatest } from '#src/db/migrator.ts';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
const parsed = loadConfig(process.env);
if (!parsed.ok) {
  console.error(`invalid configuration\n${parsed.errors.map((e) => `  - ${e}`).join('\n')}`);
  process.exit(1);
}
const { database: target } = parsed.config;
const database =
  target.engine === 'pglite'
    ? await openDatabase({ engine: 'pglite', dataDir: target.dataDir })
    : await openDatabase({ engine: 'postgres', url: target.url });
try {
  const applied = await migrateToLatest(database.db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply');
} finally {
  await database.close();
}

import { loadConfig } from '#src/config/config.ts';
import { createLogger } from '#src/config/logger.ts';
import { loadKeyring } from '#src/config/secret-key.ts';
import { openDatabase } from '#src/db/database.ts';
import { migrateToLatest } from '#src/db/migrator.ts';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { resealSecrets } from '#src/services/secrets/reseal-secrets.service.ts';

/**
 * `npm run rotate-secrets [-- --dry-run]`: re-seals every CRM secret still sealed under a
 * previous key (ERGO_SECRET_KEYS_PREVIOUS) under ERGO_SECRET_KEY, then says whether the previous
 * keys may be removed. `--dry-run` only counts the sealed rows per key. Safe to run while the app
 * serves traffic, and again after a stop. Exit code 0: nothing is left under a previous key;
 * 1: some rows could not be opened (their key is not configured) or the run failed.
 */
const dryRun = process.argv.includes('--dry-run');
const parsed = loadConfig(process.env);
if (!parsed.ok) {
  console.error(`invalid configuration\n${parsed.errors.map((e) => `  - ${e}`).join('\n')}`);
  process.exit(1);
}
const { config } = parsed;
const logger = createLogger({ ...config, logLevel: 'warn' });
const keyring = await loadKeyring(config, logger);
const database =
  config.database.engine === 'pglite'
    ? await openDatabase({ engine: 'pglite', dataDir: config.database.dataDir })
    : await openDatabase({ engine: 'postgres', url: config.database.url });
let exitCode = 0;
try {
  await migrateToLatest(database.db);
  const uow = createUnitOfWork(database.db);
  const current = keyring.current.id;
  const before = await uow.read.sealedSecrets.countByKey();
  console.log(`current key ${current}`);
  for (const row of before) {
    const which =
      row.keyId === current
        ? 'current'
        : keyring.byId.has(row.keyId)
          ? 'previous'
          : 'not configured';
    console.log(`  ${row.table}: ${row.rows} sealed under ${row.keyId} (${which})`);
  }
  if (!dryRun) {
    const result = await resealSecrets(uow, keyring);
    for (const t of result.tables) {
      console.log(`${t.table}: ${t.resealed} re-sealed, ${t.unreadable} unreadable`);
    }
    if (result.fingerprinted > 0) {
      console.log(`CRM key fingerprints recomputed: ${result.fingerprinted}`);
    }
  }
  const left = (await uow.read.sealedSecrets.countByKey()).filter((r) => r.keyId !== current);
  if (left.length === 0) {
    console.log('Every secret is sealed under the current key: previous keys may be removed.');
  } else {
    const rows = left.reduce((sum, r) => sum + r.rows, 0);
    const keys = [...new Set(left.map((r) => r.keyId))].join(', ');
    console.log(
      dryRun
        ? `${rows} rows would be re-sealed (keys ${keys}).`
        : `${rows} rows are still sealed under ${keys}: add that key to ERGO_SECRET_KEYS_PREVIOUS and run again.`,
    );
    if (!dryRun) exitCode = 1;
  }
} finally {
  await database.close();
}
process.exit(exitCode);

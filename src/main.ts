import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '#src/config/config.ts';
import { createLogger } from '#src/config/logger.ts';
import { loadKeyring } from '#src/config/secret-key.ts';
import { openDatabase, type Database } from '#src/db/database.ts';
import { createReadinessCheck } from '#src/db/health.ts';
import { migrateToLatest } from '#src/db/migrator.ts';
import { DEMO_CRM_ACCOUNTS, DEMO_ORGANIZATIONS, DEMO_PASSWORD } from '#src/db/seed/demo-data.ts';
import { buildApp } from '#src/http/app.ts';
import { CRM_KEYS } from '#src/domain/crm.ts';
import { createConnectorFactory } from '#src/integrations/crm/crm-connectors.ts';
import { createOAuthProviders } from '#src/integrations/crm/oauth/oauth-providers.ts';
import type { RunningEmulators } from '#emulators/start-emulators.ts';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { backfillFingerprints } from '#src/services/crm-connections/crm-connection.service.ts';
import { publishAuditChainHeads } from '#src/services/audit/audit-read.service.ts';
import { seedDemo } from '#src/services/demo/seed-demo.service.ts';
import { DEFAULT_IDEMPOTENCY_POLICY } from '#src/services/idempotency/idempotency.service.ts';
import { createInProcessQueue, createPgBossQueue } from '#src/jobs/job-queue.ts';
import { processBulkBatch } from '#src/services/bulk/bulk-sync.service.ts';
import {
  databaseAccountLock,
  inProcessAccountLock,
} from '#src/services/crm-connections/account-lock.ts';
import { budgetedFetch } from '#src/services/crm-connections/rate-budget.ts';
import { createOutboxMailer } from '#src/services/mail/outbox-mailer.ts';
import { startDigestTimer } from '#src/services/notifications/digest.service.ts';
import { createSmtpMailer } from '#src/services/mail/smtp-mailer.ts';

/**
 * Composition root: config → logger → keyring → database (migrated) → demo seed → HTTP.
 * `npm start` runs this file.
 */
async function main(): Promise<void> {
  const parsed = loadConfig(process.env);
  if (!parsed.ok) {
    console.error(
      `Ergo Admin cannot start: invalid configuration\n${parsed.errors.map((e) => `  - ${e}`).join('\n')}`,
    );
    process.exit(1);
  }
  const config = parsed.config;
  const logger = createLogger(config);
  const version = await readVersion();
  const keyring = await loadKeyring(config, logger);

  let database: Database;
  try {
    database =
      config.database.engine === 'pglite'
        ? await openDatabase({ engine: 'pglite', dataDir: config.database.dataDir })
        : await openDatabase({
            engine: 'postgres',
            url: config.database.url,
            onConnectionError: (error) => {
              logger.warn(
                { reason: error.message },
                'a database connection was closed by the server; the pool replaces it',
              );
            },
          });
    const applied = await migrateToLatest(database.db);
    logger.info({ engine: database.engine, applied }, 'database ready');
  } catch (error) {
    console.error(
      `Ergo Admin cannot start: the database is not reachable or could not be migrated.\n  ${describe(error, config)}`,
    );
    process.exit(1);
  }

  const uow = createUnitOfWork(database.db);
  // Idempotency-Keys past their 24 hours: already reusable, deleted here so the table stays small.
  const expiredKeys = await uow.read.idempotency.deleteExpired(new Date());
  if (expiredKeys > 0) logger.info({ expiredKeys }, 'expired Idempotency-Keys deleted');
  if (database.engine === 'pglite') {
    // One process owns the embedded database: a claim still in progress belongs to a process
    // that died (kill -9, power loss), so its retry may run now rather than after the lease.
    const ended = await uow.read.idempotency.endAllLeases();
    if (ended > 0) logger.info({ ended }, 'Idempotency-Key claims of the previous run released');
  }
  const backfill = await backfillFingerprints(uow.read, keyring);
  if (backfill.fingerprinted > 0) logger.info(backfill, 'CRM key fingerprints computed');
  if (backfill.unreadable > 0) {
    logger.warn(
      backfill,
      'some CRM keys were sealed under a key not in ERGO_SECRET_KEY / ERGO_SECRET_KEYS_PREVIOUS',
    );
  }
  if (config.demo && config.role !== 'worker') {
    const seeded = await seedDemo(uow, keyring);
    logger.info(seeded, seeded.created ? 'demo data created' : 'demo data already present');
  }
  // The audit chain heads, at start and hourly (issue 15, docs/audit.md): an operator ships these
  // log lines elsewhere, which is what detects removal of the newest entries. Web-only processes
  // leave it to the worker (or all-in-one) process, so a farm logs each head once an hour.
  if (config.role !== 'web') {
    publishAuditChainHeads(uow.read, logger);
  }

  // Demo mode (all-in-one only, see config.ts): the five CRM emulators run in-process on free
  // ports, know the demo's CRM users and keys, and every CRM's base URL points at them (an
  // ERGO_CRM_<NAME>_URL still wins), so Sync CRM works end to end without the internet. They are
  // test and demo tooling outside src/, loaded only here. A web or worker process starts none:
  // its CRM base URLs come from configuration.
  let emulators: RunningEmulators | undefined;
  const crmBaseUrls = { ...config.crm.baseUrls };
  const oauthClients = { ...config.crm.oauthClients };
  if (config.crm.startEmulators) {
    try {
      const { startEmulators } = await import('#emulators/start-emulators.ts');
      // "Connect <CRM>" works offline too: each emulator registers a demo OAuth client (a fresh
      // secret per start) unless a real one is configured for that CRM.
      const accounts = Object.fromEntries(
        CRM_KEYS.map((crm) => {
          const client = oauthClients[crm] ?? {
            clientId: `ergo-demo-${crm}`,
            clientSecret: randomBytes(24).toString('base64url'),
          };
          oauthClients[crm] = client;
          return [crm, { ...DEMO_CRM_ACCOUNTS[crm], oauthClients: [client] }];
        }),
      );
      emulators = await startEmulators({ accounts });
      Object.assign(crmBaseUrls, emulators.urls, config.crm.baseUrls);
      logger.info({ urls: emulators.urls }, 'CRM emulators started');
    } catch (error) {
      logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'CRM emulators not started: Sync CRM calls the vendors the keys name (and fails offline)',
      );
    }
  }
  // Every CRM request takes from its account's rate budget, kept in the database and so shared
  // by every process (src/services/crm-connections/rate-budget.ts).
  const connectorFor = createConnectorFactory({
    baseUrls: crmBaseUrls,
    fetchFor: (credentials) => budgetedFetch(uow.read, keyring, credentials),
  });
  // "Connect <CRM>" and token refresh, for the CRMs with an OAuth client (ADR 0014).
  const oauth = createOAuthProviders(oauthClients, { baseUrls: crmBaseUrls });
  logger.info(
    { oauth: Object.keys(oauth), pasteInOnly: CRM_KEYS.filter((c) => !oauth[c]) },
    'CRM OAuth clients',
  );

  // Bulk runs (ADR 0012): pg-boss on PostgreSQL; on the embedded database, the in-process runner,
  // which resumes at start whatever a previous process left pending.
  const queue =
    config.database.engine === 'pglite'
      ? createInProcessQueue({ logger, resume: () => uow.read.bulkRuns.unfinishedBatches() })
      : await createPgBossQueue({
          connectionString: config.database.url,
          logger,
          concurrency: config.bulk.workerConcurrency,
        });
  // Owner-property writes take turns per CRM account: across processes on PostgreSQL (an
  // advisory lock), within the one process that owns the embedded database.
  const accountLock =
    config.database.engine === 'pglite' ? inProcessAccountLock : databaseAccountLock(uow);
  const bulkDeps = {
    uow,
    keyring,
    connectorFor,
    accountLock,
    oauth,
    queue,
    batchSize: config.bulk.batchSize,
  };
  // Invitation mail and notification digests: SMTP when configured (required in production, see config.ts); otherwise the
  // mail outbox, which the dev-only page /dev/outbox shows.
  const smtpMailer = config.mail.smtp
    ? createSmtpMailer(config.mail.smtp.url, config.mail.smtp.from)
    : undefined;
  if (!smtpMailer && config.mode === 'production') {
    // loadConfig already refuses this; kept so the outbox can never serve production mail.
    console.error('Ergo Admin cannot start: ERGO_SMTP_URL is required in production.');
    process.exit(1);
  }
  const mailer = smtpMailer ?? createOutboxMailer(uow.read);
  logger.info(
    { mailer: mailer.kind },
    mailer.kind === 'smtp'
      ? 'invitation emails are sent over SMTP'
      : 'no SMTP configured: invitation emails go to the outbox at /dev/outbox',
  );

  // Notification digests (issue 16): mailed by the process that runs bulk batches.
  const stopDigests =
    config.role === 'web'
      ? () => undefined
      : startDigestTimer(
          { uow, mailer, publicUrl: config.publicUrl, logger },
          config.digestIntervalMs,
        );
  if (config.role !== 'web') {
    await queue.work(async (job, attempt) => {
      const started = performance.now();
      await processBulkBatch(bulkDeps, job, attempt);
      logger.info(
        {
          runId: job.runId,
          batch: job.batch,
          attempt,
          ms: Math.round(performance.now() - started),
        },
        'bulk batch done',
      );
    });
    logger.info(
      { queue: queue.kind, concurrency: config.bulk.workerConcurrency },
      'bulk worker started',
    );
  }
  if (config.role === 'worker') {
    const stopWorker = async (signal: string): Promise<void> => {
      logger.info({ signal }, 'worker shutting down: batches in progress finish first');
      const timer = setTimeout(() => process.exit(1), config.http.shutdownTimeoutMs);
      timer.unref();
      stopDigests();
      await queue.stop();
      await database.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stopWorker('SIGINT'));
    process.once('SIGTERM', () => void stopWorker('SIGTERM'));
    console.log(
      `Ergo Admin ${version} worker is running (database: ${database.engine}, queue: ${queue.kind})`,
    );
    return;
  }

  const app = await buildApp({
    logger,
    version,
    health: await createReadinessCheck(database),
    uow,
    keyring,
    connectorFor,
    accountLock,
    oauth,
    mailer,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    secureCookies: config.mode === 'production',
    trustProxy: config.http.trustProxy,
    idempotency: { policy: { ...DEFAULT_IDEMPOTENCY_POLICY, leaseMs: config.idempotencyLeaseMs } },
    demo: config.demo,
    queue,
    bulk: { batchSize: config.bulk.batchSize },
    webRoot: fileURLToPath(new URL('../dist/web', import.meta.url)),
  });
  // Graceful shutdown: stop accepting, let requests in flight finish (bounded), refuse new ones
  // with 503, then close the database. A sync in flight either commits or rolls back whole.
  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error(
        { timeoutMs: config.http.shutdownTimeoutMs },
        'requests still running at the shutdown deadline: exiting anyway',
      );
      process.exit(1);
    }, config.http.shutdownTimeoutMs);
    timer.unref();
    await app.close();
    stopDigests();
    await queue.stop();
    smtpMailer?.close();
    await emulators?.close();
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = `http://${config.http.host}:${port}`;
  const lines = [`Ergo Admin ${version} is running at ${url} (database: ${database.engine})`];
  if (config.demo) {
    lines.push(`Demo logins (password "${DEMO_PASSWORD}"):`);
    for (const org of DEMO_ORGANIZATIONS) {
      for (const user of org.users
        .filter((u) => u.role !== 'member')
        .concat(org.users.filter((u) => u.role === 'member').slice(0, 1))) {
        lines.push(`  ${user.email.padEnd(22)} ${org.name}, ${user.role.replace('_', ' ')}`);
      }
    }
  }
  console.log(lines.join('\n'));
}

async function readVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** A start-up error in words, without the database password. */
function describe(error: unknown, config: Config): string {
  let message = error instanceof Error ? error.message : String(error);
  if (config.database.engine === 'postgres') {
    const url = new URL(config.database.url);
    if (url.password) message = message.replaceAll(url.password, '***');
  }
  return message;
}

await main();

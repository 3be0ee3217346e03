import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { createLogger } from '#src/config/logger.ts';
import { createReadinessCheck } from '#src/db/health.ts';
import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import { createKeyring, type Keyring } from '#src/domain/secrets/secret-box.ts';
import { buildApp, type AppDeps } from '#src/http/app.ts';
import { createConnectorFactory } from '#src/integrations/crm/crm-connectors.ts';
import { createInProcessQueue, type JobQueue } from '#src/jobs/job-queue.ts';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import type { SessionPolicy } from '#src/services/auth/auth.service.ts';
import { processBulkBatch } from '#src/services/bulk/bulk-sync.service.ts';
import { DEFAULT_THROTTLE, type ThrottleLimits } from '#src/services/auth/login-throttle.ts';
import type { TestDatabase } from '#tests/support/test-database.ts';

/** Nothing listens on port 9 (discard) here: a test that forgot the emulators fails fast, offline. */
const NOWHERE = Object.fromEntries(CRM_KEYS.map((crm) => [crm, 'http://127.0.0.1:9'])) as Record<
  CrmKey,
  string
>;

/** The job queue bulk routes enqueue on; `idle()` resolves once no batch is left to run. */
export type TestQueue = JobQueue & { idle(): Promise<void> };

export interface TestApp {
  app: FastifyInstance;
  keyring: Keyring;
  logs: string[];
  deps: AppDeps;
  /** The in-process runner bulk routes enqueue on (undefined with `queue: false`). */
  queue: TestQueue | undefined;
}

/** The real app over a test database; CRM calls go to `crmBaseUrls` (the emulators) or nowhere. */
export async function buildTestApp(
  database: TestDatabase,
  options: {
    crmBaseUrls?: Partial<Record<CrmKey, string>>;
    keyring?: Keyring;
    throttleLimits?: Partial<ThrottleLimits>;
    idempotency?: AppDeps['idempotency'];
    trustProxy?: string[];
    secureCookies?: boolean;
    webRoot?: string;
    sessionPolicy?: SessionPolicy;
    now?: () => Date;
    /** false: no job queue (bulk routes then fail); by default an in-process runner. */
    queue?: false;
    bulk?: AppDeps['bulk'];
    /** OAuth clients ("Connect <CRM>", token refresh); default none (paste-in keys only). */
    oauth?: AppDeps['oauth'];
  } = {},
): Promise<TestApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const keyring = options.keyring ?? createKeyring(randomBytes(32));
  const uow = createUnitOfWork(database.db);
  const connectorFor = createConnectorFactory({
    baseUrls: { ...NOWHERE, ...options.crmBaseUrls },
    policy: FAST_RETRY_POLICY,
  });
  // Bulk runs' batches run here, in this process, as on the embedded database in production.
  const queue =
    options.queue === false
      ? undefined
      : createInProcessQueue({
          logger: pino({ level: 'silent' }),
          resume: () => uow.read.bulkRuns.unfinishedBatches(),
          retryDelayMs: 1,
        });
  const deps: AppDeps = {
    logger: createLogger({ logLevel: 'info' }, sink),
    version: '0.0.0-test',
    health: await createReadinessCheck(database),
    uow,
    keyring,
    connectorFor,
    secureCookies: options.secureCookies ?? false,
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    throttleLimits: {
      ...DEFAULT_THROTTLE,
      windowMs: 60_000,
      maxPerAddress: 1000,
      maxPerAccount: 1000,
      ...options.throttleLimits,
    },
    ...(options.sessionPolicy ? { sessionPolicy: options.sessionPolicy } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(queue ? { queue } : {}),
    ...(options.bulk ? { bulk: options.bulk } : {}),
    ...(options.oauth ? { oauth: options.oauth } : {}),
  };
  const app = await buildApp(deps);
  if (queue) {
    const batchSize = options.bulk?.batchSize;
    const bulkDeps = {
      uow,
      keyring,
      connectorFor,
      queue,
      ...(batchSize ? { batchSize } : {}),
      ...(options.oauth ? { oauth: options.oauth } : {}),
    };
    await queue.work((job, attempt) => processBulkBatch(bulkDeps, job, attempt));
    // buildApp has started the app, so addHook('onClose') is refused now; the plugin loader's
    // onClose (untyped on FastifyInstance) still takes a handler, awaited by app.close().
    (app as unknown as { onClose(handler: () => Promise<void>): void }).onClose(() => queue.stop());
  }
  return { app, keyring, logs, deps, queue };
}

export interface Agent {
  cookie: string;
  csrfToken: string;
  userId: string;
  /** A personal API token: sent as `Authorization: Bearer`, in place of cookie and CSRF token. */
  bearer?: string;
}

/** The headers a request as `agent` carries: its token, or its cookie and (on writes) CSRF token. */
export function agentHeaders(
  agent: Agent | undefined,
  method: string,
  csrf = true,
): Record<string, string> {
  if (!agent) return {};
  if (agent.bearer !== undefined) return { authorization: `Bearer ${agent.bearer}` };
  return {
    cookie: agent.cookie,
    ...(csrf && method !== 'GET' ? { 'x-csrf-token': agent.csrfToken } : {}),
  };
}

/** Logs in through the API and returns what a browser would hold. */
export async function loginAs(
  app: FastifyInstance,
  email: string,
  password = 'demo-password',
): Promise<Agent> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
  });
  if (response.statusCode !== 200)
    throw new Error(`login ${email} failed: ${response.statusCode} ${response.body}`);
  const setCookie = response.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0] ?? '';
  const body = response.json<{ csrfToken: string; user: { id: string } }>();
  return { cookie, csrfToken: body.csrfToken, userId: body.user.id };
}

/** An injected request as `agent` (anonymous when undefined), with the CSRF header on writes. */
export function request(
  app: FastifyInstance,
  agent: Agent | undefined,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    headers: { ...agentHeaders(agent, method), ...headers },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

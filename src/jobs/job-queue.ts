import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Repositories } from '#src/repositories/repositories.ts';

/**
 * Durable dispatch of bulk-run batches (ADR 0012). A job names only a run and a batch number;
 * what is done lives in `bulk_run_members`, settled in the batch's own transaction, so a job
 * delivered twice (a retry after a crash, an expired heartbeat) finds nothing left to do.
 *
 * - PostgreSQL: pg-boss. Jobs are inserted in the transaction that creates the run (through the
 *   transaction's own connection), so a run exists if and only if its jobs do. A worker that
 *   dies stops its heartbeat; pg-boss's supervisor then hands the job to another attempt.
 * - PGlite (one process owns the embedded database): an in-process runner with the same
 *   semantics: retries with the same attempt limit, and on start it resumes every batch that
 *   still has pending members, which is what pg-boss's durable rows give the other engine.
 */

export const BULK_BATCH_QUEUE = 'bulk-sync-batch';
/** Attempts of one batch before its members are settled one by one, each failing alone. */
export const BATCH_RETRY_LIMIT = 3;

export interface BatchJob {
  runId: string;
  batch: number;
}

/** Runs one batch; `attempt` starts at 0. Throwing asks for another attempt. */
export type BatchHandler = (job: BatchJob, attempt: number) => Promise<void>;

export interface JobQueue {
  readonly kind: 'pg-boss' | 'in-process';
  /**
   * Enqueues the run's batches inside the caller's transaction (`repos`). Returns what to call
   * once that transaction has committed (the in-process runner starts the batches then).
   */
  enqueueBatches(repos: Repositories, runId: string, batches: number): Promise<() => void>;
  /** Starts consuming batches (the worker role). */
  work(handler: BatchHandler): Promise<void>;
  stop(): Promise<void>;
}

export interface PgBossQueueOptions {
  connectionString: string;
  logger: Logger;
  /** Batches one process runs at once. */
  concurrency?: number;
  /** Seconds without a heartbeat after which a batch is retried (pg-boss minimum: 10). */
  heartbeatSeconds?: number;
  /** How often the supervisor looks for dead batches. */
  superviseIntervalSeconds?: number;
}

/** pg-boss on PostgreSQL: the jobs survive any process; any worker process takes them. */
export async function createPgBossQueue(options: PgBossQueueOptions): Promise<JobQueue> {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: 'pgboss',
    max: 4,
    application_name: 'ergo-jobs',
    superviseIntervalSeconds: options.superviseIntervalSeconds ?? 2,
    useListenNotify: true,
  });
  boss.on('error', (error: Error) => {
    options.logger.warn({ reason: error.message }, 'pg-boss error');
  });
  await boss.start();
  await boss.createQueue(BULK_BATCH_QUEUE, {
    retryLimit: BATCH_RETRY_LIMIT,
    retryDelay: 1,
    heartbeatSeconds: options.heartbeatSeconds ?? 10,
    expireInSeconds: 15 * 60,
    deleteAfterSeconds: 7 * 24 * 3600,
  });
  let working = false;
  return {
    kind: 'pg-boss',
    async enqueueBatches(repos, runId, batches) {
      if (batches === 0) return () => undefined;
      const jobs = Array.from({ length: batches }, (_, batch) => ({
        data: { runId, batch } satisfies BatchJob,
      }));
      await boss.insert(BULK_BATCH_QUEUE, jobs, { db: repos.jobs });
      return () => undefined;
    },
    async work(handler) {
      if (working) return;
      working = true;
      await boss.work<BatchJob>(
        BULK_BATCH_QUEUE,
        {
          localConcurrency: options.concurrency ?? 1,
          pollingIntervalSeconds: 0.5,
        },
        async ([job]) => {
          if (!job) return;
          await handler(job.data, job.retryCount);
        },
      );
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

/**
 * The embedded database's runner: one batch at a time (PGlite has one connection), retried up to
 * the same limit, and resumed from the database at start. `pending` is read by tests (idle).
 */
export function createInProcessQueue(options: {
  logger: Logger;
  /** Batches left over by a previous process (kill -9, power loss), resumed on `work`. */
  resume?: () => Promise<BatchJob[]>;
  retryDelayMs?: number;
}): JobQueue & { idle(): Promise<void> } {
  const queue: { job: BatchJob; attempt: number }[] = [];
  let handler: BatchHandler | undefined;
  let draining: Promise<void> | undefined;
  let stopped = false;
  const isStopped = (): boolean => stopped;

  const drain = (): void => {
    if (!handler || draining || stopped) return;
    draining = (async () => {
      for (let next = queue.shift(); next && !isStopped(); next = queue.shift()) {
        try {
          await handler(next.job, next.attempt);
        } catch (error) {
          if (next.attempt + 1 <= BATCH_RETRY_LIMIT) {
            options.logger.warn(
              {
                runId: next.job.runId,
                batch: next.job.batch,
                attempt: next.attempt,
                reason: (error as Error).message,
              },
              'bulk batch failed; it will be retried',
            );
            const retry = { job: next.job, attempt: next.attempt + 1 };
            await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 200));
            queue.push(retry);
          } else {
            options.logger.error(
              { runId: next.job.runId, batch: next.job.batch },
              'bulk batch gave up',
            );
          }
        }
      }
    })().finally(() => {
      draining = undefined;
      if (queue.length > 0) drain();
    });
  };

  return {
    kind: 'in-process',
    enqueueBatches(_repos, runId, batches) {
      // Started once the creating transaction has committed; if it rolls back, never.
      return Promise.resolve(() => {
        for (let batch = 0; batch < batches; batch += 1) {
          queue.push({ job: { runId, batch }, attempt: 0 });
        }
        drain();
      });
    },
    async work(work) {
      handler = work;
      const left = (await options.resume?.()) ?? [];
      if (left.length > 0) {
        options.logger.info(
          { batches: left.length, runs: new Set(left.map((j) => j.runId)).size },
          'bulk batches left pending by the previous process: resumed',
        );
      }
      for (const job of left) queue.push({ job, attempt: 0 });
      drain();
    },
    async stop() {
      stopped = true;
      await draining;
    },
    async idle() {
      while (draining || (handler && !stopped && queue.length > 0)) {
        await (draining ?? new Promise((resolve) => setImmediate(resolve)));
      }
    },
  };
}

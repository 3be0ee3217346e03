import type { Logger } from 'pino';
import pino from 'pino';
import type { BatchJob, JobQueue } from '#src/jobs/job-queue.ts';
import type { Repositories } from '#src/repositories/repositories.ts';

/**
 * A dispatcher the test drives by hand: it records the jobs a run enqueues (what pg-boss would
 * store) and runs none of them until the test says so, so batches can be delivered in any order,
 * twice, or concurrently. The job code it runs is the product's (`processBulkBatch`).
 */
export function manualQueue(): JobQueue & { jobs: BatchJob[]; payloads: string[] } {
  const jobs: BatchJob[] = [];
  const payloads: string[] = [];
  return {
    kind: 'in-process',
    jobs,
    payloads,
    async enqueueBatches(_repos: Repositories, runId: string, batches: number) {
      for (let batch = 0; batch < batches; batch += 1) {
        const job = { runId, batch };
        jobs.push(job);
        payloads.push(JSON.stringify(job));
      }
      return () => undefined;
    },
    async work() {},
    async stop() {},
  };
}

export const quietLogger: Logger = pino({ level: 'silent' });

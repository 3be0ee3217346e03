import type { RetryPolicy } from '#src/integrations/crm/crm-http-client.ts';

/** Retries fast enough for tests, still bounded: 3 attempts, 2 s per attempt, 5 s in all. */
export const FAST_RETRY_POLICY: Partial<RetryPolicy> = {
  maxAttempts: 3,
  baseDelayMs: 10,
  maxDelayMs: 50,
  timeoutMs: 2_000,
  budgetMs: 5_000,
};

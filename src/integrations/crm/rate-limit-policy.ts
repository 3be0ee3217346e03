import { z } from 'zod';
import type { CrmKey } from '#src/domain/crm.ts';
import { parseRetryAfter } from '#src/integrations/crm/retry-after.ts';

/**
 * The vendors' rate-limit policies, in one table (issue 12; sources and the unconfirmed parts
 * in docs/crm-vendor-notes.md). For a reply that is a vendor's rate limit, the policy says
 * whether to wait and try again (and how long: the vendor's own signal, never a guess with
 * jitter) or to stop at once with a code a person can act on:
 *
 * | CRM        | reply                                   | decision                                          |
 * | ---------- | --------------------------------------- | ------------------------------------------------- |
 * | HubSpot    | 429 `policyName` TEN_SECONDLY_ROLLING   | wait Retry-After, else the 10 s window; retry     |
 * | HubSpot    | 429 `policyName` SECONDLY               | wait Retry-After, else 1 s; retry                 |
 * | HubSpot    | 429 `policyName` DAILY                  | stop: rate_limited (the day's quota is spent)     |
 * | Salesforce | 403 `REQUEST_LIMIT_EXCEEDED`            | stop: quota_exhausted (the org's 24 h allowance)  |
 * | Salesforce | … with allowance left in Sforce-Limit-Info | the concurrency cap: ordinary backoff, retry   |
 * | Zoho       | 429                                     | wait Retry-After, else until X-RATELIMIT-RESET    |
 * | Pipedrive  | 429 with `x-daily-requests-left: 0`     | stop: rate_limited (the day's budget is spent)    |
 * | Pipedrive  | 429                                     | wait Retry-After, else x-ratelimit-reset seconds  |
 * | Attio      | 429                                     | wait until Retry-After (an HTTP date), else 1 s   |
 *
 * A wait longer than what is left of the call's time budget also stops (rate_limited): the
 * caller reports it rather than holding a request open for minutes.
 */

export type RateLimitDecision =
  | { action: 'wait'; waitMs: number }
  | { action: 'stop'; kind: 'rate_limited' | 'quota_exhausted'; message: string };

export interface VendorReply {
  status: number;
  headers: Headers;
  body: unknown;
}

type Policy = (reply: VendorReply, now: number) => RateLimitDecision | undefined;

const HUBSPOT_WINDOW_MS = { TEN_SECONDLY_ROLLING: 10_000, SECONDLY: 1_000 } as const;

const hubspotBody = z.object({ policyName: z.string().optional() });
const salesforceBody = z.array(z.object({ errorCode: z.string().optional() })).min(1);

const retryAfter = (reply: VendorReply, now: number) =>
  parseRetryAfter(reply.headers.get('retry-after'), now);

/** A reset header as a wait: epoch milliseconds, epoch seconds, or seconds from now. */
function resetWait(value: string | null, now: number): number | undefined {
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  const n = Number(value);
  if (n > 1e12) return Math.max(0, n - now);
  if (n > 1e9) return Math.max(0, n * 1000 - now);
  return Math.round(n * 1000);
}

/** Wait for Retry-After, else for the vendor's reset header, else `fallbackMs`. */
function waitFor(reply: VendorReply, now: number, resetHeader: string, fallbackMs: number) {
  return {
    action: 'wait' as const,
    waitMs: retryAfter(reply, now) ?? resetWait(reply.headers.get(resetHeader), now) ?? fallbackMs,
  };
}

export const RATE_LIMIT_POLICIES: Record<CrmKey, Policy> = {
  hubspot: (reply, now) => {
    if (reply.status !== 429) return undefined;
    const parsed = hubspotBody.safeParse(reply.body);
    const policy = parsed.success ? parsed.data.policyName : undefined;
    if (policy === 'DAILY') {
      return {
        action: 'stop',
        kind: 'rate_limited',
        message:
          "HubSpot's daily API limit for this account is used up (policy DAILY). Ergo does not retry today; Sync CRM works again after HubSpot resets the limit at midnight in the account's time zone.",
      };
    }
    const window =
      policy === 'SECONDLY' ? HUBSPOT_WINDOW_MS.SECONDLY : HUBSPOT_WINDOW_MS.TEN_SECONDLY_ROLLING;
    return { action: 'wait', waitMs: retryAfter(reply, now) ?? window };
  },
  salesforce: (reply) => {
    const parsed = salesforceBody.safeParse(reply.body);
    if (reply.status !== 403 || !parsed.success) return undefined;
    if (parsed.data[0]?.errorCode !== 'REQUEST_LIMIT_EXCEEDED') return undefined;
    const usage = reply.headers.get('sforce-limit-info');
    // The same code also refuses a request over the org's cap of concurrent long-running
    // requests (the limits cheatsheet), which passes in seconds: when Sforce-Limit-Info shows
    // allowance left, it is that cap, and the ordinary backoff retries it.
    const counts = /api-usage=(\d+)\/(\d+)/.exec(usage ?? '');
    if (counts && Number(counts[1]) < Number(counts[2])) return undefined;
    return {
      action: 'stop',
      kind: 'quota_exhausted',
      message: `The Salesforce org's API request allowance for the last 24 hours is used up${usage ? ` (${usage})` : ''}. Ergo does not retry; Sync CRM works again as the org's usage falls, or once its administrator raises the allowance.`,
    };
  },
  zoho: (reply, now) =>
    reply.status === 429 ? waitFor(reply, now, 'x-ratelimit-reset', 1_000) : undefined,
  pipedrive: (reply, now) => {
    if (reply.status !== 429) return undefined;
    if (reply.headers.get('x-daily-requests-left')?.trim() === '0') {
      return {
        action: 'stop',
        kind: 'rate_limited',
        message:
          "Pipedrive's daily request budget for this company is used up. Ergo does not retry today; Sync CRM works again after Pipedrive resets the budget.",
      };
    }
    return waitFor(reply, now, 'x-ratelimit-reset', 2_000);
  },
  attio: (reply, now) => {
    if (reply.status !== 429) return undefined;
    return { action: 'wait', waitMs: retryAfter(reply, now) ?? 1_000 };
  },
};

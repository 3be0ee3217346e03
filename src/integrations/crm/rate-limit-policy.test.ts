import { afterEach, describe, expect, it } from 'vitest';
import type { CrmKey } from '#src/domain/crm.ts';
import type { EmulatorServer, StartedEmulator } from '#emulators/emulator-server.ts';
import { createEmulators } from '#emulators/start-emulators.ts';
import { createConnectorFactory } from '#src/integrations/crm/crm-connectors.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';
import {
  demoEmulatorAccounts,
  makeCrmConnection,
} from '#tests/factories/crm-connection.factory.ts';

/**
 * One test per vendor rate-limit policy (rate-limit-policy.ts), over real HTTP to the
 * emulators. The clock and sleep are injected: a wait advances the fake clock instantly, so a
 * 10-second HubSpot window costs the test nothing, and the waits asked for are recorded.
 */

const POLICY = {
  maxAttempts: 4,
  baseDelayMs: 10,
  maxDelayMs: 50,
  timeoutMs: 2_000,
  budgetMs: 30_000,
};

let started: StartedEmulator | undefined;

afterEach(async () => {
  await started?.close();
  started = undefined;
});

async function setup(crm: CrmKey, faults: Parameters<EmulatorServer['setFaults']>[0]) {
  const credentials = makeCrmConnection(crm);
  const token =
    'apiToken' in credentials.secrets
      ? credentials.secrets.apiToken
      : credentials.secrets.accessToken;
  const emulator = createEmulators({ [crm]: demoEmulatorAccounts(crm, [token]) })[crm];
  started = await emulator.start();
  emulator.setFaults(faults);
  // The fake clock starts at the real time so the emulator's dates (Retry-After, resets) line up.
  let clock = Date.now();
  const waits: number[] = [];
  const connector = createConnectorFactory({
    baseUrls: { [crm]: started.baseUrl },
    policy: POLICY,
    now: () => clock,
    sleep: (ms) => {
      waits.push(ms);
      clock += ms;
      return Promise.resolve();
    },
  })(credentials);
  return { emulator, connector, waits };
}

const statuses = (emulator: EmulatorServer) => emulator.requestLog.map((r) => r.status);

describe("the vendors' rate-limit policies", () => {
  it('HubSpot TEN_SECONDLY_ROLLING without Retry-After: waits out the 10 s window, then retries', async () => {
    const { emulator, connector, waits } = await setup('hubspot', {
      rateLimits: 1,
      rateLimitPolicy: 'TEN_SECONDLY_ROLLING',
      sendRetryAfter: false,
    });
    expect(await connector.verifyCredentials()).toMatchObject({ status: 'valid' });
    expect(waits).toEqual([10_000]);
    expect(statuses(emulator)).toEqual([429, 200]);
  });

  it('HubSpot TEN_SECONDLY_ROLLING with Retry-After: waits what Retry-After says', async () => {
    const { connector, waits } = await setup('hubspot', {
      rateLimits: 1,
      rateLimitPolicy: 'TEN_SECONDLY_ROLLING',
      retryAfterSeconds: 3,
    });
    expect(await connector.verifyCredentials()).toMatchObject({ status: 'valid' });
    expect(waits).toEqual([3_000]);
  });

  it('HubSpot DAILY: no retry, rate_limited with a message a person can act on', async () => {
    const { emulator, connector, waits } = await setup('hubspot', {
      rateLimits: 5,
      rateLimitPolicy: 'DAILY',
    });
    const error = await connector.findOwnerByEmail('owner@acme.test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, attempts: 1 });
    expect((error as CrmError).message).toMatch(/daily API limit .* is used up/);
    expect(waits).toEqual([]);
    expect(statuses(emulator)).toEqual([429]);
  });

  it('Salesforce REQUEST_LIMIT_EXCEEDED: no retry, quota_exhausted', async () => {
    const { emulator, connector, waits } = await setup('salesforce', { rateLimits: 5 });
    const error = await connector.findOwnerByEmail('owner@acme.test').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'quota_exhausted', vendorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect(waits).toEqual([]);
    expect(statuses(emulator)).toEqual([403]);
  });

  it('Salesforce REQUEST_LIMIT_EXCEEDED with allowance left (the concurrency cap): retried with backoff', async () => {
    const { emulator, connector, waits } = await setup('salesforce', {
      rateLimits: 1,
      rateLimitPolicy: 'CONCURRENT',
      sendRetryAfter: false,
    });
    expect(await connector.verifyCredentials()).toMatchObject({ status: 'valid' });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(POLICY.baseDelayMs);
    expect(statuses(emulator)).toEqual([403, 200]);
  });

  it('Zoho without Retry-After: waits until X-RATELIMIT-RESET, then retries', async () => {
    const { emulator, connector, waits } = await setup('zoho', {
      rateLimits: 1,
      retryAfterSeconds: 7,
      sendRetryAfter: false,
    });
    expect(await connector.verifyCredentials()).toMatchObject({ status: 'valid' });
    expect(waits).toHaveLength(1);
    // The reset is a timestamp, 7 s after the emulator's reply; the fake clock stood still
    // since the test began, so the wait is 7 s plus the few real milliseconds before the reply.
    expect(waits[0]).toBeGreaterThanOrEqual(7_000);
    expect(waits[0]).toBeLessThan(8_000);
    // The token check, then the organization's name for the account label.
    expect(statuses(emulator)).toEqual([429, 200, 200]);
  });

  it('Pipedrive without Retry-After: waits x-ratelimit-reset seconds, then retries', async () => {
    const { emulator, connector, waits } = await setup('pipedrive', {
      rateLimits: 1,
      retryAfterSeconds: 2,
      sendRetryAfter: false,
    });
    expect(await connector.verifyCredentials()).toMatchObject({ status: 'valid' });
    expect(waits).toEqual([2_000]);
    expect(statuses(emulator)).toEqual([429, 200]);
  });

  it("Pipedrive's daily budget spent (x-daily-requests-left: 0): no retry, rate_limited", async () => {
    const { emulator, connector, waits } = await setup('pipedrive', {
      rateLimits: 5,
      rateLimitPolicy: 'DAILY',
    });
    const error = await connector.findOwnerByEmail('owner@acme.test').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rate_limited', attempts: 1 });
    expect((error as CrmError).message).toMatch(/daily request budget .* is used up/);
    expect(waits).toEqual([]);
    expect(statuses(emulator)).toEqual([429]);
  });

  it('Attio: waits until the Retry-After HTTP date, then retries', async () => {
    const { emulator, connector, waits } = await setup('attio', {
      rateLimits: 1,
      retryAfterSeconds: 4,
    });
    expect(await connector.verifyCredentials()).toMatchObject({ status: 'valid' });
    expect(waits).toHaveLength(1);
    // A date has whole seconds, rounded up by the emulator: 4 to 5 s after the reply (plus the
    // few real milliseconds the fake clock did not count).
    expect(waits[0]).toBeGreaterThan(3_000);
    expect(waits[0]).toBeLessThan(5_500);
    expect(statuses(emulator)).toEqual([429, 200]);
  });

  it('a wait longer than the call may take stops at once (rate_limited) instead of holding the request', async () => {
    const { emulator, connector, waits } = await setup('pipedrive', {
      rateLimits: 1,
      retryAfterSeconds: 120,
    });
    const error = await connector.findOwnerByEmail('owner@acme.test').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rate_limited', attempts: 1 });
    expect((error as CrmError).message).toMatch(/asks to wait 120 s/);
    expect(waits).toEqual([]);
    expect(statuses(emulator)).toEqual([429]);
  });
});

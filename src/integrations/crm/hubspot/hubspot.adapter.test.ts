import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import type { CrmOwner } from '#src/integrations/crm/crm-connector.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';
import type { RetryPolicy } from '#src/integrations/crm/crm-http-client.ts';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import {
  createHubSpotEmulator,
  type HubSpotEmulator,
  type HubSpotProperty,
  type HubSpotSeed,
} from '#emulators/hubspot.emulator.ts';
import { HubSpotConnector } from '#src/integrations/crm/hubspot/hubspot.adapter.ts';
import { demoEmulatorAccounts } from '#tests/factories/crm-connection.factory.ts';

const TOKEN = 'pat-na1-test-hubspot-token-7f3a9c21';
const FAST = FAST_RETRY_POLICY;
const REP1: CrmOwner = { id: '41629711', email: 'rep1@acme.test', name: 'Priya Natarajan' };

let emulator: HubSpotEmulator;
let server: StartedEmulator;

async function start(seed: Partial<HubSpotSeed> = {}): Promise<void> {
  emulator = createHubSpotEmulator({
    ...demoEmulatorAccounts('hubspot', [TOKEN]),
    ...seed,
  });
  server = await emulator.start();
}

function connector(token = TOKEN, policy: Partial<RetryPolicy> = FAST): HubSpotConnector {
  return new HubSpotConnector({
    credentials: { crm: 'hubspot', secrets: { accessToken: token }, instance: {} },
    baseUrl: server.baseUrl,
    policy,
  });
}

function ownerProperty(options: { label: string; value: string }[]): HubSpotProperty {
  return {
    name: 'assistant_owner',
    label: 'Assistant owner',
    type: 'enumeration',
    fieldType: 'select',
    groupName: 'dealinformation',
    description: '',
    displayOrder: -1,
    hidden: false,
    formField: false,
    hasUniqueValue: false,
    calculated: false,
    externalOptions: false,
    options: options.map((o, i) => ({ ...o, displayOrder: i, hidden: false })),
    modificationMetadata: {
      archivable: true,
      readOnlyDefinition: false,
      readOnlyOptions: false,
      readOnlyValue: false,
    },
    createdAt: '2024-05-01T00:00:00.000Z',
    updatedAt: '2024-05-01T00:00:00.000Z',
    archived: false,
  };
}

describe('HubSpotConnector against the HubSpot emulator', () => {
  beforeEach(async () => {
    await start();
  });

  afterEach(async () => {
    await server.close();
  });

  it('owner found by email (case-insensitive, across pages)', async () => {
    const found = await connector().findOwnerByEmail('  REP1@Acme.TEST ');

    expect(found).toEqual(REP1);
    const ownerPages = emulator.requestLog.filter((e) => e.path.startsWith('/crm/v3/owners'));
    expect(ownerPages.length).toBeGreaterThan(1);
    expect(ownerPages[1]?.query).toContain('after=100');

    emulator.clearLogs();
    expect(await connector().findOwnerByEmail('nobody@acme.test')).toBeNull();
    expect(emulator.requestLog.length).toBeGreaterThan(1);
  });

  it('field created when missing', async () => {
    const result = await connector().ensureOwnerProperty(REP1);

    expect(result).toEqual({
      outcome: 'created',
      fieldKey: 'assistant_owner',
      optionValue: '41629711',
    });
    const property = emulator.property('assistant_owner');
    expect(property?.type).toBe('enumeration');
    expect(property?.fieldType).toBe('select');
    expect(property?.groupName).toBe('dealinformation');
    expect(property?.options.map((o) => ({ label: o.label, value: o.value }))).toEqual([
      { label: 'Priya Natarajan', value: '41629711' },
    ]);
    // The unrelated custom field is untouched.
    expect(emulator.property('deal_source')?.options.map((o) => o.value)).toEqual([
      'inbound',
      'outbound',
    ]);
  });

  it('option added when missing with every existing option kept', async () => {
    await server.close();
    await start({
      properties: {
        deals: [
          ownerProperty([
            { label: 'Olivia Bennett', value: '41629701' },
            { label: 'Marcus Reed', value: '41629702' },
          ]),
        ],
      },
    });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('option_added');
    expect(
      emulator.property('assistant_owner')?.options.map((o) => [o.value, o.label, o.displayOrder]),
    ).toEqual([
      ['41629701', 'Olivia Bennett', 0],
      ['41629702', 'Marcus Reed', 1],
      ['41629711', 'Priya Natarajan', 2],
    ]);
    expect(emulator.writeLog).toHaveLength(1);
    expect(emulator.writeLog[0]?.method).toBe('PATCH');
  });

  it('second run makes zero writes and returns already_present', async () => {
    const hubspot = connector();
    expect((await hubspot.ensureOwnerProperty(REP1)).outcome).toBe('created');
    const writes = emulator.writeLog.length;
    expect(writes).toBe(1);

    const second = await hubspot.ensureOwnerProperty(REP1);

    expect(second.outcome).toBe('already_present');
    expect(emulator.writeLog).toHaveLength(writes);
    expect(emulator.property('assistant_owner')?.options).toHaveLength(1);
  });

  it('invalid key gives invalid; expired token gives expired', async () => {
    expect(await connector().verifyCredentials()).toEqual({
      status: 'valid',
      account: 'HubSpot portal 24681357 (app.hubspot.com)',
    });

    const invalid = await connector('pat-na1-not-a-real-token-0000').verifyCredentials();
    expect(invalid.status).toBe('invalid');
    expect(invalid.vendorCode).toBe('INVALID_AUTHENTICATION');

    emulator.setFaults({ tokensExpired: true });
    const expired = await connector().verifyCredentials();
    expect(expired.status).toBe('expired');
    expect(expired.vendorCode).toBe('EXPIRED_AUTHENTICATION');
  });

  it('a private-app token verifies with the portal as its account and no token information', async () => {
    emulator.clearLogs();
    const result = await connector().verifyCredentials();
    expect(result).toEqual({
      status: 'valid',
      account: 'HubSpot portal 24681357 (app.hubspot.com)',
    });
    // pat- tokens have no OAuth token information: it is not even asked for.
    expect(emulator.requestLog.map((e) => e.path)).toEqual(['/account-info/v3/details']);
  });

  it('an OAuth access token verifies with its user, scopes and expiry from the token information', async () => {
    const grant = emulator.oauth.issueGrant('41629711', {
      scopes: ['oauth', 'crm.objects.owners.read', 'crm.schemas.deals.write'],
    });
    const now = Date.now();
    const result = await new HubSpotConnector({
      credentials: { crm: 'hubspot', secrets: { accessToken: grant.accessToken }, instance: {} },
      baseUrl: server.baseUrl,
      policy: FAST,
      now: () => now,
    }).verifyCredentials();

    expect(result).toMatchObject({
      status: 'valid',
      account: 'HubSpot portal 24681357 (app.hubspot.com) as rep1@acme.test',
      scopes: ['oauth', 'crm.objects.owners.read', 'crm.schemas.deals.write'],
    });
    // expires_in is 1800 s (HubSpot's) counted from the connector's clock, to the second.
    const expiresAt = result.expiresAt?.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThan(now + 1_795_000);
    expect(expiresAt).toBeLessThanOrEqual(now + 1_800_000);
  });

  it('an OAuth token whose information call fails still verifies (no scopes or expiry)', async () => {
    const grant = emulator.oauth.issueGrant('41629711');
    // A token the API accepts but the token-information endpoint does not know.
    emulator.state.tokens.add('CJT-seeded-oauth-looking-token-0001');
    const result = await connector('CJT-seeded-oauth-looking-token-0001').verifyCredentials();
    expect(result).toEqual({
      status: 'valid',
      account: 'HubSpot portal 24681357 (app.hubspot.com)',
    });
    expect(
      emulator.requestLog
        .filter((e) => e.path.startsWith('/oauth/v1/access-tokens/'))
        .map((e) => e.status),
    ).toEqual([404]);

    // An expired OAuth token: the account check itself answers EXPIRED_AUTHENTICATION.
    emulator.oauth.expireAccessTokens();
    const expired = await connector(grant.accessToken).verifyCredentials();
    expect(expired).toMatchObject({ status: 'expired', vendorCode: 'EXPIRED_AUTHENTICATION' });
    // A revoked grant's token is refused as invalid.
    const fresh = emulator.oauth.issueGrant('41629711');
    emulator.oauth.revokeAll();
    expect(await connector(fresh.accessToken).verifyCredentials()).toMatchObject({
      status: 'invalid',
      vendorCode: 'INVALID_AUTHENTICATION',
    });
  });

  it('429 with Retry-After is retried after the stated delay and then succeeds', async () => {
    emulator.setFaults({ rateLimits: 1, retryAfterSeconds: 1 });
    const delays: number[] = [];
    const hubspot = new HubSpotConnector({
      credentials: { crm: 'hubspot', secrets: { accessToken: TOKEN }, instance: {} },
      baseUrl: server.baseUrl,
      policy: FAST,
      onRetry: (info) => delays.push(info.delayMs),
    });

    const started = Date.now();
    const found = await hubspot.findOwnerByEmail('owner@acme.test');
    const elapsed = Date.now() - started;

    expect(found?.id).toBe('41629701');
    expect(delays).toEqual([1_000]);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(emulator.requestLog.map((e) => e.status).slice(0, 2)).toEqual([429, 200]);
  });

  it('persistent 5xx ends in a server_error CrmError after bounded retries within the budget', async () => {
    emulator.setFaults({ serverErrors: 1_000 });
    const started = Date.now();

    const error = await connector()
      .findOwnerByEmail('owner@acme.test')
      .catch((e: unknown) => e);

    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(CrmError);
    expect((error as CrmError).kind).toBe('server_error');
    expect((error as CrmError).attempts).toBe(FAST.maxAttempts);
    expect(emulator.requestLog).toHaveLength(FAST.maxAttempts ?? 0);
    expect(elapsed).toBeLessThan(FAST.budgetMs ?? 0);
    // The same failure is "unreachable" to verifyCredentials, which never throws.
    expect((await connector().verifyCredentials()).status).toBe('unreachable');
  });

  it('the wrong auth scheme is rejected by the emulator', async () => {
    const call = (authorization: string) =>
      fetch(`${server.baseUrl}/account-info/v3/details`, { headers: { authorization } });

    const wrong = await call(`Token ${TOKEN}`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({
      status: 'error',
      category: 'INVALID_AUTHENTICATION',
    });
    expect((await call(`Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`)).status).toBe(401);
    expect((await call(`Bearer ${TOKEN}`)).status).toBe(200);
  });

  it("a CrmError's message never contains the token", async () => {
    const messages: string[] = [];
    const capture = async (promise: Promise<unknown>) => {
      const error = await promise.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CrmError);
      messages.push((error as CrmError).message);
    };

    // The vendor echoing the token back in its message (as validation errors echo input).
    const echoing = new HubSpotConnector({
      credentials: { crm: 'hubspot', secrets: { accessToken: TOKEN }, instance: {} },
      baseUrl: server.baseUrl,
      policy: FAST,
      fetch: () =>
        Promise.resolve(
          Response.json(
            { status: 'error', message: `Bad token ${TOKEN}`, category: 'INVALID_AUTHENTICATION' },
            { status: 401 },
          ),
        ),
    });
    await capture(echoing.findOwnerByEmail('owner@acme.test'));
    expect(messages[0]).toContain('[redacted]');

    emulator.setFaults({ tokensExpired: true });
    await capture(connector().ensureOwnerProperty(REP1));
    emulator.resetFaults();
    emulator.setFaults({ serverErrors: 1_000 });
    await capture(connector().findOwnerByEmail('owner@acme.test'));
    await server.close();
    await capture(connector().findOwnerByEmail('owner@acme.test'));
    await start();

    expect(messages).toHaveLength(4);
    for (const message of messages) expect(message).not.toContain(TOKEN);
  });

  it('metadata changes refused by HubSpot are reported as not_permitted', async () => {
    emulator.setFaults({ metadataNotPermitted: true });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('not_permitted');
    expect(emulator.property('assistant_owner')).toBeUndefined();
    expect(emulator.writeLog).toHaveLength(0);
  });

  it('given the demo accounts, it accepts the demo tokens and knows the demo owners', () => {
    expect(emulator.state.tokens.has('pat-na1-demo-owner-hubspot-access-0001')).toBe(true);
    expect(emulator.state.tokens.has('pat-na1-demo-admin-hubspot-access-0002')).toBe(true);
    const byEmail = new Map(emulator.state.owners.map((o) => [o.email, o.id]));
    expect(byEmail.get('owner@acme.test')).toBe('41629701');
    expect(byEmail.get('admin@acme.test')).toBe('41629702');
    for (let n = 1; n <= 10; n += 1) {
      expect(byEmail.get(`rep${n}@acme.test`)).toBe(String(41629710 + n));
    }
  });
});

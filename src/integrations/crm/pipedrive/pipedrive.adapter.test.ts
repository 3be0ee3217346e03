import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import type { CrmOwner } from '#src/integrations/crm/crm-connector.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import {
  createPipedriveEmulator,
  pipedriveFieldKey,
  type PipedriveEmulator,
  type PipedriveField,
  type PipedriveSeed,
} from '#emulators/pipedrive.emulator.ts';
import {
  PipedriveConnector,
  pipedriveBases,
} from '#src/integrations/crm/pipedrive/pipedrive.adapter.ts';
import { demoEmulatorAccounts } from '#tests/factories/crm-connection.factory.ts';

const TOKEN = 'pd-test-api-token-7f3a9c21d4e5b6a7';
const FAST = FAST_RETRY_POLICY;
const REP1: CrmOwner = { id: '13057011', email: 'rep1@acme.test', name: 'Priya Natarajan' };
const OWNER_KEY = pipedriveFieldKey('deal', 15_001);

let emulator: PipedriveEmulator;
let server: StartedEmulator;

async function start(seed: Partial<PipedriveSeed> = {}): Promise<void> {
  emulator = createPipedriveEmulator({
    ...demoEmulatorAccounts('pipedrive', [TOKEN]),
    ...seed,
  });
  server = await emulator.start();
}

function connector(
  token = TOKEN,
  extra: Partial<ConstructorParameters<typeof PipedriveConnector>[0]> = {},
): PipedriveConnector {
  // The loopback URL plays the credential's company API domain: no baseUrl override needed.
  return new PipedriveConnector({
    credentials: {
      crm: 'pipedrive',
      secrets: { apiToken: token },
      instance: { apiDomain: server.baseUrl },
    },
    policy: FAST,
    ...extra,
  });
}

function ownerField(labels: string[]): PipedriveField {
  return {
    id: 15_001,
    key: OWNER_KEY,
    name: 'Assistant owner',
    order_nr: 40,
    field_type: 'enum',
    add_time: '2024-05-01 00:00:00',
    update_time: '2024-05-01 00:00:00',
    last_updated_by_user_id: 13_057_001,
    active_flag: true,
    edit_flag: true,
    index_visible_flag: true,
    details_visible_flag: true,
    add_visible_flag: true,
    important_flag: false,
    bulk_edit_allowed: true,
    searchable_flag: false,
    filtering_allowed: true,
    sortable_flag: true,
    mandatory_flag: false,
    options: labels.map((label, i) => ({ id: 501 + i, label })),
  };
}

const optionsOf = (field: PipedriveField | undefined) =>
  field?.options?.map((o) => [o.id, o.label]);

describe('PipedriveConnector against the Pipedrive emulator', () => {
  beforeEach(async () => {
    await start();
  });

  afterEach(async () => {
    await server.close();
  });

  it('owner found by email (case-insensitive, across pages)', async () => {
    const found = await connector().findOwnerByEmail('  REP1@Acme.TEST ');

    expect(found).toEqual(REP1);
    // GET /api/v1/users is one unpaged reply holding every user (fillers first, demo users last).
    const userCalls = emulator.requestLog.filter((e) => e.path === '/api/v1/users');
    expect(userCalls).toHaveLength(1);
    expect(emulator.state.users.length).toBeGreaterThan(50);
    // The token went in the x-api-token header, never in the URL.
    expect(userCalls[0]?.query).toBe('');

    emulator.clearLogs();
    expect(await connector().findOwnerByEmail('nobody@acme.test')).toBeNull();
    // A deactivated user is never returned as an owner.
    expect(await connector().findOwnerByEmail('contractor007@acme-partners.test')).toBeNull();
    expect(await connector().findOwnerByEmail('contractor008@acme-partners.test')).not.toBeNull();
  });

  it('the owner field is found across deal-field pages (start/limit paging)', async () => {
    await server.close();
    await start({
      fillerDealFields: 150,
      fields: { deal: [ownerField(['Olivia Bennett (13057011)'])] },
    });

    const result = await connector().ensureOwnerProperty({ ...REP1, name: 'Olivia Bennett' });

    expect(result).toEqual({
      outcome: 'already_present',
      fieldKey: OWNER_KEY,
      optionValue: 'Olivia Bennett (13057011)',
    });
    const pages = emulator.requestLog.filter((e) => e.path === '/api/v1/dealFields');
    expect(pages.map((e) => new URLSearchParams(e.query).get('start'))).toEqual(['0', '100']);
    expect(emulator.writeLog).toHaveLength(0);
  });

  it('pages deal fields in either paging shape (nested pagination, or flat without next_start)', async () => {
    // The flat shape is what the official SDK's types declare for the fields lists: an adapter
    // that read only `additional_data.pagination.next_start` stopped after the first page
    // and created a second owner field.
    await server.close();
    await start({
      fieldsPaging: 'flat',
      fillerDealFields: 150,
      fields: { deal: [ownerField(['Olivia Bennett (13057011)'])] },
    });

    const result = await connector().ensureOwnerProperty({ ...REP1, name: 'Olivia Bennett' });

    expect(result.outcome).toBe('already_present');
    const pages = emulator.requestLog.filter((e) => e.path === '/api/v1/dealFields');
    expect(pages.map((e) => new URLSearchParams(e.query).get('start'))).toEqual(['0', '100']);
    expect(emulator.writeLog).toHaveLength(0);
    const first = await fetch(`${server.baseUrl}/api/v1/dealFields?start=0&limit=100`, {
      headers: { 'x-api-token': TOKEN },
    });
    expect(await first.json()).toMatchObject({
      additional_data: { start: 0, limit: 100, more_items_in_collection: true },
    });
  });

  it('field created when missing', async () => {
    const result = await connector().ensureOwnerProperty(REP1);

    const field = emulator.field('Assistant owner');
    expect(field?.key).toMatch(/^[0-9a-f]{40}$/);
    expect(result).toEqual({
      outcome: 'created',
      fieldKey: field?.key,
      optionValue: 'Priya Natarajan (13057011)',
    });
    expect(field?.field_type).toBe('enum');
    expect(field?.options?.map((o) => o.label)).toEqual(['Priya Natarajan (13057011)']);
    // The unrelated custom field is untouched.
    expect(optionsOf(emulator.field('Deal source'))).toEqual([
      [101, 'Inbound'],
      [102, 'Outbound'],
    ]);
  });

  it('option added when missing with every existing option kept', async () => {
    await server.close();
    await start({ fields: { deal: [ownerField(['Olivia Bennett', 'Marcus Reed'])] } });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result).toEqual({
      outcome: 'option_added',
      fieldKey: OWNER_KEY,
      optionValue: 'Priya Natarajan (13057011)',
    });
    const options = optionsOf(emulator.field('Assistant owner'));
    expect(options?.slice(0, 2)).toEqual([
      [501, 'Olivia Bennett'],
      [502, 'Marcus Reed'],
    ]);
    expect(options?.[2]?.[1]).toBe('Priya Natarajan (13057011)');
    expect(emulator.writeLog).toHaveLength(1);
    expect(emulator.writeLog[0]?.method).toBe('POST');
    expect(emulator.writeLog[0]?.path).toBe(`/api/v2/dealFields/${OWNER_KEY}/options`);
    expect(emulator.writeLog[0]?.body).toEqual([{ label: 'Priya Natarajan (13057011)' }]);
  });

  it('option added through v1 PUT (where v2 is not served) resends every existing option', async () => {
    await server.close();
    await start({
      apiV2: false,
      fields: { deal: [ownerField(['Olivia Bennett', 'Marcus Reed'])] },
    });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('option_added');
    expect(optionsOf(emulator.field('Assistant owner'))?.slice(0, 2)).toEqual([
      [501, 'Olivia Bennett'],
      [502, 'Marcus Reed'],
    ]);
    expect(emulator.field('Assistant owner')?.options?.map((o) => o.label)).toEqual([
      'Olivia Bennett',
      'Marcus Reed',
      'Priya Natarajan (13057011)',
    ]);
    expect(emulator.writeLog).toHaveLength(1);
    expect(emulator.writeLog[0]?.method).toBe('PUT');
    expect(emulator.writeLog[0]?.body).toEqual({
      options: [
        { id: 501, label: 'Olivia Bennett' },
        { id: 502, label: 'Marcus Reed' },
        { label: 'Priya Natarajan (13057011)' },
      ],
    });
  });

  it('the emulator removes options left out of a v1 PUT', async () => {
    await server.close();
    await start({ fields: { deal: [ownerField(['Olivia Bennett', 'Marcus Reed'])] } });

    const response = await fetch(`${server.baseUrl}/api/v1/dealFields/15001`, {
      method: 'PUT',
      headers: { 'x-api-token': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ options: [{ id: 502, label: 'Marcus Reed' }, { label: 'New' }] }),
    });

    expect(response.status).toBe(200);
    expect(emulator.field('Assistant owner')?.options?.map((o) => o.label)).toEqual([
      'Marcus Reed',
      'New',
    ]);
  });

  it('second run makes zero writes and returns already_present', async () => {
    const pipedrive = connector();
    const first = await pipedrive.ensureOwnerProperty(REP1);
    expect(first.outcome).toBe('created');
    const writes = emulator.writeLog.length;
    expect(writes).toBe(1);

    const second = await pipedrive.ensureOwnerProperty(REP1);

    expect(second).toEqual({ ...first, outcome: 'already_present' });
    expect(emulator.writeLog).toHaveLength(writes);
    expect(emulator.field('Assistant owner')?.options).toHaveLength(1);
  });

  it('a refused API token is invalid whatever the error text says (API tokens never expire)', async () => {
    expect(await connector().verifyCredentials()).toEqual({
      status: 'valid',
      account: 'Acme (acme.pipedrive.com) as Olivia Bennett',
    });

    const invalid = await connector('pd-not-a-real-api-token-0000').verifyCredentials();
    expect(invalid.status).toBe('invalid');
    expect(invalid.vendorCode).toBe('unauthorized access');

    emulator.setFaults({ tokensExpired: true });
    const expired = await connector().verifyCredentials();
    expect(expired.status).toBe('invalid');
    expect(expired.vendorCode).toBe('Invalid token: access token has expired');
  });

  it('verify reports the company and the user the token acts as (GET /users/me)', async () => {
    const rep = connector(TOKEN);
    emulator.state.tokenOwners[TOKEN] = '13057011';
    const result = await rep.verifyCredentials();
    expect(result).toEqual({
      status: 'valid',
      account: 'Acme (acme.pipedrive.com) as Priya Natarajan',
    });
    // /users/me reports neither scopes nor expiry: none are invented.
    expect(result.scopes).toBeUndefined();
    expect(result.expiresAt).toBeUndefined();
  });

  it("an OAuth access token (Bearer) works on /v1, /api/v1 and /api/v2, acting as its grant's person", async () => {
    const grant = emulator.oauth.issueGrant('13057011');
    const bearer = (apiDomain: string) =>
      new PipedriveConnector({
        credentials: {
          crm: 'pipedrive',
          secrets: { accessToken: grant.accessToken, refreshToken: grant.refreshToken },
          instance: { apiDomain },
        },
        policy: FAST,
      });
    emulator.clearLogs();
    for (const apiDomain of [server.baseUrl, `${server.baseUrl}/v1`]) {
      expect(await bearer(apiDomain).verifyCredentials()).toEqual({
        status: 'valid',
        account: 'Acme (acme.pipedrive.com) as Priya Natarajan',
      });
      expect(await bearer(apiDomain).findOwnerByEmail('rep1@acme.test')).toEqual(REP1);
    }
    expect(emulator.requestLog.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/api/v1/users/me 200',
      '/api/v1/users 200',
      '/v1/users/me 200',
      '/v1/users 200',
    ]);
    // It went as Bearer: no API token anywhere.
    expect(emulator.requestLog.some((e) => e.query.includes('api_token'))).toBe(false);

    // The writes too: v1 create, then the v2 atomic append (both under the API domain).
    emulator.clearLogs();
    expect(await bearer(server.baseUrl).ensureOwnerProperty(REP1)).toMatchObject({
      outcome: 'created',
    });
    const owner = { id: '13057001', email: 'owner@acme.test', name: 'Olivia Bennett' };
    expect(await bearer(server.baseUrl).ensureOwnerProperty(owner)).toMatchObject({
      outcome: 'option_added',
    });
    expect(
      emulator.writeLog.map((e) => `${e.method} ${e.path.replace(/[0-9a-f]{40}/, '{key}')}`),
    ).toEqual(['POST /api/v1/dealFields', 'POST /api/v2/dealFields/{key}/options']);
  });

  it('an expired or revoked OAuth access token is expired (a refresh decides); an API token 401 is invalid', async () => {
    const grant = emulator.oauth.issueGrant('13057001');
    const oauthConnector = () =>
      new PipedriveConnector({
        credentials: {
          crm: 'pipedrive',
          secrets: { accessToken: grant.accessToken },
          instance: { apiDomain: server.baseUrl },
        },
        policy: FAST,
      });
    emulator.oauth.expireAccessTokens();
    const expired = await oauthConnector().verifyCredentials();
    expect(expired.status).toBe('expired');
    expect(expired.vendorCode).toBe('Invalid token: access token has expired');
    const error = await oauthConnector()
      .findOwnerByEmail('owner@acme.test')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'expired_credentials', status: 401 });
    expect((error as CrmError).message).not.toContain(grant.accessToken);

    // Revoked: Pipedrive's plain 401, still 'expired' for an OAuth token (only the refresh can
    // tell revoked from expired; it answers invalid_grant: pipedrive.oauth.test.ts).
    const fresh = emulator.oauth.issueGrant('13057001');
    emulator.oauth.revokeAll();
    const revoked = await new PipedriveConnector({
      credentials: {
        crm: 'pipedrive',
        secrets: { accessToken: fresh.accessToken },
        instance: { apiDomain: server.baseUrl },
      },
      policy: FAST,
    }).verifyCredentials();
    expect(revoked).toMatchObject({ status: 'expired', vendorCode: 'unauthorized access' });

    // The same API-token 401 stays invalid (API tokens never expire).
    const apiToken = await connector('pd-not-a-real-api-token-0000').verifyCredentials();
    expect(apiToken.status).toBe('invalid');
  });

  it('429 with Retry-After is retried after the stated delay and then succeeds', async () => {
    emulator.setFaults({ rateLimits: 1, retryAfterSeconds: 1 });
    const delays: number[] = [];
    const pipedrive = connector(TOKEN, { onRetry: (info) => delays.push(info.delayMs) });

    const started = Date.now();
    const found = await pipedrive.findOwnerByEmail('owner@acme.test');
    const elapsed = Date.now() - started;

    expect(found?.id).toBe('13057001');
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
    await server.close();
    await start({ oauthTokens: ['pd-oauth-test-access-token-0001'] });
    const call = (headers: Record<string, string>, query = '') =>
      fetch(`${server.baseUrl}/api/v1/users/me${query}`, { headers });

    // An API token is not a Bearer token, and Basic/Token schemes are not Pipedrive's.
    const bearerApiToken = await call({ authorization: `Bearer ${TOKEN}` });
    expect(bearerApiToken.status).toBe(401);
    expect(await bearerApiToken.json()).toEqual({
      success: false,
      error: 'unauthorized access',
      errorCode: 401,
      error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.',
      data: null,
      additional_data: null,
    });
    expect((await call({ authorization: `Token ${TOKEN}` })).status).toBe(401);
    expect(
      (await call({ authorization: `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}` }))
        .status,
    ).toBe(401);
    expect((await call({})).status).toBe(401);
    // The accepted forms: x-api-token header, legacy ?api_token=, and Bearer for OAuth tokens.
    expect((await call({ 'x-api-token': TOKEN })).status).toBe(200);
    expect((await call({}, `?api_token=${TOKEN}`)).status).toBe(200);
    expect((await call({ authorization: 'Bearer pd-oauth-test-access-token-0001' })).status).toBe(
      200,
    );
  });

  it("owner options are keyed by the CRM owner's id: two reps with the same name get two options", async () => {
    const twin: CrmOwner = { id: '13057012', email: 'rep2@acme.test', name: 'Priya Natarajan' };

    expect((await connector().ensureOwnerProperty(REP1)).outcome).toBe('created');
    const second = await connector().ensureOwnerProperty(twin);

    expect(second).toMatchObject({
      outcome: 'option_added',
      optionValue: 'Priya Natarajan (13057012)',
    });
    expect(emulator.field('Assistant owner')?.options?.map((o) => o.label)).toEqual([
      'Priya Natarajan (13057011)',
      'Priya Natarajan (13057012)',
    ]);
  });

  it("a renamed rep's option keeps its id and gets the new name (a deal's value stays)", async () => {
    await connector().ensureOwnerProperty(REP1);
    const before = emulator.field('Assistant owner')?.options ?? [];
    emulator.clearLogs();

    const renamed = await connector().ensureOwnerProperty({ ...REP1, name: 'Priya Rao' });

    expect(renamed).toMatchObject({
      outcome: 'option_updated',
      optionValue: 'Priya Rao (13057011)',
    });
    const after = emulator.field('Assistant owner')?.options ?? [];
    expect(after).toEqual([{ id: before[0]?.id, label: 'Priya Rao (13057011)' }]);
    expect(emulator.writeLog.map((w) => w.method)).toEqual(['PUT']);
    // A legacy option labelled with the bare name is taken over the same way.
    await server.close();
    await start({ fields: { deal: [ownerField(['Marcus Reed', 'Priya Natarajan'])] } });
    expect((await connector().ensureOwnerProperty(REP1)).outcome).toBe('option_updated');
    expect(emulator.field('Assistant owner')?.options).toEqual([
      { id: 501, label: 'Marcus Reed' },
      { id: 502, label: 'Priya Natarajan (13057011)' },
    ]);
  });

  it('Pipedrive base URLs: https://api.pipedrive.com/v1 by default, {company}/api/v1 with an API domain', async () => {
    expect(pipedriveBases(undefined)).toEqual({
      v1: 'https://api.pipedrive.com/v1',
      v2: 'https://api.pipedrive.com/api/v2',
    });
    expect(pipedriveBases('https://acme.pipedrive.com')).toEqual({
      v1: 'https://acme.pipedrive.com/api/v1',
      v2: 'https://acme.pipedrive.com/api/v2',
    });
    // Against the emulator over HTTP: the default shape (/v1) and the company shape (/api/v1).
    const apiShape = new PipedriveConnector({
      credentials: { crm: 'pipedrive', secrets: { apiToken: TOKEN }, instance: {} },
      baseUrl: `${server.baseUrl}/v1`,
      policy: FAST,
    });
    emulator.clearLogs();
    expect(await apiShape.verifyCredentials()).toEqual({
      status: 'valid',
      account: 'Acme (acme.pipedrive.com) as Olivia Bennett',
    });
    expect(await apiShape.ensureOwnerProperty(REP1)).toMatchObject({ outcome: 'created' });
    expect(await connector().verifyCredentials()).toEqual({
      status: 'valid',
      account: 'Acme (acme.pipedrive.com) as Olivia Bennett',
    });
    expect(emulator.requestLog.map((r) => r.path)).toEqual([
      '/v1/users/me',
      '/v1/dealFields',
      '/v1/dealFields',
      '/api/v1/users/me',
    ]);
  });

  it("a CrmError's message never contains the token", async () => {
    const messages: string[] = [];
    const capture = async (promise: Promise<unknown>) => {
      const error = await promise.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CrmError);
      messages.push((error as CrmError).message);
    };

    // The vendor echoing the token back in its message (as validation errors echo input).
    const echoing = connector(TOKEN, {
      fetch: () =>
        Promise.resolve(
          Response.json(
            { success: false, error: `unknown api_token ${TOKEN}`, errorCode: 401, data: null },
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

  it('metadata changes refused by Pipedrive are reported as not_permitted', async () => {
    emulator.setFaults({ metadataNotPermitted: true });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('not_permitted');
    expect(emulator.field('Assistant owner')).toBeUndefined();
    expect(emulator.writeLog).toHaveLength(0);
  });

  it('given the demo accounts, it accepts the demo tokens and knows the demo users', () => {
    expect(emulator.state.tokens.has('pd-demo-owner-company-api-token-0001')).toBe(true);
    expect(emulator.state.tokens.has('pd-demo-rep1-own-account-api-token-0011')).toBe(true);
    const byEmail = new Map(emulator.state.users.map((u) => [u.email, u.id]));
    expect(byEmail.get('owner@acme.test')).toBe(13_057_001);
    expect(byEmail.get('admin@acme.test')).toBe(13_057_002);
    for (let n = 1; n <= 10; n += 1) {
      expect(byEmail.get(`rep${n}@acme.test`)).toBe(13_057_010 + n);
    }
  });
});

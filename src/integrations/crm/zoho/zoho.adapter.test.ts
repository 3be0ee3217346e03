import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import type { CrmOwner } from '#src/integrations/crm/crm-connector.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import {
  createZohoEmulator,
  type ZohoEmulator,
  type ZohoField,
  type ZohoSeed,
} from '#emulators/zoho.emulator.ts';
import { ZohoConnector } from '#src/integrations/crm/zoho/zoho.adapter.ts';
import { demoEmulatorAccounts } from '#tests/factories/crm-connection.factory.ts';

const TOKEN = '1000.test0zoho0access0token.7f3a9c21d4e5';
const FAST = FAST_RETRY_POLICY;
const REP1: CrmOwner = {
  id: '4876876000000225101',
  email: 'rep1@acme.test',
  name: 'Priya Natarajan',
};

let emulator: ZohoEmulator;
let server: StartedEmulator;

async function start(seed: Partial<ZohoSeed> = {}): Promise<void> {
  emulator = createZohoEmulator({
    ...demoEmulatorAccounts('zoho', [TOKEN]),
    ...seed,
  });
  server = await emulator.start();
}

function connector(
  token = TOKEN,
  extra: Partial<ConstructorParameters<typeof ZohoConnector>[0]> = {},
): ZohoConnector {
  // The loopback instance URL plays the credential's api_domain: no baseUrl override needed.
  return new ZohoConnector({
    credentials: {
      crm: 'zoho',
      secrets: { accessToken: token },
      instance: { apiDomain: server.baseUrl },
    },
    policy: FAST,
    ...extra,
  });
}

function ownerField(values: { display_value: string; actual_value: string }[]): ZohoField {
  return {
    id: '4876876000000777001',
    api_name: 'Assistant_Owner',
    field_label: 'Assistant Owner',
    display_label: 'Assistant Owner',
    data_type: 'picklist',
    custom_field: true,
    visible: true,
    read_only: false,
    created_source: 'crm',
    pick_list_values: [{ display_value: '-None-', actual_value: '-None-' }, ...values].map(
      (v, i) => ({
        ...v,
        id: `487687600000077710${i}`,
        reference_value: v.display_value,
        sequence_number: i + 1,
        type: 'used' as const,
      }),
    ),
  };
}

const optionsOf = (field: ZohoField | undefined) =>
  field?.pick_list_values.map((v) => [v.actual_value, v.display_value]);

describe('ZohoConnector against the Zoho emulator', () => {
  beforeEach(async () => {
    await start();
  });

  afterEach(async () => {
    await server.close();
  });

  it('owner found by email (case-insensitive, across pages)', async () => {
    const found = await connector().findOwnerByEmail('  REP1@Acme.TEST ');

    expect(found).toEqual(REP1);
    const userPages = emulator.requestLog.filter((e) => e.path === '/crm/v8/users');
    expect(userPages.length).toBeGreaterThan(1);
    expect(userPages[0]?.query).toContain('page=1');
    expect(userPages[1]?.query).toContain('page=2');
    expect(userPages[0]?.query).toContain('type=ActiveUsers');

    emulator.clearLogs();
    expect(await connector().findOwnerByEmail('nobody@acme.test')).toBeNull();
    expect(emulator.requestLog.length).toBeGreaterThan(1);
  });

  it('field created when missing', async () => {
    const result = await connector().ensureOwnerProperty(REP1);

    expect(result).toEqual({
      outcome: 'created',
      fieldKey: 'Assistant_Owner',
      optionValue: '4876876000000225101',
    });
    const field = emulator.field('Assistant_Owner');
    expect(field?.field_label).toBe('Assistant Owner');
    expect(field?.data_type).toBe('picklist');
    expect(field?.custom_field).toBe(true);
    expect(optionsOf(field)).toEqual([
      ['-None-', '-None-'],
      ['4876876000000225101', 'Priya Natarajan'],
    ]);
    // The unrelated custom field is untouched.
    expect(optionsOf(emulator.field('Deal_Source'))).toEqual([
      ['-None-', '-None-'],
      ['Inbound', 'Inbound'],
      ['Outbound', 'Outbound'],
    ]);
  });

  it("the field's api_name is the one Zoho chose: a retired Assistant_Owner makes the new field Assistant_Owner1", async () => {
    await server.close();
    await start({ retiredApiNames: ['Assistant_Owner'] });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result).toMatchObject({ outcome: 'created', fieldKey: 'Assistant_Owner1' });
    expect(emulator.field('Assistant_Owner1')?.field_label).toBe('Assistant Owner');
    expect(emulator.field('Assistant_Owner')).toBeUndefined();
    // The next run finds the field by its label and reads the api_name Zoho lists.
    emulator.clearLogs();
    expect(await connector().ensureOwnerProperty(REP1)).toMatchObject({
      outcome: 'already_present',
      fieldKey: 'Assistant_Owner1',
    });
    expect(emulator.writeLog).toHaveLength(0);
  });

  it('an existing owner field is found by its label whatever api_name Zoho gave it', async () => {
    await server.close();
    await start({
      fields: {
        Deals: [
          {
            ...ownerField([
              { display_value: 'Olivia Bennett', actual_value: '4876876000000225013' },
            ]),
            api_name: 'Assistant_Owner_2',
          },
        ],
      },
    });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result).toMatchObject({ outcome: 'option_added', fieldKey: 'Assistant_Owner_2' });
    expect(optionsOf(emulator.field('Assistant_Owner_2'))).toContainEqual([
      '4876876000000225101',
      'Priya Natarajan',
    ]);
  });

  it('option added when missing with every existing option kept', async () => {
    await server.close();
    await start({
      fields: {
        Deals: [
          ownerField([
            { display_value: 'Olivia Bennett', actual_value: '4876876000000225013' },
            { display_value: 'Marcus Reed', actual_value: '4876876000000225014' },
          ]),
        ],
      },
    });
    const before = emulator.field('Assistant_Owner')?.pick_list_values.map((v) => v.id);

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('option_added');
    const field = emulator.field('Assistant_Owner');
    expect(optionsOf(field)).toEqual([
      ['-None-', '-None-'],
      ['4876876000000225013', 'Olivia Bennett'],
      ['4876876000000225014', 'Marcus Reed'],
      ['4876876000000225101', 'Priya Natarajan'],
    ]);
    // The existing entries keep their ids: the PATCH appended, it did not replace.
    expect(field?.pick_list_values.slice(0, 3).map((v) => v.id)).toEqual(before);
    expect(emulator.writeLog).toHaveLength(1);
    expect(emulator.writeLog[0]?.method).toBe('PATCH');
    expect(emulator.writeLog[0]?.path).toBe('/crm/v8/settings/fields/4876876000000777001');
    expect(emulator.writeLog[0]?.body).toEqual({
      fields: [
        {
          pick_list_values: [
            { display_value: 'Priya Natarajan', actual_value: '4876876000000225101' },
          ],
        },
      ],
    });
  });

  it('second run makes zero writes and returns already_present', async () => {
    const zoho = connector();
    expect((await zoho.ensureOwnerProperty(REP1)).outcome).toBe('created');
    const writes = emulator.writeLog.length;
    expect(writes).toBe(1);

    const second = await zoho.ensureOwnerProperty(REP1);

    expect(second).toEqual({
      outcome: 'already_present',
      fieldKey: 'Assistant_Owner',
      optionValue: REP1.id,
    });
    expect(emulator.writeLog).toHaveLength(writes);
    expect(emulator.field('Assistant_Owner')?.pick_list_values).toHaveLength(2);
  });

  it('Test connection names the company (GET /crm/v8/org) and the current user; Zoho reports no scopes or expiry', async () => {
    const result = await connector().verifyCredentials();
    expect(result).toEqual({ status: 'valid', account: 'Acme as Olivia Bennett' });
    expect(emulator.requestLog.map((r) => `${r.path}${r.query}`)).toEqual([
      '/crm/v8/users?type=CurrentUser',
      '/crm/v8/org',
    ]);
  });

  it('a token without the org scope still verifies, labelled by the API domain host and the user', async () => {
    const grant = emulator.oauth.issueGrant(REP1.id, { scopes: ['ZohoCRM.users.READ'] });
    const orgCall = await fetch(`${server.baseUrl}/crm/v8/org`, {
      headers: { authorization: `Zoho-oauthtoken ${grant.accessToken}` },
    });
    expect(orgCall.status).toBe(401);
    expect(await orgCall.json()).toMatchObject({ code: 'OAUTH_SCOPE_MISMATCH' });
    expect(await connector(grant.accessToken).verifyCredentials()).toEqual({
      status: 'valid',
      account: `${new URL(server.baseUrl).host} as ${REP1.name}`,
    });
  });

  it('an issued token that expired or was revoked fails the check; expired says INVALID_TOKEN', async () => {
    const grant = emulator.oauth.issueGrant(REP1.id);
    expect((await connector(grant.accessToken).verifyCredentials()).status).toBe('valid');
    emulator.oauth.expireAccessTokens();
    expect(await connector(grant.accessToken).verifyCredentials()).toMatchObject({
      status: 'expired',
      vendorCode: 'INVALID_TOKEN',
    });
    const second = emulator.oauth.issueGrant(REP1.id);
    emulator.oauth.revokeAll();
    expect((await connector(second.accessToken).verifyCredentials()).status).not.toBe('valid');
  });

  it('401 INVALID_TOKEN is expired (Zoho says the same for unknown and expired tokens); AUTHENTICATION_FAILURE is invalid', async () => {
    expect(await connector().verifyCredentials()).toMatchObject({ status: 'valid' });

    const unknown = await connector('1000.not-a-real-zoho-token.0000').verifyCredentials();
    expect(unknown).toMatchObject({ status: 'expired', vendorCode: 'INVALID_TOKEN' });

    emulator.setFaults({ tokensExpired: true });
    const expired = await connector().verifyCredentials();
    expect(expired).toMatchObject({ status: 'expired', vendorCode: 'INVALID_TOKEN' });

    const noHeader = await fetch(`${server.baseUrl}/crm/v8/users?type=CurrentUser`);
    expect(noHeader.status).toBe(401);
    expect(await noHeader.json()).toMatchObject({ code: 'AUTHENTICATION_FAILURE' });
  });

  it('the token endpoint takes its refresh grant as a query, a form or a multipart body (as the Zoho SDK sends it)', async () => {
    await server.close();
    await start({ refreshTokens: ['1000.zoho-refresh-token-for-tests'] });
    const grant = {
      grant_type: 'refresh_token',
      client_id: '1000.CLIENT',
      client_secret: 'not-checked',
      refresh_token: '1000.zoho-refresh-token-for-tests',
    };
    const url = `${server.baseUrl}/oauth/v2/token`;
    const multipart = new FormData();
    for (const [k, v] of Object.entries(grant)) multipart.append(k, v);
    const replies = [
      await fetch(`${url}?${new URLSearchParams(grant).toString()}`, { method: 'POST' }),
      await fetch(url, { method: 'POST', body: new URLSearchParams(grant) }),
      await fetch(url, { method: 'POST', body: multipart }),
    ];
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      const body = (await reply.json()) as { access_token?: string; api_domain?: string };
      expect(body.api_domain).toBe(server.baseUrl);
      // The new access token works as a Zoho-oauthtoken.
      expect(await connector(body.access_token ?? '').verifyCredentials()).toMatchObject({
        status: 'valid',
      });
    }
    const wrong = new FormData();
    wrong.append('grant_type', 'refresh_token');
    wrong.append('refresh_token', '1000.not-a-refresh-token');
    expect(await (await fetch(url, { method: 'POST', body: wrong })).json()).toEqual({
      error: 'invalid_code',
    });
  });

  it('429 with Retry-After is retried after the stated delay and then succeeds', async () => {
    emulator.setFaults({ rateLimits: 1, retryAfterSeconds: 1 });
    const delays: number[] = [];
    const zoho = connector(TOKEN, { onRetry: (info) => delays.push(info.delayMs) });

    const started = Date.now();
    const found = await zoho.findOwnerByEmail('owner@acme.test');
    const elapsed = Date.now() - started;

    expect(found?.id).toBe('4876876000000225013');
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
    expect((error as CrmError).vendorCode).toBe('INTERNAL_ERROR');
    expect((error as CrmError).attempts).toBe(FAST.maxAttempts);
    expect(emulator.requestLog).toHaveLength(FAST.maxAttempts ?? 0);
    expect(elapsed).toBeLessThan(FAST.budgetMs ?? 0);
    // The same failure is "unreachable" to verifyCredentials, which never throws.
    expect((await connector().verifyCredentials()).status).toBe('unreachable');
  });

  it('the wrong auth scheme is rejected by the emulator (Bearer instead of Zoho-oauthtoken)', async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${server.baseUrl}/crm/v8/users?type=CurrentUser`, { headers });

    const bearer = await call({ authorization: `Bearer ${TOKEN}` });
    expect(bearer.status).toBe(401);
    expect(await bearer.json()).toEqual({
      code: 'INVALID_TOKEN',
      details: {},
      message: 'invalid oauth token',
      status: 'error',
    });
    const missing = await call({});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 'AUTHENTICATION_FAILURE' });
    const right = await call({ authorization: `Zoho-oauthtoken ${TOKEN}` });
    expect(right.status).toBe(200);
    expect(await right.json()).toMatchObject({ users: [{ email: 'owner@acme.test' }] });
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
            { code: 'INVALID_TOKEN', details: {}, message: `bad token ${TOKEN}`, status: 'error' },
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

  it('metadata changes refused by Zoho are reported as not_permitted', async () => {
    emulator.setFaults({ metadataNotPermitted: true });

    const result = await connector().ensureOwnerProperty(REP1);

    expect(result.outcome).toBe('not_permitted');
    expect(emulator.field('Assistant_Owner')).toBeUndefined();
    expect(emulator.writeLog).toHaveLength(0);
  });

  it('given the demo accounts, it accepts the demo tokens and knows the demo users', () => {
    expect(emulator.state.tokens.has('1000.demo-owner-zoho-access-token-0001')).toBe(true);
    const byEmail = new Map(emulator.state.users.map((u) => [u.email, u.id]));
    expect(byEmail.get('owner@acme.test')).toBe('4876876000000225013');
    expect(byEmail.get('admin@acme.test')).toBe('4876876000000225014');
    for (let n = 1; n <= 10; n += 1) {
      expect(byEmail.get(`rep${n}@acme.test`)).toBe(`4876876000000225${100 + n}`);
    }
  });
});

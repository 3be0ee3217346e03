import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CrmKey } from '#src/domain/crm.ts';
import { createOAuthProviders } from '#src/integrations/crm/oauth/oauth-providers.ts';
import { consent } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { openGrantSecrets } from '#src/services/crm-connections/crm-connection.service.ts';
import { createAttioEmulator } from '#emulators/attio.emulator.ts';
import { createHubSpotEmulator, type HubSpotEmulator } from '#emulators/hubspot.emulator.ts';
import { createPipedriveEmulator } from '#emulators/pipedrive.emulator.ts';
import { createSalesforceEmulator } from '#emulators/salesforce.emulator.ts';
import { startEmulatorServers, type RunningEmulators } from '#emulators/start-emulators.ts';
import { createZohoEmulator, type ZohoEmulator } from '#emulators/zoho.emulator.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';
import { insertLoginOrganization, TEST_PASSWORD } from '#tests/support/accounts.ts';
import {
  buildTestApp,
  loginAs,
  request,
  type Agent,
  type TestApp,
} from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * "Connect <CRM>" and "Test connection" (issue 12) over HTTP: the app (inject) and the CRM
 * emulators' authorization servers (real HTTP), the browser's part played by reading and
 * submitting the emulator's consent form. Attio and Pipedrive have no OAuth client here.
 */

const CLIENTS = {
  hubspot: { clientId: 'ergo-http-hubspot', clientSecret: 'hubspot-http-client-secret-0123456' },
  salesforce: {
    clientId: 'ergo-http-salesforce',
    clientSecret: 'salesforce-http-client-secret-0123456',
  },
  zoho: { clientId: 'ergo-http-zoho', clientSecret: 'zoho-http-client-secret-0123456789' },
} as const satisfies Partial<Record<CrmKey, { clientId: string; clientSecret: string }>>;
const CLIENT_SECRETS = Object.values(CLIENTS).map((c) => c.clientSecret);

const CONNECTIONS_PAGE = '/settings/crm-connections';

let database: TestDatabase;
let uow: UnitOfWork;
let emulators: RunningEmulators;
let hubspot: HubSpotEmulator;
let zoho: ZohoEmulator;
let testApp: TestApp;
/** Every URL the app's OAuth providers fetched (token requests), in order. */
let fetched: URL[];

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

beforeEach(async () => {
  hubspot = createHubSpotEmulator({
    people: emulatorPeople('hubspot'),
    oauthClients: [{ ...CLIENTS.hubspot }],
  });
  zoho = createZohoEmulator({
    people: emulatorPeople('zoho'),
    oauthClients: [{ ...CLIENTS.zoho }],
  });
  emulators = await startEmulatorServers({
    hubspot,
    salesforce: createSalesforceEmulator({
      people: emulatorPeople('salesforce'),
      oauthClients: [{ ...CLIENTS.salesforce }],
    }),
    zoho,
    attio: createAttioEmulator({ people: emulatorPeople('attio') }),
    pipedrive: createPipedriveEmulator({ people: emulatorPeople('pipedrive') }),
  });
  fetched = [];
  const recordingFetch: typeof fetch = (input, init) => {
    fetched.push(new URL(input instanceof Request ? input.url : String(input)));
    return fetch(input, init);
  };
  testApp = await buildTestApp(database, {
    crmBaseUrls: emulators.urls,
    oauth: createOAuthProviders(CLIENTS, { baseUrls: emulators.urls, fetch: recordingFetch }),
  });
});
afterEach(async () => {
  await testApp.app.close();
  await emulators.close();
});

// --- helpers -------------------------------------------------------------------------------------

interface Member {
  agent: Agent;
  userId: string;
  email: string;
  organizationId: string;
}

/** A new organization; its primary admin, logged in (each test its own, so nothing is shared). */
async function newOrganization(): Promise<Member & { addMember(): Promise<Member> }> {
  const org = await insertLoginOrganization(uow);
  const agent = await loginAs(testApp.app, org.primaryAdmin.email, TEST_PASSWORD);
  return {
    agent,
    userId: org.primaryAdmin.id,
    email: org.primaryAdmin.email,
    organizationId: org.organizationId,
    addMember: async () => {
      const user = await org.addUser();
      return {
        agent: await loginAs(testApp.app, user.email, TEST_PASSWORD),
        userId: user.id,
        email: user.email,
        organizationId: org.organizationId,
      };
    },
  };
}

/** POST …/:crm/oauth: the authorization URL (asserting a 200). */
async function startConnect(agent: Agent, crm: CrmKey, body: object = {}): Promise<URL> {
  const response = await request(
    testApp.app,
    agent,
    'POST',
    `/api/me/crm-connections/${crm}/oauth`,
    body,
  );
  expect(response.statusCode, response.body).toBe(200);
  const { authorizationUrl } = response.json<{ authorizationUrl: string }>();
  for (const secret of CLIENT_SECRETS) expect(response.body).not.toContain(secret);
  return new URL(authorizationUrl);
}

/** Start, then the emulator's consent page and the chosen button: the callback URL it redirects to. */
async function consentTo(
  agent: Agent,
  crm: CrmKey,
  press: 'Allow' | 'Deny' = 'Allow',
  body: object = {},
): Promise<URL> {
  const authorizationUrl = await startConnect(agent, crm, body);
  const callback = await consent(authorizationUrl.toString(), press);
  // The emulator sends the browser back to this app's callback (inject's host: localhost:80).
  expect(callback.pathname).toBe(`/oauth/callback/${crm}`);
  expect(callback.searchParams.get('state')).toBe(authorizationUrl.searchParams.get('state'));
  return callback;
}

/** The browser arriving at the callback (optionally on another path or with changed params). */
function arrive(
  agent: Agent | undefined,
  callback: URL,
  change: { path?: string; params?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const url = new URL(callback);
  if (change.path) url.pathname = change.path;
  for (const [k, v] of Object.entries(change.params ?? {})) url.searchParams.set(k, v);
  return request(testApp.app, agent, 'GET', `${url.pathname}${url.search}`);
}

/** The callback's answer: a 303 to the connections page; its query (crm, connected or error). */
function outcome(response: LightMyRequestResponse): Record<string, string> {
  expect(response.statusCode, response.body).toBe(303);
  const location = new URL(String(response.headers.location), 'http://app.invalid');
  expect(location.pathname).toBe(CONNECTIONS_PAGE);
  return Object.fromEntries(location.searchParams);
}

/** Consent (Allow) and the callback: connected. */
async function connect(agent: Agent, crm: CrmKey, body: object = {}): Promise<void> {
  const callback = await consentTo(agent, crm, 'Allow', body);
  expect(outcome(await arrive(agent, callback))).toEqual({ crm, connected: '1' });
}

async function grantRows(organizationId: string) {
  return database.db
    .selectFrom('crm_grants')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .execute();
}

async function connectionRows(userId: string) {
  return database.db
    .selectFrom('crm_connections')
    .selectAll()
    .where('user_id', '=', userId)
    .execute();
}

async function stateRows(userId: string) {
  return database.db.selectFrom('oauth_states').selectAll().where('user_id', '=', userId).execute();
}

/** The user's grant's tokens, opened with the app's keyring. */
async function tokensOf(organizationId: string) {
  const [row] = await grantRows(organizationId);
  if (!row) throw new Error('no grant stored');
  const [grant] = await uow.read.crmGrants.findMany([row.id]);
  if (!grant) throw new Error('grant not readable');
  return openGrantSecrets(testApp.keyring, grant);
}

interface MaskedConnection {
  crm: CrmKey;
  via: 'key' | 'oauth';
  status: string;
  statusDetail: string | null;
  checkedAt: string | null;
  scopes?: string[];
  accessExpiresAt?: string | null;
  instance: Record<string, unknown>;
}

async function myConnections(agent: Agent): Promise<{ body: string; items: MaskedConnection[] }> {
  const response = await request(testApp.app, agent, 'GET', '/api/me/crm-connections');
  expect(response.statusCode, response.body).toBe(200);
  const json = response.json<MaskedConnection[] | { items: MaskedConnection[] }>();
  return { body: response.body, items: Array.isArray(json) ? json : json.items };
}

const tokenRequests = (emulator: { oauth: { tokenRequests: readonly unknown[] } }) =>
  emulator.oauth.tokenRequests.length;

/** Nothing of "Connect" was stored for the user: no grant, no connection. */
async function expectNothingStored(member: Member): Promise<void> {
  expect(await grantRows(member.organizationId)).toEqual([]);
  expect(await connectionRows(member.userId)).toEqual([]);
  const { items } = await myConnections(member.agent);
  expect(items).toEqual([]);
}

// --- the tests -----------------------------------------------------------------------------------

describe('Connect <CRM> over HTTP (issue 12)', () => {
  for (const crm of ['hubspot', 'zoho'] as const) {
    it(`${crm}: consent on the CRM, callback → connected by OAuth; the grant is sealed, the API and the audit show no secret`, async () => {
      const owner = await newOrganization();
      const callback = await consentTo(owner.agent, crm);
      if (crm === 'zoho') {
        // Zoho names the user's accounts server (here: the emulator) and location.
        expect(callback.searchParams.get('accounts-server')).toBe(emulators.urls.zoho);
        expect(callback.searchParams.get('location')).not.toBeNull();
      }
      expect(outcome(await arrive(owner.agent, callback))).toEqual({ crm, connected: '1' });
      const emulator = crm === 'hubspot' ? hubspot : zoho;
      expect(emulator.oauth.tokenRequests.map((r) => r.grantType)).toEqual(['authorization_code']);

      // One grant, sealed: its ciphertext is not the token.
      const grants = await grantRows(owner.organizationId);
      expect(grants).toHaveLength(1);
      const [grant] = grants;
      expect(grant).toMatchObject({ crm, connected_by: owner.userId, status: 'active' });
      const tokens = await tokensOf(owner.organizationId);
      expect(tokens.accessToken.length).toBeGreaterThan(10);
      if (crm === 'hubspot') {
        // The token stored is the one the CRM issued and accepts.
        expect(hubspot.oauth.checkAccessToken(tokens.accessToken)?.status).toBe('ok');
      }
      const secrets = [tokens.accessToken, tokens.refreshToken ?? '', ...CLIENT_SECRETS].filter(
        (s) => s !== '',
      );
      expect(tokens.refreshToken).toBeDefined();
      const rawGrant = JSON.stringify(grant, (_k, v: unknown) =>
        Buffer.isBuffer(v) ? v.toString('latin1') : v,
      );
      for (const secret of secrets) {
        expect(rawGrant).not.toContain(secret);
        expect(Buffer.from(grant?.ciphertext ?? []).includes(Buffer.from(secret))).toBe(false);
      }
      // The connection points at the grant and has no sealed secret of its own.
      const [connection, ...more] = await connectionRows(owner.userId);
      expect(more).toEqual([]);
      expect(connection).toMatchObject({ crm, grant_id: grant?.id, ciphertext: null });
      if (crm === 'zoho') {
        expect(grant?.instance).toMatchObject({ accountsServer: emulators.urls.zoho });
      }

      // The API: via oauth, connected, with scopes and expiry; no token anywhere.
      const mine = await myConnections(owner.agent);
      expect(mine.items).toHaveLength(1);
      expect(mine.items[0]).toMatchObject({ crm, via: 'oauth', status: 'connected' });
      expect(Array.isArray(mine.items[0]?.scopes)).toBe(true);
      expect(Date.parse(mine.items[0]?.accessExpiresAt ?? '')).toBeGreaterThan(Date.now());
      for (const secret of secrets) expect(mine.body).not.toContain(secret);

      // The audit: one connect entry, without secrets.
      const audit = await uow.read.audit.listByOrganization(owner.organizationId, { limit: 100 });
      const connects = audit.filter((e) => e.action === 'crm_connection.connect');
      expect(connects).toHaveLength(1);
      expect(JSON.stringify(connects[0])).toContain('oauth');
      for (const secret of secrets) expect(JSON.stringify(audit)).not.toContain(secret);
      // Nor in the logs.
      for (const secret of secrets) expect(testApp.logs.join('')).not.toContain(secret);
      // The pending state is used up.
      expect(await stateRows(owner.userId)).toEqual([]);
    });
  }

  it('stores the state hashed, never as sent to the CRM', async () => {
    const owner = await newOrganization();
    const authorizationUrl = await startConnect(owner.agent, 'hubspot');
    const state = authorizationUrl.searchParams.get('state') ?? '';
    expect(state.length).toBeGreaterThanOrEqual(32);
    const rows = await stateRows(owner.userId);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(state);
    expect(rows[0]).toMatchObject({ crm: 'hubspot', user_id: owner.userId });
  });

  it('a state is single use: the same callback a second time → oauth_state_invalid, the code is not redeemed again', async () => {
    const owner = await newOrganization();
    const callback = await consentTo(owner.agent, 'hubspot');
    expect(outcome(await arrive(owner.agent, callback))).toEqual({
      crm: 'hubspot',
      connected: '1',
    });
    const grantsBefore = await grantRows(owner.organizationId);
    const requestsBefore = tokenRequests(hubspot);
    const tokens = await tokensOf(owner.organizationId);

    expect(outcome(await arrive(owner.agent, callback))).toEqual({
      crm: 'hubspot',
      error: 'oauth_state_invalid',
    });
    expect(await grantRows(owner.organizationId)).toEqual(grantsBefore);
    // A second redemption of the code would have revoked the grant (RFC 6749 §4.1.2).
    expect(tokenRequests(hubspot)).toBe(requestsBefore);
    expect(hubspot.oauth.checkAccessToken(tokens.accessToken)?.status).toBe('ok');
  });

  it("a state is bound to the session: another user's or another session's cookie → oauth_state_invalid, nothing stored", async () => {
    const owner = await newOrganization();
    const colleague = await owner.addMember();
    const otherOrg = await newOrganization();
    // The same user in another session (another browser).
    const ownerElsewhere: Member = {
      ...owner,
      agent: await loginAs(testApp.app, owner.email, TEST_PASSWORD),
    };
    expect(ownerElsewhere.agent.cookie).not.toBe(owner.agent.cookie);

    for (const intruder of [colleague, otherOrg, ownerElsewhere]) {
      const callback = await consentTo(owner.agent, 'hubspot');
      expect(outcome(await arrive(intruder.agent, callback))).toEqual({
        crm: 'hubspot',
        error: 'oauth_state_invalid',
      });
      await expectNothingStored(intruder);
    }
    // Anonymous: told to sign in, nothing done.
    const callback = await consentTo(owner.agent, 'hubspot');
    expect(outcome(await arrive(undefined, callback))).toEqual({
      crm: 'hubspot',
      error: 'unauthenticated',
    });
    await expectNothingStored(owner);
    expect(tokenRequests(hubspot)).toBe(0);
  });

  it('a state expires: a callback after expires_at → oauth_state_invalid, the code is not redeemed', async () => {
    const owner = await newOrganization();
    const callback = await consentTo(owner.agent, 'hubspot');
    const [pending] = await stateRows(owner.userId);
    // Ten minutes of life from the start.
    const life = (pending?.expires_at.getTime() ?? 0) - (pending?.created_at.getTime() ?? 0);
    expect(life).toBeGreaterThan(9 * 60_000);
    expect(life).toBeLessThanOrEqual(10 * 60_000 + 1_000);
    await database.db
      .updateTable('oauth_states')
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where('user_id', '=', owner.userId)
      .execute();
    expect(outcome(await arrive(owner.agent, callback))).toEqual({
      crm: 'hubspot',
      error: 'oauth_state_invalid',
    });
    await expectNothingStored(owner);
    expect(tokenRequests(hubspot)).toBe(0);
  });

  it("a state is bound to its CRM: HubSpot's code and state on Zoho's callback → oauth_state_invalid", async () => {
    const owner = await newOrganization();
    const callback = await consentTo(owner.agent, 'hubspot');
    expect(outcome(await arrive(owner.agent, callback, { path: '/oauth/callback/zoho' }))).toEqual({
      crm: 'zoho',
      error: 'oauth_state_invalid',
    });
    await expectNothingStored(owner);
    expect(tokenRequests(hubspot) + tokenRequests(zoho)).toBe(0);
    expect(fetched).toEqual([]);
  });

  it('a callback without a state, or with an unknown one, or on an unknown CRM, connects nothing', async () => {
    const owner = await newOrganization();
    const callback = await consentTo(owner.agent, 'hubspot');
    const noState = new URL(callback);
    noState.searchParams.delete('state');
    expect(outcome(await arrive(owner.agent, noState))).toEqual({
      crm: 'hubspot',
      error: 'oauth_state_invalid',
    });
    expect(
      outcome(await arrive(owner.agent, callback, { params: { state: 'x'.repeat(43) } })),
    ).toEqual({ crm: 'hubspot', error: 'oauth_state_invalid' });
    expect(outcome(await arrive(owner.agent, callback, { path: '/oauth/callback/nope' }))).toEqual({
      error: 'invalid_request',
    });
    await expectNothingStored(owner);
    expect(tokenRequests(hubspot)).toBe(0);
  });

  it('Deny on the consent page → oauth_denied, nothing stored, no token request', async () => {
    const owner = await newOrganization();
    const callback = await consentTo(owner.agent, 'hubspot', 'Deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(outcome(await arrive(owner.agent, callback))).toEqual({
      crm: 'hubspot',
      error: 'oauth_denied',
    });
    await expectNothingStored(owner);
    expect(tokenRequests(hubspot)).toBe(0);
    const audit = await uow.read.audit.listByOrganization(owner.organizationId, { limit: 100 });
    expect(audit.filter((e) => e.action === 'crm_connection.connect')).toEqual([]);
  });

  it('Zoho: a forged accounts-server in the callback → crm_oauth_failed; the code and the client secret go nowhere', async () => {
    const owner = await newOrganization();
    const callback = await consentTo(owner.agent, 'zoho', 'Allow', { zohoDataCentre: 'eu' });
    expect(
      outcome(
        await arrive(owner.agent, callback, {
          params: { 'accounts-server': 'https://evil.example' },
        }),
      ),
    ).toEqual({ crm: 'zoho', error: 'crm_oauth_failed' });
    expect(zoho.oauth.tokenRequests).toEqual([]);
    expect(fetched.map((u) => u.host)).toEqual([]);
    await expectNothingStored(owner);
    for (const secret of CLIENT_SECRETS) expect(testApp.logs.join('')).not.toContain(secret);
  });

  it('a CRM without an OAuth client: connect-options says oauth false (paste-in only) and POST …/oauth → 409 oauth_not_configured', async () => {
    const owner = await newOrganization();
    const response = await request(
      testApp.app,
      owner.agent,
      'GET',
      '/api/me/crm-connections/connect-options',
    );
    expect(response.statusCode, response.body).toBe(200);
    const { providers } = response.json<{
      providers: {
        crm: CrmKey;
        label: string;
        oauth: boolean;
        pasteIn: boolean;
        options: Record<string, unknown>;
      }[];
    }>();
    const byCrm = new Map(providers.map((p) => [p.crm, p]));
    expect([...byCrm.keys()].sort()).toEqual([
      'attio',
      'hubspot',
      'pipedrive',
      'salesforce',
      'zoho',
    ]);
    expect(byCrm.get('attio')).toMatchObject({ oauth: false, pasteIn: true, options: {} });
    expect(byCrm.get('pipedrive')).toMatchObject({ oauth: false, pasteIn: true });
    expect(byCrm.get('hubspot')).toMatchObject({ oauth: true, pasteIn: true, label: 'HubSpot' });
    expect(byCrm.get('salesforce')?.options).toEqual({
      salesforceLogin: ['production', 'sandbox', 'my_domain'],
    });
    expect(byCrm.get('zoho')?.options.zohoDataCentres).toEqual(
      expect.arrayContaining(['com', 'eu', 'in', 'ca']),
    );
    for (const secret of CLIENT_SECRETS) expect(response.body).not.toContain(secret);

    const start = await request(
      testApp.app,
      owner.agent,
      'POST',
      '/api/me/crm-connections/attio/oauth',
      {},
    );
    expect(start.statusCode, start.body).toBe(409);
    expect(start.json<{ code: string }>().code).toBe('oauth_not_configured');
    expect(await stateRows(owner.userId)).toEqual([]);
  });

  it('Salesforce My Domain: a host that is not *.my.salesforce.com, or none, → 400 invalid_request and no pending state', async () => {
    const owner = await newOrganization();
    const refused = [
      { salesforceLogin: 'my_domain', myDomain: 'evil.example.com' },
      { salesforceLogin: 'my_domain', myDomain: 'acme.my.salesforce.com.evil.example.com' },
      { salesforceLogin: 'my_domain' },
      { salesforceLogin: 'elsewhere' },
    ];
    for (const body of refused) {
      const response = await request(
        testApp.app,
        owner.agent,
        'POST',
        '/api/me/crm-connections/salesforce/oauth',
        body,
      );
      expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(400);
      expect(response.json<{ code: string }>().code).toBe('invalid_request');
    }
    expect(await stateRows(owner.userId)).toEqual([]);
    // A real My Domain is accepted.
    const url = await startConnect(owner.agent, 'salesforce', {
      salesforceLogin: 'my_domain',
      myDomain: 'acme.my.salesforce.com',
    });
    expect(url.searchParams.get('client_id')).toBe(CLIENTS.salesforce.clientId);
    expect(await stateRows(owner.userId)).toHaveLength(1);
  });

  it('Test connection: an OAuth connection is connected; once the CRM revokes the grant it is reconnect_needed, also in the member table', async () => {
    const owner = await newOrganization();
    const rep = await owner.addMember();
    const [team] = await uow.transaction(async (repos) => {
      const teams = await repos.teams.insertMany(owner.organizationId, ['OAuth team']);
      await repos.teams.addMembers(owner.organizationId, [
        { teamId: teams[0]?.id ?? '', userId: rep.userId },
      ]);
      return teams;
    });
    await connect(rep.agent, 'hubspot');

    const ok = await request(
      testApp.app,
      rep.agent,
      'POST',
      '/api/me/crm-connections/hubspot/test',
    );
    expect(ok.statusCode, ok.body).toBe(200);
    const tested = ok.json<Record<string, unknown>>();
    expect(tested).toMatchObject({ crm: 'hubspot', status: 'connected', via: 'oauth' });
    expect(tested.account).toEqual(expect.any(String));
    expect(tested.detail).toEqual(expect.any(String));
    expect(Date.parse(String(tested.checkedAt))).not.toBeNaN();
    const tokens = await tokensOf(owner.organizationId);
    expect(ok.body).not.toContain(tokens.accessToken);

    hubspot.oauth.revokeAll();
    hubspot.oauth.expireAccessTokens();
    const refused = await request(
      testApp.app,
      rep.agent,
      'POST',
      '/api/me/crm-connections/hubspot/test',
    );
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json()).toMatchObject({
      crm: 'hubspot',
      status: 'reconnect_needed',
      via: 'oauth',
    });
    for (const secret of [tokens.accessToken, tokens.refreshToken ?? '-', ...CLIENT_SECRETS]) {
      expect(refused.body).not.toContain(secret);
    }
    const mine = await myConnections(rep.agent);
    expect(mine.items[0]).toMatchObject({ crm: 'hubspot', status: 'reconnect_needed' });
    expect(mine.items[0]?.statusDetail).toEqual(expect.any(String));
    expect(mine.items[0]?.checkedAt).not.toBeNull();

    const table = await request(
      testApp.app,
      owner.agent,
      'GET',
      `/api/teams/${team?.id ?? ''}/members`,
    );
    expect(table.statusCode, table.body).toBe(200);
    const row = table
      .json<{ items: { id: string; connections: unknown[] }[] }>()
      .items.find((i) => i.id === rep.userId);
    expect(row?.connections).toEqual([
      { crm: 'hubspot', status: 'reconnect_needed', via: 'oauth' },
    ]);
  });

  it('Test connection without a connection to that CRM → 404 not_found', async () => {
    const owner = await newOrganization();
    const response = await request(
      testApp.app,
      owner.agent,
      'POST',
      '/api/me/crm-connections/hubspot/test',
    );
    expect(response.statusCode, response.body).toBe(404);
    expect(response.json<{ code: string }>().code).toBe('not_found');
  });

  it('reconnecting replaces the connection with the new grant and deletes the old grant', async () => {
    const owner = await newOrganization();
    await connect(owner.agent, 'hubspot');
    const [first] = await grantRows(owner.organizationId);
    const firstTokens = await tokensOf(owner.organizationId);

    await connect(owner.agent, 'hubspot');
    const grants = await grantRows(owner.organizationId);
    expect(grants).toHaveLength(1);
    expect(grants[0]?.id).not.toBe(first?.id);
    const connections = await connectionRows(owner.userId);
    expect(connections.map((c) => c.grant_id)).toEqual([grants[0]?.id]);
    // No orphan grant anywhere: the old one is gone, not just unlinked.
    const orphans = await database.db
      .selectFrom('crm_grants')
      .select('id')
      .where('id', '=', first?.id ?? '')
      .execute();
    expect(orphans).toEqual([]);
    expect((await tokensOf(owner.organizationId)).accessToken).not.toBe(firstTokens.accessToken);
    const mine = await myConnections(owner.agent);
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({ crm: 'hubspot', via: 'oauth', status: 'connected' });
  });
});

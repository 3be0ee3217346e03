import { createRequire } from 'node:module';
import type { Connection as JsforceConnection } from '@jsforce/jsforce-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import {
  createSalesforceEmulator,
  type SalesforceEmulator,
} from '#emulators/salesforce.emulator.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';
import { consent } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';

/**
 * The official SDK (@jsforce/jsforce-node), unmodified, pointed at the emulator with
 * `instanceUrl`: proof that the emulator speaks Salesforce's real paths and shapes.
 *
 * jsforce-node 3.12.0 depends on undici 8, which needs Node >= 22.19: on load it reads
 * `zlib.createZstdDecompress` and `worker_threads.markAsUncloneable`, both missing on Node 20.
 * Until the project moves to Node 22 (or pins undici 7), stand-ins are put on those two
 * built-ins before jsforce is imported. Neither is used on these requests: the emulator never
 * sends zstd-encoded bodies, and marking an object uncloneable only matters across threads.
 */
const builtins = createRequire(import.meta.url);
const zlib = builtins('node:zlib') as Record<string, unknown>;
zlib.createZstdDecompress ??= () => {
  throw new Error('zstd decompression needs Node >= 22.15');
};
const workerThreads = builtins('node:worker_threads') as Record<string, unknown>;
workerThreads.markAsUncloneable ??= () => undefined;
// ES2024, in Node >= 22: the standard polyfill.
const promise = Promise as unknown as Record<string, unknown>;
promise.withResolvers ??= <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const settled = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise: settled, resolve, reject };
};
const { Connection, OAuth2 } = await import('@jsforce/jsforce-node');

const TOKEN = '00D000000000001!AQ0AQsdk.test.session.5e8d0b14';
const EXPIRED = '00D000000000001!AQ0AQsdk.timed.out.session.0001';
const REFRESH = '5Aep861sdk-test-refresh-token-0001';
const USERS_SOQL = 'SELECT Id, Email, Name, IsActive FROM User WHERE IsActive = true';
/** A connected app registered with the emulator's authorization server. */
const APP = { clientId: '3MVG9sdk.ergo-connected-app', clientSecret: 'sdk-client-secret-71c2' };
const REDIRECT = 'http://127.0.0.1:5173/api/crm-connections/oauth/callback';
const REP1_ID = '005000000000011AAA';

interface UserRecord {
  Id: string;
  Email: string;
  Name: string;
  IsActive: boolean;
}

interface CustomValue {
  valueName: string;
  label: string;
  isActive: boolean;
}

interface CustomFieldRecord {
  Id: string;
  FullName: string;
  DeveloperName: string;
  Metadata: {
    label: string;
    type: string;
    valueSet: { valueSetDefinition: { value: CustomValue[] } };
  };
}

let emulator: SalesforceEmulator;
let server: StartedEmulator;
let conn: JsforceConnection;

beforeAll(async () => {
  emulator = createSalesforceEmulator({
    people: emulatorPeople('salesforce'),
    tokens: [TOKEN],
    expiredTokens: [EXPIRED],
    refreshTokens: [REFRESH],
    oauthClients: [APP],
  });
  server = await emulator.start();
  conn = new Connection({ instanceUrl: server.baseUrl, accessToken: TOKEN, version: '60.0' });
});

afterAll(async () => {
  await server.close();
});

describe('@jsforce/jsforce-node against the Salesforce emulator', () => {
  it('queries users page by page with queryMore', async () => {
    const first = await conn.query<UserRecord>(USERS_SOQL);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(200);
    expect(first.totalSize).toBeGreaterThan(200);
    // The emulator sends the relative path; jsforce hands back its absolute form.
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v60\.0\/query\/01g\w+-200$/);

    const second = await conn.queryMore<UserRecord>(first.nextRecordsUrl ?? '');
    expect(second.done).toBe(true);
    expect(first.records.length + second.records.length).toBe(first.totalSize);
    const owner = second.records.find((u) => u.Email === 'owner@acme.test');
    expect(owner).toMatchObject({
      attributes: { type: 'User' },
      Id: '005000000000001AAA',
      Name: 'Olivia Bennett',
      IsActive: true,
    });
  });

  it("identity() reads the version resource's identity URL and the Identity URL itself (GET /services/data/v60.0, /id/…)", async () => {
    const fresh = new Connection({
      instanceUrl: server.baseUrl,
      accessToken: TOKEN,
      version: '60.0',
    });
    const identity = await fresh.identity();
    expect(identity).toMatchObject({
      user_id: '005000000000001AAA',
      organization_id: '00D000000000001AAA',
      email: 'owner@acme.test',
      display_name: 'Olivia Bennett',
    });
    expect(identity.id).toBe(`${server.baseUrl}/id/00D000000000001AAA/005000000000001AAA`);
    expect(emulator.requestLog.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/services/data/v60.0', '/id/00D000000000001AAA/005000000000001AAA']),
    );
  });

  it('fetches every user with autoFetch', async () => {
    const all = await conn.query<UserRecord>(USERS_SOQL).run({ autoFetch: true, maxFetch: 1_000 });
    const active = emulator.state.users.filter((u) => u.IsActive);
    expect(all.records.map((u) => u.Id)).toEqual(active.map((u) => u.Id));
    expect(all.done).toBe(true);
  });

  it('runs the RecordType and OpportunityStage SOQL shapes', async () => {
    const recordTypes = await conn.query<{ DeveloperName: string }>(
      "SELECT Id, Name, DeveloperName, IsActive FROM RecordType WHERE SobjectType='Opportunity' AND IsActive=true",
    );
    expect(recordTypes.records.map((r) => r.DeveloperName)).toEqual([
      'New_Business',
      'Renewal',
      'Partner_Deal',
    ]);

    const stages = await conn.query<{ ApiName: string; SortOrder: number }>(
      'SELECT Id, MasterLabel, ApiName, SortOrder, IsActive, IsClosed, IsWon, DefaultProbability, ForecastCategoryName FROM OpportunityStage WHERE IsActive=true ORDER BY SortOrder',
    );
    expect(stages.done).toBe(true);
    expect(stages.records[0]).toMatchObject({ ApiName: 'Prospecting', SortOrder: 1 });
    expect(stages.records).toHaveLength(11);
  });

  it('creates a picklist CustomField, reads it back and finds it with a Tooling query', async () => {
    const created = await conn.tooling.sobject('CustomField').create({
      FullName: 'Opportunity.Assistant_Owner__c',
      Metadata: {
        label: 'Assistant owner',
        type: 'Picklist',
        valueSet: {
          restricted: true,
          valueSetDefinition: {
            sorted: false,
            value: [
              { fullName: '005000000000001AAA', label: 'Olivia Bennett', default: false },
              { fullName: '005000000000011AAA', label: 'Priya Natarajan', default: false },
            ],
          },
        },
      },
    });
    expect(created).toMatchObject({ success: true, errors: [] });
    const id = created.id ?? '';
    expect(id).toMatch(/^00N\w{15}$/);

    const field = (await conn.tooling
      .sobject('CustomField')
      .retrieve(id)) as unknown as CustomFieldRecord;
    expect(field).toMatchObject({
      Id: id,
      FullName: 'Opportunity.Assistant_Owner__c',
      DeveloperName: 'Assistant_Owner',
      Metadata: { label: 'Assistant owner', type: 'Picklist' },
    });
    expect(field.Metadata.valueSet.valueSetDefinition.value.map((v) => v.valueName)).toEqual([
      '005000000000001AAA',
      '005000000000011AAA',
    ]);

    const found = await conn.tooling.query<{ Id: string; DeveloperName: string }>(
      "SELECT Id, DeveloperName FROM CustomField WHERE TableEnumOrId = 'Opportunity' AND DeveloperName = 'Assistant_Owner'",
    );
    expect(found.totalSize).toBe(1);
    expect(found.records[0]).toMatchObject({ Id: id, DeveloperName: 'Assistant_Owner' });

    // A second create is refused with Salesforce's duplicate error.
    await expect(
      conn.tooling.sobject('CustomField').create({
        FullName: 'Opportunity.Assistant_Owner__c',
        Metadata: {
          label: 'Assistant owner',
          type: 'Picklist',
          valueSet: { valueSetDefinition: { value: [{ fullName: 'x', label: 'x' }] } },
        },
      }),
    ).rejects.toMatchObject({ errorCode: 'DUPLICATE_DEVELOPER_NAME' });
  });

  it('updates with PATCH, which replaces the value set and deactivates omitted values', async () => {
    const field = emulator.customField('Assistant_Owner');
    expect(field).toBeDefined();
    const id = field?.Id ?? '';

    const updated = await conn.tooling.sobject('CustomField').update({
      Id: id,
      Metadata: {
        label: 'Assistant owner',
        type: 'Picklist',
        valueSet: {
          restricted: true,
          valueSetDefinition: {
            value: [{ valueName: '005000000000011AAA', label: 'Priya Natarajan', default: false }],
          },
        },
      },
    });
    expect(updated).toMatchObject({ id, success: true });

    const read = (await conn.tooling
      .sobject('CustomField')
      .retrieve(id)) as unknown as CustomFieldRecord;
    expect(
      read.Metadata.valueSet.valueSetDefinition.value.map((v) => [v.valueName, v.isActive]),
    ).toEqual([
      ['005000000000011AAA', true],
      ['005000000000001AAA', false],
    ]);
  });

  it('surfaces the emulator errors as jsforce does for Salesforce', async () => {
    const bad = new Connection({
      instanceUrl: server.baseUrl,
      accessToken: '00D000000000001!AQ0AQnot.a.session',
      version: '60.0',
    });
    await expect(bad.query(USERS_SOQL)).rejects.toMatchObject({ errorCode: 'INVALID_SESSION_ID' });

    await expect(conn.query('SELECT Id FROM Widget__c')).rejects.toMatchObject({
      errorCode: 'INVALID_TYPE',
    });

    emulator.setFaults({ rateLimits: 1 });
    await expect(conn.limits()).rejects.toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    emulator.resetFaults();
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(100_000);
    expect(conn.limitInfo.apiUsage?.limit).toBe(100_000);
  });

  it('refreshes an expired session through the emulator token endpoint', async () => {
    const refreshing = new Connection({
      oauth2: { loginUrl: server.baseUrl, clientId: 'ergo-admin', clientSecret: 'not-checked' },
      instanceUrl: server.baseUrl,
      accessToken: EXPIRED,
      refreshToken: REFRESH,
      version: '60.0',
    });

    const result = await refreshing.query<UserRecord>(
      "SELECT Id, Email FROM User WHERE Email = 'REP1@acme.test'",
    );

    expect(result.records.map((u) => u.Id)).toEqual(['005000000000011AAA']);
    expect(refreshing.accessToken).not.toBe(EXPIRED);
    expect(refreshing.instanceUrl).toBe(server.baseUrl);
    expect(emulator.requestLog.some((e) => e.path === '/services/oauth2/token')).toBe(true);
  });

  it("runs the SDK's own web server flow with PKCE (useVerifier): consent, Connection.authorize(code), a session as the chosen user", async () => {
    const oauth2 = new OAuth2({
      loginUrl: server.baseUrl,
      clientId: APP.clientId,
      clientSecret: APP.clientSecret,
      redirectUri: REDIRECT,
      useVerifier: true,
    });
    const url = new URL(
      oauth2.getAuthorizationUrl({ state: 'sdk-state', scope: 'api refresh_token' }),
    );
    expect(url.pathname).toBe('/services/oauth2/authorize');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);

    const callback = await consent(url.toString(), 'Allow', REP1_ID);
    expect(callback.searchParams.get('state')).toBe('sdk-state');
    const connected = new Connection({ oauth2, version: '60.0' });
    const userInfo = await connected.authorize(callback.searchParams.get('code') ?? '');

    expect(userInfo).toMatchObject({ id: REP1_ID, organizationId: '00D000000000001AAA' });
    expect(connected.instanceUrl).toBe(server.baseUrl);
    expect(connected.refreshToken).toEqual(expect.any(String));
    const identity = await connected.identity();
    expect(identity).toMatchObject({ user_id: REP1_ID, email: 'rep1@acme.test' });
  });

  it('refreshes through OAuth2.refreshToken; with rotation the reply carries a new refresh token and the spent one is refused', async () => {
    const oauth2 = new OAuth2({ loginUrl: server.baseUrl, ...APP, redirectUri: REDIRECT });
    const grant = emulator.oauth.issueGrant(REP1_ID, { clientId: APP.clientId });
    const before = emulator.oauth.tokenRequests.length;

    const plain = await oauth2.refreshToken(grant.refreshToken);
    expect(plain).toMatchObject({ instance_url: server.baseUrl, token_type: 'Bearer' });
    expect(plain.refresh_token).toBeUndefined();

    emulator.oauth.rotateRefreshTokens = true;
    try {
      const rotated = await oauth2.refreshToken(grant.refreshToken);
      expect(rotated.refresh_token).toEqual(expect.any(String));
      expect(rotated.refresh_token).not.toBe(grant.refreshToken);
      await expect(oauth2.refreshToken(grant.refreshToken)).rejects.toMatchObject({
        name: 'invalid_grant',
      });
      const session = new Connection({
        instanceUrl: server.baseUrl,
        accessToken: rotated.access_token,
        version: '60.0',
      });
      expect((await session.identity()).user_id).toBe(REP1_ID);
    } finally {
      emulator.oauth.rotateRefreshTokens = false;
    }
    expect(emulator.oauth.tokenRequests.slice(before).map((r) => r.grantType)).toEqual([
      'refresh_token',
      'refresh_token',
      'refresh_token',
    ]);
  });

  it('refreshes by itself on 401 after the sessions expire, once per expiry; it keeps the old refresh token when Salesforce rotates it', async () => {
    const grant = emulator.oauth.issueGrant(REP1_ID, { clientId: APP.clientId });
    const conn2 = new Connection({
      oauth2: { loginUrl: server.baseUrl, ...APP, redirectUri: REDIRECT },
      instanceUrl: server.baseUrl,
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      version: '60.0',
    });
    const refreshes = () =>
      emulator.oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;
    const soql = "SELECT Id FROM User WHERE Email = 'rep1@acme.test'";

    emulator.oauth.expireAccessTokens();
    const start = refreshes();
    expect((await conn2.query<{ Id: string }>(soql)).records.map((u) => u.Id)).toEqual([REP1_ID]);
    expect(refreshes() - start).toBe(1);
    expect(conn2.accessToken).not.toBe(grant.accessToken);
    // The renewed session is used from then on: no further refresh.
    await conn2.query(soql);
    expect(refreshes() - start).toBe(1);

    // With rotation, jsforce's refresh-on-401 stores the new access token but not the new
    // refresh token (oauthRefreshFn passes only instance_url and access_token to _establish):
    // the second expiry sends the spent refresh token and fails with invalid_grant.
    emulator.oauth.rotateRefreshTokens = true;
    try {
      emulator.oauth.expireAccessTokens();
      await conn2.query(soql);
      expect(conn2.refreshToken).toBe(grant.refreshToken);
      emulator.oauth.expireAccessTokens();
      await expect(conn2.query(soql)).rejects.toThrow(
        'Unable to refresh session due to: expired access/refresh token',
      );
    } finally {
      emulator.oauth.rotateRefreshTokens = false;
    }
  });
});

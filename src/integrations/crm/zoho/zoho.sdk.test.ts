import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ZOHOCRMSDK from '@zohocrm/nodejs-sdk-8.0';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import { createZohoEmulator, type ZohoEmulator } from '#emulators/zoho.emulator.ts';
import { OWNER_FIELD } from '#src/integrations/crm/crm-connector.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';
import { consent } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';

/**
 * The official Node SDK (@zohocrm/nodejs-sdk-8.0 2.0), unmodified, pointed at the emulator with
 * a custom `Environment(apiDomain, accountsTokenUrl, fileUploadUrl)` (the SDK's own data-centre
 * classes are `Environment`s with Zoho's hosts): proof that the emulator's accounts token
 * endpoint and v8 users/fields APIs answer in shapes the SDK parses into its models, running
 * the owner-property flow as zoho.adapter.ts does (active users paged by 200, the Deals fields
 * list, a picklist created and its api_name read back by id, a value appended by PATCH).
 *
 * The SDK keeps one process-wide initializer and a token store file; vitest runs each test file
 * in its own module graph, and the store and its resource files live in a temporary directory.
 */

const { Fields, Users } = ZOHOCRMSDK;
const REFRESH = '1000.sdk-test-refresh-token.5e8d0b14';
const CLIENT_ID = '1000.SDKTESTCLIENT';
const CLIENT_SECRET = 'sdk-test-client-secret';
const OWNER_ID = '4876876000000225013';
const REP1_ID = '4876876000000225101';
const REDIRECT = 'http://127.0.0.1:5173/api/crm-connections/oauth/callback';

/** The builder's grant-token setters, which zoho-sdk.d.ts does not declare (oauth_builder.js has them). */
interface GrantTokenBuilder {
  clientId(clientId: string): this;
  clientSecret(clientSecret: string): this;
  grantToken(code: string): this;
  redirectURL(url: string): this;
  build(): ZOHOCRMSDK.OAuthToken;
}

/** The bodies (multipart fields) of the token requests after `from`. */
function tokenBodies(from = 0): Record<string, unknown>[] {
  return emulator.requestLog
    .slice(from)
    .filter((e) => e.path === '/oauth/v2/token')
    .map((e) => e.body as Record<string, unknown>);
}

let emulator: ZohoEmulator;
let server: StartedEmulator;
let dir: string;
let token: ZOHOCRMSDK.OAuthToken;

function oauthToken(refreshToken: string): ZOHOCRMSDK.OAuthToken {
  return new ZOHOCRMSDK.OAuthBuilder()
    .clientId(CLIENT_ID)
    .clientSecret(CLIENT_SECRET)
    .refreshToken(refreshToken)
    .build();
}

async function params(
  entries: [ZOHOCRMSDK.Param, string | number][],
): Promise<ZOHOCRMSDK.ParameterMap> {
  const map = new ZOHOCRMSDK.ParameterMap();
  for (const [param, value] of entries) await map.add(param, value);
  return map;
}

function dealsModule(param: ZOHOCRMSDK.Param) {
  return params([[param, 'Deals']]);
}

/** The object an SDK reply carries, which must be of the expected model class. */
function objectOf<T>(
  reply: ZOHOCRMSDK.APIResponse<unknown> | null,
  model: abstract new (...args: never[]) => T,
): T {
  const object = reply?.getObject();
  if (!(object instanceof model)) {
    throw new Error(`expected a ${model.name}, got ${JSON.stringify(object)}`);
  }
  return object;
}

async function dealFields(): Promise<ZOHOCRMSDK.Fields.Fields[]> {
  const reply = await new Fields.FieldsOperations().getFields(
    await dealsModule(Fields.GetFieldsParam.MODULE),
  );
  return objectOf(reply, Fields.ResponseWrapper).getFields();
}

function pickListValue(display: string, actual: string): ZOHOCRMSDK.Fields.PickListValue {
  const value = new Fields.PickListValue();
  value.setDisplayValue(display);
  value.setActualValue(actual);
  return value;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ergo-zoho-sdk-'));
  emulator = createZohoEmulator({
    people: emulatorPeople('zoho'),
    tokens: [],
    refreshTokens: [REFRESH, `${REFRESH}.second`],
    oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
  });
  server = await emulator.start();
  token = oauthToken(REFRESH);
  const init = await new ZOHOCRMSDK.InitializeBuilder();
  await init
    .environment(
      new ZOHOCRMSDK.Environment(
        server.baseUrl,
        `${server.baseUrl}/oauth/v2/token`,
        server.baseUrl,
      ),
    )
    .token(token)
    .store(new ZOHOCRMSDK.FileStore(join(dir, 'sdk-tokens.txt')))
    .SDKConfig(
      new ZOHOCRMSDK.SDKConfigBuilder().pickListValidation(false).autoRefreshFields(false).build(),
    )
    .resourcePath(dir)
    .logger(
      new ZOHOCRMSDK.LogBuilder()
        .level(ZOHOCRMSDK.Levels.OFF)
        .filePath(join(dir, 'sdk.log'))
        .build(),
    )
    .initialize();
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('@zohocrm/nodejs-sdk-8.0 against the Zoho emulator', () => {
  it('gets its access token with the refresh token grant at the accounts token URL', async () => {
    const reply = await new Users.UsersOperations().getUsers(
      await params([[Users.GetUsersParam.TYPE, 'CurrentUser']]),
    );
    const me = objectOf(reply, Users.ResponseWrapper).getUsers();
    expect(me.map((u) => u.getEmail())).toEqual(['owner@acme.test']);

    const tokenCalls = emulator.requestLog.filter((e) => e.path === '/oauth/v2/token');
    expect(tokenCalls.length).toBeGreaterThanOrEqual(1);
    expect(tokenCalls[0]).toMatchObject({ method: 'POST', status: 200 });
    // The SDK posts the grant as multipart/form-data fields.
    expect(tokenCalls[0]?.body).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: REFRESH,
      client_id: CLIENT_ID,
    });
    // After a grant the SDK reads the current user and the org (`zgid`) for its user
    // signature: both must answer (the emulator had no GET /crm/v8/org; the SDK logged a 404).
    const signature = emulator.requestLog.slice(1, 3).map((e) => [e.path, e.status]);
    expect(signature).toEqual([
      ['/crm/v8/users', 200],
      ['/crm/v8/org', 200],
    ]);
    // The SDK parsed both: its token store names the grant "email:zgid".
    expect(await readFile(join(dir, 'sdk-tokens.txt'), 'utf8')).toContain(
      'owner@acme.test:70001234',
    );
    const issued = token.getAccessToken() ?? '';
    expect(emulator.state.tokens.has(issued)).toBe(true);
    // The SDK reads expires_in as seconds: the token runs out in about an hour.
    const expiresAt = Number(token.getExpiresIn());
    expect(expiresAt - Date.now()).toBeGreaterThan(3_500_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(3_600_000);
  });

  it('finds the owner among the active users, 200 a page, following info.more_records', async () => {
    const ops = new Users.UsersOperations();
    let found: ZOHOCRMSDK.Users.Users | undefined;
    let page = 1;
    for (; page <= 5 && found === undefined; page += 1) {
      const reply = await ops.getUsers(
        await params([
          [Users.GetUsersParam.TYPE, 'ActiveUsers'],
          [Users.GetUsersParam.PAGE, page],
          [Users.GetUsersParam.PER_PAGE, 200],
        ]),
      );
      const wrapper = objectOf(reply, Users.ResponseWrapper);
      found = wrapper.getUsers().find((u) => u.getEmail() === 'owner@acme.test');
      expect(wrapper.getInfo().getMoreRecords()).toBe(page === 1);
    }
    expect(page - 1).toBe(2);
    // The SDK models Zoho's 19-digit ids as BigInt.
    expect(found?.getId()).toBe(BigInt(OWNER_ID));
    expect(found?.getFullName()).toBe('Olivia Bennett');
    expect(found?.getStatus()).toBe('active');

    // Past the last page Zoho answers 204 No Content, which the SDK hands back without a body.
    const empty = await ops.getUsers(
      await params([
        [Users.GetUsersParam.TYPE, 'ActiveUsers'],
        [Users.GetUsersParam.PAGE, 9],
        [Users.GetUsersParam.PER_PAGE, 200],
      ]),
    );
    expect(empty?.getStatusCode()).toBe(204);
  });

  it('creates the owner picklist and reads its api_name back by the id the create answered', async () => {
    const before = await dealFields();
    expect(before.some((f) => f.getFieldLabel() === OWNER_FIELD.zohoLabel)).toBe(false);
    expect(before.find((f) => f.getAPIName() === 'Stage')?.getPickListValues()?.length).toBe(5);

    const field = new Fields.Fields();
    field.setFieldLabel(OWNER_FIELD.zohoLabel);
    field.setDataType('picklist');
    field.setPickListValues([pickListValue('Olivia Bennett', OWNER_ID)]);
    const body = new Fields.BodyWrapper();
    body.setFields([field]);
    const reply = await new Fields.FieldsOperations().createField(
      body,
      await dealsModule(Fields.CreateFieldParam.MODULE),
    );

    expect(reply?.getStatusCode()).toBe(201);
    const [item] = objectOf(reply, Fields.ActionWrapper).getFields();
    if (!(item instanceof Fields.SuccessResponse)) throw new Error('expected a SuccessResponse');
    expect(item.getStatus().getValue()).toBe('success');
    expect(item.getCode().getValue()).toBe('SUCCESS');
    const id = item.getDetails().get('id');
    expect(typeof id).toBe('bigint');

    const created = (await dealFields()).find((f) => f.getId() === id);
    expect(created?.getAPIName()).toBe(emulator.field('Assistant_Owner')?.api_name);
    expect(created?.getCustomField()).toBe(true);
    expect(created?.getDataType()).toBe('picklist');
    expect(created?.getPickListValues()?.map((v) => v.getActualValue())).toEqual([
      '-None-',
      OWNER_ID,
    ]);
  });

  it('appends a picklist value with PATCH on the field (an entry without id)', async () => {
    const existing = (await dealFields()).find((f) => f.getFieldLabel() === OWNER_FIELD.zohoLabel);
    const id = existing?.getId() ?? 0n;

    const update = new Fields.Fields();
    update.setPickListValues([pickListValue('Priya Natarajan', REP1_ID)]);
    const body = new Fields.BodyWrapper();
    body.setFields([update]);
    const reply = await new Fields.FieldsOperations().updateField(
      id,
      body,
      await dealsModule(Fields.UpdateFieldParam.MODULE),
    );

    const [item] = objectOf(reply, Fields.ActionWrapper).getFields();
    expect(item).toBeInstanceOf(Fields.SuccessResponse);
    expect(item?.getDetails().get('id')).toBe(id);
    expect(emulator.field('Assistant_Owner')?.pick_list_values.map((v) => v.actual_value)).toEqual([
      '-None-',
      OWNER_ID,
      REP1_ID,
    ]);
  });

  it('answers a second create of the same label with a DUPLICATE_DATA item the SDK models', async () => {
    const field = new Fields.Fields();
    field.setFieldLabel(OWNER_FIELD.zohoLabel);
    field.setDataType('picklist');
    field.setPickListValues([pickListValue('Olivia Bennett', OWNER_ID)]);
    const body = new Fields.BodyWrapper();
    body.setFields([field]);
    const reply = await new Fields.FieldsOperations().createField(
      body,
      await dealsModule(Fields.CreateFieldParam.MODULE),
    );

    expect(reply?.getStatusCode()).toBe(400);
    const [item] = objectOf(reply, Fields.ActionWrapper).getFields();
    expect(item).toBeInstanceOf(Fields.APIException);
    expect(item?.getCode().getValue()).toBe('DUPLICATE_DATA');
    expect(item?.getStatus().getValue()).toBe('error');
  });
});

describe("the Zoho SDK's token refresh against the emulator's accounts endpoint", () => {
  it('refreshes an access token that is about to expire, before using it', async () => {
    // Tokens issued from now on last 6 s; the SDK refreshes within 5 s of expiry.
    emulator.oauth.accessTokenLifetimeSeconds = 6;
    const second = oauthToken(`${REFRESH}.second`);
    const first = await second.getToken();
    const issued = emulator.state.oauth.checkAccessToken(first);
    expect(issued?.status === 'ok' && issued.expiresAt).toBeGreaterThan(Date.now());

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const renewed = await second.getToken();

    expect(renewed).not.toBe(first);
    expect(emulator.state.tokens.has(renewed)).toBe(true);
    expect(
      emulator.requestLog.filter(
        (e) =>
          e.path === '/oauth/v2/token' &&
          (e.body as Record<string, unknown>).refresh_token === `${REFRESH}.second`,
      ),
    ).toHaveLength(2);
    emulator.oauth.accessTokenLifetimeSeconds = 3600;
  });

  it('rejects an unknown refresh token: the SDK throws its INVALID TOKEN ERROR with Zoho’s error', async () => {
    const revoked = oauthToken('1000.revoked-refresh-token');
    const error = await revoked.getToken().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZOHOCRMSDK.SDKException);
    expect(error).toMatchObject({ code: 'INVALID TOKEN ERROR', message: 'invalid_code' });
  });

  it('the emulator answers an access token past its expiry with 401 INVALID_TOKEN', async () => {
    emulator.oauth.accessTokenLifetimeSeconds = 1;
    const grant = await fetch(`${server.baseUrl}/oauth/v2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: REFRESH,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    });
    const { access_token: accessToken, expires_in: expiresIn } = (await grant.json()) as {
      access_token: string;
      expires_in: number;
    };
    expect(expiresIn).toBe(1);
    const call = () =>
      fetch(`${server.baseUrl}/crm/v8/users?type=CurrentUser`, {
        headers: { authorization: `Zoho-oauthtoken ${accessToken}` },
      });
    expect((await call()).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const expired = await call();
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 'INVALID_TOKEN', status: 'error' });
    emulator.oauth.accessTokenLifetimeSeconds = 3600;
  });

  it('exchanges a consent code with its grant-token flow (authorization_code, multipart) for tokens acting as the chosen user', async () => {
    const authorize = new URL(`${server.baseUrl}/oauth/v2/auth`);
    for (const [k, v] of Object.entries({
      scope: 'ZohoCRM.users.READ,ZohoCRM.settings.fields.ALL,ZohoCRM.org.READ',
      client_id: CLIENT_ID,
      response_type: 'code',
      access_type: 'offline',
      prompt: 'consent',
      redirect_uri: REDIRECT,
      state: 'sdk',
    })) {
      authorize.searchParams.set(k, v);
    }
    const callback = await consent(authorize.toString(), 'Allow', REP1_ID);
    const code = callback.searchParams.get('code') ?? '';
    const from = emulator.requestLog.length;

    const granted = (new ZOHOCRMSDK.OAuthBuilder() as unknown as GrantTokenBuilder)
      .clientId(CLIENT_ID)
      .clientSecret(CLIENT_SECRET)
      .grantToken(code)
      .redirectURL(REDIRECT)
      .build();
    const accessToken = await granted.getToken();

    expect(tokenBodies(from)[0]).toMatchObject({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: CLIENT_ID,
    });
    expect(granted.getRefreshToken()).toMatch(/^1000\./);
    const me = await fetch(`${server.baseUrl}/crm/v8/users?type=CurrentUser`, {
      headers: { authorization: `Zoho-oauthtoken ${accessToken}` },
    });
    expect(((await me.json()) as { users: { email: string }[] }).users[0]?.email).toBe(
      'rep1@acme.test',
    );
  });

  it('keeps the rotated refresh token: its next refresh sends the new one, and the spent one is refused', async () => {
    const grant = emulator.oauth.issueGrant(REP1_ID, { clientId: CLIENT_ID });
    emulator.oauth.rotateRefreshTokens = true;
    emulator.oauth.accessTokenLifetimeSeconds = 6;
    try {
      const sdkToken = oauthToken(grant.refreshToken);
      const from = emulator.requestLog.length;
      await sdkToken.getToken();
      const rotated = sdkToken.getRefreshToken();
      expect(rotated).not.toBe(grant.refreshToken);

      // Within 5 s of expiry the SDK refreshes again, with the refresh token it was given.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await sdkToken.getToken();
      expect(tokenBodies(from).map((b) => b.refresh_token)).toEqual([grant.refreshToken, rotated]);

      const spent = await oauthToken(grant.refreshToken)
        .getToken()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(spent).toMatchObject({ code: 'INVALID TOKEN ERROR', message: 'invalid_code' });
    } finally {
      emulator.oauth.rotateRefreshTokens = false;
      emulator.oauth.accessTokenLifetimeSeconds = 3600;
    }
  });

  it('a revoked grant ends its refresh in the SDK’s INVALID TOKEN ERROR (invalid_code)', async () => {
    const grant = emulator.oauth.issueGrant(REP1_ID, { clientId: CLIENT_ID });
    emulator.oauth.revokeAll();
    const error = await oauthToken(grant.refreshToken)
      .getToken()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ZOHOCRMSDK.SDKException);
    expect(error).toMatchObject({ code: 'INVALID TOKEN ERROR', message: 'invalid_code' });
  });
});

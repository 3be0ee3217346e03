import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import {
  createSalesforceEmulator,
  type SalesforceEmulator,
} from '#emulators/salesforce.emulator.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import { consent, readConsentForm } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';
import {
  OAuthError,
  type OAuthProvider,
  type TokenSet,
} from '#src/integrations/crm/oauth/oauth-provider.ts';
import {
  createSalesforceOAuthProvider,
  SALESFORCE_PRODUCTION_LOGIN,
  SALESFORCE_SANDBOX_LOGIN,
} from '#src/integrations/crm/oauth/salesforce.oauth.ts';
import { SalesforceConnector } from '#src/integrations/crm/salesforce/salesforce.adapter.ts';

const CLIENT = { clientId: '3MVG9sf.ergo-connected-app', clientSecret: 'sf-client-secret-5d1f0c' };
const REDIRECT = 'http://127.0.0.1:5173/api/crm-connections/oauth/callback';
const MY_DOMAIN = { kind: 'my_domain', host: 'acme.my.salesforce.com' } as const;
const REP1 = '005000000000011AAA';

let emulator: SalesforceEmulator;
let server: StartedEmulator;
let provider: OAuthProvider;
/** Every OAuthError a test met, checked for secrets afterwards. */
const errors: OAuthError[] = [];
/** Every secret a test handled (codes, verifiers, tokens). */
const secrets = new Set<string>([CLIENT.clientSecret]);

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function failure(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  errors.push(error as OAuthError);
  return error as OAuthError;
}

/** Authorize (as `personId`), press Allow, exchange the code: the whole connect flow. */
async function connect(
  options: { personId?: string; pkce?: boolean; login?: typeof MY_DOMAIN } = {},
): Promise<{ tokens: TokenSet; callback: URL; verifier: string | undefined }> {
  const pair = options.pkce === false ? undefined : pkcePair();
  const request = provider.authorizationUrl({
    redirectUri: REDIRECT,
    state: 'state-1',
    ...(pair === undefined ? {} : { codeChallenge: pair.challenge }),
    options: { salesforceLogin: options.login ?? MY_DOMAIN },
  });
  const callback = await consent(request.url, 'Allow', options.personId);
  const code = callback.searchParams.get('code') ?? '';
  secrets.add(code);
  if (pair) secrets.add(pair.verifier);
  const tokens = await provider.exchangeCode({
    code,
    redirectUri: REDIRECT,
    ...(pair === undefined ? {} : { codeVerifier: pair.verifier }),
    context: request.context,
    callbackParams: callback.searchParams,
  });
  secrets.add(tokens.accessToken);
  if (tokens.refreshToken) secrets.add(tokens.refreshToken);
  return { tokens, callback, verifier: pair?.verifier };
}

function connector(tokens: TokenSet): SalesforceConnector {
  return new SalesforceConnector({
    credentials: {
      crm: 'salesforce',
      secrets: { accessToken: tokens.accessToken },
      instance: { instanceUrl: tokens.instance.instanceUrl ?? '' },
    },
    policy: FAST_RETRY_POLICY,
  });
}

beforeEach(async () => {
  emulator = createSalesforceEmulator({
    people: emulatorPeople('salesforce'),
    oauthClients: [CLIENT],
  });
  server = await emulator.start();
  provider = createSalesforceOAuthProvider({ client: CLIENT, baseUrl: server.baseUrl });
});

afterEach(async () => {
  await server.close();
});

describe('Salesforce OAuth provider against the Salesforce emulator', () => {
  it('builds the authorize URL on the chosen login host: production, sandbox, My Domain', () => {
    const real = createSalesforceOAuthProvider({ client: CLIENT });
    const url = (login: Parameters<OAuthProvider['authorizationUrl']>[0]['options']) =>
      new URL(real.authorizationUrl({ redirectUri: REDIRECT, state: 's', options: login }).url);
    expect(url({ salesforceLogin: { kind: 'production' } }).origin).toBe(
      SALESFORCE_PRODUCTION_LOGIN,
    );
    expect(url({}).origin).toBe(SALESFORCE_PRODUCTION_LOGIN);
    expect(url({ salesforceLogin: { kind: 'sandbox' } }).origin).toBe(SALESFORCE_SANDBOX_LOGIN);
    const mine = url({
      salesforceLogin: { kind: 'my_domain', host: 'Acme--Dev.sandbox.my.salesforce.com' },
    });
    expect(mine.origin).toBe('https://acme--dev.sandbox.my.salesforce.com');
    expect(mine.pathname).toBe('/services/oauth2/authorize');
    expect(Object.fromEntries(mine.searchParams)).toEqual({
      response_type: 'code',
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT,
      state: 's',
      scope: 'api refresh_token',
    });
  });

  it('a My Domain that is not a *.my.salesforce.com host name is bad_request, also against the emulator', () => {
    for (const host of [
      'evil.example.com',
      'my.salesforce.com',
      'acme.my.salesforce.com.evil.test',
      'acme.my.salesforce.com:8443',
      'acme.my.salesforce.com/path',
      'user@acme.my.salesforce.com',
      '-acme.my.salesforce.com',
    ]) {
      for (const p of [provider, createSalesforceOAuthProvider({ client: CLIENT })]) {
        let thrown: unknown;
        try {
          p.authorizationUrl({
            redirectUri: REDIRECT,
            state: 's',
            options: { salesforceLogin: { kind: 'my_domain', host } },
          });
        } catch (error) {
          thrown = error;
        }
        expect(thrown, host).toBeInstanceOf(OAuthError);
        expect(thrown).toMatchObject({ kind: 'bad_request', crm: 'salesforce' });
      }
    }
  });

  it('connects: consent page, Allow as the chosen person, code exchange with PKCE → a working session', async () => {
    const request = provider.authorizationUrl({
      redirectUri: REDIRECT,
      state: 'x',
      codeChallenge: pkcePair().challenge,
      options: { salesforceLogin: MY_DOMAIN },
    });
    expect(request.context).toEqual({ loginUrl: 'https://acme.my.salesforce.com' });
    const form = await readConsentForm(request.url);
    expect(form.title).toBe('Allow Ergo to access Salesforce?');
    expect(form.people.map((p) => p.value)).toContain(REP1);
    expect(form.buttons.map((b) => b.label)).toEqual(['Allow', 'Deny']);

    const { tokens, callback } = await connect({ personId: REP1 });
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe('state-1');
    expect(tokens).toEqual({
      accessToken: expect.stringMatching(/^00D000000000001!/) as unknown,
      refreshToken: expect.any(String) as unknown,
      expiresAt: null,
      scopes: ['api', 'refresh_token'],
      instance: { loginUrl: 'https://acme.my.salesforce.com', instanceUrl: server.baseUrl },
    });
    // The session acts as the person chosen on the consent page.
    expect(await connector(tokens).verifyCredentials()).toEqual({
      status: 'valid',
      account: `${new URL(server.baseUrl).host} as Priya Natarajan`,
    });
    expect(emulator.oauth.tokenRequests.map((r) => r.grantType)).toEqual(['authorization_code']);
  });

  it('a code verifier that does not match the challenge is invalid_grant', async () => {
    const { challenge } = pkcePair();
    const request = provider.authorizationUrl({
      redirectUri: REDIRECT,
      state: 's',
      codeChallenge: challenge,
      options: { salesforceLogin: { kind: 'production' } },
    });
    const callback = await consent(request.url);
    const code = callback.searchParams.get('code') ?? '';
    const wrong = pkcePair().verifier;
    secrets.add(code).add(wrong);
    const error = await failure(
      provider.exchangeCode({
        code,
        redirectUri: REDIRECT,
        codeVerifier: wrong,
        context: request.context,
        callbackParams: callback.searchParams,
      }),
    );
    expect(error).toMatchObject({
      kind: 'invalid_grant',
      vendorCode: 'invalid_grant',
      status: 400,
    });
  });

  it('a code works once: the second exchange is invalid_grant', async () => {
    const pair = pkcePair();
    const request = provider.authorizationUrl({
      redirectUri: REDIRECT,
      state: 's',
      codeChallenge: pair.challenge,
      options: {},
    });
    const callback = await consent(request.url);
    const input = {
      code: callback.searchParams.get('code') ?? '',
      redirectUri: REDIRECT,
      codeVerifier: pair.verifier,
      context: request.context,
      callbackParams: callback.searchParams,
    };
    secrets.add(input.code).add(pair.verifier);
    await provider.exchangeCode(input);
    expect(await failure(provider.exchangeCode(input))).toMatchObject({ kind: 'invalid_grant' });
  });

  it('a wrong client secret is invalid_client; so is an unknown client id and another redirect URI', async () => {
    const request = provider.authorizationUrl({ redirectUri: REDIRECT, state: 's', options: {} });
    const callback = await consent(request.url);
    const code = callback.searchParams.get('code') ?? '';
    secrets.add(code);
    const input = {
      code,
      redirectUri: REDIRECT,
      context: request.context,
      callbackParams: callback.searchParams,
    };

    const wrongSecret = createSalesforceOAuthProvider({
      client: { clientId: CLIENT.clientId, clientSecret: 'not-the-secret-9f2e' },
      baseUrl: server.baseUrl,
    });
    secrets.add('not-the-secret-9f2e');
    expect(await failure(wrongSecret.exchangeCode(input))).toMatchObject({
      kind: 'invalid_client',
      vendorCode: 'invalid_client',
    });
    const unknownClient = createSalesforceOAuthProvider({
      client: { clientId: 'no-such-app', clientSecret: CLIENT.clientSecret },
      baseUrl: server.baseUrl,
    });
    expect(await failure(unknownClient.exchangeCode(input))).toMatchObject({
      kind: 'invalid_client',
    });
    expect(
      await failure(provider.exchangeCode({ ...input, redirectUri: 'http://127.0.0.1:9/other' })),
    ).toMatchObject({ kind: 'invalid_client', vendorCode: 'redirect_uri_mismatch' });
  });

  it('the consent page refuses an unknown app or an unregistered redirect URI without redirecting', async () => {
    const unknown = createSalesforceOAuthProvider({
      client: { clientId: 'no-such-app', clientSecret: 'x' },
      baseUrl: server.baseUrl,
    });
    for (const url of [
      unknown.authorizationUrl({ redirectUri: REDIRECT, state: 's', options: {} }).url,
      provider.authorizationUrl({ redirectUri: 'https://evil.example/cb', state: 's', options: {} })
        .url,
    ]) {
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('authorization error');
    }
  });

  it('Deny comes back as error=access_denied, which exchangeCode reports as access_denied', async () => {
    const request = provider.authorizationUrl({ redirectUri: REDIRECT, state: 'st', options: {} });
    const callback = await consent(request.url, 'Deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('st');
    expect(callback.searchParams.get('code')).toBeNull();
    const error = await failure(
      provider.exchangeCode({
        code: '',
        redirectUri: REDIRECT,
        context: request.context,
        callbackParams: callback.searchParams,
      }),
    );
    expect(error.kind).toBe('access_denied');
    expect(emulator.oauth.tokenRequests).toEqual([]);
  });

  it('refresh without rotation: a new session, no new refresh token, the old one keeps working', async () => {
    const { tokens } = await connect();
    const refreshToken = tokens.refreshToken ?? '';
    const renewed = await provider.refresh({ refreshToken, instance: tokens.instance });
    secrets.add(renewed.accessToken);
    expect(renewed.accessToken).not.toBe(tokens.accessToken);
    expect(renewed.refreshToken).toBeUndefined();
    expect(renewed.expiresAt).toBeNull();
    expect(renewed.instance).toEqual(tokens.instance);
    expect((await connector(renewed).verifyCredentials()).status).toBe('valid');
    await provider.refresh({ refreshToken, instance: tokens.instance });
    expect(emulator.oauth.tokenRequests.map((r) => r.grantType)).toEqual([
      'authorization_code',
      'refresh_token',
      'refresh_token',
    ]);
  });

  it('refresh with rotation: a new refresh token each time, and the spent one is invalid_grant', async () => {
    emulator.oauth.rotateRefreshTokens = true;
    const { tokens } = await connect();
    const first = tokens.refreshToken ?? '';
    const renewed = await provider.refresh({ refreshToken: first, instance: tokens.instance });
    expect(renewed.refreshToken).toEqual(expect.any(String));
    expect(renewed.refreshToken).not.toBe(first);
    secrets.add(renewed.refreshToken ?? '').add(renewed.accessToken);
    const again = await provider.refresh({
      refreshToken: renewed.refreshToken ?? '',
      instance: renewed.instance,
    });
    secrets.add(again.refreshToken ?? '');
    expect(
      await failure(provider.refresh({ refreshToken: first, instance: tokens.instance })),
    ).toMatchObject({ kind: 'invalid_grant', vendorCode: 'invalid_grant' });
  });

  it('an expired session answers 401 INVALID_SESSION_ID until a refresh; revokeAll makes the refresh invalid_grant', async () => {
    const { tokens } = await connect();
    emulator.oauth.expireAccessTokens();
    expect(await connector(tokens).verifyCredentials()).toMatchObject({
      status: 'expired',
      vendorCode: 'INVALID_SESSION_ID',
    });
    const renewed = await provider.refresh({
      refreshToken: tokens.refreshToken ?? '',
      instance: tokens.instance,
    });
    secrets.add(renewed.accessToken);
    expect((await connector(renewed).verifyCredentials()).status).toBe('valid');

    emulator.oauth.revokeAll();
    expect((await connector(renewed).verifyCredentials()).status).not.toBe('valid');
    expect(
      await failure(
        provider.refresh({ refreshToken: tokens.refreshToken ?? '', instance: tokens.instance }),
      ),
    ).toMatchObject({ kind: 'invalid_grant' });
  });

  it('a session lifetime does not show in the token reply (expiresAt null) but ends the session', async () => {
    emulator.oauth.accessTokenLifetimeSeconds = 1;
    const { tokens } = await connect();
    expect(tokens.expiresAt).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await connector(tokens).verifyCredentials()).status).toBe('expired');
  });

  it('issueGrant starts from a connected grant without the browser', async () => {
    const grant = emulator.oauth.issueGrant(REP1, { clientId: CLIENT.clientId });
    secrets.add(grant.accessToken).add(grant.refreshToken);
    const renewed = await provider.refresh({
      refreshToken: grant.refreshToken,
      instance: { loginUrl: SALESFORCE_PRODUCTION_LOGIN, instanceUrl: server.baseUrl },
    });
    expect((await connector(renewed).verifyCredentials()).account).toMatch(/ as Priya Natarajan$/);
  });

  it('refresh goes to the stored login host and takes the new instance_url; a stored host that is not Salesforce is refused unsent', async () => {
    const calls: string[] = [];
    const fake: typeof fetch = (input) => {
      calls.push(String(input instanceof Request ? input.url : input));
      return Promise.resolve(
        Response.json({
          access_token: '00Dfake!session',
          instance_url: 'https://acme2.my.salesforce.com',
          scope: 'api refresh_token',
          token_type: 'Bearer',
        }),
      );
    };
    const real = createSalesforceOAuthProvider({ client: CLIENT, fetch: fake });
    const renewed = await real.refresh({
      refreshToken: 'r-1',
      instance: {
        loginUrl: SALESFORCE_SANDBOX_LOGIN,
        instanceUrl: 'https://acme.my.salesforce.com',
      },
    });
    expect(calls).toEqual([`${SALESFORCE_SANDBOX_LOGIN}/services/oauth2/token`]);
    expect(renewed.instance).toEqual({
      loginUrl: SALESFORCE_SANDBOX_LOGIN,
      instanceUrl: 'https://acme2.my.salesforce.com',
    });
    for (const loginUrl of ['https://evil.example', 'http://acme.my.salesforce.com', 42]) {
      expect(
        await failure(real.refresh({ refreshToken: 'r-1', instance: { loginUrl } })),
      ).toMatchObject({ kind: 'bad_request' });
    }
    expect(calls).toHaveLength(1);
  });

  it('no error message contains a secret (client secret, codes, verifiers, tokens)', async () => {
    // Provoke the failures above once more in this test, then look at every error seen so far.
    const { tokens } = await connect();
    emulator.oauth.revokeAll();
    await failure(
      provider.refresh({ refreshToken: tokens.refreshToken ?? '', instance: tokens.instance }),
    );
    const wrong = createSalesforceOAuthProvider({
      client: { clientId: CLIENT.clientId, clientSecret: 'another-wrong-secret-77' },
      baseUrl: server.baseUrl,
    });
    secrets.add('another-wrong-secret-77');
    await failure(
      wrong.refresh({ refreshToken: tokens.refreshToken ?? '', instance: tokens.instance }),
    );
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const error of errors) {
      for (const secret of secrets) {
        if (secret.length >= 4) expect(error.message).not.toContain(secret);
      }
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAttioEmulator, type AttioEmulator } from '#emulators/attio.emulator.ts';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import { s256 } from '#emulators/oauth-server.ts';
import { AttioConnector } from '#src/integrations/crm/attio/attio.adapter.ts';
import { createAttioOAuthProvider } from '#src/integrations/crm/oauth/attio.oauth.ts';
import { consent, readConsentForm } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';
import { OAuthError, type OAuthProvider } from '#src/integrations/crm/oauth/oauth-provider.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';

/**
 * "Connect Attio" end to end without a browser: the authorization URL, the emulator's consent
 * page over HTTP, the code exchanged for an access token (no refresh token, no expiry), the
 * workspace and scopes read from `/v2/self`, and the refusals by OAuthError kind.
 */

const CLIENT_ID = 'attio-ergo-client-0001';
const CLIENT_SECRET = 'attio-client-secret-9e3b20c7';
const REDIRECT = 'http://127.0.0.1:5999/oauth/attio/callback';
const PRIYA = '6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e11';

let emulator: AttioEmulator;
let server: StartedEmulator;

function provider(clientSecret = CLIENT_SECRET): OAuthProvider {
  return createAttioOAuthProvider({
    client: { clientId: CLIENT_ID, clientSecret },
    baseUrl: server.baseUrl,
  });
}

function authorizationUrl(state = 'state-attio-1'): string {
  return provider().authorizationUrl({ redirectUri: REDIRECT, state, options: {} }).url;
}

async function oauthError(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => {
      throw new Error('expected an OAuthError');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

async function connect(person = PRIYA, p = provider()) {
  const callback = await consent(authorizationUrl(), 'Allow', person);
  return p.exchangeCode({
    code: callback.searchParams.get('code') ?? '',
    redirectUri: REDIRECT,
    context: {},
    callbackParams: callback.searchParams,
  });
}

beforeEach(async () => {
  emulator = createAttioEmulator({
    people: emulatorPeople('attio'),
    tokens: [],
    oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT] }],
  });
  server = await emulator.start();
});

afterEach(async () => {
  await server.close();
});

describe('Attio OAuth provider against the Attio emulator', () => {
  it("builds Attio's authorize URL (client_id, response_type=code, redirect_uri, state; no PKCE)", () => {
    const p = provider();
    expect(p.pkce).toBe(false);
    const url = new URL(p.authorizationUrl({ redirectUri: REDIRECT, state: 's', options: {} }).url);
    expect(`${url.origin}${url.pathname}`).toBe(`${server.baseUrl}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT,
      state: 's',
    });
    const real = createAttioOAuthProvider({
      client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    }).authorizationUrl({ redirectUri: REDIRECT, state: 's', options: {} });
    expect(real.url.startsWith('https://app.attio.com/authorize?')).toBe(true);
  });

  it('full flow: consent, Allow, code exchanged; no refresh token, no expiry, scopes and workspace from /v2/self', async () => {
    const form = await readConsentForm(authorizationUrl());
    expect(form.title).toBe('Allow Ergo to access Attio?');
    expect(form.people.map((p) => p.value)).toContain(PRIYA);

    const tokens = await connect(PRIYA);
    expect(tokens.accessToken).toEqual(expect.any(String));
    expect(tokens.refreshToken).toBeUndefined();
    expect(tokens.expiresAt).toBeNull();
    expect(tokens.scopes).toEqual(['user_management:read', 'object_configuration:read-write']);
    expect(tokens.instance).toEqual({ workspaceSlug: 'acme' });
    // The token endpoint answered Attio's documented shape only.
    expect(emulator.oauth.tokenRequests.map((r) => r.grantType)).toEqual(['authorization_code']);

    // /v2/self names the person who allowed it; the connector verifies with the workspace.
    const self = (await (
      await fetch(`${server.baseUrl}/v2/self`, {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      })
    ).json()) as Record<string, unknown>;
    expect(self).toMatchObject({
      active: true,
      client_id: CLIENT_ID,
      authorized_by_workspace_member_id: PRIYA,
      exp: null,
    });
    const verified = await new AttioConnector({
      credentials: { crm: 'attio', secrets: { accessToken: tokens.accessToken }, instance: {} },
      baseUrl: server.baseUrl,
      policy: FAST_RETRY_POLICY,
    }).verifyCredentials();
    expect(verified).toEqual({
      status: 'valid',
      account: 'Attio workspace Acme (acme)',
      scopes: ['user_management:read', 'object_configuration:read-write'],
    });
  });

  it('a token with a finite lifetime gets expiresAt from /v2/self exp', async () => {
    emulator.oauth.accessTokenLifetimeSeconds = 600;
    const before = Date.now();
    const tokens = await connect();
    const expiresAt = tokens.expiresAt?.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 599_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
  });

  it('refresh is invalid_grant with a clear message, without calling Attio; the token endpoint refuses the grant', async () => {
    const error = await oauthError(provider().refresh({ refreshToken: 'anything', instance: {} }));
    expect(error.kind).toBe('invalid_grant');
    expect(error.message).toMatch(/no refresh tokens.*connect Attio again/);
    expect(emulator.oauth.tokenRequests).toHaveLength(0);

    const direct = await fetch(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }).toString(),
    });
    expect(direct.status).toBe(400);
    expect(await direct.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('Deny sends access_denied with the state; exchangeCode refuses it', async () => {
    const callback = await consent(authorizationUrl('state-deny'), 'Deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('state-deny');
    const error = await oauthError(
      provider().exchangeCode({
        code: '',
        redirectUri: REDIRECT,
        context: {},
        callbackParams: callback.searchParams,
      }),
    );
    expect(error.kind).toBe('access_denied');
  });

  it('a code bound to a PKCE challenge is refused without its verifier (invalid_grant)', async () => {
    const url = new URL(authorizationUrl());
    url.searchParams.set('code_challenge', s256('yet-another-verifier-of-enough-length-012345'));
    url.searchParams.set('code_challenge_method', 'S256');
    const callback = await consent(url.toString());
    const error = await oauthError(
      provider().exchangeCode({
        code: callback.searchParams.get('code') ?? '',
        redirectUri: REDIRECT,
        context: {},
        callbackParams: callback.searchParams,
      }),
    );
    expect(error).toMatchObject({
      kind: 'invalid_grant',
      status: 400,
      vendorCode: 'invalid_grant',
    });
  });

  it('a wrong client secret is invalid_client; a used code is invalid_grant', async () => {
    const callback = await consent(authorizationUrl());
    const code = callback.searchParams.get('code') ?? '';
    const exchange = (p: OAuthProvider) =>
      p.exchangeCode({
        code,
        redirectUri: REDIRECT,
        context: {},
        callbackParams: callback.searchParams,
      });
    expect(await oauthError(exchange(provider('wrong-secret')))).toMatchObject({
      kind: 'invalid_client',
      status: 401,
    });
    await exchange(provider());
    expect((await oauthError(exchange(provider()))).kind).toBe('invalid_grant');
  });

  it('revokeAll: the token is refused (401), and Test connection says invalid', async () => {
    const tokens = await connect();
    emulator.oauth.revokeAll();
    const verified = await new AttioConnector({
      credentials: { crm: 'attio', secrets: { accessToken: tokens.accessToken }, instance: {} },
      baseUrl: server.baseUrl,
      policy: FAST_RETRY_POLICY,
    }).verifyCredentials();
    expect(verified).toMatchObject({ status: 'invalid', vendorCode: 'unauthorized' });
  });

  it('no secret (client secret, code, access token) appears in any error message', async () => {
    const callback = await consent(authorizationUrl());
    const code = callback.searchParams.get('code') ?? '';
    const errors = [
      await oauthError(
        provider('wrong-secret-value').exchangeCode({
          code,
          redirectUri: REDIRECT,
          context: {},
          callbackParams: callback.searchParams,
        }),
      ),
    ];
    // A vendor echoing the form in its error, and a /v2/self that echoes the token.
    const echo = createAttioOAuthProvider({
      client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      baseUrl: server.baseUrl,
      fetch: async (url, init) =>
        Promise.resolve(
          (url instanceof Request ? url.url : url.toString()).endsWith('/oauth/token')
            ? new Response(JSON.stringify({ access_token: 'attio-access-echoed-77' }), {
                status: 200,
              })
            : new Response(
                JSON.stringify({
                  status_code: 403,
                  type: 'auth_error',
                  code: 'forbidden',
                  message: `token ${new Headers(init?.headers).get('authorization') ?? ''} lacks scopes`,
                }),
                { status: 403 },
              ),
        ),
    });
    errors.push(
      await oauthError(
        echo.exchangeCode({
          code: 'echoed-code-4242',
          redirectUri: REDIRECT,
          context: {},
          callbackParams: new URLSearchParams({ code: 'echoed-code-4242' }),
        }),
      ),
    );
    for (const error of errors) {
      for (const secret of [CLIENT_SECRET, 'wrong-secret-value', code, 'attio-access-echoed-77']) {
        expect(error.message).not.toContain(secret);
      }
    }
    expect(errors[1]?.message).toContain('[redacted]');
  });
});

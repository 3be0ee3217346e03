import { z } from 'zod';
import {
  OAuthError,
  type OAuthProvider,
  type OAuthProviderOptions,
  type TokenSet,
} from '#src/integrations/crm/oauth/oauth-provider.ts';
import {
  DEFAULT_OAUTH_TIMEOUT_MS,
  expiresAtFrom,
  rejectCallbackError,
  stringField,
  trimBase,
  vendorRequest,
  type VendorErrorClassification,
} from '#src/integrations/crm/oauth/vendor-token-request.ts';

/**
 * "Connect Pipedrive": Pipedrive's OAuth 2 authorization-code flow (developers.pipedrive.com,
 * "OAuth authorization").
 *
 * - Authorize: `https://oauth.pipedrive.com/oauth/authorize?client_id&redirect_uri&state`
 *   (the app's scopes are set in its Marketplace settings, not in the URL).
 * - Token: `POST https://oauth.pipedrive.com/oauth/token` with
 *   `Authorization: Basic base64(client_id:client_secret)` and a form
 *   `grant_type=authorization_code&code&redirect_uri` or `grant_type=refresh_token&refresh_token`
 *   → `{access_token, token_type: "Bearer", refresh_token, scope, expires_in, api_domain}`.
 *   `api_domain` is the company's API host (`https://acme.pipedrive.com`): stored as
 *   `instance.apiDomain`, where the connector sends its calls. Whether the refresh token rotates
 *   is (mem): a different one in the reply is passed on, the same one is not.
 * - Errors (mem): `{success: false, message, error}` with `error` `invalid_grant` (a used,
 *   expired or revoked code or refresh token) or `invalid_client` (401, the app's id/secret).
 *
 * PKCE: not documented by Pipedrive (mem), so none is sent.
 */

export const PIPEDRIVE_OAUTH_BASE = 'https://oauth.pipedrive.com';

const tokenSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.union([z.number(), z.string()]).optional(),
  scope: z.string().optional(),
  api_domain: z.url().optional(),
  token_type: z.string().optional(),
});

export function classifyPipedriveOAuthError(
  status: number,
  body: unknown,
): VendorErrorClassification {
  const vendorCode = stringField(body, 'error');
  const message = (stringField(body, 'message') ?? stringField(body, 'error_description'))?.slice(
    0,
    200,
  );
  const extra = {
    ...(vendorCode === undefined ? {} : { vendorCode }),
    ...(message === undefined ? {} : { detail: message }),
  };
  if (vendorCode === 'invalid_grant') return { kind: 'invalid_grant', ...extra };
  if (vendorCode === 'invalid_client' || vendorCode === 'unauthorized_client' || status === 401) {
    return { kind: 'invalid_client', ...extra };
  }
  return { kind: 'bad_request', ...extra };
}

export function createPipedriveOAuthProvider(options: OAuthProviderOptions): OAuthProvider {
  const base = trimBase(options.baseUrl ?? PIPEDRIVE_OAUTH_BASE);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const { clientId, clientSecret } = options.client;
  const basic = Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');

  async function tokenRequest(
    form: Record<string, string>,
    what: string,
    secrets: readonly string[],
    previousRefreshToken?: string,
  ): Promise<TokenSet> {
    const body = await vendorRequest({
      crm: 'pipedrive',
      vendor: 'Pipedrive',
      what,
      url: `${base}/oauth/token`,
      form,
      headers: { authorization: `Basic ${basic}` },
      fetch: fetchImpl,
      timeoutMs,
      secrets: [clientSecret, basic, ...secrets],
      classify: classifyPipedriveOAuthError,
    });
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) {
      throw new OAuthError({
        crm: 'pipedrive',
        kind: 'bad_response',
        message: `Pipedrive answered the ${what} without the fields OAuth requires.`,
      });
    }
    const token = parsed.data;
    const refreshToken =
      token.refresh_token !== undefined && token.refresh_token !== previousRefreshToken
        ? token.refresh_token
        : undefined;
    return {
      accessToken: token.access_token,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      expiresAt: expiresAtFrom(token.expires_in, now()),
      // Pipedrive lists scopes comma-separated ("base,deals:full").
      scopes: (token.scope ?? '').split(/[\s,]+/).filter((s) => s !== ''),
      instance: token.api_domain === undefined ? {} : { apiDomain: trimBase(token.api_domain) },
    };
  }

  return {
    crm: 'pipedrive',
    pkce: false,

    authorizationUrl({ redirectUri, state }) {
      const url = new URL(`${base}/oauth/authorize`);
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      return { url: url.toString(), context: {} };
    },

    async exchangeCode({ code, redirectUri, callbackParams }) {
      rejectCallbackError('pipedrive', 'Pipedrive', callbackParams);
      return tokenRequest(
        { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
        'token exchange',
        [code],
      );
    },

    async refresh({ refreshToken, instance }) {
      const set = await tokenRequest(
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        'token refresh',
        [refreshToken],
        refreshToken,
      );
      // A reply without api_domain keeps the stored one.
      if (set.instance.apiDomain === undefined && typeof instance.apiDomain === 'string') {
        return { ...set, instance: { apiDomain: instance.apiDomain } };
      }
      return set;
    },
  };
}

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
 * "Connect HubSpot": HubSpot's OAuth 2 authorization-code flow for a public app.
 *
 * - Authorize: `https://app.hubspot.com/oauth/authorize?client_id&redirect_uri&scope&state`
 *   (the shape `@hubspot/api-client`'s `oauth.getAuthorizationUrl` builds; scopes space-separated).
 * - Token: `POST https://api.hubapi.com/oauth/v1/token`, form
 *   `grant_type=authorization_code|refresh_token, client_id, client_secret, redirect_uri,
 *   code | refresh_token` → `{access_token, refresh_token, expires_in, token_type: "bearer"}`.
 *   Access tokens last `expires_in` seconds (1800 in HubSpot's examples); the refresh token does
 *   not rotate (HubSpot answers the same one), so a refresh result carries none.
 * - Token info: `GET https://api.hubapi.com/oauth/v1/access-tokens/{token}` →
 *   `{hub_id, user, user_id, app_id, scopes[], expires_in, token_type}`: the portal id and the
 *   granted scopes (the token response has neither).
 * - Errors: 400 `{status: "BAD_REFRESH_TOKEN" | "BAD_AUTH_CODE" | …, message, correlationId}`;
 *   newer replies use HubSpot's API envelope `{category, subCategory, message}`.
 *
 * PKCE: HubSpot's v1 token endpoint documents no `code_verifier` (its newer `/oauth/v3/token`
 * does), so this provider sends no challenge (`pkce: false`).
 */

export const HUBSPOT_AUTHORIZE_BASE = 'https://app.hubspot.com';
export const HUBSPOT_API_BASE = 'https://api.hubapi.com';

/**
 * What the connector needs: read deals' properties and owners, write the owner property, and
 * `oauth` (required by HubSpot for every app). Exact scope names are (mem).
 */
export const HUBSPOT_SCOPES = [
  'crm.objects.deals.read',
  'crm.schemas.deals.read',
  'crm.schemas.deals.write',
  'crm.objects.owners.read',
  'oauth',
] as const;

const tokenSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.union([z.number(), z.string()]).optional(),
  token_type: z.string().optional(),
});

const tokenInfoSchema = z.object({
  hub_id: z.union([z.number(), z.string()]),
  scopes: z.array(z.string()).default([]),
  user: z.string().optional(),
  expires_in: z.number().optional(),
});

/** HubSpot's `status` values on the token endpoint, by what they mean for us. */
const GRANT_ERRORS = new Set(['BAD_REFRESH_TOKEN', 'BAD_AUTH_CODE', 'EXPIRED_AUTH_CODE']);
const CLIENT_ERRORS = new Set(['BAD_CLIENT_ID', 'BAD_CLIENT_SECRET', 'BAD_REDIRECT_URI']);

export function classifyHubSpotOAuthError(
  status: number,
  body: unknown,
): VendorErrorClassification {
  const code =
    stringField(body, 'status') ??
    stringField(body, 'subCategory') ??
    stringField(body, 'category');
  const vendorCode = code === 'error' ? (stringField(body, 'category') ?? code) : code;
  const message = stringField(body, 'message')?.slice(0, 200);
  const detail = message === undefined ? {} : { detail: message };
  const withCode = vendorCode === undefined ? {} : { vendorCode };
  if (vendorCode !== undefined && GRANT_ERRORS.has(vendorCode)) {
    return { kind: 'invalid_grant', ...withCode, ...detail };
  }
  if (vendorCode !== undefined && CLIENT_ERRORS.has(vendorCode)) {
    return { kind: 'invalid_client', ...withCode, ...detail };
  }
  // The newer envelope: `subCategory: "INVALID_TOKEN"` on a refused refresh token (mem).
  if (vendorCode === 'INVALID_TOKEN') return { kind: 'invalid_grant', ...withCode, ...detail };
  if (status === 401 || status === 403) return { kind: 'invalid_client', ...withCode, ...detail };
  return { kind: 'bad_request', ...withCode, ...detail };
}

export function createHubSpotOAuthProvider(options: OAuthProviderOptions): OAuthProvider {
  const authorizeBase = trimBase(options.baseUrl ?? HUBSPOT_AUTHORIZE_BASE);
  const apiBase = trimBase(options.baseUrl ?? HUBSPOT_API_BASE);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const { clientId, clientSecret } = options.client;

  const bad = (what: string) =>
    new OAuthError({
      crm: 'hubspot',
      kind: 'bad_response',
      message: `HubSpot answered the ${what} without the fields OAuth requires.`,
    });

  async function tokenRequest(
    form: Record<string, string | undefined>,
    what: string,
    secrets: readonly (string | undefined)[],
  ): Promise<z.infer<typeof tokenSchema>> {
    const body = await vendorRequest({
      crm: 'hubspot',
      vendor: 'HubSpot',
      what,
      url: `${apiBase}/oauth/v1/token`,
      form: { ...form, client_id: clientId, client_secret: clientSecret },
      fetch: fetchImpl,
      timeoutMs,
      secrets: [clientSecret, ...secrets],
      classify: classifyHubSpotOAuthError,
    });
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) throw bad(what);
    return parsed.data;
  }

  /** The portal and scopes of an access token (HubSpot's token-info call). */
  async function tokenInfo(
    accessToken: string,
    secrets: readonly (string | undefined)[],
  ): Promise<z.infer<typeof tokenInfoSchema>> {
    const body = await vendorRequest({
      crm: 'hubspot',
      vendor: 'HubSpot',
      what: 'token information request',
      url: `${apiBase}/oauth/v1/access-tokens/${encodeURIComponent(accessToken)}`,
      method: 'GET',
      fetch: fetchImpl,
      timeoutMs,
      secrets: [clientSecret, accessToken, ...secrets],
      classify: classifyHubSpotOAuthError,
    });
    const parsed = tokenInfoSchema.safeParse(body);
    if (!parsed.success) throw bad('token information request');
    return parsed.data;
  }

  function tokenSet(
    token: z.infer<typeof tokenSchema>,
    info: z.infer<typeof tokenInfoSchema> | undefined,
    previous: { refreshToken?: string; portalId?: string },
  ): TokenSet {
    const portalId = info === undefined ? previous.portalId : String(info.hub_id);
    const refreshToken =
      token.refresh_token !== undefined && token.refresh_token !== previous.refreshToken
        ? token.refresh_token
        : undefined;
    return {
      accessToken: token.access_token,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      expiresAt: expiresAtFrom(token.expires_in, now()),
      scopes: info?.scopes ?? [],
      instance: portalId === undefined ? {} : { portalId },
    };
  }

  return {
    crm: 'hubspot',
    pkce: false,

    authorizationUrl({ redirectUri, state }) {
      const url = new URL(`${authorizeBase}/oauth/authorize`);
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('scope', HUBSPOT_SCOPES.join(' '));
      url.searchParams.set('state', state);
      return { url: url.toString(), context: {} };
    },

    async exchangeCode({ code, redirectUri, callbackParams }) {
      rejectCallbackError('hubspot', 'HubSpot', callbackParams);
      const token = await tokenRequest(
        { grant_type: 'authorization_code', redirect_uri: redirectUri, code },
        'token exchange',
        [code],
      );
      // The portal id is only in the token information: without it the connection is unknown.
      const info = await tokenInfo(token.access_token, [code, token.refresh_token]);
      return tokenSet(token, info, {});
    },

    async refresh({ refreshToken, instance }) {
      const token = await tokenRequest(
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        'token refresh',
        [refreshToken],
      );
      const stored = typeof instance.portalId === 'string' ? instance.portalId : undefined;
      // The scopes and portal again; a failed look-up keeps the stored portal (the refresh worked).
      const info = await tokenInfo(token.access_token, [refreshToken, token.refresh_token]).catch(
        (error: unknown) => {
          if (error instanceof OAuthError && stored !== undefined) return undefined;
          throw error;
        },
      );
      return tokenSet(token, info, {
        refreshToken,
        ...(stored === undefined ? {} : { portalId: stored }),
      });
    },
  };
}

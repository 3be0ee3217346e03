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
 * "Connect Attio": Attio's OAuth 2 authorization-code flow (docs.attio.com/docs/oauth/authorize,
 * …/oauth/token, …/oauth/introspect).
 *
 * - Authorize: `https://app.attio.com/authorize?client_id&response_type=code&redirect_uri&state`
 *   (the scopes are the app's, set at build.attio.com).
 * - Token: `POST https://app.attio.com/oauth/token`, form
 *   `grant_type=authorization_code, code, client_id, client_secret` (and `redirect_uri`, as
 *   RFC 6749 asks; Attio's page lists the other four) → `{access_token, token_type: "Bearer"}`.
 * - No refresh token: Attio documents none and its access tokens carry no `expires_in` (mem: they
 *   do not expire; a revoked one is refused and the admin connects again). `refresh` therefore
 *   fails with invalid_grant without calling Attio.
 * - After the exchange, `GET https://api.attio.com/v2/self` with the new token gives the
 *   workspace (`workspace_slug` → `instance.workspaceSlug`), the granted `scope`
 *   (space-separated) and `exp` (seconds since the epoch, null when the token does not expire).
 */

export const ATTIO_APP_BASE = 'https://app.attio.com';
export const ATTIO_API_BASE = 'https://api.attio.com';

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string()]).optional(),
});

const selfSchema = z.object({
  active: z.boolean(),
  scope: z.string().nullish(),
  exp: z.number().nullish(),
  workspace_slug: z.string().nullish(),
});

export function classifyAttioOAuthError(status: number, body: unknown): VendorErrorClassification {
  // The OAuth error body (`{error, error_description}`) or Attio's API envelope
  // (`{status_code, type, code, message}`); which one the token endpoint sends is (mem).
  const vendorCode = stringField(body, 'error') ?? stringField(body, 'code');
  const message = (stringField(body, 'error_description') ?? stringField(body, 'message'))?.slice(
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

export function createAttioOAuthProvider(options: OAuthProviderOptions): OAuthProvider {
  const appBase = trimBase(options.baseUrl ?? ATTIO_APP_BASE);
  const apiBase = trimBase(options.baseUrl ?? ATTIO_API_BASE);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const { clientId, clientSecret } = options.client;

  const bad = (what: string) =>
    new OAuthError({
      crm: 'attio',
      kind: 'bad_response',
      message: `Attio answered the ${what} without the fields it documents.`,
    });

  return {
    crm: 'attio',
    pkce: false,

    authorizationUrl({ redirectUri, state }) {
      const url = new URL(`${appBase}/authorize`);
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      return { url: url.toString(), context: {} };
    },

    async exchangeCode({ code, redirectUri, callbackParams }): Promise<TokenSet> {
      rejectCallbackError('attio', 'Attio', callbackParams);
      const body = await vendorRequest({
        crm: 'attio',
        vendor: 'Attio',
        what: 'token exchange',
        url: `${appBase}/oauth/token`,
        form: {
          grant_type: 'authorization_code',
          code,
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uri: redirectUri,
        },
        fetch: fetchImpl,
        timeoutMs,
        secrets: [clientSecret, code],
        classify: classifyAttioOAuthError,
      });
      const token = tokenSchema.safeParse(body);
      if (!token.success) throw bad('token exchange');
      const accessToken = token.data.access_token;

      const selfBody = await vendorRequest({
        crm: 'attio',
        vendor: 'Attio',
        what: 'token check (GET /v2/self)',
        url: `${apiBase}/v2/self`,
        method: 'GET',
        headers: { authorization: `Bearer ${accessToken}` },
        fetch: fetchImpl,
        timeoutMs,
        secrets: [clientSecret, code, accessToken],
        classify: classifyAttioOAuthError,
      });
      const self = selfSchema.safeParse(selfBody);
      if (!self.success) throw bad('token check');
      if (!self.data.active) {
        throw new OAuthError({
          crm: 'attio',
          kind: 'invalid_grant',
          message: 'Attio reports the new access token as inactive: connect Attio again.',
        });
      }
      const exp = self.data.exp;
      return {
        accessToken,
        expiresAt:
          exp === null || exp === undefined
            ? expiresAtFrom(token.data.expires_in, now())
            : new Date(exp * 1000),
        scopes: (self.data.scope ?? '').split(/\s+/).filter((s) => s !== ''),
        instance:
          self.data.workspace_slug === null || self.data.workspace_slug === undefined
            ? {}
            : { workspaceSlug: self.data.workspace_slug },
      };
    },

    refresh() {
      return Promise.reject(
        new OAuthError({
          crm: 'attio',
          kind: 'invalid_grant',
          message:
            'Attio issues no refresh tokens (its OAuth access tokens do not expire): if the token stopped working, connect Attio again.',
        }),
      );
    },
  };
}

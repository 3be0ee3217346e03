import { z } from 'zod';
import {
  OAuthError,
  type OAuthProvider,
  type OAuthProviderOptions,
  type SalesforceLogin,
  type TokenSet,
} from '#src/integrations/crm/oauth/oauth-provider.ts';
import {
  DEFAULT_OAUTH_TIMEOUT_MS,
  rejectCallbackError,
  stringField,
  trimBase,
  vendorRequest,
  type VendorErrorClassification,
} from '#src/integrations/crm/oauth/vendor-token-request.ts';

/**
 * "Connect Salesforce": the OAuth 2.0 web server flow (help.salesforce.com, "OAuth 2.0 Web
 * Server Flow for Web App Integration"; PKCE with S256 is supported there).
 *
 * - Login host, chosen on the connect form: production `https://login.salesforce.com`, sandbox
 *   `https://test.salesforce.com`, or the org's My Domain `https://<name>.my.salesforce.com`
 *   (a DNS name ending `.my.salesforce.com`, nothing else: no port, path or other domain, so the
 *   client secret only ever goes to Salesforce).
 * - Authorize: `GET {login}/services/oauth2/authorize?response_type=code&client_id&redirect_uri
 *   &state&scope=api refresh_token&code_challenge&code_challenge_method=S256`.
 * - Token: `POST {login}/services/oauth2/token`, form `grant_type=authorization_code, code,
 *   client_id, client_secret, redirect_uri, code_verifier` → `{access_token, refresh_token,
 *   instance_url, id, token_type: "Bearer", issued_at, signature, scope}`. There is no
 *   `expires_in`: a session lasts until the org's idle timeout, so `expiresAt` is null.
 * - Refresh: `POST {stored loginUrl}/services/oauth2/token`, `grant_type=refresh_token`; the
 *   reply may carry a new `instance_url`, and a `refresh_token` only when the connected app
 *   rotates them.
 * - Errors: 400 `{error, error_description}`: `invalid_grant` → invalid_grant;
 *   `invalid_client_id`, `invalid_client`, `unauthorized_client`, `redirect_uri_mismatch` →
 *   invalid_client.
 *
 * `TokenSet.instance`: `loginUrl` (the chosen login host, what a refresh uses) and `instanceUrl`.
 */

export const SALESFORCE_PRODUCTION_LOGIN = 'https://login.salesforce.com';
export const SALESFORCE_SANDBOX_LOGIN = 'https://test.salesforce.com';
export const SALESFORCE_SCOPES = ['api', 'refresh_token'] as const;

/** A DNS name (labels of letters, digits and inner hyphens) ending in `.my.salesforce.com`. */
const MY_DOMAIN_HOST =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+my\.salesforce\.com$/;

function badRequest(message: string): OAuthError {
  return new OAuthError({ crm: 'salesforce', kind: 'bad_request', message });
}

/** The login URL for the connect form's choice; a My Domain host that is not one → bad_request. */
export function salesforceLoginUrl(login: SalesforceLogin | undefined): string {
  switch (login?.kind ?? 'production') {
    case 'production':
      return SALESFORCE_PRODUCTION_LOGIN;
    case 'sandbox':
      return SALESFORCE_SANDBOX_LOGIN;
    default: {
      const host = login?.kind === 'my_domain' ? login.host.trim().toLowerCase() : '';
      if (!MY_DOMAIN_HOST.test(host)) {
        throw badRequest(
          'The My Domain must be a host name ending in .my.salesforce.com (for example acme.my.salesforce.com).',
        );
      }
      return `https://${host}`;
    }
  }
}

/** A stored login URL read back (pending state, a connection's instance): one of the three kinds. */
export function checkedLoginUrl(value: unknown): string {
  if (value === undefined) return SALESFORCE_PRODUCTION_LOGIN;
  if (typeof value !== 'string') throw badRequest('The stored Salesforce login host is not valid.');
  if (value === SALESFORCE_PRODUCTION_LOGIN || value === SALESFORCE_SANDBOX_LOGIN) return value;
  const match = /^https:\/\/([^/:?#]+)$/.exec(value);
  if (match?.[1] !== undefined && MY_DOMAIN_HOST.test(match[1])) return value;
  throw badRequest('The stored Salesforce login host is not valid.');
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  instance_url: z.string().optional(),
  id: z.string().optional(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
  issued_at: z.string().optional(),
});

export function classifySalesforceOAuthError(
  _status: number,
  body: unknown,
): VendorErrorClassification {
  const vendorCode = stringField(body, 'error');
  const description = stringField(body, 'error_description')?.slice(0, 200);
  const extra = {
    ...(vendorCode === undefined ? {} : { vendorCode }),
    ...(description === undefined ? {} : { detail: description }),
  };
  switch (vendorCode) {
    // inactive_user / inactive_org: deactivated since the grant (mem); the user connects again.
    case 'invalid_grant':
    case 'inactive_user':
    case 'inactive_org':
      return { kind: 'invalid_grant', ...extra };
    case 'invalid_client_id':
    case 'invalid_client':
    case 'invalid_client_credentials':
    case 'unauthorized_client':
    case 'redirect_uri_mismatch':
      return { kind: 'invalid_client', ...extra };
    default:
      return { kind: 'bad_request', ...extra };
  }
}

export function createSalesforceOAuthProvider(options: OAuthProviderOptions): OAuthProvider {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS;
  const { clientId, clientSecret } = options.client;
  const emulator = options.baseUrl === undefined ? undefined : trimBase(options.baseUrl);
  /** Where a login host's requests go: the host itself, or the emulator standing in for all. */
  const endpoint = (loginUrl: string) => emulator ?? loginUrl;

  const tokenRequest = async (
    loginUrl: string,
    what: string,
    form: Record<string, string | undefined>,
    secrets: (string | undefined)[],
  ) => {
    const body = await vendorRequest({
      crm: 'salesforce',
      vendor: 'Salesforce',
      what,
      url: `${endpoint(loginUrl)}/services/oauth2/token`,
      method: 'POST',
      form: { ...form, client_id: clientId, client_secret: clientSecret },
      fetch: fetchImpl,
      timeoutMs,
      secrets: [clientSecret, ...secrets],
      classify: classifySalesforceOAuthError,
    });
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) {
      throw new OAuthError({
        crm: 'salesforce',
        kind: 'bad_response',
        message: `Salesforce answered the ${what} without an access token.`,
      });
    }
    return parsed.data;
  };

  /** The instance URL from a reply: https (or the emulator's loopback http) and nothing after the host. */
  const instanceUrlOf = (value: string | undefined, fallback: unknown): string => {
    const given = value ?? (typeof fallback === 'string' ? fallback : undefined);
    let url: URL | undefined;
    try {
      url = given === undefined ? undefined : new URL(given);
    } catch {
      url = undefined;
    }
    const allowed =
      url !== undefined &&
      (url.protocol === 'https:' || (emulator !== undefined && url.protocol === 'http:'));
    if (!allowed || url === undefined) {
      throw new OAuthError({
        crm: 'salesforce',
        kind: 'bad_response',
        message: 'Salesforce answered without a usable instance_url.',
      });
    }
    return url.origin;
  };

  const tokenSet = (
    reply: z.infer<typeof tokenSchema>,
    loginUrl: string,
    storedInstanceUrl?: unknown,
  ): TokenSet => ({
    accessToken: reply.access_token,
    ...(reply.refresh_token === undefined ? {} : { refreshToken: reply.refresh_token }),
    // Salesforce never says when a session ends (the org's idle timeout).
    expiresAt: null,
    scopes: (reply.scope ?? '').split(/\s+/).filter((s) => s !== ''),
    instance: { loginUrl, instanceUrl: instanceUrlOf(reply.instance_url, storedInstanceUrl) },
  });

  return {
    crm: 'salesforce',
    pkce: true,
    authorizationUrl({ redirectUri, state, codeChallenge, options: connect }) {
      const loginUrl = salesforceLoginUrl(connect.salesforceLogin);
      const url = new URL(`${endpoint(loginUrl)}/services/oauth2/authorize`);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      url.searchParams.set('scope', SALESFORCE_SCOPES.join(' '));
      if (codeChallenge !== undefined) {
        url.searchParams.set('code_challenge', codeChallenge);
        url.searchParams.set('code_challenge_method', 'S256');
      }
      return { url: url.toString(), context: { loginUrl } };
    },
    async exchangeCode({ code, redirectUri, codeVerifier, context, callbackParams }) {
      rejectCallbackError('salesforce', 'Salesforce', callbackParams);
      const loginUrl = checkedLoginUrl(context.loginUrl);
      const reply = await tokenRequest(
        loginUrl,
        'token exchange',
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: codeVerifier,
        },
        [code, codeVerifier],
      );
      return tokenSet(reply, loginUrl);
    },
    async refresh({ refreshToken, instance }) {
      const loginUrl = checkedLoginUrl(instance.loginUrl);
      const reply = await tokenRequest(
        loginUrl,
        'token refresh',
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        [refreshToken],
      );
      return tokenSet(reply, loginUrl, instance.instanceUrl);
    },
  };
}

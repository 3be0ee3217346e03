import { z } from 'zod';
import {
  OAuthError,
  ZOHO_DATA_CENTRES,
  type OAuthErrorKind,
  type OAuthProvider,
  type OAuthProviderOptions,
  type TokenSet,
  type ZohoDataCentre,
} from '#src/integrations/crm/oauth/oauth-provider.ts';
import {
  DEFAULT_OAUTH_TIMEOUT_MS,
  expiresAtFrom,
  rejectCallbackError,
  scrubSecrets,
  stringField,
  trimBase,
  vendorRequest,
  type VendorErrorClassification,
} from '#src/integrations/crm/oauth/vendor-token-request.ts';

/**
 * "Connect Zoho CRM": Zoho's OAuth 2.0 for server-based apps (zoho.com/crm/developer/docs/api/v8/
 * oauth-overview.html, …/auth-request.html, …/access-refresh.html; multi-DC:
 * zoho.com/accounts/protocol/oauth/multi-dc.html).
 *
 * - Accounts server per data centre (the connect form's choice): com → accounts.zoho.com, eu,
 *   in, com.au, jp, com.cn, sa → accounts.zoho.<dc>, ca → accounts.zohocloud.ca.
 * - Authorize: `GET {accounts}/oauth/v2/auth?scope=ZohoCRM.users.READ,ZohoCRM.settings.fields.ALL,
 *   ZohoCRM.org.READ&client_id&response_type=code&access_type=offline&prompt=consent&redirect_uri
 *   &state`. No PKCE: Zoho's CRM OAuth pages do not describe a code challenge (mem), so `pkce`
 *   is false and no verifier is sent.
 * - The callback carries `code`, `location` and `accounts-server`: the user's account may live in
 *   another data centre than the one chosen. The code is redeemed at that accounts server only
 *   when it is one of the eight (or the emulator); any other host is bad_request, so the client
 *   secret never goes anywhere else.
 * - Token: `POST {accounts}/oauth/v2/token`, form `grant_type=authorization_code, client_id,
 *   client_secret, redirect_uri, code` → `{access_token, refresh_token, api_domain, token_type,
 *   expires_in}` (seconds; one hour). Refresh: `grant_type=refresh_token` at the stored accounts
 *   server; Zoho keeps the refresh token (no rotation by default), so the reply has none.
 * - Errors come as HTTP 200 with `{error}`: `invalid_code` (a bad, used or expired code or refresh
 *   token) → invalid_grant; `invalid_client`, `invalid_client_secret`, `invalid_redirect_uri` →
 *   invalid_client.
 *
 * `TokenSet.instance`: `apiDomain` (from `api_domain`) and `accountsServer`.
 */

export const ZOHO_ACCOUNTS_SERVERS: Readonly<Record<ZohoDataCentre, string>> = {
  com: 'https://accounts.zoho.com',
  eu: 'https://accounts.zoho.eu',
  in: 'https://accounts.zoho.in',
  'com.au': 'https://accounts.zoho.com.au',
  jp: 'https://accounts.zoho.jp',
  'com.cn': 'https://accounts.zoho.com.cn',
  sa: 'https://accounts.zoho.sa',
  ca: 'https://accounts.zohocloud.ca',
};

export const ZOHO_SCOPES = [
  'ZohoCRM.users.READ',
  'ZohoCRM.settings.fields.ALL',
  'ZohoCRM.org.READ',
] as const;

const KNOWN_SERVERS = new Set(Object.values(ZOHO_ACCOUNTS_SERVERS));

const tokenSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  api_domain: z.string().optional(),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string()]).optional(),
  scope: z.string().optional(),
});

function badRequest(message: string): OAuthError {
  return new OAuthError({ crm: 'zoho', kind: 'bad_request', message });
}

/** Zoho's `error` values (in a 200 reply, or a 4xx one) as OAuthError kinds. */
export function zohoErrorKind(vendorCode: string | undefined): OAuthErrorKind {
  switch (vendorCode) {
    case 'invalid_code':
    case 'invalid_grant':
      return 'invalid_grant';
    case 'invalid_client':
    case 'invalid_client_secret':
    case 'invalid_redirect_uri':
    case 'unauthorized_client':
      return 'invalid_client';
    default:
      return 'bad_request';
  }
}

export function classifyZohoOAuthError(_status: number, body: unknown): VendorErrorClassification {
  const vendorCode = stringField(body, 'error');
  return {
    kind: zohoErrorKind(vendorCode),
    ...(vendorCode === undefined ? {} : { vendorCode: vendorCode.slice(0, 60) }),
  };
}

export function createZohoOAuthProvider(options: OAuthProviderOptions): OAuthProvider {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const { clientId, clientSecret } = options.client;
  const emulator = options.baseUrl === undefined ? undefined : trimBase(options.baseUrl);

  /** An accounts server named by the callback or a stored connection: one of the eight, or the emulator. */
  const checkedServer = (value: unknown, what: string): string => {
    const server = typeof value === 'string' ? trimBase(value.trim()) : undefined;
    if (server !== undefined && (KNOWN_SERVERS.has(server) || server === emulator)) return server;
    throw badRequest(`${what} is not one of Zoho's accounts servers.`);
  };
  /** Where an accounts server's requests go: the server itself, or the emulator for all. */
  const endpoint = (server: string) => emulator ?? server;

  const apiDomainOf = (value: string | undefined, fallback: unknown): string => {
    const given = value ?? (typeof fallback === 'string' ? fallback : undefined);
    let url: URL | undefined;
    try {
      url = given === undefined ? undefined : new URL(given);
    } catch {
      url = undefined;
    }
    if (
      url === undefined ||
      !(url.protocol === 'https:' || (emulator !== undefined && url.protocol === 'http:'))
    ) {
      throw new OAuthError({
        crm: 'zoho',
        kind: 'bad_response',
        message: 'Zoho answered without a usable api_domain.',
      });
    }
    return url.origin;
  };

  const tokenRequest = async (
    server: string,
    what: string,
    form: Record<string, string>,
    secrets: string[],
  ): Promise<z.infer<typeof tokenSchema>> => {
    const all = [clientSecret, ...secrets];
    const body = await vendorRequest({
      crm: 'zoho',
      vendor: 'Zoho',
      what,
      url: `${endpoint(server)}/oauth/v2/token`,
      method: 'POST',
      form: { ...form, client_id: clientId, client_secret: clientSecret },
      fetch: fetchImpl,
      timeoutMs,
      secrets: all,
      classify: classifyZohoOAuthError,
    });
    // Zoho refuses a grant with HTTP 200 and an `error` member.
    const refused = stringField(body, 'error');
    if (refused !== undefined) {
      const vendorCode = refused.slice(0, 60);
      throw new OAuthError({
        crm: 'zoho',
        kind: zohoErrorKind(refused),
        message: scrubSecrets(`Zoho refused the ${what} (${vendorCode}).`, all),
        status: 200,
        vendorCode,
      });
    }
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) {
      throw new OAuthError({
        crm: 'zoho',
        kind: 'bad_response',
        message: `Zoho answered the ${what} without an access token.`,
      });
    }
    return parsed.data;
  };

  const tokenSet = (
    reply: z.infer<typeof tokenSchema>,
    server: string,
    storedApiDomain?: unknown,
  ): TokenSet => ({
    accessToken: reply.access_token,
    ...(reply.refresh_token === undefined ? {} : { refreshToken: reply.refresh_token }),
    expiresAt: expiresAtFrom(reply.expires_in, now()),
    scopes: (reply.scope ?? '').split(/[\s,]+/).filter((s) => s !== ''),
    instance: {
      apiDomain: apiDomainOf(reply.api_domain, storedApiDomain),
      accountsServer: server,
    },
  });

  return {
    crm: 'zoho',
    pkce: false,
    authorizationUrl({ redirectUri, state, options: connect }) {
      const dc = connect.zohoDataCentre ?? 'com';
      if (!(ZOHO_DATA_CENTRES as readonly string[]).includes(dc)) {
        throw badRequest('The Zoho data centre is not one Zoho has.');
      }
      const server = ZOHO_ACCOUNTS_SERVERS[dc];
      const url = new URL(`${endpoint(server)}/oauth/v2/auth`);
      url.searchParams.set('scope', ZOHO_SCOPES.join(','));
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('access_type', 'offline');
      url.searchParams.set('prompt', 'consent');
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      return { url: url.toString(), context: { accountsServer: emulator ?? server } };
    },
    async exchangeCode({ code, redirectUri, context, callbackParams }) {
      rejectCallbackError('zoho', 'Zoho', callbackParams);
      // The user's own data centre, as the callback names it (else the one chosen).
      const named = callbackParams.get('accounts-server');
      const server =
        named === null
          ? checkedServer(context.accountsServer, 'The chosen accounts server')
          : checkedServer(named, 'The accounts-server the callback names');
      const reply = await tokenRequest(
        server,
        'token exchange',
        { grant_type: 'authorization_code', redirect_uri: redirectUri, code },
        [code],
      );
      return tokenSet(reply, server);
    },
    async refresh({ refreshToken, instance }) {
      const server = checkedServer(
        instance.accountsServer ?? ZOHO_ACCOUNTS_SERVERS.com,
        'The stored accounts server',
      );
      const reply = await tokenRequest(
        server,
        'token refresh',
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        [refreshToken],
      );
      return tokenSet(reply, server, instance.apiDomain);
    },
  };
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EmulatorOAuthClient } from '#emulators/emulator-accounts.ts';
import {
  bearerToken,
  type EmulatorReply,
  type EmulatorRequest,
  type EmulatorRoute,
} from '#emulators/emulator-server.ts';

/**
 * A vendor-neutral OAuth 2.0 authorization server (RFC 6749 §4.1 authorization code, §6 refresh,
 * RFC 7636 PKCE S256) that each CRM emulator wires to its own paths and reply shapes:
 *
 * - the consent page (`authorizePage` for GET authorize, `decide` for the form's POST): a plain
 *   server-rendered HTML form (no script) titled "Allow Ergo to access <Vendor>?", with a
 *   labelled `<select name="person">` of the people one may sign in as and two submit buttons
 *   `decision=allow|deny`. Allow → 302 to `redirect_uri?code=…&state=…` (+ the vendor's extras);
 *   Deny → 302 with `error=access_denied&state=…`. An unknown client or a redirect URI that is
 *   not registered shows an error page and never redirects.
 * - codes: single use (a second redemption also revokes the grant the first one created,
 *   RFC 6749 §4.1.2), 10-minute life, bound to the client, the redirect URI and the PKCE
 *   challenge.
 * - grants (person, scopes, client): access tokens with a lifetime and refresh tokens, refresh
 *   with optional rotation (the spent refresh token then answers invalid_grant).
 * - `OAuthControl`: the knobs tests use (lifetime, rotation, expire every token, revoke every
 *   grant, the token requests seen, a grant issued without the browser).
 *
 * The authority decides; the emulator renders: `token()` returns a neutral outcome that the
 * emulator turns into the vendor's body (Salesforce 400 `{error, error_description}`, Zoho 200
 * `{error}`…), and `checkAccessToken()` tells the emulator's auth check who a token acts as.
 */

export type OAuthClient = EmulatorOAuthClient;

/** Someone the consent page lets one sign in as. */
export interface OAuthPerson {
  id: string;
  name: string;
  email: string;
}

export interface OAuthControl {
  /** `expires_in` of access tokens issued from now on. */
  accessTokenLifetimeSeconds: number;
  /** Each refresh issues a new refresh token; the presented one stops working. */
  rotateRefreshTokens: boolean;
  /** Every access token issued so far now answers the vendor's 401 for an expired token. */
  expireAccessTokens(): void;
  /** Every grant revoked: its refresh token → invalid_grant, its access tokens → 401. */
  revokeAll(): void;
  /** Every token endpoint request, in order (`grantType` as sent, '' when none). */
  readonly tokenRequests: readonly { grantType: string; at: number }[];
  /** A connected grant without the browser (bound to `clientId` when given, else to any client). */
  issueGrant(
    personId: string,
    options?: { scopes?: string[]; clientId?: string },
  ): { accessToken: string; refreshToken: string };
}

export interface OAuthAuthorityOptions {
  /** "Salesforce", "Zoho CRM": the consent page's title says "Allow Ergo to access <vendor>?". */
  vendor: string;
  /** The requesting app's name on the consent page (default "Ergo"). */
  appName?: string;
  /** The registered clients (read on every request, so a test may add one later). */
  clients: () => readonly OAuthClient[];
  /** Who one may sign in as on the consent page, in order; the first is preselected. */
  people: () => readonly OAuthPerson[];
  /** Default `accessTokenLifetimeSeconds`. */
  accessTokenLifetimeSeconds: number;
  rotateRefreshTokens?: boolean;
  /** How the authorize request's `scope` is split (Salesforce: space; Zoho: comma). Default /[\s,]+/. */
  scopeSeparator?: string | RegExp;
  /** Scopes granted when the authorize request names none. */
  defaultScopes?: readonly string[];
  /** Whether `code_challenge` is accepted (default true). */
  pkce?: boolean;
  /**
   * A `code_challenge` without `code_challenge_method` is S256 (Salesforce: its authorize
   * endpoint takes no method, the challenge is always SHA-256; jsforce sends none). Default
   * false: RFC 7636 reads a missing method as `plain`, which is refused.
   */
  challengeMethodDefaultsToS256?: boolean;
  /** Token formats (default: 32 random bytes in base64url). */
  mintAccessToken?: () => string;
  mintRefreshToken?: () => string;
  mintCode?: () => string;
  now?: () => number;
}

export interface OAuthGrant {
  id: string;
  personId: string;
  scopes: string[];
  /** undefined: not bound to a client (a seeded refresh token, `issueGrant` without one). */
  clientId: string | undefined;
  refreshToken: string;
  revoked: boolean;
  createdAt: number;
}

interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  personId: string;
  scopes: string[];
  codeChallenge: string | undefined;
  expiresAt: number;
  /** The grant its redemption created (set once redeemed). */
  grantId: string | undefined;
}

interface AccessTokenRecord {
  grantId: string;
  expiresAt: number;
  /** Marked by `expireAccessTokens()`. */
  expired: boolean;
}

export type TokenErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  /** The code was issued for another redirect URI (RFC 6749: invalid_grant; Salesforce names it). */
  | 'redirect_uri_mismatch';

export type TokenOutcome =
  | {
      ok: true;
      grantType: 'authorization_code' | 'refresh_token';
      accessToken: string;
      /** Authorization code: always. Refresh: only when rotated (the new one). */
      refreshToken: string | undefined;
      expiresIn: number;
      scopes: string[];
      personId: string;
      grant: OAuthGrant;
    }
  | { ok: false; error: TokenErrorCode; description: string };

export type AccessTokenCheck =
  | {
      status: 'ok';
      personId: string;
      scopes: string[];
      grant: OAuthGrant;
      /** Epoch ms. */
      expiresAt: number;
    }
  | { status: 'expired' }
  | { status: 'revoked' };

export const AUTHORIZATION_CODE_LIFETIME_MS = 10 * 60 * 1000;

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** base64url(SHA-256(verifier)) (RFC 7636 §4.2, S256). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A loopback redirect URI (what an unregistered-URI client may use): http on 127.0.0.1 or localhost. */
function isLoopback(uri: string): boolean {
  try {
    const url = new URL(uri);
    return (
      url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost')
    );
  } catch {
    return false;
  }
}

/**
 * The form fields and query of a request as strings: the token endpoint's parameters (form or
 * multipart body, and the query, which Zoho also accepts; the body wins).
 */
export function requestParams(
  request: Pick<EmulatorRequest, 'query' | 'body'>,
): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of request.query) params[k] = v;
  if (request.body && typeof request.body === 'object' && !Array.isArray(request.body)) {
    for (const [k, v] of Object.entries(request.body as Record<string, unknown>)) {
      if (typeof v === 'string') params[k] = v;
    }
  }
  return params;
}

/**
 * The client's credentials: HTTP Basic `base64(client_id:client_secret)` (RFC 6749 §2.3.1) when
 * sent, else `client_id` / `client_secret` from the parameters.
 */
export function clientCredentials(
  request: Pick<EmulatorRequest, 'headers'>,
  params: Record<string, string>,
): { clientId: string | undefined; clientSecret: string | undefined } {
  const basic = bearerToken(request.headers, 'Basic');
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const split = decoded.indexOf(':');
    if (split > 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, split)),
        clientSecret: decodeURIComponent(decoded.slice(split + 1)),
      };
    }
  }
  return { clientId: params.client_id, clientSecret: params.client_secret };
}

/** Appends parameters to a redirect URI's query (keeping the query it has). */
function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

function redirect(location: string): EmulatorReply {
  return { status: 302, headers: { location, 'cache-control': 'no-store' } };
}

export interface AuthorizeOptions {
  /** Where the consent form POSTs (the emulator's authorize path; default the request's path). */
  formAction?: string;
  /** Added to the Allow redirect (and the Deny one): Zoho `location`, `accounts-server`. */
  extraParams?: Record<string, string>;
}

/** The validated authorize request; `error` replies are ready to send. */
type AuthorizeCheck =
  | {
      ok: true;
      client: OAuthClient;
      redirectUri: string;
      state: string;
      scopes: string[];
      codeChallenge: string | undefined;
      scopeParam: string | undefined;
    }
  | { ok: false; reply: EmulatorReply };

export class OAuthAuthority implements OAuthControl {
  accessTokenLifetimeSeconds: number;
  rotateRefreshTokens: boolean;
  readonly tokenRequests: { grantType: string; at: number }[] = [];
  readonly grants = new Map<string, OAuthGrant>();
  readonly #options: OAuthAuthorityOptions;
  readonly #codes = new Map<string, AuthorizationCode>();
  readonly #accessTokens = new Map<string, AccessTokenRecord>();
  /** Live refresh token → grant id. */
  readonly #refreshTokens = new Map<string, string>();
  /** Refresh tokens replaced by rotation (answer invalid_grant). */
  readonly #spentRefreshTokens = new Set<string>();
  #sequence = 0;

  constructor(options: OAuthAuthorityOptions) {
    this.#options = options;
    this.accessTokenLifetimeSeconds = options.accessTokenLifetimeSeconds;
    this.rotateRefreshTokens = options.rotateRefreshTokens ?? false;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  // --- control -------------------------------------------------------------------------------

  expireAccessTokens(): void {
    for (const record of this.#accessTokens.values()) record.expired = true;
  }

  revokeAll(): void {
    for (const grant of this.grants.values()) grant.revoked = true;
  }

  issueGrant(
    personId: string,
    options: { scopes?: string[]; clientId?: string } = {},
  ): { accessToken: string; refreshToken: string } {
    const grant = this.#createGrant(
      personId,
      options.scopes ?? [...(this.#options.defaultScopes ?? [])],
      options.clientId,
    );
    return { accessToken: this.#mintAccess(grant), refreshToken: grant.refreshToken };
  }

  /**
   * Adopts a refresh token the emulator was seeded with as a grant bound to no client, so the
   * refresh grant, rotation and `revokeAll` treat it like any other.
   */
  seedRefreshToken(refreshToken: string, personId: string, scopes: string[] = []): OAuthGrant {
    return this.#createGrant(personId, scopes, undefined, refreshToken);
  }

  /** Whether the token is a live refresh token of this authority. */
  knowsRefreshToken(refreshToken: string): boolean {
    return this.#refreshTokens.has(refreshToken) || this.#spentRefreshTokens.has(refreshToken);
  }

  /** Records a token endpoint request the emulator answered itself (counted in `tokenRequests`). */
  recordTokenRequest(grantType: string): void {
    this.tokenRequests.push({ grantType, at: this.#now() });
  }

  // --- the emulator's auth check ------------------------------------------------------------

  /** undefined: not a token of this authority (the emulator checks its seeded tokens). */
  checkAccessToken(token: string): AccessTokenCheck | undefined {
    const record = this.#accessTokens.get(token);
    if (record === undefined) return undefined;
    const grant = this.grants.get(record.grantId);
    if (grant === undefined || grant.revoked) return { status: 'revoked' };
    if (record.expired || this.#now() >= record.expiresAt) return { status: 'expired' };
    return {
      status: 'ok',
      personId: grant.personId,
      scopes: [...grant.scopes],
      grant,
      expiresAt: record.expiresAt,
    };
  }

  // --- the consent page ---------------------------------------------------------------------

  #clientById(clientId: string | undefined): OAuthClient | undefined {
    if (clientId === undefined || clientId === '') return undefined;
    return this.#options.clients().find((c) => c.clientId === clientId);
  }

  #redirectAllowed(client: OAuthClient, uri: string): boolean {
    const registered = client.redirectUris ?? [];
    if (registered.length === 0) return isLoopback(uri);
    return registered.includes(uri);
  }

  #splitScopes(scope: string | undefined): string[] {
    if (scope === undefined || scope.trim() === '') return [...(this.#options.defaultScopes ?? [])];
    return scope
      .split(this.#options.scopeSeparator ?? /[\s,]+/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  #check(params: Record<string, string>): AuthorizeCheck {
    const client = this.#clientById(params.client_id);
    if (client === undefined) {
      return { ok: false, reply: this.#errorPage('The app is not known (invalid client_id).') };
    }
    const redirectUri = params.redirect_uri ?? '';
    if (!this.#redirectAllowed(client, redirectUri)) {
      return {
        ok: false,
        reply: this.#errorPage('The redirect_uri is not registered for this app.'),
      };
    }
    const state = params.state;
    const fail = (error: string, description: string): AuthorizeCheck => ({
      ok: false,
      reply: redirect(withParams(redirectUri, { error, error_description: description, state })),
    });
    if (params.response_type !== 'code') {
      return fail('unsupported_response_type', 'response_type must be code');
    }
    if (state === undefined || state === '') return fail('invalid_request', 'state is required');
    const challenge = params.code_challenge;
    if (challenge !== undefined && challenge !== '') {
      if (this.#options.pkce === false) {
        return fail('invalid_request', 'code_challenge is not supported');
      }
      const method =
        params.code_challenge_method ??
        (this.#options.challengeMethodDefaultsToS256 === true ? 'S256' : 'plain');
      if (method !== 'S256') {
        return fail('invalid_request', 'code_challenge_method must be S256');
      }
      if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
        return fail('invalid_request', 'code_challenge must be base64url(SHA-256(verifier))');
      }
    }
    return {
      ok: true,
      client,
      redirectUri,
      state,
      scopes: this.#splitScopes(params.scope),
      codeChallenge: challenge === '' ? undefined : challenge,
      scopeParam: params.scope,
    };
  }

  /** GET authorize: the consent page (or the error page / error redirect). */
  authorizePage(request: EmulatorRequest, options: AuthorizeOptions = {}): EmulatorReply {
    const params = requestParams({ query: request.query, body: undefined });
    const check = this.#check(params);
    if (!check.ok) return check.reply;
    const vendor = escapeHtml(this.#options.vendor);
    const app = escapeHtml(this.#options.appName ?? 'Ergo');
    const hidden = Object.entries({
      client_id: check.client.clientId,
      redirect_uri: check.redirectUri,
      response_type: 'code',
      state: check.state,
      scope: check.scopeParam,
      code_challenge: check.codeChallenge,
      code_challenge_method: check.codeChallenge === undefined ? undefined : 'S256',
    })
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(
        ([name, value]) =>
          `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
      )
      .join('\n      ');
    const people = this.#options
      .people()
      .map(
        (p) =>
          `<option value="${escapeHtml(p.id)}">${escapeHtml(p.name)} (${escapeHtml(p.email)})</option>`,
      )
      .join('\n        ');
    const scopes =
      check.scopes.length === 0
        ? ''
        : `<p>${app} asks for:</p>\n    <ul>${check.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>`;
    const action = escapeHtml(options.formAction ?? request.path);
    const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Allow ${app} to access ${vendor}?</title></head>
<body>
  <main>
    <h1>Allow ${app} to access ${vendor}?</h1>
    ${scopes}
    <form method="post" action="${action}">
      ${hidden}
      <label for="person">Sign in as</label>
      <select id="person" name="person">
        ${people}
      </select>
      <button type="submit" name="decision" value="allow">Allow</button>
      <button type="submit" name="decision" value="deny">Deny</button>
    </form>
  </main>
</body>
</html>
`;
    return { status: 200, text: html, headers: { 'cache-control': 'no-store' } };
  }

  /** POST authorize (the consent form): Allow → code redirect, Deny → access_denied redirect. */
  /**
   * The two routes of a vendor's consent page at `path`: GET shows it, the form POSTs back.
   * `impliedCode`: the vendor's authorize URL carries no `response_type` (HubSpot, Pipedrive),
   * so `code` is implied. `decideOptions` adds vendor extras to the redirect (Zoho).
   */
  consentRoutes(
    path: string,
    options: {
      impliedCode?: boolean;
      decideOptions?: (request: EmulatorRequest) => AuthorizeOptions;
    } = {},
  ): EmulatorRoute[] {
    const withCode = (request: EmulatorRequest): EmulatorRequest => {
      if (!options.impliedCode || request.query.has('response_type')) return request;
      const query = new URLSearchParams(request.query);
      query.set('response_type', 'code');
      return { ...request, query };
    };
    return [
      {
        method: 'GET',
        pattern: path,
        auth: false,
        handler: (request) => this.authorizePage(withCode(request), { formAction: path }),
      },
      {
        method: 'POST',
        pattern: path,
        auth: false,
        handler: (request) => this.decide(request, options.decideOptions?.(request) ?? {}),
      },
    ];
  }

  decide(request: EmulatorRequest, options: AuthorizeOptions = {}): EmulatorReply {
    const params = requestParams(request);
    const check = this.#check(params);
    if (!check.ok) return check.reply;
    const extras = options.extraParams ?? {};
    if (params.decision !== 'allow') {
      return redirect(
        withParams(check.redirectUri, {
          error: 'access_denied',
          error_description: 'end-user denied authorization',
          state: check.state,
          ...extras,
        }),
      );
    }
    const person = this.#options.people().find((p) => p.id === params.person);
    if (person === undefined) {
      return this.#errorPage('Choose whom to sign in as.');
    }
    const code = (this.#options.mintCode ?? randomToken)();
    this.#codes.set(code, {
      code,
      clientId: check.client.clientId,
      redirectUri: check.redirectUri,
      personId: person.id,
      scopes: check.scopes,
      codeChallenge: check.codeChallenge,
      expiresAt: this.#now() + AUTHORIZATION_CODE_LIFETIME_MS,
      grantId: undefined,
    });
    return redirect(withParams(check.redirectUri, { code, state: check.state, ...extras }));
  }

  #errorPage(message: string): EmulatorReply {
    const vendor = escapeHtml(this.#options.vendor);
    return {
      status: 400,
      text: `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${vendor}: authorization error</title></head>
<body><main><h1>${vendor}: authorization error</h1><p role="alert">${escapeHtml(message)}</p></main></body>
</html>
`,
      headers: { 'cache-control': 'no-store' },
    };
  }

  // --- the token endpoint -------------------------------------------------------------------

  /**
   * One token endpoint request (recorded in `tokenRequests`): `authorization_code` or
   * `refresh_token`; the client as `clientCredentials()` read it.
   */
  token(
    params: Record<string, string>,
    client: { clientId: string | undefined; clientSecret: string | undefined },
  ): TokenOutcome {
    const grantType = params.grant_type ?? '';
    this.recordTokenRequest(grantType);
    if (grantType === 'authorization_code') return this.#redeem(params, client);
    if (grantType === 'refresh_token') return this.#refresh(params, client);
    return {
      ok: false,
      error: 'unsupported_grant_type',
      description: 'grant type not supported',
    };
  }

  /** invalid_client unless the client is registered and the secret matches. */
  #authenticate(client: {
    clientId: string | undefined;
    clientSecret: string | undefined;
  }): OAuthClient | undefined {
    const known = this.#clientById(client.clientId);
    if (known === undefined || client.clientSecret === undefined) return undefined;
    return sameSecret(known.clientSecret, client.clientSecret) ? known : undefined;
  }

  #redeem(
    params: Record<string, string>,
    client: { clientId: string | undefined; clientSecret: string | undefined },
  ): TokenOutcome {
    const authenticated = this.#authenticate(client);
    if (authenticated === undefined) {
      return { ok: false, error: 'invalid_client', description: 'invalid client credentials' };
    }
    const code = this.#codes.get(params.code ?? '');
    if (code === undefined || code.clientId !== authenticated.clientId) {
      return { ok: false, error: 'invalid_grant', description: 'invalid authorization code' };
    }
    if (code.grantId !== undefined) {
      // A code used twice: refuse, and revoke what the first use issued (RFC 6749 §4.1.2).
      const first = this.grants.get(code.grantId);
      if (first) first.revoked = true;
      return { ok: false, error: 'invalid_grant', description: 'authorization code already used' };
    }
    if (this.#now() >= code.expiresAt) {
      this.#codes.delete(code.code);
      return { ok: false, error: 'invalid_grant', description: 'authorization code expired' };
    }
    if ((params.redirect_uri ?? '') !== code.redirectUri) {
      return {
        ok: false,
        error: 'redirect_uri_mismatch',
        description: 'redirect_uri must match the authorization request',
      };
    }
    if (code.codeChallenge !== undefined) {
      const verifier = params.code_verifier;
      // RFC 7636 caps the verifier at 128 characters; the cap is not enforced because jsforce
      // (Salesforce's own library) sends 171 (base64url of 128 bytes) and Salesforce takes it.
      if (verifier === undefined || !/^[A-Za-z0-9._~-]{43,}$/.test(verifier)) {
        return { ok: false, error: 'invalid_grant', description: 'invalid code verifier' };
      }
      if (s256(verifier) !== code.codeChallenge) {
        return { ok: false, error: 'invalid_grant', description: 'invalid code verifier' };
      }
    }
    // A code without a challenge ignores a stray code_verifier (as many servers do).
    const grant = this.#createGrant(code.personId, code.scopes, authenticated.clientId);
    code.grantId = grant.id;
    return {
      ok: true,
      grantType: 'authorization_code',
      accessToken: this.#mintAccess(grant),
      refreshToken: grant.refreshToken,
      expiresIn: this.accessTokenLifetimeSeconds,
      scopes: [...grant.scopes],
      personId: grant.personId,
      grant,
    };
  }

  #refresh(
    params: Record<string, string>,
    client: { clientId: string | undefined; clientSecret: string | undefined },
  ): TokenOutcome {
    const presented = params.refresh_token ?? '';
    const grantId = this.#refreshTokens.get(presented);
    const grant = grantId === undefined ? undefined : this.grants.get(grantId);
    // A registered client must give its secret; a grant bound to a client needs that client.
    const registered = this.#clientById(client.clientId);
    if (registered !== undefined || grant?.clientId !== undefined) {
      const authenticated = this.#authenticate(client);
      if (authenticated === undefined) {
        return { ok: false, error: 'invalid_client', description: 'invalid client credentials' };
      }
      if (grant?.clientId !== undefined && grant.clientId !== authenticated.clientId) {
        return { ok: false, error: 'invalid_grant', description: 'expired access/refresh token' };
      }
    }
    if (grant === undefined || grant.revoked) {
      return { ok: false, error: 'invalid_grant', description: 'expired access/refresh token' };
    }
    let rotated: string | undefined;
    if (this.rotateRefreshTokens) {
      rotated = (this.#options.mintRefreshToken ?? randomToken)();
      this.#refreshTokens.delete(presented);
      this.#spentRefreshTokens.add(presented);
      this.#refreshTokens.set(rotated, grant.id);
      grant.refreshToken = rotated;
    }
    return {
      ok: true,
      grantType: 'refresh_token',
      accessToken: this.#mintAccess(grant),
      refreshToken: rotated,
      expiresIn: this.accessTokenLifetimeSeconds,
      scopes: [...grant.scopes],
      personId: grant.personId,
      grant,
    };
  }

  #createGrant(
    personId: string,
    scopes: string[],
    clientId: string | undefined,
    refreshToken?: string,
  ): OAuthGrant {
    this.#sequence += 1;
    const grant: OAuthGrant = {
      id: `grant-${this.#sequence}`,
      personId,
      scopes,
      clientId,
      refreshToken: refreshToken ?? (this.#options.mintRefreshToken ?? randomToken)(),
      revoked: false,
      createdAt: this.#now(),
    };
    this.grants.set(grant.id, grant);
    this.#refreshTokens.set(grant.refreshToken, grant.id);
    return grant;
  }

  #mintAccess(grant: OAuthGrant): string {
    const token = (this.#options.mintAccessToken ?? randomToken)();
    this.#accessTokens.set(token, {
      grantId: grant.id,
      expiresAt: this.#now() + this.accessTokenLifetimeSeconds * 1000,
      expired: false,
    });
    return token;
  }
}

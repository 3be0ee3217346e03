import type { CrmKey } from '#src/domain/crm.ts';

/**
 * The vendor side of "Connect <CRM>": the authorization-code flow (RFC 6749 §4.1, PKCE RFC 7636
 * where the vendor supports it) and the refresh grant (§6). One provider per CRM, built from
 * the client id and secret in configuration. Everything here talks to the vendor's
 * authorization server only; the API calls stay in the connectors.
 *
 * Secrets (client secret, codes, verifiers, tokens) never appear in an error's message.
 */

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Zoho data centres (accounts server per DC: crm-api-notes.md, Zoho multi-DC). */
export const ZOHO_DATA_CENTRES = ['com', 'eu', 'in', 'com.au', 'jp', 'com.cn', 'sa', 'ca'] as const;
export type ZohoDataCentre = (typeof ZOHO_DATA_CENTRES)[number];

/** Which Salesforce login host the admin chose on the connect form. */
export type SalesforceLogin =
  | { kind: 'production' }
  | { kind: 'sandbox' }
  /** The org's My Domain, e.g. `acme.my.salesforce.com` (host only, validated by the provider). */
  | { kind: 'my_domain'; host: string };

/** What the connect form may choose, per CRM (ignored by CRMs it does not apply to). */
export interface OAuthConnectOptions {
  salesforceLogin?: SalesforceLogin;
  zohoDataCentre?: ZohoDataCentre;
}

export interface AuthorizationRequest {
  /** Where to send the browser. */
  url: string;
  /**
   * Non-secret values the token exchange needs later (the Salesforce login host, the Zoho
   * accounts server chosen): stored with the pending state and passed back to `exchangeCode`.
   */
  context: Record<string, string>;
}

export interface TokenSet {
  accessToken: string;
  /** Absent when the vendor issued none (or, on refresh, kept the old one: no rotation). */
  refreshToken?: string;
  /** From `expires_in`; null when the vendor does not say (Salesforce sessions). */
  expiresAt: Date | null;
  /** Granted scopes as the vendor lists them; [] when it does not say. */
  scopes: string[];
  /**
   * Non-secret data the connector needs, in the credential's `instance` keys: `instanceUrl`
   * (Salesforce), `apiDomain` (Zoho, Pipedrive), `portalId` (HubSpot), `workspaceSlug`
   * (Attio); plus what a later refresh needs: `loginUrl` (Salesforce), `accountsServer` (Zoho).
   */
  instance: Record<string, string>;
}

export type OAuthErrorKind =
  /** The code or refresh token is expired, used or revoked: the user must connect again. */
  | 'invalid_grant'
  /** Our client id/secret (or redirect URI) is wrong: configuration, not the user. */
  | 'invalid_client'
  /** The user pressed Deny on the consent page (`error=access_denied` on the callback). */
  | 'access_denied'
  /** The callback or options failed validation (e.g. a Zoho accounts server not on the list). */
  | 'bad_request'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'bad_response';

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly crm: CrmKey;
  readonly kind: OAuthErrorKind;
  readonly status: number | undefined;
  /** The vendor's `error` value (`invalid_grant`, `invalid_code`…), when it gave one. */
  readonly vendorCode: string | undefined;

  constructor(options: {
    crm: CrmKey;
    kind: OAuthErrorKind;
    message: string;
    status?: number;
    vendorCode?: string;
  }) {
    super(options.message);
    this.crm = options.crm;
    this.kind = options.kind;
    this.status = options.status;
    this.vendorCode = options.vendorCode;
  }
}

export interface OAuthProvider {
  readonly crm: CrmKey;
  /** Whether the provider sends a PKCE S256 code challenge (then `exchangeCode` needs the verifier). */
  readonly pkce: boolean;
  authorizationUrl(input: {
    redirectUri: string;
    state: string;
    /** base64url(SHA-256(verifier)); given when `pkce`. */
    codeChallenge?: string;
    options: OAuthConnectOptions;
  }): AuthorizationRequest;
  /**
   * Exchanges the callback's code. `callbackParams` is the callback's whole query: some vendors
   * add values there (Zoho `accounts-server`, `location`), which the provider validates.
   */
  exchangeCode(input: {
    code: string;
    redirectUri: string;
    codeVerifier?: string;
    context: Record<string, string>;
    callbackParams: URLSearchParams;
  }): Promise<TokenSet>;
  /**
   * The refresh grant. `instance` is the stored connection's instance (it carries the login
   * host or accounts server). The result's `instance` has the values to store from now on.
   */
  refresh(input: { refreshToken: string; instance: Record<string, unknown> }): Promise<TokenSet>;
}

export interface OAuthProviderOptions {
  client: OAuthClientCredentials;
  /**
   * Replaces every vendor host (authorize page, token endpoint, accounts servers, login hosts)
   * with this base URL: the local emulator. Unset: the vendor's real hosts.
   */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Per request; default 10 000 ms. */
  timeoutMs?: number;
  /** The clock `expiresAt` is computed from (tests inject one). */
  now?: () => number;
}

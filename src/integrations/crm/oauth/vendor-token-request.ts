import type { CrmKey } from '#src/domain/crm.ts';
import { OAuthError, type OAuthErrorKind } from '#src/integrations/crm/oauth/oauth-provider.ts';

/**
 * The one HTTP exchange the HubSpot, Pipedrive and Attio OAuth providers make with a vendor's
 * authorization server (or, after a token exchange, its token-info call): a timeout, no
 * redirects followed, the reply parsed as JSON, and a failed reply turned into an OAuthError by
 * the vendor's own classifier. Every message is scrubbed of the request's secrets (client secret,
 * code, verifier, tokens), whatever the vendor echoes back.
 */

export const DEFAULT_OAUTH_TIMEOUT_MS = 10_000;

export interface VendorErrorClassification {
  kind: OAuthErrorKind;
  /** The vendor's own error value (`invalid_grant`, `BAD_REFRESH_TOKEN`…). */
  vendorCode?: string;
  /** A sentence for a person, from the vendor's message; scrubbed before use. */
  detail?: string;
}

export interface VendorRequest {
  crm: CrmKey;
  /** The vendor's name for messages ("HubSpot"). */
  vendor: string;
  /** What the request is, for messages ("token exchange"). */
  what: string;
  url: string;
  method?: 'GET' | 'POST';
  /** A form body (application/x-www-form-urlencoded); empty values are left out. */
  form?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Values that must never appear in an error message. */
  secrets: readonly (string | undefined)[];
  /** Maps a non-2xx reply (status and parsed body) to an error kind. */
  classify: (status: number, body: unknown) => VendorErrorClassification;
}

/** Removes every secret from a message. */
export function scrubSecrets(message: string, secrets: readonly (string | undefined)[]): string {
  let scrubbed = message;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) {
      scrubbed = scrubbed.split(secret).join('[redacted]');
      // A form-encoded or URL-encoded copy of the secret is the same secret.
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) scrubbed = scrubbed.split(encoded).join('[redacted]');
    }
  }
  return scrubbed;
}

/** Sends the request; resolves with the parsed JSON body of a 2xx reply, else throws OAuthError. */
export async function vendorRequest(request: VendorRequest): Promise<unknown> {
  const fail = (kind: OAuthErrorKind, message: string, status?: number, vendorCode?: string) =>
    new OAuthError({
      crm: request.crm,
      kind,
      message: scrubSecrets(message, request.secrets),
      ...(status === undefined ? {} : { status }),
      ...(vendorCode === undefined ? {} : { vendorCode }),
    });
  const headers = new Headers({ accept: 'application/json', ...request.headers });
  let body: string | undefined;
  if (request.form !== undefined) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(request.form)) {
      if (value !== undefined && value !== '') form.set(key, value);
    }
    headers.set('content-type', 'application/x-www-form-urlencoded');
    body = form.toString();
  }
  let response: Response;
  try {
    response = await request.fetch(request.url, {
      method: request.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    const timedOut =
      error instanceof DOMException &&
      (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw timedOut
      ? fail(
          'timeout',
          `${request.vendor} did not answer the ${request.what} within ${request.timeoutMs} ms.`,
        )
      : fail(
          'network',
          `${request.vendor} could not be reached for the ${request.what} (${errorCode(error)}).`,
        );
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw fail(
      'network',
      `${request.vendor}'s ${request.what} reply was cut off (${errorCode(error)}).`,
      response.status,
    );
  }
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = undefined;
    }
  }
  if (response.status >= 200 && response.status < 300) {
    if (parsed === undefined || parsed === null || typeof parsed !== 'object') {
      throw fail(
        'bad_response',
        `${request.vendor} answered the ${request.what} with something that is not JSON.`,
        response.status,
      );
    }
    return parsed;
  }
  if (response.status >= 500) {
    throw fail(
      'server_error',
      `${request.vendor} failed the ${request.what} (HTTP ${response.status}); try again later.`,
      response.status,
    );
  }
  const classified = request.classify(response.status, parsed ?? text.slice(0, 200));
  const detail = classified.detail === undefined ? '' : `: ${classified.detail}`;
  throw fail(
    classified.kind,
    `${request.vendor} refused the ${request.what} (HTTP ${response.status}${
      classified.vendorCode === undefined ? '' : ` ${classified.vendorCode}`
    })${detail}`,
    response.status,
    classified.vendorCode,
  );
}

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== null && typeof cause === 'object' && 'code' in cause) return String(cause.code);
    return error.name;
  }
  return 'unknown error';
}

/** `expires_in` (seconds) as a date from `now`; null when absent or not a positive number. */
export function expiresAtFrom(expiresIn: unknown, now: number): Date | null {
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(now + seconds * 1000);
}

/** A field of a parsed JSON object as a string, when it is one. */
export function stringField(body: unknown, key: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/** The vendor's base URL without a trailing slash. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Throws access_denied (or bad_request) when the callback carries an OAuth `error`. */
export function rejectCallbackError(
  crm: CrmKey,
  vendor: string,
  callbackParams: URLSearchParams,
): void {
  const error = callbackParams.get('error');
  if (error === null) return;
  throw new OAuthError({
    crm,
    kind: error === 'access_denied' ? 'access_denied' : 'bad_request',
    message:
      error === 'access_denied'
        ? `The ${vendor} user declined to give Ergo access.`
        : `${vendor} sent the user back with an error (${error.slice(0, 60)}).`,
    vendorCode: error.slice(0, 60),
  });
}

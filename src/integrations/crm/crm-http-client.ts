import type { CrmKey } from '#src/domain/crm.ts';
import { CrmError, type CrmErrorKind } from '#src/integrations/crm/crm-error.ts';
import { RATE_LIMIT_POLICIES } from '#src/integrations/crm/rate-limit-policy.ts';
import { parseRetryAfter } from '#src/integrations/crm/retry-after.ts';

export { parseRetryAfter };

/**
 * The small typed HTTP client every connector shares: a timeout on every attempt, a total time
 * budget, retries with exponential backoff and full jitter on 5xx/network errors; a vendor's
 * rate-limit reply follows that vendor's policy (rate-limit-policy.ts: wait exactly as the
 * vendor says, or stop at once with rate_limited / quota_exhausted); no retry on other 4xx.
 * Secrets are scrubbed from messages.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per attempt. */
  timeoutMs: number;
  /** For the whole call, waits included: a retry that would end past it is not made. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 8_000,
  timeoutMs: 10_000,
  budgetMs: 30_000,
};

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface CrmRequest {
  method: HttpMethod;
  /** Path (joined to the client's base URL) or an absolute URL on the same origin. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CrmResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ClassifiedError {
  kind: CrmErrorKind;
  message: string;
  vendorCode?: string;
}

/** Maps a vendor's non-2xx response to an error kind, vendor code and message. */
export type ErrorClassifier = (response: {
  status: number;
  headers: Headers;
  body: unknown;
}) => ClassifiedError;

export interface CrmHttpClientOptions {
  crm: CrmKey;
  baseUrl: string;
  /** Adds the vendor's auth header(s). */
  authorize: (headers: Headers) => void;
  classify: ErrorClassifier;
  /** Secret values to scrub from any error message. */
  secrets: readonly string[];
  policy?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Called before each retry (for logs and tests): never given secrets. */
  onRetry?: (info: {
    attempt: number;
    delayMs: number;
    kind: CrmErrorKind;
    status?: number;
  }) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CrmHttpClient {
  readonly crm: CrmKey;
  readonly baseUrl: string;
  readonly policy: RetryPolicy;
  readonly #options: CrmHttpClientOptions;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(options: CrmHttpClientOptions) {
    this.crm = options.crm;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** Sends the request, retrying as the policy allows; a non-2xx ends as a CrmError. */
  async request<T>(request: CrmRequest): Promise<CrmResponse<T>> {
    const started = this.#now();
    const url = this.#url(request);
    for (let attempt = 1; ; attempt += 1) {
      const remaining = this.policy.budgetMs - (this.#now() - started);
      let error: CrmError;
      /** The vendor's rate-limit policy's wait, when the reply was one. */
      let policyWaitMs: number | undefined;
      let stop: CrmError | undefined;
      try {
        const response = await this.#attempt(
          url,
          request,
          Math.max(1, Math.min(this.policy.timeoutMs, remaining)),
        );
        if (response.status >= 200 && response.status < 300) return response as CrmResponse<T>;
        const decision = RATE_LIMIT_POLICIES[this.crm](response, this.#now());
        const classified = this.#options.classify(response);
        if (decision?.action === 'stop') {
          stop = this.#error(
            { ...classified, kind: decision.kind, message: decision.message },
            attempt,
            response.status,
          );
        }
        error = this.#error(
          decision ? { ...classified, kind: 'rate_limited' } : classified,
          attempt,
          response.status,
        );
        if (decision?.action === 'wait') policyWaitMs = decision.waitMs;
      } catch (caught) {
        error = caught instanceof CrmError ? caught : this.#transportError(caught, attempt);
      }
      // The vendor's policy says a retry cannot succeed now (a daily or 24-hour quota): none.
      if (stop) throw stop;
      if (!error.retryable || attempt >= this.policy.maxAttempts) throw error;
      const backoff = Math.min(
        this.policy.maxDelayMs,
        this.policy.baseDelayMs * 2 ** (attempt - 1),
      );
      const delayMs = policyWaitMs ?? Math.round(this.#random() * backoff);
      const elapsed = this.#now() - started;
      if (elapsed + delayMs >= this.policy.budgetMs) {
        if (policyWaitMs === undefined) throw error;
        throw this.#error(
          {
            kind: 'rate_limited',
            message: `${error.message} The CRM asks to wait ${Math.ceil(delayMs / 1000)} s, longer than this call may take: try again later.`,
            ...(error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode }),
          },
          attempt,
          error.status,
        );
      }
      this.#options.onRetry?.({
        attempt,
        delayMs,
        kind: error.kind,
        ...(error.status === undefined ? {} : { status: error.status }),
      });
      await this.#sleep(delayMs);
    }
  }

  async #attempt(url: URL, request: CrmRequest, timeoutMs: number): Promise<CrmResponse<unknown>> {
    const headers = new Headers({ accept: 'application/json', ...request.headers });
    this.#options.authorize(headers);
    let body: string | undefined;
    if (request.body !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(request.body);
    }
    const response = await this.#fetch(url, {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  #url(request: CrmRequest): URL {
    const url = /^https?:\/\//.test(request.path)
      ? new URL(request.path)
      : new URL(`${this.baseUrl}${request.path.startsWith('/') ? '' : '/'}${request.path}`);
    if (url.origin !== new URL(this.baseUrl).origin) {
      throw new CrmError({
        crm: this.crm,
        kind: 'bad_response',
        message: 'The CRM pointed to another host; refusing to follow it.',
      });
    }
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  #error(classified: ClassifiedError, attempts: number, status?: number): CrmError {
    return new CrmError({
      crm: this.crm,
      kind: classified.kind,
      message: this.scrub(classified.message),
      attempts,
      ...(status === undefined ? {} : { status }),
      ...(classified.vendorCode === undefined ? {} : { vendorCode: classified.vendorCode }),
    });
  }

  #transportError(caught: unknown, attempts: number): CrmError {
    const isTimeout =
      caught instanceof DOMException &&
      (caught.name === 'TimeoutError' || caught.name === 'AbortError');
    return new CrmError({
      crm: this.crm,
      kind: isTimeout ? 'timeout' : 'network',
      message: isTimeout
        ? `The CRM did not answer within ${this.policy.timeoutMs} ms.`
        : `The CRM could not be reached (${this.scrub(errorText(caught))}).`,
      attempts,
      ...(isTimeout ? { timeoutMs: this.policy.timeoutMs } : {}),
    });
  }

  /** Removes every secret value from a message. */
  scrub(message: string): string {
    let scrubbed = message;
    for (const secret of this.#options.secrets) {
      if (secret.length >= 4) scrubbed = scrubbed.split(secret).join('[redacted]');
    }
    return scrubbed;
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = cause && typeof cause === 'object' && 'code' in cause ? String(cause.code) : '';
    return code || error.message;
  }
  return 'unknown error';
}

/** The status-based default most vendors need; vendor classifiers refine it. */
export function kindForStatus(status: number): CrmErrorKind {
  if (status === 401) return 'invalid_credentials';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

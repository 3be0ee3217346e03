import { ERROR_CODES, type ErrorCode } from '#src/domain/errors.ts';

/**
 * The one way the web app talks to the API: relative `/api/...` URLs (same origin in production,
 * proxied by Vite in development), the session cookie sent by the browser, the CSRF token on
 * every state-changing request, and RFC 9457 problems turned into an `ApiError` with the stable
 * `code` of SPEC §5.
 */

let csrfToken: string | undefined;

/** Set from `POST /api/auth/login` and `GET /api/me`; cleared on log out. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly detail: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Runs a sync at most once per key, even if the request is sent twice (see sync.routes.ts). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const url = search.size > 0 ? `${path}?${search.toString()}` : path;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(
      0,
      'internal',
      'Ergo could not be reached. Check your connection and try again.',
    );
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const problem = (body ?? {}) as Record<string, unknown>;
    const code = isErrorCode(problem.code) ? problem.code : 'internal';
    const detail =
      typeof problem.detail === 'string'
        ? problem.detail
        : `The server answered ${response.status}. Try again in a moment.`;
    throw new ApiError(response.status, code, detail, problem);
  }
  return body as T;
}

/** A fresh Idempotency-Key for one user action (a retried request then cannot run twice). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

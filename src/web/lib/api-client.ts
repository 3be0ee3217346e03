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

/** Sends the request as every call does (CSRF token, Idempotency-Key, session cookie). */
async function send(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const method = options.method ?? 'GET';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const url = search.size > 0 ? `${path}?${search.toString()}` : path;
  const headers: Record<string, string> = { accept };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;

  try {
    return await fetch(url, {
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
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** An answer that is not 2xx, as the ApiError of its problem (SPEC §5). */
function problemError(status: number, body: unknown): ApiError {
  const problem = (body ?? {}) as Record<string, unknown>;
  const code = isErrorCode(problem.code) ? problem.code : 'internal';
  const detail =
    typeof problem.detail === 'string'
      ? problem.detail
      : `The server answered ${status}. Try again in a moment.`;
  return new ApiError(status, code, detail, problem);
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options, 'application/json');
  if (response.status === 204) return undefined as T;
  const body = parseJson(await response.text());
  if (!response.ok) throw problemError(response.status, body);
  return body as T;
}

/**
 * A call whose answer is told as it happens (application/x-ndjson: Sync CRM's progress): each
 * JSON line goes to `onEvent` as it arrives. An error answer is an ApiError, as with `api`; a
 * server that answers plain JSON instead gives that one body as the only event.
 */
export async function apiEvents(
  path: string,
  options: RequestOptions,
  onEvent: (event: unknown) => void,
): Promise<void> {
  const response = await send(path, options, 'application/x-ndjson');
  if (!response.ok) throw problemError(response.status, parseJson(await response.text()));
  if (!response.body || !response.headers.get('content-type')?.includes('ndjson')) {
    onEvent(parseJson(await response.text()));
    return;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    let chunk: ReadableStreamReadResult<string>;
    try {
      chunk = await reader.read();
    } catch {
      throw new ApiError(
        0,
        'internal',
        'The connection to Ergo was lost before the answer was complete. Check your connection.',
      );
    }
    const { value, done } = chunk;
    if (value) buffered += value;
    const lines = buffered.split('\n');
    buffered = done ? '' : (lines.pop() ?? '');
    for (const line of lines) if (line.trim() !== '') onEvent(parseJson(line));
    if (done) return;
  }
}

/** A fresh Idempotency-Key for one user action (a retried request then cannot run twice). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

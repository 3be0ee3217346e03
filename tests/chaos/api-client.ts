/**
 * A small HTTP client for the real app: session cookie + CSRF header, a timeout on every
 * request, and responses read whole (status, headers, parsed JSON when it is JSON).
 */
export const DEMO_PASSWORD = 'demo-password';
export const ADMIN_EMAIL = 'admin@acme.test';
const REQUEST_TIMEOUT_MS = 30_000;

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
  ms: number;
}

/** A response the client could not get at all (connection refused/reset, timeout). */
export class TransportError extends Error {
  override readonly name = 'TransportError';
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as-is (a string or bytes), with `contentType`; overrides `body`. */
  raw?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class ApiClient {
  #cookie: string | undefined;
  #csrf: string | undefined;
  userId: string | undefined;
  constructor(public baseUrl: string) {}

  /** The same session against another process (sessions live in the database). */
  cloneFor(baseUrl: string): ApiClient {
    const other = new ApiClient(baseUrl);
    other.#cookie = this.#cookie;
    other.#csrf = this.#csrf;
    other.userId = this.userId;
    return other;
  }

  async login(email = ADMIN_EMAIL, password = DEMO_PASSWORD): Promise<ApiResponse> {
    const response = await this.request('POST', '/api/auth/login', { body: { email, password } });
    if (response.status === 200) {
      const body = response.body as { csrfToken: string; user: { id: string } };
      const cookie = response.headers
        .getSetCookie()
        .map((c) => c.split(';')[0] ?? '')
        .find((c) => c.startsWith('ergo_session='));
      if (!cookie) throw new Error('login answered 200 without an ergo_session cookie');
      this.#cookie = cookie;
      this.#csrf = body.csrfToken;
      this.userId = body.user.id;
    }
    return response;
  }

  async mustLogin(email = ADMIN_EMAIL): Promise<void> {
    const response = await this.login(email);
    if (response.status !== 200) {
      throw new Error(`login as ${email}: ${response.status} ${response.text.slice(0, 300)}`);
    }
  }

  /** `request`, with a TransportError as the value when no response came. */
  tryRequest<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T> | TransportError> {
    return attempt(this.request<T>(method, path, options));
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.#cookie && headers.cookie === undefined) headers.cookie = this.#cookie;
    if (this.#csrf && method !== 'GET' && headers['x-csrf-token'] === undefined) {
      headers['x-csrf-token'] = this.#csrf;
    }
    let body: string | Uint8Array | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const started = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, signal });
      text = await response.text();
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new TransportError(
        `${method} ${path}: ${error instanceof Error ? error.message : String(error)}${
          cause ? ` (${cause.code ?? cause.message ?? ''})` : ''
        }`,
      );
    }
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return {
      status: response.status,
      headers: response.headers,
      body: parsed as T,
      text,
      ms: performance.now() - started,
    };
  }
}

/** The `code` of a problem+json body, or undefined. */
export function problemCode(response: ApiResponse): string | undefined {
  const body = response.body as { code?: unknown } | null;
  return body && typeof body === 'object' && typeof body.code === 'string' ? body.code : undefined;
}

/** "200", "503 database_unavailable", "transport" — one word per outcome, for tallies. */
export function outcomeOf(response: ApiResponse | TransportError): string {
  if (response instanceof TransportError) return 'transport';
  const code = problemCode(response);
  return code ? `${response.status} ${code}` : String(response.status);
}

/** The response, or the TransportError when there was none; other errors still throw. */
export async function attempt<T>(
  request: Promise<ApiResponse<T>>,
): Promise<ApiResponse<T> | TransportError> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
}

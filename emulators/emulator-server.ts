import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The shared core of the local CRM emulators: a tiny router over node:http, JSON bodies,
 * per-vendor auth and error shapes, a write log (tests assert "a second run makes zero
 * writes" on it), and fault injection (latency, 5xx, 429 with Retry-After, expired token).
 * Emulators bind to 127.0.0.1 only.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface EmulatorRequest {
  method: HttpMethod;
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Path parameters from the route pattern (`:name`). */
  params: Record<string, string>;
}

export interface EmulatorReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * A body sent as it is instead of JSON (an HTML consent page): its content type is the
   * reply's `content-type` header, default `text/html; charset=utf-8`. Wins over `body`.
   */
  text?: string;
}

export type AuthResult = 'ok' | 'missing' | 'invalid' | 'expired';

export interface EmulatorRoute {
  method: HttpMethod;
  /** `/crm/v3/properties/:objectType/:name`; a trailing `*` parameter takes the rest (`:rest*`). */
  pattern: string;
  handler: (request: EmulatorRequest) => EmulatorReply | Promise<EmulatorReply>;
  /** Default true: the vendor's auth check runs first. */
  auth?: boolean;
}

export interface FaultConfig {
  /** Added to every response. */
  latencyMs: number;
  /** The next N authenticated requests answer with the vendor's 5xx. */
  serverErrors: number;
  /** A fraction (0–1) of requests answer 5xx, from a seeded generator (repeatable). */
  serverErrorRate: number;
  /** The next N requests answer 429 (or the vendor's equivalent) with Retry-After. */
  rateLimits: number;
  retryAfterSeconds: number;
  /** Use an HTTP date instead of seconds in Retry-After (Attio does). */
  retryAfterAsDate: boolean;
  /** false: the 429 carries no Retry-After, only the vendor's own rate-limit headers. */
  sendRetryAfter: boolean;
  /**
   * The vendor policy the rate-limit reply names: HubSpot's `policyName` (SECONDLY,
   * TEN_SECONDLY_ROLLING, DAILY); Pipedrive `DAILY` (x-daily-requests-left: 0). Empty: default.
   */
  rateLimitPolicy: string;
  /** Every known token is treated as expired. */
  tokensExpired: boolean;
  /** Salesforce: the org forbids metadata changes for this user. */
  metadataNotPermitted: boolean;
  /** Salesforce: this user may not create permission sets, field permissions or assignments. */
  permissionsNotPermitted: boolean;
}

export const NO_FAULTS: FaultConfig = {
  latencyMs: 0,
  serverErrors: 0,
  serverErrorRate: 0,
  rateLimits: 0,
  retryAfterSeconds: 1,
  retryAfterAsDate: false,
  sendRetryAfter: true,
  rateLimitPolicy: '',
  tokensExpired: false,
  metadataNotPermitted: false,
  permissionsNotPermitted: false,
};

export interface LogEntry {
  method: HttpMethod;
  path: string;
  query: string;
  status: number;
  body: unknown;
  at: number;
}

/** What differs between vendors: auth, and the exact shapes of their error replies. */
export interface VendorBehaviour {
  name: string;
  authenticate(request: EmulatorRequest, faults: FaultConfig): AuthResult;
  unauthorized(result: Exclude<AuthResult, 'ok'>): EmulatorReply;
  /** `retryAfter` is undefined when the fault says the vendor sends none. */
  rateLimited(retryAfter: string | undefined, faults: FaultConfig): EmulatorReply;
  serverError(): EmulatorReply;
  notFound(request: EmulatorRequest): EmulatorReply;
  badRequest(message: string): EmulatorReply;
}

export interface StartedEmulator {
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

interface CompiledRoute extends EmulatorRoute {
  regex: RegExp;
  names: string[];
}

function compile(route: EmulatorRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.pattern
    .split('/')
    .map((segment) => {
      const rest = /^:(\w+)\*$/.exec(segment);
      if (rest?.[1]) {
        names.push(rest[1]);
        return '(.+)';
      }
      const param = /^:(\w+)$/.exec(segment);
      if (param?.[1]) {
        names.push(param[1]);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${source}/?$`), names };
}

/** A seeded PRNG (mulberry32) so a 5xx rate is repeatable run to run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class EmulatorServer {
  readonly vendor: VendorBehaviour;
  faults: FaultConfig = { ...NO_FAULTS };
  /** Every request that reached a handler with a write method, in order. */
  readonly writeLog: LogEntry[] = [];
  /** Every request, in order (for tests that count calls or check paths). */
  readonly requestLog: LogEntry[] = [];
  readonly #routes: CompiledRoute[];
  #random = seeded(42);

  /**
   * `routes` may be a function of the live fault settings (routes that consult them when they
   * answer): it gets a reader of this server's `faults`, whatever `setFaults` sets later.
   */
  constructor(
    vendor: VendorBehaviour,
    routes: readonly EmulatorRoute[] | ((faults: () => FaultConfig) => readonly EmulatorRoute[]),
  ) {
    this.vendor = vendor;
    const list = typeof routes === 'function' ? routes(() => this.faults) : routes;
    this.#routes = list.map(compile);
  }

  setFaults(faults: Partial<FaultConfig>): void {
    this.faults = { ...this.faults, ...faults };
  }

  resetFaults(): void {
    this.faults = { ...NO_FAULTS };
    this.#random = seeded(42);
  }

  clearLogs(): void {
    this.writeLog.length = 0;
    this.requestLog.length = 0;
  }

  /** Handles one request (exposed for in-process use without a socket). */
  async handle(request: Omit<EmulatorRequest, 'params'>): Promise<EmulatorReply> {
    if (request.path.startsWith('/__emulator/')) return this.#control(request);
    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    const match = this.#match(request.method, request.path);
    if (!match) return this.vendor.notFound({ ...request, params: {} });
    const full: EmulatorRequest = { ...request, params: match.params };
    if (match.route.auth !== false) {
      const auth = this.vendor.authenticate(full, this.faults);
      if (auth !== 'ok') return this.vendor.unauthorized(auth);
    }
    if (this.faults.rateLimits > 0) {
      this.faults.rateLimits -= 1;
      const retryAfter = !this.faults.sendRetryAfter
        ? undefined
        : this.faults.retryAfterAsDate
          ? new Date(Date.now() + this.faults.retryAfterSeconds * 1000).toUTCString()
          : String(this.faults.retryAfterSeconds);
      return this.vendor.rateLimited(retryAfter, this.faults);
    }
    if (this.faults.serverErrors > 0) {
      this.faults.serverErrors -= 1;
      return this.vendor.serverError();
    }
    if (this.faults.serverErrorRate > 0 && this.#random() < this.faults.serverErrorRate) {
      return this.vendor.serverError();
    }
    const reply = await match.route.handler(full);
    if (request.method !== 'GET' && reply.status < 400) {
      this.writeLog.push(this.#entry(request, reply.status));
    }
    return reply;
  }

  #entry(request: Omit<EmulatorRequest, 'params'>, status: number): LogEntry {
    return {
      method: request.method,
      path: request.path,
      query: request.url.search,
      status,
      body: request.body,
      at: Date.now(),
    };
  }

  #match(
    method: HttpMethod,
    path: string,
  ): { route: CompiledRoute; params: Record<string, string> } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route, params };
    }
    return undefined;
  }

  /** Out-of-process control: POST /__emulator/faults, GET /__emulator/write-log, POST /__emulator/reset. */
  #control(request: Omit<EmulatorRequest, 'params'>): EmulatorReply {
    if (request.method === 'POST' && request.path === '/__emulator/faults') {
      this.setFaults(request.body ?? {});
      return { status: 200, body: this.faults };
    }
    if (request.method === 'GET' && request.path === '/__emulator/write-log') {
      return { status: 200, body: this.writeLog };
    }
    if (request.method === 'POST' && request.path === '/__emulator/reset') {
      this.resetFaults();
      this.clearLogs();
      return { status: 204 };
    }
    return { status: 404, body: { error: 'unknown emulator control path' } };
  }

  /** Listens on 127.0.0.1 (port 0 = a free port chosen by the OS). */
  async start(port = 0): Promise<StartedEmulator> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void (async () => {
          const url = new URL(req.url ?? '/', 'http://127.0.0.1');
          const raw = Buffer.concat(chunks).toString('utf8');
          let reply: EmulatorReply;
          try {
            const body = raw === '' ? undefined : parseBody(raw, req.headers['content-type']);
            const request = {
              method: (req.method ?? 'GET').toUpperCase() as HttpMethod,
              url,
              path: url.pathname,
              query: url.searchParams,
              headers: req.headers,
              body,
            };
            reply = await this.handle(request);
            this.requestLog.push(this.#entry(request, reply.status));
          } catch (error) {
            reply =
              error instanceof SyntaxError
                ? this.vendor.badRequest('Malformed JSON body')
                : this.vendor.serverError();
          }
          if (reply.text !== undefined) {
            res.writeHead(reply.status, {
              'content-type': 'text/html; charset=utf-8',
              ...reply.headers,
            });
            res.end(reply.text);
            return;
          }
          const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
          res.writeHead(reply.status, {
            ...(payload === '' ? {} : { 'content-type': 'application/json;charset=utf-8' }),
            ...reply.headers,
          });
          res.end(payload);
        })();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${address.port}`,
      port: address.port,
      close: () =>
        new Promise<void>((resolve, reject) => {
          server.closeAllConnections();
          server.close((error) => {
            if (error) reject(error);
            else resolve();
          });
        }),
    };
  }
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (boundary !== undefined) return parseMultipart(raw, boundary);
  return JSON.parse(raw) as unknown;
}

/** The text fields of a multipart/form-data body (what the Zoho SDK sends to the token endpoint). */
function parseMultipart(raw: string, boundary: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of raw.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) continue;
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(part.slice(0, split))?.[1];
    if (name === undefined) continue;
    fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return fields;
}

/** The token from `Authorization: <scheme> <token>`, or undefined. */
export function bearerToken(headers: IncomingHttpHeaders, scheme = 'Bearer'): string | undefined {
  const header = headers.authorization;
  if (!header) return undefined;
  const [given, token] = header.split(' ', 2);
  if (given?.toLowerCase() !== scheme.toLowerCase() || !token) return undefined;
  return token;
}

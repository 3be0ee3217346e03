import type {
  ApiToken as ApiTokenContract,
  ApiTokenList,
  CreatedApiToken,
} from '#src/domain/contracts/api-tokens.contract.ts';
import type {
  AuditChainHead,
  AuditExportFormat,
  AuditVerification,
} from '#src/domain/contracts/audit.contract.ts';
import type { loginResponseSchema } from '#src/domain/contracts/auth.contract.ts';
import type { BulkRun as BulkRunContract } from '#src/domain/contracts/bulk.contract.ts';
import type { z } from 'zod';
import type { MemberPage, TeamSummary } from '#src/domain/contracts/members.contract.ts';
import type { ProblemBody } from '#src/domain/contracts/problem.contract.ts';
import type {
  RevertResult,
  SyncCrmResult,
  SyncHistoryPage,
  SyncSettingsResult,
} from '#src/domain/contracts/sync.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';

/**
 * The ergo CLI's one HTTP client: every call the CLI makes, typed by the server's contracts
 * (src/domain/contracts) as `Wire<…>`. Authenticates with a personal API token (Bearer, no CSRF);
 * only `login` uses a session, to create that token.
 */

/** A problem (RFC 9457) the server answered, or a failure to reach it (status 0). */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${title}: ${detail}`);
  }
}

export type ApiToken = Wire<ApiTokenContract>;

export type BulkRun = Wire<BulkRunContract>;

export interface BulkStart {
  action: 'sync_settings' | 'sync_crm';
  teamId?: string;
  memberIds?: string[];
  categories?: string[];
  dryRun?: boolean;
}

export class ErgoClient {
  constructor(
    readonly server: string,
    private readonly token: string,
  ) {}

  teams(): Promise<Wire<TeamSummary[]>> {
    return this.json('GET', '/api/teams');
  }

  members(query: { team?: string; q?: string; cursor?: string }): Promise<Wire<MemberPage>> {
    return this.json('GET', `/api/members${queryString({ ...query, limit: '100' })}`);
  }

  teamMembers(
    teamId: string,
    query: { driftFrom?: string; cursor?: string },
  ): Promise<Wire<MemberPage>> {
    return this.json(
      'GET',
      `/api/teams/${encodeURIComponent(teamId)}/members${queryString({ ...query, limit: '100' })}`,
    );
  }

  syncSettings(
    userId: string,
    body: { categories?: string[]; dryRun?: boolean },
  ): Promise<Wire<SyncSettingsResult>> {
    return this.json('POST', `/api/members/${encodeURIComponent(userId)}/sync-settings`, body);
  }

  syncCrm(userId: string): Promise<Wire<SyncCrmResult>> {
    return this.json('POST', `/api/members/${encodeURIComponent(userId)}/sync-crm`);
  }

  history(query: { memberId?: string; limit?: number }): Promise<Wire<SyncHistoryPage>> {
    return this.json(
      'GET',
      `/api/syncs${queryString({ memberId: query.memberId, limit: query.limit?.toString() })}`,
    );
  }

  revert(syncId: string): Promise<Wire<RevertResult>> {
    return this.json('POST', `/api/syncs/${encodeURIComponent(syncId)}/revert`);
  }

  startBulk(body: BulkStart): Promise<BulkRun> {
    return this.json('POST', '/api/bulk-syncs', body);
  }

  bulkRun(id: string): Promise<{ run: BulkRun }> {
    return this.json('GET', `/api/bulk-syncs/${encodeURIComponent(id)}`);
  }

  /** The run's Server-Sent Events: `onProgress` per event; resolves with the finished run. */
  async followBulk(id: string, onProgress: (run: BulkRun) => void): Promise<BulkRun> {
    const response = await this.send('GET', `/api/bulk-syncs/${encodeURIComponent(id)}/events`);
    let last: BulkRun | undefined;
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (reader) {
      const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (data) {
          last = JSON.parse(data) as BulkRun;
          onProgress(last);
        }
        end = buffer.indexOf('\n\n');
      }
    }
    // The stream ends early when the server restarts: read the run as it stands.
    if (!last?.finishedAt) last = (await this.bulkRun(id)).run;
    return last;
  }

  auditVerify(): Promise<Wire<AuditVerification>> {
    return this.json('GET', '/api/audit-log/verify');
  }

  auditHead(): Promise<Wire<AuditChainHead>> {
    return this.json('GET', '/api/audit-log/head');
  }

  /** The export as a byte stream (JSON Lines or CSV), and the chain head it ends at. */
  async auditExport(query: {
    format: AuditExportFormat;
    since?: string;
    until?: string;
  }): Promise<{ body: ReadableStream<Uint8Array>; head: string | null }> {
    const response = await this.send('GET', `/api/audit-log/export${queryString(query)}`);
    if (!response.body) throw new ApiProblem(0, 'internal', 'internal', 'The export was empty.');
    return { body: response.body, head: response.headers.get('ergo-audit-head') };
  }

  revokeToken(tokenId: string): Promise<void> {
    return this.json('DELETE', `/api/me/api-tokens/${encodeURIComponent(tokenId)}`);
  }

  tokens(): Promise<Wire<ApiTokenList>> {
    return this.json('GET', '/api/me/api-tokens');
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private send(method: string, path: string, body?: unknown): Promise<Response> {
    return request(this.server, method, path, {
      authorization: `Bearer ${this.token}`,
      body,
    });
  }
}

/**
 * Logs in with email and password (a session, used only here), creates a personal API token
 * named `tokenName` with the given scopes, and ends the session. Returns the token.
 */
export async function createTokenWithPassword(
  server: string,
  credentials: { email: string; password: string },
  tokenName: string,
): Promise<{
  token: string;
  apiToken: ApiToken;
  user: Wire<z.infer<typeof loginResponseSchema>>['user'];
}> {
  const login = await request(server, 'POST', '/api/auth/login', { body: credentials });
  const session = (await login.json()) as Wire<z.infer<typeof loginResponseSchema>>;
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  try {
    const created = await request(server, 'POST', '/api/me/api-tokens', {
      cookie,
      csrf: session.csrfToken,
      body: { name: tokenName, scopes: ['read', 'sync', 'admin'], expiresInDays: null },
    });
    const body = (await created.json()) as Wire<CreatedApiToken>;
    return { ...body, user: session.user };
  } finally {
    await request(server, 'POST', '/api/auth/logout', { cookie, csrf: session.csrfToken }).catch(
      () => undefined,
    );
  }
}

async function request(
  server: string,
  method: string,
  path: string,
  options: { authorization?: string; cookie?: string; csrf?: string; body?: unknown },
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.authorization) headers.authorization = options.authorization;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf) headers['x-csrf-token'] = options.csrf;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(new URL(path, server), {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    throw new ApiProblem(
      0,
      'unreachable',
      'server unreachable',
      `Could not reach ${server}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
  if (response.status >= 400) {
    let problem: Partial<ProblemBody> = {};
    try {
      problem = (await response.json()) as Partial<ProblemBody>;
    } catch {
      // not a problem+json body: fall back to the status line
    }
    throw new ApiProblem(
      response.status,
      problem.code ?? 'internal',
      problem.title ?? response.statusText,
      problem.detail ?? `The server answered ${response.status}.`,
    );
  }
  return response;
}

function queryString(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

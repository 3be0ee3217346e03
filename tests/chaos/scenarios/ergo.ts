import { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';
import type { ApiClient, ApiResponse } from '#tests/chaos/api-client.ts';

/** What the scenarios need to know about the app's API (src/http/routes/*). */

/** All ten categories (SPEC §2): a chaos sync copies every one, Email templates included. */
export const ALL_CATEGORIES = CATEGORY_KEYS;

export const SYNC_BODY = { categories: [...ALL_CATEGORIES] };

export interface MemberRow {
  id: string;
  email: string;
  role: string;
  status: string;
  hasDashboard: boolean;
  actions: string[];
}

export interface CategoryResult {
  category: string;
  counts: { added: number; updated: number; removed: number; unchanged: number };
}

export interface SyncResult {
  syncId: string | null;
  categories: CategoryResult[];
}

export interface HistoryItem {
  id: string;
  action: string;
  status: string;
  createdAt: string;
  result: { versionsAfter?: Record<string, number> } | null;
  revertsSyncId: string | null;
}

export function expectStatus<T>(response: ApiResponse<T>, status: number, what: string): T {
  if (response.status !== status) {
    throw new Error(
      `${what}: expected ${status}, got ${response.status} ${response.text.slice(0, 300)}`,
    );
  }
  return response.body;
}

/** Members the admin may sync to (a row whose actions include sync), with a dashboard. */
export async function syncTargets(client: ApiClient): Promise<MemberRow[]> {
  const teams = expectStatus(
    await client.request<{ id: string }[]>('GET', '/api/teams'),
    200,
    'GET /api/teams',
  );
  const seen = new Map<string, MemberRow>();
  for (const team of teams) {
    const page = expectStatus(
      await client.request<{ items: MemberRow[] }>(
        'GET',
        `/api/teams/${team.id}/members?limit=100`,
      ),
      200,
      'GET /api/teams/{id}/members',
    );
    for (const row of page.items) {
      if (row.actions.includes('sync_settings') && row.hasDashboard && row.status === 'active') {
        seen.set(row.id, row);
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.email.localeCompare(b.email));
}

/**
 * Changes the admin's own Company details and Alternate domains, so that a sync has something
 * new to copy (PUT /api/me/settings/{category} with the dashboard's version).
 */
export async function changeOwnSettings(client: ApiClient, nonce: string): Promise<void> {
  const company = expectStatus(
    await client.request<{ value: Record<string, unknown>; dashboardVersion: number }>(
      'GET',
      '/api/me/settings/company_details',
    ),
    200,
    'GET company_details',
  );
  const put1 = await client.request<{ dashboardVersion: number }>(
    'PUT',
    '/api/me/settings/company_details',
    {
      body: {
        value: { ...company.value, description: `Chaos run ${nonce}` },
        dashboardVersion: company.dashboardVersion,
      },
    },
  );
  const after = expectStatus(put1, 200, 'PUT company_details');
  const domains = `chaos-${nonce.toLowerCase().replace(/[^a-z0-9]/g, '')}.example`;
  const current = expectStatus(
    await client.request<{ value: unknown }>('GET', '/api/me/settings/alternate_domains'),
    200,
    'GET alternate_domains',
  );
  const value = current.value as { domains?: string[] } | string[];
  const next = Array.isArray(value)
    ? [domains, ...value.slice(0, 5)]
    : { ...value, domains: [domains, ...(value.domains ?? []).slice(0, 5)] };
  expectStatus(
    await client.request('PUT', '/api/me/settings/alternate_domains', {
      body: { value: next, dashboardVersion: after.dashboardVersion },
    }),
    200,
    'PUT alternate_domains',
  );
}

export function syncPath(targetId: string): string {
  return `/api/members/${targetId}/sync-settings`;
}

/** Per category: how many items a sync would still change (0 everywhere = up to date). */
export async function pendingChanges(
  client: ApiClient,
  targetId: string,
): Promise<Record<string, number>> {
  const result = expectStatus(
    await client.request<SyncResult>('POST', syncPath(targetId), {
      body: { ...SYNC_BODY, dryRun: true },
    }),
    200,
    'dry run',
  );
  return Object.fromEntries(
    result.categories.map((c) => [
      c.category,
      c.counts.added + c.counts.updated + c.counts.removed,
    ]),
  );
}

export function totalOf(changes: Record<string, number>): number {
  return Object.values(changes).reduce((a, b) => a + b, 0);
}

export async function history(client: ApiClient, targetId: string): Promise<HistoryItem[]> {
  return expectStatus(
    await client.request<{ items: HistoryItem[] }>(
      'GET',
      `/api/syncs?memberId=${targetId}&limit=200`,
    ),
    200,
    'GET /api/syncs',
  ).items;
}

export function appliedSyncs(items: readonly HistoryItem[]): HistoryItem[] {
  return items.filter((i) => i.action === 'sync_settings' && i.status === 'applied');
}

export function sleep(msValue: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msValue));
}

export function randomKey(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

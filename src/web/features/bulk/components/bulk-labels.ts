import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import {
  CATEGORY_KEYS,
  categoryDefinition,
  isCategoryKey,
  type CategoryKey,
} from '#src/domain/settings/categories.ts';
import type {
  BulkCounts,
  BulkMemberStatus,
  BulkRun,
} from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { plural } from '#src/web/lib/format.ts';

/** A member's status in a run, in words. */
export const MEMBER_STATUS_LABELS: Record<BulkMemberStatus, string> = {
  pending: 'Waiting',
  applied: 'Applied',
  would_change: 'Will change',
  unchanged: 'No changes',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/**
 * The per-member error codes of a bulk run in plain language (the guide's "Common issues").
 * Unknown codes are shown as they are.
 */
const MEMBER_ERRORS: Record<string, string> = {
  dashboard_missing:
    'The user dashboard is missing. The account may need provisioning or setup completion before settings can be pushed.',
  forbidden:
    'Not allowed: this member can’t be synced (the primary admin, you, or a member whose access is off).',
  target_not_found: 'The target user is missing. Confirm the user is in the same organization.',
  internal: 'Something went wrong on our side. Retry this member.',
  crm_owner_property_failed:
    'CRM keys were copied, but the CRM owner property couldn’t be created. Retry this member.',
};

export function memberErrorText(code: string | null): string {
  if (code === null) return '';
  return MEMBER_ERRORS[code] ?? code;
}

/** What one item of a category is called: "3 properties added", "1 stage updated". */
const ITEM_NOUNS: Record<CategoryKey, [string, string]> = {
  custom_properties: ['property', 'properties'],
  pipeline_stages: ['stage', 'stages'],
  company_details: ['company detail', 'company details'],
  meeting_titles: ['meeting title', 'meeting titles'],
  alternate_domains: ['alternate domain', 'alternate domains'],
  partnership_domains: ['partnership domain', 'partnership domains'],
  task_settings: ['task setting', 'task settings'],
  crm_keys: ['CRM key', 'CRM keys'],
  email_templates: ['template', 'templates'],
  advanced_settings: ['advanced setting', 'advanced settings'],
};

function guideOrder(key: string): number {
  const index = (CATEGORY_KEYS as readonly string[]).indexOf(key);
  return index === -1 ? CATEGORY_KEYS.length : index;
}

export function categoryLabel(key: string): string {
  return isCategoryKey(key) ? categoryDefinition(key).label : key;
}

/** "6 properties added, 3 stages updated", in the guide's order of categories; '' if nothing. */
export function describeTotals(
  categories: readonly ({ category: string } & Partial<BulkCounts>)[],
): string {
  const parts: string[] = [];
  for (const c of [...categories].sort((a, b) => guideOrder(a.category) - guideOrder(b.category))) {
    const [one, many] = isCategoryKey(c.category) ? ITEM_NOUNS[c.category] : ['item', 'items'];
    for (const kind of ['added', 'updated', 'removed'] as const) {
      const n = c[kind] ?? 0;
      if (n > 0) parts.push(`${plural(n, one, many)} ${kind}`);
    }
  }
  return parts.join(', ');
}

/** A member's stored counts (per category) as a list of `{ category, …counts }`. */
export function countsOf(counts: unknown): ({ category: string } & BulkCounts)[] {
  if (typeof counts !== 'object' || counts === null) return [];
  const rows: ({ category: string } & BulkCounts)[] = [];
  for (const [category, value] of Object.entries(counts as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    const v = value as Partial<Record<keyof BulkCounts, unknown>>;
    const num = (x: unknown) => (typeof x === 'number' ? x : 0);
    rows.push({
      category,
      added: num(v.added),
      updated: num(v.updated),
      removed: num(v.removed),
      unchanged: num(v.unchanged),
    });
  }
  return rows;
}

/** "About 2 minutes left"; null when there is nothing to estimate yet. */
export function timeLeft(run: BulkRun): string | null {
  if (run.finishedAt !== null || run.etaSeconds === null) return null;
  const seconds = Math.max(0, Math.round(run.etaSeconds));
  if (seconds < 5) return 'A few seconds left';
  if (seconds < 60) return `About ${plural(seconds, 'second')} left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `About ${plural(minutes, 'minute')} left`;
  return `About ${plural(Math.round(minutes / 60), 'hour')} left`;
}

/** "4 members" / "1 member". */
export function members(n: number): string {
  return plural(n, 'member');
}

/** A bulk Sync CRM member's owner-property outcome per CRM, from its result's counts. */
export function crmOutcomesOf(counts: unknown): { crm: CrmKey; ownerProperty: string }[] {
  if (typeof counts !== 'object' || counts === null) return [];
  const crms = (counts as { crms?: unknown }).crms;
  if (!Array.isArray(crms)) return [];
  return crms.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { crm, ownerProperty } = entry as { crm?: unknown; ownerProperty?: unknown };
    return typeof crm === 'string' &&
      (CRM_KEYS as readonly string[]).includes(crm) &&
      typeof ownerProperty === 'string'
      ? [{ crm: crm as CrmKey, ownerProperty }]
      : [];
  });
}

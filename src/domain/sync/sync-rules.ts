import type { ChangeCounts, ItemChange } from '#src/domain/contracts/sync.contract.ts';
import {
  CATEGORIES,
  type CategoryKey,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { syncNotes, type NoteTense } from '#src/domain/sync/sync-notes.ts';

/**
 * The per-category rules of Sync Settings to User (SPEC §2), as pure functions: given the
 * source's and the target's current values, the target's value after the sync, plus notes a
 * person reads. The service reads, applies these, diffs and writes; nothing here does I/O.
 */

/** SPEC §3: all selected by default except Email templates. */
export const DEFAULT_SYNC_CATEGORIES: readonly CategoryKey[] = CATEGORIES.filter(
  (c) => c.defaultSelected,
).map((c) => c.key);

/**
 * `crm_keys` first: record types depend on whether the target has Salesforce after this sync's
 * CRM keys step (SPEC §2). Otherwise the guide's order.
 */
export function orderForApply(categories: readonly CategoryKey[]): CategoryKey[] {
  const set = new Set(categories);
  const ordered = CATEGORIES.map((c) => c.key).filter((k) => set.has(k));
  return ordered.includes('crm_keys')
    ? ['crm_keys', ...ordered.filter((k) => k !== 'crm_keys')]
    : ordered;
}

export interface RuleOutcome<K extends ValueCategoryKey> {
  value: CategoryValue<K>;
  notes: string[];
}

export interface RuleContext {
  /** After this sync's CRM keys step, when selected. */
  targetHasSalesforce: boolean;
  /** The source never set this category: its default value is copied (SPEC §2). */
  sourceIsDefault: boolean;
  /** How the notes read: a sync that ran, or one that would (a preview, drift). */
  tense: NoteTense;
}

type Properties = CategoryValue<'custom_properties'>['properties'];
type Property = Properties[number];
type Pipeline = CategoryValue<'pipeline_stages'>;

export function propertyKey(p: Pick<Property, 'crm' | 'object' | 'name'>): string {
  return `${p.crm}/${p.object}/${p.name}`;
}

/**
 * Custom properties: the target's non-owner properties are replaced by the source's non-owner
 * properties; the target's owner properties are preserved; the source's owner properties are
 * never copied. A source property that collides with a target owner property is not copied.
 */
export function syncCustomProperties(
  source: CategoryValue<'custom_properties'>,
  target: CategoryValue<'custom_properties'>,
  tense: NoteTense,
): RuleOutcome<'custom_properties'> {
  const owners = target.properties.filter((p) => p.ownerProperty);
  const ownerKeys = new Set(owners.map(propertyKey));
  const incoming = source.properties.filter((p) => !p.ownerProperty);
  const copied = incoming.filter((p) => !ownerKeys.has(propertyKey(p)));
  const notes: string[] = [];
  if (owners.length > 0) notes.push(syncNotes.ownerPropertiesKept(owners.length, tense));
  const skippedOwners = source.properties.length - incoming.length;
  if (skippedOwners > 0) notes.push(syncNotes.ownerPropertiesNotCopied(skippedOwners, tense));
  if (copied.length < incoming.length) {
    notes.push(syncNotes.collidesWithOwnerProperty(incoming.length - copied.length, tense));
  }
  return { value: { properties: [...owners, ...copied] }, notes };
}

/**
 * Pipeline stages: merge by internalId. Source stages are added or updated on the target and
 * marked as synced; target stages the source lacks are kept. Salesforce record types merge the
 * same way by record type id, but only when the target has a Salesforce connection.
 */
export function syncPipelineStages(
  source: Pipeline,
  target: Pipeline,
  context: RuleContext,
): RuleOutcome<'pipeline_stages'> {
  const notes: string[] = [];
  const sourceIds = new Set(source.stages.map((s) => s.internalId));
  const kept = target.stages.filter((s) => !sourceIds.has(s.internalId));
  const stages = [...source.stages.map((s) => ({ ...s, synced: true })), ...kept].sort(
    (a, b) => a.order - b.order || a.internalId.localeCompare(b.internalId),
  );
  if (kept.length > 0) notes.push(syncNotes.ownStagesKept(kept.length, context.tense));

  let salesforceRecordTypes = target.salesforceRecordTypes;
  if (source.salesforceRecordTypes.length > 0 || target.salesforceRecordTypes.length > 0) {
    if (context.targetHasSalesforce) {
      const incomingIds = new Set(source.salesforceRecordTypes.map((r) => r.recordTypeId));
      salesforceRecordTypes = [
        ...source.salesforceRecordTypes,
        ...target.salesforceRecordTypes.filter((r) => !incomingIds.has(r.recordTypeId)),
      ];
    } else if (source.salesforceRecordTypes.length > 0) {
      notes.push(syncNotes.recordTypesSkipped(context.tense));
    }
  }
  return { value: { stages, salesforceRecordTypes }, notes };
}

/** Every other value category: the target's value becomes an exact copy of the source's. */
export function overwrite<K extends ValueCategoryKey>(source: CategoryValue<K>): RuleOutcome<K> {
  return { value: structuredClone(source), notes: [] };
}

export function applyRule<K extends ValueCategoryKey>(
  category: K,
  source: CategoryValue<K>,
  target: CategoryValue<K>,
  context: RuleContext,
): RuleOutcome<K> {
  let outcome: RuleOutcome<ValueCategoryKey>;
  switch (category) {
    case 'custom_properties':
      outcome = syncCustomProperties(
        source as CategoryValue<'custom_properties'>,
        target as CategoryValue<'custom_properties'>,
        context.tense,
      );
      break;
    case 'pipeline_stages':
      outcome = syncPipelineStages(source as Pipeline, target as Pipeline, context);
      break;
    default:
      outcome = overwrite(source);
  }
  if (context.sourceIsDefault) outcome.notes.unshift(syncNotes.defaultCopied(context.tense));
  return outcome;
}

// --- diff ------------------------------------------------------------------------------------

export type { ChangeCounts, ItemChange };

/** A category value as keyed items, so a change can be counted item by item. */
export function itemsOf(category: ValueCategoryKey, value: unknown): Map<string, string> {
  const items = new Map<string, string>();
  // Values come out of the category schemas, which fix the key order, and jsonb, which fixes the
  // order inside records: plain JSON.stringify compares them (3–4× faster than sorting keys).
  const put = (key: string, item: unknown) => items.set(key, JSON.stringify(item));
  switch (category) {
    case 'custom_properties':
      for (const p of (value as CategoryValue<'custom_properties'>).properties)
        put(propertyKey(p), p);
      break;
    case 'pipeline_stages': {
      const v = value as Pipeline;
      for (const s of v.stages) put(`stage:${s.internalId}`, s);
      for (const r of v.salesforceRecordTypes) put(`recordType:${r.recordTypeId}`, r);
      break;
    }
    case 'meeting_titles':
      (value as CategoryValue<'meeting_titles'>).templates.forEach((t, position) => {
        put(`template:${t.id}`, { ...t, position });
      });
      break;
    case 'email_templates':
      for (const t of (value as CategoryValue<'email_templates'>).templates)
        put(`template:${t.id}`, t);
      break;
    case 'alternate_domains':
    case 'partnership_domains':
      for (const d of (value as CategoryValue<'alternate_domains'>).domains) put(`domain:${d}`, d);
      break;
    case 'company_details':
    case 'task_settings':
    case 'advanced_settings':
      for (const [field, fieldValue] of Object.entries(value as Record<string, unknown>))
        put(field, fieldValue);
      break;
  }
  return items;
}

/**
 * What turns `before` into `after`, item by item: the counts of SPEC §3 and the items behind
 * them (a preview, drift and the result of a sync all show these).
 */
export function diffValues(
  category: ValueCategoryKey,
  before: unknown,
  after: unknown,
): { counts: ChangeCounts; changes: ItemChange[] } {
  const was = itemsOf(category, before);
  const now = itemsOf(category, after);
  const counts: ChangeCounts = { added: 0, updated: 0, removed: 0, unchanged: 0 };
  const changes: ItemChange[] = [];
  for (const [key, value] of now) {
    const previous = was.get(key);
    if (previous === undefined) {
      counts.added += 1;
      changes.push({ key, change: 'added', after: JSON.parse(value) as unknown });
    } else if (previous === value) counts.unchanged += 1;
    else {
      counts.updated += 1;
      changes.push({
        key,
        change: 'updated',
        before: JSON.parse(previous) as unknown,
        after: JSON.parse(value) as unknown,
      });
    }
  }
  for (const [key, value] of was) {
    if (!now.has(key)) {
      counts.removed += 1;
      changes.push({ key, change: 'removed', before: JSON.parse(value) as unknown });
    }
  }
  return { counts, changes };
}

/** JSON with sorted object keys: equal values give equal strings. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

import { CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { MEETING_TYPE_LABELS } from '#src/domain/settings/settings.schema.ts';
import type { ItemChange } from '#src/web/features/sync/api/sync-settings.ts';

/**
 * Item changes (a preview, drift, a sync's result) in words: which item, and for a changed one
 * which of its fields go from what to what. The labels are those of the My settings pages, so
 * an admin reads the same words the member sees.
 */

export type ChangeKind = ItemChange['change'];

export const CHANGE_LABELS: Record<ChangeKind, string> = {
  added: 'Added',
  updated: 'Changed',
  removed: 'Removed',
};

export interface FieldChange {
  /** null when the item itself is the value (a company detail, a task setting, a CRM key). */
  field: string | null;
  before: string;
  after: string;
}

export interface ChangeView {
  key: string;
  kind: ChangeKind;
  /** The item in words: a property's label, a stage's name, a domain, a field's label. */
  item: string;
  /** Where the item lives, e.g. "HubSpot · deal". */
  context: string | null;
  /** For a changed item: what changes in it. */
  fields: FieldChange[];
  /** For an added or removed item: its main values in one line (CRM keys: the fingerprint). */
  summary: string | null;
  /** The values are masked CRM key fingerprints (`fp:…`), never keys. */
  fingerprint: boolean;
}

const FIELD_LABELS: Record<string, string> = {
  // Company details
  companyName: 'Company name',
  website: 'Website',
  description: 'Description',
  industry: 'Industry',
  valueProposition: 'Value proposition',
  competitors: 'Competitors',
  // Task settings
  defaultDueOffsetDays: 'Default due date (days)',
  defaultPriority: 'Default priority',
  autoCreateFollowUps: 'Create follow-up tasks automatically',
  assignment: 'Assign tasks to',
  crmTaskQueue: 'CRM task queue',
  // Advanced settings
  contextNotifications: 'Context notifications',
  'contextNotifications.enabled': 'Send context notifications',
  'contextNotifications.channels': 'Channels',
  'contextNotifications.minutesBefore': 'Minutes before the meeting',
  autoLogMeetings: 'Log meetings to the CRM automatically',
  autoCreateContacts: 'Create CRM contacts automatically',
  includeInternalMeetings: 'Include internal meetings',
  weeklyDigest: 'Weekly digest',
  // Custom properties
  label: 'Label',
  type: 'Type',
  options: 'Options',
  ownerProperty: 'Owner property',
  // Pipeline stages and Salesforce record types
  name: 'Name',
  order: 'Order',
  probability: 'Probability (%)',
  crmStageMappings: 'CRM stage',
  synced: 'Synced from an admin',
  developerName: 'Developer name',
  stageInternalIds: 'Stages',
  isActive: 'Active',
  // Meeting titles and templates
  title: 'Title',
  position: 'Position in the list',
  'appliesTo.meetingTypes': 'Meeting types',
  'appliesTo.externalOnly': 'External meetings only',
  'appliesTo.minAttendees': 'Minimum attendees',
  kind: 'Kind',
  subject: 'Subject',
  body: 'Body',
};

const VALUE_LABELS: Record<string, Record<string, string>> = {
  defaultPriority: { low: 'Low', medium: 'Medium', high: 'High' },
  assignment: { record_owner: 'The record owner', meeting_host: 'The meeting host', self: 'Me' },
  'contextNotifications.channels': { email: 'Email', slack: 'Slack', in_app: 'In the Ergo app' },
  kind: { email: 'Email', slack: 'Slack', crm_note: 'CRM note' },
  'appliesTo.meetingTypes': MEETING_TYPE_LABELS,
};

/** Fields that name an item rather than describe it: left out of its one-line summary. */
const IDENTITY_FIELDS = new Set([
  'id',
  'crm',
  'object',
  'name',
  'label',
  'title',
  'internalId',
  'recordTypeId',
]);

/** Flags worth a word only when set. */
const QUIET_WHEN_FALSE = new Set(['ownerProperty', 'synced']);

/** A one-line summary stays short; a changed value is shown (nearly) whole, since the
 * difference may be anywhere in it. */
const SUMMARY_TEXT = 160;
const VALUE_TEXT = 1200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function crmLabel(key: string): string {
  return key in CRM_LABELS ? CRM_LABELS[key as CrmKey] : key;
}

function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replaceAll('_', ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "crmStageMappings.salesforce" → "CRM stage: Salesforce"; known paths by their form label. */
export function fieldLabel(path: string): string {
  const known = FIELD_LABELS[path];
  if (known) return known;
  const [head, ...rest] = path.split('.');
  if (head === 'crmStageMappings' && rest.length === 1)
    return `CRM stage: ${crmLabel(rest[0] ?? '')}`;
  const last = path.split('.').at(-1) ?? path;
  return FIELD_LABELS[last] ?? humanize(last);
}

function clip(text: string, max = VALUE_TEXT): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** One value in words: "(empty)", "Yes"/"No", a list joined by commas, a record by its name. */
export function formatValue(value: unknown, path = ''): string {
  if (value === undefined || value === null || value === '') return '(empty)';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return path === 'position' ? `#${value + 1}` : String(value);
  if (typeof value === 'string') return clip(VALUE_LABELS[path]?.[value] ?? value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    return clip(value.map((item) => formatValue(item, path)).join(', '));
  }
  if (isRecord(value)) {
    const name = value.label ?? value.name ?? value.title;
    if (typeof name === 'string') return clip(name);
    const entries = Object.entries(value);
    if (entries.length === 0) return '(none)';
    return clip(
      entries
        .map(([key, v]) => `${fieldLabel(path ? `${path}.${key}` : key)}: ${formatValue(v, key)}`)
        .join('; '),
    );
  }
  return clip(JSON.stringify(value));
}

/** Leaves of nested records by dotted path; lists stay whole (they are compared as a value). */
function flatten(
  value: unknown,
  path = '',
  out = new Map<string, unknown>(),
): Map<string, unknown> {
  if (isRecord(value)) {
    for (const [key, v] of Object.entries(value)) flatten(v, path ? `${path}.${key}` : key, out);
  } else if (path) {
    out.set(path, value);
  }
  return out;
}

/** What changes inside a changed item: its fields whose values differ. */
function fieldChanges(before: unknown, after: unknown, prefix = ''): FieldChange[] {
  if (!isRecord(before) || !isRecord(after)) {
    return [
      { field: null, before: formatValue(before, prefix), after: formatValue(after, prefix) },
    ];
  }
  const was = flatten(before);
  const now = flatten(after);
  const paths = [...new Set([...was.keys(), ...now.keys()])];
  return paths
    .filter((path) => JSON.stringify(was.get(path)) !== JSON.stringify(now.get(path)))
    .map((path) => {
      const full = prefix ? `${prefix}.${path}` : path;
      return {
        field: fieldLabel(full),
        before: formatValue(was.get(path), full),
        after: formatValue(now.get(path), full),
      };
    });
}

/** An added or removed record's main values, in one line. */
function summaryOf(value: unknown): string | null {
  if (!isRecord(value)) return null;
  const parts = [...flatten(value)]
    .filter(([path, v]) => !IDENTITY_FIELDS.has(path) && v !== null && v !== '')
    .filter(([path, v]) => !(QUIET_WHEN_FALSE.has(path) && v === false))
    .filter(([, v]) => !(Array.isArray(v) && v.length === 0))
    .map(([path, v]) => `${fieldLabel(path)}: ${formatValue(v, path)}`);
  return parts.length > 0 ? clip(parts.join(' · '), SUMMARY_TEXT) : null;
}

function nameOf(
  category: CategoryKey,
  change: ItemChange,
): { item: string; context: string | null } {
  const value = change.after ?? change.before;
  const record = isRecord(value) ? value : {};
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  switch (category) {
    case 'crm_keys':
      return { item: crmLabel(change.key), context: null };
    case 'custom_properties':
      return {
        item: text(record.label) ?? change.key,
        context: [text(record.crm) && crmLabel(String(record.crm)), text(record.object)]
          .filter(Boolean)
          .join(' · '),
      };
    case 'pipeline_stages':
      return {
        item: text(record.name) ?? change.key,
        context: change.key.startsWith('recordType:') ? 'Salesforce record type' : 'Stage',
      };
    case 'meeting_titles':
      return { item: text(record.title) ?? change.key, context: null };
    case 'email_templates':
      return {
        item: text(record.name) ?? change.key,
        context: text(record.kind) ? formatValue(record.kind, 'kind') : null,
      };
    case 'alternate_domains':
    case 'partnership_domains':
      return { item: text(value) ?? change.key.replace(/^domain:/, ''), context: null };
    case 'company_details':
    case 'task_settings':
    case 'advanced_settings':
      return { item: fieldLabel(change.key), context: null };
  }
}

/** One item change of a category, ready to read. */
export function describeChange(category: CategoryKey, change: ItemChange): ChangeView {
  const { item, context } = nameOf(category, change);
  const fingerprint = category === 'crm_keys';
  const fieldPrefix =
    category === 'company_details' ||
    category === 'task_settings' ||
    category === 'advanced_settings'
      ? change.key
      : '';
  let fields: FieldChange[] = [];
  let summary: string | null = null;
  if (change.change === 'updated') {
    fields = fieldChanges(change.before, change.after, fieldPrefix);
  } else if (fingerprint) {
    const value = change.change === 'added' ? change.after : change.before;
    summary = typeof value === 'string' ? value : null;
  } else {
    summary = summaryOf(change.change === 'added' ? change.after : change.before);
  }
  return {
    key: change.key,
    kind: change.change,
    item,
    context: context || null,
    fields,
    summary,
    fingerprint,
  };
}

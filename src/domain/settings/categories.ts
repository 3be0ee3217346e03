import type { z } from 'zod';
import {
  asSentences,
  describeIssues,
  type FieldProblem,
} from '#src/domain/settings/issue-messages.ts';
import { SETTINGS_FIELD_LABELS } from '#src/domain/settings/settings-field-labels.ts';
import {
  advancedSettingsSchema,
  alternateDomainsSchema,
  companyDetailsSchema,
  customPropertiesSchema,
  emailTemplatesSchema,
  meetingTitlesSchema,
  partnershipDomainsSchema,
  pipelineStagesSchema,
  taskSettingsSchema,
} from '#src/domain/settings/settings.schema.ts';

/** The ten settings categories, in the guide's order (SPEC §2). */
export const CATEGORY_KEYS = [
  'custom_properties',
  'pipeline_stages',
  'company_details',
  'meeting_titles',
  'alternate_domains',
  'partnership_domains',
  'task_settings',
  'crm_keys',
  'email_templates',
  'advanced_settings',
] as const;
export type CategoryKey = (typeof CATEGORY_KEYS)[number];

/**
 * How a category is stored. `rows`: one row per item in its own table, because the sync rules
 * work at row level (owner properties preserved, stages merged by internalId). `document`: one
 * validated JSON document. `secrets`: encrypted CRM connections (SPEC §7).
 */
export type CategoryStorage = 'rows' | 'document' | 'secrets';

export interface CategoryDefinition {
  key: CategoryKey;
  /** The label as the guide and the UI name it. */
  label: string;
  /** Selected by default in the Sync Settings to User modal (all but Email templates). */
  defaultSelected: boolean;
  /** One line a user reads next to the checkbox. */
  rule: string;
  storage: CategoryStorage;
}

export const CATEGORIES = [
  {
    key: 'custom_properties',
    label: 'Custom properties',
    defaultSelected: true,
    rule: "Replaces your member's custom properties; their owner properties are kept.",
    storage: 'rows',
  },
  {
    key: 'pipeline_stages',
    label: 'Pipeline stages',
    defaultSelected: true,
    rule: "Merged by internal ID; your member's own stages are kept. Salesforce record types only if they have Salesforce.",
    storage: 'rows',
  },
  {
    key: 'company_details',
    label: 'Company details',
    defaultSelected: true,
    rule: 'Overwrites company name, website, description, industry and competitors.',
    storage: 'document',
  },
  {
    key: 'meeting_titles',
    label: 'Meeting titles',
    defaultSelected: true,
    rule: 'Overwrites the meeting title templates and their rules.',
    storage: 'document',
  },
  {
    key: 'alternate_domains',
    label: 'Alternate domains',
    defaultSelected: true,
    rule: 'Overwrites the email domains that also belong to your company.',
    storage: 'document',
  },
  {
    key: 'partnership_domains',
    label: 'Partnership domains',
    defaultSelected: true,
    rule: 'Overwrites the domains of partners.',
    storage: 'document',
  },
  {
    key: 'task_settings',
    label: 'Task settings',
    defaultSelected: true,
    rule: 'Overwrites due dates, priority, follow-ups, assignment and the CRM task queue.',
    storage: 'document',
  },
  {
    key: 'crm_keys',
    label: 'CRM keys',
    defaultSelected: true,
    rule: "Copies each CRM connection you have; CRMs you don't have are left as they are.",
    storage: 'secrets',
  },
  {
    key: 'email_templates',
    label: 'Email templates',
    defaultSelected: false,
    rule: 'Overwrites email, Slack and CRM note templates. Off by default.',
    storage: 'document',
  },
  {
    key: 'advanced_settings',
    label: 'Advanced settings',
    defaultSelected: true,
    rule: 'Overwrites context notifications and related toggles.',
    storage: 'document',
  },
] as const satisfies readonly CategoryDefinition[];

/** Schemas of the categories whose value is a plain (non-secret) settings value. */
export const CATEGORY_SCHEMAS = {
  custom_properties: customPropertiesSchema,
  pipeline_stages: pipelineStagesSchema,
  company_details: companyDetailsSchema,
  meeting_titles: meetingTitlesSchema,
  alternate_domains: alternateDomainsSchema,
  partnership_domains: partnershipDomainsSchema,
  task_settings: taskSettingsSchema,
  email_templates: emailTemplatesSchema,
  advanced_settings: advancedSettingsSchema,
} as const satisfies Record<Exclude<CategoryKey, 'crm_keys'>, z.ZodType>;

export type ValueCategoryKey = keyof typeof CATEGORY_SCHEMAS;
export type CategoryValue<K extends ValueCategoryKey> = z.output<(typeof CATEGORY_SCHEMAS)[K]>;
export type DocumentCategoryKey = Exclude<
  ValueCategoryKey,
  'custom_properties' | 'pipeline_stages'
>;

export const DOCUMENT_CATEGORY_KEYS = CATEGORIES.filter((c) => c.storage === 'document').map(
  (c) => c.key,
) as DocumentCategoryKey[];

export function isCategoryKey(value: string): value is CategoryKey {
  return (CATEGORY_KEYS as readonly string[]).includes(value);
}

export function categoryDefinition(key: CategoryKey): CategoryDefinition {
  const found = CATEGORIES.find((c) => c.key === key);
  if (!found) throw new Error(`unknown category ${key}`);
  return found;
}

/** A category's default value: what a category the user never set reads as (SPEC §2). */
export function defaultValueOf<K extends ValueCategoryKey>(key: K): CategoryValue<K> {
  return CATEGORY_SCHEMAS[key].parse({}) as CategoryValue<K>;
}

export type ParseResult<T> =
  { ok: true; value: T } | { ok: false; message: string; errors: FieldProblem[] };

/** Validates a category value, returning sentences a person can read on failure, per field. */
export function parseCategoryValue<K extends ValueCategoryKey>(
  key: K,
  input: unknown,
): ParseResult<CategoryValue<K>> {
  const result = CATEGORY_SCHEMAS[key].safeParse(input);
  if (result.success) return { ok: true, value: result.data as CategoryValue<K> };
  const errors = describeCategoryIssues(key, result.error.issues, input);
  return { ok: false, message: asSentences(errors), errors };
}

/**
 * A category's issues in the console's words ("Default due date must be 365 days or fewer"):
 * what the API answers and what the forms show, from the same labels (settings-field-labels.ts).
 */
export function describeCategoryIssues(
  key: CategoryKey,
  issues: readonly z.core.$ZodIssue[],
  input?: unknown,
): FieldProblem[] {
  return describeIssues(issues, {
    fields: SETTINGS_FIELD_LABELS[key],
    root: categoryDefinition(key).label,
    input,
  });
}

/**
 * "Probability of stage 1 must be between 0 and 100. …", in a category's words when given. Give
 * the input too: without it a missing field whose schema words its own message is not told from
 * a wrong one.
 */
export function formatZodError(error: z.ZodError, key?: CategoryKey, input?: unknown): string {
  return asSentences(
    key
      ? describeCategoryIssues(key, error.issues, input)
      : describeIssues(error.issues, { input }),
  );
}

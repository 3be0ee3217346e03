import { z } from 'zod';
import { CRM_KEYS, CRM_LABELS } from '#src/domain/crm.ts';

/**
 * Zod schemas for the ten dashboard settings categories (SPEC §2, "content (minimum)").
 * The same schemas validate the database seed, the API and (later) the web forms.
 * Every schema parses `{}` into a complete value with sane defaults: the category's default
 * value. Objects are strict (ADR 0005): a misspelt field is an error naming it, not silently
 * dropped — `"ownerPropery": true` must not store an ordinary property.
 *
 * A message written here is a predicate of its field, in lower case ("must be between 0 and
 * 100"): issue-messages.ts puts the field's label in front ("Probability of stage 2 must be …")
 * and words zod's own issues (too big, missing, unknown key) the same way.
 */

const trimmed = (max: number) => z.string().trim().max(max);
const requiredText = (max: number) => z.string().trim().min(1).max(max);

/** A DNS domain such as `acme.com` (lower-cased). Rejects URLs, e-mail addresses and spaces. */
export const domainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.[a-z]{2,63}$/,
    'must be a domain name such as example.com',
  );

/** A list of domains: validated, lower-cased, de-duplicated (SPEC §2 alternate/partnership domains). */
const domainListSchema = z
  .strictObject({
    domains: z.array(domainSchema).max(500).default([]),
  })
  .transform((value) => ({ domains: [...new Set(value.domains)] }));

// --- custom_properties -------------------------------------------------------------------------

export const CRM_OBJECTS = ['deal', 'contact', 'company'] as const;
export const PROPERTY_TYPES = ['string', 'number', 'date', 'bool', 'enumeration'] as const;

export const propertyOptionSchema = z.strictObject({
  label: requiredText(200),
  value: requiredText(200),
});

export const customPropertySchema = z
  .strictObject({
    crm: z.enum(CRM_KEYS),
    object: z.enum(CRM_OBJECTS),
    name: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z][A-Za-z0-9_]{0,99}$/,
        'must start with a letter and use letters, digits or _',
      ),
    label: requiredText(200),
    type: z.enum(PROPERTY_TYPES),
    options: z.array(propertyOptionSchema).max(1000).default([]),
    /** An owner property records the user's own CRM owner; it is never copied by a sync (SPEC §2). */
    ownerProperty: z.boolean().default(false),
  })
  .superRefine((property, ctx) => {
    if (property.type !== 'enumeration' && property.options.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: 'can only be set on an enumeration property',
      });
    }
    const seen = new Set<string>();
    for (const [index, option] of property.options.entries()) {
      if (seen.has(option.value)) {
        ctx.addIssue({
          code: 'custom',
          path: ['options', index, 'value'],
          message: `must be unique: another option has the value "${option.value}"`,
        });
      }
      seen.add(option.value);
    }
  });

export const customPropertiesSchema = z
  .strictObject({ properties: z.array(customPropertySchema).max(2000).default([]) })
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    for (const [index, property] of value.properties.entries()) {
      const key = `${property.crm}/${property.object}/${property.name}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['properties', index, 'name'],
          message: `must be unique: another ${CRM_LABELS[property.crm]} ${property.object} property is named "${property.name}"`,
        });
      }
      seen.add(key);
    }
  });

// --- pipeline_stages ---------------------------------------------------------------------------

export const pipelineStageSchema = z.strictObject({
  /** Stable identity across dashboards: stage sync merges by it (SPEC §2). */
  internalId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'must be 1–100 letters, digits, _ . : or -'),
  name: requiredText(120),
  order: z.number().int().min(0).max(10_000),
  probability: z
    .number()
    .int()
    .min(0, 'must be between 0 and 100')
    .max(100, 'must be between 0 and 100'),
  /** The stage's id in each CRM, e.g. `{ hubspot: 'appointmentscheduled' }`. */
  crmStageMappings: z.partialRecord(z.enum(CRM_KEYS), requiredText(200)).default({}),
  /** True when the stage came from an admin's sync rather than the user's own setup. */
  synced: z.boolean().default(false),
});

/** Salesforce record type ids are 15- or 18-character ids with the RecordType key prefix 012. */
export const salesforceRecordTypeIdSchema = z
  .string()
  .regex(/^012[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/, 'must be a Salesforce RecordType id (012…)');

export const salesforceRecordTypeSchema = z.strictObject({
  recordTypeId: salesforceRecordTypeIdSchema,
  name: requiredText(120),
  developerName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'must be a Salesforce developer name'),
  /** internalIds of the pipeline stages available under this record type. */
  stageInternalIds: z.array(z.string().min(1)).max(200).default([]),
  isActive: z.boolean().default(true),
});

export const pipelineStagesSchema = z
  .strictObject({
    stages: z.array(pipelineStageSchema).max(500).default([]),
    salesforceRecordTypes: z.array(salesforceRecordTypeSchema).max(200).default([]),
  })
  .superRefine((value, ctx) => {
    const ids = new Set<string>();
    for (const [index, stage] of value.stages.entries()) {
      if (ids.has(stage.internalId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', index, 'internalId'],
          message: `must be unique: another stage has the internal ID "${stage.internalId}"`,
        });
      }
      ids.add(stage.internalId);
    }
    const recordTypes = new Set<string>();
    for (const [index, recordType] of value.salesforceRecordTypes.entries()) {
      if (recordTypes.has(recordType.recordTypeId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['salesforceRecordTypes', index, 'recordTypeId'],
          message: `must be unique: another record type has the ID ${recordType.recordTypeId}`,
        });
      }
      recordTypes.add(recordType.recordTypeId);
      for (const [stageIndex, stageId] of recordType.stageInternalIds.entries()) {
        if (!ids.has(stageId)) {
          ctx.addIssue({
            code: 'custom',
            path: ['salesforceRecordTypes', index, 'stageInternalIds', stageIndex],
            message: `must name one of the stages; no stage has the internal ID "${stageId}"`,
          });
        }
      }
    }
  });

// --- company_details ---------------------------------------------------------------------------

export const companyDetailsSchema = z.strictObject({
  companyName: trimmed(200).default(''),
  website: z
    .union([z.literal(''), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })])
    .default(''),
  description: trimmed(4000).default(''),
  industry: trimmed(120).default(''),
  valueProposition: trimmed(4000).default(''),
  competitors: z.array(requiredText(200)).max(100).default([]),
});

// --- meeting_titles ----------------------------------------------------------------------------

/** Placeholders a meeting title template may use. */
export const MEETING_TITLE_PLACEHOLDERS = [
  'company',
  'contact_name',
  'rep_name',
  'meeting_type',
  'deal_name',
  'date',
] as const;
export const MEETING_TYPES = [
  'discovery',
  'demo',
  'follow_up',
  'negotiation',
  'onboarding',
  'other',
] as const;

/** How the console names each meeting type (one list for every place that shows them). */
export const MEETING_TYPE_LABELS: Record<(typeof MEETING_TYPES)[number], string> = {
  discovery: 'Discovery',
  demo: 'Demo',
  follow_up: 'Follow-up',
  negotiation: 'Negotiation',
  onboarding: 'Onboarding',
  other: 'Other',
};

const placeholderPattern = /\{\{\s*([^}]*?)\s*\}\}/g;

export const meetingTitleTemplateSchema = z
  .strictObject({
    id: requiredText(100),
    title: requiredText(300),
    appliesTo: z
      .strictObject({
        meetingTypes: z.array(z.enum(MEETING_TYPES)).max(MEETING_TYPES.length).default([]),
        externalOnly: z.boolean().default(true),
        minAttendees: z.number().int().min(1).max(500).default(1),
      })
      .default({ meetingTypes: [], externalOnly: true, minAttendees: 1 }),
  })
  .superRefine((template, ctx) => {
    for (const match of template.title.matchAll(placeholderPattern)) {
      const name = match[1] ?? '';
      if (!(MEETING_TITLE_PLACEHOLDERS as readonly string[]).includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['title'],
          message: `uses an unknown placeholder {{${name}}}; use one of ${MEETING_TITLE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
        });
      }
    }
  });

/** Templates are ordered: the first whose rules match a meeting names it. */
export const meetingTitlesSchema = z
  .strictObject({ templates: z.array(meetingTitleTemplateSchema).max(100).default([]) })
  .superRefine((value, ctx) => {
    const ids = new Set<string>();
    for (const [index, template] of value.templates.entries()) {
      if (ids.has(template.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['templates', index, 'id'],
          message: `must be unique: another meeting title has the ID "${template.id}"`,
        });
      }
      ids.add(template.id);
    }
  });

// --- alternate_domains / partnership_domains ---------------------------------------------------

export const alternateDomainsSchema = domainListSchema;
export const partnershipDomainsSchema = domainListSchema;

// --- task_settings -----------------------------------------------------------------------------

export const TASK_PRIORITIES = ['low', 'medium', 'high'] as const;
export const TASK_ASSIGNMENTS = ['record_owner', 'meeting_host', 'self'] as const;

export const taskSettingsSchema = z.strictObject({
  defaultDueOffsetDays: z.number().int().min(0).max(365).default(2),
  defaultPriority: z.enum(TASK_PRIORITIES).default('medium'),
  autoCreateFollowUps: z.boolean().default(true),
  assignment: z.enum(TASK_ASSIGNMENTS).default('record_owner'),
  /** The CRM queue new tasks go to; null = the CRM's default. */
  crmTaskQueue: trimmed(200)
    .nullable()
    .default(null)
    .transform((v) => (v === '' ? null : v)),
});

// --- email_templates ---------------------------------------------------------------------------

export const TEMPLATE_KINDS = ['email', 'slack', 'crm_note'] as const;

export const messageTemplateSchema = z
  .strictObject({
    id: requiredText(100),
    kind: z.enum(TEMPLATE_KINDS),
    name: requiredText(200),
    /** Email templates only. */
    subject: trimmed(300)
      .nullable()
      .default(null)
      .transform((v) => (v === '' ? null : v)),
    body: requiredText(20_000),
  })
  .superRefine((template, ctx) => {
    if (template.kind === 'email' && !template.subject) {
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: 'is required for an email template',
      });
    }
    if (template.kind !== 'email' && template.subject) {
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: 'must be empty: only email templates have a subject',
      });
    }
  });

/** The guide's "email, Slack, and CRM note templates". */
export const emailTemplatesSchema = z
  .strictObject({ templates: z.array(messageTemplateSchema).max(500).default([]) })
  .superRefine((value, ctx) => {
    const ids = new Set<string>();
    for (const [index, template] of value.templates.entries()) {
      if (ids.has(template.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['templates', index, 'id'],
          message: `must be unique: another template has the ID "${template.id}"`,
        });
      }
      ids.add(template.id);
    }
  });

// --- advanced_settings -------------------------------------------------------------------------

export const NOTIFICATION_CHANNELS = ['email', 'slack', 'in_app'] as const;

export const advancedSettingsSchema = z.strictObject({
  /** The guide's "context notifications": a briefing before a meeting. */
  contextNotifications: z
    .strictObject({
      enabled: z.boolean().default(true),
      channels: z
        .array(z.enum(NOTIFICATION_CHANNELS))
        .max(3)
        .default(['email'])
        .transform((channels) => [...new Set(channels)]),
      minutesBefore: z.number().int().min(0).max(1440).default(30),
    })
    .default({ enabled: true, channels: ['email'], minutesBefore: 30 }),
  /** "related toggles". */
  autoLogMeetings: z.boolean().default(true),
  autoCreateContacts: z.boolean().default(false),
  includeInternalMeetings: z.boolean().default(false),
  weeklyDigest: z.boolean().default(true),
});

// --- crm_keys ----------------------------------------------------------------------------------

const secretString = z.string().trim().min(8, 'looks too short to be a CRM key').max(4096);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** CRM endpoints: https, or plain http only on this machine (the local CRM emulators). */
const httpsOrLoopbackUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .refine((value) => {
    if (!URL.canParse(value)) return true; // already reported by z.url()
    const url = new URL(value);
    return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
  }, 'must use https (plain http is allowed only for 127.0.0.1 or localhost)');

/**
 * One CRM connection: `secrets` are encrypted at rest and never leave the service layer
 * (SPEC §7); `instance` is the non-secret data the connector needs (instance URL, data centre…).
 */
export const crmCredentialsSchema = z.discriminatedUnion('crm', [
  z.strictObject({
    crm: z.literal('hubspot'),
    secrets: z.strictObject({ accessToken: secretString, refreshToken: secretString.optional() }),
    instance: z
      .strictObject({ portalId: z.string().regex(/^\d+$/, 'must be digits only').optional() })
      .default({}),
  }),
  z.strictObject({
    crm: z.literal('salesforce'),
    secrets: z.strictObject({ accessToken: secretString, refreshToken: secretString.optional() }),
    instance: z.strictObject({ instanceUrl: httpsOrLoopbackUrl }),
  }),
  z.strictObject({
    crm: z.literal('zoho'),
    secrets: z.strictObject({ accessToken: secretString, refreshToken: secretString.optional() }),
    instance: z.strictObject({ apiDomain: httpsOrLoopbackUrl }),
  }),
  z.strictObject({
    crm: z.literal('attio'),
    secrets: z.strictObject({ accessToken: secretString }),
    instance: z.strictObject({ workspaceSlug: z.string().optional() }).default({}),
  }),
  z.strictObject({
    crm: z.literal('pipedrive'),
    // An API token (x-api-token header), or an OAuth access token (Bearer) from "Connect Pipedrive".
    secrets: z.union([
      z.strictObject({ apiToken: secretString }),
      z.strictObject({ accessToken: secretString, refreshToken: secretString.optional() }),
    ]),
    instance: z.strictObject({ apiDomain: httpsOrLoopbackUrl.optional() }).default({}),
  }),
]);
export type CrmCredentials = z.infer<typeof crmCredentialsSchema>;

/** The secret whose last 4 characters the masked view shows. */
export function primarySecretOf(credentials: CrmCredentials): string {
  const secrets = credentials.secrets;
  return 'apiToken' in secrets ? secrets.apiToken : secrets.accessToken;
}

import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import { CRM_KEYS } from '#src/domain/crm.ts';
import { TASK_PRIORITIES, TEMPLATE_KINDS } from '#src/domain/settings/settings.schema.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import { insertUserWithDashboard, type SettingsInput } from '#tests/factories/dashboard.factory.ts';
import { insertOrganization, makeUser } from '#tests/factories/organization.factory.ts';
import {
  HUBSPOT_KEY,
  keyring,
  MEMBER_PIPEDRIVE_KEY,
  SALESFORCE_KEY,
} from '#tests/integration/sync/fixtures.ts';

/** How many items each list category holds on the source (the admin's dashboard). */
export interface ListSizes {
  customProperties: number;
  stages: number;
  recordTypes: number;
  emailTemplates: number;
  meetingTitles: number;
  alternateDomains: number;
  partnershipDomains: number;
}

/** The schema's maximum per list (settings.schema.ts): a bigger list cannot be stored. */
export const SCHEMA_MAXIMA: ListSizes = {
  customProperties: 2000,
  stages: 500,
  recordTypes: 200,
  emailTemplates: 500,
  meetingTitles: 100,
  alternateDomains: 500,
  partnershipDomains: 500,
};

/** `n` items per list, or the schema's maximum where that is lower. */
export function uniformSizes(n: number): ListSizes {
  const sizes = { ...SCHEMA_MAXIMA };
  for (const key of Object.keys(sizes) as (keyof ListSizes)[]) {
    sizes[key] = Math.min(n, SCHEMA_MAXIMA[key]);
  }
  return sizes;
}

export function describeSizes(s: ListSizes): string {
  return (
    `${s.customProperties} properties, ${s.stages} stages, ${s.recordTypes} record types, ` +
    `${s.emailTemplates} templates, ${s.meetingTitles} meeting titles, ` +
    `${s.alternateDomains}+${s.partnershipDomains} domains`
  );
}

const OBJECTS = ['deal', 'contact', 'company'] as const;
const SCALAR_TYPES = ['string', 'number', 'date', 'bool'] as const;
const MEETING_TYPES = ['discovery', 'demo', 'follow_up'] as const;

function property(i: number, labelPrefix: string) {
  const enumeration = i % 4 === 0;
  return {
    crm: CRM_KEYS[i % CRM_KEYS.length],
    object: OBJECTS[i % OBJECTS.length],
    name: `prop_${i}`,
    label: `${labelPrefix} ${i}`,
    type: enumeration ? 'enumeration' : SCALAR_TYPES[i % SCALAR_TYPES.length],
    options: enumeration
      ? Array.from({ length: 5 }, (_, o) => ({ label: `Option ${o}`, value: `opt_${o}` }))
      : [],
  };
}

function ownerProperty(ownerId: string) {
  return {
    crm: 'hubspot',
    object: 'deal',
    name: 'assistant_owner',
    label: 'Assistant owner',
    type: 'enumeration',
    options: [{ label: 'Owner', value: ownerId }],
    ownerProperty: true,
  };
}

function stage(i: number, name: string) {
  return {
    internalId: `stage.${i}`,
    name: `${name} ${i}`,
    order: i,
    probability: i % 101,
    crmStageMappings: { hubspot: `hs_stage_${i}`, salesforce: `Stage ${i}` },
  };
}

const BODY =
  'Hi {{first_name}},\n\nThanks for your time today. As promised, here is a short summary of ' +
  'what we discussed, the next steps we agreed on and the material I mentioned. Let me know if ' +
  'anything is missing or if you would like to bring someone else from your team into the next ' +
  'call; happy to adapt the agenda.\n\nBest,\n{{rep_name}}';

function template(i: number) {
  const kind = TEMPLATE_KINDS[i % TEMPLATE_KINDS.length] ?? 'email';
  return {
    id: `tpl-${i}`,
    kind,
    name: `Template ${i}`,
    ...(kind === 'email' ? { subject: `Follow-up ${i}` } : {}),
    body: BODY,
  };
}

/** The admin's dashboard: every category set, lists of the given sizes. */
export function sourceSettings(s: ListSizes): SettingsInput {
  return {
    custom_properties: {
      properties: [
        ownerProperty('900'),
        ...Array.from({ length: s.customProperties }, (_, i) => property(i, 'Property')),
      ],
    },
    pipeline_stages: {
      stages: Array.from({ length: s.stages }, (_, i) => stage(i, 'Stage')),
      salesforceRecordTypes: Array.from({ length: s.recordTypes }, (_, i) => ({
        recordTypeId: `012${String(i).padStart(12, '0')}`,
        name: `Record type ${i}`,
        developerName: `Record_Type_${i}`,
        stageInternalIds: Array.from({ length: Math.min(s.stages, 5) }, (_, k) => `stage.${k}`),
      })),
    },
    company_details: {
      companyName: 'Acme',
      website: 'https://acme.test',
      description: 'We make everything.',
      industry: 'Software',
      competitors: ['Globex', 'Initech', 'Umbrella'],
    },
    meeting_titles: {
      templates: Array.from({ length: s.meetingTitles }, (_, i) => ({
        id: `mt-${i}`,
        title: `{{company}} <> Acme: {{meeting_type}} #${i}`,
        appliesTo: { meetingTypes: [MEETING_TYPES[i % MEETING_TYPES.length]], minAttendees: 2 },
      })),
    },
    alternate_domains: {
      domains: Array.from({ length: s.alternateDomains }, (_, i) => `alt${i}.acme.com`),
    },
    partnership_domains: {
      domains: Array.from({ length: s.partnershipDomains }, (_, i) => `partner${i}.example.org`),
    },
    task_settings: { defaultDueOffsetDays: 3, defaultPriority: TASK_PRIORITIES[2] },
    email_templates: { templates: Array.from({ length: s.emailTemplates }, (_, i) => template(i)) },
    advanced_settings: {
      contextNotifications: { enabled: true, channels: ['slack', 'email'], minutesBefore: 15 },
      weeklyDigest: false,
    },
  };
}

/**
 * The member's dashboard before the first sync: every category set, with an owner property of
 * their own, half the admin's properties and stages under other labels, properties the sync will
 * remove, and stages of their own it keeps.
 */
export function targetSettings(s: ListSizes): SettingsInput {
  const half = (n: number) => Math.floor(n / 2);
  const extra = (n: number) => Math.max(1, Math.floor(n / 10));
  return {
    custom_properties: {
      properties: [
        ownerProperty('901'),
        ...Array.from({ length: half(s.customProperties) }, (_, i) => property(i, 'Mine')),
        ...Array.from({ length: extra(s.customProperties) }, (_, i) => ({
          ...property(i, 'Old'),
          name: `old_prop_${i}`,
        })),
      ],
    },
    pipeline_stages: {
      stages: [
        ...Array.from({ length: half(s.stages) }, (_, i) => stage(i, 'My stage')),
        ...Array.from(
          { length: Math.min(extra(s.stages), SCHEMA_MAXIMA.stages - s.stages) },
          (_, i) => ({
            ...stage(10_000 - i, 'Own stage'),
            internalId: `own.${i}`,
          }),
        ),
      ],
      salesforceRecordTypes: [],
    },
    company_details: { companyName: 'Acme (mine)', description: 'My notes' },
    meeting_titles: { templates: [{ id: 'mine', title: '{{company}}: {{date}}' }] },
    alternate_domains: { domains: ['old.example'] },
    partnership_domains: { domains: [] },
    task_settings: { defaultDueOffsetDays: 7 },
    email_templates: {
      templates: [{ id: 'my-template', kind: 'slack', name: 'Ping', body: 'ping' }],
    },
    advanced_settings: { weeklyDigest: true },
  };
}

export interface SyncPair {
  organizationId: string;
  adminId: string;
  memberId: string;
}

/**
 * An organization with an admin (the source: `sizes`, HubSpot and Salesforce keys, so record
 * types are synced too) and a member (the target: its own values and a Pipedrive key).
 */
export async function insertSyncPair(uow: UnitOfWork, sizes: ListSizes): Promise<SyncPair> {
  const { organizationId } = await insertOrganization(uow);
  const admin = await insertUserWithDashboard(uow, keyring, organizationId, {
    role: 'admin',
    settings: sourceSettings(sizes),
    crm: [HUBSPOT_KEY, SALESFORCE_KEY],
  });
  const member = await insertUserWithDashboard(uow, keyring, organizationId, {
    settings: targetSettings(sizes),
    crm: [MEMBER_PIPEDRIVE_KEY],
  });
  return { organizationId, adminId: admin.id, memberId: member.id };
}

/**
 * `count` members with empty dashboards, in two statements (users, then dashboards), for the
 * throughput run. Returns their ids.
 */
export async function insertMembers(
  db: Kysely<DB>,
  uow: UnitOfWork,
  organizationId: string,
  count: number,
): Promise<string[]> {
  const users = await uow.transaction((repos) =>
    repos.users.insertMany(Array.from({ length: count }, () => makeUser(organizationId))),
  );
  await sql`insert into dashboards (user_id, organization_id)
    select id, organization_id from users where id = any(${users.map((u) => u.id)}::uuid[])`.execute(
    db,
  );
  return users.map((u) => u.id);
}

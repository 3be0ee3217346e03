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

function template(i: number, tag = '') {
  const kind = TEMPLATE_KINDS[i % TEMPLATE_KINDS.length] ?? 'email';
  return {
    id: `tpl-${i}`,
    kind,
    name: `Template${tag} ${i}`,
    ...(kind === 'email' ? { subject: `Follow-up ${i}` } : {}),
    body: BODY,
  };
}

/**
 * Two versions of the admin's dashboard that differ in every item of every category but CRM
 * keys: a sync from one to a target holding the other rewrites every row and document, which is
 * what the floor does on every call.
 */
export type Variant = 'a' | 'b';

/** The text that tells the variants apart, in labels and names (the SQL inserts use it too). */
export function variantTag(variant: Variant): string {
  return variant === 'a' ? '' : ' (b)';
}

/** The admin's dashboard: every category set, lists of the given sizes. */
export function sourceSettings(s: ListSizes, variant: Variant = 'a'): SettingsInput {
  const tag = variantTag(variant);
  return {
    custom_properties: {
      properties: [
        ownerProperty('900'),
        ...Array.from({ length: s.customProperties }, (_, i) => property(i, `Property${tag}`)),
      ],
    },
    pipeline_stages: {
      stages: Array.from({ length: s.stages }, (_, i) => stage(i, `Stage${tag}`)),
      salesforceRecordTypes: Array.from({ length: s.recordTypes }, (_, i) => ({
        recordTypeId: `012${String(i).padStart(12, '0')}`,
        name: `Record type${tag} ${i}`,
        developerName: `Record_Type_${i}`,
        stageInternalIds: Array.from({ length: Math.min(s.stages, 5) }, (_, k) => `stage.${k}`),
      })),
    },
    company_details: {
      companyName: `Acme${tag}`,
      website: 'https://acme.test',
      description: `We make everything${tag}.`,
      industry: 'Software',
      competitors: ['Globex', 'Initech', 'Umbrella'],
    },
    meeting_titles: {
      templates: Array.from({ length: s.meetingTitles }, (_, i) => ({
        id: `mt-${i}`,
        title: `{{company}} <> Acme: {{meeting_type}} #${i}${tag}`,
        appliesTo: { meetingTypes: [MEETING_TYPES[i % MEETING_TYPES.length]], minAttendees: 2 },
      })),
    },
    alternate_domains: {
      domains: Array.from({ length: s.alternateDomains }, (_, i) => `alt${i}${variant}.acme.com`),
    },
    partnership_domains: {
      domains: Array.from(
        { length: s.partnershipDomains },
        (_, i) => `partner${i}${variant}.example.org`,
      ),
    },
    task_settings: {
      defaultDueOffsetDays: variant === 'a' ? 3 : 4,
      defaultPriority: TASK_PRIORITIES[2],
    },
    email_templates: {
      templates: Array.from({ length: s.emailTemplates }, (_, i) => template(i, tag)),
    },
    advanced_settings: {
      contextNotifications: {
        enabled: true,
        channels: ['slack', 'email'],
        minutesBefore: variant === 'a' ? 15 : 30,
      },
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
 * What a timed round works on: two admins holding the two variants of the source (same CRM
 * keys), and two members that start alike, one synced by the service and one copied by the
 * floor, each from the same variant in the same round.
 */
export interface SyncSet {
  organizationId: string;
  sources: Record<Variant, string>;
  syncTarget: string;
  floorTarget: string;
  /** Items per row list (custom properties, stages, record types) on the sources. */
  rowItems: { customProperties: number; stages: number; recordTypes: number };
}

/**
 * A SyncSet. Without `rowsBySql`, every category goes through the settings store (validated,
 * within the schema's caps). With `rowsBySql: n`, the documents still do (at `sizes`, which the
 * caps bound), but custom properties, stages and record types are inserted set-based in SQL,
 * `n` of each per source (bypassing the caps), shaped as sourceSettings / targetSettings
 * shape them.
 */
export async function insertSyncSet(
  uow: UnitOfWork,
  db: Kysely<DB>,
  sizes: ListSizes,
  rowsBySql?: number,
): Promise<SyncSet> {
  const { organizationId } = await insertOrganization(uow);
  const withoutRows = (settings: SettingsInput): SettingsInput => {
    if (rowsBySql === undefined) return settings;
    const documents = { ...settings };
    delete documents.custom_properties;
    delete documents.pipeline_stages;
    return documents;
  };
  const source = async (variant: Variant) => {
    const admin = await insertUserWithDashboard(uow, keyring, organizationId, {
      role: 'admin',
      settings: withoutRows(sourceSettings(sizes, variant)),
      crm: [HUBSPOT_KEY, SALESFORCE_KEY],
    });
    if (rowsBySql !== undefined) await insertSourceRows(db, admin.id, variant, rowsBySql);
    return admin.id;
  };
  const target = async () => {
    const member = await insertUserWithDashboard(uow, keyring, organizationId, {
      settings: withoutRows(targetSettings(sizes)),
      crm: [MEMBER_PIPEDRIVE_KEY],
    });
    if (rowsBySql !== undefined) await insertTargetRows(db, member.id, rowsBySql);
    return member.id;
  };
  const sources = { a: await source('a'), b: await source('b') };
  const syncTarget = await target();
  const floorTarget = await target();
  if (rowsBySql !== undefined) await sql`analyze`.execute(db);
  return {
    organizationId,
    sources,
    syncTarget,
    floorTarget,
    rowItems:
      rowsBySql === undefined
        ? {
            customProperties: sizes.customProperties,
            stages: sizes.stages,
            recordTypes: sizes.recordTypes,
          }
        : { customProperties: rowsBySql, stages: rowsBySql, recordTypes: rowsBySql },
  };
}

/** An admin who has never set any category and has no CRM keys (SPEC §2: defaults are copied). */
export async function insertNeverSetSource(
  uow: UnitOfWork,
  organizationId: string,
): Promise<string> {
  const admin = await insertUserWithDashboard(uow, keyring, organizationId, { role: 'admin' });
  return admin.id;
}

const OPTIONS_JSON = JSON.stringify(
  Array.from({ length: 5 }, (_, o) => ({ label: `Option ${o}`, value: `opt_${o}` })),
);

/** A source's three row lists, `n` rows each, as `sourceSettings` shapes them (the owner first). */
async function insertSourceRows(
  db: Kysely<DB>,
  userId: string,
  variant: Variant,
  n: number,
): Promise<void> {
  const tag = variantTag(variant);
  await db.transaction().execute(async (trx) => {
    await sql`
      insert into custom_properties
        (user_id, crm, object, name, label, type, options, owner_property, position)
      select ${userId}::uuid, 'hubspot', 'deal', 'assistant_owner', 'Assistant owner',
             'enumeration', ${JSON.stringify([{ label: 'Owner', value: '900' }])}::jsonb, true, 0
      union all
      select ${userId}::uuid, (${[...CRM_KEYS]}::text[])[1 + i % ${CRM_KEYS.length}],
             (${[...OBJECTS]}::text[])[1 + i % ${OBJECTS.length}], 'prop_' || i,
             ${`Property${tag} `} || i,
             case when i % 4 = 0 then 'enumeration'
                  else (${[...SCALAR_TYPES]}::text[])[1 + i % ${SCALAR_TYPES.length}] end,
             case when i % 4 = 0 then ${OPTIONS_JSON}::jsonb else '[]'::jsonb end, false, i + 1
      from generate_series(0, ${n - 1}) as i`.execute(trx);
    await sql`
      insert into pipeline_stages
        (user_id, internal_id, name, position, probability, crm_stage_mappings, synced)
      select ${userId}::uuid, 'stage.' || i, ${`Stage${tag} `} || i, i, i % 101,
             jsonb_build_object('hubspot', 'hs_stage_' || i, 'salesforce', 'Stage ' || i), false
      from generate_series(0, ${n - 1}) as i`.execute(trx);
    const stageIds = Array.from({ length: Math.min(n, 5) }, (_, k) => `stage.${k}`);
    await sql`
      insert into salesforce_record_types
        (user_id, record_type_id, name, developer_name, stage_internal_ids, is_active, position)
      select ${userId}::uuid, '012' || lpad(i::text, 12, '0'), ${`Record type${tag} `} || i,
             'Record_Type_' || i, ${JSON.stringify(stageIds)}::jsonb, true, i
      from generate_series(0, ${n - 1}) as i`.execute(trx);
    await markRowCategoriesSet(trx, userId);
  });
}

/**
 * A target's row lists for `n` source items, as `targetSettings` shapes them: its own owner
 * property, half the source's properties and stages under other labels, a tenth more properties
 * the sync removes and a tenth more stages of its own it keeps; no record types.
 */
async function insertTargetRows(db: Kysely<DB>, userId: string, n: number): Promise<void> {
  const half = Math.floor(n / 2);
  const extra = Math.max(1, Math.floor(n / 10));
  await db.transaction().execute(async (trx) => {
    await sql`
      insert into custom_properties
        (user_id, crm, object, name, label, type, options, owner_property, position)
      select ${userId}::uuid, 'hubspot', 'deal', 'assistant_owner', 'Assistant owner',
             'enumeration', ${JSON.stringify([{ label: 'Owner', value: '901' }])}::jsonb, true, 0
      union all
      select ${userId}::uuid, (${[...CRM_KEYS]}::text[])[1 + i % ${CRM_KEYS.length}],
             (${[...OBJECTS]}::text[])[1 + i % ${OBJECTS.length}],
             case when k = 0 then 'prop_' else 'old_prop_' end || i,
             case when k = 0 then 'Mine ' else 'Old ' end || i,
             case when i % 4 = 0 then 'enumeration'
                  else (${[...SCALAR_TYPES]}::text[])[1 + i % ${SCALAR_TYPES.length}] end,
             case when i % 4 = 0 then ${OPTIONS_JSON}::jsonb else '[]'::jsonb end, false,
             1 + i + k * ${half}
      from (select i, 0 as k from generate_series(0, ${half - 1}) as i
            union all select i, 1 from generate_series(0, ${extra - 1}) as i) as items`.execute(
      trx,
    );
    await sql`
      insert into pipeline_stages
        (user_id, internal_id, name, position, probability, crm_stage_mappings, synced)
      select ${userId}::uuid, 'stage.' || i, 'My stage ' || i, i, i % 101,
             jsonb_build_object('hubspot', 'hs_stage_' || i, 'salesforce', 'Stage ' || i), false
      from generate_series(0, ${half - 1}) as i
      union all
      select ${userId}::uuid, 'own.' || i, 'Own stage ' || i, ${10 * n} - i, i % 101,
             '{}'::jsonb, false
      from generate_series(0, ${extra - 1}) as i`.execute(trx);
    await markRowCategoriesSet(trx, userId);
  });
}

async function markRowCategoriesSet(db: Kysely<DB>, userId: string): Promise<void> {
  await sql`
    insert into dashboard_settings (user_id, category, document)
    values (${userId}::uuid, 'custom_properties', null), (${userId}::uuid, 'pipeline_stages', null)
    on conflict (user_id, category) do nothing`.execute(db);
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

import type { SettingsInput } from '#tests/factories/dashboard.factory.ts';

const ADMIN: SettingsInput = {
  custom_properties: {
    properties: [
      {
        crm: 'hubspot',
        object: 'deal',
        name: 'assistant_owner',
        label: 'Assistant owner',
        type: 'enumeration',
        options: [{ label: 'Ada Admin', value: '900' }],
        ownerProperty: true,
      },
      {
        crm: 'hubspot',
        object: 'deal',
        name: 'deal_source',
        label: 'Deal source',
        type: 'enumeration',
        options: [
          { label: 'Inbound', value: 'inbound' },
          { label: 'Outbound', value: 'outbound' },
        ],
      },
      {
        crm: 'salesforce',
        object: 'contact',
        name: 'Persona__c',
        label: 'Persona',
        type: 'string',
      },
    ],
  },
  pipeline_stages: {
    stages: [
      {
        internalId: 'stage.discovery',
        name: 'Discovery',
        order: 0,
        probability: 10,
        crmStageMappings: { hubspot: 'appointmentscheduled' },
      },
      { internalId: 'stage.demo', name: 'Demo', order: 1, probability: 30 },
      { internalId: 'stage.won', name: 'Closed won', order: 9, probability: 100 },
    ],
    salesforceRecordTypes: [
      {
        recordTypeId: '012000000000001AAA',
        name: 'New Business',
        developerName: 'New_Business',
        stageInternalIds: ['stage.discovery', 'stage.demo'],
      },
    ],
  },
  company_details: {
    companyName: 'Acme',
    website: 'https://acme.test',
    industry: 'Software',
    competitors: ['Globex'],
  },
  meeting_titles: { templates: [{ id: 'm1', title: '{{company}} <> Acme: {{meeting_type}}' }] },
  alternate_domains: { domains: ['acme.io', 'acme-corp.com'] },
  partnership_domains: { domains: ['partner.example'] },
  task_settings: { defaultDueOffsetDays: 3, defaultPriority: 'high' },
  email_templates: {
    templates: [
      {
        id: 'admin-follow-up',
        kind: 'email',
        name: 'Follow-up',
        subject: 'Next steps',
        body: 'Hi {{first_name}}',
      },
    ],
  },
  advanced_settings: {
    contextNotifications: { enabled: true, channels: ['slack'], minutesBefore: 15 },
    weeklyDigest: false,
  },
};

const MEMBER: SettingsInput = {
  custom_properties: {
    properties: [
      {
        crm: 'hubspot',
        object: 'deal',
        name: 'assistant_owner',
        label: 'Assistant owner',
        type: 'enumeration',
        options: [{ label: 'Mo Member', value: '901' }],
        ownerProperty: true,
      },
      { crm: 'hubspot', object: 'deal', name: 'old_field', label: 'Old field', type: 'string' },
      {
        crm: 'hubspot',
        object: 'deal',
        name: 'deal_source',
        label: 'Source (mine)',
        type: 'string',
      },
    ],
  },
  pipeline_stages: {
    stages: [
      { internalId: 'stage.discovery', name: 'Intro call', order: 0, probability: 5 },
      { internalId: 'stage.pilot', name: 'Pilot', order: 5, probability: 60 },
    ],
    salesforceRecordTypes: [],
  },
  company_details: { companyName: 'Acme (mine)', description: 'My notes' },
  alternate_domains: { domains: ['old.example'] },
  email_templates: {
    templates: [{ id: 'my-template', kind: 'slack', name: 'Ping', body: 'ping' }],
  },
  task_settings: { defaultDueOffsetDays: 7 },
};

/**
 * Dashboards for Sync Settings to User (SPEC §2): an admin's (the usual source) and a member's
 * that differs from it in every category, with an owner property on each side, a stage both
 * share by internal ID, a stage of the member's own, Salesforce record types on the admin's
 * only, and Email templates on both. `overrides` replace whole categories.
 */
export function makeAdminSettings(overrides: SettingsInput = {}): SettingsInput {
  return { ...structuredClone(ADMIN), ...overrides };
}

/** A member's dashboard that differs from `makeAdminSettings()` in every category it sets. */
export function makeMemberSettings(overrides: SettingsInput = {}): SettingsInput {
  return { ...structuredClone(MEMBER), ...overrides };
}

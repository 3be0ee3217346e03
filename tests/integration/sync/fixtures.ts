import { randomBytes } from 'node:crypto';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import type { SettingsInput } from '#tests/factories/dashboard.factory.ts';

export const keyring = createKeyring(randomBytes(32));

export const ADMIN_SETTINGS: SettingsInput = {
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

export const MEMBER_SETTINGS: SettingsInput = {
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

export const HUBSPOT_KEY: CrmCredentials = {
  crm: 'hubspot',
  secrets: { accessToken: 'pat-na1-admin-0000-1111-2222-333344445555' },
  instance: {},
};
export const SALESFORCE_KEY: CrmCredentials = {
  crm: 'salesforce',
  secrets: { accessToken: '00Dadmin!sessiontoken-abcdefghijkl' },
  instance: { instanceUrl: 'http://127.0.0.1:4102' },
};
export const MEMBER_PIPEDRIVE_KEY: CrmCredentials = {
  crm: 'pipedrive',
  secrets: { apiToken: 'member-pipedrive-token-0123456789' },
  instance: {},
};

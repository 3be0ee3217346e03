import { CRM_KEYS, CRM_LABELS } from '#src/domain/crm.ts';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import type { FieldLabels } from '#src/domain/settings/issue-messages.ts';

/**
 * Every settings field as the console names it, for the sentences of issue-messages.ts
 * ("Default due date must be 365 days or fewer"): the forms' own labels, without their
 * "(days)" hints, which become the `unit`. Paths are the category value's, list indices `*`;
 * `{1}`, `{2}` are positions counted from 1 ("Name of stage {1}" → "Name of stage 3").
 */

/** A domain is named by what was typed, so a person finds the line: “not a domain”. */
const domainLabel = ({ value, positions }: { value: unknown; positions: readonly number[] }) =>
  typeof value === 'string' && value.length > 0 && value.length <= 100
    ? `“${value}”`
    : `Domain ${positions[0] ?? ''}`.trim();

const DOMAIN_LIST: FieldLabels = {
  domains: { label: 'Domains', items: 'domains' },
  'domains.*': { label: domainLabel },
};

const STAGE_MAPPINGS: FieldLabels = Object.fromEntries(
  CRM_KEYS.map((crm) => [
    `stages.*.crmStageMappings.${crm}`,
    `${CRM_LABELS[crm]} stage of stage {1}`,
  ]),
);

export const SETTINGS_FIELD_LABELS: Record<CategoryKey, FieldLabels> = {
  custom_properties: {
    properties: { label: 'Custom properties', items: 'properties' },
    'properties.*': 'Custom property {1}',
    'properties.*.crm': 'CRM of custom property {1}',
    'properties.*.object': 'Object of custom property {1}',
    'properties.*.name': 'Name of custom property {1}',
    'properties.*.label': 'Label of custom property {1}',
    'properties.*.type': 'Type of custom property {1}',
    'properties.*.options': { label: 'Options of custom property {1}', items: 'options' },
    'properties.*.options.*': 'Option {2} of custom property {1}',
    'properties.*.options.*.label': 'Label of option {2} of custom property {1}',
    'properties.*.options.*.value': 'Value of option {2} of custom property {1}',
    'properties.*.ownerProperty': '“Owner property” of custom property {1}',
  },
  pipeline_stages: {
    stages: { label: 'Pipeline stages', items: 'stages' },
    'stages.*': 'Stage {1}',
    'stages.*.internalId': 'Internal ID of stage {1}',
    'stages.*.name': 'Name of stage {1}',
    'stages.*.order': 'Order of stage {1}',
    'stages.*.probability': 'Probability of stage {1}',
    'stages.*.crmStageMappings': 'CRM stages of stage {1}',
    ...STAGE_MAPPINGS,
    'stages.*.synced': '“Synced” of stage {1}',
    salesforceRecordTypes: { label: 'Salesforce record types', items: 'record types' },
    'salesforceRecordTypes.*': 'Salesforce record type {1}',
    'salesforceRecordTypes.*.recordTypeId': 'ID of Salesforce record type {1}',
    'salesforceRecordTypes.*.name': 'Name of Salesforce record type {1}',
    'salesforceRecordTypes.*.developerName': 'Developer name of Salesforce record type {1}',
    'salesforceRecordTypes.*.stageInternalIds': {
      label: 'Stages of Salesforce record type {1}',
      items: 'stages',
    },
    'salesforceRecordTypes.*.stageInternalIds.*': 'Stage {2} of Salesforce record type {1}',
    'salesforceRecordTypes.*.isActive': '“Active” of Salesforce record type {1}',
  },
  company_details: {
    companyName: 'Company name',
    website: 'Website',
    description: 'Description',
    industry: 'Industry',
    valueProposition: 'Value proposition',
    competitors: { label: 'Competitors', items: 'competitors' },
    'competitors.*': 'Competitor {1}',
  },
  meeting_titles: {
    templates: { label: 'Meeting titles', items: 'templates' },
    'templates.*': 'Meeting title {1}',
    'templates.*.id': 'ID of meeting title {1}',
    'templates.*.title': 'Meeting title {1}',
    'templates.*.appliesTo': 'Rules of meeting title {1}',
    'templates.*.appliesTo.meetingTypes': {
      label: 'Meeting types of meeting title {1}',
      items: 'meeting types',
    },
    'templates.*.appliesTo.meetingTypes.*': 'Meeting type {2} of meeting title {1}',
    'templates.*.appliesTo.externalOnly': '“External meetings only” of meeting title {1}',
    'templates.*.appliesTo.minAttendees': {
      label: 'Minimum attendees of meeting title {1}',
      unit: 'attendees',
    },
  },
  alternate_domains: DOMAIN_LIST,
  partnership_domains: DOMAIN_LIST,
  task_settings: {
    defaultDueOffsetDays: { label: 'Default due date', unit: 'days' },
    defaultPriority: 'Default priority',
    autoCreateFollowUps: '“Create follow-up tasks automatically”',
    assignment: 'Assign tasks to',
    crmTaskQueue: 'CRM task queue',
  },
  crm_keys: {
    crm: 'CRM',
    secrets: 'Keys',
    'secrets.accessToken': 'Access token',
    'secrets.refreshToken': 'Refresh token',
    'secrets.apiToken': 'API token',
    instance: 'Connection details',
    'instance.portalId': 'Portal ID',
    'instance.instanceUrl': 'Instance URL',
    'instance.apiDomain': 'API domain',
    'instance.workspaceSlug': 'Workspace slug',
  },
  email_templates: {
    templates: { label: 'Email templates', items: 'templates' },
    'templates.*': 'Template {1}',
    'templates.*.id': 'ID of template {1}',
    'templates.*.kind': 'Kind of template {1}',
    'templates.*.name': 'Name of template {1}',
    'templates.*.subject': 'Subject of template {1}',
    'templates.*.body': 'Body of template {1}',
  },
  advanced_settings: {
    contextNotifications: 'Context notifications',
    'contextNotifications.enabled': '“Send context notifications”',
    'contextNotifications.channels': { label: 'Channels', items: 'channels' },
    'contextNotifications.channels.*': 'Channel {1}',
    'contextNotifications.minutesBefore': { label: 'Minutes before the meeting', unit: 'minutes' },
    autoLogMeetings: '“Log meetings to the CRM automatically”',
    autoCreateContacts: '“Create CRM contacts automatically”',
    includeInternalMeetings: '“Include internal meetings”',
    weeklyDigest: '“Weekly digest”',
  },
};

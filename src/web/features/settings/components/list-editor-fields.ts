import { CRM_KEYS, CRM_LABELS } from '#src/domain/crm.ts';
import type { CategoryValue } from '#src/domain/settings/categories.ts';
import {
  MEETING_TITLE_PLACEHOLDERS,
  MEETING_TYPE_LABELS,
  MEETING_TYPES,
} from '#src/domain/settings/settings.schema.ts';
import type {
  Choice,
  ListCategoryConfig,
  ListField,
  ListItem,
} from '#src/web/features/settings/components/list-editor.tsx';

/**
 * The four list categories as the list editor shows them (issue 14 §5): each item's fields, what
 * an item is called (as the validation messages count them: "Name of stage 3") and a new item.
 * Fields not listed here (a stage's `synced` mark) are kept as stored; the advanced JSON view
 * edits everything.
 */

export type ListCategoryKey =
  'custom_properties' | 'pipeline_stages' | 'meeting_titles' | 'email_templates';

type ItemOf<K extends ListCategoryKey> = {
  custom_properties: CategoryValue<'custom_properties'>['properties'][number];
  pipeline_stages: CategoryValue<'pipeline_stages'>['stages'][number];
  meeting_titles: CategoryValue<'meeting_titles'>['templates'][number];
  email_templates: CategoryValue<'email_templates'>['templates'][number];
}[K];

/** The first `prefix1`, `prefix2`… no item uses yet: new items get an ID that saves. */
function unusedId(items: readonly ListItem[], field: string, prefix: string): string {
  const used = new Set(items.map((item) => item[field]));
  let n = 1;
  while (used.has(`${prefix}${n}`)) n += 1;
  return `${prefix}${n}`;
}

type RecordType = CategoryValue<'pipeline_stages'>['salesforceRecordTypes'][number];

const newItem =
  <K extends ListCategoryKey>(make: (items: readonly ListItem[]) => ItemOf<K>) =>
  (items: readonly ListItem[]): ListItem =>
    make(items);

const CRM_CHOICES: Choice[] = CRM_KEYS.map((crm) => ({ value: crm, label: CRM_LABELS[crm] }));

export const LIST_CATEGORIES: Record<ListCategoryKey, ListCategoryConfig> = {
  custom_properties: {
    categoryKey: 'custom_properties',
    listKey: 'properties',
    noun: 'Custom property',
    namePath: 'label',
    addLabel: 'Add custom property',
    emptyTitle: 'No custom properties yet.',
    fields: [
      { path: 'label', label: 'Label', control: { type: 'text' } },
      {
        path: 'name',
        label: 'Name',
        hint: 'The property’s internal name in the CRM: letters, digits or _.',
        control: { type: 'text' },
      },
      { path: 'crm', label: 'CRM', control: { type: 'select', options: CRM_CHOICES } },
      {
        path: 'object',
        label: 'Object',
        control: {
          type: 'select',
          options: [
            { value: 'deal', label: 'Deal' },
            { value: 'contact', label: 'Contact' },
            { value: 'company', label: 'Company' },
          ],
        },
      },
      {
        path: 'type',
        label: 'Type',
        control: {
          type: 'select',
          options: [
            { value: 'string', label: 'Text' },
            { value: 'number', label: 'Number' },
            { value: 'date', label: 'Date' },
            { value: 'bool', label: 'Yes or no' },
            { value: 'enumeration', label: 'Pick list (enumeration)' },
          ],
        },
      },
      {
        path: 'options',
        label: 'Options',
        hint: 'Pick lists only. One option per line: Label = value (a label alone is its own value).',
        control: { type: 'options' },
      },
      {
        path: 'ownerProperty',
        label: 'Owner property',
        control: {
          type: 'checkbox',
          description: 'Records your own CRM owner: a sync never copies it.',
        },
      },
    ],
    newItem: newItem<'custom_properties'>(() => ({
      crm: 'hubspot',
      object: 'deal',
      name: '',
      label: '',
      type: 'string',
      options: [],
      ownerProperty: false,
    })),
  },
  pipeline_stages: {
    categoryKey: 'pipeline_stages',
    listKey: 'stages',
    noun: 'Stage',
    namePath: 'name',
    addLabel: 'Add stage',
    emptyTitle: 'No pipeline stages yet.',
    fields: [
      { path: 'name', label: 'Name', control: { type: 'text' } },
      {
        path: 'internalId',
        label: 'Internal ID',
        hint: 'Stays the same across dashboards: a sync merges stages by it.',
        control: { type: 'text' },
      },
      {
        path: 'probability',
        label: 'Probability (%)',
        control: { type: 'number', min: 0, max: 100 },
      },
      // The stage's id in each CRM (`crmStageMappings`): blank where the CRM has no such stage.
      ...CRM_KEYS.map((crm): ListField => ({
        path: `crmStageMappings.${crm}`,
        label: `${CRM_LABELS[crm]} stage ID`,
        ...(crm === CRM_KEYS[0]
          ? { hint: 'The stage’s ID in each CRM; leave blank where a CRM has no such stage.' }
          : {}),
        control: { type: 'text', optional: true },
      })),
    ],
    badges: (item) => (item.synced === true ? ['Synced'] : []),
    // The list's order is the pipeline's: a stage's `order` is its position.
    arrange: (items) => items.map((item, index) => ({ ...item, order: index })),
    newItem: newItem<'pipeline_stages'>((items) => ({
      internalId: unusedId(items, 'internalId', 'stage.custom_'),
      name: '',
      order: items.length,
      probability: 0,
      crmStageMappings: {},
      synced: false,
    })),
    more: [
      {
        heading: 'Salesforce record types',
        listKey: 'salesforceRecordTypes',
        noun: 'Record type',
        namePath: 'name',
        addLabel: 'Add record type',
        emptyTitle: 'No Salesforce record types.',
        fields: [
          { path: 'name', label: 'Name', control: { type: 'text' } },
          {
            path: 'recordTypeId',
            label: 'Record type ID',
            hint: 'Its Salesforce ID: 15 or 18 letters and digits, starting with 012.',
            control: { type: 'text' },
          },
          { path: 'developerName', label: 'Developer name', control: { type: 'text' } },
          {
            path: 'stageInternalIds',
            label: 'Stages (internal IDs)',
            hint: 'The stages this record type offers: one internal ID a line, as in the stages above.',
            control: { type: 'lines', rows: 4 },
          },
          { path: 'isActive', label: 'Active', control: { type: 'checkbox' } },
        ],
        newItem: (): RecordType => ({
          recordTypeId: '',
          name: '',
          developerName: '',
          stageInternalIds: [],
          isActive: true,
        }),
      },
    ],
  },
  meeting_titles: {
    categoryKey: 'meeting_titles',
    listKey: 'templates',
    noun: 'Meeting title',
    namePath: 'title',
    addLabel: 'Add meeting title',
    emptyTitle: 'No meeting title templates yet.',
    fields: [
      {
        path: 'title',
        label: 'Title',
        hint: `Placeholders: ${MEETING_TITLE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}. The first template whose rules match a meeting names it.`,
        control: { type: 'text' },
        wide: true,
      },
      { path: 'id', label: 'ID', control: { type: 'text' } },
      {
        path: 'appliesTo.minAttendees',
        label: 'Minimum attendees',
        control: { type: 'number', min: 1, max: 500 },
      },
      {
        path: 'appliesTo.externalOnly',
        label: 'External meetings only',
        control: { type: 'checkbox' },
      },
      {
        path: 'appliesTo.meetingTypes',
        label: 'Meeting types',
        hint: 'None ticked: every meeting type.',
        control: {
          type: 'checkboxes',
          options: MEETING_TYPES.map((type) => ({ value: type, label: MEETING_TYPE_LABELS[type] })),
        },
      },
    ],
    newItem: newItem<'meeting_titles'>((items) => ({
      id: unusedId(items, 'id', 'title_'),
      title: '',
      appliesTo: { meetingTypes: [], externalOnly: true, minAttendees: 1 },
    })),
  },
  email_templates: {
    categoryKey: 'email_templates',
    listKey: 'templates',
    noun: 'Template',
    namePath: 'name',
    addLabel: 'Add template',
    emptyTitle: 'No templates yet.',
    fields: [
      { path: 'name', label: 'Name', control: { type: 'text' } },
      {
        path: 'kind',
        label: 'Kind',
        control: {
          type: 'select',
          options: [
            { value: 'email', label: 'Email' },
            { value: 'slack', label: 'Slack' },
            { value: 'crm_note', label: 'CRM note' },
          ],
        },
      },
      { path: 'id', label: 'ID', control: { type: 'text' } },
      {
        path: 'subject',
        label: 'Subject',
        hint: 'Email templates only.',
        control: { type: 'text' },
        wide: true,
      },
      { path: 'body', label: 'Body', control: { type: 'textarea', rows: 6 } },
    ],
    newItem: newItem<'email_templates'>((items) => ({
      id: unusedId(items, 'id', 'template_'),
      kind: 'email',
      name: '',
      subject: '',
      body: '',
    })),
  },
};

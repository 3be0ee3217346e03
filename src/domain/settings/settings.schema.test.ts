import { describe, expect, it } from 'vitest';
import {
  CATEGORY_SCHEMAS,
  defaultValueOf,
  formatZodError,
  parseCategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { crmCredentialsSchema } from '#src/domain/settings/settings.schema.ts';

const VALUE_CATEGORY_KEYS = Object.keys(CATEGORY_SCHEMAS) as ValueCategoryKey[];

/** The message of a rejected value; fails the test if the value was accepted. */
function rejectionOf(key: ValueCategoryKey, input: unknown): string {
  return problemsOf(key, input).message;
}

/** The message and per-field errors of a rejected value. */
function problemsOf(key: ValueCategoryKey, input: unknown) {
  const result = parseCategoryValue(key, input);
  if (result.ok) throw new Error(`${key} accepted ${JSON.stringify(input)}`);
  return result;
}

function acceptedValue<K extends ValueCategoryKey>(key: K, input: unknown) {
  const result = parseCategoryValue(key, input);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

const stage = (internalId: string, order: number, probability = 50) => ({
  internalId,
  name: `Stage ${internalId}`,
  order,
  probability,
});

const PROPERTY = {
  crm: 'hubspot',
  object: 'deal',
  name: 'deal_source',
  label: 'Deal source',
  type: 'string',
};

/**
 * One malformed value per category, the field path it is reported at, and the sentence it reads
 * as: the field named as the console names it (settings-field-labels.ts), never zod's own text.
 */
const MALFORMED: Record<ValueCategoryKey, { input: unknown; path: string; message: string }> = {
  custom_properties: {
    input: {
      properties: [
        { crm: 'hubspot', object: 'deal', name: '1st_owner', label: 'X', type: 'string' },
      ],
    },
    path: 'properties.0.name',
    message: 'Name of custom property 1 must start with a letter and use letters, digits or _',
  },
  pipeline_stages: {
    input: { stages: [stage('stage.discovery', 0, 150)] },
    path: 'stages.0.probability',
    message: 'Probability of stage 1 must be between 0 and 100',
  },
  company_details: {
    input: { website: 'ftp://acme.test' },
    path: 'website',
    message: 'Website must be an http(s) URL',
  },
  meeting_titles: {
    input: { templates: [{ id: 'mt.1', title: '' }] },
    path: 'templates.0.title',
    message: 'Meeting title 1 is required',
  },
  alternate_domains: {
    input: { domains: ['acme.com', 'not a domain'] },
    path: 'domains.1',
    message: '“not a domain” must be a domain name such as example.com',
  },
  partnership_domains: {
    input: { domains: ['https://partner.example'] },
    path: 'domains.0',
    message: '“https://partner.example” must be a domain name such as example.com',
  },
  task_settings: {
    input: { defaultDueOffsetDays: -1 },
    path: 'defaultDueOffsetDays',
    message: 'Default due date must not be negative',
  },
  email_templates: {
    input: { templates: [{ id: 't1', kind: 'fax', name: 'Fax', body: 'Hello' }] },
    path: 'templates.0.kind',
    message: 'Kind of template 1 must be one of "email", "slack" or "crm_note"',
  },
  advanced_settings: {
    input: { contextNotifications: { minutesBefore: 2000 } },
    path: 'contextNotifications.minutesBefore',
    message: 'Minutes before the meeting must be 1,440 minutes or fewer',
  },
};

describe.each(VALUE_CATEGORY_KEYS)('%s', (key) => {
  it('its default value (defaultValueOf) parses, to itself', () => {
    const defaultValue = defaultValueOf(key);
    expect(acceptedValue(key, defaultValue)).toEqual(defaultValue);
  });

  it('a malformed value is rejected with a sentence naming the field, reported at its path', () => {
    const { input, path, message } = MALFORMED[key];
    expect(problemsOf(key, input)).toEqual({
      ok: false,
      message: `${message}.`,
      errors: [{ path, message }],
    });
  });
});

/**
 * ADR 0005: every object of every category is strict. Per category, a misspelt key at each level
 * of its value, the path it is reported at ('' = the value itself) and how that place is named.
 */
const UNKNOWN_KEYS: Record<
  ValueCategoryKey,
  { input: unknown; path: string; key: string; label: string }[]
> = {
  custom_properties: [
    { input: { propertys: [] }, path: '', key: 'propertys', label: 'Custom properties' },
    {
      input: { properties: [{ ...PROPERTY, ownerPropery: true }] },
      path: 'properties.0',
      label: 'Custom property 1',
      key: 'ownerPropery',
    },
    {
      input: {
        properties: [
          {
            ...PROPERTY,
            type: 'enumeration',
            options: [{ label: 'A', value: 'a', colour: 'red' }],
          },
        ],
      },
      path: 'properties.0.options.0',
      label: 'Option 1 of custom property 1',
      key: 'colour',
    },
  ],
  pipeline_stages: [
    { input: { stage: [] }, path: '', key: 'stage', label: 'Pipeline stages' },
    {
      input: { stages: [{ ...stage('stage.demo', 0), probabilty: 10 }] },
      path: 'stages.0',
      label: 'Stage 1',
      key: 'probabilty',
    },
    {
      input: { stages: [{ ...stage('stage.demo', 0), crmStageMappings: { husbpot: 'demo' } }] },
      path: 'stages.0.crmStageMappings',
      label: 'CRM stages of stage 1',
      key: 'husbpot',
    },
    {
      input: {
        salesforceRecordTypes: [
          {
            recordTypeId: '012000000000001AAA',
            name: 'New Business',
            developerName: 'New_Business',
            active: true,
          },
        ],
      },
      path: 'salesforceRecordTypes.0',
      label: 'Salesforce record type 1',
      key: 'active',
    },
  ],
  company_details: [
    { input: { companyNmae: 'Acme' }, path: '', key: 'companyNmae', label: 'Company details' },
  ],
  meeting_titles: [
    { input: { template: [] }, path: '', key: 'template', label: 'Meeting titles' },
    {
      input: { templates: [{ id: 'mt.1', title: '{{company}}', applies: {} }] },
      path: 'templates.0',
      key: 'applies',
      label: 'Meeting title 1',
    },
    {
      input: { templates: [{ id: 'mt.1', title: '{{company}}', appliesTo: { meetingType: [] } }] },
      path: 'templates.0.appliesTo',
      label: 'Rules of meeting title 1',
      key: 'meetingType',
    },
  ],
  alternate_domains: [
    { input: { domain: ['acme.com'] }, path: '', key: 'domain', label: 'Alternate domains' },
  ],
  partnership_domains: [
    {
      input: { partners: ['partner.example'] },
      path: '',
      key: 'partners',
      label: 'Partnership domains',
    },
  ],
  task_settings: [
    { input: { defaultPriorty: 'low' }, path: '', key: 'defaultPriorty', label: 'Task settings' },
  ],
  email_templates: [
    { input: { template: [] }, path: '', key: 'template', label: 'Email templates' },
    {
      input: { templates: [{ id: 't1', kind: 'slack', name: 'Alert', body: 'Hi', subjct: 'x' }] },
      path: 'templates.0',
      key: 'subjct',
      label: 'Template 1',
    },
  ],
  advanced_settings: [
    { input: { weeklyDigests: false }, path: '', key: 'weeklyDigests', label: 'Advanced settings' },
    {
      input: { contextNotifications: { enable: false } },
      path: 'contextNotifications',
      key: 'enable',
      label: 'Context notifications',
    },
  ],
};

describe.each(VALUE_CATEGORY_KEYS)('strict objects: %s', (key) => {
  it(`${key} refuses an unknown key and names it, where it is`, () => {
    for (const { input, path, key: unknown, label } of UNKNOWN_KEYS[key]) {
      const message = `${label} has an unknown field ${JSON.stringify(unknown)}`;
      expect(problemsOf(key, input)).toEqual({
        ok: false,
        message: `${message}.`,
        errors: [{ path, message }],
      });
    }
  });
});

describe('strict objects: the unknown-field message', () => {
  it('custom_properties refuses "ownerPropery" rather than storing an ordinary property', () => {
    const result = parseCategoryValue('custom_properties', {
      properties: [{ ...PROPERTY, ownerPropery: true }],
    });
    expect(result).toEqual({
      ok: false,
      message: 'Custom property 1 has an unknown field "ownerPropery".',
      errors: [
        { path: 'properties.0', message: 'Custom property 1 has an unknown field "ownerPropery"' },
      ],
    });
  });

  it('a key longer than 64 characters is named by its first 64', () => {
    const long = `${'k'.repeat(64)}${'x'.repeat(10_000)}`;
    const message = rejectionOf('company_details', { [long]: 1 });
    expect(message).toBe(`Company details has an unknown field "${'k'.repeat(64)}"….`);
  });

  it('a key is cut by characters, never inside a surrogate pair', () => {
    const long = '\u{1F600}'.repeat(100);
    const message = rejectionOf('task_settings', { [long]: 1 });
    expect(message).toBe(`Task settings has an unknown field "${'\u{1F600}'.repeat(64)}"….`);
  });

  it('several unknown keys are named, the first five, and the rest counted', () => {
    const input = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => [k, 1]));
    expect(rejectionOf('advanced_settings', input)).toBe(
      'Advanced settings has unknown fields "a", "b", "c", "d", "e" and 2 more.',
    );
    expect(rejectionOf('advanced_settings', { a: 1, b: 2 })).toBe(
      'Advanced settings has unknown fields "a", "b".',
    );
  });
});

describe('pipeline_stages', () => {
  it('probability 150 is rejected with a message naming Pipeline stages and probability', () => {
    const message = rejectionOf('pipeline_stages', { stages: [stage('stage.discovery', 0, 150)] });
    expect(message).toBe('Probability of stage 1 must be between 0 and 100.');
  });

  it('duplicate stage internalIds are rejected', () => {
    const message = rejectionOf('pipeline_stages', {
      stages: [stage('stage.discovery', 0), stage('stage.demo', 1), stage('stage.discovery', 2)],
    });
    expect(message).toBe(
      'Internal ID of stage 3 must be unique: another stage has the internal ID "stage.discovery".',
    );
  });

  it('an unknown CRM in a stage mapping is rejected', () => {
    const message = rejectionOf('pipeline_stages', {
      stages: [{ ...stage('stage.demo', 0), crmStageMappings: { dynamics: 'demo' } }],
    });
    expect(message).toBe('CRM stages of stage 1 has an unknown field "dynamics".');
  });

  it.each(['012000000000001AAA', '0125g00000ABcDe'])(
    'Salesforce record type id %s (18 or 15 characters, prefix 012) is accepted',
    (recordTypeId) => {
      const value = acceptedValue('pipeline_stages', {
        salesforceRecordTypes: [
          { recordTypeId, name: 'New Business', developerName: 'New_Business' },
        ],
      });
      expect(value.salesforceRecordTypes[0]?.recordTypeId).toBe(recordTypeId);
    },
  );

  it.each(['005000000000001AAA', '012000000000001A', '012-00000000001AAA'])(
    'Salesforce record type id %s is rejected',
    (recordTypeId) => {
      const message = rejectionOf('pipeline_stages', {
        salesforceRecordTypes: [
          { recordTypeId, name: 'New Business', developerName: 'New_Business' },
        ],
      });
      expect(message).toBe(
        'ID of Salesforce record type 1 must be a Salesforce RecordType id (012…).',
      );
    },
  );

  it('duplicate Salesforce record types are rejected', () => {
    const recordType = {
      recordTypeId: '012000000000001AAA',
      name: 'New Business',
      developerName: 'New_Business',
    };
    const message = rejectionOf('pipeline_stages', {
      salesforceRecordTypes: [recordType, recordType],
    });
    expect(message).toBe(
      'ID of Salesforce record type 2 must be unique: another record type has the ID 012000000000001AAA.',
    );
  });
});

describe('alternate_domains and partnership_domains', () => {
  it('alternate domains are lower-cased and de-duplicated', () => {
    const value = acceptedValue('alternate_domains', {
      domains: ['Acme.COM', 'acme.com', ' acme.io ', 'ACME.io', 'acme-labs.co.uk'],
    });
    expect(value.domains).toEqual(['acme.com', 'acme.io', 'acme-labs.co.uk']);
  });

  it('partnership domains are lower-cased and de-duplicated too', () => {
    const value = acceptedValue('partnership_domains', {
      domains: ['Partner.Example', 'partner.example'],
    });
    expect(value.domains).toEqual(['partner.example']);
  });

  it.each([
    'acme',
    'http://acme.com',
    'user@acme.com',
    'acme .com',
    '-acme.com',
    'acme-.com',
    'acme..com',
    'acme.com/path',
    'acme.c',
    '',
  ])('invalid domain %j is rejected', (domain) => {
    for (const key of ['alternate_domains', 'partnership_domains'] as const) {
      const { errors } = problemsOf(key, { domains: [domain] });
      expect(errors).toEqual([
        {
          path: 'domains.0',
          message: `${domain === '' ? 'Domain 1' : `“${domain}”`} must be a domain name such as example.com`,
        },
      ]);
    }
  });
});

describe('email_templates', () => {
  it('an email template without subject is rejected', () => {
    const message = rejectionOf('email_templates', {
      templates: [
        { id: 't1', kind: 'email', name: 'Follow-up', body: 'Hi {{contact_first_name}}' },
      ],
    });
    expect(message).toBe('Subject of template 1 is required for an email template.');
  });

  it('a Slack template with a subject is rejected', () => {
    const message = rejectionOf('email_templates', {
      templates: [{ id: 't1', kind: 'slack', name: 'Alert', subject: 'Hi', body: 'Deal won' }],
    });
    expect(message).toBe(
      'Subject of template 1 must be empty: only email templates have a subject.',
    );
  });

  it('email, Slack and CRM-note templates are accepted; subject defaults to null', () => {
    const value = acceptedValue('email_templates', {
      templates: [
        { id: 't1', kind: 'email', name: 'Follow-up', subject: 'Thanks', body: 'Hi' },
        { id: 't2', kind: 'slack', name: 'Alert', body: 'Deal won' },
        { id: 't3', kind: 'crm_note', name: 'Notes', body: 'Met {{company}}' },
      ],
    });
    expect(value.templates.map((t) => [t.kind, t.subject])).toEqual([
      ['email', 'Thanks'],
      ['slack', null],
      ['crm_note', null],
    ]);
  });

  it('duplicate template ids are rejected', () => {
    const template = { id: 't1', kind: 'slack', name: 'Alert', body: 'Deal won' };
    expect(rejectionOf('email_templates', { templates: [template, template] })).toContain(
      'ID of template 2 must be unique: another template has the ID "t1".',
    );
  });
});

describe('meeting_titles', () => {
  it('an unknown meeting-title placeholder is rejected', () => {
    const message = rejectionOf('meeting_titles', {
      templates: [{ id: 'mt.1', title: '{{company}} <> {{customer}}' }],
    });
    expect(message).toBe(
      'Meeting title 1 uses an unknown placeholder {{customer}}; use one of {{company}}, {{contact_name}}, {{rep_name}}, {{meeting_type}}, {{deal_name}}, {{date}}.',
    );
  });

  it('every allowed placeholder is accepted, and appliesTo gets its defaults', () => {
    const value = acceptedValue('meeting_titles', {
      templates: [
        {
          id: 'mt.1',
          title:
            '{{company}} {{ contact_name }} {{rep_name}} {{meeting_type}} {{deal_name}} {{date}}',
        },
      ],
    });
    expect(value.templates[0]?.appliesTo).toEqual({
      meetingTypes: [],
      externalOnly: true,
      minAttendees: 1,
    });
  });
});

describe('custom_properties', () => {
  const property = {
    crm: 'hubspot',
    object: 'deal',
    name: 'deal_source',
    label: 'Deal source',
    type: 'string',
  };

  it('a duplicate custom property (same CRM, object and name) is rejected', () => {
    const message = rejectionOf('custom_properties', {
      properties: [property, { ...property, label: 'Source' }],
    });
    expect(message).toBe(
      'Name of custom property 2 must be unique: another HubSpot deal property is named "deal_source".',
    );
  });

  it('the same name on another object or CRM is not a duplicate', () => {
    const value = acceptedValue('custom_properties', {
      properties: [property, { ...property, object: 'contact' }, { ...property, crm: 'zoho' }],
    });
    expect(value.properties).toHaveLength(3);
  });

  it('a non-enumeration property with options is rejected', () => {
    const message = rejectionOf('custom_properties', {
      properties: [{ ...property, options: [{ label: 'Inbound', value: 'inbound' }] }],
    });
    expect(message).toBe(
      'Options of custom property 1 can only be set on an enumeration property.',
    );
  });

  it('duplicate option values are rejected', () => {
    const message = rejectionOf('custom_properties', {
      properties: [
        {
          ...property,
          type: 'enumeration',
          options: [
            { label: 'Inbound', value: 'inbound' },
            { label: 'Inbound (web)', value: 'inbound' },
          ],
        },
      ],
    });
    expect(message).toBe(
      'Value of option 2 of custom property 1 must be unique: another option has the value "inbound".',
    );
  });

  it('ownerProperty defaults to false', () => {
    const value = acceptedValue('custom_properties', { properties: [property] });
    expect(value.properties[0]?.ownerProperty).toBe(false);
  });
});

describe('crmCredentialsSchema (CRM keys)', () => {
  /** The same sentences parseCategoryValue gives the value categories, in CRM keys' words. */
  function crmKeysRejection(input: unknown): string {
    const result = crmCredentialsSchema.safeParse(input);
    if (result.success) throw new Error(`crm_keys accepted ${JSON.stringify(input)}`);
    return formatZodError(result.error, 'crm_keys', input);
  }

  it.each([
    { crm: 'hubspot', secrets: { accessToken: 'pat-na1-0123456789' } },
    {
      crm: 'salesforce',
      secrets: { accessToken: '00D000000000001!token' },
      instance: { instanceUrl: 'https://acme.my.salesforce.com' },
    },
    {
      crm: 'zoho',
      secrets: { accessToken: '1000.0123456789' },
      instance: { apiDomain: 'https://www.zohoapis.eu' },
    },
    { crm: 'attio', secrets: { accessToken: 'attio-0123456789' } },
    { crm: 'pipedrive', secrets: { apiToken: '0123456789abcdef' } },
  ])('a minimal $crm connection parses (its default value)', (input) => {
    const result = crmCredentialsSchema.safeParse(input);
    expect(result.success, result.success ? '' : formatZodError(result.error)).toBe(true);
  });

  it('a malformed connection is rejected with a sentence per field, named as the dialog names it', () => {
    const message = crmKeysRejection({
      crm: 'salesforce',
      secrets: { accessToken: 'short' },
      instance: { instanceUrl: 'not a url' },
    });
    expect(message).toBe(
      'Access token looks too short to be a CRM key. Instance URL must be an http(s) URL.',
    );
  });

  it('a missing field is required, whatever the schema says of a wrong one', () => {
    expect(
      crmKeysRejection({ crm: 'salesforce', secrets: { accessToken: '00D0000000001!x' } }),
    ).toBe('Connection details is required.');
    expect(
      crmKeysRejection({
        crm: 'salesforce',
        secrets: { accessToken: '00D0000000001!x' },
        instance: {},
      }),
    ).toBe('Instance URL is required.');
  });

  it('an unknown CRM is rejected, naming the CRMs there are', () => {
    expect(crmKeysRejection({ crm: 'dynamics', secrets: { accessToken: '0123456789' } })).toBe(
      'CRM must be one of "hubspot", "salesforce", "zoho", "attio" or "pipedrive".',
    );
  });

  it('crm_keys refuses an unknown key and names it', () => {
    const hubspot = { crm: 'hubspot', secrets: { accessToken: 'pat-na1-0123456789' } };
    expect(crmKeysRejection({ ...hubspot, portalId: '123' })).toBe(
      'CRM keys has an unknown field "portalId".',
    );
    expect(
      crmKeysRejection({ ...hubspot, secrets: { ...hubspot.secrets, refresh_token: 'x' } }),
    ).toBe('Keys has an unknown field "refresh_token".');
    expect(crmKeysRejection({ ...hubspot, instance: { portalID: '123' } })).toBe(
      'Connection details has an unknown field "portalID".',
    );
  });

  it('a Pipedrive connection is an API token or an OAuth access token, never both or neither', () => {
    expect(
      crmCredentialsSchema.safeParse({
        crm: 'pipedrive',
        secrets: { apiToken: '0123456789abcdef' },
      }).success,
    ).toBe(true);
    expect(
      crmCredentialsSchema.safeParse({
        crm: 'pipedrive',
        secrets: { accessToken: '0123456789abcdef', refreshToken: 'fedcba9876543210' },
      }).success,
    ).toBe(true);
    expect(
      crmKeysRejection({
        crm: 'pipedrive',
        secrets: { apiToken: '0123456789abcdef', accessToken: '0123456789abcdef' },
      }),
    ).toBe('Keys has an unknown field "accessToken".');
    expect(crmKeysRejection({ crm: 'pipedrive', secrets: {} })).toBe(
      'Either API token or Access token is required.',
    );
  });
});

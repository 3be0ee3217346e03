import { describe, expect, it } from 'vitest';
import {
  CATEGORY_SCHEMAS,
  categoryDefinition,
  defaultValueOf,
  formatZodError,
  parseCategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { crmCredentialsSchema } from '#src/domain/settings/settings.schema.ts';

const VALUE_CATEGORY_KEYS = Object.keys(CATEGORY_SCHEMAS) as ValueCategoryKey[];

/** The message of a rejected value; fails the test if the value was accepted. */
function rejectionOf(key: ValueCategoryKey, input: unknown): string {
  const result = parseCategoryValue(key, input);
  if (result.ok) throw new Error(`${key} accepted ${JSON.stringify(input)}`);
  return result.message;
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

/** One malformed value per category and the field path its message must name. */
const MALFORMED: Record<ValueCategoryKey, { input: unknown; path: string }> = {
  custom_properties: {
    input: {
      properties: [
        { crm: 'hubspot', object: 'deal', name: '1st_owner', label: 'X', type: 'string' },
      ],
    },
    path: 'properties.0.name',
  },
  pipeline_stages: {
    input: { stages: [stage('stage.discovery', 0, 150)] },
    path: 'stages.0.probability',
  },
  company_details: { input: { website: 'ftp://acme.test' }, path: 'website' },
  meeting_titles: { input: { templates: [{ id: 'mt.1', title: '' }] }, path: 'templates.0.title' },
  alternate_domains: { input: { domains: ['acme.com', 'not a domain'] }, path: 'domains.1' },
  partnership_domains: { input: { domains: ['https://partner.example'] }, path: 'domains.0' },
  task_settings: { input: { defaultDueOffsetDays: -1 }, path: 'defaultDueOffsetDays' },
  email_templates: {
    input: { templates: [{ id: 't1', kind: 'fax', name: 'Fax', body: 'Hello' }] },
    path: 'templates.0.kind',
  },
  advanced_settings: {
    input: { contextNotifications: { minutesBefore: 2000 } },
    path: 'contextNotifications.minutesBefore',
  },
};

describe.each(VALUE_CATEGORY_KEYS)('%s', (key) => {
  const label = categoryDefinition(key).label;

  it('its default value (defaultValueOf) parses, to itself', () => {
    const defaultValue = defaultValueOf(key);
    expect(acceptedValue(key, defaultValue)).toEqual(defaultValue);
  });

  it('a malformed value is rejected with a message naming the category label and the field path', () => {
    const { input, path } = MALFORMED[key];
    const message = rejectionOf(key, input);
    expect(message).toContain(`${label}: `);
    expect(message).toContain(`${path}: `);
  });
});

/**
 * ADR 0005: every object of every category is strict. Per category, a misspelt key at each level
 * of its value and the path its message must name ('' = the value itself).
 */
const UNKNOWN_KEYS: Record<ValueCategoryKey, { input: unknown; path: string; key: string }[]> = {
  custom_properties: [
    { input: { propertys: [] }, path: '', key: 'propertys' },
    {
      input: { properties: [{ ...PROPERTY, ownerPropery: true }] },
      path: 'properties.0',
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
      key: 'colour',
    },
  ],
  pipeline_stages: [
    { input: { stage: [] }, path: '', key: 'stage' },
    {
      input: { stages: [{ ...stage('stage.demo', 0), probabilty: 10 }] },
      path: 'stages.0',
      key: 'probabilty',
    },
    {
      input: { stages: [{ ...stage('stage.demo', 0), crmStageMappings: { husbpot: 'demo' } }] },
      path: 'stages.0.crmStageMappings',
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
      key: 'active',
    },
  ],
  company_details: [{ input: { companyNmae: 'Acme' }, path: '', key: 'companyNmae' }],
  meeting_titles: [
    { input: { template: [] }, path: '', key: 'template' },
    {
      input: { templates: [{ id: 'mt.1', title: '{{company}}', applies: {} }] },
      path: 'templates.0',
      key: 'applies',
    },
    {
      input: { templates: [{ id: 'mt.1', title: '{{company}}', appliesTo: { meetingType: [] } }] },
      path: 'templates.0.appliesTo',
      key: 'meetingType',
    },
  ],
  alternate_domains: [{ input: { domain: ['acme.com'] }, path: '', key: 'domain' }],
  partnership_domains: [{ input: { partners: ['partner.example'] }, path: '', key: 'partners' }],
  task_settings: [{ input: { defaultPriorty: 'low' }, path: '', key: 'defaultPriorty' }],
  email_templates: [
    { input: { template: [] }, path: '', key: 'template' },
    {
      input: { templates: [{ id: 't1', kind: 'slack', name: 'Alert', body: 'Hi', subjct: 'x' }] },
      path: 'templates.0',
      key: 'subjct',
    },
  ],
  advanced_settings: [
    { input: { weeklyDigests: false }, path: '', key: 'weeklyDigests' },
    {
      input: { contextNotifications: { enable: false } },
      path: 'contextNotifications',
      key: 'enable',
    },
  ],
};

/** "path: unknown key "k"" as formatZodError prints it. */
const unknownKeyMessage = (path: string, key: string) =>
  `${path ? `${path}: ` : ''}unknown key ${JSON.stringify(key)}`;

describe.each(VALUE_CATEGORY_KEYS)('strict objects: %s', (key) => {
  it(`${key} refuses an unknown key and names it`, () => {
    const label = categoryDefinition(key).label;
    for (const { input, path, key: unknown } of UNKNOWN_KEYS[key]) {
      expect(rejectionOf(key, input)).toBe(`${label}: ${unknownKeyMessage(path, unknown)}`);
    }
  });
});

describe('strict objects: the unknown-key message', () => {
  it('custom_properties refuses "ownerPropery" rather than storing an ordinary property', () => {
    const result = parseCategoryValue('custom_properties', {
      properties: [{ ...PROPERTY, ownerPropery: true }],
    });
    expect(result).toEqual({
      ok: false,
      message: 'Custom properties: properties.0: unknown key "ownerPropery"',
    });
  });

  it('a key longer than 64 characters is named by its first 64', () => {
    const long = `${'k'.repeat(64)}${'x'.repeat(10_000)}`;
    const message = rejectionOf('company_details', { [long]: 1 });
    expect(message).toBe(`Company details: unknown key "${'k'.repeat(64)}"…`);
  });

  it('a key is cut by characters, never inside a surrogate pair', () => {
    const long = '\u{1F600}'.repeat(100);
    const message = rejectionOf('task_settings', { [long]: 1 });
    expect(message).toBe(`Task settings: unknown key "${'\u{1F600}'.repeat(64)}"…`);
  });

  it('several unknown keys are named, the first five, and the rest counted', () => {
    const input = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => [k, 1]));
    expect(rejectionOf('advanced_settings', input)).toBe(
      'Advanced settings: unknown keys "a", "b", "c", "d", "e" and 2 more',
    );
    expect(rejectionOf('advanced_settings', { a: 1, b: 2 })).toBe(
      'Advanced settings: unknown keys "a", "b"',
    );
  });
});

describe('pipeline_stages', () => {
  it('probability 150 is rejected with a message naming Pipeline stages and probability', () => {
    const message = rejectionOf('pipeline_stages', { stages: [stage('stage.discovery', 0, 150)] });
    expect(message).toBe('Pipeline stages: stages.0.probability: must be between 0 and 100');
  });

  it('duplicate stage internalIds are rejected', () => {
    const message = rejectionOf('pipeline_stages', {
      stages: [stage('stage.discovery', 0), stage('stage.demo', 1), stage('stage.discovery', 2)],
    });
    expect(message).toContain('stages.2.internalId');
    expect(message).toContain('duplicate internalId "stage.discovery"');
  });

  it('an unknown CRM in a stage mapping is rejected', () => {
    const message = rejectionOf('pipeline_stages', {
      stages: [{ ...stage('stage.demo', 0), crmStageMappings: { dynamics: 'demo' } }],
    });
    expect(message).toContain('stages.0.crmStageMappings');
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
      expect(message).toContain('salesforceRecordTypes.0.recordTypeId');
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
    expect(message).toContain('salesforceRecordTypes.1.recordTypeId');
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
    expect(rejectionOf('alternate_domains', { domains: [domain] })).toContain(
      'Alternate domains: domains.0: ',
    );
    expect(rejectionOf('partnership_domains', { domains: [domain] })).toContain(
      'Partnership domains: domains.0: ',
    );
  });
});

describe('email_templates', () => {
  it('an email template without subject is rejected', () => {
    const message = rejectionOf('email_templates', {
      templates: [
        { id: 't1', kind: 'email', name: 'Follow-up', body: 'Hi {{contact_first_name}}' },
      ],
    });
    expect(message).toBe('Email templates: templates.0.subject: an email template needs a subject');
  });

  it('a Slack template with a subject is rejected', () => {
    const message = rejectionOf('email_templates', {
      templates: [{ id: 't1', kind: 'slack', name: 'Alert', subject: 'Hi', body: 'Deal won' }],
    });
    expect(message).toContain('templates.0.subject: only email templates have a subject');
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
      'templates.1.id: duplicate template id "t1"',
    );
  });
});

describe('meeting_titles', () => {
  it('an unknown meeting-title placeholder is rejected', () => {
    const message = rejectionOf('meeting_titles', {
      templates: [{ id: 'mt.1', title: '{{company}} <> {{customer}}' }],
    });
    expect(message).toContain(
      'Meeting titles: templates.0.title: unknown placeholder {{customer}}',
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
    expect(message).toContain('properties.1.name: duplicate property hubspot/deal/deal_source');
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
    expect(message).toContain('properties.0.options: only enumeration properties have options');
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
    expect(message).toContain('properties.0.options.1.value');
  });

  it('ownerProperty defaults to false', () => {
    const value = acceptedValue('custom_properties', { properties: [property] });
    expect(value.properties[0]?.ownerProperty).toBe(false);
  });
});

describe('crmCredentialsSchema (CRM keys)', () => {
  const label = categoryDefinition('crm_keys').label;

  /** The same readable form parseCategoryValue gives the value categories. */
  function crmKeysRejection(input: unknown): string {
    const result = crmCredentialsSchema.safeParse(input);
    if (result.success) throw new Error(`crm_keys accepted ${JSON.stringify(input)}`);
    return `${label}: ${formatZodError(result.error)}`;
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

  it('a malformed connection is rejected with a message naming CRM keys and the field paths', () => {
    const message = crmKeysRejection({
      crm: 'salesforce',
      secrets: { accessToken: 'short' },
      instance: { instanceUrl: 'not a url' },
    });
    expect(message).toContain('CRM keys: ');
    expect(message).toContain('secrets.accessToken: ');
    expect(message).toContain('instance.instanceUrl: ');
  });

  it('an unknown CRM is rejected, naming the crm field', () => {
    expect(crmKeysRejection({ crm: 'dynamics', secrets: { accessToken: '0123456789' } })).toContain(
      'crm: ',
    );
  });

  it('crm_keys refuses an unknown key and names it', () => {
    const hubspot = { crm: 'hubspot', secrets: { accessToken: 'pat-na1-0123456789' } };
    expect(crmKeysRejection({ ...hubspot, portalId: '123' })).toBe(
      'CRM keys: unknown key "portalId"',
    );
    expect(
      crmKeysRejection({ ...hubspot, secrets: { ...hubspot.secrets, refresh_token: 'x' } }),
    ).toBe('CRM keys: secrets: unknown key "refresh_token"');
    expect(crmKeysRejection({ ...hubspot, instance: { portalID: '123' } })).toBe(
      'CRM keys: instance: unknown key "portalID"',
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
    ).not.toBe('');
    expect(crmKeysRejection({ crm: 'pipedrive', secrets: {} })).not.toBe('');
  });
});

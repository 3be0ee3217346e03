import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseCategoryValue } from '#src/domain/settings/categories.ts';
import {
  asSentences,
  byPath,
  describeIssues,
  humanize,
  type FieldLabels,
  type IssueContext,
} from '#src/domain/settings/issue-messages.ts';
import { crmCredentialsSchema } from '#src/domain/settings/settings.schema.ts';

/** The sentences of a refused value, each with its path; fails if the value was accepted. */
function problems(schema: z.ZodType, input: unknown, context: Omit<IssueContext, 'input'> = {}) {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`accepted ${JSON.stringify(input)}`);
  return describeIssues(result.error.issues, { ...context, input });
}

/** The one sentence of a refused value. */
function sentence(schema: z.ZodType, input: unknown, context: Omit<IssueContext, 'input'> = {}) {
  const found = problems(schema, input, context);
  expect(found, JSON.stringify(found)).toHaveLength(1);
  return found[0]?.message;
}

const FIELDS: FieldLabels = {
  days: { label: 'Default due date', unit: 'days' },
  title: 'Meeting title',
  tags: { label: 'Tags', items: 'tags' },
  'rows.*.name': 'Name of row {1}',
  'rows.*.cells.*': 'Cell {2} of row {1}',
};

describe('the sentences of issue 14: zod texts become sentences naming the field', () => {
  const task = z.strictObject({
    days: z.number().int().min(0).max(365),
    title: z.string().trim().min(1).max(300),
  });
  const valid = { days: 2, title: 'Intro' };

  it.each([
    // "Too big: expected number to be <=365"
    [{ days: 400 }, 'Default due date must be 365 days or fewer'],
    // "Invalid input: expected int, received number"
    [{ days: 1.5 }, 'Default due date must be a whole number of days'],
    // "Invalid input: expected number, received NaN"
    [{ days: Number.NaN }, 'Default due date must be a number'],
    [{ days: -1 }, 'Default due date must not be negative'],
    [{ days: '3' }, 'Default due date must be a number'],
    // "Invalid input: expected string, received undefined"
    [{ title: undefined }, 'Meeting title is required'],
    [{ title: '   ' }, 'Meeting title is required'],
    [{ title: 'x'.repeat(301) }, 'Meeting title must be 300 characters or fewer'],
  ])('%j → %s', (change, expected) => {
    expect(sentence(task, { ...valid, ...change }, { fields: FIELDS })).toBe(expected);
  });

  it('the NaN and missing cases are told apart without the input too (from the issue itself)', () => {
    const nan = task.safeParse({ ...valid, days: Number.NaN });
    const missing = task.safeParse({ days: 2 });
    if (nan.success || missing.success) throw new Error('accepted');
    expect(describeIssues(nan.error.issues, { fields: FIELDS })[0]?.message).toBe(
      'Default due date must be a number',
    );
    expect(describeIssues(missing.error.issues, { fields: FIELDS })[0]?.message).toBe(
      'Meeting title is required',
    );
  });

  it('null in a field is as empty as a missing one; for the whole value it is the wrong type', () => {
    expect(sentence(task, { ...valid, title: null }, { fields: FIELDS })).toBe(
      'Meeting title is required',
    );
    expect(sentence(task, null, { root: 'Task settings' })).toBe('Task settings must be an object');
    expect(sentence(task, undefined, { root: 'Task settings' })).toBe('Task settings is required');
  });
});

describe('every issue code reads as "<Field> …"', () => {
  it('numbers: inclusive and exclusive bounds, units in the singular for 1, no unit', () => {
    const s = z.object({
      n: z.number().gt(0).lt(10),
      m: z.number().min(1),
      days: z.number().min(1).max(30),
    });
    expect(problems(s, { n: 0, m: 0, days: 0 }, { fields: FIELDS })).toEqual([
      { path: 'n', message: 'N must be more than 0' },
      { path: 'm', message: 'M must be 1 or more' },
      { path: 'days', message: 'Default due date must be 1 day or more' },
    ]);
    expect(sentence(s, { n: 10, m: 1, days: 1 })).toBe('N must be less than 10');
    expect(sentence(z.object({ n: z.number().max(10_000) }), { n: 10_001 })).toBe(
      'N must be 10,000 or less',
    );
    expect(sentence(z.object({ n: z.number().multipleOf(5) }), { n: 7 })).toBe(
      'N must be a multiple of 5',
    );
  });

  it('strings: at least, exactly', () => {
    expect(sentence(z.object({ code: z.string().min(4) }), { code: 'ab' })).toBe(
      'Code must be at least 4 characters',
    );
    expect(sentence(z.object({ code: z.string().length(6) }), { code: 'ab' })).toBe(
      'Code must be exactly 6 characters',
    );
  });

  it('lists: at most, at least one, named by what they hold', () => {
    const s = z.object({ tags: z.array(z.string()).min(1).max(2) });
    expect(sentence(s, { tags: ['a', 'b', 'c'] }, { fields: FIELDS })).toBe(
      'Tags can have at most 2 tags',
    );
    expect(sentence(s, { tags: [] }, { fields: FIELDS })).toBe('Tags must have at least one tag');
    expect(sentence(z.object({ list: z.array(z.number()).max(1) }), { list: [1, 2] })).toBe(
      'List can have at most 1 entry',
    );
  });

  it('types: text, true or false, a list, an object', () => {
    const s = z.object({
      text: z.string(),
      flag: z.boolean(),
      list: z.array(z.string()),
      group: z.object({}),
    });
    expect(problems(s, { text: 1, flag: 'yes', list: 'a', group: [] })).toEqual([
      { path: 'text', message: 'Text must be text' },
      { path: 'flag', message: 'Flag must be true or false' },
      { path: 'list', message: 'List must be a list' },
      { path: 'group', message: 'Group must be an object' },
    ]);
  });

  it('formats: email, url, uuid, a pattern without its own words', () => {
    const s = z.object({
      email: z.email(),
      site: z.url(),
      memberId: z.uuid(),
      code: z.string().regex(/^[A-Z]+$/),
    });
    expect(problems(s, { email: 'x', site: 'nope', memberId: '1', code: 'a' })).toEqual([
      { path: 'email', message: 'Email must be an email address such as name@example.com' },
      { path: 'site', message: 'Site must be a web address such as https://example.com' },
      { path: 'memberId', message: 'Member ID must be an ID (a UUID)' },
      { path: 'code', message: 'Code is not in the expected format' },
    ]);
  });

  it('enums and literals list the values as they are written', () => {
    expect(sentence(z.object({ level: z.enum(['low', 'high']) }), { level: 'mid' })).toBe(
      'Level must be one of "low" or "high"',
    );
    expect(sentence(z.object({ kind: z.literal('email') }), { kind: 'fax' })).toBe(
      'Kind must be "email"',
    );
  });

  it('unknown keys: one, several, the first five and a count', () => {
    const s = z.strictObject({ a: z.number().optional() });
    expect(sentence(s, { b: 1 }, { root: 'Task settings' })).toBe(
      'Task settings has an unknown field "b"',
    );
    expect(sentence(s, { b: 1, c: 2 }, { root: 'Task settings' })).toBe(
      'Task settings has unknown fields "b", "c"',
    );
    const many = Object.fromEntries(['b', 'c', 'd', 'e', 'f', 'g'].map((k) => [k, 1]));
    expect(sentence(s, many)).toBe(
      'The value has unknown fields "b", "c", "d", "e", "f" and 1 more',
    );
  });

  it('custom issues: a schema predicate gets the label, a refine without words says "is not valid"', () => {
    const s = z.object({
      title: z.string().refine((v) => v !== 'x', 'must not be x'),
      other: z.string().refine((v) => v !== 'x'),
      sentence: z.string().refine((v) => v !== 'x', 'Pick another title.'),
    });
    expect(problems(s, { title: 'x', other: 'x', sentence: 'x' }, { fields: FIELDS })).toEqual([
      { path: 'title', message: 'Meeting title must not be x' },
      { path: 'other', message: 'Other is not valid' },
      { path: 'sentence', message: 'Pick another title.' },
    ]);
  });

  it('unions: no matching discriminator names the allowed values; a missing either-or field', () => {
    const s = z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('a'), x: z.string() }),
      z.object({ kind: z.literal('b'), y: z.string() }),
    ]);
    expect(sentence(s, { kind: 'c' })).toBe('Kind must be one of "a" or "b"');
    const either = z.object({
      secrets: z.union([z.object({ apiToken: z.string() }), z.object({ accessToken: z.string() })]),
    });
    expect(problems(either, { secrets: {} })).toEqual([
      { path: 'secrets.apiToken', message: 'Either API token or Access token is required' },
    ]);
  });
});

describe('labels', () => {
  it('positions fill {1} and {2}, counted from 1', () => {
    const s = z.object({
      rows: z.array(z.object({ name: z.string().min(1), cells: z.array(z.number()) })),
    });
    expect(
      problems(
        s,
        {
          rows: [
            { name: 'a', cells: [] },
            { name: '', cells: [1, 'x'] },
          ],
        },
        { fields: FIELDS },
      ),
    ).toEqual([
      { path: 'rows.1.name', message: 'Name of row 2 is required' },
      { path: 'rows.1.cells.1', message: 'Cell 2 of row 2 must be a number' },
    ]);
  });

  it('a field not in the table is named from its key, with its place in a list', () => {
    const s = z.object({
      memberIds: z.array(z.uuid()),
      stages: z.array(z.object({ instanceUrl: z.url() })),
    });
    expect(problems(s, { memberIds: ['x'], stages: [{ instanceUrl: 'x' }] })).toEqual([
      { path: 'memberIds.0', message: 'Item 1 of member IDs must be an ID (a UUID)' },
      {
        path: 'stages.0.instanceUrl',
        message:
          'Instance URL in item 1 of stages must be a web address such as https://example.com',
      },
    ]);
  });

  it('humanize keeps acronyms', () => {
    expect(humanize('crmTaskQueue')).toBe('CRM task queue');
    expect(humanize('api_domain')).toBe('API domain');
    expect(humanize('portalId')).toBe('portal ID');
  });
});

describe('one set of sentences for the API and the forms', () => {
  it('asSentences ends each with one full stop; byPath keeps the first per field', () => {
    const found = [
      { path: 'a', message: 'A is required' },
      { path: 'a', message: 'A must be text' },
      { path: 'b', message: 'Pick another title.' },
    ];
    expect(asSentences(found)).toBe('A is required. A must be text. Pick another title.');
    expect(byPath(found)).toEqual({ a: 'A is required', b: 'Pick another title.' });
  });

  it('parseCategoryValue (the API) answers the same sentences per field as its message', () => {
    const result = parseCategoryValue('task_settings', {
      defaultDueOffsetDays: 400,
      defaultPriority: 'urgent',
    });
    expect(result).toEqual({
      ok: false,
      message:
        'Default due date must be 365 days or fewer. Default priority must be one of "low", "medium" or "high".',
      errors: [
        { path: 'defaultDueOffsetDays', message: 'Default due date must be 365 days or fewer' },
        {
          path: 'defaultPriority',
          message: 'Default priority must be one of "low", "medium" or "high"',
        },
      ],
    });
  });

  it('no zod text is left in any category for a value of the wrong shape everywhere', () => {
    const zodWords = /Too (big|small)|Invalid (input|option|string)|expected|received|Unrecognized/;
    const wrong = [null, 1, 'x', [], { x: 1 }];
    for (const key of [
      'custom_properties',
      'pipeline_stages',
      'company_details',
      'meeting_titles',
      'alternate_domains',
      'task_settings',
      'email_templates',
      'advanced_settings',
    ] as const) {
      for (const input of wrong) {
        const result = parseCategoryValue(key, input);
        if (result.ok) throw new Error(`${key} accepted ${JSON.stringify(input)}`);
        expect(result.message, `${key} ${JSON.stringify(input)}`).not.toMatch(zodWords);
      }
    }
    const crm = crmCredentialsSchema.safeParse({ crm: 'hubspot', secrets: { accessToken: 1 } });
    if (crm.success) throw new Error('accepted');
    expect(asSentences(describeIssues(crm.error.issues))).toBe('Access token must be text.');
  });
});

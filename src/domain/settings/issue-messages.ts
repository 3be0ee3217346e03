import type { z } from 'zod';

/**
 * Schema issues as sentences a person reads ("Default due date must be 365 days or fewer"), the
 * one place where a zod issue becomes text: the API's problem bodies (settings saves, CRM
 * connections, every request body) and the console's forms all call `describeIssues`.
 *
 * Why a function over finished issues rather than zod's `z.config({ customError })` or per-schema
 * `error` maps: a global error map is a side effect that the server and the web bundle must each
 * install before the first parse, and it would rewrite every schema's messages (env, vendor
 * bodies) too; an error map sees an issue without knowing which category or form it belongs to,
 * so it cannot name the field in the UI's words; and it is never asked about the schema's own
 * messages ("must be a domain name such as example.com"), which need the same field name in
 * front. A pure function of (issue, labels, input) has none of these problems and is unit-tested.
 *
 * A message a schema writes itself is a predicate of its field, starting in lower case
 * ("must be between 0 and 100", "looks too short to be a CRM key"): it is kept, with the field's
 * label in front. Zod's own English texts start in upper case ("Too big: …") and are replaced by
 * a sentence made from the issue's code and numbers.
 */

/** One field's problem: where (dotted path in what was validated, "" = all of it) and what. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Where a label is used: the 1-based positions of the path's list indices, and the value. */
export interface LabelContext {
  positions: readonly number[];
  value: unknown;
}

export interface FieldLabel {
  /** The field as the UI names it; `{1}`, `{2}`: the positions of the path's list indices. */
  label: string | ((at: LabelContext) => string);
  /** What the number counts, plural ("days"): "must be 365 days or fewer". */
  unit?: string;
  /** What the list holds, plural ("domains"): "can have at most 500 domains". */
  items?: string;
}

/** Labels by path pattern: list indices are written `*` ("templates.*.title"). */
export type FieldLabels = Readonly<Record<string, FieldLabel | string>>;

export interface IssueContext {
  /** The labels of what is validated (a settings category, a request body). */
  fields?: FieldLabels;
  /** What the whole value is called ("Task settings", "The request body"). */
  root?: string;
  /** The value that was validated: tells a missing value from a wrong one, fills `{value}`. */
  input?: unknown;
}

type Issue = z.core.$ZodIssue;

/** Every issue as one or more field problems (a union that failed names its closest branch). */
export function describeIssues(
  issues: readonly Issue[],
  context: IssueContext = {},
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    for (const problem of describeIssue(issue, context)) {
      const key = `${problem.path}\u0000${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

/** "A. B." — the problems as one paragraph (a problem's `detail`, a callout). */
export function asSentences(problems: readonly FieldProblem[]): string {
  return problems.map((p) => (/[.!?]$/.test(p.message) ? p.message : `${p.message}.`)).join(' ');
}

/** Path ("templates.0.title") → message, the first problem of each field. */
export function byPath(problems: readonly FieldProblem[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const problem of problems) errors[problem.path] ??= problem.message;
  return errors;
}

export function describeIssue(issue: Issue, context: IssueContext = {}): FieldProblem[] {
  const path = issue.path;
  const at = (predicate: string): FieldProblem[] => [
    { path: dotted(path), message: `${labelOf(path, context)} ${predicate}` },
  ];
  const own = ownPredicate(issue.message);
  const field = fieldLabelOf(path, context.fields);

  switch (issue.code) {
    case 'invalid_type':
      return at(invalidType(issue, context, field));
    case 'too_big':
      return at(own ?? tooBig(issue, field));
    case 'too_small':
      return at(own ?? tooSmall(issue, field));
    case 'not_multiple_of':
      return at(
        own ??
          (issue.divisor === 1
            ? 'must be a whole number'
            : `must be a multiple of ${issue.divisor}`),
      );
    case 'invalid_format':
      return at(own ?? invalidFormat(issue));
    case 'invalid_value':
      return at(own ?? oneOf(issue.values));
    case 'unrecognized_keys':
      return at(unknownKeys(issue.keys));
    case 'invalid_union':
      return invalidUnion(issue, context);
    case 'invalid_key':
      return at(own ?? 'has a key that is not allowed');
    case 'invalid_element':
      return at(own ?? 'has an entry that is not valid');
    case 'custom':
      if (own) return at(own);
      if (issue.message && issue.message !== 'Invalid input') {
        return [{ path: dotted(path), message: issue.message }];
      }
      return at('is not valid');
  }
}

/** The label of a path: the table's, else one made from the field's name. */
export function labelOf(path: readonly PropertyKey[], context: IssueContext = {}): string {
  if (path.length === 0) return context.root ?? 'The value';
  const positions = path.filter((s): s is number => typeof s === 'number').map((i) => i + 1);
  const found = fieldLabelOf(path, context.fields);
  if (found) {
    const value = valueAt(context.input, path);
    const text =
      typeof found.label === 'function' ? found.label({ positions, value }) : found.label;
    return text.replace(/\{(\d)\}/g, (whole, n: string) =>
      String(positions[Number(n) - 1] ?? whole),
    );
  }
  return genericLabel(path);
}

function fieldLabelOf(
  path: readonly PropertyKey[],
  fields: FieldLabels | undefined,
): FieldLabel | undefined {
  if (!fields || path.length === 0) return undefined;
  const pattern = path.map((s) => (typeof s === 'number' ? '*' : String(s))).join('.');
  const found = fields[pattern];
  if (found === undefined) return undefined;
  return typeof found === 'string' ? { label: found } : found;
}

/** ["stages", 0, "weight"] → "Weight in item 1 of stages"; ["memberIds", 2] → "Item 3 of member IDs". */
function genericLabel(path: readonly PropertyKey[]): string {
  const last = path.at(-1);
  const lastIndex = path.findLastIndex((s) => typeof s === 'number');
  const listName = (index: number) => {
    const name = path[index - 1];
    return typeof name === 'string' ? humanize(name) : 'the list';
  };
  if (typeof last === 'number') {
    return `Item ${last + 1} of ${listName(path.length - 1)}`;
  }
  const name = capitalize(humanize(String(last)));
  if (lastIndex < 0) return name;
  const index = path[lastIndex] as number;
  return `${name} in item ${index + 1} of ${listName(lastIndex)}`;
}

const ACRONYMS: Record<string, string> = {
  api: 'API',
  crm: 'CRM',
  csrf: 'CSRF',
  id: 'ID',
  ids: 'IDs',
  oauth: 'OAuth',
  scim: 'SCIM',
  url: 'URL',
  urls: 'URLs',
  uuid: 'UUID',
};

/** "instanceUrl" → "instance URL", "member_ids" → "member IDs". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return JSON.stringify(name);
  return words.map((w) => ACRONYMS[w.toLowerCase()] ?? w.toLowerCase()).join(' ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** A schema's own message (lower case first: a predicate of the field), else undefined. */
function ownPredicate(message: string | undefined): string | undefined {
  return message && /^[a-z]/.test(message) ? message : undefined;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** What was received, as zod names it: the input when given, else the issue's own words. */
function receivedOf(issue: z.core.$ZodIssueInvalidType, context: IssueContext): string {
  const received = (issue as { received?: unknown }).received;
  if (typeof received === 'string') return received;
  if (context.input !== undefined) {
    const value = valueAt(context.input, issue.path);
    if (value === undefined) return 'undefined';
    if (value === null) return 'null';
    if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
    return Array.isArray(value) ? 'array' : typeof value;
  }
  return /received (\w+)$/.exec(issue.message)?.[1] ?? 'unknown';
}

const TYPE_WORDS: Record<string, string> = {
  string: 'must be text',
  number: 'must be a number',
  int: 'must be a whole number',
  bigint: 'must be a whole number',
  boolean: 'must be true or false',
  array: 'must be a list',
  tuple: 'must be a list',
  object: 'must be an object',
  record: 'must be an object',
  map: 'must be an object',
  set: 'must be a list',
  date: 'must be a date',
  null: 'must be empty (null)',
  undefined: 'must be left out',
  never: 'is not allowed',
};

function invalidType(
  issue: z.core.$ZodIssueInvalidType,
  context: IssueContext,
  field: FieldLabel | undefined,
): string {
  const expected = issue.expected;
  const received = receivedOf(issue, context);
  const missing =
    issue.expected === 'nonoptional' ||
    received === 'undefined' ||
    // null fills a field in, but leaves it as empty as a missing one: not for the whole value.
    (received === 'null' && issue.path.length > 0);
  if (missing && expected !== 'null' && expected !== 'undefined') return 'is required';
  if ((expected === 'int' || expected === 'bigint') && field?.unit) {
    return `must be a whole number of ${field.unit}`;
  }
  return TYPE_WORDS[expected] ?? `must be ${article(expected)} ${humanize(expected)}`;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

const NUMBER_FORMAT = new Intl.NumberFormat('en-US');

function amount(value: number | bigint, unit: string | undefined): string {
  const n = NUMBER_FORMAT.format(value);
  if (!unit) return n;
  // "1 day", "2 days": a unit is written in the plural; its singular drops the final s.
  const one = typeof value === 'bigint' ? value === 1n : value === 1;
  return `${n} ${one ? singular(unit) : unit}`;
}

/** "days" → "day", "entries" → "entry". */
function singular(plural: string): string {
  return plural.endsWith('ies') ? `${plural.slice(0, -3)}y` : plural.replace(/s$/, '');
}

function tooBig(issue: z.core.$ZodIssueTooBig, field: FieldLabel | undefined): string {
  const max = issue.maximum;
  switch (issue.origin) {
    case 'number':
    case 'int':
    case 'bigint':
      if (issue.inclusive === false) return `must be less than ${amount(max, field?.unit)}`;
      return `must be ${amount(max, field?.unit)} or ${field?.unit ? 'fewer' : 'less'}`;
    case 'string':
      if (issue.exact) return `must be exactly ${amount(max, 'characters')}`;
      return `must be ${amount(max, 'characters')} or fewer`;
    case 'array':
    case 'set':
      if (issue.exact) return `must have exactly ${amount(max, field?.items ?? 'entries')}`;
      return `can have at most ${amount(max, field?.items ?? 'entries')}`;
    case 'date':
      return `must be on or before ${dateText(max)}`;
    case 'file':
      return `must be ${amount(max, 'bytes')} or smaller`;
    default:
      return `must be at most ${NUMBER_FORMAT.format(max)}`;
  }
}

function tooSmall(issue: z.core.$ZodIssueTooSmall, field: FieldLabel | undefined): string {
  const min = issue.minimum;
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'number':
    case 'int':
    case 'bigint':
      if (Number(min) === 0) return inclusive ? 'must not be negative' : 'must be more than 0';
      if (!inclusive) return `must be more than ${amount(min, field?.unit)}`;
      return `must be ${amount(min, field?.unit)} or more`;
    case 'string':
      if (issue.exact) return `must be exactly ${amount(min, 'characters')}`;
      if (Number(min) <= 1) return 'is required';
      return `must be at least ${amount(min, 'characters')}`;
    case 'array':
    case 'set': {
      const items = field?.items ?? 'entries';
      if (issue.exact) return `must have exactly ${amount(min, items)}`;
      if (Number(min) === 1) return `must have at least one ${singular(items)}`;
      return `must have at least ${amount(min, items)}`;
    }
    case 'date':
      return `must be on or after ${dateText(min)}`;
    case 'file':
      return 'must not be empty';
    default:
      return `must be at least ${NUMBER_FORMAT.format(min)}`;
  }
}

function dateText(value: number | bigint): string {
  return new Date(Number(value)).toISOString().slice(0, 10);
}

const FORMAT_WORDS: Record<string, string> = {
  email: 'must be an email address such as name@example.com',
  url: 'must be a web address such as https://example.com',
  uuid: 'must be an ID (a UUID)',
  guid: 'must be an ID (a UUID)',
  datetime: 'must be a date and time such as 2026-01-31T09:00:00Z',
  date: 'must be a date such as 2026-01-31',
  time: 'must be a time such as 09:00',
  duration: 'must be a duration such as PT1H',
  ipv4: 'must be an IPv4 address',
  ipv6: 'must be an IPv6 address',
  base64: 'must be base64 text',
  base64url: 'must be base64url text',
  jwt: 'must be a JSON web token',
  e164: 'must be a phone number such as +14155550100',
  lowercase: 'must be in lower case',
  uppercase: 'must be in upper case',
};

function invalidFormat(issue: z.core.$ZodIssueInvalidStringFormat): string {
  const extra = issue as { prefix?: string; suffix?: string; includes?: string };
  switch (issue.format) {
    case 'starts_with':
      return `must start with ${JSON.stringify(extra.prefix ?? '')}`;
    case 'ends_with':
      return `must end with ${JSON.stringify(extra.suffix ?? '')}`;
    case 'includes':
      return `must contain ${JSON.stringify(extra.includes ?? '')}`;
    case 'regex':
      return 'is not in the expected format';
    default:
      return FORMAT_WORDS[issue.format] ?? `must be a valid ${humanize(issue.format)}`;
  }
}

/** ["a", "b", "c"] → "a, b or c". */
function joinWords(words: readonly string[], last: 'or' | 'and'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${last} ${words.at(-1) ?? ''}`;
}

/** Allowed values as they are written in the value: strings quoted ("low"), others bare. */
function listed(values: readonly unknown[], last: 'or' | 'and'): string {
  return joinWords(
    values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))),
    last,
  );
}

function oneOf(values: readonly unknown[]): string {
  if (values.length === 1) return `must be ${listed(values, 'or')}`;
  return `must be one of ${listed(values, 'or')}`;
}

/** Unknown keys named in a message, and the characters kept of each (a key may be any size). */
const NAMED_UNKNOWN_KEYS = 5;
const UNKNOWN_KEY_CHARS = 64;

function quoteKey(key: string): string {
  const chars = Array.from(key);
  return chars.length > UNKNOWN_KEY_CHARS
    ? `${JSON.stringify(chars.slice(0, UNKNOWN_KEY_CHARS).join(''))}…`
    : JSON.stringify(key);
}

/** `has an unknown field "ownerPropery"`: strict objects refuse a misspelt field (ADR 0005). */
function unknownKeys(keys: readonly string[]): string {
  const named = keys.slice(0, NAMED_UNKNOWN_KEYS).map(quoteKey).join(', ');
  const more =
    keys.length > NAMED_UNKNOWN_KEYS ? ` and ${keys.length - NAMED_UNKNOWN_KEYS} more` : '';
  return keys.length === 1 ? `has an unknown field ${named}` : `has unknown fields ${named}${more}`;
}

function isMissing(issue: Issue, context: IssueContext): boolean {
  if (issue.code !== 'invalid_type') return false;
  const received = receivedOf(issue, context);
  return received === 'undefined' || received === 'null';
}

/**
 * A value that fits none of a union's forms. No matching discriminator: name the allowed ones.
 * Every form lacks one field: "Either API token or Access token is required". Otherwise the
 * closest form (fewest issues) speaks.
 */
function invalidUnion(issue: z.core.$ZodIssueInvalidUnion, context: IssueContext): FieldProblem[] {
  const path = issue.path;
  const here = (predicate: string): FieldProblem[] => [
    { path: dotted(path), message: `${labelOf(path, context)} ${predicate}` },
  ];
  const options = (issue as { options?: readonly unknown[] }).options;
  if (issue.errors.length === 0) {
    if (options && options.length > 0) return here(oneOf(options));
    if (issue.inclusive === false) return here('matches more than one of its allowed forms');
    return here('is not valid');
  }
  const branches = issue.errors.map((branch) =>
    branch.map((inner) => ({ ...inner, path: [...path, ...inner.path] })),
  );
  if (branches.every((b) => b.length === 1 && b[0] !== undefined && isMissing(b[0], context))) {
    const labels = [...new Set(branches.map((b) => labelOf(b[0]?.path ?? path, context)))];
    const first = branches[0]?.[0];
    if (labels.length > 1) {
      return [
        {
          path: dotted(first?.path ?? path),
          message: `Either ${joinWords(labels, 'or')} is required`,
        },
      ];
    }
  }
  const closest = [...branches].sort((a, b) => a.length - b.length)[0] ?? [];
  return describeIssues(closest, context);
}

import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CRM_KEYS } from '#src/domain/crm.ts';
import { ZOHO_DATA_CENTRES } from '#src/integrations/crm/oauth/oauth-provider.ts';
import { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';
import { createInvitedUsers } from '#src/services/invitations/invitation.service.ts';
import {
  fingerprint as guardedFingerprint,
  GUARDED_TABLES,
} from '#tests/integration/http/support/db-fingerprint.ts';
import {
  describeResponse,
  expectProblem,
  send,
  type HttpRequest,
  type Method,
} from '#tests/integration/http/support/http.ts';
import { fillPath, routesUnderTest } from '#tests/integration/http/support/route-inventory.ts';
import {
  createWorld,
  freshUser,
  login,
  WORLD_PASSWORD,
  type World,
  type WorldUser,
} from '#tests/integration/http/support/world.ts';
import type { Agent } from '#tests/support/test-app.ts';

/**
 * Arbitrary input on every route (fast-check): JSON bodies, raw bodies, query strings and path
 * ids, as an admin (and as a member on the /api/me routes), with the CSRF header. Whatever comes
 * in: never a 500, never a stack trace, every error is application/problem+json with a code of
 * ERROR_CODES, and nothing in the database changes unless the answer is 2xx.
 */

/** Runs per property; FUZZ_RUNS=500 for a longer hunt. */
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 25);

let world: World;
let admin: Agent;
let member: Agent;
/** Acme's primary admin: the only one who may hand the role over (its fuzz names nobody it could go to). */
let owner: Agent;
/** The account the login route is fuzzed against (its right password comes up now and then). */
let loginTarget: WorldUser;
/** Real ids, so that part of the runs get past the "not found" checks. */
const pools = {
  users: [] as string[],
  teams: [] as string[],
  syncs: [] as string[],
  /** Finished bulk runs (one with a failed member): an events stream on them ends. */
  runs: [] as string[],
  /** Teams only the team delete route is fuzzed with: new Acme ones, and Globex's (not found). */
  disposableTeams: [] as string[],
  /** Users the primary admin role can never go to: itself, invited, another organization's. */
  notTransferable: [] as string[],
  /** Open invitation links (a run may accept one: then it reads as expired). */
  tokens: [] as string[],
  /** SCIM tokens of Acme and of Globex. */
  scimTokens: [] as string[],
  /** Personal API tokens: the admin's, and Globex's owner's (not found for the admin). */
  apiTokens: [] as string[],
};

/**
 * The bulk tables are not among support/db-fingerprint.ts's GUARDED_TABLES (yet): fingerprinted
 * here as well, so a refused bulk request is seen to create or change no run.
 */
const BULK_TABLES = (['bulk_runs', 'bulk_run_members'] as const).filter(
  (table) => !(GUARDED_TABLES as readonly string[]).includes(table),
);

type Fingerprint = Record<string, unknown>;

async function fingerprint(db: World['database']['db']): Promise<Fingerprint> {
  const result: Fingerprint = { ...(await guardedFingerprint(db)) };
  for (const table of BULK_TABLES) {
    const { rows } = await sql<{ rows: number; digest: string }>`
      select count(*)::int as rows,
        md5(coalesce(string_agg(t::text, E'\n' order by t::text), '')) as digest
      from ${sql.table(table)} t`.execute(db);
    result[table] = rows[0];
  }
  return result;
}

/** Waits until the bulk runs a request started have run (the in-process runner). */
async function settle(): Promise<void> {
  await world.testApp.queue?.idle();
}

beforeAll(async () => {
  // "Connect <CRM>" configured for three CRMs: starting it gets past "not configured" to the options.
  world = await createWorld({
    oauthClients: {
      hubspot: { clientId: 'ergo-fuzz-hubspot', clientSecret: 'fuzz-hubspot-secret-0123456789' },
      salesforce: { clientId: 'ergo-fuzz-sf', clientSecret: 'fuzz-salesforce-secret-012345678' },
      zoho: { clientId: 'ergo-fuzz-zoho', clientSecret: 'fuzz-zoho-secret-0123456789abc' },
    },
  });
  admin = await login(world, world.people.acme.admin);
  member = await login(world, world.people.acme.member);
  owner = await login(world, world.people.acme.owner);
  loginTarget = await freshUser(world, 'acme');
  const targets = [
    ...(await Promise.all([1, 2, 3, 4].map(() => freshUser(world, 'acme')))),
    await freshUser(world, 'acme', 'admin'),
    await freshUser(world, 'globex'),
  ];
  pools.users = [
    ...targets.map((t) => t.id),
    admin.userId,
    world.orgs.acme.primaryAdminId,
    world.people.acme.invited.id,
  ];
  pools.teams = [...world.orgs.acme.teamIds, ...world.orgs.globex.teamIds];
  pools.disposableTeams = [
    ...(
      await world.uow.read.teams.insertMany(
        world.orgs.acme.id,
        [1, 2, 3, 4].map((n) => `Disposable ${n}`),
      )
    ).map((t) => t.id),
    ...world.orgs.globex.teamIds,
  ];
  const invited = await world.uow.transaction(async (repos) => [
    ...(await createInvitedUsers(repos, {
      organizationId: world.orgs.acme.id,
      invitedBy: world.orgs.acme.primaryAdminId,
      users: [1, 2, 3].map((n) => ({
        email: `fuzz-invited-${n}@acme.test`,
        name: `Fuzz Invited ${n}`,
        role: n === 3 ? ('admin' as const) : ('member' as const),
        teamIds: [],
      })),
    })),
    ...(await createInvitedUsers(repos, {
      organizationId: world.orgs.globex.id,
      invitedBy: world.orgs.globex.primaryAdminId,
      users: [
        { email: 'fuzz-invited@globex.test', name: 'Fuzz Invited', role: 'member', teamIds: [] },
      ],
    })),
  ]);
  pools.tokens = invited.map((i) => i.token);
  pools.users.push(...invited.map((i) => i.userId));
  pools.notTransferable = [
    world.orgs.acme.primaryAdminId,
    world.people.acme.invited.id,
    world.people.globex.member.id,
    world.orgs.globex.primaryAdminId,
    ...invited.map((i) => i.userId),
  ];
  for (const agent of [admin, await login(world, world.people.globex.owner)]) {
    const response = await send(world.app, agent, {
      method: 'POST',
      url: '/api/scim-tokens',
      body: { name: 'Fuzz IdP' },
    });
    expect(response.statusCode, describeResponse(response)).toBe(201);
    pools.scimTokens.push(response.json<{ id: string }>().id);
  }
  for (const agent of [admin, await login(world, world.people.globex.owner)]) {
    const response = await send(world.app, agent, {
      method: 'POST',
      url: '/api/me/api-tokens',
      body: { name: 'Fuzz CLI', scopes: ['read'], expiresInDays: 1 },
    });
    expect(response.statusCode, describeResponse(response)).toBe(201);
    pools.apiTokens.push(response.json<{ apiToken: { id: string } }>().apiToken.id);
  }
  for (const target of targets.slice(0, 3)) {
    const response = await send(world.app, admin, {
      method: 'POST',
      url: `/api/members/${target.id}/sync-settings`,
      body: { categories: ['company_details', 'alternate_domains'] },
    });
    expect(response.statusCode, describeResponse(response)).toBe(200);
    pools.syncs.push(response.json<{ syncId: string }>().syncId);
  }
  for (const memberIds of [
    targets.slice(0, 2).map((t) => t.id),
    [targets[3]?.id ?? '', ZERO_UUID],
  ]) {
    const response = await send(world.app, admin, {
      method: 'POST',
      url: '/api/bulk-syncs',
      body: { action: 'sync_settings', memberIds, categories: ['company_details'] },
    });
    expect(response.statusCode, describeResponse(response)).toBe(202);
    pools.runs.push(response.json<{ id: string }>().id);
  }
  await settle();
});
afterAll(async () => {
  await world.close();
});

// --- arbitraries ---------------------------------------------------------------------------------

/**
 * Characters that have broken servers before: NUL, lone surrogates, noncharacters, BOM,
 * bidi override, astral and combining characters, quotes, escapes and LIKE wildcards.
 */
const HOSTILE_UNITS = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\uffff',
  '\ufeff',
  '\u202e',
  '\u{1F600}',
  'e\u0301',
  "'",
  '"',
  '\\',
  '%',
  '_',
  '\n',
  ' ',
];

/** Any string: every code point, with the hostile ones above much more often than by chance. */
const anyString = (maxLength = 40) =>
  fc.string({
    unit: fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_UNITS) },
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    ),
    maxLength,
  });

/**
 * Percent-encodes the UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD, as a browser
 * would send it; encodeURIComponent would throw).
 */
function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Path segments sent as they are: malformed escapes, traversal, encoded NUL and slashes. */
const RAW_SEGMENTS = [
  '..',
  '.',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%2e%2e',
  '..%2F..%2Fetc%2Fpasswd',
  'a%2Fb',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%20',
  'null',
  'undefined',
  '-1',
  '1e999',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
] as const;

/** A path id: real ones, random UUIDs, and odd ones (long, unicode, traversal, percent-encoded). */
function pathId(real: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: real.length > 0 ? fc.constantFrom(...real) : fc.uuid() },
    { weight: 1, arbitrary: fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8] }) },
    { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
    { weight: 2, arbitrary: anyString().map(pct) },
    {
      weight: 1,
      arbitrary: fc.string({ unit: 'grapheme', minLength: 90, maxLength: 400 }).map(pct),
    },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 1, arbitrary: anyString(10).map((s) => `..%2F${pct(s)}`) },
  );
}

/** A query string: known parameters with odd values, unknown ones, repeats, malformed escapes. */
function queryString(known: Record<string, fc.Arbitrary<string>> = {}): fc.Arbitrary<string> {
  const names = Object.keys(known);
  const knownPair =
    names.length > 0
      ? fc
          .constantFrom(...names)
          .chain((name) =>
            fc.tuple(fc.constant(name), fc.oneof(known[name] ?? anyString(), anyString())),
          )
      : fc.tuple(anyString(10), anyString());
  const pairs = fc.array(fc.oneof(knownPair, fc.tuple(anyString(10), anyString())), {
    maxLength: 4,
  });
  return fc.oneof(
    { weight: 5, arbitrary: pairs.map((list) => encodeQuery(list)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '?%',
        '?a=%zz',
        '?limit=1&limit=2',
        '?&&&=',
        '?q=%00',
        '?__proto__[x]=1',
        '?constructor=1',
        '?cursor[]=a',
        `?q=${'x'.repeat(5000)}`,
      ),
    },
  );
}

function encodeQuery(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return '';
  return `?${pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')}`;
}

interface BodyInput {
  body: string;
  contentType: string;
}

const json = (value: unknown): BodyInput => ({
  body: JSON.stringify(value),
  contentType: 'application/json',
});

/** Bodies of any shape: JSON values, invalid JSON, other media types, one over the size limit. */
const anyBody: fc.Arbitrary<BodyInput | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }).map(json) },
  {
    weight: 1,
    arbitrary: anyString(60).map((body) => ({ body, contentType: 'application/json' })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml'),
        anyString(),
      )
      .map(([contentType, body]) => ({ body, contentType })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<BodyInput>(
      { body: '{"__proto__":{"admin":true}}', contentType: 'application/json' },
      { body: '{"constructor":{"prototype":{"admin":true}}}', contentType: 'application/json' },
      { body: `{"a":"${'x'.repeat(300 * 1024)}"}`, contentType: 'application/json' },
      { body: '', contentType: 'application/json' },
      { body: 'null', contentType: 'application/json' },
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** The keys of a record (optional unless `required`), plus an unknown key once in a while. */
function shaped(
  fields: Record<string, fc.Arbitrary<unknown>>,
  required = false,
): fc.Arbitrary<unknown> {
  const extra = fc.oneof(
    { weight: 9, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.tuple(anyString(8), fc.jsonValue({ maxDepth: 1 })) },
  );
  return fc
    .tuple(fc.record(fields, required ? {} : { requiredKeys: [] }), extra)
    .map(([record, more]) => (more ? { ...record, [more[0]]: more[1] } : record));
}

const numberish = fc.oneof(
  fc.integer({ min: -2, max: 400 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e308, -0, 2 ** 53 + 1),
  anyString(6),
);
const maybe = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
  );
const text = (maxLength = 40) =>
  fc.oneof(anyString(maxLength), fc.string({ minLength: 1, maxLength }));
const list = <T>(item: fc.Arbitrary<T>, maxLength = 3) => fc.array(item, { maxLength });

/** Per category, values close to its schema (SPEC §2), with hostile strings inside. */
const VALUE_BY_CATEGORY: Record<(typeof CATEGORY_KEYS)[number], fc.Arbitrary<unknown>> = {
  custom_properties: shaped({
    properties: list(
      shaped({
        crm: maybe(fc.constantFrom(...CRM_KEYS)),
        object: fc.constantFrom('deal', 'contact', 'company', 'lead'),
        name: fc.oneof(fc.constantFrom('deal_source', 'Deal_Source', 'x'), text(12)),
        label: text(),
        type: fc.constantFrom('string', 'number', 'date', 'bool', 'enumeration', 'blob'),
        options: list(shaped({ label: text(), value: text() })),
        ownerProperty: maybe(fc.boolean()),
      }),
    ),
  }),
  pipeline_stages: shaped({
    stages: list(
      shaped({
        internalId: fc.oneof(fc.constantFrom('stage.a', 'Stage.A', 'stage.b'), text(12)),
        name: text(),
        order: numberish,
        probability: numberish,
        crmStageMappings: fc.dictionary(maybe(fc.constantFrom(...CRM_KEYS)).map(String), text(), {
          maxKeys: 3,
        }),
        synced: maybe(fc.boolean()),
      }),
    ),
    salesforceRecordTypes: list(
      shaped({
        recordTypeId: fc.oneof(fc.constantFrom('012000000000001AAA', '012000000000001'), text(18)),
        name: text(),
        developerName: fc.oneof(fc.constant('New_Business'), text(10)),
        stageInternalIds: list(fc.oneof(fc.constantFrom('stage.a', 'stage.b'), text(8))),
        isActive: maybe(fc.boolean()),
      }),
      2,
    ),
  }),
  company_details: shaped({
    companyName: text(),
    website: fc.oneof(fc.webUrl(), text()),
    description: text(),
    industry: text(),
    valueProposition: text(),
    competitors: list(text()),
  }),
  meeting_titles: shaped({
    templates: list(
      shaped({
        id: text(10),
        title: fc.oneof(
          text(),
          text().map((t) => `{{company}} ${t}`),
          fc.constant('{{nope}}'),
        ),
        appliesTo: shaped({
          meetingTypes: list(fc.constantFrom('demo', 'discovery', 'other', 'x')),
          externalOnly: maybe(fc.boolean()),
          minAttendees: numberish,
        }),
      }),
    ),
  }),
  alternate_domains: shaped({ domains: list(fc.oneof(fc.domain(), text())) }),
  partnership_domains: shaped({ domains: list(fc.oneof(fc.domain(), text())) }),
  task_settings: shaped({
    defaultDueOffsetDays: numberish,
    defaultPriority: maybe(fc.constantFrom('low', 'medium', 'high')),
    autoCreateFollowUps: maybe(fc.boolean()),
    assignment: maybe(fc.constantFrom('record_owner', 'meeting_host', 'self')),
    crmTaskQueue: fc.option(text()),
  }),
  crm_keys: fc.jsonValue({ maxDepth: 2 }),
  email_templates: shaped({
    templates: list(
      shaped({
        id: text(10),
        kind: maybe(fc.constantFrom('email', 'slack', 'crm_note')),
        name: text(),
        subject: fc.option(text()),
        body: text(),
      }),
    ),
  }),
  advanced_settings: shaped({
    contextNotifications: shaped({
      enabled: maybe(fc.boolean()),
      channels: list(fc.constantFrom('email', 'slack', 'in_app', 'fax')),
      minutesBefore: numberish,
    }),
    autoLogMeetings: maybe(fc.boolean()),
    autoCreateContacts: maybe(fc.boolean()),
    includeInternalMeetings: maybe(fc.boolean()),
    weeklyDigest: maybe(fc.boolean()),
  }),
};

/** Replaced by the caller's current dashboard version before sending, so writes can succeed. */
const CURRENT_VERSION = '<current dashboard version>';

const idempotencyHeader: fc.Arbitrary<Record<string, string>> = fc
  .option(
    fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 250 }),
      fc.constantFrom('same-key', ' ', ''),
    ),
    { freq: 2 },
  )
  .map((key): Record<string, string> => (key === null ? {} : { 'idempotency-key': key }));

// --- the table -----------------------------------------------------------------------------------

type Who = 'admin' | 'admin or member' | 'new admin session' | 'primary admin' | 'anonymous';

interface FuzzInput {
  params: Record<string, string>;
  query: string;
  body: BodyInput | undefined;
  headers: Record<string, string>;
  asMember: boolean;
}

/** What a route is fuzzed with; every part is optional (then: anything). */
interface FuzzSpec {
  who: Who;
  /** Path ids the router accepts: real ones, UUIDs, odd text (≤ 100 characters). */
  params?: () => Record<string, fc.Arbitrary<string>>;
  /** Query parameters the route knows, with odd values. */
  query?: () => Record<string, fc.Arbitrary<string>>;
  /** Bodies close to the route's schema. */
  body?: () => fc.Arbitrary<unknown>;
  /** Path and body generated together (when the body's shape depends on the path). */
  joint?: () => fc.Arbitrary<{ params: Record<string, string>; body: unknown }>;
  headers?: fc.Arbitrary<Record<string, string>>;
  /**
   * Inputs run before the random ones, every time: the failures found so far (kept so that a
   * fix is checked on each run, whatever the random seed).
   */
  examples?: () => Partial<FuzzInput>[];
}

/** An example input: no params, query, body or headers unless given. */
function example(input: Partial<FuzzInput>): FuzzInput {
  return { params: {}, query: '', body: undefined, headers: {}, asMember: false, ...input };
}

const firstTeam = () => world.orgs.acme.teamIds[0] ?? '';
const firstTarget = () => pools.users[0] ?? '';
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const ZERO_UUID = '00000000-0000-1000-8000-000000000000';

/** A path id the router routes (≤ 100 characters, no malformed escape): real, UUID or odd text. */
function routedId(real: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: real.length > 0 ? fc.constantFrom(...real) : fc.uuid() },
    { weight: 1, arbitrary: fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8] }) },
    {
      weight: 2,
      arbitrary: anyString(30)
        .map(pct)
        .filter((id) => id.length <= 100),
    },
  );
}

const cursor = fc.oneof(
  anyString(),
  fc
    .tuple(anyString(20), fc.uuid())
    .map((pair) => Buffer.from(JSON.stringify(pair)).toString('base64url')),
  fc
    .tuple(fc.date({ noInvalidDate: true }), fc.uuid())
    .map(([date, id]) => Buffer.from(`${date.toISOString()}|${id}`).toString('base64url')),
  fc
    .tuple(anyString(12), fc.uuid())
    .map(([t, id]) => Buffer.from(`${t}|${id}`).toString('base64url')),
);
const limit = fc.oneof(
  fc.integer({ min: -5, max: 300 }).map(String),
  fc.constantFrom('1e2', '0x10', '', ' 5', '5.5', 'NaN', 'Infinity', '99999999999999999999'),
);
/** An audit log time bound: ISO date-times and dates (some out of range), or any text. */
const auditInstant = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
  anyString(30),
);
const userIdParam = () => ({ userId: routedId(pools.users) });
/** The sync history's filters (GET /api/syncs and its export). */
const historyFilter = () => ({
  memberId: routedId(pools.users),
  actorId: routedId(pools.users),
  action: fc.oneof(fc.constantFrom('sync_crm', 'sync_settings', 'revert'), anyString(20)),
  status: fc.oneof(fc.constantFrom('applied', 'partial', 'failed'), anyString(20)),
  since: auditInstant,
  until: auditInstant,
});
const crmParam = () => ({ crm: fc.oneof(fc.constantFrom(...CRM_KEYS), routedId()) });
const runParam = () => ({ id: routedId(pools.runs) });
/** An invitation link's token: a real one, one of the same shape, or any path text. */
const tokenParam = () =>
  fc.oneof(
    routedId(pools.tokens),
    fc.base64String({ minLength: 43, maxLength: 44 }).map((t) => t.replace(/[+/=]/g, '_')),
  );
/** A password the setup rules accept. */
const INVITEE_PASSWORD = 'violet kettle under nine lanterns';
const firstRun = () => pools.runs[0] ?? '';

const FUZZ: Record<string, FuzzSpec> = {
  'GET /api/health': { who: 'admin' },
  'GET /api/health/live': { who: 'admin' },
  'GET /api/health/ready': { who: 'admin' },
  'GET /api/members/:userId/drift': {
    who: 'admin',
    params: userIdParam,
    query: () => ({ from: fc.oneof(fc.constant('me'), routedId(pools.users), anyString(120)) }),
  },
  'POST /api/auth/login': {
    who: 'anonymous',
    body: () =>
      shaped({
        email: fc.oneof(fc.emailAddress(), text(), fc.constant(loginTarget.email)),
        password: fc.oneof(text(), fc.constant(WORLD_PASSWORD)),
      }),
    examples: () => [
      { body: json({ email: '\u0000', password: WORLD_PASSWORD }) },
      { body: json({ email: `${loginTarget.email}\u0000`, password: 'x' }) },
    ],
  },
  'POST /api/auth/logout': { who: 'new admin session' },
  'GET /api/me': { who: 'admin or member' },
  'GET /api/sync/categories': { who: 'admin or member' },
  'GET /api/me/settings': { who: 'admin or member' },
  'GET /api/me/settings/:category': {
    who: 'admin or member',
    params: () => ({ category: fc.oneof(fc.constantFrom(...CATEGORY_KEYS), routedId()) }),
  },
  'PUT /api/me/settings/:category': {
    who: 'admin or member',
    joint: () =>
      fc.constantFrom(...CATEGORY_KEYS).chain((category) =>
        shaped(
          {
            value: VALUE_BY_CATEGORY[category],
            dashboardVersion: fc.oneof(
              { weight: 4, arbitrary: fc.constant(CURRENT_VERSION) },
              { weight: 1, arbitrary: numberish },
            ),
          },
          true,
        ).map((body) => ({ params: { category }, body })),
      ),
    params: () => ({ category: fc.oneof(fc.constantFrom(...CATEGORY_KEYS), routedId()) }),
    examples: () => [
      {
        params: { category: 'company_details' },
        body: json({ value: { companyName: 'a\u0000b' }, dashboardVersion: CURRENT_VERSION }),
      },
      {
        params: { category: 'company_details' },
        body: json({ value: { companyName: 'a\ud800b' }, dashboardVersion: CURRENT_VERSION }),
      },
      {
        params: { category: 'custom_properties' },
        body: json({
          value: {
            properties: [
              { crm: 'hubspot', object: 'deal', name: 'x', label: 'a\u0000', type: 'string' },
            ],
          },
          dashboardVersion: CURRENT_VERSION,
        }),
      },
      {
        params: { category: 'meeting_titles' },
        body: json({
          value: { templates: [{ id: 'a', title: 'x\udfff' }] },
          dashboardVersion: CURRENT_VERSION,
        }),
      },
    ],
  },
  'GET /api/me/crm-connections': { who: 'admin or member' },
  'PUT /api/me/crm-connections/:crm': {
    who: 'admin or member',
    params: crmParam,
    body: () =>
      shaped({
        secrets: fc.dictionary(
          fc.oneof(fc.constantFrom('accessToken', 'refreshToken', 'apiToken'), text(10)),
          fc.oneof(text(60), fc.string({ minLength: 8, maxLength: 40 })),
          { maxKeys: 3 },
        ),
        instance: fc.oneof(
          fc.dictionary(
            fc.constantFrom('portalId', 'instanceUrl', 'apiDomain', 'workspaceSlug', 'x'),
            fc.oneof(fc.webUrl(), text(), fc.constant('http://127.0.0.1:9')),
            { maxKeys: 2 },
          ),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        crm: maybe(fc.constantFrom(...CRM_KEYS)),
      }),
    examples: () => [
      {
        params: { crm: 'attio' },
        body: json({ secrets: { accessToken: 'abcdefgh\ud800' }, instance: {} }),
      },
      {
        params: { crm: 'attio' },
        body: json({
          secrets: { accessToken: 'abcdefghij' },
          instance: { workspaceSlug: '\u0000' },
        }),
      },
    ],
  },
  'DELETE /api/me/crm-connections/:crm': { who: 'admin or member', params: crmParam },
  'GET /api/me/crm-connections/connect-options': { who: 'admin or member' },
  'POST /api/me/crm-connections/:crm/oauth': {
    who: 'admin or member',
    params: crmParam,
    body: () =>
      shaped({
        salesforceLogin: maybe(
          fc.oneof(fc.constantFrom('production', 'sandbox', 'my_domain'), text(12)),
        ),
        myDomain: maybe(
          fc.oneof(
            fc.constantFrom(
              'acme.my.salesforce.com',
              'evil.example.com',
              'acme.my.salesforce.com.evil.example',
              'ACME.MY.SALESFORCE.COM',
              '',
              ' ',
            ),
            fc.domain(),
            text(300),
          ),
        ),
        zohoDataCentre: maybe(fc.oneof(fc.constantFrom(...ZOHO_DATA_CENTRES), text(6))),
      }),
    examples: () => [
      { params: { crm: 'salesforce' }, body: json({ salesforceLogin: 'my_domain' }) },
      {
        params: { crm: 'salesforce' },
        body: json({ salesforceLogin: 'my_domain', myDomain: 'a\u0000.my.salesforce.com' }),
      },
      {
        params: { crm: 'salesforce' },
        body: json({
          salesforceLogin: 'my_domain',
          myDomain: `${'a'.repeat(250)}.my.salesforce.com`,
        }),
      },
      { params: { crm: 'zoho' }, body: json({ zohoDataCentre: '__proto__' }) },
      { params: { crm: 'attio' }, body: json({}) },
    ],
  },
  'POST /api/me/crm-connections/:crm/test': { who: 'admin or member', params: crmParam },
  // Follow policies and notifications (issue 16).
  'GET /api/teams/:teamId/policies': {
    who: 'admin',
    params: () => ({ teamId: routedId(pools.teams) }),
  },
  'PUT /api/teams/:teamId/policies/:category': {
    who: 'admin',
    params: () => ({
      teamId: routedId(pools.teams),
      category: fc.oneof(fc.constantFrom(...CATEGORY_KEYS), routedId()),
    }),
    body: () =>
      shaped({
        mode: maybe(fc.constantFrom('manual', 'follow', 'mirror')),
        sourceUserId: maybe(fc.oneof(routedId(pools.users), fc.constant(null))),
        locked: maybe(fc.boolean()),
      }),
  },
  'POST /api/members/:userId/follow/:category/resume': {
    who: 'admin',
    params: () => ({
      userId: routedId(pools.users),
      category: fc.oneof(fc.constantFrom(...CATEGORY_KEYS), routedId()),
    }),
  },
  'POST /api/me/settings/:category/reset': {
    who: 'admin or member',
    params: () => ({ category: fc.oneof(fc.constantFrom(...CATEGORY_KEYS), routedId()) }),
  },
  'GET /api/me/notifications': {
    who: 'admin or member',
    query: () => ({ limit, before: fc.oneof(routedId(), anyString(120)) }),
  },
  'GET /api/me/notifications/unread-count': { who: 'admin or member' },
  'POST /api/me/notifications/read-all': { who: 'admin or member' },
  'POST /api/me/notifications/:notificationId/read': {
    who: 'admin or member',
    params: () => ({ notificationId: routedId() }),
  },
  'POST /api/me/notifications/:notificationId/restore': {
    who: 'admin or member',
    params: () => ({ notificationId: routedId() }),
  },
  'GET /api/me/notification-preferences': { who: 'admin or member' },
  'PUT /api/me/notification-preferences': {
    who: 'admin or member',
    body: () => shaped({ emailDigest: maybe(fc.boolean()) }),
  },
  'GET /api/me/notifications/:notificationId/changes': {
    who: 'admin or member',
    params: () => ({ notificationId: routedId() }),
  },
  'GET /api/teams': { who: 'admin' },
  'GET /api/teams/:teamId/members': {
    who: 'admin',
    params: () => ({ teamId: routedId(pools.teams) }),
    query: () => ({ cursor, limit, q: anyString(250) }),
    examples: () => [
      { params: { teamId: firstTeam() }, query: '?q=%00' },
      {
        params: { teamId: firstTeam() },
        query: `?cursor=${b64(JSON.stringify(['a\u0000', ZERO_UUID]))}`,
      },
    ],
  },
  'POST /api/teams/:teamId/members/:userId': {
    who: 'admin',
    params: () => ({ teamId: routedId(pools.teams), userId: routedId(pools.users) }),
  },
  'DELETE /api/teams/:teamId/members/:userId': {
    who: 'admin',
    params: () => ({ teamId: routedId(pools.teams), userId: routedId(pools.users) }),
  },
  'PATCH /api/members/:userId': {
    who: 'admin',
    params: userIdParam,
    body: () =>
      shaped({
        role: maybe(fc.constantFrom('admin', 'member', 'primary_admin')),
        status: maybe(fc.constantFrom('active', 'deactivated', 'invited')),
      }),
  },
  'POST /api/members/:userId/sync-crm': {
    who: 'admin',
    params: userIdParam,
    headers: idempotencyHeader,
    examples: () => [
      // The same refusal twice with one Idempotency-Key: the replay must still be a problem.
      { params: { userId: 'nobody' }, headers: { 'idempotency-key': 'refusal-crm' } },
      { params: { userId: 'nobody' }, headers: { 'idempotency-key': 'refusal-crm' } },
      { params: { userId: '%00' }, headers: { 'idempotency-key': 'nul-crm' } },
    ],
  },
  'GET /api/members/:userId/sync-crm/preview': {
    who: 'admin',
    params: userIdParam,
    examples: () => [{ params: { userId: '%00' } }, { params: { userId: firstTarget() } }],
  },
  'POST /api/members/:userId/sync-crm/owner-properties': {
    who: 'admin',
    params: userIdParam,
    headers: idempotencyHeader,
    examples: () => [
      { params: { userId: 'nobody' }, headers: { 'idempotency-key': 'refusal-owner' } },
      { params: { userId: 'nobody' }, headers: { 'idempotency-key': 'refusal-owner' } },
      { params: { userId: '%00' }, headers: { 'idempotency-key': 'nul-owner' } },
    ],
  },
  'POST /api/members/:userId/sync-settings': {
    who: 'admin',
    params: userIdParam,
    headers: idempotencyHeader,
    body: () =>
      shaped({
        categories: maybe(list(fc.oneof(fc.constantFrom(...CATEGORY_KEYS), text(12)))),
        dryRun: maybe(fc.boolean()),
      }),
    examples: () => [
      { params: { userId: firstTarget() }, body: json({ categories: ['\u0000'] }) },
      {
        params: { userId: firstTarget() },
        body: json({ categories: ['nope'] }),
        headers: { 'idempotency-key': 'refusal-settings' },
      },
      {
        params: { userId: firstTarget() },
        body: json({ categories: ['nope'] }),
        headers: { 'idempotency-key': 'refusal-settings' },
      },
    ],
  },
  'GET /api/syncs': {
    who: 'admin',
    query: () => ({ ...historyFilter(), cursor, limit }),
    examples: () =>
      [
        '0000-12-31T23:59:59.999Z',
        '+010000-01-01T00:00:00.000Z',
        '-000001-01-01T00:00:00.000Z',
        '-004714-01-01T00:00:00.000Z',
        '-271821-04-20T00:00:00.000Z',
      ].map((iso) => ({ query: `?cursor=${b64(`${iso}|${ZERO_UUID}`)}` })),
  },
  'GET /api/syncs/export': {
    who: 'admin',
    query: () => ({ ...historyFilter(), format: fc.oneof(fc.constant('csv'), anyString(8)) }),
    examples: () => [
      { query: '?since=0000-01-01&until=9999-12-31' },
      { query: '?action=revert&status=partial' },
    ],
  },
  'POST /api/syncs/:syncId/revert': {
    who: 'admin',
    params: () => ({ syncId: routedId(pools.syncs) }),
  },
  'POST /api/bulk-syncs': {
    who: 'admin',
    headers: idempotencyHeader,
    body: () =>
      shaped({
        action: maybe(fc.constantFrom('sync_settings', 'sync_crm', 'revert')),
        memberIds: maybe(list(routedId(pools.users))),
        teamId: maybe(routedId(pools.teams)),
        categories: maybe(list(fc.oneof(fc.constantFrom(...CATEGORY_KEYS), text(12)))),
        dryRun: maybe(fc.boolean()),
      }),
    examples: () => [
      { body: json({ action: 'sync_settings', memberIds: ['\u0000'] }) },
      { body: json({ action: 'sync_settings', teamId: firstTeam(), memberIds: [firstTarget()] }) },
      { body: json({ action: 'sync_crm', teamId: firstTeam(), dryRun: true }) },
      {
        body: json({ action: 'sync_settings', teamId: '\ud800' }),
        headers: { 'idempotency-key': 'refusal-bulk' },
      },
      {
        body: json({ action: 'sync_settings', teamId: '\ud800' }),
        headers: { 'idempotency-key': 'refusal-bulk' },
      },
    ],
  },
  'GET /api/bulk-syncs': { who: 'admin' },
  'GET /api/bulk-syncs/:id': {
    who: 'admin',
    params: runParam,
    query: () => ({
      status: fc.oneof(
        fc.constantFrom('pending', 'applied', 'would_change', 'unchanged', 'failed', 'cancelled'),
        anyString(12),
      ),
      cursor,
      limit,
    }),
    examples: () => [
      ...['{"p":1e400}', '{"p":"1"}', '{"p":-1}', '[1]'].map((raw) => ({
        params: { id: firstRun() },
        query: `?cursor=${b64(raw)}`,
      })),
    ],
  },
  'GET /api/bulk-syncs/:id/events': { who: 'admin', params: runParam },
  'POST /api/bulk-syncs/:id/cancel': { who: 'admin', params: runParam },
  'POST /api/bulk-syncs/:id/retry': { who: 'admin', params: runParam, headers: idempotencyHeader },
  'POST /api/bulk-syncs/:id/revert': {
    who: 'admin',
    params: runParam,
    headers: idempotencyHeader,
  },
  // Provisioning (issue 13).
  'GET /api/members': {
    who: 'admin',
    query: () => ({
      cursor,
      limit,
      q: anyString(250),
      team: fc.oneof(fc.constant('none'), routedId(pools.teams), anyString(120)),
      status: fc.oneof(fc.constantFrom('active', 'invited', 'deactivated'), anyString(12)),
    }),
    examples: () => [
      { query: '?team=%00' },
      { query: '?team=NONE' },
      { query: `?team=${firstTeam()}&status=invited&q=%25_` },
      { query: `?cursor=${b64(JSON.stringify(['a\u0000', ZERO_UUID]))}` },
    ],
  },
  'POST /api/teams': {
    who: 'admin',
    body: () =>
      shaped({ name: fc.oneof(text(130), fc.constantFrom('Sales East', ' sales  EAST ')) }),
    examples: () => [
      { body: json({ name: 'a\u0000b' }) },
      { body: json({ name: '   ' }) },
      { body: json({ name: 'x'.repeat(121) }) },
      { body: json({ name: 'SALES EAST' }) },
      { body: json({ name: 'ergo_scim_0123456789abcdefghijklmnopqrstuvwxyzABCDEF' }) },
    ],
  },
  'PATCH /api/teams/:teamId': {
    who: 'admin',
    params: () => ({ teamId: routedId(pools.teams) }),
    body: () => shaped({ name: fc.oneof(text(130), fc.constantFrom('Sales West', 'sales west ')) }),
    examples: () => [
      { params: { teamId: firstTeam() }, body: json({ name: '\ud800' }) },
      { params: { teamId: firstTeam() }, body: json({ name: 'sales west' }) },
      { params: { teamId: world.orgs.globex.teamIds[0] ?? '' }, body: json({ name: 'Mine' }) },
    ],
  },
  'DELETE /api/teams/:teamId': {
    who: 'admin',
    params: () => ({ teamId: routedId(pools.disposableTeams) }),
  },
  'POST /api/organization/primary-admin': {
    who: 'primary admin',
    body: () => shaped({ userId: routedId(pools.notTransferable) }),
    examples: () => [
      { body: json({ userId: world.orgs.acme.primaryAdminId }) },
      { body: json({ userId: world.people.acme.invited.id }) },
      { body: json({ userId: world.people.globex.member.id }) },
      { body: json({ userId: '\u0000' }) },
      { body: json({ userId: ZERO_UUID.toUpperCase() }) },
    ],
  },
  'POST /api/invitations': {
    who: 'admin',
    body: () =>
      shaped({
        email: fc.oneof(
          fc.emailAddress(),
          text(),
          fc.constantFrom(world.people.acme.member.email, world.people.globex.member.email),
        ),
        name: text(210),
        role: maybe(fc.constantFrom('member', 'admin', 'primary_admin')),
        teamIds: maybe(list(routedId(pools.teams))),
      }),
    examples: () => [
      { body: json({ email: 'a\u0000@example.test', name: 'X', role: 'member', teamIds: [] }) },
      { body: json({ email: 'x@example.test', name: 'X', role: 'primary_admin', teamIds: [] }) },
      {
        body: json({
          email: world.people.globex.member.email.toUpperCase(),
          name: 'X',
          role: 'member',
          teamIds: [],
        }),
      },
      {
        body: json({
          email: 'fuzz-foreign-team@example.test',
          name: 'X',
          role: 'member',
          teamIds: world.orgs.globex.teamIds,
        }),
      },
      {
        body: json({
          email: 'fuzz-odd-team@example.test',
          name: 'X',
          role: 'admin',
          teamIds: ['%00', ZERO_UUID],
        }),
      },
    ],
  },
  'POST /api/members/:userId/invitation/resend': { who: 'admin', params: userIdParam },
  'DELETE /api/members/:userId/invitation': { who: 'admin', params: userIdParam },
  'GET /api/invitations/:token': {
    who: 'anonymous',
    params: () => ({ token: tokenParam() }),
    examples: () => [{ params: { token: '%00' } }, { params: { token: 'x'.repeat(200) } }],
  },
  'POST /api/invitations/:token/accept': {
    who: 'anonymous',
    params: () => ({ token: tokenParam() }),
    body: () =>
      shaped({
        password: fc.oneof(
          text(140),
          fc.constantFrom('password12345', 'short', INVITEE_PASSWORD, 'x'.repeat(129)),
        ),
      }),
    examples: () => [
      { params: { token: pools.tokens[0] ?? '' }, body: json({ password: 'a\u0000'.repeat(8) }) },
      { params: { token: pools.tokens[0] ?? '' }, body: json({ password: 'acme acme acme' }) },
      { params: { token: pools.tokens[0] ?? '' }, body: json({ password: 1e308 }) },
    ],
  },
  'GET /api/dev/outbox': { who: 'admin' },
  'POST /api/scim-tokens': {
    who: 'admin',
    body: () => shaped({ name: text(120) }),
    examples: () => [{ body: json({ name: '\u0000' }) }, { body: json({ name: ' ' }) }],
  },
  // The audit log (issue 15): filters, time ranges and cursors.
  'GET /api/audit-log': {
    who: 'admin',
    query: () => ({
      actor: routedId(pools.users),
      target: routedId(pools.users),
      action: fc.oneof(fc.constantFrom('sync_crm', 'sync_settings_to_user'), anyString(120)),
      since: auditInstant,
      until: auditInstant,
      cursor,
      limit,
    }),
    examples: () => [
      { query: `?cursor=${b64('seq:999999999999999')}` },
      { query: '?since=0000-01-01T00:00:00Z&until=9999-12-31T23:59:59.999Z' },
      { query: '?since=2026-02-30' },
    ],
  },
  'GET /api/audit-log/export': {
    who: 'admin',
    query: () => ({
      format: fc.oneof(fc.constantFrom('jsonl', 'csv'), anyString(8)),
      since: auditInstant,
      until: auditInstant,
    }),
  },
  'GET /api/audit-log/verify': { who: 'admin' },
  'GET /api/audit-log/head': { who: 'admin' },
  // Personal API tokens (issue 15): names, scopes, expiries, ids.
  'POST /api/me/api-tokens': {
    who: 'admin or member',
    body: () =>
      shaped({
        name: maybe(text(120)),
        scopes: maybe(
          fc.array(fc.constantFrom('read', 'sync', 'admin', 'root', ''), { maxLength: 4 }),
        ),
        expiresInDays: maybe(fc.oneof(numberish, fc.constant(null))),
      }),
    examples: () => [
      { body: json({ name: '\u0000', scopes: ['read'], expiresInDays: 1 }) },
      { body: json({ name: 'x', scopes: ['read', 'read', 'read'], expiresInDays: null }) },
      { body: json({ name: 'x', scopes: ['read'], expiresInDays: 365.5 }) },
    ],
  },
  'GET /api/me/api-tokens': { who: 'admin or member' },
  'DELETE /api/me/api-tokens/:tokenId': {
    who: 'admin or member',
    params: () => ({ tokenId: routedId(pools.apiTokens) }),
  },
  'GET /api/scim-tokens': { who: 'admin' },
  'DELETE /api/scim-tokens/:id': {
    who: 'admin',
    params: () => ({ id: routedId(pools.scimTokens) }),
  },
};

/** Routes anyone may call: refused to nobody, so left out of the anonymous property. */
const PUBLIC_ROUTES = [
  'GET /api/health',
  'GET /api/health/live',
  'GET /api/health/ready',
  'POST /api/auth/login',
  'POST /api/auth/logout',
  // An invitation link's own token is the proof (issue 13).
  'GET /api/invitations/:token',
  'POST /api/invitations/:token/accept',
  // Public at the door (demo mode's outbox is public): outside demo mode the route itself asks
  // for a session, after the request was read, so odd input (a NUL in the query) is 400 first.
  // Its 401 and 403 are rows of authorization-matrix.test.ts.
  'GET /api/dev/outbox',
];

const paramNamesOf = (route: string) => [...route.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');

/**
 * Per route: two runs in three close to the schema (routed ids, shaped bodies, the route's own
 * query parameters), the third anything (any body, any query).
 */
function inputFor(route: string, spec: FuzzSpec): fc.Arbitrary<FuzzInput> {
  const paramArbs = spec.params?.() ?? {};
  const params = fc.record(
    Object.fromEntries(paramNamesOf(route).map((name) => [name, paramArbs[name] ?? routedId()])),
  );
  const shapedBody = spec.body ? spec.body().map(json) : anyBody;
  const near = spec.joint
    ? spec.joint().map(({ params: p, body }) => ({ params: p, body: json(body) }))
    : fc.record({ params, body: shapedBody });
  const wild = fc.record({ params, body: anyBody });
  return fc
    .tuple(
      fc.oneof({ weight: 2, arbitrary: near }, { weight: 1, arbitrary: wild }),
      fc.oneof(
        { weight: 2, arbitrary: encodedQuery(spec.query?.() ?? {}) },
        { weight: 1, arbitrary: queryString(spec.query?.() ?? {}) },
      ),
      spec.headers ?? fc.constant({}),
      spec.who === 'admin or member' ? fc.boolean() : fc.constant(false),
    )
    .map(([{ params: p, body }, query, headers, asMember]) => ({
      params: p,
      body,
      query,
      headers,
      asMember,
    }));
}

/** Only the route's own query parameters (when it has any), well encoded. */
function encodedQuery(known: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const names = Object.keys(known);
  if (names.length === 0) return fc.constant('');
  return fc
    .record(known, { requiredKeys: [] })
    .map((record) =>
      encodeQuery(
        Object.entries(record).flatMap(([k, v]) => (v === undefined ? [] : [[k, v] as const])),
      ),
    );
}

async function agentFor(who: Who, asMember: boolean): Promise<Agent | undefined> {
  switch (who) {
    case 'anonymous':
      return undefined;
    case 'new admin session':
      settled = undefined;
      return login(world, world.people.acme.admin);
    case 'admin or member':
      return asMember ? member : admin;
    case 'admin':
      return admin;
    case 'primary admin':
      return owner;
  }
}

async function withCurrentVersion(agent: Agent | undefined, body: BodyInput | undefined) {
  if (!agent || !body?.body.includes(CURRENT_VERSION)) return body;
  const dashboard = await world.database.db
    .selectFrom('dashboards')
    .select('version')
    .where('user_id', '=', agent.userId)
    .executeTakeFirstOrThrow();
  return {
    ...body,
    body: body.body.replace(JSON.stringify(CURRENT_VERSION), String(dashboard.version)),
  };
}

function buildRequest(
  route: string,
  params: Record<string, string>,
  query: string,
  body: BodyInput | undefined,
  headers: Record<string, string> = {},
): HttpRequest {
  const [method, path] = route.split(' ') as [Method, string];
  return {
    method,
    url: fillPath(path, params) + query,
    headers,
    ...(body ? { body: body.body, contentType: body.contentType } : {}),
  };
}

function expectWellFormed(response: LightMyRequestResponse, label: string, stream = false): void {
  expect(response.statusCode, `${label}: ${describeResponse(response)}`).toBeLessThan(500);
  expect(response.body, `${label}: stack trace`).not.toMatch(/\bat .+\.[jt]s:\d+/);
  if (response.statusCode >= 400) {
    expectProblem(response, label);
  } else if (response.statusCode !== 204) {
    expect(response.headers['content-type'], label).toMatch(
      stream ? /^(?:text\/event-stream|application\/x-ndjson|text\/csv)/ : /^application\/json/,
    );
  }
}

/**
 * Routes that answer a stream, not JSON: the bulk run events (Server-Sent Events) and the audit
 * log export (JSON Lines or CSV).
 */
const isEventStream = (request: HttpRequest) =>
  request.method === 'GET' &&
  (/^\/api\/bulk-syncs\/[^/?]*\/events(\?|$)/.test(request.url) ||
    /^\/api\/(audit-log|syncs)\/export(\?|$)/.test(request.url));

/**
 * The fingerprint the database has now, when the last request was checked to have changed
 * nothing: that request's "after" is the next one's "before" (nothing else writes in between),
 * so each run takes one fingerprint instead of two. Cleared by anything that may write.
 */
let settled: Fingerprint | undefined;
beforeEach(() => {
  settled = undefined;
});

async function databaseFingerprint(): Promise<Fingerprint> {
  const current = settled ?? (await fingerprint(world.database.db));
  settled = undefined;
  return current;
}

/** Checks the database is still `before` after a request that may not write, and keeps it. */
async function expectUnchanged(before: Fingerprint, label: string): Promise<void> {
  const after = await fingerprint(world.database.db);
  expect(after, `${label}: database changed`).toEqual(before);
  settled = after;
}

/** Sends the request; asserts no 500, a problem on error, and no write unless 2xx. */
async function checkRequest(agent: Agent | undefined, request: HttpRequest): Promise<void> {
  const label = `${agent ? 'signed in' : 'anonymous'} ${request.method} ${request.url.slice(0, 300)}`;
  const before = await databaseFingerprint();
  const response = await send(world.app, agent, request);
  await settle();
  expectWellFormed(response, label, isEventStream(request));
  if (response.statusCode >= 300 || request.method === 'GET') {
    await expectUnchanged(before, label);
  }
}

// --- the tests -----------------------------------------------------------------------------------

describe('bad input', () => {
  it('fuzzes every route the app serves', () => {
    expect(Object.keys(FUZZ).sort()).toEqual(routesUnderTest(world.app));
  });

  it('odd URLs on any route (malformed escapes, traversal, very long or unicode ids, odd query strings): never a 500, always a problem, no write', async () => {
    const routes = Object.keys(FUZZ);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.dictionary(
          fc.constantFrom('userId', 'teamId', 'syncId', 'category', 'crm', 'id', 'token'),
          pathId([...pools.users, ...pools.teams, ...pools.syncs, ...pools.runs]),
        ),
        queryString({ limit, cursor, memberId: fc.uuid(), q: anyString() }),
        anyBody,
        async (route, ids, query, body) => {
          const spec = FUZZ[route];
          if (!spec) throw new Error(route);
          const params = Object.fromEntries(
            paramNamesOf(route).map((name) => [name, ids[name] ?? '']),
          );
          const agent = spec.who === 'anonymous' ? undefined : admin;
          await checkRequest(agent, buildRequest(route, params, query, body));
        },
      ),
      {
        numRuns: NUM_RUNS * 4,
        examples: [
          ['PATCH /api/members/:userId', { userId: '%zz' }, '', json({ role: 'admin' })],
          ['GET /api/teams/:teamId/members', { teamId: 'a'.repeat(101) }, '', undefined],
        ],
      },
    );
  });

  for (const [route, spec] of Object.entries(FUZZ)) {
    it(`${route}: never a 500, errors are problems with a known code, no partial write`, async () => {
      await fc.assert(
        fc.asyncProperty(inputFor(route, spec), async (input) => {
          const agent = await agentFor(spec.who, input.asMember);
          const body = await withCurrentVersion(agent, input.body);
          await checkRequest(
            agent,
            buildRequest(route, input.params, input.query, body, input.headers),
          );
        }),
        { numRuns: NUM_RUNS, examples: (spec.examples?.() ?? []).map((e) => [example(e)]) },
      );
    });
  }

  // Left out of FUZZ (support/route-inventory.ts): a browser navigation answered with a redirect.
  it('GET /oauth/callback/:crm: whatever the query, signed in or not, a 303 to the connections page, never a 500, no write', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...CRM_KEYS), pathId([])),
        queryString({
          code: anyString(),
          state: fc.oneof(anyString(250), fc.base64String({ minLength: 43, maxLength: 44 })),
          error: fc.oneof(fc.constantFrom('access_denied', 'server_error'), anyString()),
          'accounts-server': fc.oneof(
            fc.constantFrom(
              'https://evil.example',
              'https://accounts.zoho.eu',
              'http://127.0.0.1:9',
            ),
            anyString(),
          ),
          location: anyString(6),
        }),
        fc.boolean(),
        async (crm, query, signedIn) => {
          const agent = signedIn ? admin : undefined;
          const request: HttpRequest = { method: 'GET', url: `/oauth/callback/${crm}${query}` };
          const label = `${signedIn ? 'signed in' : 'anonymous'} ${request.url.slice(0, 300)}`;
          const before = await databaseFingerprint();
          const response = await send(world.app, agent, request);
          expect(response.statusCode, `${label}: ${describeResponse(response)}`).toBeLessThan(500);
          expect(response.body, `${label}: stack trace`).not.toMatch(/\bat .+\.[jt]s:\d+/);
          if (response.statusCode >= 400) {
            // Refused by the router (a malformed escape, a path value over 100 characters).
            expectProblem(response, label);
          } else {
            expect(response.statusCode, label).toBe(303);
            const location = new URL(String(response.headers.location), 'http://app.invalid');
            expect(location.origin, label).toBe('http://app.invalid');
            expect(location.pathname, label).toBe('/settings/crm-connections');
            expect(location.searchParams.get('connected'), label).toBeNull();
            expect(location.searchParams.get('error'), label).toEqual(expect.any(String));
          }
          await expectUnchanged(before, label);
        },
      ),
      {
        numRuns: NUM_RUNS * 4,
        examples: [
          ['hubspot', '?state=%00&code=x', true],
          ['zoho', '?state=x&accounts-server=https%3A%2F%2Fevil.example', true],
          ['hubspot', '?error=access_denied', false],
          ['%2e%2e', '', true],
        ],
      },
    );
  });

  it('anonymous: whatever the input, a non-public route answers 401 unauthenticated and changes nothing', async () => {
    const routes = Object.keys(FUZZ).filter((route) => !PUBLIC_ROUTES.includes(route));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.dictionary(
          fc.constantFrom('userId', 'teamId', 'syncId', 'category', 'crm', 'id', 'token'),
          routedId(),
        ),
        queryString({ limit, cursor, memberId: fc.uuid(), q: anyString() }),
        anyBody,
        async (route, ids, query, body) => {
          const params = Object.fromEntries(
            paramNamesOf(route).map((name) => [name, ids[name] ?? 'x']),
          );
          const request = buildRequest(route, params, query, body);
          const label = `anonymous ${request.method} ${request.url.slice(0, 300)}`;
          const before = await databaseFingerprint();
          const response = await send(world.app, undefined, request);
          expect(response.statusCode, `${label}: ${describeResponse(response)}`).toBe(401);
          expect(expectProblem(response, label)).toBe('unauthenticated');
          await expectUnchanged(before, label);
        },
      ),
      {
        numRuns: NUM_RUNS * 4,
        examples: [['PATCH /api/members/:userId', { userId: ZERO_UUID }, '', undefined]],
      },
    );
  });
});

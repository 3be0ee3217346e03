import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INPUT_DEPTH } from '#src/domain/text.ts';
import { createOAuthProviders } from '#src/integrations/crm/oauth/oauth-providers.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { hashPassword } from '#src/services/auth/password.ts';
import { insertOrganization, insertUser } from '#tests/factories/organization.factory.ts';
import { fingerprint, GUARDED_TABLES } from '#tests/integration/http/support/db-fingerprint.ts';
import { describeResponse, expectProblem, send } from '#tests/integration/http/support/http.ts';
import { fillPath, routesUnderTest } from '#tests/integration/http/support/route-inventory.ts';
import { buildTestApp, loginAs, type Agent, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * A fixed corpus of hostile bodies (issue 9) sent to every state-changing route, anonymously and
 * as an admin with a valid CSRF token: bodies at and over the size limit, nested 10,000 levels
 * and one level past the depth limit, wrong types, NUL, lone surrogates, `__proto__` and
 * `constructor` keys, numbers JSON cannot hold (1e400, 2^64), malformed ids in the path,
 * duplicate categories. Whatever comes in: never a 5xx, always an application/problem+json with
 * a stable code, and nothing written (support/db-fingerprint.ts) — the targets in the path do not
 * exist or are the caller's own, so no corpus body may succeed. bad-input.test.ts fuzzes the same
 * routes at random; this file keeps the known-hostile cases on every run.
 */

const PASSWORD = 'hostile-password';
const DEEP = 10_000;
const DEEP_DETAIL = `The request body is nested too deeply (more than ${MAX_INPUT_DEPTH} levels).`;

/** Routes an anonymous caller reaches (the others answer 401 before reading the body). */
const PUBLIC_ROUTES = new Set<string>([
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/invitations/:token/accept',
]);
/** Takes no body and always ends the session: a body the door lets through may get its 204. */
const LOGOUT = 'POST /api/auth/logout';
/**
 * Takes no body and names no target: a body the door lets through may get its 204 (the admin has
 * no notification, so nothing is written, which the fingerprint checks).
 */
const NO_TARGET_WRITES = new Set([LOGOUT, 'POST /api/me/notifications/read-all']);

type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'array';

interface RouteShape {
  /** Path values that exist (the caller's own) or name nothing: no corpus body may write. */
  params: () => Record<string, string>;
  /** A well-formed body (never sent as is): the corpus mutates its fields one at a time. */
  fields: Record<string, { type: FieldType; valid: unknown }>;
}

let database: TestDatabase;
let testApp: TestApp;
let app: FastifyInstance;
let uow: UnitOfWork;
let admin: Agent;
/** Logout ends its session: a session of its own, renewed when a request logged it out. */
let logoutAgent: Agent;
let adminEmail: string;
let memberId: string;
let teamId: string;
let bodyLimit: number;
/** Ids of nothing: the route must refuse (or 404) whatever the body. */
const NOBODY = randomUUID();
const NO_SYNC = randomUUID();
const NO_TEAM = randomUUID();
const NO_RUN = randomUUID();
const NO_SCIM_TOKEN = randomUUID();
const ADMIN_EMAIL = `hostile-admin-${randomUUID().slice(0, 8)}@example.test`;
/** An invitation link's token that was never issued: accepting it is 410 whatever the body. */
const NO_INVITATION = 'hostileNeverIssuedInvitationToken0123456789A';
/** The team of the admin's organization: its name is taken, so creating it again would be 409. */
const TEAM_NAME = 'Hostile bodies';

const SHAPES: Record<string, RouteShape> = {
  'POST /api/auth/login': {
    params: () => ({}),
    fields: {
      email: { type: 'string', valid: 'nobody@example.test' },
      password: { type: 'string', valid: 'not-the-password' },
    },
  },
  'POST /api/auth/logout': { params: () => ({}), fields: {} },
  'PUT /api/me/settings/:category': {
    params: () => ({ category: 'custom_properties' }),
    fields: {
      value: { type: 'object', valid: { properties: [] } },
      dashboardVersion: { type: 'number', valid: 0 },
    },
  },
  'PUT /api/me/crm-connections/:crm': {
    params: () => ({ crm: 'hubspot' }),
    fields: {
      secrets: { type: 'object', valid: { accessToken: 'pat-na1-hostile-0123456789' } },
      instance: { type: 'object', valid: {} },
    },
  },
  'DELETE /api/me/crm-connections/:crm': { params: () => ({ crm: 'hubspot' }), fields: {} },
  // "Connect Salesforce" is configured here: a body that got through would answer 200 and store
  // a pending state, which the fingerprint would show.
  'POST /api/me/crm-connections/:crm/oauth': {
    params: () => ({ crm: 'salesforce' }),
    fields: {
      salesforceLogin: { type: 'string', valid: 'my_domain' },
      myDomain: { type: 'string', valid: 'acme.my.salesforce.com' },
    },
  },
  // The admin has no HubSpot connection: a body that got through would be 404.
  'POST /api/me/crm-connections/:crm/test': { params: () => ({ crm: 'hubspot' }), fields: {} },
  // Follow policies and notifications (issue 16): no such team, member or notification; the
  // admin's own categories follow nobody, and the admin has no notification to mark read.
  'PUT /api/teams/:teamId/policies/:category': {
    params: () => ({ teamId: NOBODY, category: 'pipeline_stages' }),
    fields: {
      mode: { type: 'string', valid: 'follow' },
      sourceUserId: { type: 'string', valid: NOBODY },
      locked: { type: 'boolean', valid: false },
    },
  },
  'POST /api/members/:userId/follow/:category/resume': {
    params: () => ({ userId: NOBODY, category: 'pipeline_stages' }),
    fields: {},
  },
  'POST /api/me/settings/:category/reset': {
    params: () => ({ category: 'pipeline_stages' }),
    fields: {},
  },
  'POST /api/me/notifications/read-all': { params: () => ({}), fields: {} },
  'POST /api/me/notifications/:notificationId/read': {
    params: () => ({ notificationId: NOBODY }),
    fields: {},
  },
  'POST /api/me/notifications/:notificationId/restore': {
    params: () => ({ notificationId: NOBODY }),
    fields: {},
  },
  'PUT /api/me/notification-preferences': {
    params: () => ({}),
    fields: { emailDigest: { type: 'boolean', valid: true } },
  },
  'POST /api/teams/:teamId/members/:userId': {
    params: () => ({ teamId, userId: NOBODY }),
    fields: {},
  },
  'DELETE /api/teams/:teamId/members/:userId': {
    params: () => ({ teamId, userId: NOBODY }),
    fields: {},
  },
  'PATCH /api/members/:userId': {
    params: () => ({ userId: NOBODY }),
    fields: {
      role: { type: 'string', valid: 'member' },
      status: { type: 'string', valid: 'active' },
    },
  },
  'POST /api/members/:userId/sync-crm': { params: () => ({ userId: NOBODY }), fields: {} },
  'POST /api/members/:userId/sync-crm/owner-properties': {
    params: () => ({ userId: NOBODY }),
    fields: {},
  },
  'POST /api/members/:userId/sync-settings': {
    params: () => ({ userId: NOBODY }),
    fields: {
      categories: { type: 'array', valid: ['company_details'] },
      dryRun: { type: 'boolean', valid: true },
    },
  },
  'POST /api/syncs/:syncId/revert': { params: () => ({ syncId: NO_SYNC }), fields: {} },
  // A team of nobody: a body that got through validation would be 404, never a run.
  'POST /api/bulk-syncs': {
    params: () => ({}),
    fields: {
      action: { type: 'string', valid: 'sync_settings' },
      teamId: { type: 'string', valid: NO_TEAM },
      categories: { type: 'array', valid: ['company_details'] },
      dryRun: { type: 'boolean', valid: true },
    },
  },
  'POST /api/bulk-syncs/:id/cancel': { params: () => ({ id: NO_RUN }), fields: {} },
  'POST /api/bulk-syncs/:id/retry': { params: () => ({ id: NO_RUN }), fields: {} },
  'POST /api/bulk-syncs/:id/revert': { params: () => ({ id: NO_RUN }), fields: {} },
  // Provisioning (issue 13). Each body that got through would still be refused: a team name
  // already taken (409), a team, user, token or link of nobody (404, 410), an email already used
  // (409), a caller who is not the primary admin (403), a blank SCIM token name (400).
  'POST /api/teams': {
    params: () => ({}),
    fields: { name: { type: 'string', valid: TEAM_NAME } },
  },
  'PATCH /api/teams/:teamId': {
    params: () => ({ teamId: NO_TEAM }),
    fields: { name: { type: 'string', valid: 'Renamed' } },
  },
  'DELETE /api/teams/:teamId': { params: () => ({ teamId: NO_TEAM }), fields: {} },
  'POST /api/organization/primary-admin': {
    params: () => ({}),
    fields: { userId: { type: 'string', valid: NOBODY } },
  },
  'POST /api/invitations': {
    params: () => ({}),
    fields: {
      email: { type: 'string', valid: ADMIN_EMAIL },
      name: { type: 'string', valid: 'Hostile Invitee' },
      role: { type: 'string', valid: 'member' },
      teamIds: { type: 'array', valid: [NO_TEAM] },
    },
  },
  'POST /api/members/:userId/invitation/resend': { params: () => ({ userId: NOBODY }), fields: {} },
  'DELETE /api/members/:userId/invitation': { params: () => ({ userId: NOBODY }), fields: {} },
  'POST /api/invitations/:token/accept': {
    params: () => ({ token: NO_INVITATION }),
    fields: { password: { type: 'string', valid: 'violet kettle under nine lanterns' } },
  },
  'POST /api/scim-tokens': {
    params: () => ({}),
    fields: { name: { type: 'string', valid: ' ' } },
  },
  'DELETE /api/scim-tokens/:id': { params: () => ({ id: NO_SCIM_TOKEN }), fields: {} },
  'POST /api/me/api-tokens': {
    params: () => ({}),
    fields: {
      name: { type: 'string', valid: ' ' },
      scopes: { type: 'array', valid: ['read'] },
      expiresInDays: { type: 'number', valid: 1 },
    },
  },
  'DELETE /api/me/api-tokens/:tokenId': { params: () => ({ tokenId: NO_SCIM_TOKEN }), fields: {} },
};

/**
 * The bulk tables are not among support/db-fingerprint.ts's GUARDED_TABLES (yet): counted here
 * as well, so no hostile body is seen to start a run.
 */
const BULK_TABLES = (['bulk_runs', 'bulk_run_members'] as const).filter(
  (table) => !(GUARDED_TABLES as readonly string[]).includes(table),
);

async function databaseFingerprint(): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { ...(await fingerprint(database.db)) };
  for (const table of BULK_TABLES) {
    const { rows } = await sql<{ rows: number; digest: string }>`
      select count(*)::int as rows,
        md5(coalesce(string_agg(t::text, E'\n' order by t::text), '')) as digest
      from ${sql.table(table)} t`.execute(database.db);
    result[table] = rows[0];
  }
  return result;
}

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database, {
    // Authorization URLs need no network: nothing listens at this base URL.
    oauth: createOAuthProviders(
      { salesforce: { clientId: 'ergo-hostile-sf', clientSecret: 'hostile-sf-secret-0123456789' } },
      { baseUrls: { salesforce: 'http://127.0.0.1:9' } },
    ),
  });
  app = testApp.app;
  bodyLimit = app.initialConfig.bodyLimit ?? 0;
  uow = createUnitOfWork(database.db);
  const { organizationId } = await insertOrganization(uow);
  const passwordHash = await hashPassword(PASSWORD);
  adminEmail = ADMIN_EMAIL;
  const ids = await uow.transaction(async (repos) => {
    await insertUser(repos, organizationId, { role: 'admin', email: adminEmail, passwordHash });
    const member = await insertUser(repos, organizationId);
    const [team] = await repos.teams.insertMany(organizationId, [TEAM_NAME]);
    if (!team) throw new Error('team not inserted');
    await repos.teams.addMembers(organizationId, [{ teamId: team.id, userId: member.id }]);
    return { memberId: member.id, teamId: team.id };
  });
  memberId = ids.memberId;
  teamId = ids.teamId;
  admin = await loginAs(app, adminEmail, PASSWORD);
  logoutAgent = await loginAs(app, adminEmail, PASSWORD);
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

// --- the corpus ----------------------------------------------------------------------------------

interface Hostile {
  name: string;
  /** JSON text (or not), sent as is. */
  body: string;
  contentType?: string;
  /** Path values replacing the route's own (malformed ids). */
  params?: Record<string, string>;
  /**
   * Refused before any route sees it (size, depth, unstorable text, prototype keys): 400
   * `invalid_request` on every route that reads its body, logout included.
   */
  door: boolean;
  /** The problem's detail must equal this (door refusals with a fixed message). */
  detail?: string;
  /** The problem's detail must not contain this. */
  notDetail?: string;
  /** A path the router refuses (400, see ROUTER_REFUSES) before any session check. */
  router?: boolean;
}

const nestedArrays = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const nestedObjects = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

/** `{"x":"aaa…"}` with `field` (default x) padded so the text is exactly `bytes` long. */
function sized(bytes: number, base: Record<string, unknown> = {}, field = 'x'): string {
  const empty = JSON.stringify({ ...base, [field]: '' });
  const marker = `"${field}":""`;
  const at = empty.indexOf(marker) + marker.length - 1;
  return empty.slice(0, at) + 'a'.repeat(bytes - empty.length) + empty.slice(at);
}

/** `base` with `field` set to raw JSON text (numbers JSON.stringify cannot write). */
function withRaw(base: Record<string, unknown>, field: string, raw: string): string {
  return JSON.stringify({ ...base, [field]: '\u0001RAW\u0001' }).replace(
    JSON.stringify('\u0001RAW\u0001'),
    raw,
  );
}

const WRONG_TYPE_VALUES: Record<FieldType, unknown> = {
  string: 'text',
  number: 42,
  boolean: true,
  object: {},
  array: [],
};
const HUGE_NUMBERS = ['1e400', '-1e400', '18446744073709551616', '9007199254740993'];
/** Path values no route accepts as an id (sent raw: malformed escapes are part of the test). */
const MALFORMED_IDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-00000000000g',
  '00000000-0000-0000-0000-0000000000000',
  '00000000000000000000000000000000',
  '{00000000-0000-0000-0000-000000000000}',
  '%00',
  '%ZZ',
  '%ED%A0%80',
  '..%2F..%2Fapi%2Fteams',
  'a'.repeat(101),
  '-1',
  '1e400',
  '%F0%9F%98%80',
];
/**
 * Answered by the router before any session check (app.ts frameworkErrors): malformed escapes (a
 * bad hex digit, an encoded lone surrogate) and a path value over 100 characters.
 */
const ROUTER_REFUSES = ['%ZZ', '%ED%A0%80', 'a'.repeat(101)];

/** Bodies every route gets, whatever its shape. */
function genericCorpus(): Hostile[] {
  return [
    { name: 'over the body limit', body: sized(bodyLimit + 1), door: true },
    {
      name: `${DEEP} nested arrays`,
      body: nestedArrays(DEEP),
      door: true,
      detail: DEEP_DETAIL,
    },
    {
      name: `${DEEP} nested objects`,
      body: nestedObjects(DEEP),
      door: true,
      detail: DEEP_DETAIL,
    },
    {
      name: `arrays nested one level past the limit (${MAX_INPUT_DEPTH + 1})`,
      body: nestedArrays(MAX_INPUT_DEPTH + 1),
      door: true,
      detail: DEEP_DETAIL,
    },
    {
      name: `objects nested one level past the limit (${MAX_INPUT_DEPTH + 1})`,
      body: nestedObjects(MAX_INPUT_DEPTH + 1),
      door: true,
      detail: DEEP_DETAIL,
    },
    {
      name: `arrays nested exactly to the limit (${MAX_INPUT_DEPTH})`,
      body: nestedArrays(MAX_INPUT_DEPTH),
      door: false,
      notDetail: 'nested too deeply',
    },
    { name: 'NUL in a value', body: JSON.stringify({ x: 'a\u0000b' }), door: true },
    { name: 'NUL in a key', body: JSON.stringify({ 'a\u0000': 1 }), door: true },
    { name: 'a lone high surrogate', body: JSON.stringify({ x: 'a\ud800' }), door: true },
    { name: 'a lone low surrogate', body: JSON.stringify(['\udc00b']), door: true },
    { name: 'a lone surrogate in a key', body: JSON.stringify({ '\udbff': 1 }), door: true },
    { name: '__proto__ key', body: '{"__proto__":{"isAdmin":true}}', door: true },
    { name: 'nested __proto__ key', body: '{"a":[{"b":{"__proto__":{"x":1}}}]}', door: true },
    {
      name: 'escaped __proto__ key',
      body: '{"\\u005f\\u005fproto\\u005f\\u005f":{"isAdmin":true}}',
      door: true,
    },
    {
      name: 'constructor.prototype key',
      body: '{"constructor":{"prototype":{"isAdmin":true}}}',
      door: true,
    },
    { name: 'malformed JSON', body: '{"a":', door: true },
    { name: 'an XML body', body: '<a/>', contentType: 'application/xml', door: true },
    { name: 'JSON sent as text/plain', body: '{}', contentType: 'text/plain', door: false },
    {
      name: 'NUL in a text/plain body',
      body: 'a\u0000b',
      contentType: 'text/plain',
      door: true,
    },
    { name: 'top-level array', body: '[]', door: false },
    { name: 'top-level string', body: '"text"', door: false },
    { name: 'top-level number', body: '42', door: false },
    { name: 'top-level huge number', body: '1e400', door: false },
    { name: 'top-level null', body: 'null', door: false },
    { name: 'top-level true', body: 'true', door: false },
    {
      name: 'duplicate categories',
      body: JSON.stringify({ categories: ['company_details', 'company_details'] }),
      door: false,
    },
    { name: 'a huge number under an unknown key', body: '{"x":1e400}', door: false },
  ];
}

/** Bodies shaped like the route's own, with one field made hostile. */
function shapedCorpus(route: string): Hostile[] {
  const shape = SHAPES[route];
  if (!shape) throw new Error(`no shape for ${route}`);
  const base = Object.fromEntries(Object.entries(shape.fields).map(([k, f]) => [k, f.valid]));
  const fields = Object.entries(shape.fields);
  const stringField = fields.find(([, f]) => f.type === 'string')?.[0];
  const corpus: Hostile[] = [
    {
      name: 'exactly at the body limit (the largest body read)',
      body: sized(bodyLimit, base, stringField),
      door: false,
      notDetail: 'could not be read',
    },
  ];
  for (const [field, spec] of fields) {
    for (const [type, value] of Object.entries(WRONG_TYPE_VALUES)) {
      if (type === spec.type) continue;
      corpus.push({
        name: `${field} as ${type}`,
        body: JSON.stringify({ ...base, [field]: value }),
        door: false,
      });
    }
    corpus.push({
      name: `${field} as null`,
      body: JSON.stringify({ ...base, [field]: null }),
      door: false,
    });
    for (const raw of HUGE_NUMBERS) {
      corpus.push({ name: `${field} as ${raw}`, body: withRaw(base, field, raw), door: false });
    }
    corpus.push(
      {
        name: `${field} nested one level past the limit`,
        body: withRaw(base, field, nestedArrays(MAX_INPUT_DEPTH)),
        door: true,
        detail: DEEP_DETAIL,
      },
      {
        name: `${field} nested ${DEEP} levels`,
        body: withRaw(base, field, nestedObjects(DEEP)),
        door: true,
        detail: DEEP_DETAIL,
      },
      {
        name: `NUL in ${field}`,
        body: JSON.stringify({ ...base, [field]: '\u0000' }),
        door: true,
      },
      {
        name: `a lone surrogate in ${field}`,
        body: JSON.stringify({ ...base, [field]: '\ud83d' }),
        door: true,
      },
      {
        name: `__proto__ beside ${field}`,
        body: withRaw(base, field, '{"__proto__":{"isAdmin":true}}'),
        door: true,
      },
    );
  }
  const params = shape.params();
  for (const name of Object.keys(params)) {
    for (const malformed of MALFORMED_IDS) {
      corpus.push({
        name: `:${name} = ${malformed.slice(0, 40)}`,
        body: JSON.stringify(base),
        params: { ...params, [name]: malformed },
        // A NUL in the path is refused like one in the body.
        door: malformed === '%00' || ROUTER_REFUSES.includes(malformed),
        router: ROUTER_REFUSES.includes(malformed),
      });
    }
  }
  return corpus;
}

// --- the checks ----------------------------------------------------------------------------------

type Pass = 'anonymous' | 'admin';

async function sendHostile(
  pass: Pass,
  route: string,
  hostile: Hostile,
): Promise<LightMyRequestResponse> {
  const [method = '', path = ''] = route.split(' ');
  const shape = SHAPES[route];
  if (!shape) throw new Error(`no shape for ${route}`);
  const agent = pass === 'anonymous' ? undefined : route === LOGOUT ? logoutAgent : admin;
  const response = await send(app, agent, {
    method: method as 'POST',
    url: fillPath(path, hostile.params ?? shape.params()),
    body: hostile.body,
    contentType: hostile.contentType ?? 'application/json',
  });
  if (pass === 'admin' && route === LOGOUT && response.statusCode === 204) {
    logoutAgent = await loginAs(app, adminEmail, PASSWORD);
  }
  return response;
}

function check(pass: Pass, route: string, hostile: Hostile, response: LightMyRequestResponse) {
  const label = `${pass} ${route} with ${hostile.name}: ${describeResponse(response)}`;
  expect(response.statusCode, label).toBeLessThan(500);
  if (pass === 'anonymous' && !PUBLIC_ROUTES.has(route) && !hostile.router) {
    expect(response.statusCode, label).toBe(401);
    expect(expectProblem(response, label)).toBe('unauthenticated');
    return;
  }
  if (NO_TARGET_WRITES.has(route) && !hostile.door && response.statusCode === 204) return;
  expect(response.statusCode, label).toBeGreaterThanOrEqual(400);
  const code = expectProblem(response, label);
  const detail = response.json<{ detail: string }>().detail;
  if (hostile.door) expect(code, label).toBe('invalid_request');
  if (hostile.detail !== undefined) expect(detail, label).toBe(hostile.detail);
  if (hostile.notDetail !== undefined) expect(detail, label).not.toContain(hostile.notDetail);
}

const ROUTES = Object.keys(SHAPES).sort();

describe('hostile bodies', () => {
  it('the corpus covers every state-changing route of the app', () => {
    const stateChanging = routesUnderTest(app).filter((r) => !r.startsWith('GET '));
    expect(ROUTES).toEqual([...stateChanging].sort());
  });

  describe.each<Pass>(['anonymous', 'admin'])('sent %s', (pass) => {
    it.each(ROUTES)(
      '%s: never a 5xx, always a problem with a stable code, nothing written',
      async (route) => {
        const before = await databaseFingerprint();
        for (const hostile of [...genericCorpus(), ...shapedCorpus(route)]) {
          check(pass, route, hostile, await sendHostile(pass, route, hostile));
        }
        await testApp.queue?.idle();
        expect(await databaseFingerprint(), `${pass} ${route}`).toEqual(before);
      },
    );
  });

  it('duplicate categories in Sync Settings to User are counted once, and more than 20 are refused', async () => {
    const before = await fingerprint(database.db);
    const preview = await send(app, admin, {
      method: 'POST',
      url: `/api/members/${memberId}/sync-settings`,
      body: {
        categories: ['company_details', 'alternate_domains', 'company_details'],
        dryRun: true,
      },
    });
    expect(preview.statusCode, describeResponse(preview)).toBe(200);
    const categories = preview.json<{ categories: { category: string }[] }>().categories;
    expect(categories.map((c) => c.category).sort()).toEqual([
      'alternate_domains',
      'company_details',
    ]);
    const tooMany = await send(app, admin, {
      method: 'POST',
      url: `/api/members/${memberId}/sync-settings`,
      body: { categories: Array.from({ length: 21 }, () => 'company_details') },
    });
    expect(tooMany.statusCode, describeResponse(tooMany)).toBe(400);
    expect(expectProblem(tooMany, 'more than 20 categories')).toBe('invalid_request');
    expect(await fingerprint(database.db)).toEqual(before);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InsertedOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { loginAs, request } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';
import {
  buildScimApp,
  createToken,
  ERROR_SCHEMA,
  filterQuery,
  GROUP_SCHEMA,
  insertOrg,
  PATCH_OP,
  scim,
  USER_SCHEMA,
  type ScimWorld,
} from '#tests/integration/scim/scim-support.ts';

let database: TestDatabase;
let world: ScimWorld;
let acme: InsertedOrganizationWithPeople;
let globex: InsertedOrganizationWithPeople;
let acmeToken: { id: string; token: string };
let globexToken: { id: string; token: string };

beforeAll(async () => {
  database = await createTestDatabase();
  world = await buildScimApp(database);
  acme = await insertOrg(world, { members: [{ teams: ['Sales'] }, { teams: ['Sales'] }] });
  globex = await insertOrg(world, { teams: ['Globex team'] });
  acmeToken = await createToken(world.app, acme.admins[0]?.email ?? '', 'Okta');
  globexToken = await createToken(world.app, globex.admins[0]?.email ?? '', 'Okta');
});
afterAll(async () => {
  await world.close();
  await database.close();
});

async function createUser(token: string, userName: string, extra: Record<string, unknown> = {}) {
  return scim(world.app, token, 'POST', '/Users', {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'New', familyName: 'Person' },
    active: true,
    ...extra,
  });
}

describe('a SCIM token sees only its organization', () => {
  it("another organization's users and teams are 404 and absent from lists and filters", async () => {
    const acmeUserId = acme.members[0]?.id ?? '';
    const acmeTeamId = acme.teamIds.Sales ?? '';
    const t = globexToken.token;
    expect((await scim(world.app, t, 'GET', `/Users/${acmeUserId}`)).statusCode).toBe(404);
    expect((await scim(world.app, t, 'GET', `/Groups/${acmeTeamId}`)).statusCode).toBe(404);
    const patch = await scim(world.app, t, 'PATCH', `/Users/${acmeUserId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(patch.statusCode).toBe(404);
    expect(patch.json()).toEqual({
      schemas: [ERROR_SCHEMA],
      status: '404',
      detail: 'No User with that id in this organization.',
    });
    expect((await scim(world.app, t, 'DELETE', `/Users/${acmeUserId}`)).statusCode).toBe(404);
    expect((await scim(world.app, t, 'DELETE', `/Groups/${acmeTeamId}`)).statusCode).toBe(404);
    const byName = await scim(
      world.app,
      t,
      'GET',
      `/Users?${filterQuery(`userName eq "${acme.members[0]?.email ?? ''}"`)}`,
    );
    expect(byName.json()).toMatchObject({ totalResults: 0, Resources: [] });
    const users = await scim(world.app, t, 'GET', '/Users');
    const ids = users.json<{ Resources: { id: string }[] }>().Resources.map((r) => r.id);
    expect(ids).not.toContain(acmeUserId);
    expect(ids).toHaveLength(3);
    const groups = await scim(world.app, t, 'GET', '/Groups');
    expect(groups.json<{ Resources: { displayName: string }[] }>().Resources).toEqual([
      expect.objectContaining({ displayName: 'Globex team' }),
    ]);
    // Nothing changed in Acme.
    const status = await database.db
      .selectFrom('users')
      .select('status')
      .where('id', '=', acmeUserId)
      .executeTakeFirstOrThrow();
    expect(status.status).toBe('active');
    const team = await database.db
      .selectFrom('teams')
      .select('id')
      .where('id', '=', acmeTeamId)
      .execute();
    expect(team).toHaveLength(1);
  });

  it("a user of another organization can't be added to a team (400 invalidValue)", async () => {
    const response = await scim(
      world.app,
      globexToken.token,
      'PATCH',
      `/Groups/${globex.teamIds['Globex team'] ?? ''}`,
      {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: acme.members[0]?.id }] }],
      },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });
});

describe('authentication', () => {
  it('no token, an unknown token and a session cookie without a token are 401 in SCIM format', async () => {
    const admin = await loginAs(world.app, acme.admins[0]?.email ?? '', TEST_PASSWORD);
    const cases = [
      await scim(world.app, undefined, 'GET', '/Users'),
      await scim(world.app, 'ergo_scim_not-a-real-token', 'GET', '/Users'),
      await world.app.inject({
        method: 'GET',
        url: '/scim/v2/Users',
        headers: { cookie: admin.cookie },
      }),
    ];
    for (const response of cases) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/scim+json');
      expect(response.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: '401' });
    }
  });

  it('a revoked token is refused with 401 at once', async () => {
    const { id, token } = await createToken(world.app, acme.admins[0]?.email ?? '', 'To revoke');
    expect((await scim(world.app, token, 'GET', '/Users')).statusCode).toBe(200);
    const admin = await loginAs(world.app, acme.admins[0]?.email ?? '', TEST_PASSWORD);
    const revoked = await request(world.app, admin, 'DELETE', `/api/scim-tokens/${id}`);
    expect(revoked.statusCode).toBe(204);
    const after = await scim(world.app, token, 'GET', '/Users');
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: '401' });
  });

  it('records when a token was last used', async () => {
    const unused = await database.db
      .selectFrom('scim_tokens')
      .select('last_used_at')
      .where('id', '=', acmeToken.id)
      .executeTakeFirstOrThrow();
    expect(unused.last_used_at).toBeNull();
    expect((await scim(world.app, acmeToken.token, 'GET', '/Users')).statusCode).toBe(200);
    const row = await database.db
      .selectFrom('scim_tokens')
      .select('last_used_at')
      .where('id', '=', acmeToken.id)
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).toBeInstanceOf(Date);
  });
});

describe('SCIM errors', () => {
  it('a filter other than userName eq / externalId eq is 400 invalidFilter', async () => {
    for (const filter of [
      'userName co "a"',
      'emails.value eq "a@b.test"',
      'userName eq "a" and active eq true',
      'userName eq unquoted',
    ]) {
      const response = await scim(
        world.app,
        acmeToken.token,
        'GET',
        `/Users?${filterQuery(filter)}`,
      );
      expect(response.statusCode, filter).toBe(400);
      expect(response.json()).toMatchObject({
        schemas: [ERROR_SCHEMA],
        status: '400',
        scimType: 'invalidFilter',
      });
    }
    const groups = await scim(
      world.app,
      acmeToken.token,
      'GET',
      `/Groups?${filterQuery('id eq "x" and members eq "y"')}`,
    );
    expect(groups.json()).toMatchObject({ status: '400', scimType: 'invalidFilter' });
  });

  it('a userName already used here or in another organization is 409 uniqueness (nothing created)', async () => {
    for (const email of [acme.members[0]?.email ?? '', globex.members[0]?.email ?? '']) {
      const before = await database.db.selectFrom('users').select('id').execute();
      const response = await createUser(acmeToken.token, email.toUpperCase());
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({
        schemas: [ERROR_SCHEMA],
        status: '409',
        scimType: 'uniqueness',
      });
      expect(response.body).not.toContain(globex.name);
      const after = await database.db.selectFrom('users').select('id').execute();
      expect(after).toHaveLength(before.length);
    }
  });

  it('a team displayName already used, ignoring case and spaces, is 409 uniqueness', async () => {
    for (const displayName of ['Sales', '  SALES ']) {
      const response = await scim(world.app, acmeToken.token, 'POST', '/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName,
      });
      expect(response.statusCode, displayName).toBe(409);
      expect(response.json()).toMatchObject({ scimType: 'uniqueness' });
    }
    const teams = await database.db
      .selectFrom('teams')
      .select('name')
      .where('organization_id', '=', acme.organizationId)
      .execute();
    expect(teams).toEqual([{ name: 'Sales' }]);
  });

  it('a userName that is not an email, and a malformed body, are 400 in SCIM format', async () => {
    const notEmail = await createUser(acmeToken.token, 'not-an-email');
    expect(notEmail.statusCode).toBe(400);
    expect(notEmail.json()).toMatchObject({ scimType: 'invalidValue' });
    const broken = await world.app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: {
        authorization: `Bearer ${acmeToken.token}`,
        'content-type': 'application/scim+json',
      },
      payload: '{"userName": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ schemas: [ERROR_SCHEMA], scimType: 'invalidSyntax' });
    const badOp = await scim(
      world.app,
      acmeToken.token,
      'PATCH',
      `/Users/${acme.members[0]?.id ?? ''}`,
      {
        schemas: [PATCH_OP],
        Operations: [{ op: 'move', path: 'active', value: false }],
      },
    );
    expect(badOp.json()).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    const badBool = await scim(
      world.app,
      acmeToken.token,
      'PATCH',
      `/Users/${acme.members[0]?.id ?? ''}`,
      {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: 'maybe' }],
      },
    );
    expect(badBool.json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });

  it('an unknown SCIM endpoint is a SCIM 404', async () => {
    const response = await scim(world.app, acmeToken.token, 'GET', '/Bulk');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404' });
  });
});

describe('the primary admin', () => {
  it("can't be deactivated or deleted through SCIM (400 with a clear detail; still active)", async () => {
    const id = acme.primaryAdmin.id;
    const patch = await scim(world.app, acmeToken.token, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    const deleted = await scim(world.app, acmeToken.token, 'DELETE', `/Users/${id}`);
    for (const response of [patch, deleted]) {
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        schemas: [ERROR_SCHEMA],
        scimType: 'mutability',
        detail: expect.stringContaining('primary admin') as unknown,
      });
    }
    const row = await database.db
      .selectFrom('users')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
  });
});

describe('deactivation', () => {
  it('active false ends the member’s sessions at once; active true restores an active member', async () => {
    const member = acme.members[1];
    if (!member) throw new Error('no member');
    const session = await loginAs(world.app, member.email, TEST_PASSWORD);
    expect((await request(world.app, session, 'GET', '/api/me')).statusCode).toBe(200);
    const off = await scim(world.app, acmeToken.token, 'PATCH', `/Users/${member.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.json()).toMatchObject({ active: false });
    expect((await request(world.app, session, 'GET', '/api/me')).statusCode).toBe(401);
    const on = await scim(world.app, acmeToken.token, 'PATCH', `/Users/${member.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(on.json()).toMatchObject({ active: true });
    const row = await database.db
      .selectFrom('users')
      .select('status')
      .where('id', '=', member.id)
      .executeTakeFirstOrThrow();
    // Setup was completed (the member has a dashboard): back to active, not invited.
    expect(row.status).toBe('active');
  });
});

describe('paging', () => {
  it('startIndex and count page through users with totalResults', async () => {
    const first = await scim(world.app, acmeToken.token, 'GET', '/Users?startIndex=1&count=2');
    const second = await scim(world.app, acmeToken.token, 'GET', '/Users?startIndex=3&count=2');
    const a = first.json<{
      totalResults: number;
      itemsPerPage: number;
      startIndex: number;
      Resources: { id: string }[];
    }>();
    const b = second.json<{
      totalResults: number;
      startIndex: number;
      Resources: { id: string }[];
    }>();
    expect(a.totalResults).toBeGreaterThanOrEqual(4);
    expect(a).toMatchObject({ startIndex: 1, itemsPerPage: 2 });
    expect(b.startIndex).toBe(3);
    expect(b.totalResults).toBe(a.totalResults);
    const ids = [...a.Resources, ...b.Resources].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const none = await scim(world.app, acmeToken.token, 'GET', '/Users?count=0');
    expect(none.json()).toMatchObject({
      totalResults: a.totalResults,
      itemsPerPage: 0,
      Resources: [],
    });
  });
});

describe('discovery', () => {
  it('serves ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const config = await scim(world.app, acmeToken.token, 'GET', '/ServiceProviderConfig');
    expect(config.json()).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      bulk: { supported: false },
      authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
    });
    const types = await scim(world.app, acmeToken.token, 'GET', '/ResourceTypes');
    expect(types.json<{ Resources: { id: string; endpoint: string }[] }>().Resources).toEqual([
      expect.objectContaining({ id: 'User', endpoint: '/Users' }),
      expect.objectContaining({ id: 'Group', endpoint: '/Groups' }),
    ]);
    const schemas = await scim(world.app, acmeToken.token, 'GET', '/Schemas');
    expect(schemas.json<{ Resources: { id: string }[] }>().Resources.map((s) => s.id)).toEqual([
      USER_SCHEMA,
      GROUP_SCHEMA,
    ]);
  });
});

describe('secrets', () => {
  it('a SCIM token never appears in the logs or the audit log', async () => {
    await createUser(acmeToken.token, 'logged.person@acme-scim.test');
    const logs = [...world.testApp.logs].join('\n');
    expect(logs).not.toContain(acmeToken.token);
    expect(logs).not.toContain(globexToken.token);
    const audit = await database.db.selectFrom('audit_log').select(['details']).execute();
    const text = JSON.stringify(audit);
    expect(text).not.toContain(acmeToken.token);
    expect(text).not.toContain(acmeToken.token.slice('ergo_scim_'.length));
    const created = await database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'scim_token.created')
      .where('organization_id', '=', acme.organizationId)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    expect(created.details).toEqual({ scimClientId: acmeToken.id, name: 'Okta' });
  });
});

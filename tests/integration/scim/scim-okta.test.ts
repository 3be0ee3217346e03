import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InsertedOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';
import {
  buildScimApp,
  createToken,
  filterQuery,
  GROUP_SCHEMA,
  insertOrg,
  PATCH_OP,
  scim,
  USER_SCHEMA,
  type ScimWorld,
} from '#tests/integration/scim/scim-support.ts';

/**
 * The requests Okta's SCIM 2.0 integration sends, in its order and shapes (Okta developer docs,
 * "SCIM 2.0 protocol reference": check by filter, create, retrieve, deactivate with a pathless
 * `replace` of `{ active: false }`, reactivate, profile PUT; Push Groups: create, add member,
 * rename with a pathless replace, remove with `members[value eq "<id>"]`, delete).
 */
let database: TestDatabase;
let world: ScimWorld;
let org: InsertedOrganizationWithPeople;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  world = await buildScimApp(database);
  org = await insertOrg(world);
  token = (await createToken(world.app, org.admins[0]?.email ?? '', 'Okta')).token;
});
afterAll(async () => {
  await world.close();
  await database.close();
});

async function statusOf(userId: string): Promise<string> {
  const row = await database.db
    .selectFrom('users')
    .select('status')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.status;
}

describe('the Okta provisioning sequence', () => {
  const userName = 'test.user@okta.local';
  let userId = '';
  let groupId = '';

  it('finds no user by userName eq before creating one', async () => {
    const response = await scim(
      world.app,
      token,
      'GET',
      `/Users?${filterQuery(`userName eq "${userName}"`)}&startIndex=1&count=100`,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/scim+json');
    expect(response.json()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('creates the user as an invited member with an open invitation and mails it', async () => {
    const response = await scim(world.app, token, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    expect(response.statusCode).toBe(201);
    const user = response.json<{
      id: string;
      userName: string;
      active: boolean;
      externalId: string;
      name: { givenName: string; familyName: string };
      meta: { resourceType: string; location: string; created: string; lastModified: string };
    }>();
    userId = user.id;
    expect(user).toMatchObject({
      userName,
      active: true,
      externalId: '00ujl29u0le5T6Aj10h7',
      name: { givenName: 'Test', familyName: 'User' },
      meta: { resourceType: 'User', location: `https://ergo.example.test/scim/v2/Users/${userId}` },
    });
    expect(response.headers.location).toBe(user.meta.location);
    expect(await statusOf(userId)).toBe('invited');
    const row = await database.db
      .selectFrom('users')
      .select(['organization_id', 'role', 'name', 'password_hash'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    // The password Okta sent is not kept: the member sets one when accepting the invitation.
    expect(row).toEqual({
      organization_id: org.organizationId,
      role: 'member',
      name: 'Test User',
      password_hash: null,
    });
    const invitations = await database.db
      .selectFrom('invitations')
      .select(['id'])
      .where('user_id', '=', userId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
    expect(invitations).toHaveLength(1);
    const mail = world.mailer?.sent.filter((m) => m.to === userName) ?? [];
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text).toContain('https://ergo.example.test/invite?token=');
  });

  it('finds the created user by userName eq (another case) and by id', async () => {
    const byFilter = await scim(
      world.app,
      token,
      'GET',
      `/Users?${filterQuery(`USERNAME eq "Test.User@okta.local"`)}&startIndex=1&count=100`,
    );
    expect(byFilter.json()).toMatchObject({
      totalResults: 1,
      Resources: [{ id: userId, userName }],
    });
    const byId = await scim(world.app, token, 'GET', `/Users/${userId}`);
    expect(byId.statusCode).toBe(200);
    expect(byId.json()).toMatchObject({ id: userId, active: true });
  });

  it('PATCH replace { active: false } deactivates the user', async () => {
    const response = await scim(world.app, token, 'PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: userId, active: false });
    expect(await statusOf(userId)).toBe('deactivated');
  });

  it('PATCH replace { active: true } gives access back (invited again: setup never finished)', async () => {
    const response = await scim(world.app, token, 'PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: userId, active: true });
    expect(await statusOf(userId)).toBe('invited');
  });

  it('PUT replaces the profile (a new family name)', async () => {
    const response = await scim(world.app, token, 'PUT', `/Users/${userId}`, {
      schemas: [USER_SCHEMA],
      id: userId,
      userName,
      name: { givenName: 'Test', familyName: 'Renamed' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      active: true,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: { givenName: 'Test', familyName: 'Renamed' },
      displayName: 'Test Renamed',
    });
  });

  it('creates a group as a team', async () => {
    const response = await scim(world.app, token, 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Test SCIMv2',
      members: [],
    });
    expect(response.statusCode).toBe(201);
    const group = response.json<{ id: string; displayName: string; members: unknown[] }>();
    groupId = group.id;
    expect(group).toMatchObject({
      schemas: [GROUP_SCHEMA],
      displayName: 'Test SCIMv2',
      members: [],
      meta: { resourceType: 'Group' },
    });
    const team = await database.db
      .selectFrom('teams')
      .select(['organization_id', 'name'])
      .where('id', '=', groupId)
      .executeTakeFirstOrThrow();
    expect(team).toEqual({ organization_id: org.organizationId, name: 'Test SCIMv2' });
  });

  it('PATCH add members puts the user on the team', async () => {
    const response = await scim(world.app, token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: userId, display: userName }] }],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ members: [{ value: userId, display: userName }] });
    const user = await scim(world.app, token, 'GET', `/Users/${userId}`);
    expect(user.json()).toMatchObject({ groups: [{ value: groupId, display: 'Test SCIMv2' }] });
  });

  it('finds the group by displayName eq and renames it with a pathless replace', async () => {
    const found = await scim(
      world.app,
      token,
      'GET',
      `/Groups?${filterQuery('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`,
    );
    expect(found.json()).toMatchObject({ totalResults: 1, Resources: [{ id: groupId }] });
    const renamed = await scim(world.app, token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2 Renamed' } }],
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ displayName: 'Test SCIMv2 Renamed' });
  });

  it('PATCH remove with path members[value eq "<id>"] takes the user off the team', async () => {
    const response = await scim(world.app, token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${userId}"]` }],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ members: [] });
    const memberships = await database.db
      .selectFrom('team_members')
      .select('user_id')
      .where('team_id', '=', groupId)
      .execute();
    expect(memberships).toEqual([]);
  });

  it('DELETE removes the team; its former members stay in the organization', async () => {
    await scim(world.app, token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
    });
    const response = await scim(world.app, token, 'DELETE', `/Groups/${groupId}`);
    expect(response.statusCode).toBe(204);
    expect((await scim(world.app, token, 'GET', `/Groups/${groupId}`)).statusCode).toBe(404);
    expect(await statusOf(userId)).toBe('invited');
  });

  it('audits every change with no actor, naming the SCIM token by id only', async () => {
    const entries = await database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'details'])
      .where('organization_id', '=', org.organizationId)
      .where('action', 'like', 'scim.%')
      .orderBy('id')
      .execute();
    expect(entries.map((e) => e.action)).toEqual([
      'scim.user_created',
      'scim.user_updated',
      'scim.user_updated',
      'scim.user_updated',
      'scim.group_created',
      'scim.group_updated',
      'scim.group_updated',
      'scim.group_updated',
      'scim.group_updated',
      'scim.group_deleted',
    ]);
    expect(entries.every((e) => e.actor_id === null)).toBe(true);
    const text = JSON.stringify(entries);
    expect(text).not.toContain(token);
    expect(text).not.toContain('1mz050nq');
    expect(entries[0]?.details).toMatchObject({ via: 'scim' });
  });
});

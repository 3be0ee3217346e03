import { randomUUID } from 'node:crypto';
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
 * The requests Microsoft Entra ID's provisioning service sends, from Microsoft's "Develop a SCIM
 * endpoint" request/response examples: the probe for a random userName (an empty ListResponse),
 * create with the enterprise extension's schema, query by userName, PATCH with capitalised
 * "Replace" / "Add" ops, a filtered email path and the string booleans "False" / "True", DELETE;
 * groups: create, get with excludedAttributes=members, Add / Remove members with `value` lists
 * and `"$ref": null`, Replace displayName, DELETE. userName is email-shaped (Entra's default
 * mapping sends the userPrincipalName): Ergo members log in with their email.
 */
let database: TestDatabase;
let world: ScimWorld;
let org: InsertedOrganizationWithPeople;
let token: string;

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

beforeAll(async () => {
  database = await createTestDatabase();
  world = await buildScimApp(database);
  org = await insertOrg(world);
  token = (await createToken(world.app, org.primaryAdmin.email, 'Entra ID')).token;
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

describe('the Microsoft Entra ID provisioning sequence', () => {
  const userName = `Test_User_${randomUUID()}@testuser.com`;
  let userId = '';
  let groupId = '';

  it('answers the probe for a random userName with an empty ListResponse', async () => {
    const response = await scim(
      world.app,
      token,
      'GET',
      `/Users?${filterQuery(`userName eq "${randomUUID()}"`)}`,
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      Resources: [],
    });
  });

  it('creates the user (enterprise extension schema and roles accepted)', async () => {
    const response = await scim(world.app, token, 'POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: userName }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      [ENTERPRISE]: { department: 'Sales' },
    });
    expect(response.statusCode).toBe(201);
    const user = response.json<{ id: string; userName: string; externalId: string }>();
    userId = user.id;
    // Stored lower-cased: the email is the login and compares case-insensitively.
    expect(user.userName).toBe(userName.toLowerCase());
    expect(user.externalId).toBe('0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef');
    expect(await statusOf(userId)).toBe('invited');
    expect(world.mailer?.sent.map((m) => m.to)).toContain(userName.toLowerCase());
  });

  it('finds the user by userName eq as Entra spelt it, and by externalId eq', async () => {
    const byUserName = await scim(
      world.app,
      token,
      'GET',
      `/Users?${filterQuery(`userName eq "${userName}"`)}`,
    );
    expect(byUserName.json()).toMatchObject({ totalResults: 1, Resources: [{ id: userId }] });
    const byExternalId = await scim(
      world.app,
      token,
      'GET',
      `/Users?${filterQuery('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`,
    );
    expect(byExternalId.json()).toMatchObject({ totalResults: 1, Resources: [{ id: userId }] });
  });

  it('PATCH with "Replace" ops updates the work email and the family name', async () => {
    const response = await scim(world.app, token, 'PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [
        {
          op: 'Replace',
          path: 'emails[type eq "work"].value',
          value: `updated_${userName}`,
        },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Add', path: `${ENTERPRISE}:manager`, value: 'someone' },
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      userName: `updated_${userName}`.toLowerCase(),
      emails: [{ value: `updated_${userName}`.toLowerCase(), primary: true }],
      name: { familyName: 'updatedFamilyName' },
    });
  });

  it('PATCH Replace active "False" (a string) deactivates; "True" gives access back', async () => {
    const off = await scim(world.app, token, 'PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ active: false });
    expect(await statusOf(userId)).toBe('deactivated');
    const on = await scim(world.app, token, 'PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
    });
    expect(on.json()).toMatchObject({ active: true });
    expect(await statusOf(userId)).toBe('invited');
  });

  it('groups: create, get without members, Add and Remove members, Replace displayName', async () => {
    const created = await scim(world.app, token, 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
    });
    expect(created.statusCode).toBe(201);
    groupId = created.json<{ id: string }>().id;

    const withoutMembers = await scim(
      world.app,
      token,
      'GET',
      `/Groups/${groupId}?excludedAttributes=members`,
    );
    expect(withoutMembers.statusCode).toBe(200);
    expect(withoutMembers.json()).not.toHaveProperty('members');
    const byName = await scim(
      world.app,
      token,
      'GET',
      `/Groups?excludedAttributes=members&${filterQuery('displayName eq "displayName"')}`,
    );
    expect(byName.json()).toMatchObject({ totalResults: 1, Resources: [{ id: groupId }] });

    const added = await scim(world.app, token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: userId }] }],
    });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ members: [{ value: userId }] });

    const removed = await scim(world.app, token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: userId }] }],
    });
    expect(removed.json()).toMatchObject({ members: [] });

    const renamed = await scim(world.app, token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'displayName', value: 'updatedDisplayName' }],
    });
    expect(renamed.json()).toMatchObject({ displayName: 'updatedDisplayName' });

    expect((await scim(world.app, token, 'DELETE', `/Groups/${groupId}`)).statusCode).toBe(204);
  });

  it('DELETE /Users deactivates the user (not deleted: GET shows active false)', async () => {
    const response = await scim(world.app, token, 'DELETE', `/Users/${userId}`);
    expect(response.statusCode).toBe(204);
    expect(await statusOf(userId)).toBe('deactivated');
    const after = await scim(world.app, token, 'GET', `/Users/${userId}`);
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ id: userId, active: false });
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('organization_id', '=', org.organizationId)
      .where('target_id', '=', userId)
      .where('action', '=', 'scim.user_deleted')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({
      via: 'scim',
      status: { from: 'invited', to: 'deactivated' },
    });
  });
});

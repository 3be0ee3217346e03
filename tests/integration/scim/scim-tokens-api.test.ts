import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InsertedOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { loginAs, request, type Agent } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';
import {
  buildScimApp,
  insertOrg,
  scim,
  USER_SCHEMA,
  type ScimWorld,
} from '#tests/integration/scim/scim-support.ts';

/** The console's SCIM token API (admins), over HTTP; this app has no mailer at all. */
let database: TestDatabase;
let world: ScimWorld;
let acme: InsertedOrganizationWithPeople;
let globex: InsertedOrganizationWithPeople;
let admin: Agent;
let member: Agent;
let globexAdmin: Agent;

beforeAll(async () => {
  database = await createTestDatabase();
  world = await buildScimApp(database, { mailer: false });
  acme = await insertOrg(world);
  globex = await insertOrg(world);
  admin = await loginAs(world.app, acme.admins[0]?.email ?? '', TEST_PASSWORD);
  member = await loginAs(world.app, acme.members[0]?.email ?? '', TEST_PASSWORD);
  globexAdmin = await loginAs(world.app, globex.admins[0]?.email ?? '', TEST_PASSWORD);
});
afterAll(async () => {
  await world.close();
  await database.close();
});

interface ListedToken {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

describe('SCIM tokens API', () => {
  it('a member may not create or list SCIM tokens (403); anonymous is 401', async () => {
    expect(
      (await request(world.app, member, 'POST', '/api/scim-tokens', { name: 'x' })).statusCode,
    ).toBe(403);
    expect((await request(world.app, member, 'GET', '/api/scim-tokens')).statusCode).toBe(403);
    expect((await request(world.app, undefined, 'GET', '/api/scim-tokens')).statusCode).toBe(401);
    const tokens = await database.db.selectFrom('scim_tokens').select('id').execute();
    expect(tokens).toEqual([]);
  });

  it('an admin creates a token shown once; the list has its hint, never the token; it works', async () => {
    const created = await request(world.app, admin, 'POST', '/api/scim-tokens', { name: ' Okta ' });
    expect(created.statusCode).toBe(201);
    const body = created.json<{ id: string; name: string; token: string; createdAt: string }>();
    expect(body.name).toBe('Okta');
    expect(body.token).toMatch(/^ergo_scim_[A-Za-z0-9_-]{43}$/);
    const stored = await database.db
      .selectFrom('scim_tokens')
      .select(['token_hash', 'token_hint', 'organization_id'])
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_hash).not.toContain(body.token);
    expect(stored).toMatchObject({
      token_hint: body.token.slice(-4),
      organization_id: acme.organizationId,
    });

    const listed = await request(world.app, admin, 'GET', '/api/scim-tokens');
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(body.token);
    expect(listed.json<ListedToken[]>()).toEqual([
      {
        id: body.id,
        name: 'Okta',
        hint: body.token.slice(-4),
        createdAt: body.createdAt,
        lastUsedAt: null,
        revokedAt: null,
      },
    ]);

    expect((await scim(world.app, body.token, 'GET', '/Users')).statusCode).toBe(200);
    const used = await request(world.app, admin, 'GET', '/api/scim-tokens');
    expect(used.json<ListedToken[]>()[0]?.lastUsedAt).not.toBeNull();

    // Another organization's admin sees none of it and cannot revoke it.
    expect((await request(world.app, globexAdmin, 'GET', '/api/scim-tokens')).json()).toEqual([]);
    expect(
      (await request(world.app, globexAdmin, 'DELETE', `/api/scim-tokens/${body.id}`)).statusCode,
    ).toBe(404);
    expect((await scim(world.app, body.token, 'GET', '/Users')).statusCode).toBe(200);
  });

  it('revoke: 204, listed with revokedAt, the token is refused; a member may not revoke', async () => {
    const created = await request(world.app, admin, 'POST', '/api/scim-tokens', {
      name: 'Entra ID',
    });
    const { id, token } = created.json<{ id: string; token: string }>();
    expect((await request(world.app, member, 'DELETE', `/api/scim-tokens/${id}`)).statusCode).toBe(
      403,
    );
    expect((await scim(world.app, token, 'GET', '/Users')).statusCode).toBe(200);
    expect((await request(world.app, admin, 'DELETE', `/api/scim-tokens/${id}`)).statusCode).toBe(
      204,
    );
    expect((await request(world.app, admin, 'DELETE', `/api/scim-tokens/${id}`)).statusCode).toBe(
      204,
    );
    expect((await scim(world.app, token, 'GET', '/Users')).statusCode).toBe(401);
    const listed = await request(world.app, admin, 'GET', '/api/scim-tokens');
    expect(listed.json<ListedToken[]>().find((t) => t.id === id)?.revokedAt).not.toBeNull();
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'details'])
      .where('organization_id', '=', acme.organizationId)
      .where('action', 'like', 'scim_token.%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'scim_token.created',
      'scim_token.created',
      'scim_token.revoked',
    ]);
    expect(audit.every((a) => a.actor_id === admin.userId)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('refuses an empty or too long name (400) and an unknown id (404)', async () => {
    expect(
      (await request(world.app, admin, 'POST', '/api/scim-tokens', { name: '  ' })).statusCode,
    ).toBe(400);
    expect(
      (await request(world.app, admin, 'POST', '/api/scim-tokens', { name: 'x'.repeat(101) }))
        .statusCode,
    ).toBe(400);
    expect(
      (await request(world.app, admin, 'DELETE', '/api/scim-tokens/not-a-uuid')).statusCode,
    ).toBe(404);
    expect(
      (
        await request(
          world.app,
          admin,
          'DELETE',
          '/api/scim-tokens/00000000-0000-4000-8000-000000000000',
        )
      ).statusCode,
    ).toBe(404);
  });

  it('without a mailer, a SCIM-created user still gets an open invitation (nothing sent)', async () => {
    const created = await request(world.app, admin, 'POST', '/api/scim-tokens', { name: 'Okta 2' });
    const { token } = created.json<{ token: string }>();
    const response = await scim(world.app, token, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'no.mailer@acme-scim.test',
      displayName: 'No Mailer',
    });
    expect(response.statusCode).toBe(201);
    const id = response.json<{ id: string }>().id;
    const invitations = await database.db
      .selectFrom('invitations')
      .select(['sent_count'])
      .where('user_id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
    expect(invitations).toHaveLength(1);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedApiToken } from '#src/domain/contracts/api-tokens.contract.ts';
import { apiTokenHash } from '#src/services/auth/api-tokens.service.ts';
import {
  describeResponse,
  expectProblem,
  send,
  type HttpRequest,
} from '#tests/integration/http/support/http.ts';
import {
  createWorld,
  freshUser,
  login,
  WORLD_PASSWORD,
  type World,
} from '#tests/integration/http/support/world.ts';
import { buildTestApp, loginAs, type Agent } from '#tests/support/test-app.ts';

/**
 * Personal API tokens (issue 15): created from a session, shown once, stored hashed, scoped,
 * revocable, with last-used time; `Authorization: Bearer` in place of cookie + CSRF; never more
 * than the owner may; audited; throttled on failure like logins.
 */
let world: World;

beforeAll(async () => {
  world = await createWorld();
});
afterAll(async () => {
  await world.close();
});

async function createToken(
  agent: Agent,
  body: { name: string; scopes: string[]; expiresInDays: number | null },
): Promise<CreatedApiToken & { agent: Agent }> {
  const response = await send(world.app, agent, {
    method: 'POST',
    url: '/api/me/api-tokens',
    body,
  });
  expect(response.statusCode, describeResponse(response)).toBe(201);
  const created = response.json<CreatedApiToken>();
  return {
    ...created,
    agent: { cookie: '', csrfToken: '', userId: agent.userId, bearer: created.token },
  };
}

const listMembers = (teamId: string): HttpRequest => ({
  method: 'GET',
  url: `/api/teams/${teamId}/members`,
});

describe('personal API tokens', () => {
  it('is shown once at creation and stored only as its hash, with its last 4 characters as a hint', async () => {
    const owner = await login(world, world.people.acme.owner);
    const created = await createToken(owner, {
      name: 'Laptop CLI',
      scopes: ['read'],
      expiresInDays: 30,
    });
    expect(created.token).toMatch(/^ergo_pat_[A-Za-z0-9_-]{40,}$/);
    expect(created.apiToken).toMatchObject({
      name: 'Laptop CLI',
      scopes: ['read'],
      revokedAt: null,
    });
    expect(created.apiToken.hint).toBe(created.token.slice(-4));
    const row = await world.database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', created.apiToken.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(apiTokenHash(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(row.expires_at?.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const list = await send(world.app, owner, { method: 'GET', url: '/api/me/api-tokens' });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(created.token);
    expect(list.json<{ items: { id: string }[] }>().items.map((t) => t.id)).toContain(
      created.apiToken.id,
    );
  });

  it('works in place of cookie and CSRF token: a write with a token needs no x-csrf-token', async () => {
    const owner = await login(world, world.people.acme.owner);
    const { agent } = await createToken(owner, {
      name: 'sync script',
      scopes: ['sync'],
      expiresInDays: null,
    });
    const teamId = world.orgs.acme.teamIds[0] ?? '';
    const read = await send(world.app, agent, listMembers(teamId));
    expect(read.statusCode, describeResponse(read)).toBe(200);
    const preview = await send(world.app, agent, {
      method: 'POST',
      url: `/api/members/${world.people.acme.member.id}/sync-settings`,
      body: { categories: ['meeting_titles'], dryRun: true },
    });
    expect(preview.statusCode, describeResponse(preview)).toBe(200);
  });

  it('still needs the CSRF token with a cookie: the token path does not weaken sessions', async () => {
    const owner = await login(world, world.people.acme.owner);
    const refused = await send(
      world.app,
      owner,
      {
        method: 'POST',
        url: `/api/members/${world.people.acme.member.id}/sync-settings`,
        body: { categories: ['meeting_titles'], dryRun: true },
      },
      { csrf: false },
    );
    expect(refused.statusCode).toBe(403);
    expect(expectProblem(refused, 'cookie without csrf')).toBe('csrf_failed');
  });

  it('token_scope: a read token may not write, a sync token may not manage members', async () => {
    const owner = await login(world, world.people.acme.owner);
    const reader = await createToken(owner, { name: 'r', scopes: ['read'], expiresInDays: 1 });
    const syncer = await createToken(owner, { name: 's', scopes: ['sync'], expiresInDays: 1 });
    const before = await world.database.db.selectFrom('sync_runs').select('id').execute();
    const write = await send(world.app, reader.agent, {
      method: 'POST',
      url: `/api/members/${world.people.acme.member.id}/sync-settings`,
      body: { categories: ['meeting_titles'] },
    });
    expect(write.statusCode, describeResponse(write)).toBe(403);
    expect(expectProblem(write, 'read token write')).toBe('token_scope');
    expect(write.json<{ detail: string }>().detail).toContain('needs sync');
    expect(await world.database.db.selectFrom('sync_runs').select('id').execute()).toEqual(before);
    const manage = await send(world.app, syncer.agent, {
      method: 'POST',
      url: '/api/teams',
      body: { name: 'Made with a sync token' },
    });
    expect(manage.statusCode, describeResponse(manage)).toBe(403);
    expect(expectProblem(manage, 'sync token admin write')).toBe('token_scope');
  });

  it("never does more than its owner may: a member's admin-scope token cannot sync others", async () => {
    const member = await login(world, world.people.acme.member);
    const { agent } = await createToken(member, {
      name: 'member admin',
      scopes: ['admin'],
      expiresInDays: 7,
    });
    const response = await send(world.app, agent, {
      method: 'POST',
      url: `/api/members/${world.people.acme.admin.id}/sync-settings`,
      body: { categories: ['meeting_titles'], dryRun: true },
    });
    expect(response.statusCode, describeResponse(response)).toBe(403);
    expect(expectProblem(response, 'member token')).toBe('forbidden');
  });

  it("follows its owner: a demoted admin's token loses admin powers at once, a deactivated owner's token stops", async () => {
    const user = await freshUser(world, 'acme', 'admin');
    const owner = await login(world, world.people.acme.owner);
    const self = await login(world, user);
    const { agent } = await createToken(self, { name: 'x', scopes: ['admin'], expiresInDays: 1 });
    const teamId = world.orgs.acme.teamIds[0] ?? '';
    expect((await send(world.app, agent, listMembers(teamId))).statusCode).toBe(200);
    const demote = await send(world.app, owner, {
      method: 'PATCH',
      url: `/api/members/${user.id}`,
      body: { role: 'member' },
    });
    expect(demote.statusCode, describeResponse(demote)).toBe(200);
    const afterDemotion = await send(world.app, agent, listMembers(teamId));
    expect(afterDemotion.statusCode, describeResponse(afterDemotion)).toBe(403);
    const deactivate = await send(world.app, owner, {
      method: 'PATCH',
      url: `/api/members/${user.id}`,
      body: { status: 'deactivated' },
    });
    expect(deactivate.statusCode, describeResponse(deactivate)).toBe(200);
    const afterDeactivation = await send(world.app, agent, { method: 'GET', url: '/api/me' });
    expect(afterDeactivation.statusCode).toBe(401);
    expect(expectProblem(afterDeactivation, 'deactivated owner')).toBe('unauthenticated');
  });

  it('a revoked token is refused at once; revoking twice changes nothing; a token may revoke itself', async () => {
    const owner = await login(world, world.people.acme.owner);
    const created = await createToken(owner, { name: 'cli', scopes: ['read'], expiresInDays: 1 });
    const me = { method: 'GET', url: '/api/me' } as const;
    expect((await send(world.app, created.agent, me)).statusCode).toBe(200);
    const revoke = await send(world.app, created.agent, {
      method: 'DELETE',
      url: `/api/me/api-tokens/${created.apiToken.id}`,
    });
    expect(revoke.statusCode, describeResponse(revoke)).toBe(204);
    const after = await send(world.app, created.agent, me);
    expect(after.statusCode).toBe(401);
    expect(expectProblem(after, 'revoked')).toBe('unauthenticated');
    const again = await send(world.app, owner, {
      method: 'DELETE',
      url: `/api/me/api-tokens/${created.apiToken.id}`,
    });
    expect(again.statusCode).toBe(204);
    const revokedAt = await world.database.db
      .selectFrom('api_tokens')
      .select('revoked_at')
      .where('id', '=', created.apiToken.id)
      .executeTakeFirstOrThrow();
    expect(revokedAt.revoked_at).not.toBeNull();
  });

  it("a read token cannot revoke its owner's other tokens; another user's token is not found", async () => {
    const owner = await login(world, world.people.acme.owner);
    const reader = await createToken(owner, { name: 'r', scopes: ['read'], expiresInDays: 1 });
    const other = await createToken(owner, { name: 'o', scopes: ['admin'], expiresInDays: 1 });
    const refused = await send(world.app, reader.agent, {
      method: 'DELETE',
      url: `/api/me/api-tokens/${other.apiToken.id}`,
    });
    expect(refused.statusCode).toBe(403);
    expect(expectProblem(refused, 'read revoking other')).toBe('token_scope');
    const admin = await login(world, world.people.acme.admin);
    const foreign = await send(world.app, admin, {
      method: 'DELETE',
      url: `/api/me/api-tokens/${other.apiToken.id}`,
    });
    expect(foreign.statusCode).toBe(404);
    expect(expectProblem(foreign, 'foreign token')).toBe('not_found');
    expect((await send(world.app, other.agent, { method: 'GET', url: '/api/me' })).statusCode).toBe(
      200,
    );
  });

  it('a token cannot create tokens, nor start a browser flow: token_scope', async () => {
    const owner = await login(world, world.people.acme.owner);
    const { agent } = await createToken(owner, { name: 'a', scopes: ['admin'], expiresInDays: 1 });
    const before = await world.database.db.selectFrom('api_tokens').select('id').execute();
    const mint = await send(world.app, agent, {
      method: 'POST',
      url: '/api/me/api-tokens',
      body: { name: 'child', scopes: ['admin'], expiresInDays: null },
    });
    expect(mint.statusCode).toBe(403);
    expect(expectProblem(mint, 'mint')).toBe('token_scope');
    expect(await world.database.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(
      before.length,
    );
  });

  it('an expired token is refused with the date it expired', async () => {
    let now = new Date('2026-12-02T10:00:00Z');
    const clocked = await buildTestApp(world.database, { now: () => now });
    try {
      const owner = world.people.acme.owner;
      const agent = await loginAs(clocked.app, owner.email, WORLD_PASSWORD);
      const created = await send(clocked.app, agent, {
        method: 'POST',
        url: '/api/me/api-tokens',
        body: { name: 'short', scopes: ['read'], expiresInDays: 1 },
      });
      expect(created.statusCode, describeResponse(created)).toBe(201);
      const bearer: Agent = {
        cookie: '',
        csrfToken: '',
        userId: owner.id,
        bearer: created.json<CreatedApiToken>().token,
      };
      expect((await send(clocked.app, bearer, { method: 'GET', url: '/api/me' })).statusCode).toBe(
        200,
      );
      now = new Date(now.getTime() + 86_400_000 + 1000);
      const expired = await send(clocked.app, bearer, { method: 'GET', url: '/api/me' });
      expect(expired.statusCode).toBe(401);
      expect(expired.json<{ detail: string }>().detail).toContain('expired on 2026-12-03');
    } finally {
      await clocked.app.close();
    }
  });

  it('failures are throttled like logins: after 5 bad tokens from one address, 429 even for a good one', async () => {
    const owner = await login(world, world.people.acme.owner);
    const { token } = await createToken(owner, { name: 'ok', scopes: ['read'], expiresInDays: 1 });
    const from = '198.51.100.23';
    const call = (bearer: string) =>
      world.app.inject({
        method: 'GET',
        url: '/api/me',
        remoteAddress: from,
        headers: { authorization: `Bearer ${bearer}` },
      });
    for (let i = 0; i < 5; i += 1) {
      expect((await call(`ergo_pat_guess${i}`)).statusCode).toBe(401);
    }
    const blocked = await call(token);
    expect(blocked.statusCode).toBe(429);
    expect(expectProblem(blocked, 'throttled')).toBe('rate_limited');
    // Another address is not affected.
    const elsewhere = await world.app.inject({
      method: 'GET',
      url: '/api/me',
      remoteAddress: '198.51.100.99',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('creation, revocation and (sampled) use are audited, never with the token', async () => {
    const owner = await login(world, world.people.acme.owner);
    const created = await createToken(owner, {
      name: 'audited',
      scopes: ['read'],
      expiresInDays: 1,
    });
    await send(world.app, created.agent, { method: 'GET', url: '/api/me' });
    await send(world.app, created.agent, { method: 'GET', url: '/api/me' });
    await send(world.app, owner, {
      method: 'DELETE',
      url: `/api/me/api-tokens/${created.apiToken.id}`,
    });
    const entries = await world.database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', 'like', 'api_token.%')
      .where(sql<boolean>`details->>'apiClientId' = ${created.apiToken.id}`)
      .orderBy('id')
      .execute();
    expect(entries.map((e) => e.action)).toEqual([
      'api_token.created',
      'api_token.used',
      'api_token.revoked',
    ]);
    expect(JSON.stringify(entries)).not.toContain(created.token);
    const lastUsed = await world.database.db
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('id', '=', created.apiToken.id)
      .executeTakeFirstOrThrow();
    expect(lastUsed.last_used_at).not.toBeNull();
  });

  it('bad input changes nothing: an empty name, no scopes, an unknown scope, 0 or 366 days', async () => {
    const owner = await login(world, world.people.acme.owner);
    const before = await world.database.db.selectFrom('api_tokens').select('id').execute();
    for (const body of [
      { name: '  ', scopes: ['read'], expiresInDays: 1 },
      { name: 'x', scopes: [], expiresInDays: 1 },
      { name: 'x', scopes: ['root'], expiresInDays: 1 },
      { name: 'x', scopes: ['read'], expiresInDays: 0 },
      { name: 'x', scopes: ['read'], expiresInDays: 366 },
      { name: 'x', scopes: ['read'] },
    ]) {
      const response = await send(world.app, owner, {
        method: 'POST',
        url: '/api/me/api-tokens',
        body,
      });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(expectProblem(response, JSON.stringify(body))).toBe('invalid_request');
    }
    expect(await world.database.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(
      before.length,
    );
  });

  it('an Authorization header of another scheme (Basic from a proxy) is ignored: the session still works', async () => {
    const owner = await login(world, world.people.acme.owner);
    const response = await send(world.app, owner, {
      method: 'GET',
      url: '/api/me',
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(response.statusCode).toBe(200);
  });
});

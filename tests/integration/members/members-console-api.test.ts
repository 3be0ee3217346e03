import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import {
  insertOrganizationWithPeople,
  type InsertedOrganizationWithPeople,
} from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import {
  buildTestApp,
  loginAs,
  request,
  type Agent,
  type TestApp,
} from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Members and teams in the console (issue 13 items 2, 3 and 5's foreign team), over real HTTP on
 * the real database: the organization-wide member list with its "No team" filter, removal from a
 * last team, team create / rename / delete, and the primary admin transfer. Each refusal is
 * checked to change nothing, next to a positive control.
 */

interface MemberRowJson {
  id: string;
  name: string;
  role: string;
  status: string;
  teams: { id: string; name: string }[];
  actions: string[];
  connections: unknown[];
  lastSync: unknown;
  hasDashboard: boolean;
}
interface MemberPageJson {
  items: MemberRowJson[];
  nextCursor: string | null;
}

let database: TestDatabase;
let uow: UnitOfWork;
let testApp: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  testApp = await buildTestApp(database);
});
afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

interface Org {
  org: InsertedOrganizationWithPeople;
  owner: Agent;
  admin: Agent;
  member: Agent;
  /** Mo (member) is on Sales only; Nia (member) on Sales and Support; Ada (admin) on Sales. */
  ids: { owner: string; ada: string; mo: string; nia: string; ivy: string; dee: string };
  teams: { sales: string; support: string; empty: string };
}

let orgCounter = 0;

/** A fresh organization per test (state from one test never leaks into the next). */
async function newOrg(): Promise<Org> {
  orgCounter += 1;
  const tag = `${orgCounter}-${Date.now()}`;
  const org = await insertOrganizationWithPeople(uow, testApp.keyring, {
    teams: ['Sales', 'Support', 'Empty'],
    primaryAdmin: { name: 'Pat Primary', email: `pat-${tag}@acme.test`, teams: ['Sales'] },
    admins: [{ name: 'Ada Admin', email: `ada-${tag}@acme.test`, teams: ['Sales'] }],
    members: [
      { name: 'Mo Member', email: `mo-${tag}@acme.test`, teams: ['Sales'] },
      { name: 'Nia Two', email: `nia-${tag}@acme.test`, teams: ['Sales', 'Support'] },
      {
        name: 'Ivy Invited',
        email: `ivy-${tag}@acme.test`,
        status: 'invited',
        dashboard: false,
        canLogIn: false,
      },
      { name: 'Dee Deactivated', email: `dee-${tag}@acme.test`, status: 'deactivated' },
    ],
  });
  const [ada] = org.admins;
  const [mo, nia, ivy, dee] = org.members;
  if (!ada || !mo || !nia || !ivy || !dee) throw new Error('people not inserted');
  const team = (name: string) => {
    const id = org.teamIds[name];
    if (!id) throw new Error(`no team ${name}`);
    return id;
  };
  return {
    org,
    owner: await loginAs(testApp.app, org.primaryAdmin.email, TEST_PASSWORD),
    admin: await loginAs(testApp.app, ada.email, TEST_PASSWORD),
    member: await loginAs(testApp.app, mo.email, TEST_PASSWORD),
    ids: {
      owner: org.primaryAdmin.id,
      ada: ada.id,
      mo: mo.id,
      nia: nia.id,
      ivy: ivy.id,
      dee: dee.id,
    },
    teams: { sales: team('Sales'), support: team('Support'), empty: team('Empty') },
  };
}

/** Everything of an organization that these routes could change. */
async function stateOf(organizationId: string) {
  const [users, teams, memberships] = await Promise.all([
    database.db
      .selectFrom('users')
      .select(['id', 'role', 'status'])
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute(),
    database.db
      .selectFrom('teams')
      .select(['id', 'name'])
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute(),
    database.db
      .selectFrom('team_members')
      .select(['team_id', 'user_id'])
      .where('organization_id', '=', organizationId)
      .orderBy('team_id')
      .orderBy('user_id')
      .execute(),
  ]);
  return { users, teams, memberships };
}

async function auditOf(organizationId: string) {
  const entries = await uow.read.audit.listByOrganization(organizationId, { limit: 500 });
  return entries.map((e) => ({
    action: e.action,
    outcome: e.outcome,
    targetId: e.targetId,
    details: e.details,
  }));
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  const body = response.json<{ code: string; detail: string }>();
  expect(body.code).toBe(code);
  expect(body.detail.length).toBeGreaterThan(10);
}

async function allMembers(agent: Agent, query = ''): Promise<MemberRowJson[]> {
  const response = await request(testApp.app, agent, 'GET', `/api/members${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<MemberPageJson>().items;
}

const names = (rows: MemberRowJson[]) => rows.map((r) => r.name);

describe('GET /api/members: the whole organization', () => {
  it('lists every member of the organization, with the member table row (teams, actions, connections, last sync)', async () => {
    const acme = await newOrg();
    const other = await newOrg();
    const rows = await allMembers(acme.admin);
    expect(names(rows)).toEqual([
      'Ada Admin',
      'Dee Deactivated',
      'Ivy Invited',
      'Mo Member',
      'Nia Two',
      'Pat Primary',
    ]);
    expect(rows.map((r) => r.id)).not.toContain(other.ids.mo);
    const nia = rows.find((r) => r.name === 'Nia Two');
    expect(nia).toMatchObject({
      role: 'member',
      status: 'active',
      hasDashboard: true,
      teams: [
        { id: acme.teams.sales, name: 'Sales' },
        { id: acme.teams.support, name: 'Support' },
      ],
      connections: [],
      lastSync: null,
    });
    expect(nia?.actions).toEqual(
      expect.arrayContaining(['promote_to_admin', 'deactivate', 'remove_from_team']),
    );
    // The primary admin's row and the actor's own row offer nothing (SPEC §3).
    expect(rows.find((r) => r.name === 'Pat Primary')?.actions).toEqual([]);
    expect(rows.find((r) => r.name === 'Ada Admin')?.actions).toEqual([]);
  });

  it('pages with a cursor (each member once, in order), searches, and filters by team, "No team" and status', async () => {
    const acme = await newOrg();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const response = await request(testApp.app, acme.admin, 'GET', `/api/members${query}`);
      const page = response.json<MemberPageJson>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...names(page.items));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(names(await allMembers(acme.admin)));
    expect(seen).toHaveLength(6);

    expect(names(await allMembers(acme.admin, '?q=NIA'))).toEqual(['Nia Two']);
    expect(names(await allMembers(acme.admin, `?team=${acme.teams.support}`))).toEqual(['Nia Two']);
    expect(names(await allMembers(acme.admin, `?team=${acme.teams.empty}`))).toEqual([]);
    expect(names(await allMembers(acme.admin, '?team=none'))).toEqual([
      'Dee Deactivated',
      'Ivy Invited',
    ]);
    expect(names(await allMembers(acme.admin, '?status=invited'))).toEqual(['Ivy Invited']);
    expect(names(await allMembers(acme.admin, '?team=none&status=deactivated'))).toEqual([
      'Dee Deactivated',
    ]);
  });

  it('the first page says how many members match ("Page 1 of 3 · 6 members"); later pages do not count again', async () => {
    const acme = await newOrg();
    const page = async (query: string) =>
      (await request(testApp.app, acme.admin, 'GET', `/api/members${query}`)).json<
        MemberPageJson & { total?: number }
      >();
    const first = await page('?limit=2');
    expect(first.total).toBe(6);
    expect((await page(`?limit=2&cursor=${first.nextCursor ?? ''}`)).total).toBeUndefined();
    // The same filters and search as the rows.
    expect((await page('?q=NIA')).total).toBe(1);
    expect((await page('?team=none')).total).toBe(2);
    expect((await page('?team=none&status=deactivated')).total).toBe(1);
    expect((await page(`?team=${acme.teams.empty}`)).total).toBe(0);
  });

  it('admins only: anonymous 401, a member 403; the primary admin and a secondary admin 200', async () => {
    const acme = await newOrg();
    expectProblem(
      await request(testApp.app, undefined, 'GET', '/api/members'),
      401,
      'unauthenticated',
    );
    expectProblem(await request(testApp.app, acme.member, 'GET', '/api/members'), 403, 'forbidden');
    expect((await request(testApp.app, acme.owner, 'GET', '/api/members')).statusCode).toBe(200);
    expect((await request(testApp.app, acme.admin, 'GET', '/api/members')).statusCode).toBe(200);
  });

  it("another organization's team id is not found (404), and bad filters are clear 400s", async () => {
    const acme = await newOrg();
    const globex = await newOrg();
    expectProblem(
      await request(testApp.app, globex.admin, 'GET', `/api/members?team=${acme.teams.sales}`),
      404,
      'not_found',
    );
    expectProblem(
      await request(testApp.app, acme.admin, 'GET', '/api/members?team=not-a-team'),
      404,
      'not_found',
    );
    for (const query of [
      '?status=gone',
      '?limit=0',
      '?limit=abc',
      '?cursor=garbage',
      '?colour=red',
    ]) {
      expectProblem(
        await request(testApp.app, acme.admin, 'GET', `/api/members${query}`),
        400,
        'invalid_request',
      );
    }
    // positive control: the team's own organization sees it
    expect(names(await allMembers(acme.admin, `?team=${acme.teams.sales}`))).toContain('Mo Member');
  });
});

describe('removing a member from a team', () => {
  it('from their last team: allowed, the response warns, and they are listed under "No team"', async () => {
    const acme = await newOrg();
    const response = await request(
      testApp.app,
      acme.admin,
      'DELETE',
      `/api/teams/${acme.teams.sales}/members/${acme.ids.mo}`,
    );
    expect(response.statusCode).toBe(204);
    expect(response.headers['ergo-teams-left']).toBe('0');
    expect(response.headers['ergo-warning']).toMatch(
      /last team.*stay in your organization.*No team/,
    );
    expect(names(await allMembers(acme.admin, '?team=none'))).toEqual([
      'Dee Deactivated',
      'Ivy Invited',
      'Mo Member',
    ]);
    expect(names(await allMembers(acme.admin))).toContain('Mo Member');
    const audit = await auditOf(acme.org.organizationId);
    expect(audit.at(-1)).toEqual({
      action: 'team.member_remove',
      outcome: 'applied',
      targetId: acme.ids.mo,
      details: { teamId: acme.teams.sales, teamsLeft: 0 },
    });
    // Adding them back takes them off "No team".
    expect(
      (
        await request(
          testApp.app,
          acme.admin,
          'POST',
          `/api/teams/${acme.teams.support}/members/${acme.ids.mo}`,
        )
      ).statusCode,
    ).toBe(204);
    expect(names(await allMembers(acme.admin, '?team=none'))).not.toContain('Mo Member');
  });

  it('from one of several teams: no warning, and they are not under "No team"', async () => {
    const acme = await newOrg();
    const response = await request(
      testApp.app,
      acme.admin,
      'DELETE',
      `/api/teams/${acme.teams.sales}/members/${acme.ids.nia}`,
    );
    expect(response.statusCode).toBe(204);
    expect(response.headers['ergo-teams-left']).toBe('1');
    expect(response.headers['ergo-warning']).toBeUndefined();
    expect(names(await allMembers(acme.admin, '?team=none'))).not.toContain('Nia Two');
  });
});

describe('teams: create, rename, delete', () => {
  it('an admin creates (201), renames (200) and deletes (204) a team; each change is audited', async () => {
    const acme = await newOrg();
    const created = await request(testApp.app, acme.admin, 'POST', '/api/teams', {
      name: '  Partners  ',
    });
    expect(created.statusCode, created.body).toBe(201);
    const team = created.json<{ id: string; name: string; memberCount: number }>();
    expect(team).toMatchObject({ name: 'Partners', memberCount: 0 });

    const renamed = await request(testApp.app, acme.admin, 'PATCH', `/api/teams/${team.id}`, {
      name: 'Channel partners',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toEqual({ id: team.id, name: 'Channel partners', memberCount: 0 });

    const list = await request(testApp.app, acme.admin, 'GET', '/api/teams');
    expect(list.json<{ name: string; memberCount: number }[]>()).toEqual([
      { id: team.id, name: 'Channel partners', memberCount: 0 },
      { id: acme.teams.empty, name: 'Empty', memberCount: 0 },
      { id: acme.teams.sales, name: 'Sales', memberCount: 4 },
      { id: acme.teams.support, name: 'Support', memberCount: 1 },
    ]);

    const deleted = await request(testApp.app, acme.admin, 'DELETE', `/api/teams/${team.id}`);
    expect(deleted.statusCode).toBe(204);
    expect((await stateOf(acme.org.organizationId)).teams.map((t) => t.id)).not.toContain(team.id);

    expect(await auditOf(acme.org.organizationId)).toEqual([
      {
        action: 'team.create',
        outcome: 'applied',
        targetId: null,
        details: { teamId: team.id, name: 'Partners' },
      },
      {
        action: 'team.rename',
        outcome: 'applied',
        targetId: null,
        details: { teamId: team.id, from: 'Partners', to: 'Channel partners' },
      },
      {
        action: 'team.delete',
        outcome: 'applied',
        targetId: null,
        details: { teamId: team.id, name: 'Channel partners', membersRemoved: 0 },
      },
    ]);
  });

  it('deleting a team keeps its members in the organization; one on no other team is under "No team"', async () => {
    const acme = await newOrg();
    const before = await stateOf(acme.org.organizationId);
    const response = await request(
      testApp.app,
      acme.owner,
      'DELETE',
      `/api/teams/${acme.teams.sales}`,
    );
    expect(response.statusCode).toBe(204);
    const after = await stateOf(acme.org.organizationId);
    expect(after.users).toEqual(before.users);
    expect(after.memberships).toEqual([{ team_id: acme.teams.support, user_id: acme.ids.nia }]);
    expect(names(await allMembers(acme.owner))).toHaveLength(6);
    expect(names(await allMembers(acme.owner, '?team=none'))).toEqual([
      'Ada Admin',
      'Dee Deactivated',
      'Ivy Invited',
      'Mo Member',
      'Pat Primary',
    ]);
    expect((await auditOf(acme.org.organizationId)).at(-1)).toMatchObject({
      action: 'team.delete',
      details: { teamId: acme.teams.sales, name: 'Sales', membersRemoved: 4 },
    });
  });

  it('a duplicate name is 409 team_name_taken (ignoring case and spaces), and changes nothing', async () => {
    const acme = await newOrg();
    const before = await stateOf(acme.org.organizationId);
    const duplicate = await request(testApp.app, acme.admin, 'POST', '/api/teams', {
      name: ' sales ',
    });
    expectProblem(duplicate, 409, 'team_name_taken');
    expect(duplicate.json<{ detail: string }>().detail).toMatch(
      /already has a team called "Sales"/,
    );
    expectProblem(
      await request(testApp.app, acme.admin, 'PATCH', `/api/teams/${acme.teams.support}`, {
        name: 'SALES',
      }),
      409,
      'team_name_taken',
    );
    expect(await stateOf(acme.org.organizationId)).toEqual(before);
    const audit = await auditOf(acme.org.organizationId);
    expect(audit.map((e) => [e.action, e.outcome, e.details.code])).toEqual([
      ['team.create', 'refused', 'team_name_taken'],
      ['team.rename', 'refused', 'team_name_taken'],
    ]);
    // positive controls: the same name in another organization, a team renamed to its own name
    const globex = await newOrg();
    expect(
      (await request(testApp.app, globex.admin, 'POST', '/api/teams', { name: 'Partners' }))
        .statusCode,
    ).toBe(201);
    expect(
      (await request(testApp.app, acme.admin, 'POST', '/api/teams', { name: 'Partners' }))
        .statusCode,
    ).toBe(201);
    const same = await request(testApp.app, acme.admin, 'PATCH', `/api/teams/${acme.teams.sales}`, {
      name: 'Sales',
    });
    expect(same.statusCode).toBe(200);
  });

  it('bad input is a clear 400 that changes nothing', async () => {
    const acme = await newOrg();
    const before = await stateOf(acme.org.organizationId);
    const bodies: unknown[] = [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(121) },
      { name: 42 },
      { name: 'Ok', extra: true },
    ];
    for (const body of bodies) {
      expectProblem(
        await request(testApp.app, acme.admin, 'POST', '/api/teams', body),
        400,
        'invalid_request',
      );
      expectProblem(
        await request(testApp.app, acme.admin, 'PATCH', `/api/teams/${acme.teams.sales}`, body),
        400,
        'invalid_request',
      );
    }
    expect(await stateOf(acme.org.organizationId)).toEqual(before);
    // positive control: 120 characters is the limit, not past it
    expect(
      (await request(testApp.app, acme.admin, 'POST', '/api/teams', { name: 'x'.repeat(120) }))
        .statusCode,
    ).toBe(201);
  });

  it("authorization: anonymous 401, a member 403; another organization's admin 404 for its teams", async () => {
    const acme = await newOrg();
    const globex = await newOrg();
    const before = await stateOf(acme.org.organizationId);
    const sales = `/api/teams/${acme.teams.sales}`;
    const cases: [
      Agent | undefined,
      'POST' | 'PATCH' | 'DELETE',
      string,
      unknown,
      number,
      string,
    ][] = [
      [undefined, 'POST', '/api/teams', { name: 'New' }, 401, 'unauthenticated'],
      [undefined, 'PATCH', sales, { name: 'New' }, 401, 'unauthenticated'],
      [undefined, 'DELETE', sales, undefined, 401, 'unauthenticated'],
      [acme.member, 'POST', '/api/teams', { name: 'New' }, 403, 'forbidden'],
      [acme.member, 'PATCH', sales, { name: 'New' }, 403, 'forbidden'],
      [acme.member, 'DELETE', sales, undefined, 403, 'forbidden'],
      [globex.admin, 'PATCH', sales, { name: 'New' }, 404, 'not_found'],
      [globex.owner, 'DELETE', sales, undefined, 404, 'not_found'],
      [
        acme.admin,
        'PATCH',
        '/api/teams/00000000-0000-4000-8000-000000000000',
        { name: 'New' },
        404,
        'not_found',
      ],
      [acme.admin, 'DELETE', '/api/teams/not-a-uuid', undefined, 404, 'not_found'],
    ];
    for (const [agent, method, url, body, status, code] of cases) {
      expectProblem(await request(testApp.app, agent, method, url, body), status, code);
    }
    expect(await stateOf(acme.org.organizationId)).toEqual(before);
    // The refusals of Globex's admins are in Globex's log, and never name Acme's team.
    const globexAudit = await auditOf(globex.org.organizationId);
    expect(globexAudit.map((e) => [e.action, e.outcome])).toEqual([
      ['team.rename', 'refused'],
      ['team.delete', 'refused'],
    ]);
    expect(JSON.stringify(globexAudit)).not.toContain(acme.teams.sales);
    // positive controls: Acme's own admin renames and deletes it
    expect(
      (await request(testApp.app, acme.admin, 'PATCH', sales, { name: 'New' })).statusCode,
    ).toBe(200);
    expect((await request(testApp.app, acme.admin, 'DELETE', sales)).statusCode).toBe(204);
  });
});

describe('POST /api/organization/primary-admin: transfer of the primary admin role', () => {
  async function primaryAdmins(organizationId: string) {
    return database.db
      .selectFrom('users')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('role', '=', 'primary_admin')
      .execute();
  }

  it('the primary admin hands it to an admin: exactly one primary admin after, the old one is admin, audited', async () => {
    const acme = await newOrg();
    const response = await request(
      testApp.app,
      acme.owner,
      'POST',
      '/api/organization/primary-admin',
      {
        userId: acme.ids.ada,
      },
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      primaryAdmin: {
        id: acme.ids.ada,
        name: 'Ada Admin',
        email: acme.org.admins[0]?.email,
        role: 'primary_admin',
      },
      previousPrimaryAdmin: { id: acme.ids.owner, role: 'admin' },
    });
    expect(await primaryAdmins(acme.org.organizationId)).toEqual([{ id: acme.ids.ada }]);
    const rows = await allMembers(acme.admin);
    expect(rows.find((r) => r.id === acme.ids.owner)?.role).toBe('admin');
    expect((await auditOf(acme.org.organizationId)).at(-1)).toEqual({
      action: 'organization.primary_admin_transfer',
      outcome: 'applied',
      targetId: acme.ids.ada,
      details: {
        role: { from: 'admin', to: 'primary_admin' },
        previousPrimaryAdmin: { id: acme.ids.owner, role: { from: 'primary_admin', to: 'admin' } },
      },
    });
    // The old primary admin is now a secondary admin: they can no longer transfer it…
    expectProblem(
      await request(testApp.app, acme.owner, 'POST', '/api/organization/primary-admin', {
        userId: acme.ids.mo,
      }),
      403,
      'forbidden',
    );
    // …and the new primary admin may now manage them (they are no longer the primary admin).
    expect(
      (
        await request(testApp.app, acme.admin, 'PATCH', `/api/members/${acme.ids.owner}`, {
          role: 'member',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('to a member: they become the primary admin directly', async () => {
    const acme = await newOrg();
    const response = await request(
      testApp.app,
      acme.owner,
      'POST',
      '/api/organization/primary-admin',
      {
        userId: acme.ids.mo,
      },
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(await primaryAdmins(acme.org.organizationId)).toEqual([{ id: acme.ids.mo }]);
  });

  it('only the primary admin, only to an active member of the organization; every refusal changes nothing', async () => {
    const acme = await newOrg();
    const globex = await newOrg();
    const before = await stateOf(acme.org.organizationId);
    const globexBefore = await stateOf(globex.org.organizationId);
    const url = '/api/organization/primary-admin';
    const cases: [Agent | undefined, unknown, number, string][] = [
      [undefined, { userId: acme.ids.ada }, 401, 'unauthenticated'],
      [acme.member, { userId: acme.ids.ada }, 403, 'forbidden'],
      // a secondary admin may not, even to themselves
      [acme.admin, { userId: acme.ids.ada }, 403, 'forbidden'],
      [acme.admin, { userId: acme.ids.mo }, 403, 'forbidden'],
      // another organization's user is not found, for its own primary admin too
      [globex.owner, { userId: acme.ids.ada }, 404, 'target_not_found'],
      [acme.owner, { userId: globex.ids.ada }, 404, 'target_not_found'],
      [acme.owner, { userId: '00000000-0000-4000-8000-000000000000' }, 404, 'target_not_found'],
      [acme.owner, { userId: acme.ids.ivy }, 409, 'setup_incomplete'],
      [acme.owner, { userId: acme.ids.dee }, 403, 'forbidden'],
      [acme.owner, { userId: acme.ids.owner }, 400, 'invalid_request'],
      [acme.owner, {}, 400, 'invalid_request'],
      [acme.owner, { userId: 42 }, 400, 'invalid_request'],
      [acme.owner, { userId: acme.ids.ada, role: 'admin' }, 400, 'invalid_request'],
    ];
    for (const [agent, body, status, code] of cases) {
      expectProblem(await request(testApp.app, agent, 'POST', url, body), status, code);
    }
    expect(await stateOf(acme.org.organizationId)).toEqual(before);
    expect(await stateOf(globex.org.organizationId)).toEqual(globexBefore);
    expect(await primaryAdmins(acme.org.organizationId)).toEqual([{ id: acme.ids.owner }]);
    const refused = (await auditOf(acme.org.organizationId)).filter(
      (e) => e.action === 'organization.primary_admin_transfer',
    );
    expect(refused.every((e) => e.outcome === 'refused')).toBe(true);
    expect(JSON.stringify(refused)).not.toContain(globex.ids.ada);
  });
});

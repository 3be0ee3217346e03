import { randomBytes, randomUUID } from 'node:crypto';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '#src/domain/errors.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { verifyAuditChain } from '#src/services/audit/audit.service.ts';
import {
  addTeamMember,
  listTeamMembers,
  listTeams,
  removeTeamMember,
  updateMember,
  type MemberRow,
} from '#src/services/members/member.service.ts';
import { insertOrganization, insertUser } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/** Counts the statements Kysely compiles through the instance it is plugged into. */
class QueryCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    this.count += 1;
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs) {
    return Promise.resolve(args.result);
  }
}

let database: TestDatabase;
let uow: UnitOfWork;
let deps: { uow: UnitOfWork };
let organizationId: string;
let primaryAdminId: string;
let adminId: string;
let otherAdminId: string;
let memberId: string;
let teamId: string;
let otherTeamId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  deps = { uow };
});
afterAll(async () => {
  await database.close();
});

async function addUser(
  orgId: string,
  overrides: {
    name?: string;
    email?: string;
    role?: Role;
    status?: UserStatus;
    dashboard?: boolean;
  } = {},
): Promise<string> {
  const user = await uow.transaction((repos) => insertUser(repos, orgId, overrides));
  return user.id;
}

async function addTeam(orgId: string, name: string, userIds: readonly string[]): Promise<string> {
  return uow.transaction(async (repos) => {
    const [team] = await repos.teams.insertMany(orgId, [name]);
    if (!team) throw new Error('team not inserted');
    await repos.teams.addMembers(
      orgId,
      userIds.map((userId) => ({ teamId: team.id, userId })),
    );
    return team.id;
  });
}

beforeEach(async () => {
  const org = await insertOrganization(uow, { primaryAdmin: { name: 'Pat Primary' } });
  organizationId = org.organizationId;
  primaryAdminId = org.primaryAdmin.id;
  await uow.transaction((repos) => repos.dashboards.create(primaryAdminId, organizationId));
  adminId = await addUser(organizationId, { name: 'Ada Admin', role: 'admin' });
  otherAdminId = await addUser(organizationId, { name: 'Oli Admin', role: 'admin' });
  memberId = await addUser(organizationId, { name: 'Mo Member' });
  teamId = await addTeam(organizationId, 'Sales', [
    primaryAdminId,
    adminId,
    otherAdminId,
    memberId,
  ]);
  otherTeamId = await addTeam(organizationId, 'Another team', [memberId]);
});

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function expectRefused(promise: Promise<unknown>, code: string): Promise<void> {
  expect((await refusalOf(promise)).code).toBe(code);
}

/** Everything member management can change in an organization, for "nothing changed" checks. */
async function organizationState(orgId: string) {
  const [users, memberships, sessions] = await Promise.all([
    database.db
      .selectFrom('users')
      .select(['id', 'role', 'status'])
      .where('organization_id', '=', orgId)
      .orderBy('id')
      .execute(),
    database.db
      .selectFrom('team_members')
      .select(['team_id', 'user_id'])
      .where('organization_id', '=', orgId)
      .orderBy('team_id')
      .orderBy('user_id')
      .execute(),
    database.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select('sessions.id')
      .where('users.organization_id', '=', orgId)
      .orderBy('sessions.id')
      .execute(),
  ]);
  return { users, memberships, sessions };
}

async function auditActions(orgId: string) {
  const entries = await uow.read.audit.listByOrganization(orgId, { limit: 500 });
  return entries.map((e) => ({
    action: e.action,
    outcome: e.outcome,
    targetId: e.targetId,
    details: e.details,
  }));
}

async function startSession(userId: string): Promise<string> {
  const id = randomBytes(16).toString('hex');
  await uow.transaction((repos) =>
    repos.sessions.create({
      now: new Date(),
      id,
      userId,
      csrfToken: randomUUID(),
      expiresAt: new Date(Date.now() + 3_600_000),
      ip: null,
      userAgent: null,
    }),
  );
  return id;
}

function rowOf(items: readonly MemberRow[], id: string): MemberRow {
  const row = items.find((r) => r.id === id);
  if (!row) throw new Error(`row ${id} not on the page`);
  return row;
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('listTeams', () => {
  it("an admin sees their organization's teams with member counts, never another organization's", async () => {
    const other = await insertOrganization(uow);
    await addTeam(other.organizationId, 'Sales', [other.primaryAdmin.id]);
    expect(await listTeams(deps, { actorId: adminId })).toEqual([
      { id: otherTeamId, name: 'Another team', memberCount: 1 },
      { id: teamId, name: 'Sales', memberCount: 4 },
    ]);
  });

  it('a member or a deactivated admin is forbidden', async () => {
    await expectRefused(listTeams(deps, { actorId: memberId }), 'forbidden');
    const inactive = await addUser(organizationId, { role: 'admin', status: 'deactivated' });
    await expectRefused(listTeams(deps, { actorId: inactive }), 'forbidden');
    // positive control: the primary admin may
    await expect(listTeams(deps, { actorId: primaryAdminId })).resolves.toHaveLength(2);
  });
});

describe('listTeamMembers: the member table', () => {
  it('each row has role, status, dashboard, every team of the user and the latest sync (dry runs excluded)', async () => {
    const pending = await addUser(organizationId, {
      name: 'Ivy Invited',
      status: 'invited',
      dashboard: false,
    });
    await uow.transaction((repos) =>
      repos.teams.addMembers(organizationId, [{ teamId, userId: pending }]),
    );
    // One transaction each: created_at is the transaction's now().
    await uow.transaction((repos) =>
      repos.syncRuns.insert({
        organizationId,
        actorId: otherAdminId,
        targetId: memberId,
        sourceUserId: otherAdminId,
        action: 'sync_settings',
        categories: ['company_details'],
        status: 'applied',
        result: {},
        requestId: null,
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await uow.transaction((repos) =>
      repos.syncRuns.insert({
        organizationId,
        actorId: adminId,
        targetId: memberId,
        sourceUserId: primaryAdminId,
        action: 'sync_crm',
        categories: ['crm_keys'],
        status: 'failed',
        result: {},
        requestId: null,
      }),
    );
    // A later dry run is a preview, not a sync.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await uow.transaction((repos) =>
      repos.syncRuns.insert({
        organizationId,
        actorId: otherAdminId,
        targetId: memberId,
        sourceUserId: otherAdminId,
        action: 'sync_settings',
        categories: ['task_settings'],
        status: 'dry_run',
        result: {},
        requestId: null,
      }),
    );

    const page = await listTeamMembers(deps, { actorId: adminId }, teamId);
    expect(page.items.map((r) => r.name)).toEqual([
      'Ada Admin',
      'Ivy Invited',
      'Mo Member',
      'Oli Admin',
      'Pat Primary',
    ]);
    expect(rowOf(page.items, memberId)).toMatchObject({
      role: 'member',
      status: 'active',
      hasDashboard: true,
      teams: [
        { id: otherTeamId, name: 'Another team' },
        { id: teamId, name: 'Sales' },
      ],
      lastSync: {
        byUserId: adminId,
        byName: 'Ada Admin',
        action: 'sync_crm',
        categories: ['crm_keys'],
        status: 'failed',
      },
    });
    expect(rowOf(page.items, memberId).lastSync?.at).toBeInstanceOf(Date);
    expect(rowOf(page.items, pending)).toMatchObject({
      status: 'invited',
      hasDashboard: false,
      teams: [{ id: teamId, name: 'Sales' }],
      lastSync: null,
    });
    expect(page.nextCursor).toBeNull();
  });

  it('actions per row: none on the primary admin nor on oneself, the menu on others', async () => {
    const deactivated = await addUser(organizationId, { name: 'Dee', status: 'deactivated' });
    await uow.transaction((repos) =>
      repos.teams.addMembers(organizationId, [{ teamId, userId: deactivated }]),
    );
    const { items } = await listTeamMembers(deps, { actorId: adminId }, teamId);
    expect(rowOf(items, primaryAdminId).actions).toEqual([]);
    expect(rowOf(items, adminId).actions).toEqual([]);
    expect(rowOf(items, otherAdminId).actions).toEqual([
      'sync_crm',
      'sync_settings',
      'demote_to_member',
      'deactivate',
      'remove_from_team',
    ]);
    expect(rowOf(items, memberId).actions).toEqual([
      'sync_crm',
      'sync_settings',
      'promote_to_admin',
      'deactivate',
      'remove_from_team',
    ]);
    expect(rowOf(items, deactivated).actions).toEqual([
      'promote_to_admin',
      'reactivate',
      'remove_from_team',
    ]);
  });

  it('pages follow the cursor in name order, and q filters name or email case-insensitively', async () => {
    const names = ['alice', 'Bob', 'carol', 'Dave', 'eve', 'Frank', 'grace'];
    const ids: string[] = [];
    for (const name of names) {
      ids.push(
        await addUser(organizationId, {
          name,
          email: `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@${name === 'grace' ? 'bobcat' : 'acme'}.test`,
        }),
      );
    }
    const team = await addTeam(organizationId, 'Paged', ids);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listTeamMembers(deps, { actorId: adminId }, team, {
        limit: 3,
        ...(cursor === undefined ? {} : { cursor }),
      });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((r) => r.name));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    expect(seen).toEqual(names);
    expect(pages).toBe(3);

    const bo = await listTeamMembers(deps, { actorId: adminId }, team, { q: '  BO ' });
    // "Bob" by name, grace by her email's domain
    expect(bo.items.map((r) => r.name)).toEqual(['Bob', 'grace']);
    const byEmail = await listTeamMembers(deps, { actorId: adminId }, team, { q: 'CAROL-' });
    expect(byEmail.items.map((r) => r.name)).toEqual(['carol']);
    const percent = await listTeamMembers(deps, { actorId: adminId }, team, { q: '%' });
    expect(percent.items).toEqual([]);

    // the cursor and q together: "r" is only in carol, Frank and grace
    const first = await listTeamMembers(deps, { actorId: adminId }, team, { q: 'R', limit: 2 });
    expect(first.items.map((r) => r.name)).toEqual(['carol', 'Frank']);
    const second = await listTeamMembers(deps, { actorId: adminId }, team, {
      q: 'R',
      limit: 2,
      cursor: first.nextCursor ?? '',
    });
    expect(second.items.map((r) => r.name)).toEqual(['grace']);
    expect(second.nextCursor).toBeNull();
  });

  it('the page size defaults to 25 and is capped at 100', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 26; i += 1) ids.push(await addUser(organizationId));
    const team = await addTeam(organizationId, 'Big', ids);
    const page = await listTeamMembers(deps, { actorId: adminId }, team);
    expect(page.items).toHaveLength(25);
    expect(page.nextCursor).not.toBeNull();
    const capped = await listTeamMembers(deps, { actorId: adminId }, team, { limit: 1000 });
    expect(capped.items).toHaveLength(26);
    await expectRefused(
      listTeamMembers(deps, { actorId: adminId }, team, { limit: 0 }),
      'invalid_request',
    );
  });

  it("another organization's team or a malformed id is not_found, never revealing the team", async () => {
    const other = await insertOrganization(uow);
    const foreignTeam = await addTeam(other.organizationId, 'Foreign', [other.primaryAdmin.id]);
    for (const id of [foreignTeam, UNKNOWN_ID, 'not-a-uuid']) {
      const error = await refusalOf(listTeamMembers(deps, { actorId: adminId }, id));
      expect(error.code).toBe('not_found');
      expect(error.message).toBe('That team was not found.');
    }
    // positive control: the other organization's admin sees it
    await expect(
      listTeamMembers(deps, { actorId: other.primaryAdmin.id }, foreignTeam),
    ).resolves.toMatchObject({ items: [{ id: other.primaryAdmin.id }] });
  });

  it('a member or a deactivated admin is forbidden', async () => {
    await expectRefused(listTeamMembers(deps, { actorId: memberId }, teamId), 'forbidden');
    const inactive = await addUser(organizationId, { role: 'admin', status: 'deactivated' });
    await expectRefused(listTeamMembers(deps, { actorId: inactive }, teamId), 'forbidden');
    await expect(listTeamMembers(deps, { actorId: otherAdminId }, teamId)).resolves.toBeDefined();
  });

  it('a malformed cursor is invalid_request', async () => {
    await expectRefused(
      listTeamMembers(deps, { actorId: adminId }, teamId, { cursor: 'garbage' }),
      'invalid_request',
    );
    const forged = Buffer.from(JSON.stringify(['a', 'not-a-uuid'])).toString('base64url');
    await expectRefused(
      listTeamMembers(deps, { actorId: adminId }, teamId, { cursor: forged }),
      'invalid_request',
    );
  });

  it('a page takes the same number of queries for a team of 5 and of 60 members (no N+1)', async () => {
    async function teamOf(size: number): Promise<string> {
      const ids: string[] = [];
      for (let i = 0; i < size; i += 1) {
        const id = await addUser(organizationId);
        ids.push(id);
        if (i % 2 === 0) {
          await uow.transaction((repos) =>
            repos.syncRuns.insert({
              organizationId,
              actorId: adminId,
              targetId: id,
              sourceUserId: adminId,
              action: 'sync_settings',
              categories: ['task_settings'],
              status: 'applied',
              result: {},
              requestId: null,
            }),
          );
        }
      }
      const team = await addTeam(organizationId, `Team of ${size}`, ids);
      await uow.transaction((repos) =>
        repos.teams.addMembers(
          organizationId,
          ids.map((userId) => ({ teamId: otherTeamId, userId })),
        ),
      );
      return team;
    }
    const small = await teamOf(5);
    const large = await teamOf(60);
    const counter = new QueryCounter();
    const counted = { uow: createUnitOfWork(database.db.withPlugin(counter)) };

    const smallPage = await listTeamMembers(counted, { actorId: adminId }, small, { limit: 100 });
    const smallCount = counter.count;
    counter.count = 0;
    const largePage = await listTeamMembers(counted, { actorId: adminId }, large, { limit: 100 });
    expect(smallPage.items).toHaveLength(5);
    expect(largePage.items).toHaveLength(60);
    expect(largePage.items.filter((r) => r.lastSync !== null)).toHaveLength(30);
    expect(largePage.items.every((r) => r.teams.length === 2)).toBe(true);
    expect(counter.count).toBe(smallCount);
    // the actor, the team, the page
    expect(smallCount).toBe(3);
  });
});

describe('updateMember: roles and access', () => {
  it('an admin promotes a member and demotes an admin; each change is audited', async () => {
    await expect(
      updateMember(deps, { actorId: adminId, requestId: 'req-1' }, memberId, { role: 'admin' }),
    ).resolves.toEqual({ id: memberId, role: 'admin', status: 'active' });
    await expect(
      updateMember(deps, { actorId: primaryAdminId }, otherAdminId, { role: 'member' }),
    ).resolves.toEqual({ id: otherAdminId, role: 'member', status: 'active' });
    expect(await auditActions(organizationId)).toEqual([
      {
        action: 'member.update',
        outcome: 'applied',
        targetId: memberId,
        details: { role: { from: 'member', to: 'admin' }, sessionsEnded: false },
      },
      {
        action: 'member.update',
        outcome: 'applied',
        targetId: otherAdminId,
        details: { role: { from: 'admin', to: 'member' }, sessionsEnded: false },
      },
    ]);
    expect(await verifyAuditChain(uow.read, organizationId)).toMatchObject({ ok: true });
  });

  it("deactivating ends all the user's sessions; reactivating restores access", async () => {
    await startSession(memberId);
    await startSession(memberId);
    const adminSession = await startSession(adminId);
    await expect(
      updateMember(deps, { actorId: adminId }, memberId, { status: 'deactivated' }),
    ).resolves.toEqual({ id: memberId, role: 'member', status: 'deactivated' });
    const sessions = await database.db.selectFrom('sessions').select(['id', 'user_id']).execute();
    expect(sessions.filter((s) => s.user_id === memberId)).toEqual([]);
    // positive control: someone else's session is untouched
    expect(sessions.map((s) => s.id)).toContain(adminSession);
    await expect(
      updateMember(deps, { actorId: adminId }, memberId, { status: 'active' }),
    ).resolves.toEqual({ id: memberId, role: 'member', status: 'active' });
    expect((await auditActions(organizationId)).map((e) => e.details)).toEqual([
      { status: { from: 'active', to: 'deactivated' }, sessionsEnded: true },
      { status: { from: 'deactivated', to: 'active' }, sessionsEnded: false },
    ]);
  });

  it('a patch that changes nothing writes nothing and is not audited', async () => {
    await expect(
      updateMember(deps, { actorId: adminId }, memberId, { role: 'member', status: 'active' }),
    ).resolves.toEqual({ id: memberId, role: 'member', status: 'active' });
    expect(await auditActions(organizationId)).toEqual([]);
  });

  it('refusals have the SPEC codes, change nothing and are audited without foreign ids', async () => {
    const other = await insertOrganization(uow);
    await startSession(memberId);
    const before = await organizationState(organizationId);
    const cases: [() => Promise<unknown>, string][] = [
      [
        () => updateMember(deps, { actorId: adminId }, primaryAdminId, { role: 'member' }),
        'forbidden',
      ],
      [
        () => updateMember(deps, { actorId: adminId }, adminId, { status: 'deactivated' }),
        'forbidden',
      ],
      [
        () => updateMember(deps, { actorId: memberId }, otherAdminId, { role: 'member' }),
        'forbidden',
      ],
      [
        () => updateMember(deps, { actorId: adminId }, other.primaryAdmin.id, { role: 'member' }),
        'target_not_found',
      ],
      [
        () => updateMember(deps, { actorId: adminId }, UNKNOWN_ID, { role: 'admin' }),
        'target_not_found',
      ],
      [
        () => updateMember(deps, { actorId: adminId }, 'nope', { role: 'admin' }),
        'target_not_found',
      ],
      [() => updateMember(deps, { actorId: adminId }, memberId, {}), 'invalid_request'],
      [
        () =>
          updateMember(deps, { actorId: adminId }, memberId, {
            role: 'primary_admin' as 'admin',
          }),
        'invalid_request',
      ],
      [
        () => updateMember(deps, { actorId: adminId }, memberId, { status: 'invited' as 'active' }),
        'invalid_request',
      ],
    ];
    for (const [run, code] of cases) await expectRefused(run(), code);
    expect(await organizationState(organizationId)).toEqual(before);
    const audit = await auditActions(organizationId);
    expect(audit).toHaveLength(cases.length);
    expect(audit.every((e) => e.outcome === 'refused' && e.action === 'member.update')).toBe(true);
    expect(audit.map((e) => e.targetId)).not.toContain(other.primaryAdmin.id);
    expect(audit[0]).toMatchObject({ targetId: primaryAdminId, details: { code: 'forbidden' } });
    // positive control: the same admin may change the member
    await expect(
      updateMember(deps, { actorId: adminId }, memberId, { status: 'deactivated' }),
    ).resolves.toMatchObject({ status: 'deactivated' });
  });

  it('the primary admin may change a secondary admin but not themselves', async () => {
    await expectRefused(
      updateMember(deps, { actorId: primaryAdminId }, primaryAdminId, { role: 'admin' }),
      'forbidden',
    );
    await expect(
      updateMember(deps, { actorId: primaryAdminId }, adminId, { status: 'deactivated' }),
    ).resolves.toMatchObject({ status: 'deactivated' });
  });

  it('a deactivated admin is refused at once (the actor is loaded fresh)', async () => {
    await updateMember(deps, { actorId: primaryAdminId }, adminId, { status: 'deactivated' });
    await expectRefused(
      updateMember(deps, { actorId: adminId }, memberId, { role: 'admin' }),
      'forbidden',
    );
    expect((await organizationState(organizationId)).users).toContainEqual({
      id: memberId,
      role: 'member',
      status: 'active',
    });
  });
});

describe('addTeamMember / removeTeamMember', () => {
  it('adding is idempotent and audited once; removing takes the user off and is audited', async () => {
    const newcomer = await addUser(organizationId, { name: 'Nia New' });
    await expect(addTeamMember(deps, { actorId: adminId }, teamId, newcomer)).resolves.toEqual({
      added: true,
    });
    await expect(addTeamMember(deps, { actorId: adminId }, teamId, newcomer)).resolves.toEqual({
      added: false,
    });
    expect(
      rowOf((await listTeamMembers(deps, { actorId: adminId }, teamId)).items, newcomer).teams,
    ).toEqual([{ id: teamId, name: 'Sales' }]);
    await removeTeamMember(deps, { actorId: adminId }, teamId, newcomer);
    expect(
      (await listTeamMembers(deps, { actorId: adminId }, teamId)).items.map((r) => r.id),
    ).not.toContain(newcomer);
    expect(await auditActions(organizationId)).toEqual([
      { action: 'team.member_add', outcome: 'applied', targetId: newcomer, details: { teamId } },
      {
        action: 'team.member_remove',
        outcome: 'applied',
        targetId: newcomer,
        details: { teamId, teamsLeft: 0 },
      },
    ]);
  });

  it('removing someone not on the team is not_found', async () => {
    const outsider = await addUser(organizationId);
    await expectRefused(
      removeTeamMember(deps, { actorId: adminId }, teamId, outsider),
      'not_found',
    );
    // positive control: a member of the team can be removed
    await expect(
      removeTeamMember(deps, { actorId: adminId }, otherTeamId, memberId),
    ).resolves.toMatchObject({ teamsLeft: expect.any(Number) as number });
  });

  it('refusals have the SPEC codes, change nothing and are audited without foreign ids', async () => {
    const other = await insertOrganization(uow);
    const foreignUser = await addUser(other.organizationId);
    const foreignTeam = await addTeam(other.organizationId, 'Foreign', [foreignUser]);
    const newcomer = await addUser(organizationId);
    const before = await organizationState(organizationId);
    const foreignBefore = await organizationState(other.organizationId);
    const cases: [() => Promise<unknown>, string][] = [
      [() => addTeamMember(deps, { actorId: adminId }, foreignTeam, newcomer), 'not_found'],
      [() => addTeamMember(deps, { actorId: adminId }, 'not-a-uuid', newcomer), 'not_found'],
      [() => addTeamMember(deps, { actorId: adminId }, teamId, foreignUser), 'target_not_found'],
      [() => addTeamMember(deps, { actorId: adminId }, teamId, UNKNOWN_ID), 'target_not_found'],
      [() => addTeamMember(deps, { actorId: memberId }, teamId, newcomer), 'forbidden'],
      [() => addTeamMember(deps, { actorId: adminId }, otherTeamId, primaryAdminId), 'forbidden'],
      [() => addTeamMember(deps, { actorId: adminId }, otherTeamId, adminId), 'forbidden'],
      [() => removeTeamMember(deps, { actorId: adminId }, teamId, primaryAdminId), 'forbidden'],
      [() => removeTeamMember(deps, { actorId: adminId }, teamId, adminId), 'forbidden'],
      [() => removeTeamMember(deps, { actorId: memberId }, teamId, otherAdminId), 'forbidden'],
      [() => removeTeamMember(deps, { actorId: adminId }, foreignTeam, foreignUser), 'not_found'],
    ];
    for (const [run, code] of cases) await expectRefused(run(), code);
    expect(await organizationState(organizationId)).toEqual(before);
    expect(await organizationState(other.organizationId)).toEqual(foreignBefore);
    const audit = await auditActions(organizationId);
    expect(audit).toHaveLength(cases.length);
    expect(audit.every((e) => e.outcome === 'refused')).toBe(true);
    const logged = JSON.stringify(audit);
    expect(logged).not.toContain(foreignTeam);
    expect(logged).not.toContain(foreignUser);
    expect(await auditActions(other.organizationId)).toEqual([]);
    // positive controls
    await expect(addTeamMember(deps, { actorId: adminId }, teamId, newcomer)).resolves.toEqual({
      added: true,
    });
    await expect(
      removeTeamMember(deps, { actorId: primaryAdminId }, teamId, adminId),
    ).resolves.toMatchObject({ teamsLeft: expect.any(Number) as number });
  });
});

import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeamPolicies, TeamPolicy } from '#src/domain/contracts/policies.contract.ts';
import type {
  OwnCategoryWithVersion,
  OwnSettings,
} from '#src/domain/contracts/settings.contract.ts';
import type { MemberPage } from '#src/domain/contracts/members.contract.ts';
import type { SyncSettingsResult } from '#src/domain/contracts/sync.contract.ts';
import { processBulkBatch } from '#src/services/bulk/bulk-sync.service.ts';
import { insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { insertOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { makeAdminSettings, makeMemberSettings } from '#tests/factories/settings.factory.ts';
import { describeResponse, expectProblem } from '#tests/integration/http/support/http.ts';
import { fingerprint } from '#tests/integration/http/support/db-fingerprint.ts';
import { keyring } from '#tests/integration/sync/fixtures.ts';
import {
  buildTestApp,
  loginAs,
  request,
  type Agent,
  type TestApp,
  type TestQueue,
} from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Follow-the-admin policies (issue 16, ADR 0016) over HTTP, with the in-process job runner: a
 * team follows an admin per category; the admin's change reaches every follower once; a locked
 * category is refused on the member's API; a member's own edit is kept (overridden) and skipped;
 * a revert pauses follow until Resume; a member who joins arrives configured; and of two teams'
 * policies the more recent governs. Each test builds a team of its own (factories).
 */

let database: TestDatabase;
let testApp: TestApp;
let queue: TestQueue;
let orgId: string;
let adaId: string;
let ada: Agent;
let ownerId: string;
let owner: Agent;
let otherOrgUserId: string;
let plainMemberId: string;

const ADA = 'Ada Admin';

async function call(
  agent: Agent | undefined,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return request(testApp.app, agent, method, url, payload);
}

function expectStatus(response: LightMyRequestResponse, status: number): void {
  expect(response.statusCode, describeResponse(response)).toBe(status);
}

let counter = 0;

interface Member {
  id: string;
  name: string;
  agent: Agent;
}

async function newMember(): Promise<Member> {
  counter += 1;
  const name = `Follower ${counter}`;
  const user = await insertUserWithDashboard(testApp.deps.uow, keyring, orgId, {
    name,
    email: `follower-${counter}-${randomUUID().slice(0, 6)}@example.test`,
    canLogIn: true,
    settings: makeMemberSettings(),
  });
  return { id: user.id, name, agent: await loginAs(testApp.app, user.email, TEST_PASSWORD) };
}

async function newTeam(members: readonly Member[]): Promise<string> {
  counter += 1;
  const created = await call(ada, 'POST', '/api/teams', { name: `Followers ${counter}` });
  expectStatus(created, 201);
  const teamId = created.json<{ id: string }>().id;
  for (const m of members) {
    expectStatus(await call(ada, 'POST', `/api/teams/${teamId}/members/${m.id}`), 204);
  }
  return teamId;
}

async function setPolicy(
  teamId: string,
  category: string,
  body: Record<string, unknown>,
): Promise<LightMyRequestResponse> {
  return call(ada, 'PUT', `/api/teams/${teamId}/policies/${category}`, body);
}

async function follow(teamId: string, category: string, locked = false): Promise<TeamPolicy> {
  const response = await setPolicy(teamId, category, {
    mode: 'follow',
    sourceUserId: adaId,
    locked,
  });
  expectStatus(response, 200);
  return response.json<TeamPolicy>();
}

async function ownCategory(agent: Agent, category: string): Promise<OwnCategoryWithVersion> {
  const response = await call(agent, 'GET', `/api/me/settings/${category}`);
  expectStatus(response, 200);
  return response.json<OwnCategoryWithVersion>();
}

async function putOwn(agent: Agent, category: string, value: unknown) {
  const current = await ownCategory(agent, category);
  return call(agent, 'PUT', `/api/me/settings/${category}`, {
    value,
    dashboardVersion: current.dashboardVersion,
  });
}

interface Stages {
  stages: { internalId: string; name: string; order: number; probability?: number }[];
  salesforceRecordTypes: unknown[];
}

/** Ada adds a stage of her own (a change to her Pipeline stages), and waits for the pushes. */
async function adaAddsStage(name: string): Promise<void> {
  const current = (await ownCategory(ada, 'pipeline_stages')).value as Stages;
  const stage = {
    internalId: `stage.${randomUUID().slice(0, 8)}`,
    name,
    order: 20,
    probability: 50,
  };
  const response = await putOwn(ada, 'pipeline_stages', {
    ...current,
    stages: [...current.stages, stage],
  });
  expectStatus(response, 200);
  await queue.idle();
}

async function stageNames(agent: Agent): Promise<string[]> {
  return ((await ownCategory(agent, 'pipeline_stages')).value as Stages).stages.map((s) => s.name);
}

async function followSyncsOf(memberId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from sync_runs r join bulk_runs b on b.id = r.bulk_run_id
     where r.target_id = ${memberId} and b.trigger = 'follow'`.execute(database.db);
  return rows[0]?.n ?? -1;
}

async function stateOf(memberId: string, category: string): Promise<string | null> {
  const { rows } = await sql<{ state: string }>`
    select state from member_category_states
     where user_id = ${memberId} and category = ${category}`.execute(database.db);
  return rows[0]?.state ?? null;
}

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database, { keyring, bulk: { batchSize: 2 } });
  if (!testApp.queue) throw new Error('buildTestApp gives an in-process queue by default');
  queue = testApp.queue;
  const org = await insertOrganizationWithPeople(testApp.deps.uow, keyring, {
    teams: ['Sales'],
    primaryAdmin: { name: 'Olga Owner', teams: ['Sales'] },
    admins: [{ name: ADA, teams: ['Sales'], settings: makeAdminSettings() }],
    members: [{ name: 'Plain Member', teams: ['Sales'], settings: makeMemberSettings() }],
  });
  orgId = org.organizationId;
  const [adaRow] = org.admins;
  const [plain] = org.members;
  if (!adaRow || !plain) throw new Error('fixture incomplete');
  adaId = adaRow.id;
  ownerId = org.primaryAdmin.id;
  plainMemberId = plain.id;
  ada = await loginAs(testApp.app, adaRow.email, TEST_PASSWORD);
  owner = await loginAs(testApp.app, org.primaryAdmin.email, TEST_PASSWORD);
  const other = await insertOrganizationWithPeople(testApp.deps.uow, keyring, {
    name: 'Globex',
    primaryAdmin: { name: 'Gil Globex' },
  });
  otherOrgUserId = other.primaryAdmin.id;
});

afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

describe('team policies: bad input changes nothing', () => {
  it.each([
    ['a lock without follow', { mode: 'manual', locked: true }, 400, 'invalid_request'],
    ['follow without a source', { mode: 'follow' }, 400, 'invalid_request'],
    [
      'a source who is not an admin',
      { mode: 'follow', sourceUserId: 'PLAIN' },
      400,
      'invalid_request',
    ],
    ["another organization's user", { mode: 'follow', sourceUserId: 'OTHER' }, 404, 'not_found'],
    ['nobody', { mode: 'follow', sourceUserId: randomUUID() }, 404, 'not_found'],
    [
      'CRM keys following an admin who is not the organization admin',
      { mode: 'follow', sourceUserId: 'ADA' },
      400,
      'invalid_request',
    ],
  ])('%s is refused', async (_name, body, status, code) => {
    const teamId = await newTeam([]);
    const resolved = {
      ...body,
      ...('sourceUserId' in body
        ? {
            sourceUserId:
              body.sourceUserId === 'PLAIN'
                ? plainMemberId
                : body.sourceUserId === 'OTHER'
                  ? otherOrgUserId
                  : body.sourceUserId === 'ADA'
                    ? adaId
                    : body.sourceUserId,
          }
        : {}),
    };
    const category = _name.startsWith('CRM keys') ? 'crm_keys' : 'pipeline_stages';
    const before = await fingerprint(database.db);
    const response = await setPolicy(teamId, category, resolved);
    expectStatus(response, status);
    expect(expectProblem(response, `${status} ${code}`)).toBe(code);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it("an unknown category, another organization's team and a member acting are refused", async () => {
    const teamId = await newTeam([]);
    const member = await newMember();
    const before = await fingerprint(database.db);
    const unknown = await setPolicy(teamId, 'colours', { mode: 'manual' });
    expect(expectProblem(unknown, '400 invalid_request')).toBe('invalid_request');
    const noTeam = await setPolicy(randomUUID(), 'pipeline_stages', { mode: 'manual' });
    expect(expectProblem(noTeam, '404 not_found')).toBe('not_found');
    const asMember = await call(
      member.agent,
      'PUT',
      `/api/teams/${teamId}/policies/pipeline_stages`,
      {
        mode: 'follow',
        sourceUserId: adaId,
      },
    );
    expect(expectProblem(asMember, '403 forbidden')).toBe('forbidden');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('CRM keys may follow the organization admin', async () => {
    const teamId = await newTeam([]);
    const response = await setPolicy(teamId, 'crm_keys', { mode: 'follow', sourceUserId: ownerId });
    expectStatus(response, 200);
    expect(response.json<TeamPolicy>()).toMatchObject({
      category: 'crm_keys',
      mode: 'follow',
      source: { id: ownerId, name: 'Olga Owner' },
    });
  });
});

describe('GET /api/teams/{teamId}/policies', () => {
  it('lists every category, manual until set, and the admins a policy may follow', async () => {
    const teamId = await newTeam([]);
    await follow(teamId, 'pipeline_stages', true);
    const response = await call(ada, 'GET', `/api/teams/${teamId}/policies`);
    expectStatus(response, 200);
    const body = response.json<TeamPolicies>();
    expect(body.policies).toHaveLength(10);
    expect(body.policies.find((p) => p.category === 'pipeline_stages')).toMatchObject({
      mode: 'follow',
      locked: true,
      source: { id: adaId, name: ADA },
      updatedBy: { id: adaId, name: ADA },
    });
    expect(body.policies.find((p) => p.category === 'company_details')).toMatchObject({
      mode: 'manual',
      source: null,
      locked: false,
      updatedAt: null,
    });
    expect(body.sources.map((s) => s.name)).toEqual([ADA, 'Olga Owner']);
  });
});

describe('follow pushes', () => {
  it("the source admin's change to a followed category reaches every follower of the team once", async () => {
    const members = [await newMember(), await newMember(), await newMember()];
    const teamId = await newTeam(members);
    await follow(teamId, 'pipeline_stages');
    await adaAddsStage('Negotiation');
    for (const m of members) {
      expect(await stageNames(m.agent)).toContain('Negotiation');
      expect(await followSyncsOf(m.id)).toBe(1);
    }
    // A batch delivered again (a retried job) settles nobody twice.
    const { rows } = await sql<{ id: string; batches: number }>`
      select id, batches from bulk_runs where team_id = ${teamId} and trigger = 'follow'`.execute(
      database.db,
    );
    expect(rows).toHaveLength(1);
    const run = rows[0];
    if (!run) throw new Error('no follow run');
    for (let batch = 0; batch < run.batches; batch += 1) {
      await processBulkBatch({ ...testApp.deps, queue, keyring }, { runId: run.id, batch }, 1);
    }
    for (const m of members) expect(await followSyncsOf(m.id)).toBe(1);
    // Members of other teams are not touched.
    expect(await followSyncsOf(plainMemberId)).toBe(0);
  });

  it('a change to a category the team does not follow pushes nothing', async () => {
    const member = await newMember();
    const teamId = await newTeam([member]);
    await follow(teamId, 'company_details');
    await adaAddsStage('Not followed');
    expect(await stageNames(member.agent)).not.toContain('Not followed');
    expect(await followSyncsOf(member.id)).toBe(0);
  });

  it('the member is notified of the follow push', async () => {
    const member = await newMember();
    const teamId = await newTeam([member]);
    await follow(teamId, 'pipeline_stages');
    await adaAddsStage('Told');
    const list = await call(member.agent, 'GET', '/api/me/notifications');
    expectStatus(list, 200);
    const body = list.json<{
      unreadCount: number;
      notifications: { categories: { key: string }[] }[];
    }>();
    expect(body.unreadCount).toBe(1);
    expect(body.notifications[0]?.categories.map((c) => c.key)).toEqual(['pipeline_stages']);
  });
});

describe('locked categories', () => {
  it('a member editing a locked category gets 403 category_locked "Managed by your admin, <name>" and nothing is written', async () => {
    const member = await newMember();
    const teamId = await newTeam([member]);
    await follow(teamId, 'pipeline_stages', true);
    const current = await ownCategory(member.agent, 'pipeline_stages');
    expect(current.managed).toMatchObject({
      by: { id: adaId, name: ADA },
      locked: true,
      state: null,
      label: `Managed by your admin, ${ADA}`,
    });
    const before = await fingerprint(database.db);
    const response = await call(member.agent, 'PUT', '/api/me/settings/pipeline_stages', {
      value: { stages: [], salesforceRecordTypes: [] },
      dashboardVersion: current.dashboardVersion,
    });
    expect(expectProblem(response, '403 category_locked')).toBe('category_locked');
    expect(response.json<{ detail: string }>().detail).toBe(`Managed by your admin, ${ADA}`);
    expect(await fingerprint(database.db)).toEqual(before);
    // The other categories stay the member's own.
    const settings = (await call(member.agent, 'GET', '/api/me/settings')).json<OwnSettings>();
    expect(settings.categories.find((c) => c.key === 'company_details')?.managed).toBeNull();
  });
});

describe('overridden categories', () => {
  it("a member's own edit of a followed, unlocked category marks it overridden and follow pushes skip it until Reset to the admin's settings", async () => {
    const member = await newMember();
    const teamId = await newTeam([member]);
    await follow(teamId, 'pipeline_stages');
    const mine = {
      stages: [{ internalId: 'stage.mine', name: 'My own', order: 0, probability: 20 }],
      salesforceRecordTypes: [],
    };
    expectStatus(await putOwn(member.agent, 'pipeline_stages', mine), 200);
    expect(await stateOf(member.id, 'pipeline_stages')).toBe('overridden');
    expect((await ownCategory(member.agent, 'pipeline_stages')).managed?.state).toBe('overridden');

    await adaAddsStage('Skipped');
    expect(await stageNames(member.agent)).toEqual(['My own']);
    expect(await followSyncsOf(member.id)).toBe(0);
    // The member table shows it.
    const page = (await call(ada, 'GET', `/api/teams/${teamId}/members`)).json<MemberPage>();
    expect(page.items.find((r) => r.id === member.id)?.followStates).toEqual({
      pipeline_stages: 'overridden',
    });

    const reset = await call(member.agent, 'POST', '/api/me/settings/pipeline_stages/reset');
    expectStatus(reset, 202);
    await queue.idle();
    expect(await stateOf(member.id, 'pipeline_stages')).toBeNull();
    expect(await stageNames(member.agent)).toContain('Skipped');
  });
});

describe('a revert pauses follow', () => {
  it('reverting a follow sync pauses follow for that member and category; the next push skips them; Resume applies again', async () => {
    const member = await newMember();
    const teamId = await newTeam([member]);
    await follow(teamId, 'pipeline_stages');
    await adaAddsStage('Rolled back');
    const { rows } = await sql<{ id: string }>`
      select r.id from sync_runs r join bulk_runs b on b.id = r.bulk_run_id
       where r.target_id = ${member.id} and b.trigger = 'follow'`.execute(database.db);
    const syncId = rows[0]?.id;
    if (!syncId) throw new Error('no follow sync');
    expectStatus(await call(ada, 'POST', `/api/syncs/${syncId}/revert`), 200);
    expect(await stageNames(member.agent)).not.toContain('Rolled back');
    expect(await stateOf(member.id, 'pipeline_stages')).toBe('paused');

    await adaAddsStage('Not re-applied');
    expect(await stageNames(member.agent)).not.toContain('Not re-applied');
    expect(await stageNames(member.agent)).not.toContain('Rolled back');

    const policies = (await call(ada, 'GET', `/api/teams/${teamId}/policies`)).json<TeamPolicies>();
    expect(policies.policies.find((p) => p.category === 'pipeline_stages')?.exceptions).toEqual([
      expect.objectContaining({ userId: member.id, state: 'paused' }),
    ]);

    const resumed = await call(
      ada,
      'POST',
      `/api/members/${member.id}/follow/pipeline_stages/resume`,
    );
    expectStatus(resumed, 202);
    await queue.idle();
    expect(await stateOf(member.id, 'pipeline_stages')).toBeNull();
    expect(await stageNames(member.agent)).toEqual(
      expect.arrayContaining(['Rolled back', 'Not re-applied']),
    );
  });

  it('Resume of a category that is not followed is not found and changes nothing', async () => {
    const member = await newMember();
    const before = await fingerprint(database.db);
    const response = await call(
      ada,
      'POST',
      `/api/members/${member.id}/follow/pipeline_stages/resume`,
    );
    expect(expectProblem(response, '404 not_found')).toBe('not_found');
    expect(await fingerprint(database.db)).toEqual(before);
  });
});

describe('new members arrive configured', () => {
  it('a member added to a following team gets the followed categories on joining', async () => {
    const early = await newMember();
    const teamId = await newTeam([early]);
    await follow(teamId, 'pipeline_stages');
    await adaAddsStage('On arrival');
    const late = await newMember();
    expect(await stageNames(late.agent)).not.toContain('On arrival');
    expectStatus(await call(ada, 'POST', `/api/teams/${teamId}/members/${late.id}`), 204);
    await queue.idle();
    expect(await stageNames(late.agent)).toContain('On arrival');
  });
});

describe('a member on two teams', () => {
  it('the policy changed more recently governs, and the team settings show the conflict', async () => {
    const shared = await newMember();
    const teamA = await newTeam([shared]);
    const teamB = await newTeam([shared]);
    await follow(teamA, 'pipeline_stages');
    const manual = await setPolicy(teamB, 'pipeline_stages', { mode: 'manual' });
    expectStatus(manual, 200);

    await adaAddsStage('Team B wins');
    expect(await stageNames(shared.agent)).not.toContain('Team B wins');

    const policies = (await call(ada, 'GET', `/api/teams/${teamA}/policies`)).json<TeamPolicies>();
    expect(policies.policies.find((p) => p.category === 'pipeline_stages')?.conflicts).toEqual([
      expect.objectContaining({
        teamId: teamB,
        mode: 'manual',
        sharedMembers: 1,
        governs: 'other_team',
      }),
    ]);

    await follow(teamA, 'pipeline_stages');
    await adaAddsStage('Team A again');
    expect(await stageNames(shared.agent)).toContain('Team A again');
  });
});

describe('a sync an admin runs by hand still works under follow', () => {
  it('Sync Settings to a follower of an unlocked category applies', async () => {
    const member = await newMember();
    const teamId = await newTeam([member]);
    await follow(teamId, 'pipeline_stages');
    const response = await call(ada, 'POST', `/api/members/${member.id}/sync-settings`, {
      categories: ['pipeline_stages'],
    });
    expectStatus(response, 200);
    expect(response.json<SyncSettingsResult>().changed).toBe(true);
  });
});

describe('CRM keys follow the organization admin', () => {
  it("the organization admin's new key reaches the team's followers by Sync CRM; a locked member cannot change their connections", async () => {
    const member = await newMember();
    const teamId = await newTeam([member]);
    const policy = await setPolicy(teamId, 'crm_keys', {
      mode: 'follow',
      sourceUserId: ownerId,
      locked: true,
    });
    expectStatus(policy, 200);
    const saved = await call(owner, 'PUT', '/api/me/crm-connections/attio', {
      secrets: { accessToken: 'attio-follow-token-000001' },
      instance: {},
    });
    expectStatus(saved, 200);
    await queue.idle();
    const connections = await call(member.agent, 'GET', '/api/me/crm-connections');
    expectStatus(connections, 200);
    expect(connections.json<{ crm: string }[]>().map((c) => c.crm)).toContain('attio');
    const { rows } = await sql<{ action: string }>`
      select b.action from bulk_runs b join bulk_run_members m on m.run_id = b.id
       where m.member_id = ${member.id} and b.trigger = 'follow'`.execute(database.db);
    expect(rows.map((r) => r.action)).toEqual(['sync_crm']);

    const before = await fingerprint(database.db);
    const refused = await call(member.agent, 'PUT', '/api/me/crm-connections/hubspot', {
      secrets: { accessToken: 'pat-na1-follow-locked-0001' },
      instance: {},
    });
    expect(expectProblem(refused, '403 category_locked')).toBe('category_locked');
    expect(await fingerprint(database.db)).toEqual(before);
  });
});

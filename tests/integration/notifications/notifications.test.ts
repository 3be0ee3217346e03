import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Notification,
  NotificationChanges,
  NotificationList,
} from '#src/domain/contracts/notifications.contract.ts';
import type {
  ItemChange,
  RevertResult,
  SyncSettingsResult,
} from '#src/domain/contracts/sync.contract.ts';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import type { BulkRunView } from '#src/services/bulk/bulk-sync.service.ts';
import { notificationChanges } from '#src/services/notifications/notification.service.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import { makeCrmConnection } from '#tests/factories/crm-connection.factory.ts';
import { dashboardState, insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { insertOrganizationWithPeople, insertUser } from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { makeAdminSettings, makeMemberSettings } from '#tests/factories/settings.factory.ts';
import { describeResponse, expectProblem } from '#tests/integration/http/support/http.ts';
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
 * In-app notifications and a member's own restore (issue 16 item 4, ADR 0016), over HTTP: a
 * sync that changed a member's dashboard notifies that member once (written by the triggers of
 * the follow-policies migration), they read and mark their notifications, and restore their
 * previous settings for 7 days unless a category is locked for them or they changed it since.
 * Each test has members of its own (factories), so tests do not see each other's notifications.
 */

let database: TestDatabase;
let testApp: TestApp;
let queue: TestQueue;
let orgId: string;
let adminId: string;
let admin: Agent;
/** Every plaintext CRM secret the fixture stored (the organization admin's and the admin's). */
const secrets: string[] = [];

const ADMIN_NAME = 'Ada Admin';
const OWNER_KEYS = [makeCrmConnection('hubspot'), makeCrmConnection('pipedrive')];
const ADMIN_KEYS = [makeCrmConnection('salesforce')];

function secretsOf(connections: readonly { secrets: Record<string, unknown> }[]): string[] {
  return connections.flatMap((c) =>
    Object.values(c.secrets).filter((s): s is string => typeof s === 'string'),
  );
}

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

function expectCode(response: LightMyRequestResponse, status: number, code: string): void {
  expectStatus(response, status);
  expect(expectProblem(response, `${status} ${code}`)).toBe(code);
}

let memberCounter = 0;

/** A new member of the organization with a dashboard that differs from the admin's, logged in. */
async function newMember(
  options: { crm?: readonly CrmCredentials[] } = {},
): Promise<{ id: string; name: string; agent: Agent }> {
  memberCounter += 1;
  const name = `Member ${memberCounter}`;
  const user = await insertUserWithDashboard(testApp.deps.uow, keyring, orgId, {
    name,
    email: `notified-${memberCounter}-${randomUUID().slice(0, 6)}@example.test`,
    canLogIn: true,
    settings: makeMemberSettings({ task_settings: { defaultDueOffsetDays: 7 + memberCounter } }),
    ...(options.crm ? { crm: options.crm } : {}),
  });
  return { id: user.id, name, agent: await loginAs(testApp.app, user.email, TEST_PASSWORD) };
}

async function syncSettings(
  memberId: string,
  categories: string[],
  dryRun = false,
): Promise<SyncSettingsResult> {
  const response = await call(admin, 'POST', `/api/members/${memberId}/sync-settings`, {
    categories,
    dryRun,
  });
  expectStatus(response, 200);
  return response.json<SyncSettingsResult>();
}

async function list(agent: Agent, query = ''): Promise<NotificationList> {
  const response = await call(agent, 'GET', `/api/me/notifications${query}`);
  expectStatus(response, 200);
  return response.json<NotificationList>();
}

async function onlyNotification(agent: Agent): Promise<Notification> {
  const { notifications } = await list(agent);
  expect(notifications).toHaveLength(1);
  const [first] = notifications;
  if (!first) throw new Error('no notification');
  return first;
}

async function notificationCount(userId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from notifications where user_id = ${userId}`.execute(database.db);
  return rows[0]?.n ?? -1;
}

async function organizationNotificationCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from notifications where organization_id = ${orgId}`.execute(
    database.db,
  );
  return rows[0]?.n ?? -1;
}

function restore(agent: Agent, notificationId: string): Promise<LightMyRequestResponse> {
  return call(agent, 'POST', `/api/me/notifications/${notificationId}/restore`);
}

function changesOf(agent: Agent, notificationId: string): Promise<LightMyRequestResponse> {
  return call(agent, 'GET', `/api/me/notifications/${notificationId}/changes`);
}

async function reviewChanges(agent: Agent, notificationId: string): Promise<NotificationChanges> {
  const response = await changesOf(agent, notificationId);
  expectStatus(response, 200);
  return response.json<NotificationChanges>();
}

function byKey(changes: readonly ItemChange[]): ItemChange[] {
  return [...changes].sort((a, b) => a.key.localeCompare(b.key));
}

beforeAll(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database, { keyring, bulk: { batchSize: 2 } });
  if (!testApp.queue) throw new Error('buildTestApp gives an in-process queue by default');
  queue = testApp.queue;
  const org = await insertOrganizationWithPeople(testApp.deps.uow, keyring, {
    teams: ['Sales'],
    primaryAdmin: { name: 'Olga Owner', teams: ['Sales'], crm: OWNER_KEYS },
    admins: [
      { name: ADMIN_NAME, teams: ['Sales'], settings: makeAdminSettings(), crm: ADMIN_KEYS },
    ],
  });
  orgId = org.organizationId;
  const [ada] = org.admins;
  if (!ada) throw new Error('fixture incomplete');
  adminId = ada.id;
  admin = await loginAs(testApp.app, ada.email, TEST_PASSWORD);
  secrets.push(...secretsOf(OWNER_KEYS), ...secretsOf(ADMIN_KEYS));
});

afterAll(async () => {
  await testApp.app.close();
  await database.close();
});

describe('notifications of a change to your dashboard', () => {
  it("a Sync Settings that changed a member's dashboard notifies that member once: who, which categories, the counts", async () => {
    const member = await newMember();
    const synced = await syncSettings(member.id, ['pipeline_stages', 'custom_properties']);
    expect(synced.changed).toBe(true);

    const notification = await onlyNotification(member.agent);
    expect(notification).toMatchObject({
      kind: 'dashboard_changed',
      action: 'sync_settings',
      syncRunId: synced.syncId,
      bulkRunId: null,
      readAt: null,
      actor: { id: adminId, name: ADMIN_NAME },
      bulk: null,
      restore: { available: true, reason: null, restoredBySyncId: null },
    });
    // The categories in the order the sync applied them, with the sync's own counts.
    const applied = synced.categories.filter((c) => c.changed);
    expect(notification.title).toBe(
      `${ADMIN_NAME} synced ${applied.map((c) => c.label).join(' and ')} to your dashboard.`,
    );
    expect(notification.categories).toEqual(
      applied.map((c) => ({ key: c.category, label: c.label, counts: c.counts, notes: c.notes })),
    );
    expect(notification.categories.map((c) => c.key).sort()).toEqual([
      'custom_properties',
      'pipeline_stages',
    ]);
    const until = new Date(notification.restore?.until ?? 0).getTime();
    const created = new Date(notification.createdAt).getTime();
    expect(until - created).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    expect(until - created).toBeLessThan(7.1 * 24 * 3600 * 1000);
    expect(await notificationCount(member.id)).toBe(1);
    // The admin who ran it is not notified of their own sync.
    expect(await notificationCount(adminId)).toBe(0);
  });

  it('a no-op re-sync and a preview notify nobody', async () => {
    const member = await newMember();
    await syncSettings(member.id, ['company_details']);
    expect(await notificationCount(member.id)).toBe(1);
    const again = await syncSettings(member.id, ['company_details']);
    expect(again.changed).toBe(false);
    expect(await notificationCount(member.id)).toBe(1);

    const previewed = await newMember();
    const before = await organizationNotificationCount();
    const preview = await syncSettings(previewed.id, ['company_details', 'task_settings'], true);
    expect(preview.changed).toBe(true);
    expect(await organizationNotificationCount()).toBe(before);
    expect((await list(previewed.agent)).notifications).toEqual([]);
  });

  it('a Sync CRM that copies nothing new (a re-run) notifies nobody', async () => {
    const member = await newMember();
    expectStatus(await call(admin, 'POST', `/api/members/${member.id}/sync-crm`), 200);
    expect(await notificationCount(member.id)).toBe(1);
    const before = await dashboardState(testApp.deps.uow, keyring, member.id);
    expectStatus(await call(admin, 'POST', `/api/members/${member.id}/sync-crm`), 200);
    expect(await dashboardState(testApp.deps.uow, keyring, member.id)).toEqual(before);
    expect(await notificationCount(member.id)).toBe(1);
  });

  it('a Sync CRM notification names the change and contains no key material', async () => {
    const memberKeys = [makeCrmConnection('hubspot')];
    const member = await newMember({ crm: memberKeys });
    const response = await call(admin, 'POST', `/api/members/${member.id}/sync-crm`);
    expectStatus(response, 200);

    const body = await list(member.agent);
    const [notification] = body.notifications;
    expect(body.notifications).toHaveLength(1);
    expect(notification).toMatchObject({
      kind: 'dashboard_changed',
      action: 'sync_crm',
      title: `${ADMIN_NAME} copied CRM keys to your dashboard.`,
      actor: { id: adminId, name: ADMIN_NAME },
      categories: [{ key: 'crm_keys', label: 'CRM keys', counts: null }],
      restore: { available: true },
    });
    // Neither the keys copied, nor the member's own that were replaced, nor their sealed form
    // (the undo snapshot holds it) reach the notification.
    const { rows } = await sql<{ snapshot: unknown }>`
      select snapshot from sync_runs where id = ${notification?.syncRunId ?? ''}`.execute(
      database.db,
    );
    const sealed = JSON.stringify(rows[0]?.snapshot ?? null)
      .match(/"(ciphertext|authTag|nonce)":"([^"]+)"/g)
      ?.map((m) => m.split('":"')[1]?.replace(/"$/, '') ?? '');
    expect(sealed?.length ?? 0).toBeGreaterThan(0);
    const text = JSON.stringify(body);
    for (const secret of [...secrets, ...secretsOf(memberKeys), ...(sealed ?? [])]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/access-token|api-token|ciphertext|snapshot/i);
  });

  it("an admin's revert notifies the member, and the sync's notification says it was restored", async () => {
    const member = await newMember();
    const synced = await syncSettings(member.id, ['company_details']);
    const reverted = await call(admin, 'POST', `/api/syncs/${synced.syncId ?? ''}/revert`);
    expectStatus(reverted, 200);
    const revert = reverted.json<RevertResult>();

    const { notifications, unreadCount } = await list(member.agent);
    expect(unreadCount).toBe(2);
    expect(notifications).toHaveLength(2);
    const [newest, older] = notifications;
    expect(newest).toMatchObject({
      kind: 'dashboard_changed',
      action: 'revert',
      syncRunId: revert.syncId,
      title: `${ADMIN_NAME} reverted a sync of your dashboard.`,
      actor: { id: adminId, name: ADMIN_NAME },
      categories: [{ key: 'company_details', label: 'Company details', counts: null }],
      restore: null,
    });
    expect(older).toMatchObject({
      syncRunId: synced.syncId,
      restore: { available: false, reason: 'Already restored.', restoredBySyncId: revert.syncId },
    });
  });
});

describe("a member's own restore", () => {
  it('restores the previous values, is recorded in the history, and notifies nobody', async () => {
    const member = await newMember();
    const before = await dashboardState(testApp.deps.uow, keyring, member.id);
    const synced = await syncSettings(member.id, ['company_details', 'task_settings']);
    expect(await dashboardState(testApp.deps.uow, keyring, member.id)).not.toEqual(before);
    const notification = await onlyNotification(member.agent);
    const notificationsBefore = await organizationNotificationCount();

    const response = await restore(member.agent, notification.id);
    expectStatus(response, 200);
    const result = response.json<RevertResult>();
    expect(result).toMatchObject({
      revertedSyncId: synced.syncId,
      targetUserId: member.id,
    });
    expect([...result.categories].sort()).toEqual(['company_details', 'task_settings']);
    expect(await dashboardState(testApp.deps.uow, keyring, member.id)).toEqual(before);

    // The history entry: a revert by the member of their own dashboard, the sync marked.
    const { rows } = await sql<{ action: string; actor_id: string; target_id: string }>`
      select action, actor_id, target_id from sync_runs where id = ${result.syncId}`.execute(
      database.db,
    );
    expect(rows).toEqual([{ action: 'revert', actor_id: member.id, target_id: member.id }]);
    const history = await call(admin, 'GET', `/api/syncs?memberId=${member.id}`);
    expectStatus(history, 200);
    expect(
      history.json<{ items: { id: string; revertedBySyncId: string | null }[] }>().items,
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: synced.syncId, revertedBySyncId: result.syncId }),
        expect.objectContaining({ id: result.syncId }),
      ]),
    );
    expect(await organizationNotificationCount()).toBe(notificationsBefore);
    const after = await onlyNotification(member.agent);
    expect(after.restore).toMatchObject({
      available: false,
      reason: 'Already restored.',
      restoredBySyncId: result.syncId,
    });
    expectCode(await restore(member.agent, notification.id), 409, 'already_reverted');
  });

  it('is refused after 7 days (410 restore_expired), the dashboard unchanged', async () => {
    const member = await newMember();
    const synced = await syncSettings(member.id, ['company_details']);
    await sql`update sync_runs set created_at = now() - interval '7 days 1 minute'
               where id = ${synced.syncId}`.execute(database.db);
    const notification = await onlyNotification(member.agent);
    expect(notification.restore).toMatchObject({
      available: false,
      reason: 'Restore is offered for 7 days after a change.',
    });
    const before = await dashboardState(testApp.deps.uow, keyring, member.id);

    const response = await restore(member.agent, notification.id);
    expectCode(response, 410, 'restore_expired');
    expect(response.json<{ detail: string }>().detail).toBe(
      'Restore is offered for 7 days after a change.',
    );
    expect(await dashboardState(testApp.deps.uow, keyring, member.id)).toEqual(before);
    expect(await notificationCount(member.id)).toBe(1);
  });

  it('is refused for a category locked for the member (403 category_locked), the dashboard unchanged', async () => {
    const member = await newMember();
    const synced = await syncSettings(member.id, ['company_details']);
    const [team] = await testApp.deps.uow.read.teams.insertMany(orgId, [
      `Locked team ${memberCounter}`,
    ]);
    if (!team) throw new Error('team not inserted');
    await testApp.deps.uow.read.teams.addMembers(orgId, [{ teamId: team.id, userId: member.id }]);
    await sql`insert into team_category_policies
                (team_id, organization_id, category, mode, source_user_id, locked, updated_by)
              values (${team.id}, ${orgId}, 'company_details', 'follow', ${adminId}, true,
                      ${adminId})`.execute(database.db);

    const notification = await onlyNotification(member.agent);
    expect(notification.restore).toMatchObject({
      available: false,
      reason: `Managed by your admin, ${ADMIN_NAME}: this category is locked.`,
    });
    const before = await dashboardState(testApp.deps.uow, keyring, member.id);
    const response = await restore(member.agent, notification.id);
    expectCode(response, 403, 'category_locked');
    expect(response.json<{ detail: string }>().detail).toBe(`Managed by your admin, ${ADMIN_NAME}`);
    expect(await dashboardState(testApp.deps.uow, keyring, member.id)).toEqual(before);
    const { rows } = await sql<{ reverted_by_sync_id: string | null }>`
      select reverted_by_sync_id from sync_runs where id = ${synced.syncId}`.execute(database.db);
    expect(rows).toEqual([{ reverted_by_sync_id: null }]);
  });

  it('is refused when the member changed the category since (409 version_conflict), the dashboard unchanged', async () => {
    const member = await newMember();
    await syncSettings(member.id, ['company_details']);
    const current = await call(member.agent, 'GET', '/api/me/settings/company_details');
    expectStatus(current, 200);
    const edited = await call(member.agent, 'PUT', '/api/me/settings/company_details', {
      value: { companyName: 'Mine again' },
      dashboardVersion: current.json<{ dashboardVersion: number }>().dashboardVersion,
    });
    expectStatus(edited, 200);
    const notification = await onlyNotification(member.agent);
    const before = await dashboardState(testApp.deps.uow, keyring, member.id);

    const response = await restore(member.agent, notification.id);
    expectCode(response, 409, 'version_conflict');
    expect(response.json<{ changed: string[] }>().changed).toEqual(['Company details']);
    expect(await dashboardState(testApp.deps.uow, keyring, member.id)).toEqual(before);
    expect(before.company_details).toMatchObject({ value: { companyName: 'Mine again' } });
  });

  it('a revert of a followed category pauses follow for the member, and the audit says so', async () => {
    const member = await newMember();
    await syncSettings(member.id, ['company_details']);
    const [team] = await testApp.deps.uow.read.teams.insertMany(orgId, [
      `Following team ${memberCounter}`,
    ]);
    if (!team) throw new Error('team not inserted');
    await testApp.deps.uow.read.teams.addMembers(orgId, [{ teamId: team.id, userId: member.id }]);
    await sql`insert into team_category_policies
                (team_id, organization_id, category, mode, source_user_id, locked, updated_by)
              values (${team.id}, ${orgId}, 'company_details', 'follow', ${adminId}, false,
                      ${adminId})`.execute(database.db);
    const notification = await onlyNotification(member.agent);
    expect(notification.restore?.available).toBe(true);

    const response = await restore(member.agent, notification.id);
    expectStatus(response, 200);
    const { rows: states } = await sql<{ state: string }>`
      select state from member_category_states
       where user_id = ${member.id} and category = 'company_details'`.execute(database.db);
    expect(states).toEqual([{ state: 'paused' }]);
    const { rows: audit } = await sql<{ details: Record<string, unknown> }>`
      select details from audit_log
       where target_id = ${member.id} and action = 'revert' and outcome = 'applied'`.execute(
      database.db,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({
      own: true,
      pausedFollow: ['company_details'],
      syncId: response.json<RevertResult>().syncId,
    });
  });
});

describe('Review changes (the diff)', () => {
  it("a Pipeline stages sync's changes list the stages added and updated with before and after, the same items the sync reported", async () => {
    const member = await newMember();
    const synced = await syncSettings(member.id, [
      'pipeline_stages',
      'custom_properties',
      'company_details',
    ]);
    const notification = await onlyNotification(member.agent);
    const review = await reviewChanges(member.agent, notification.id);
    expect(review.notificationId).toBe(notification.id);
    expect(review.syncRunId).toBe(synced.syncId);
    expect(review.categories.map((c) => c.key)).toEqual(notification.categories.map((c) => c.key));
    // Every category is still as the sync left it: its items are exactly the sync's own.
    for (const category of review.categories) {
      const result = synced.categories.find((c) => c.category === category.key);
      expect(category).toMatchObject({ status: 'current', note: null, label: result?.label });
      expect(byKey(category.changes)).toEqual(byKey(result?.changes ?? []));
    }

    const stages = review.categories.find((c) => c.key === 'pipeline_stages');
    // Pipeline stages merge by internal ID: the admin's are added or updated, the member's own
    // stage (Pilot) is kept, so nothing is removed.
    expect(byKey(stages?.changes ?? [])).toMatchObject([
      {
        key: 'stage:stage.demo',
        change: 'added',
        after: { internalId: 'stage.demo', name: 'Demo', synced: true },
      },
      {
        key: 'stage:stage.discovery',
        change: 'updated',
        before: { name: 'Intro call', probability: 5, synced: false },
        after: { name: 'Discovery', probability: 10, synced: true },
      },
      { key: 'stage:stage.won', change: 'added', after: { name: 'Closed won', order: 9 } },
    ]);
    expect(stages?.changes.filter((c) => c.change === 'added').every((c) => !('before' in c))).toBe(
      true,
    );
    // Custom properties (the other row category) replace the member's: one removed.
    const properties = new Map(
      (review.categories.find((c) => c.key === 'custom_properties')?.changes ?? []).map((c) => [
        c.key,
        c,
      ]),
    );
    expect(properties.get('hubspot/deal/old_field')).toMatchObject({
      change: 'removed',
      before: { label: 'Old field' },
    });
    expect(properties.get('hubspot/deal/old_field')).not.toHaveProperty('after');
    expect(properties.get('hubspot/deal/deal_source')).toMatchObject({
      change: 'updated',
      before: { label: 'Source (mine)' },
      after: { label: 'Deal source' },
    });
    const company = review.categories.find((c) => c.key === 'company_details');
    expect(company?.changes).toEqual(
      expect.arrayContaining([
        { key: 'companyName', change: 'updated', before: 'Acme (mine)', after: 'Acme' },
        { key: 'description', change: 'updated', before: 'My notes', after: '' },
      ]),
    );
    // Reading the changes writes nothing and marks nothing read.
    expect((await onlyNotification(member.agent)).readAt).toBeNull();
  });

  it('a category of 10,000 items is itemised in one answer, the same items the sync reported', async () => {
    const member = await newMember();
    // Rows as the bench stores them (beyond what one PUT accepts): the sync replaces them all.
    await sql`
      insert into custom_properties
        (user_id, crm, object, name, label, type, options, owner_property, position)
      select ${member.id}::uuid, 'pipedrive', 'deal', 'prop_' || i, 'Property ' || i, 'string',
             '[]'::jsonb, false, 100 + i
        from generate_series(0, 9999) as i`.execute(database.db);
    const synced = await syncSettings(member.id, ['custom_properties']);
    const notification = await onlyNotification(member.agent);
    const review = await reviewChanges(member.agent, notification.id);
    const [category] = review.categories;
    expect(category?.status).toBe('current');
    expect(category?.changes.filter((c) => c.change === 'removed')).toHaveLength(10_000 + 1);
    expect(byKey(category?.changes ?? [])).toEqual(byKey(synced.categories[0]?.changes ?? []));

    // As many statements as for a category of a few items: one read of the dashboard.
    const small = await newMember();
    await syncSettings(small.id, ['custom_properties']);
    const smallNotification = await onlyNotification(small.agent);
    const statementsFor = async (userId: string, notificationId: string) => {
      let statements = 0;
      const counted = database.db.withPlugin({
        transformQuery: (args) => {
          statements += 1;
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      await notificationChanges(
        { uow: createUnitOfWork(counted) },
        { actorId: userId },
        notificationId,
      );
      return statements;
    };
    const large = await statementsFor(member.id, notification.id);
    expect(large).toBeGreaterThanOrEqual(3);
    expect(large).toBe(await statementsFor(small.id, smallNotification.id));
  });

  it('a category the member edited since is changed_since, without items; the others still show theirs', async () => {
    const member = await newMember();
    await syncSettings(member.id, ['pipeline_stages', 'company_details']);
    const notification = await onlyNotification(member.agent);
    const current = await call(member.agent, 'GET', '/api/me/settings/pipeline_stages');
    expectStatus(current, 200);
    const edited = await call(member.agent, 'PUT', '/api/me/settings/pipeline_stages', {
      value: { stages: [], salesforceRecordTypes: [] },
      dashboardVersion: current.json<{ dashboardVersion: number }>().dashboardVersion,
    });
    expectStatus(edited, 200);

    const review = await reviewChanges(member.agent, notification.id);
    expect(review.categories.find((c) => c.key === 'pipeline_stages')).toEqual({
      key: 'pipeline_stages',
      label: 'Pipeline stages',
      status: 'changed_since',
      changes: [],
      note: 'You (or a later sync) changed this category since; the changes are not shown.',
    });
    const company = review.categories.find((c) => c.key === 'company_details');
    expect(company).toMatchObject({ status: 'current', note: null });
    expect(company?.changes).toContainEqual({
      key: 'companyName',
      change: 'updated',
      before: 'Acme (mine)',
      after: 'Acme',
    });
  });

  it("a revert's notification and a restored sync's show no items", async () => {
    const member = await newMember();
    const synced = await syncSettings(member.id, ['company_details']);
    const reverted = await call(admin, 'POST', `/api/syncs/${synced.syncId ?? ''}/revert`);
    expectStatus(reverted, 200);
    const [revert, sync] = (await list(member.agent)).notifications;
    if (!revert || !sync) throw new Error('two notifications expected');
    expect((await reviewChanges(member.agent, revert.id)).categories).toEqual([
      {
        key: 'company_details',
        label: 'Company details',
        status: 'not_shown',
        changes: [],
        note: 'A revert restores your earlier values.',
      },
    ]);
    expect((await reviewChanges(member.agent, sync.id)).categories).toMatchObject([
      { key: 'company_details', status: 'changed_since', changes: [] },
    ]);
  });

  it("another user's notification is 404 not_found, like a missing one", async () => {
    const owner = await newMember();
    const other = await newMember();
    await syncSettings(owner.id, ['company_details']);
    const notification = await onlyNotification(owner.agent);
    for (const agent of [other.agent, admin]) {
      expectCode(await changesOf(agent, notification.id), 404, 'not_found');
    }
    expectCode(await changesOf(owner.agent, randomUUID()), 404, 'not_found');
    expectCode(await changesOf(owner.agent, 'not-a-uuid'), 404, 'not_found');
    expectCode(
      await call(undefined, 'GET', `/api/me/notifications/${notification.id}/changes`),
      401,
      'unauthenticated',
    );
    expect((await reviewChanges(owner.agent, notification.id)).categories).toHaveLength(1);
  });

  it("a Sync CRM notification's changes are not_shown, and the answer holds no key material", async () => {
    const memberKeys = [makeCrmConnection('hubspot')];
    const member = await newMember({ crm: memberKeys });
    expectStatus(await call(admin, 'POST', `/api/members/${member.id}/sync-crm`), 200);
    const notification = await onlyNotification(member.agent);
    const response = await changesOf(member.agent, notification.id);
    expectStatus(response, 200);
    expect(response.json<NotificationChanges>()).toEqual({
      notificationId: notification.id,
      syncRunId: notification.syncRunId,
      categories: [
        {
          key: 'crm_keys',
          label: 'CRM keys',
          status: 'not_shown',
          changes: [],
          note: 'CRM keys are shown as fingerprints only: see your CRM connections.',
        },
      ],
    });
    const text = response.body;
    for (const secret of [...secrets, ...secretsOf(memberKeys)]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/ciphertext|authTag|nonce|fp:/i);
  });

  it('a Sync Settings of CRM keys itemises the other categories, never the keys', async () => {
    const memberKeys = [makeCrmConnection('hubspot')];
    const member = await newMember({ crm: memberKeys });
    await syncSettings(member.id, ['crm_keys', 'company_details']);
    const notification = await onlyNotification(member.agent);
    const response = await changesOf(member.agent, notification.id);
    expectStatus(response, 200);
    const review = response.json<NotificationChanges>();
    expect(review.categories.find((c) => c.key === 'crm_keys')).toEqual({
      key: 'crm_keys',
      label: 'CRM keys',
      status: 'not_shown',
      changes: [],
      note: 'CRM keys are shown as fingerprints only: see your CRM connections.',
    });
    expect(review.categories.find((c) => c.key === 'company_details')?.status).toBe('current');
    for (const secret of [...secrets, ...secretsOf(memberKeys)]) {
      expect(response.body).not.toContain(secret);
    }
    expect(response.body).not.toMatch(/ciphertext|authTag|nonce/i);
  });
});

describe('reading and marking notifications', () => {
  it('lists newest first a page at a time; mark read, read-all and the unread count', async () => {
    const member = await newMember();
    await syncSettings(member.id, ['company_details']);
    await syncSettings(member.id, ['task_settings']);
    await syncSettings(member.id, ['alternate_domains']);

    const unread = await call(member.agent, 'GET', '/api/me/notifications/unread-count');
    expectStatus(unread, 200);
    expect(unread.json()).toEqual({ unreadCount: 3 });
    const all = await list(member.agent);
    expect(all.unreadCount).toBe(3);
    expect(all.notifications.map((n) => n.categories.map((c) => c.key))).toEqual([
      ['alternate_domains'],
      ['task_settings'],
      ['company_details'],
    ]);
    const page = await list(member.agent, '?limit=2');
    expect(page.notifications.map((n) => n.id)).toEqual(
      all.notifications.slice(0, 2).map((n) => n.id),
    );
    const next = await list(member.agent, `?limit=2&before=${page.notifications[1]?.id ?? ''}`);
    expect(next.notifications.map((n) => n.id)).toEqual([all.notifications[2]?.id]);
    expectCode(
      await call(member.agent, 'GET', '/api/me/notifications?limit=0'),
      400,
      'invalid_request',
    );
    expectCode(
      await call(member.agent, 'GET', '/api/me/notifications?limit=101'),
      400,
      'invalid_request',
    );

    const [first] = all.notifications;
    if (!first) throw new Error('no notification');
    expectStatus(await call(member.agent, 'POST', `/api/me/notifications/${first.id}/read`), 204);
    const afterOne = await list(member.agent);
    expect(afterOne.unreadCount).toBe(2);
    expect(afterOne.notifications.find((n) => n.id === first.id)?.readAt).not.toBeNull();
    expect(afterOne.notifications.filter((n) => n.readAt === null)).toHaveLength(2);
    // Marking it again changes nothing.
    expectStatus(await call(member.agent, 'POST', `/api/me/notifications/${first.id}/read`), 204);
    expect((await list(member.agent)).unreadCount).toBe(2);

    expectStatus(await call(member.agent, 'POST', '/api/me/notifications/read-all'), 204);
    const unreadAfter = await call(member.agent, 'GET', '/api/me/notifications/unread-count');
    expect(unreadAfter.json()).toEqual({ unreadCount: 0 });
    expect((await list(member.agent)).notifications.every((n) => n.readAt !== null)).toBe(true);

    expectCode(
      await call(member.agent, 'POST', `/api/me/notifications/${randomUUID()}/read`),
      404,
      'not_found',
    );
    expectCode(
      await call(member.agent, 'POST', '/api/me/notifications/not-a-uuid/read'),
      404,
      'not_found',
    );
    expectCode(
      await call(member.agent, 'POST', '/api/me/notifications/not-a-uuid/restore'),
      404,
      'not_found',
    );
    expectCode(await call(undefined, 'GET', '/api/me/notifications'), 401, 'unauthenticated');
  });

  it("another user's notification is 404, and stays as it was", async () => {
    const owner = await newMember();
    const other = await newMember();
    await syncSettings(owner.id, ['company_details']);
    const notification = await onlyNotification(owner.agent);
    const before = await dashboardState(testApp.deps.uow, keyring, owner.id);

    for (const agent of [other.agent, admin]) {
      expectCode(
        await call(agent, 'POST', `/api/me/notifications/${notification.id}/read`),
        404,
        'not_found',
      );
      expectCode(await restore(agent, notification.id), 404, 'not_found');
      expect((await list(agent)).notifications.map((n) => n.id)).not.toContain(notification.id);
    }
    expect((await onlyNotification(owner.agent)).readAt).toBeNull();
    expect(await dashboardState(testApp.deps.uow, keyring, owner.id)).toEqual(before);
    // Read-all by someone else leaves it unread too.
    expectStatus(await call(other.agent, 'POST', '/api/me/notifications/read-all'), 204);
    expect((await list(owner.agent)).unreadCount).toBe(1);
  });
});

describe('notifications of a bulk run', () => {
  it('a bulk run finishing with a failure notifies its actor (bulk_failed); its changes notify the members', async () => {
    const member = await newMember();
    const noDashboard = await testApp.deps.uow.transaction((repos) =>
      insertUser(repos, orgId, { dashboard: false }),
    );
    const adminBefore = await notificationCount(adminId);
    const started = await call(admin, 'POST', '/api/bulk-syncs', {
      action: 'sync_settings',
      memberIds: [member.id, noDashboard.id],
      categories: ['company_details'],
    });
    expectStatus(started, 202);
    const runId = started.json<BulkRunView>().id;
    await queue.idle();

    const { notifications } = await list(admin);
    expect(await notificationCount(adminId)).toBe(adminBefore + 1);
    expect(notifications[0]).toMatchObject({
      kind: 'bulk_failed',
      bulkRunId: runId,
      syncRunId: null,
      action: 'sync_settings',
      title: 'Bulk Sync Settings finished: 1 of 2 members failed.',
      actor: { id: adminId, name: ADMIN_NAME },
      bulk: { total: 2, failed: 1, teamId: null },
      restore: null,
      categories: [{ key: 'company_details', label: 'Company details', counts: null }],
    });
    // A bulk run's notification is not a change to the admin's dashboard: nothing to review.
    expectCode(await changesOf(admin, notifications[0]?.id ?? ''), 400, 'invalid_request');
    expect(await onlyNotification(member.agent)).toMatchObject({
      kind: 'dashboard_changed',
      action: 'sync_settings',
      bulkRunId: null,
      actor: { id: adminId },
    });

    // A run without failures tells its actor nothing.
    const clean = await newMember();
    const ok = await call(admin, 'POST', '/api/bulk-syncs', {
      action: 'sync_settings',
      memberIds: [clean.id],
      categories: ['company_details'],
    });
    expectStatus(ok, 202);
    await queue.idle();
    expect(await notificationCount(adminId)).toBe(adminBefore + 1);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '#src/domain/errors.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { readCategory } from '#src/services/settings/settings-store.ts';
import { syncSettings, type SyncSettingsResult } from '#src/services/sync/sync-settings.service.ts';
import { revertSync } from '#src/services/sync/revert-sync.service.ts';
import { listSyncs } from '#src/services/sync/sync-history.service.ts';
import { verifyAuditChain } from '#src/services/audit/audit.service.ts';
import { dashboardState, insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { insertOrganization, insertUser } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';
import {
  ADMIN_SETTINGS,
  HUBSPOT_KEY,
  keyring,
  MEMBER_PIPEDRIVE_KEY,
  MEMBER_SETTINGS,
  SALESFORCE_KEY,
} from '#tests/integration/sync/fixtures.ts';

let database: TestDatabase;
let uow: UnitOfWork;
let deps: { uow: UnitOfWork; keyring: typeof keyring };
let organizationId: string;
let primaryAdminId: string;
let adminId: string;
let memberId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  deps = { uow, keyring };
});
afterAll(async () => {
  await database.close();
});

beforeEach(async () => {
  const org = await insertOrganization(uow);
  organizationId = org.organizationId;
  primaryAdminId = org.primaryAdmin.id;
  await uow.transaction((repos) => repos.dashboards.create(primaryAdminId, organizationId));
  adminId = (
    await insertUserWithDashboard(uow, keyring, organizationId, {
      role: 'admin',
      settings: ADMIN_SETTINGS,
      crm: [HUBSPOT_KEY],
    })
  ).id;
  memberId = (
    await insertUserWithDashboard(uow, keyring, organizationId, {
      settings: MEMBER_SETTINGS,
      crm: [MEMBER_PIPEDRIVE_KEY],
    })
  ).id;
});

const byCategory = (result: SyncSettingsResult) =>
  Object.fromEntries(result.categories.map((c) => [c.category, c]));

async function expectRefused(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

describe('Sync Settings to User: the rules (SPEC §2)', () => {
  it("custom properties sync keeps the target's owner properties", async () => {
    await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['custom_properties'] },
    );
    const { value } = await readCategory(uow.read, memberId, 'custom_properties');
    expect(value.properties.filter((p) => p.ownerProperty)).toEqual([
      expect.objectContaining({
        name: 'assistant_owner',
        options: [{ label: 'Mo Member', value: '901' }],
      }),
    ]);
  });

  it("custom properties sync replaces the target's non-owner properties and never copies the source's owner properties", async () => {
    const result = await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['custom_properties'] },
    );
    const { value } = await readCategory(uow.read, memberId, 'custom_properties');
    expect(
      value.properties
        .filter((p) => !p.ownerProperty)
        .map((p) => [p.name, p.label])
        .sort(),
    ).toEqual([
      ['Persona__c', 'Persona'],
      ['deal_source', 'Deal source'],
    ]);
    expect(value.properties.some((p) => p.options.some((o) => o.value === '900'))).toBe(false);
    expect(byCategory(result).custom_properties?.counts).toEqual({
      added: 1,
      updated: 1,
      removed: 1,
      unchanged: 1,
    });
  });

  it("pipeline stages merge by internal ID and keep the target's own stages", async () => {
    const result = await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['pipeline_stages'] },
    );
    const { value } = await readCategory(uow.read, memberId, 'pipeline_stages');
    const stages = Object.fromEntries(value.stages.map((s) => [s.internalId, s]));
    expect(stages['stage.discovery']).toMatchObject({
      name: 'Discovery',
      probability: 10,
      synced: true,
      crmStageMappings: { hubspot: 'appointmentscheduled' },
    });
    expect(stages['stage.demo']).toMatchObject({ name: 'Demo', synced: true });
    expect(stages['stage.pilot']).toMatchObject({ name: 'Pilot', probability: 60, synced: false });
    expect(byCategory(result).pipeline_stages?.counts).toEqual({
      added: 2,
      updated: 1,
      removed: 0,
      unchanged: 1,
    });
  });

  it('record types are skipped when the target has no Salesforce', async () => {
    const result = await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['pipeline_stages'] },
    );
    expect(
      (await readCategory(uow.read, memberId, 'pipeline_stages')).value.salesforceRecordTypes,
    ).toEqual([]);
    expect(byCategory(result).pipeline_stages?.notes.join(' ')).toMatch(
      /record types skipped: the member has no Salesforce connection/i,
    );
  });

  it('record types are synced when the target has Salesforce, counting keys copied in the same sync', async () => {
    await uow.transaction(async (repos) => {
      const { saveCrmConnections } =
        await import('#src/services/crm-connections/crm-connection.service.ts');
      await saveCrmConnections(repos, keyring, adminId, [SALESFORCE_KEY]);
    });
    await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['pipeline_stages', 'crm_keys'] },
    );
    const { value } = await readCategory(uow.read, memberId, 'pipeline_stages');
    expect(value.salesforceRecordTypes.map((r) => r.recordTypeId)).toEqual(['012000000000001AAA']);
  });

  it('email templates are not synced by default', async () => {
    const result = await syncSettings(deps, { actorId: adminId }, { targetUserId: memberId });
    expect(result.categories.map((c) => c.category)).not.toContain('email_templates');
    expect(
      (await readCategory(uow.read, memberId, 'email_templates')).value.templates.map((t) => t.id),
    ).toEqual(['my-template']);
  });

  it('email templates are copied when selected', async () => {
    await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['email_templates'] },
    );
    expect(
      (await readCategory(uow.read, memberId, 'email_templates')).value.templates.map((t) => t.id),
    ).toEqual(['admin-follow-up']);
  });

  it("overwrite categories become an exact copy of the source's values", async () => {
    const overwritten = [
      'company_details',
      'meeting_titles',
      'alternate_domains',
      'partnership_domains',
      'task_settings',
      'advanced_settings',
    ] as const;
    await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: overwritten },
    );
    for (const category of overwritten) {
      expect((await readCategory(uow.read, memberId, category)).value, category).toEqual(
        (await readCategory(uow.read, adminId, category)).value,
      );
    }
  });

  it('categories not selected are never touched', async () => {
    const before = await dashboardState(uow, keyring, memberId);
    await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['company_details'] },
    );
    const after = await dashboardState(uow, keyring, memberId);
    expect({ ...after, company_details: null }).toEqual({ ...before, company_details: null });
    expect(after.company_details).not.toEqual(before.company_details);
  });

  it('a category the source never set copies as its default value, and the result says so', async () => {
    const bare = await insertUserWithDashboard(uow, keyring, organizationId, { role: 'admin' });
    const result = await syncSettings(
      deps,
      { actorId: bare.id },
      { targetUserId: memberId, categories: ['task_settings'] },
    );
    expect((await readCategory(uow.read, memberId, 'task_settings')).value).toMatchObject({
      defaultDueOffsetDays: 2,
      defaultPriority: 'medium',
    });
    expect(byCategory(result).task_settings?.notes[0]).toMatch(
      /never set this category, so its default value was copied/,
    );
  });

  it("CRM keys copy each CRM the source has and leave the target's other CRMs as they are", async () => {
    const result = await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['crm_keys'] },
    );
    const after = (await dashboardState(uow, keyring, memberId)).crm_keys;
    expect(after).toEqual([HUBSPOT_KEY, MEMBER_PIPEDRIVE_KEY]);
    expect(byCategory(result).crm_keys?.counts).toEqual({
      added: 1,
      updated: 0,
      removed: 0,
      unchanged: 1,
    });
    expect(JSON.stringify(result)).not.toContain('pat-na1-admin');
  });

  it('all selected categories apply in one transaction: a failure leaves the target exactly as before', async () => {
    const before = await dashboardState(uow, keyring, memberId);
    // Fault injection: the database refuses the stage write, after earlier categories were written.
    await sql
      .raw(
        `create or replace function ergo_test_fail() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`,
      )
      .execute(database.db);
    await sql
      .raw(
        `create trigger ergo_test_fail before insert or update on pipeline_stages for each row when (new.user_id = '${memberId}') execute function ergo_test_fail()`,
      )
      .execute(database.db);
    try {
      await expect(
        syncSettings(deps, { actorId: adminId }, { targetUserId: memberId }),
      ).rejects.toThrow(/injected failure/);
    } finally {
      await sql.raw('drop trigger ergo_test_fail on pipeline_stages').execute(database.db);
    }
    expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
    const history = await listSyncs(deps, { actorId: adminId }, { memberId });
    expect(history.items.map((i) => [i.action, i.status])).toEqual([['sync_settings', 'failed']]);
  });
});

describe('Sync Settings to User: preview, history and undo (SPEC §6)', () => {
  it('a dry run returns the same per-category result and writes nothing', async () => {
    const before = await dashboardState(uow, keyring, memberId);
    const versionBefore = (await uow.read.dashboards.find(memberId))?.version;
    const preview = await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, dryRun: true },
    );
    expect(preview.syncId).toBeNull();
    expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
    expect((await uow.read.dashboards.find(memberId))?.version).toBe(versionBefore);
    const applied = await syncSettings(deps, { actorId: adminId }, { targetUserId: memberId });
    // The same result, notes aside: they differ in tense (next test), not in number.
    const withoutNotes = (r: SyncSettingsResult) =>
      r.categories.map((c) => ({ ...c, notes: c.notes.length }));
    expect(withoutNotes(applied)).toEqual(withoutNotes(preview));
  });

  it('a preview says what will happen and the sync what happened (notes in the future and past tense)', async () => {
    const categories = ['crm_keys', 'custom_properties'] as const;
    const preview = byCategory(
      await syncSettings(
        deps,
        { actorId: adminId },
        { targetUserId: memberId, categories: [...categories], dryRun: true },
      ),
    );
    const applied = byCategory(
      await syncSettings(
        deps,
        { actorId: adminId },
        { targetUserId: memberId, categories: [...categories] },
      ),
    );
    expect(preview.crm_keys?.notes).toEqual([
      'Will copy: HubSpot.',
      "Will be left as they are (you don't have them): Pipedrive.",
    ]);
    expect(applied.crm_keys?.notes).toEqual([
      'Copied: HubSpot.',
      "Left as they are (you don't have them): Pipedrive.",
    ]);
    expect(preview.custom_properties?.notes).toContain(
      '1 owner property of the member will be kept.',
    );
    expect(applied.custom_properties?.notes).toContain('1 owner property of the member kept.');
  });

  it("revert restores the target's previous values and is recorded as a sync", async () => {
    const before = await dashboardState(uow, keyring, memberId);
    const applied = await syncSettings(
      deps,
      { actorId: adminId },
      {
        targetUserId: memberId,
        categories: [
          'custom_properties',
          'pipeline_stages',
          'crm_keys',
          'task_settings',
          'meeting_titles',
        ],
      },
    );
    expect(await dashboardState(uow, keyring, memberId)).not.toEqual(before);
    const revert = await revertSync(deps, { actorId: primaryAdminId }, applied.syncId ?? '');
    expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
    const history = await listSyncs(deps, { actorId: adminId }, { memberId });
    expect(history.items.map((i) => [i.action, i.revertedBySyncId, i.revertsSyncId])).toEqual([
      ['revert', null, applied.syncId],
      ['sync_settings', revert.syncId, null],
    ]);
  });

  it('revert is refused when the target changed a synced category since', async () => {
    const applied = await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['task_settings'] },
    );
    await uow.transaction(async (repos) => {
      const { writeCategory } = await import('#src/services/settings/settings-store.ts');
      await writeCategory(repos, memberId, 'task_settings', { defaultDueOffsetDays: 10 });
    });
    const error = await revertSync(deps, { actorId: adminId }, applied.syncId ?? '').catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'version_conflict',
      message: expect.stringContaining('Task settings') as unknown,
    });
    expect(
      (await readCategory(uow.read, memberId, 'task_settings')).value.defaultDueOffsetDays,
    ).toBe(10);
  });

  it('a refused revert names what changed and who changed it: the member in My settings, or a later sync by its admin', async () => {
    const memberName = (await uow.read.users.findById(memberId))?.name ?? '';
    const adminName = (await uow.read.users.findById(primaryAdminId))?.name ?? '';
    const first = await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['task_settings', 'company_details'] },
    );
    await uow.transaction(async (repos) => {
      const { writeCategory } = await import('#src/services/settings/settings-store.ts');
      await writeCategory(repos, memberId, 'task_settings', { defaultDueOffsetDays: 11 });
    });
    // Another admin's later sync rewrites Company details.
    await uow.transaction(async (repos) => {
      const { writeCategory } = await import('#src/services/settings/settings-store.ts');
      await writeCategory(repos, primaryAdminId, 'company_details', { companyName: 'Owner Co' });
    });
    await syncSettings(
      deps,
      { actorId: primaryAdminId },
      { targetUserId: memberId, categories: ['company_details'] },
    );
    const error = (await revertSync(deps, { actorId: adminId }, first.syncId ?? '').catch(
      (e: unknown) => e,
    )) as {
      code: string;
      message: string;
      details: { changes: { category: string; by: string; via: string }[] };
    };
    expect(error.code).toBe('version_conflict');
    expect(error.message).toContain(`Task settings by ${memberName} in My settings`);
    expect(error.message).toContain(`Company details by ${adminName}'s Sync Settings`);
    expect(
      [...error.details.changes].sort((a, b) => a.category.localeCompare(b.category)),
    ).toMatchObject([
      { category: 'company_details', by: adminName, via: 'sync_settings' },
      { category: 'task_settings', by: memberName, via: 'my_settings' },
    ]);
  });

  it('revert is refused when the sync was already reverted', async () => {
    const applied = await syncSettings(
      deps,
      { actorId: adminId },
      { targetUserId: memberId, categories: ['company_details'] },
    );
    await revertSync(deps, { actorId: adminId }, applied.syncId ?? '');
    await expectRefused(
      revertSync(deps, { actorId: adminId }, applied.syncId ?? ''),
      'already_reverted',
    );
  });

  it('history pages newest first with a cursor', async () => {
    for (const category of ['company_details', 'task_settings', 'meeting_titles'] as const) {
      await syncSettings(
        deps,
        { actorId: adminId },
        { targetUserId: memberId, categories: [category] },
      );
    }
    const first = await listSyncs(deps, { actorId: adminId }, { memberId, limit: 2 });
    expect(first.items.map((i) => i.categories)).toEqual([['meeting_titles'], ['task_settings']]);
    const second = await listSyncs(
      deps,
      { actorId: adminId },
      { memberId, limit: 2, cursor: first.nextCursor ?? '' },
    );
    expect(second.items.map((i) => i.categories)).toEqual([['company_details']]);
    expect(second.nextCursor).toBeNull();
    expect(JSON.stringify(first)).not.toContain('snapshot');
  });
});

describe('Sync Settings to User: who may do what (SPEC §4–§5)', () => {
  it('refusals have the SPEC codes, change nothing and are audited', async () => {
    const other = await insertOrganization(uow);
    const pending = await uow.transaction((repos) =>
      insertUser(repos, organizationId, { status: 'invited', dashboard: false }),
    );
    const deactivated = await insertUserWithDashboard(uow, keyring, organizationId);
    await database.db
      .updateTable('users')
      .set({ status: 'deactivated' })
      .where('id', '=', deactivated.id)
      .execute();
    const before = await dashboardState(uow, keyring, memberId);
    const cases: [() => Promise<unknown>, string][] = [
      [
        () => syncSettings(deps, { actorId: adminId }, { targetUserId: deactivated.id }),
        'forbidden',
      ],
      [
        () => syncSettings(deps, { actorId: adminId }, { targetUserId: other.primaryAdmin.id }),
        'target_not_found',
      ],
      [
        () =>
          syncSettings(
            deps,
            { actorId: adminId },
            { targetUserId: '00000000-0000-4000-8000-000000000000' },
          ),
        'target_not_found',
      ],
      [
        () => syncSettings(deps, { actorId: adminId }, { targetUserId: 'not-a-uuid' }),
        'target_not_found',
      ],
      [() => syncSettings(deps, { actorId: memberId }, { targetUserId: adminId }), 'forbidden'],
      [
        () => syncSettings(deps, { actorId: adminId }, { targetUserId: primaryAdminId }),
        'forbidden',
      ],
      [() => syncSettings(deps, { actorId: adminId }, { targetUserId: adminId }), 'forbidden'],
      [
        () => syncSettings(deps, { actorId: adminId }, { targetUserId: pending.id }),
        'dashboard_missing',
      ],
      [
        () => syncSettings(deps, { actorId: adminId }, { targetUserId: memberId, categories: [] }),
        'invalid_request',
      ],
      [
        () =>
          syncSettings(
            deps,
            { actorId: adminId },
            { targetUserId: memberId, categories: ['custom_properties', 'nope'] },
          ),
        'invalid_request',
      ],
    ];
    for (const [run, code] of cases) await expectRefused(run(), code);
    expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
    const audit = await uow.read.audit.listByOrganization(organizationId, { limit: 100 });
    expect(audit.filter((e) => e.outcome === 'refused')).toHaveLength(cases.length);
    expect(await verifyAuditChain(uow.read, organizationId)).toMatchObject({ ok: true });
  });

  it('a secondary admin may sync to another secondary admin; the primary admin may sync to anyone but themselves', async () => {
    const otherAdmin = await insertUserWithDashboard(uow, keyring, organizationId, {
      role: 'admin',
    });
    await expect(
      syncSettings(
        deps,
        { actorId: adminId },
        { targetUserId: otherAdmin.id, categories: ['task_settings'] },
      ),
    ).resolves.toMatchObject({ dryRun: false });
    await expect(
      syncSettings(
        deps,
        { actorId: primaryAdminId },
        { targetUserId: adminId, categories: ['task_settings'] },
      ),
    ).resolves.toMatchObject({ dryRun: false });
  });

  it('a deactivated admin is refused', async () => {
    await database.db
      .updateTable('users')
      .set({ status: 'deactivated' })
      .where('id', '=', adminId)
      .execute();
    await expectRefused(
      syncSettings(deps, { actorId: adminId }, { targetUserId: memberId }),
      'forbidden',
    );
  });
});

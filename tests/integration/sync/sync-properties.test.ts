import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_KEYS, type CategoryKey } from '#src/domain/settings/categories.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { readCategory } from '#src/services/settings/settings-store.ts';
import { revertSync } from '#src/services/sync/revert-sync.service.ts';
import { syncSettings } from '#src/services/sync/sync-settings.service.ts';
import {
  dashboardState,
  insertUserWithDashboard,
  type SettingsInput,
} from '#tests/factories/dashboard.factory.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { makeAdminSettings, makeMemberSettings } from '#tests/factories/settings.factory.ts';
import { keyring } from '#tests/integration/sync/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/** Property-based tests over random dashboards (fast-check), on the real database. */

let database: TestDatabase;
let uow: UnitOfWork;
let organizationId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  organizationId = (await insertOrganization(uow)).organizationId;
  await warmUp();
});
afterAll(async () => {
  await database.close();
});

const word = fc.constantFrom('Alpha', 'Beta', 'Gamma', 'Delta', 'Omega', 'Kappa');
const stage = fc.record({
  internalId: fc.constantFrom('s0', 's1', 's2', 's3', 's4', 's5', 's6'),
  name: word,
  order: fc.integer({ min: 0, max: 20 }),
  probability: fc.integer({ min: 0, max: 100 }),
  crmStageMappings: fc.option(fc.record({ hubspot: word }), { nil: undefined }).map((m) => m ?? {}),
});
const property = fc.record({
  crm: fc.constantFrom('hubspot', 'pipedrive'),
  object: fc.constant('deal'),
  name: fc.constantFrom('p0', 'p1', 'p2', 'p3', 'p4'),
  label: word,
  type: fc.constant('string'),
  ownerProperty: fc.boolean(),
});
const settings: fc.Arbitrary<SettingsInput> = fc.record(
  {
    custom_properties: fc.record({
      properties: fc.uniqueArray(property, { selector: (p) => `${p.crm}/${p.name}`, maxLength: 5 }),
    }),
    pipeline_stages: fc.record({
      stages: fc.uniqueArray(stage, { selector: (s) => s.internalId, maxLength: 5 }),
      salesforceRecordTypes: fc.constant([]),
    }),
    company_details: fc.record({ companyName: word, industry: word }),
    alternate_domains: fc.record({
      domains: fc.uniqueArray(fc.constantFrom('a.test', 'b.test', 'c.test', 'd.test'), {
        maxLength: 3,
      }),
    }),
    task_settings: fc.record({ defaultDueOffsetDays: fc.integer({ min: 0, max: 30 }) }),
    email_templates: fc.record({
      templates: fc.uniqueArray(
        fc.record({
          id: fc.constantFrom('t1', 't2', 't3'),
          kind: fc.constant('slack'),
          name: word,
          body: word,
        }),
        { selector: (t) => t.id, maxLength: 2 },
      ),
    }),
  },
  { requiredKeys: [] },
);
const selection = fc.subarray([...CATEGORY_KEYS], { minLength: 1 });

async function pair(source: SettingsInput, target: SettingsInput) {
  const admin = await insertUserWithDashboard(uow, keyring, organizationId, {
    role: 'admin',
    settings: source,
  });
  const member = await insertUserWithDashboard(uow, keyring, organizationId, { settings: target });
  return { adminId: admin.id, memberId: member.id };
}

/**
 * One round of what the properties do (two dashboards, a sync of every category, a read, a
 * revert), in the hook's budget: the first syncs of a process cost many times the later ones
 * (PGlite's WASM and the JIT warm up, several seconds under load), and that cost belonged to
 * whichever property ran first, not to the property.
 */
async function warmUp(): Promise<void> {
  const { adminId, memberId } = await pair(makeAdminSettings(), makeMemberSettings());
  const applied = await syncSettings(
    { uow, keyring },
    { actorId: adminId },
    { targetUserId: memberId, categories: [...CATEGORY_KEYS] },
  );
  await dashboardState(uow, keyring, memberId);
  await revertSync({ uow, keyring }, { actorId: adminId }, applied.syncId ?? '');
}

describe('Sync Settings to User: properties over random dashboards', () => {
  it('syncing twice equals syncing once', async () => {
    await fc.assert(
      fc.asyncProperty(settings, settings, selection, async (source, target, categories) => {
        const { adminId, memberId } = await pair(source, target);
        await syncSettings(
          { uow, keyring },
          { actorId: adminId },
          { targetUserId: memberId, categories },
        );
        const once = await dashboardState(uow, keyring, memberId);
        const second = await syncSettings(
          { uow, keyring },
          { actorId: adminId },
          { targetUserId: memberId, categories },
        );
        expect(await dashboardState(uow, keyring, memberId)).toEqual(once);
        for (const category of second.categories) {
          expect(
            category.counts.added + category.counts.updated + category.counts.removed,
            category.category,
          ).toBe(0);
        }
      }),
      { numRuns: 12 },
    );
  });

  it('unselected categories are identical after a sync', async () => {
    await fc.assert(
      fc.asyncProperty(settings, settings, selection, async (source, target, categories) => {
        const { adminId, memberId } = await pair(source, target);
        const before = await dashboardState(uow, keyring, memberId);
        await syncSettings(
          { uow, keyring },
          { actorId: adminId },
          { targetUserId: memberId, categories },
        );
        const after = await dashboardState(uow, keyring, memberId);
        for (const category of CATEGORY_KEYS.filter((c: CategoryKey) => !categories.includes(c))) {
          expect(JSON.stringify(after[category]), category).toBe(JSON.stringify(before[category]));
        }
      }),
      { numRuns: 12 },
    );
  });

  it("after a stage sync every source stage is on the target with the source's values and every target-only stage is unchanged", async () => {
    await fc.assert(
      fc.asyncProperty(settings, settings, async (source, target) => {
        const { adminId, memberId } = await pair(source, target);
        const sourceStages = (await readCategory(uow.read, adminId, 'pipeline_stages')).value
          .stages;
        const targetBefore = (await readCategory(uow.read, memberId, 'pipeline_stages')).value
          .stages;
        await syncSettings(
          { uow, keyring },
          { actorId: adminId },
          { targetUserId: memberId, categories: ['pipeline_stages'] },
        );
        const after = new Map(
          (await readCategory(uow.read, memberId, 'pipeline_stages')).value.stages.map((s) => [
            s.internalId,
            s,
          ]),
        );
        for (const s of sourceStages)
          expect(after.get(s.internalId)).toEqual({ ...s, synced: true });
        const sourceIds = new Set(sourceStages.map((s) => s.internalId));
        for (const s of targetBefore.filter((t) => !sourceIds.has(t.internalId)))
          expect(after.get(s.internalId)).toEqual(s);
        expect(after.size).toBe(
          new Set([...sourceIds, ...targetBefore.map((s) => s.internalId)]).size,
        );
      }),
      { numRuns: 15 },
    );
  });

  it('revert restores the exact previous state', async () => {
    await fc.assert(
      fc.asyncProperty(settings, settings, selection, async (source, target, categories) => {
        const { adminId, memberId } = await pair(source, target);
        const before = await dashboardState(uow, keyring, memberId);
        const applied = await syncSettings(
          { uow, keyring },
          { actorId: adminId },
          { targetUserId: memberId, categories },
        );
        if (applied.changed) {
          await revertSync({ uow, keyring }, { actorId: adminId }, applied.syncId ?? '');
        } else {
          // A sync that changed nothing wrote nothing, so there is nothing to revert.
          await expect(
            revertSync({ uow, keyring }, { actorId: adminId }, applied.syncId ?? ''),
          ).rejects.toMatchObject({ code: 'invalid_request' });
        }
        expect(await dashboardState(uow, keyring, memberId)).toEqual(before);
      }),
      {
        numRuns: 12,
        // Found by fast-check: a reordered list has no item added or removed, yet changes.
        examples: [
          [
            { alternate_domains: { domains: ['d.test', 'b.test', 'a.test'] } },
            { alternate_domains: { domains: ['b.test', 'd.test', 'a.test'] } },
            ['alternate_domains', 'advanced_settings'],
          ],
        ],
      },
    );
  });
});

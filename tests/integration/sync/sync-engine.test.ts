import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_KEYS, type ValueCategoryKey } from '#src/domain/settings/categories.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { loadDashboardValues, writeCategory } from '#src/services/settings/settings-store.ts';
import { planSync } from '#src/services/sync/sync-engine.ts';
import { syncSettings } from '#src/services/sync/sync-settings.service.ts';
import { orderForApply } from '#src/domain/sync/sync-rules.ts';
import { insertUserWithDashboard, type SettingsInput } from '#tests/factories/dashboard.factory.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { makeCrmConnection } from '#tests/factories/crm-connection.factory.ts';
import { keyring } from '#tests/integration/sync/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * The one sync engine (issue 10, ADR 0011): the preview and the write are the same plan, so what
 * a sync stores is exactly what its preview planned; a sync that changes nothing writes nothing;
 * the undo snapshot holds only what changed.
 */
let database: TestDatabase;
let uow: UnitOfWork;
let organizationId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  organizationId = (await insertOrganization(uow)).organizationId;
});
afterAll(async () => {
  await database.close();
});

const VALUE_CATEGORIES = CATEGORY_KEYS.filter((c): c is ValueCategoryKey => c !== 'crm_keys');
const word = fc.constantFrom('Alpha', 'Beta', 'Gamma', 'Delta');
const settings: fc.Arbitrary<SettingsInput> = fc.record(
  {
    custom_properties: fc.record({
      properties: fc.uniqueArray(
        fc.record({
          crm: fc.constantFrom('hubspot', 'pipedrive'),
          object: fc.constant('deal'),
          name: fc.constantFrom('p0', 'p1', 'p2', 'p3'),
          label: word,
          type: fc.constant('string'),
          ownerProperty: fc.boolean(),
        }),
        { selector: (p) => `${p.crm}/${p.name}`, maxLength: 4 },
      ),
    }),
    pipeline_stages: fc.record({
      stages: fc.uniqueArray(
        fc.record({
          internalId: fc.constantFrom('s0', 's1', 's2', 's3'),
          name: word,
          order: fc.integer({ min: 0, max: 9 }),
          probability: fc.integer({ min: 0, max: 100 }),
          synced: fc.boolean(),
        }),
        { selector: (s) => s.internalId, maxLength: 4 },
      ),
      salesforceRecordTypes: fc.uniqueArray(
        fc.record({
          recordTypeId: fc.constantFrom('012000000000001', '012000000000002', '012000000000003'),
          name: word,
          developerName: word,
        }),
        { selector: (r) => r.recordTypeId, maxLength: 2 },
      ),
    }),
    company_details: fc.record({ companyName: word, industry: word }),
    alternate_domains: fc.record({
      domains: fc.uniqueArray(fc.constantFrom('a.test', 'b.test', 'c.test'), { maxLength: 3 }),
    }),
    meeting_titles: fc.constant({}),
    task_settings: fc.record({ defaultDueOffsetDays: fc.integer({ min: 0, max: 9 }) }),
  },
  { requiredKeys: [] },
);
const selection = fc.subarray([...CATEGORY_KEYS], { minLength: 1 });

async function user(values: SettingsInput, salesforce: boolean, role: 'admin' | 'member') {
  return insertUserWithDashboard(uow, keyring, organizationId, {
    role,
    settings: values,
    ...(salesforce ? { crm: [makeCrmConnection('salesforce')] } : {}),
  });
}

async function storedValues(userId: string) {
  const loaded = await loadDashboardValues(uow.read, userId, VALUE_CATEGORIES);
  return Object.fromEntries([...loaded].map(([c, v]) => [c, v.value]));
}

describe('one sync engine', () => {
  it('for random dashboards, the stored value after a sync equals what the preview planned, and the counts are equal', async () => {
    await fc.assert(
      fc.asyncProperty(
        settings,
        settings,
        selection,
        fc.boolean(),
        fc.boolean(),
        async (sourceSettings, targetSettings, categories, sourceSf, targetSf) => {
          const admin = await user(sourceSettings, sourceSf, 'admin');
          const member = await user(targetSettings, targetSf, 'member');
          const ordered = orderForApply(categories);
          const [planned] = await planSync(uow.read, keyring, {
            sourceId: admin.id,
            targetIds: [member.id],
            categories: ordered,
          });
          const preview = await syncSettings(
            { uow, keyring },
            { actorId: admin.id },
            { targetUserId: member.id, categories, dryRun: true },
          );
          const applied = await syncSettings(
            { uow, keyring },
            { actorId: admin.id },
            { targetUserId: member.id, categories },
          );
          const stored = await storedValues(member.id);
          for (const [category, value] of Object.entries(planned?.planned ?? {}))
            expect(stored[category]).toEqual(value);
          expect(applied.categories.map((c) => [c.category, c.counts, c.changes])).toEqual(
            preview.categories.map((c) => [c.category, c.counts, c.changes]),
          );
          expect(applied.changed).toBe(preview.changed);
        },
      ),
      { numRuns: Number(process.env.ERGO_PROPERTY_RUNS ?? 25) },
    );
  });

  it('a re-sync that changes nothing writes nothing: no row rewritten, no version bump, history says No changes', async () => {
    const admin = await user(
      {
        company_details: { companyName: 'Same' },
        custom_properties: {
          properties: Array.from({ length: 50 }, (_, i) => ({
            crm: 'hubspot',
            object: 'deal',
            name: `p${i}`,
            label: `P ${i}`,
            type: 'string',
          })),
        },
        pipeline_stages: {
          stages: [{ internalId: 's1', name: 'Won', order: 1, probability: 100 }],
        },
      },
      false,
      'admin',
    );
    const member = await user({}, false, 'member');
    const first = await syncSettings(
      { uow, keyring },
      { actorId: admin.id },
      { targetUserId: member.id },
    );
    expect(first.changed).toBe(true);
    const before = await fingerprint(member.id);
    const again = await syncSettings(
      { uow, keyring },
      { actorId: admin.id },
      { targetUserId: member.id },
    );
    expect(again.changed).toBe(false);
    expect(again.categories.every((c) => !c.changed && c.changes.length === 0)).toBe(true);
    expect(await fingerprint(member.id)).toEqual(before);
    const [latest] = await uow.read.syncRuns.list(organizationId, {
      memberId: member.id,
      limit: 1,
    });
    expect(latest?.result).toMatchObject({ changed: false, summary: 'No changes' });
    expect(latest?.snapshot).toBeNull();
  });

  it('the undo snapshot holds what changed, not the list: one property changed of 200 → one row', async () => {
    const properties = Array.from({ length: 200 }, (_, i) => ({
      crm: 'hubspot',
      object: 'deal',
      name: `p${i}`,
      label: `P ${i}`,
      type: 'string',
    }));
    const admin = await user({ custom_properties: { properties } }, false, 'admin');
    const member = await user({ custom_properties: { properties } }, false, 'member');
    properties[7] = {
      crm: 'hubspot',
      object: 'deal',
      name: 'p7',
      label: 'Changed',
      type: 'string',
    };
    await insertUserWithDashboard(uow, keyring, organizationId, {}); // unrelated noise
    await uow.transaction((repos) =>
      writeCategory(repos, admin.id, 'custom_properties', { properties }),
    );
    const result = await syncSettings(
      { uow, keyring },
      { actorId: admin.id },
      { targetUserId: member.id, categories: ['custom_properties'] },
    );
    expect(result.categories[0]?.counts).toMatchObject({ updated: 1, unchanged: 199 });
    expect(result.categories[0]?.changes).toEqual([
      expect.objectContaining({ key: 'hubspot/deal/p7', change: 'updated' }),
    ]);
    const run = await uow.read.syncRuns.findInOrganization(organizationId, result.syncId ?? '');
    const snapshot = run?.snapshot as {
      rows: { custom_properties: { previous: unknown[]; added: unknown[] } };
    }[];
    expect(snapshot[0]?.rows.custom_properties.previous).toHaveLength(1);
    expect(snapshot[0]?.rows.custom_properties.added).toHaveLength(0);
  });

  it('plans many targets in a number of statements that does not grow with the number of targets', async () => {
    const admin = await user({ company_details: { companyName: 'Many' } }, true, 'admin');
    const targets = await Promise.all(Array.from({ length: 12 }, () => user({}, false, 'member')));
    const count = async (n: number) => {
      let statements = 0;
      const counted = database.db.withPlugin({
        transformQuery: (args) => {
          statements += 1;
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      const repos = createUnitOfWork(counted).read;
      await planSync(repos, keyring, {
        sourceId: admin.id,
        targetIds: targets.slice(0, n).map((t) => t.id),
        categories: orderForApply([...CATEGORY_KEYS]),
      });
      return statements;
    };
    expect(await count(1)).toBe(await count(12));
  });
});

/** Every row and version of a dashboard, with write times: equal means nothing was written. */
async function fingerprint(userId: string) {
  const result = await sql<{ snapshot: string }>`
    select jsonb_build_object(
      'dashboard', (select jsonb_agg(d) from dashboards d where d.user_id = ${userId}),
      'settings', (select jsonb_agg(s order by category) from dashboard_settings s where s.user_id = ${userId}),
      'properties', (select jsonb_agg(p order by name) from custom_properties p where p.user_id = ${userId}),
      'stages', (select jsonb_agg(p order by internal_id) from pipeline_stages p where p.user_id = ${userId})
    )::text as snapshot`.execute(database.db);
  return result.rows[0]?.snapshot;
}

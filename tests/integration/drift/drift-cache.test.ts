import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { deleteOwnCrmConnection } from '#src/services/settings/own-settings.service.ts';
import { writeCategory } from '#src/services/settings/settings-store.ts';
import { DRIFT_RULES_VERSION, driftOfMembers } from '#src/services/sync/drift.service.ts';
import { revertSync } from '#src/services/sync/revert-sync.service.ts';
import { syncSettings } from '#src/services/sync/sync-settings.service.ts';
import { insertOrganizationWithPeople } from '#tests/factories/organization.factory.ts';
import { makeMemberSettings } from '#tests/factories/settings.factory.ts';
import {
  ADMIN_SETTINGS,
  HUBSPOT_KEY,
  MEMBER_PIPEDRIVE_KEY,
  keyring,
} from '#tests/integration/sync/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Kept drift (ADR 0013): served while neither dashboard changed, never after. Each write path
 * that can change what a sync would do is checked here against a fresh plan.
 */
let database: TestDatabase;
let uow: UnitOfWork;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

async function world() {
  const memberSettings: Record<string, unknown> = { ...makeMemberSettings() };
  delete memberSettings.company_details;
  const org = await insertOrganizationWithPeople(uow, keyring, {
    teams: ['Sales'],
    admins: [{ teams: ['Sales'], settings: ADMIN_SETTINGS, crm: [HUBSPOT_KEY], canLogIn: true }],
    members: [
      { name: 'Ana', teams: ['Sales'], settings: makeMemberSettings(), canLogIn: true },
      // Has never set company details: a sync sets them, its revert forgets them again.
      { name: 'Ben', teams: ['Sales'], settings: memberSettings, crm: [MEMBER_PIPEDRIVE_KEY] },
    ],
  });
  const admin = org.admins[0]?.id;
  const [ana, ben] = org.members.map((m) => m.id);
  if (!admin || !ana || !ben) throw new Error('fixture incomplete');
  return { admin, ana, ben };
}

const drift = async (admin: string, ids: string[]) => driftOfMembers(uow.read, keyring, admin, ids);

async function keptRows(source: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from drift_cache where source_id = ${source}
  `.execute(database.db);
  return rows[0]?.n ?? 0;
}

describe('kept drift', () => {
  it('is served while neither dashboard changes: the kept row is what a page reads', async () => {
    const { admin, ana, ben } = await world();
    const first = await drift(admin, [ana, ben]);
    expect(await keptRows(admin)).toBe(2);
    // Overwrite the kept row (versions unchanged): the next read must return it, not replan.
    await sql`update drift_cache set drift = '{"company_details":"in_sync"}'::jsonb, drift_count = 0
              where source_id = ${admin} and target_id = ${ana}`.execute(database.db);
    const second = await drift(admin, [ana, ben]);
    expect(second.get(ana)).toEqual({ drift: { company_details: 'in_sync' }, driftCount: 0 });
    expect(second.get(ben)).toEqual(first.get(ben));
  });

  it('is replanned when the member changes a category, when the admin does, and after a sync', async () => {
    const { admin, ana } = await world();
    await drift(admin, [ana]); // kept
    await syncSettings({ uow, keyring }, { actorId: admin }, { targetUserId: ana });
    // Email templates are not synced by default: every other category is now in sync.
    expect((await drift(admin, [ana])).get(ana)?.drift).toMatchObject({
      company_details: 'in_sync',
      custom_properties: 'in_sync',
    });

    await uow.transaction((repos) =>
      writeCategory(repos, ana, 'company_details', {
        ...(ADMIN_SETTINGS.company_details as object),
        companyName: 'Ana changed it',
      }),
    );
    expect((await drift(admin, [ana])).get(ana)?.drift.company_details).toBe('differs');

    await syncSettings({ uow, keyring }, { actorId: admin }, { targetUserId: ana });
    expect((await drift(admin, [ana])).get(ana)?.drift.company_details).toBe('in_sync');

    await uow.transaction((repos) =>
      writeCategory(repos, admin, 'company_details', {
        ...(ADMIN_SETTINGS.company_details as object),
        companyName: 'The admin changed it',
      }),
    );
    expect((await drift(admin, [ana])).get(ana)?.drift.company_details).toBe('differs');
  });

  it('is replanned after a revert forgets a category the member had never set', async () => {
    const { admin, ben } = await world();
    const sync = await syncSettings(
      { uow, keyring },
      { actorId: admin },
      { targetUserId: ben, categories: ['company_details'] },
    );
    expect((await drift(admin, [ben])).get(ben)?.drift.company_details).toBe('in_sync');
    if (!sync.syncId) throw new Error('no history entry');
    await revertSync({ uow, keyring }, { actorId: admin }, sync.syncId);
    expect((await drift(admin, [ben])).get(ben)?.drift.company_details).toBe('differs');
  });

  it('is replanned when the admin disconnects a CRM (CRM keys follow the connections)', async () => {
    const { admin, ana } = await world();
    await drift(admin, [ana]);
    // A sentinel no plan would produce: if it is served after the disconnect, nothing replanned.
    await sql`update drift_cache set drift = '{}'::jsonb, drift_count = 42
              where source_id = ${admin} and target_id = ${ana}`.execute(database.db);
    expect((await drift(admin, [ana])).get(ana)?.driftCount).toBe(42);
    await deleteOwnCrmConnection({ uow }, { actorId: admin }, 'hubspot');
    const after = await drift(admin, [ana]);
    expect(after.get(ana)?.driftCount).not.toBe(42);
    await sql`delete from drift_cache where source_id = ${admin}`.execute(database.db);
    expect(after.get(ana)).toEqual((await drift(admin, [ana])).get(ana));
  });

  it('kept drift is stamped with the rules\u2019 version: changing the rules means a new version', () => {
    // What decides drift. When one of these files changes, kept drift planned by the old code
    // must stop being served: bump DRIFT_RULES_VERSION and record the new digest below.
    const files = [
      'src/domain/sync/sync-rules.ts',
      'src/services/sync/sync-engine.ts',
      'src/domain/settings/categories.ts',
      'src/domain/settings/settings.schema.ts',
    ];
    const root = path.resolve(import.meta.dirname, '../../..');
    const hash = createHash('sha256');
    for (const file of files) hash.update(readFileSync(path.join(root, file)));
    const digests: Record<number, string> = {
      1: '8d19c02a73058897',
      2: 'd15fe670418f1e19', // planSync takes a source read once (bulk batches)
      3: '4ef168d347ed63da', // the source read with the targets unless given
      4: '99457696459124db', // OAuth connections compare by grant; Pipedrive OAuth tokens
      5: '2d0016ad2e21472f', // result types declared by the API contract (no rule changed)
      6: '7f620a63e999a073', // refusal messages in sentences, by issue-messages.ts (no rule changed)
      7: '57a10efd6598ae84', // notes in two tenses (sync-notes.ts); no rule changed
    };
    expect(hash.digest('hex').slice(0, 16)).toBe(digests[DRIFT_RULES_VERSION]);
  });
});

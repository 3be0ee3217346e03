import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { makeCrmConnection } from '#tests/factories/crm-connection.factory.ts';
import { insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * The member list's version (ADR 0015): every committed change to what a member-table page
 * shows moves its organization's counter forward, once per transaction, at commit; a preview,
 * a rolled-back change and another organization's change do not. The member page cache is
 * only correct if this holds for every table the page reads.
 */
let database: TestDatabase;
let uow: UnitOfWork;
let organizationId: string;
let otherOrganizationId: string;
let memberId: string;
let adminId: string;
const keyring = createKeyring(randomBytes(32));

async function version(id = organizationId): Promise<number> {
  const row = await database.db
    .selectFrom('organizations')
    .select(sql<string>`member_list_version::text`.as('v'))
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.v);
}

/** How far `change` moves the version of the organization (and of the other one). */
async function moved(change: () => Promise<unknown>): Promise<{ own: number; other: number }> {
  const [own, other] = [await version(), await version(otherOrganizationId)];
  await change();
  return { own: (await version()) - own, other: (await version(otherOrganizationId)) - other };
}

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  const organization = await insertOrganization(uow);
  organizationId = organization.organizationId;
  adminId = organization.primaryAdmin.id;
  otherOrganizationId = (await insertOrganization(uow)).organizationId;
  memberId = (await insertUserWithDashboard(uow, keyring, organizationId)).id;
});
afterAll(async () => {
  await database.close();
});

describe('member list version', () => {
  it('a change to a user, a team, a membership or a dashboard moves it once, and only for its organization', async () => {
    const db = database.db;
    expect(
      await moved(() =>
        db.updateTable('users').set({ name: 'Renamed Rep' }).where('id', '=', memberId).execute(),
      ),
    ).toEqual({ own: 1, other: 0 });
    let teamId = '';
    expect(
      await moved(async () => {
        teamId = (
          await db
            .insertInto('teams')
            .values({ organization_id: organizationId, name: 'Version team' })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      }),
    ).toEqual({ own: 1, other: 0 });
    expect(
      await moved(() =>
        db
          .insertInto('team_members')
          .values({
            team_id: teamId,
            user_id: memberId,
            organization_id: organizationId,
          })
          .execute(),
      ),
    ).toEqual({ own: 1, other: 0 });
    expect(
      await moved(() =>
        db
          .updateTable('dashboards')
          .set((eb) => ({ version: eb('version', '+', 1) }))
          .where('user_id', '=', memberId)
          .execute(),
      ),
    ).toEqual({ own: 1, other: 0 });
    expect(
      await moved(() => db.deleteFrom('team_members').where('user_id', '=', memberId).execute()),
    ).toEqual({ own: 1, other: 0 });
  });

  it('many statements and rows in one transaction move it once, at commit', async () => {
    const during: number[] = [];
    expect(
      await moved(() =>
        database.db.transaction().execute(async (trx) => {
          await sql`update users set name = name || '' where organization_id = ${organizationId}`.execute(
            trx,
          );
          const row = await trx
            .selectFrom('organizations')
            .select(sql<string>`member_list_version::text`.as('v'))
            .where('id', '=', organizationId)
            .executeTakeFirstOrThrow();
          during.push(Number(row.v));
          await sql`update dashboards set version = version + 1 where organization_id = ${organizationId}`.execute(
            trx,
          );
        }),
      ),
    ).toEqual({ own: 1, other: 0 });
    // Not before the commit: the bump is deferred to it.
    expect(during).toEqual([during[0]]);
    expect(during[0]).toBe((await version()) - 1);
    expect(await database.db.selectFrom('member_list_touches').selectAll().execute()).toEqual([]);
  });

  it('a rolled-back change does not move it', async () => {
    expect(
      await moved(async () => {
        await database.db
          .transaction()
          .execute(async (trx) => {
            await trx
              .updateTable('users')
              .set({ name: 'Never' })
              .where('id', '=', memberId)
              .execute();
            throw new Error('roll back');
          })
          .catch(() => undefined);
      }),
    ).toEqual({ own: 0, other: 0 });
  });

  it('a CRM connection moves it (its health is on the row); a preview in the history does not, an applied sync does', async () => {
    expect(
      await moved(() =>
        database.db
          .updateTable('crm_connections')
          .set({ status: 'reconnect_needed' })
          .where('user_id', '=', memberId)
          .execute(),
      ),
    ).toEqual({ own: 0, other: 0 }); // the member has no connection: no row changed
    const withCrm = await insertUserWithDashboard(uow, keyring, organizationId, {
      crm: [makeCrmConnection('pipedrive')],
    });
    expect(
      await moved(() =>
        database.db
          .updateTable('crm_connections')
          .set({ status: 'reconnect_needed' })
          .where('user_id', '=', withCrm.id)
          .execute(),
      ),
    ).toEqual({ own: 1, other: 0 });
    const run = (status: 'dry_run' | 'applied') =>
      database.db
        .insertInto('sync_runs')
        .values({
          organization_id: organizationId,
          actor_id: adminId,
          target_id: memberId,
          action: 'sync_settings',
          status,
          categories: ['company_details'],
        })
        .execute();
    expect(await moved(() => run('dry_run'))).toEqual({ own: 0, other: 0 });
    expect(await moved(() => run('applied'))).toEqual({ own: 1, other: 0 });
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import {
  backfillFingerprints,
  saveCrmConnections,
} from '#src/services/crm-connections/crm-connection.service.ts';
import { insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import { makeCrmConnection } from '#tests/factories/crm-connection.factory.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * CRM keys carry a keyed fingerprint, so the engine and drift compare them without decrypting
 * (issue 10). Rows sealed before fingerprints existed get theirs at start-up; rows sealed under a
 * key the keyring no longer has are skipped, never a crash or an endless loop.
 */
let database: TestDatabase;
let uow: UnitOfWork;
let organizationId: string;
const keyring = createKeyring(randomBytes(32));
const strangerKeyring = createKeyring(randomBytes(32));

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  organizationId = (await insertOrganization(uow)).organizationId;
});
afterAll(async () => {
  await database.close();
});

describe('CRM key fingerprints', () => {
  it('equal secrets give equal fingerprints for two users; different secrets differ; no secret in it', async () => {
    const secret = 'pat-na1-fingerprint-0000-1111-2222';
    const a = await insertUserWithDashboard(uow, keyring, organizationId, {
      crm: [makeCrmConnection('hubspot', { secrets: { accessToken: secret } })],
    });
    const b = await insertUserWithDashboard(uow, keyring, organizationId, {
      crm: [makeCrmConnection('hubspot', { secrets: { accessToken: secret } })],
    });
    const c = await insertUserWithDashboard(uow, keyring, organizationId, {
      crm: [makeCrmConnection('hubspot', { secrets: { accessToken: `${secret}-other` } })],
    });
    const [fa, fb, fc] = await Promise.all(
      [a, b, c].map(async (u) => (await uow.read.crmConnections.listForUser(u.id))[0]?.fingerprint),
    );
    expect(fa).toMatch(new RegExp(`^${keyring.current.id}\\.[\\w-]{43}$`));
    expect(fa).toBe(fb);
    expect(fa).not.toBe(fc);
    expect(fa).not.toContain(secret.slice(-6));
  });

  it('start-up gives missing fingerprints and skips rows it cannot open', async () => {
    const old = await insertUserWithDashboard(uow, keyring, organizationId, {
      crm: [makeCrmConnection('pipedrive')],
    });
    const foreign = await insertUserWithDashboard(uow, keyring, organizationId);
    await uow.transaction((repos) =>
      saveCrmConnections(repos, strangerKeyring, foreign.id, [makeCrmConnection('zoho')]),
    );
    await database.db
      .updateTable('crm_connections')
      .set({ fingerprint: null })
      .where('user_id', 'in', [old.id, foreign.id])
      .execute();
    const result = await backfillFingerprints(uow.read, keyring, 1);
    expect(result).toEqual({ fingerprinted: 1, unreadable: 1 });
    expect((await uow.read.crmConnections.listForUser(old.id))[0]?.fingerprint).toMatch(
      new RegExp(`^${keyring.current.id}\\.`),
    );
    // A second start has nothing left to do but the unreadable row, and ends.
    expect(await backfillFingerprints(uow.read, keyring)).toEqual({
      fingerprinted: 0,
      unreadable: 1,
    });
  });
});

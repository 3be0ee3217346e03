import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, SecretDecryptError } from '#src/domain/secrets/secret-box.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import {
  listMaskedCrmConnections,
  readCrmCredentials,
  saveCrmConnections,
} from '#src/services/crm-connections/crm-connection.service.ts';
import { insertOrganization, insertUser } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

let database: TestDatabase;
let uow: UnitOfWork;
const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const keyring = createKeyring(oldKey);

const hubspot: CrmCredentials = {
  crm: 'hubspot',
  secrets: { accessToken: 'pat-na1-11111111-2222-3333-4444-555555559abc' },
  instance: { portalId: '2109876' },
};
const salesforce: CrmCredentials = {
  crm: 'salesforce',
  secrets: {
    accessToken: '00D5g000004XyZ!AQ0AQGz8secretsecretWXYZ',
    refreshToken: '5Aep861refreshrefresh1234',
  },
  instance: { instanceUrl: 'https://acme.my.salesforce.com' },
};

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

async function twoUsers() {
  const { organizationId } = await insertOrganization(uow);
  return uow.transaction(async (repos) => [
    await insertUser(repos, organizationId),
    await insertUser(repos, organizationId),
  ]);
}

describe('CRM connections at rest', () => {
  it('are stored encrypted: no secret appears in the row', async () => {
    const [alice] = await twoUsers();
    if (!alice) throw new Error('no user');
    await uow.transaction((repos) =>
      saveCrmConnections(repos, keyring, alice.id, [hubspot, salesforce]),
    );
    const rows = await database.db
      .selectFrom('crm_connections')
      .selectAll()
      .where('user_id', '=', alice.id)
      .execute();
    expect(rows).toHaveLength(2);
    const dump = JSON.stringify(
      rows.map((r) => ({ ...r, ciphertext: Buffer.from(r.ciphertext ?? []).toString('latin1') })),
    );
    for (const secret of [
      'pat-na1-11111111-2222-3333-4444-555555559abc',
      '00D5g000004XyZ!AQ0AQGz8secretsecretWXYZ',
      '5Aep861refreshrefresh1234',
    ]) {
      expect(dump).not.toContain(secret);
    }
    expect(await readCrmCredentials(uow.read, keyring, alice.id)).toEqual([hubspot, salesforce]);
  });

  it("a ciphertext copied onto another user's row fails to decrypt", async () => {
    const [alice, bob] = await twoUsers();
    if (!alice || !bob) throw new Error('no users');
    await uow.transaction((repos) => saveCrmConnections(repos, keyring, alice.id, [hubspot]));
    await uow.transaction((repos) =>
      saveCrmConnections(repos, keyring, bob.id, [
        { ...hubspot, secrets: { accessToken: 'pat-na1-bob-token-000000000000' } },
      ]),
    );
    const stolen = await database.db
      .selectFrom('crm_connections')
      .selectAll()
      .where('user_id', '=', alice.id)
      .executeTakeFirstOrThrow();
    await database.db
      .updateTable('crm_connections')
      .set({
        key_id: stolen.key_id,
        nonce: stolen.nonce,
        ciphertext: stolen.ciphertext,
        auth_tag: stolen.auth_tag,
      })
      .where('user_id', '=', bob.id)
      .where('crm', '=', 'hubspot')
      .execute();
    await expect(readCrmCredentials(uow.read, keyring, bob.id)).rejects.toBeInstanceOf(
      SecretDecryptError,
    );
    await expect(readCrmCredentials(uow.read, keyring, alice.id)).resolves.toEqual([hubspot]);
  });

  it('a rotated key still decrypts old rows, and new writes use the new key', async () => {
    const [alice] = await twoUsers();
    if (!alice) throw new Error('no user');
    await uow.transaction((repos) => saveCrmConnections(repos, keyring, alice.id, [hubspot]));
    const rotated = createKeyring(newKey, [oldKey]);
    expect(await readCrmCredentials(uow.read, rotated, alice.id)).toEqual([hubspot]);
    await uow.transaction((repos) => saveCrmConnections(repos, rotated, alice.id, [salesforce]));
    const keyIds = await database.db
      .selectFrom('crm_connections')
      .select(['crm', 'key_id'])
      .where('user_id', '=', alice.id)
      .orderBy('crm')
      .execute();
    expect(keyIds).toEqual([
      { crm: 'hubspot', key_id: keyring.current.id },
      { crm: 'salesforce', key_id: rotated.current.id },
    ]);
    expect(await readCrmCredentials(uow.read, rotated, alice.id)).toEqual([hubspot, salesforce]);
    await expect(
      readCrmCredentials(uow.read, createKeyring(newKey), alice.id),
    ).rejects.toMatchObject({ reason: 'unknown_key' });
  });

  it('the masked view never contains more than the last 4 characters', async () => {
    const [alice] = await twoUsers();
    if (!alice) throw new Error('no user');
    await uow.transaction((repos) =>
      saveCrmConnections(repos, keyring, alice.id, [hubspot, salesforce]),
    );
    const masked = await listMaskedCrmConnections(uow.read, alice.id);
    expect(masked.map((m) => [m.crm, m.maskedKey])).toEqual([
      ['hubspot', '••••9abc'],
      ['salesforce', '••••WXYZ'],
    ]);
    const text = JSON.stringify(masked);
    expect(text).not.toContain('555555559abc');
    expect(text).not.toContain('refresh');
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKeyring,
  openJson,
  openSecret,
  sealJson,
  sealSecret,
  SecretDecryptError,
  type Keyring,
} from '#src/domain/secrets/secret-box.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { saveCrmConnections } from '#src/services/crm-connections/crm-connection.service.ts';
import { resealSecrets } from '#src/services/secrets/reseal-secrets.service.ts';
import { makeCrmConnection } from '#tests/factories/crm-connection.factory.ts';
import { insertOrganization, insertUser } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * Secret-key rotation (ADR 0006): after `resealSecrets`, every sealed secret opens with the
 * current key alone, under the same binding, with the same plaintext; rows whose key is not
 * configured are counted and left untouched; a second run has nothing to do.
 */
let database: TestDatabase;
let uow: UnitOfWork;
const oldKey = new Uint8Array(randomBytes(32));
const newKey = new Uint8Array(randomBytes(32));
const lostKey = new Uint8Array(randomBytes(32));
const oldRing = createKeyring(oldKey);
const rotated = createKeyring(newKey, [oldKey]);
const newOnly = createKeyring(newKey);

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

async function sealedRows(keyring: Keyring) {
  const org = await insertOrganization(uow);
  const alice = await uow.transaction((repos) => insertUser(repos, org.organizationId));
  const bob = await uow.transaction((repos) => insertUser(repos, org.organizationId));
  const hubspot = makeCrmConnection('hubspot');
  const pipedrive = makeCrmConnection('pipedrive');
  await uow.transaction((repos) =>
    saveCrmConnections(repos, keyring, alice.id, [hubspot, pipedrive]),
  );
  await uow.transaction((repos) =>
    saveCrmConnections(repos, keyring, bob.id, [makeCrmConnection('zoho')]),
  );
  const grantId = randomUUID();
  const grantSecrets = {
    accessToken: 'zoho-grant-access-token-1234',
    refreshToken: 'zoho-refresh-5678',
  };
  await uow.read.crmGrants.insert({
    id: grantId,
    organizationId: org.organizationId,
    crm: 'zoho',
    connectedBy: alice.id,
    sealed: sealJson(keyring, grantSecrets, { grantId, crm: 'zoho' }),
    secretHint: '5678',
    instance: {},
    scopes: [],
    accessExpiresAt: null,
  });
  const sessionId = randomUUID();
  await uow.read.sessions.create({
    now: new Date(),
    id: sessionId,
    userId: alice.id,
    csrfToken: randomUUID(),
    expiresAt: new Date(Date.now() + 3_600_000),
    ip: null,
    userAgent: null,
  });
  const stateHash = randomBytes(32).toString('hex');
  await uow.read.oauthStates.insert({
    stateHash,
    sessionId,
    userId: alice.id,
    crm: 'hubspot',
    redirectUri: 'http://127.0.0.1/oauth/callback/hubspot',
    verifier: sealSecret(keyring, 'pkce-verifier-abcdef', {
      oauthState: stateHash,
      crm: 'hubspot',
    }),
    context: {},
    expiresAt: new Date(Date.now() + 600_000),
  });
  return { alice, bob, hubspot, pipedrive, grantId, grantSecrets, stateHash };
}

async function keyIdsOf(userId: string) {
  const rows = await database.db
    .selectFrom('crm_connections')
    .select(['crm', 'key_id'])
    .where('user_id', '=', userId)
    .execute();
  return new Map(rows.map((r) => [r.crm, r.key_id]));
}

describe('resealSecrets (secret-key rotation)', () => {
  it('re-seals every secret under the current key, same plaintext, same binding', async () => {
    const world = await sealedRows(oldRing);
    const sealedBefore = await uow.read.crmConnections.listForUsers([world.alice.id]);
    expect(sealedBefore.every((c) => c.fingerprint?.startsWith(`${oldRing.current.id}.`))).toBe(
      true,
    );
    const result = await resealSecrets(uow, rotated, { batchSize: 2 });
    expect(result.currentKeyId).toBe(newOnly.current.id);
    const byTable = Object.fromEntries(result.tables.map((t) => [t.table, t]));
    expect(byTable.crm_connections?.resealed).toBeGreaterThanOrEqual(3);
    expect(byTable.crm_grants?.resealed).toBeGreaterThanOrEqual(1);
    expect(byTable.oauth_states?.resealed).toBeGreaterThanOrEqual(1);
    expect(result.tables.every((t) => t.unreadable === 0)).toBe(true);

    const left = (await uow.read.sealedSecrets.countByKey()).filter(
      (r) => r.keyId !== newOnly.current.id,
    );
    expect(left).toEqual([]);

    // Opens with the new key alone, under the row's own binding, to the same plaintext.
    const alices = await uow.read.crmConnections.listForUsers([world.alice.id]);
    const hub = alices.find((c) => c.crm === 'hubspot');
    const hubSealed = hub?.sealed;
    if (!hubSealed) throw new Error('hubspot connection missing');
    expect(openJson(newOnly, hubSealed, { userId: world.alice.id, crm: 'hubspot' })).toEqual(
      world.hubspot.secrets,
    );
    // The binding is kept: the re-sealed value does not open as another user's row.
    expect(() => openJson(newOnly, hubSealed, { userId: world.bob.id, crm: 'hubspot' })).toThrow(
      SecretDecryptError,
    );
    const [grant] = await uow.read.crmGrants.findMany([world.grantId]);
    if (!grant) throw new Error('grant missing');
    expect(openJson(newOnly, grant.sealed, { grantId: world.grantId, crm: 'zoho' })).toEqual(
      world.grantSecrets,
    );
    const state = await database.db
      .selectFrom('oauth_states')
      .selectAll()
      .where('state_hash', '=', world.stateHash)
      .executeTakeFirstOrThrow();
    const { key_id: keyId, nonce, ciphertext, auth_tag: authTag } = state;
    if (!keyId || !nonce || !ciphertext || !authTag) throw new Error('verifier missing');
    expect(
      openSecret(
        newOnly,
        { keyId, nonce, ciphertext, authTag },
        { oauthState: world.stateHash, crm: 'hubspot' },
      ),
    ).toBe('pkce-verifier-abcdef');
    // Fingerprints follow the current key, so drift keeps comparing keys without decrypting.
    expect(alices.every((c) => c.fingerprint?.startsWith(`${newOnly.current.id}.`))).toBe(true);
  });

  it('a second run has nothing to re-seal', async () => {
    await sealedRows(oldRing);
    await resealSecrets(uow, rotated);
    const again = await resealSecrets(uow, rotated);
    expect(again.tables.map((t) => t.resealed)).toEqual([0, 0, 0]);
  });

  it('rows sealed under a key that is not configured are counted unreadable and left as they are', async () => {
    const lostRing = createKeyring(lostKey);
    const world = await sealedRows(lostRing);
    const before = await keyIdsOf(world.alice.id);
    const result = await resealSecrets(uow, rotated);
    const connections = result.tables.find((t) => t.table === 'crm_connections');
    expect(connections?.unreadable).toBeGreaterThanOrEqual(2);
    expect(await keyIdsOf(world.alice.id)).toEqual(before);
    expect([...before.values()].every((id) => id === lostRing.current.id)).toBe(true);
    // Still readable by whoever holds that key: nothing was damaged.
    const rows = await uow.read.crmConnections.listForUsers([world.alice.id]);
    const sealed = rows.find((c) => c.crm === 'hubspot')?.sealed;
    if (!sealed) throw new Error('hubspot connection missing');
    expect(openJson(lostRing, sealed, { userId: world.alice.id, crm: 'hubspot' })).toEqual(
      world.hubspot.secrets,
    );
  });
});

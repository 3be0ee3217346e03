import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditSecretError,
  GENESIS_HASH,
  hashAuditEntry,
  type AuditEntryInput,
} from '#src/domain/audit/audit-chain.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit, verifyAuditChain } from '#src/services/audit/audit.service.ts';
import { insertOrganization, insertUser } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

let database: TestDatabase;
let uow: UnitOfWork;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

/** An organization with a primary admin and one member, and an entry maker for it. */
async function organizationWithMember() {
  const { organizationId, primaryAdmin } = await insertOrganization(uow);
  const member = await uow.transaction((repos) => insertUser(repos, organizationId));
  const entry = (overrides: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
    organizationId,
    actorId: primaryAdmin.id,
    targetId: member.id,
    action: 'sync_settings',
    outcome: 'applied',
    categories: ['custom_properties', 'pipeline_stages'],
    details: { counts: { custom_properties: 3, pipeline_stages: 1 } },
    requestId: 'req-test',
    ...overrides,
  });
  return { organizationId, entry };
}

async function appendMany(entries: AuditEntryInput[]): Promise<{ id: number; hash: string }[]> {
  const appended: { id: number; hash: string }[] = [];
  for (const e of entries) appended.push(await uow.transaction((repos) => appendAudit(repos, e)));
  return appended;
}

function chainOf(organizationId: string) {
  return database.db
    .selectFrom('audit_log')
    .select(['id', 'prev_hash', 'hash'])
    .where('organization_id', '=', organizationId)
    .orderBy('id')
    .execute();
}

/** Runs tampering statements with the append-only triggers off, as a superuser could. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger user`.execute(trx);
    await statement.execute(trx);
    await sql`alter table audit_log enable trigger user`.execute(trx);
  });
}

describe('audit log', () => {
  it('appends form a chain: each prev_hash is the previous hash, the first is GENESIS', async () => {
    const { organizationId, entry } = await organizationWithMember();
    const appended = await appendMany([
      entry({ outcome: 'dry_run' }),
      entry({ outcome: 'applied' }),
      entry({ outcome: 'refused', details: { code: 'forbidden' } }),
      entry({ outcome: 'failed', targetId: null, actorId: null, requestId: null }),
    ]);
    const rows = await chainOf(organizationId);
    expect(rows.map((r) => ({ id: r.id, hash: r.hash }))).toEqual(appended);
    expect(rows.map((r) => r.prev_hash)).toEqual([
      GENESIS_HASH,
      ...rows.slice(0, -1).map((r) => r.hash),
    ]);
    await expect(verifyAuditChain(uow.read, organizationId)).resolves.toEqual({
      ok: true,
      entries: 4,
    });
  });

  it('stores who, whom, what, how it ended, counts and the request id', async () => {
    const { organizationId, entry } = await organizationWithMember();
    const written = entry({ outcome: 'dry_run' });
    const now = new Date('2026-11-28T09:15:30.123Z');
    await uow.transaction((repos) => appendAudit(repos, written, now));
    const [stored] = await uow.read.audit.listByOrganization(organizationId, { limit: 10 });
    expect(stored).toMatchObject({ ...written, occurredAt: now, prevHash: GENESIS_HASH });
  });

  it('lists entries in pages, oldest first', async () => {
    const { organizationId, entry } = await organizationWithMember();
    const appended = await appendMany([1, 2, 3, 4, 5].map((n) => entry({ details: { n } })));
    const first = await uow.read.audit.listByOrganization(organizationId, { limit: 2 });
    const rest = await uow.read.audit.listByOrganization(organizationId, {
      afterId: first.at(-1)?.id ?? 0,
      limit: 10,
    });
    expect([...first, ...rest].map((e) => e.id)).toEqual(appended.map((a) => a.id));
    expect(rest.map((e) => e.details)).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }]);
  });

  it('appends outside a transaction in a transaction of its own', async () => {
    const { organizationId, entry } = await organizationWithMember();
    await appendAudit(uow.read, entry());
    await appendAudit(uow.read, entry());
    await expect(verifyAuditChain(uow.read, organizationId)).resolves.toEqual({
      ok: true,
      entries: 2,
    });
  });

  it('the audit log refuses updates and deletes', async () => {
    const { organizationId, entry } = await organizationWithMember();
    await appendMany([entry()]);
    await expect(
      database.db
        .updateTable('audit_log')
        .set({ action: 'nothing_happened' })
        .where('organization_id', '=', organizationId)
        .execute(),
    ).rejects.toThrow(/append-only/);
    await expect(
      database.db.deleteFrom('audit_log').where('organization_id', '=', organizationId).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(verifyAuditChain(uow.read, organizationId)).resolves.toEqual({
      ok: true,
      entries: 1,
    });
  });

  it('the verifier detects a changed entry', async () => {
    const { organizationId, entry } = await organizationWithMember();
    const appended = await appendMany([entry(), entry({ outcome: 'refused' }), entry()]);
    const changed = appended[1];
    if (!changed) throw new Error('not appended');
    await tamper(sql`update audit_log set outcome = 'applied' where id = ${changed.id}`);
    await expect(verifyAuditChain(uow.read, organizationId)).resolves.toEqual({
      ok: false,
      entries: 3,
      brokenAtId: changed.id,
      reason: 'hash_mismatch',
    });
  });

  it('the verifier detects a changed entry whose hash was recomputed', async () => {
    const { organizationId, entry } = await organizationWithMember();
    await appendMany([entry(), entry(), entry()]);
    const [, changed, next] = await uow.read.audit.listByOrganization(organizationId, { limit: 3 });
    if (!changed || !next) throw new Error('not appended');
    // A forger who knows the scheme rewrites the entry and its hash; the next entry still
    // points at the old hash.
    const forgedHash = hashAuditEntry(changed.prevHash, { ...changed, details: {} });
    await tamper(
      sql`update audit_log set details = '{}'::jsonb, hash = ${forgedHash} where id = ${changed.id}`,
    );
    await expect(verifyAuditChain(uow.read, organizationId)).resolves.toEqual({
      ok: false,
      entries: 3,
      brokenAtId: next.id,
      reason: 'chain_broken',
    });
  });

  it('the verifier detects a deleted entry', async () => {
    const { organizationId, entry } = await organizationWithMember();
    const appended = await appendMany([entry(), entry(), entry(), entry()]);
    const [, deleted, next] = appended;
    if (!deleted || !next) throw new Error('not appended');
    await tamper(sql`delete from audit_log where id = ${deleted.id}`);
    await expect(verifyAuditChain(uow.read, organizationId)).resolves.toEqual({
      ok: false,
      entries: 3,
      brokenAtId: next.id,
      reason: 'chain_broken',
    });
  });

  it('the verifier detects a deleted first entry', async () => {
    const { organizationId, entry } = await organizationWithMember();
    const [first, second] = await appendMany([entry(), entry()]);
    if (!first || !second) throw new Error('not appended');
    await tamper(sql`delete from audit_log where id = ${first.id}`);
    await expect(verifyAuditChain(uow.read, organizationId)).resolves.toMatchObject({
      ok: false,
      brokenAtId: second.id,
      reason: 'chain_broken',
    });
  });

  it('chains are per organization', async () => {
    const a = await organizationWithMember();
    const b = await organizationWithMember();
    await appendMany([a.entry(), b.entry(), a.entry(), b.entry(), b.entry()]);
    const [chainA, chainB] = await Promise.all([
      chainOf(a.organizationId),
      chainOf(b.organizationId),
    ]);
    expect(chainA[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(chainB[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(chainA[1]?.prev_hash).toBe(chainA[0]?.hash);
    expect(chainB[2]?.prev_hash).toBe(chainB[1]?.hash);
    await expect(verifyAuditChain(uow.read, a.organizationId)).resolves.toEqual({
      ok: true,
      entries: 2,
    });
    await expect(verifyAuditChain(uow.read, b.organizationId)).resolves.toEqual({
      ok: true,
      entries: 3,
    });
    await expect(verifyAuditChain(uow.read, crypto.randomUUID())).resolves.toEqual({
      ok: true,
      entries: 0,
    });
  });

  it('concurrent appends keep one unbroken chain', async () => {
    const { organizationId, entry } = await organizationWithMember();
    const appended = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        uow.transaction((repos) => appendAudit(repos, entry({ details: { n } }))),
      ),
    );
    expect(new Set(appended.map((a) => a.hash)).size).toBe(20);
    await expect(verifyAuditChain(uow.read, organizationId)).resolves.toEqual({
      ok: true,
      entries: 20,
    });
  });

  it('audit entries never contain secrets', async () => {
    const { organizationId, entry } = await organizationWithMember();
    const attempts: Record<string, unknown>[] = [
      { accessToken: 'x' },
      { crm: 'hubspot', connection: { secrets: { apiKey: 'k' } } },
      { message: 'called with Bearer 8f7a6b5c4d3e2f1a0b9c' },
      { copied: ['pat-na1-11111111-2222-3333-4444-555555559abc'] },
    ];
    for (const details of attempts) {
      await expect(
        uow.transaction((repos) => appendAudit(repos, entry({ details }))),
      ).rejects.toBeInstanceOf(AuditSecretError);
    }
    expect(await chainOf(organizationId)).toEqual([]);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORGANIZATIONS } from '#src/db/seed/demo-data.ts';
import { CRM_KEYS } from '#src/domain/crm.ts';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import {
  createRepositories,
  createUnitOfWork,
  type UnitOfWork,
} from '#src/repositories/repositories.ts';
import {
  listMaskedCrmConnections,
  readCrmCredentials,
} from '#src/services/crm-connections/crm-connection.service.ts';
import { seedDemo } from '#src/services/demo/seed-demo.service.ts';
import { readCategory, VALUE_CATEGORY_KEYS } from '#src/services/settings/settings-store.ts';
import { verifyPassword } from '#src/services/auth/password.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

let database: TestDatabase;
let uow: UnitOfWork;
const keyring = createKeyring(randomBytes(32));

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

describe('demo organization seed', () => {
  it('creates Acme and Globex with every demo user, team and dashboard', async () => {
    const result = await seedDemo(uow, keyring);
    const expectedUsers = DEMO_ORGANIZATIONS.reduce((n, o) => n + o.users.length, 0);
    expect(result).toEqual({
      created: true,
      organizations: ['Acme', 'Globex'],
      users: expectedUsers,
    });

    const acme = await uow.read.organizations.findByName('Acme');
    if (!acme) throw new Error('Acme missing');
    const users = await uow.read.users.listByOrganization(acme.id);
    expect(users.filter((u) => u.role === 'primary_admin').map((u) => u.email)).toEqual([
      'owner@acme.test',
    ]);
    expect(users.filter((u) => u.email.startsWith('rep')).length).toBeGreaterThanOrEqual(10);
    expect(await uow.read.teams.listWithMemberCounts(acme.id)).toEqual([
      expect.objectContaining({ name: 'Sales East' }),
      expect.objectContaining({ name: 'Sales West' }),
    ]);

    const pending = await uow.read.users.findByEmail('pending@acme.test');
    expect(pending?.status).toBe('invited');
    expect(await uow.read.dashboards.find(pending?.id ?? '')).toBeUndefined();
  });

  it('stores every category of the demo dashboards as the schemas read them back', async () => {
    const repos = createRepositories(database.db);
    for (const org of DEMO_ORGANIZATIONS) {
      for (const demoUser of org.users) {
        if (!demoUser.dashboard) continue;
        const user = await repos.users.findByEmail(demoUser.email);
        if (!user) throw new Error(`${demoUser.email} missing`);
        for (const category of VALUE_CATEGORY_KEYS) {
          const read = await readCategory(repos, user.id, category);
          expect(read.isSet, `${demoUser.email} ${category}`).toBe(
            category in demoUser.dashboard.settings,
          );
        }
      }
    }
  });

  it('gives the owner working keys for all five CRMs, masked outside the service', async () => {
    const owner = await uow.read.users.findByEmail('owner@acme.test');
    if (!owner) throw new Error('owner missing');
    const credentials = await readCrmCredentials(uow.read, keyring, owner.id);
    expect(credentials.map((c) => c.crm).sort()).toEqual([...CRM_KEYS].sort());
    const masked = await listMaskedCrmConnections(uow.read, owner.id);
    expect(masked.every((m) => /^•{4}.{0,4}$/.test(m.maskedKey))).toBe(true);
  });

  it('sets the demo password for demo users', async () => {
    const admin = await uow.read.users.findByEmail('admin@acme.test');
    expect(await verifyPassword(admin?.password_hash ?? '', 'demo-password')).toBe(true);
    expect(await verifyPassword(admin?.password_hash ?? '', 'wrong')).toBe(false);
  });

  it('is idempotent: a second run creates nothing', async () => {
    const count = async () =>
      (
        await database.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    expect(await seedDemo(uow, keyring)).toEqual({ created: false, organizations: [], users: 0 });
    expect(await count()).toBe(before);
  });
});

import type { FastifyInstance } from 'fastify';
import type { Role } from '#src/domain/roles.ts';
import {
  startEmulators,
  type RunningEmulators,
} from '#src/integrations/crm/emulators/start-emulators.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { hashPassword } from '#src/services/auth/password.ts';
import { seedDemo } from '#src/services/demo/seed-demo.service.ts';
import { writeCategory } from '#src/services/settings/settings-store.ts';
import { insertUser } from '#tests/factories/organization.factory.ts';
import { buildTestApp, loginAs, type Agent, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

export const FRESH_PASSWORD = 'fresh-password';

export type OrgKey = 'acme' | 'globex';

export interface OrgInfo {
  key: OrgKey;
  id: string;
  primaryAdminId: string;
  /** A team of the organization with nobody on it (created for the tests). */
  spareTeamId: string;
  /** Every team id of the organization. */
  teamIds: string[];
}

/** The seeded demo (Acme, Globex) behind the real app, with the CRM emulators running. */
export interface World {
  database: TestDatabase;
  testApp: TestApp;
  app: FastifyInstance;
  uow: UnitOfWork;
  emulators: RunningEmulators;
  orgs: Record<OrgKey, OrgInfo>;
  /** User id by demo e-mail. */
  ids: Record<string, string>;
  close(): Promise<void>;
}

export async function createWorld(): Promise<World> {
  const database = await createTestDatabase();
  const emulators = await startEmulators(0);
  const testApp = await buildTestApp(database, { crmBaseUrls: emulators.urls });
  const uow = createUnitOfWork(database.db);
  await seedDemo(uow, testApp.keyring);
  const users = await database.db
    .selectFrom('users')
    .select(['id', 'email', 'organization_id', 'role'])
    .execute();
  const ids = Object.fromEntries(users.map((u) => [u.email, u.id]));
  const organizations = await database.db.selectFrom('organizations').selectAll().execute();
  const orgs = {} as Record<OrgKey, OrgInfo>;
  for (const [key, name] of [
    ['acme', 'Acme'],
    ['globex', 'Globex'],
  ] as const) {
    const org = organizations.find((o) => o.name === name);
    const primary = users.find((u) => u.organization_id === org?.id && u.role === 'primary_admin');
    if (!org || !primary) throw new Error(`demo organization ${name} missing`);
    const [spare] = await uow.read.teams.insertMany(org.id, [`${name} spare team`]);
    if (!spare) throw new Error('spare team not inserted');
    const teams = await database.db
      .selectFrom('teams')
      .select('id')
      .where('organization_id', '=', org.id)
      .execute();
    orgs[key] = {
      key,
      id: org.id,
      primaryAdminId: primary.id,
      spareTeamId: spare.id,
      teamIds: teams.map((t) => t.id),
    };
  }
  return {
    database,
    testApp,
    app: testApp.app,
    uow,
    emulators,
    orgs,
    ids,
    close: async () => {
      await testApp.app.close();
      await emulators.close();
      await database.close();
    },
  };
}

export interface FreshUser {
  id: string;
  email: string;
  org: OrgKey;
  role: Role;
}

let passwordHash: Promise<string> | undefined;
let freshCounter = 0;

/**
 * A new active user of `org` with a dashboard whose company details and task settings are set
 * (so a sync to or from it changes something) and a password, so it can log in.
 */
export async function freshUser(
  world: World,
  org: OrgKey,
  role: 'member' | 'admin' = 'member',
): Promise<FreshUser> {
  passwordHash ??= hashPassword(FRESH_PASSWORD);
  const hash = await passwordHash;
  freshCounter += 1;
  const email = `fresh-${freshCounter}-${role}@${org}.test`;
  const organizationId = world.orgs[org].id;
  const user = await world.uow.transaction(async (repos) => {
    const inserted = await insertUser(repos, organizationId, {
      email,
      role,
      name: `Fresh ${role} ${freshCounter}`,
      passwordHash: hash,
    });
    await writeCategory(repos, inserted.id, 'company_details', {
      companyName: `Fresh company ${freshCounter}`,
      industry: 'Testing',
    });
    await writeCategory(repos, inserted.id, 'task_settings', {
      defaultDueOffsetDays: (freshCounter % 20) + 1,
    });
    return inserted;
  });
  return { id: user.id, email, org, role };
}

export function loginFresh(world: World, user: FreshUser): Promise<Agent> {
  return loginAs(world.app, user.email, FRESH_PASSWORD);
}

import type { FastifyInstance } from 'fastify';
import type { CrmKey } from '#src/domain/crm.ts';
import type { Role } from '#src/domain/roles.ts';
import type { OAuthClientCredentials } from '#src/integrations/crm/oauth/oauth-provider.ts';
import { createOAuthProviders } from '#src/integrations/crm/oauth/oauth-providers.ts';
import type { RunningEmulators } from '#emulators/start-emulators.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import {
  makeCrmConnection,
  makeCrmConnections,
  startEmulatorsAccepting,
} from '#tests/factories/crm-connection.factory.ts';
import { insertUserWithDashboard } from '#tests/factories/dashboard.factory.ts';
import {
  insertOrganizationWithPeople,
  type InsertedOrganizationWithPeople,
} from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { makeAdminSettings, makeMemberSettings } from '#tests/factories/settings.factory.ts';
import { buildTestApp, loginAs, type Agent, type TestApp } from '#tests/support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/** The password of every user of the world (factory users, hashed once per process). */
export const WORLD_PASSWORD = TEST_PASSWORD;

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

export interface WorldUser {
  id: string;
  email: string;
  org: OrgKey;
  role: Role;
}

/**
 * The people the tests act as (all can log in with WORLD_PASSWORD). Acme: its primary admin
 * (CRM keys for all five CRMs, which the emulators accept), a secondary admin (HubSpot key), a
 * member, each on a team, and an invited user without a dashboard. Globex: its primary admin
 * (no CRM keys) and a member.
 */
export interface WorldPeople {
  acme: { owner: WorldUser; admin: WorldUser; member: WorldUser; invited: WorldUser };
  globex: { owner: WorldUser; member: WorldUser };
}

/** Two organizations built by the factories, behind the real app, with the CRM emulators. */
export interface World {
  database: TestDatabase;
  testApp: TestApp;
  app: FastifyInstance;
  uow: UnitOfWork;
  emulators: RunningEmulators;
  orgs: Record<OrgKey, OrgInfo>;
  people: WorldPeople;
  close(): Promise<void>;
}

const ACME_TEAMS = ['Sales East', 'Sales West'];
const GLOBEX_TEAMS = ['Sales'];

/**
 * `oauthClients`: "Connect <CRM>" configured for those CRMs, their providers pointed at the
 * emulators (no client is registered there: enough to build authorization URLs, never to
 * redeem a code). Default: none, paste-in keys only.
 */
export async function createWorld(
  options: { oauthClients?: Partial<Record<CrmKey, OAuthClientCredentials>> } = {},
): Promise<World> {
  const ownerKeys = makeCrmConnections();
  const adminKeys = [makeCrmConnection('hubspot')];
  const [database, emulators] = await Promise.all([
    createTestDatabase(),
    startEmulatorsAccepting([...ownerKeys, ...adminKeys]),
  ]);
  const testApp = await buildTestApp(database, {
    crmBaseUrls: emulators.urls,
    ...(options.oauthClients
      ? { oauth: createOAuthProviders(options.oauthClients, { baseUrls: emulators.urls }) }
      : {}),
  });
  const uow = createUnitOfWork(database.db);
  const { keyring } = testApp;

  const acme = await insertOrganizationWithPeople(uow, keyring, {
    name: 'Acme',
    teams: ACME_TEAMS,
    primaryAdmin: {
      name: 'Acme Owner',
      teams: ['Sales East'],
      settings: makeAdminSettings({
        company_details: {
          companyName: 'Acme',
          industry: 'Software',
          website: 'https://acme.test',
        },
      }),
      crm: ownerKeys,
    },
    admins: [
      { name: 'Acme Admin', teams: ACME_TEAMS, settings: makeAdminSettings(), crm: adminKeys },
    ],
    members: [
      { name: 'Acme Member', teams: ['Sales West'], settings: makeMemberSettings() },
      { name: 'Acme Invited', teams: ['Sales East'], status: 'invited', dashboard: false },
    ],
  });
  const globex = await insertOrganizationWithPeople(uow, keyring, {
    name: 'Globex',
    teams: GLOBEX_TEAMS,
    primaryAdmin: {
      name: 'Globex Owner',
      teams: GLOBEX_TEAMS,
      settings: {
        company_details: { companyName: 'Globex', industry: 'Energy management' },
        task_settings: { defaultDueOffsetDays: 1, defaultPriority: 'high' },
        alternate_domains: { domains: ['globex.example'] },
      },
    },
    members: [
      {
        name: 'Globex Member',
        teams: GLOBEX_TEAMS,
        settings: { company_details: { companyName: 'Globex (mine)' } },
      },
    ],
  });

  const orgs = {} as Record<OrgKey, OrgInfo>;
  for (const [key, org] of [
    ['acme', acme],
    ['globex', globex],
  ] as const) {
    const [spare] = await uow.read.teams.insertMany(org.organizationId, [`${org.name} spare team`]);
    if (!spare) throw new Error('spare team not inserted');
    orgs[key] = {
      key,
      id: org.organizationId,
      primaryAdminId: org.primaryAdmin.id,
      spareTeamId: spare.id,
      teamIds: [...Object.values(org.teamIds), spare.id],
    };
  }
  const person = (org: OrgKey, row: InsertedOrganizationWithPeople['primaryAdmin']) => ({
    id: row.id,
    email: row.email,
    org,
    role: row.role,
  });
  const [acmeAdmin] = acme.admins;
  const [acmeMember, acmeInvited] = acme.members;
  const [globexMember] = globex.members;
  if (!acmeAdmin || !acmeMember || !acmeInvited || !globexMember)
    throw new Error('world users missing');
  const people: WorldPeople = {
    acme: {
      owner: person('acme', acme.primaryAdmin),
      admin: person('acme', acmeAdmin),
      member: person('acme', acmeMember),
      invited: person('acme', acmeInvited),
    },
    globex: {
      owner: person('globex', globex.primaryAdmin),
      member: person('globex', globexMember),
    },
  };
  return {
    database,
    testApp,
    app: testApp.app,
    uow,
    emulators,
    orgs,
    people,
    close: async () => {
      await testApp.app.close();
      await emulators.close();
      await database.close();
    },
  };
}

/** Logs `user` in through the real API (POST /api/auth/login). */
export function login(world: World, user: { email: string }): Promise<Agent> {
  return loginAs(world.app, user.email, WORLD_PASSWORD);
}

export type FreshUser = WorldUser;

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
  freshCounter += 1;
  const email = `fresh-${freshCounter}-${role}@${org}.test`;
  const user = await insertUserWithDashboard(world.uow, world.testApp.keyring, world.orgs[org].id, {
    email,
    role,
    name: `Fresh ${role} ${freshCounter}`,
    canLogIn: true,
    settings: {
      company_details: { companyName: `Fresh company ${freshCounter}`, industry: 'Testing' },
      task_settings: { defaultDueOffsetDays: (freshCounter % 20) + 1 },
    },
  });
  return { id: user.id, email, org, role };
}

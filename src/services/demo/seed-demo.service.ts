import { DEMO_ORGANIZATIONS, DEMO_PASSWORD } from '#src/db/seed/demo-data.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import type { ValueCategoryKey } from '#src/domain/settings/categories.ts';
import { crmCredentialsSchema } from '#src/domain/settings/settings.schema.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import { hashPassword } from '#src/services/auth/password.ts';
import { saveCrmConnections } from '#src/services/crm-connections/crm-connection.service.ts';
import { writeCategory } from '#src/services/settings/settings-store.ts';

export interface SeedDemoResult {
  created: boolean;
  organizations: string[];
  users: number;
}

/**
 * Creates the demo organizations (Acme, Globex) in one transaction, unless Acme already
 * exists: a second start reuses the data. Every value goes through the category schemas.
 */
export async function seedDemo(uow: UnitOfWork, keyring: Keyring): Promise<SeedDemoResult> {
  const firstOrg = DEMO_ORGANIZATIONS[0];
  if (!firstOrg) throw new Error('no demo organizations defined');
  if (await uow.read.organizations.findByName(firstOrg.name)) {
    return { created: false, organizations: [], users: 0 };
  }
  const allUsers = DEMO_ORGANIZATIONS.flatMap((o) => o.users);
  // Hash outside the transaction: argon2 is deliberately slow and needs no database.
  const hashes = await Promise.all(allUsers.map(() => hashPassword(DEMO_PASSWORD)));
  const hashByEmail = new Map(allUsers.map((u, i) => [u.email, hashes[i] ?? null]));

  return uow.transaction(async (repos) => {
    if (await repos.organizations.findByName(firstOrg.name)) {
      return { created: false, organizations: [], users: 0 };
    }
    let users = 0;
    for (const demoOrg of DEMO_ORGANIZATIONS) {
      const organization = await repos.organizations.create({ name: demoOrg.name });
      const teams = await repos.teams.insertMany(organization.id, demoOrg.teams);
      const teamIdByName = new Map(teams.map((t) => [t.name, t.id]));
      const inserted = await repos.users.insertMany(
        demoOrg.users.map((u) => ({
          organization_id: organization.id,
          email: u.email,
          name: u.name,
          role: u.role,
          status: u.status,
          password_hash: hashByEmail.get(u.email) ?? null,
        })),
      );
      users += inserted.length;
      const idByEmail = new Map(inserted.map((u) => [u.email, u.id]));
      await repos.teams.addMembers(
        organization.id,
        demoOrg.users.flatMap((u) =>
          u.teams.map((team) => {
            const teamId = teamIdByName.get(team);
            const userId = idByEmail.get(u.email);
            if (!teamId || !userId)
              throw new Error(`demo data: unknown team ${team} or user ${u.email}`);
            return { teamId, userId };
          }),
        ),
      );
      for (const demoUser of demoOrg.users) {
        const userId = idByEmail.get(demoUser.email);
        if (!userId || !demoUser.dashboard) continue;
        await repos.dashboards.create(userId, organization.id);
        for (const [category, value] of Object.entries(demoUser.dashboard.settings)) {
          await writeCategory(repos, userId, category as ValueCategoryKey, value);
        }
        await saveCrmConnections(
          repos,
          keyring,
          userId,
          demoUser.dashboard.crmConnections.map((c) => crmCredentialsSchema.parse(c)),
        );
      }
    }
    return { created: true, organizations: DEMO_ORGANIZATIONS.map((o) => o.name), users };
  });
}

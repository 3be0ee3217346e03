import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import type { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';
import { type ValueCategoryKey } from '#src/domain/settings/categories.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import type { Role } from '#src/domain/roles.ts';
import type { UserRow } from '#src/db/schema.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import {
  readCrmCredentials,
  saveCrmConnections,
} from '#src/services/crm-connections/crm-connection.service.ts';
import {
  loadDashboardValues,
  VALUE_CATEGORY_KEYS,
  writeCategory,
} from '#src/services/settings/settings-store.ts';
import { insertUser } from '#tests/factories/organization.factory.ts';
import { testPasswordHash } from '#tests/factories/password.factory.ts';

export type SettingsInput = Partial<Record<ValueCategoryKey, unknown>>;

/**
 * A user with a dashboard holding `settings` and `crm` connections, in one transaction;
 * `canLogIn`: with TEST_PASSWORD (password.factory.ts).
 */
export async function insertUserWithDashboard(
  uow: UnitOfWork,
  keyring: Keyring,
  organizationId: string,
  options: {
    role?: Role;
    email?: string;
    name?: string;
    canLogIn?: boolean;
    settings?: SettingsInput;
    crm?: readonly CrmCredentials[];
  } = {},
): Promise<UserRow> {
  const passwordHash = options.canLogIn ? await testPasswordHash() : null;
  return uow.transaction(async (repos) => {
    const user = await insertUser(repos, organizationId, {
      role: options.role ?? 'member',
      ...(options.email ? { email: options.email } : {}),
      ...(options.name ? { name: options.name } : {}),
      passwordHash,
    });
    for (const [category, value] of Object.entries(options.settings ?? {})) {
      await writeCategory(repos, user.id, category as ValueCategoryKey, value);
    }
    if (options.crm?.length) await saveCrmConnections(repos, keyring, user.id, options.crm);
    return user;
  });
}

/**
 * Everything a dashboard holds, decrypted, for before/after comparisons in tests: every value
 * category as `readCategory` reads it, loaded together (a fixed handful of queries, not two per
 * category), and the CRM keys.
 */
export async function dashboardState(uow: UnitOfWork, keyring: Keyring, userId: string) {
  const values: Record<string, unknown> = {};
  const loaded = await loadDashboardValues(uow.read, userId, VALUE_CATEGORY_KEYS);
  for (const category of VALUE_CATEGORY_KEYS) {
    const read = loaded.get(category);
    if (!read) throw new Error(`category ${category} was not loaded`);
    values[category] = { isSet: read.isSet, value: read.value };
  }
  values.crm_keys = await readCrmCredentials(uow.read, keyring, userId);
  return values as Record<(typeof CATEGORY_KEYS)[number], unknown>;
}

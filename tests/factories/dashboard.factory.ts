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
  readCategory,
  VALUE_CATEGORY_KEYS,
  writeCategory,
} from '#src/services/settings/settings-store.ts';
import { insertUser } from '#tests/factories/organization.factory.ts';

export type SettingsInput = Partial<Record<ValueCategoryKey, unknown>>;

/** A user with a dashboard holding `settings` and `crm` connections, in one transaction. */
export async function insertUserWithDashboard(
  uow: UnitOfWork,
  keyring: Keyring,
  organizationId: string,
  options: { role?: Role; email?: string; settings?: SettingsInput; crm?: CrmCredentials[] } = {},
): Promise<UserRow> {
  return uow.transaction(async (repos) => {
    const user = await insertUser(repos, organizationId, {
      role: options.role ?? 'member',
      ...(options.email ? { email: options.email } : {}),
    });
    for (const [category, value] of Object.entries(options.settings ?? {})) {
      await writeCategory(repos, user.id, category as ValueCategoryKey, value);
    }
    if (options.crm?.length) await saveCrmConnections(repos, keyring, user.id, options.crm);
    return user;
  });
}

/** Everything a dashboard holds, decrypted, for before/after comparisons in tests. */
export async function dashboardState(uow: UnitOfWork, keyring: Keyring, userId: string) {
  const values: Record<string, unknown> = {};
  for (const category of VALUE_CATEGORY_KEYS) {
    const read = await readCategory(uow.read, userId, category);
    values[category] = { isSet: read.isSet, value: read.value };
  }
  values.crm_keys = await readCrmCredentials(uow.read, keyring, userId);
  return values as Record<(typeof CATEGORY_KEYS)[number], unknown>;
}

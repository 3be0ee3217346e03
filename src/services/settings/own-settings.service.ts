import { can, type Actor } from '#src/domain/authorization.ts';
import { CRM_LABELS, isCrmKey, type CrmKey } from '#src/domain/crm.ts';
import { AppError } from '#src/domain/errors.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import {
  categoryDefinition,
  describeCategoryIssues,
  isCategoryKey,
  parseCategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { asSentences } from '#src/domain/settings/issue-messages.ts';
import { crmCredentialsSchema } from '#src/domain/settings/settings.schema.ts';
import type {
  MaskedCrmConnection,
  OwnCategory,
  OwnCategoryWithVersion,
  OwnSettings,
} from '#src/domain/contracts/settings.contract.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import {
  listMaskedCrmConnections,
  saveCrmConnections,
} from '#src/services/crm-connections/crm-connection.service.ts';
import {
  readCategory,
  VALUE_CATEGORY_KEYS,
  writeCategory,
  loadDashboardValues,
} from '#src/services/settings/settings-store.ts';
import {
  checkOwnChange,
  managedCategoriesOf,
  pushToFollowers,
  type FollowPushDeps,
} from '#src/services/policies/follow.service.ts';
import { resolveActor, type SyncContext } from '#src/services/sync/sync-support.ts';

/**
 * A user's own dashboard (SPEC §4: a member reads and edits only their own dashboard). The target
 * is always the actor, so there is no target to look up: any active user may call these, and a
 * deactivated (or not yet active) one is refused.
 */
export interface OwnSettingsDeps extends FollowPushDeps {
  uow: UnitOfWork;
  /** Needed only to seal CRM keys (SPEC §7); the reads never decrypt. */
  keyring: Keyring;
}

export type OwnSettingsContext = SyncContext;

/** Every value category of the actor's dashboard (CRM keys are served by the connection calls). */
export async function getOwnSettings(
  deps: Pick<OwnSettingsDeps, 'uow'>,
  context: OwnSettingsContext,
): Promise<OwnSettings> {
  const repos = deps.uow.read;
  const actor = await authorizeOwn(repos, context);
  // The version is read before the values: if a write lands in between, the client holds an
  // older version than its values and its next write is refused rather than silently
  // overwriting a change it never saw.
  const dashboardVersion = await dashboardVersionOf(repos, actor.id);
  const loaded = await loadDashboardValues(repos, actor.id, VALUE_CATEGORY_KEYS);
  const managed = await managedCategoriesOf(repos, actor.id);
  return {
    dashboardVersion,
    categories: VALUE_CATEGORY_KEYS.map((key) => {
      const entry = loaded.get(key);
      if (!entry) throw new Error(`category ${key} was not loaded`);
      return {
        key,
        label: categoryDefinition(key).label,
        isSet: entry.isSet,
        version: entry.version,
        value: entry.value,
        managed: managed.get(key) ?? null,
      };
    }),
  };
}

/** One value category of the actor's dashboard, with the dashboard's version. */
export async function getOwnCategory(
  deps: Pick<OwnSettingsDeps, 'uow'>,
  context: OwnSettingsContext,
  category: string,
): Promise<OwnCategoryWithVersion> {
  const repos = deps.uow.read;
  const actor = await authorizeOwn(repos, context);
  const key = parseValueCategory(category);
  // Version first, for the reason given in getOwnSettings.
  const dashboardVersion = await dashboardVersionOf(repos, actor.id);
  return { ...(await readOwnCategory(repos, actor.id, key)), dashboardVersion };
}

/**
 * Replaces one value category of the actor's dashboard, validated by its schema, with optimistic
 * concurrency: `dashboardVersion` must be the dashboard's current version, checked under the
 * dashboard's row lock (the same lock syncs take), so a sync or another tab cannot slip in.
 * Follow policies (issue 16): a locked category is refused (`category_locked`); an unlocked
 * followed one is marked overridden; and when the actor is a source admin, the change is pushed
 * to the followers as bulk runs created in this transaction.
 */
export async function putOwnCategory(
  deps: Pick<OwnSettingsDeps, 'uow' | 'queue' | 'batchSize'>,
  context: OwnSettingsContext,
  category: string,
  body: { value: unknown; dashboardVersion: number },
): Promise<OwnCategoryWithVersion> {
  const { result, start } = await deps.uow.transaction(async (repos) => {
    const actor = await authorizeOwn(repos, context);
    const key = parseValueCategory(category);
    const expected = parseDashboardVersion(body);
    // The value is checked before the version: a stale tab holding an invalid value learns both
    // in the order it can act on them (fix the value, then reload).
    const parsed = parseCategoryValue(key, body.value);
    if (!parsed.ok) {
      throw new AppError('invalid_request', parsed.message, {
        category: key,
        errors: parsed.errors,
      });
    }
    const current = await repos.dashboards.lockForUpdate(actor.id);
    if (current === undefined) throw dashboardMissing();
    if (current !== expected) {
      throw new AppError(
        'version_conflict',
        `Your settings were changed elsewhere (now at version ${current}, you edited version ${expected}); reload and try again.`,
        { currentVersion: current, yourVersion: expected },
      );
    }
    await checkOwnChange(repos, actor, key);
    await writeCategory(repos, actor.id, key, parsed.value);
    const written = await readOwnCategory(repos, actor.id, key);
    const pushed = await pushToFollowers(repos, deps, context, actor, [key]);
    await auditOwnChange(repos, context, actor, 'settings.update', [key], {
      version: written.version,
      ...(pushed.runIds.length > 0 ? { followRunIds: pushed.runIds } : {}),
    });
    const result = { ...written, dashboardVersion: await dashboardVersionOf(repos, actor.id) };
    return { result, start: pushed.start };
  });
  start();
  return result;
}

/** The actor's CRM connections, keys masked (SPEC §7). */
export async function listOwnCrmConnections(
  deps: Pick<OwnSettingsDeps, 'uow'>,
  context: OwnSettingsContext,
): Promise<MaskedCrmConnection[]> {
  const repos = deps.uow.read;
  const actor = await authorizeOwn(repos, context);
  await dashboardVersionOf(repos, actor.id);
  return listMaskedCrmConnections(repos, actor.id);
}

/**
 * Connects a CRM or replaces its keys: `{ secrets, instance }` validated for that CRM, sealed and
 * stored. Returns the masked view only; the secret never leaves (SPEC §7).
 */
export async function putOwnCrmConnection(
  deps: OwnSettingsDeps,
  context: OwnSettingsContext,
  crm: string,
  body: unknown,
): Promise<MaskedCrmConnection> {
  const { saved, start } = await deps.uow.transaction(async (repos) => {
    const actor = await authorizeOwn(repos, context);
    const key = parseCrm(crm);
    const credentials = parseCredentials(key, body);
    if ((await repos.dashboards.lockForUpdate(actor.id)) === undefined) throw dashboardMissing();
    await checkOwnChange(repos, actor, 'crm_keys');
    const replacedGrant = (await repos.crmConnections.listForUser(actor.id)).find(
      (c) => c.crm === key,
    )?.grantId;
    await saveCrmConnections(repos, deps.keyring, actor.id, [credentials]);
    if (replacedGrant) await repos.crmGrants.deleteUnused([replacedGrant]);
    await auditOwnChange(repos, context, actor, 'crm_connection.save', ['crm_keys'], { crm: key });
    const saved = (await listMaskedCrmConnections(repos, actor.id)).find((c) => c.crm === key);
    if (!saved) throw new Error(`the ${key} connection just saved was not found`);
    const pushed = await pushToFollowers(repos, deps, context, actor, ['crm_keys']);
    return { saved, start: pushed.start };
  });
  start();
  return saved;
}

/**
 * Removes one CRM connection (`not_found` when there is none). The `crm_keys` category stays
 * "set" and its version is bumped even when this was the last connection: a CRM keys value has
 * no default to fall back to, so "set to none" and "never set" read the same, while forgetting
 * the state row would restart its version at 1 after a later save, which could match the version
 * a sync left and let an undo of that sync overwrite keys changed since (revert compares versions).
 */
export async function deleteOwnCrmConnection(
  deps: Pick<OwnSettingsDeps, 'uow' | 'queue' | 'batchSize'>,
  context: OwnSettingsContext,
  crm: string,
): Promise<void> {
  const start = await deps.uow.transaction(async (repos) => {
    const actor = await authorizeOwn(repos, context);
    const key = parseCrm(crm);
    if ((await repos.dashboards.lockForUpdate(actor.id)) === undefined) throw dashboardMissing();
    await checkOwnChange(repos, actor, 'crm_keys');
    const grantId = (await repos.crmConnections.listForUser(actor.id)).find(
      (c) => c.crm === key,
    )?.grantId;
    if (!(await repos.crmConnections.delete(actor.id, key))) {
      throw new AppError('not_found', `You have no ${CRM_LABELS[key]} connection.`);
    }
    // An OAuth grant goes with the last connection that uses it (ADR 0014).
    if (grantId) await repos.crmGrants.deleteUnused([grantId]);
    await repos.dashboards.touchCategory(actor.id, 'crm_keys');
    await auditOwnChange(repos, context, actor, 'crm_connection.delete', ['crm_keys'], {
      crm: key,
    });
    return (await pushToFollowers(repos, deps, context, actor, ['crm_keys'])).start;
  });
  start();
}

// --- internals ---------------------------------------------------------------------------------

/** The actor, loaded fresh: only an active user may read or edit their own dashboard. */
export async function authorizeOwn(
  repos: Repositories,
  context: OwnSettingsContext,
): Promise<Actor> {
  const actor = await resolveActor(repos, context.actorId);
  if (!can(actor, 'settings:own')) {
    throw new AppError(
      'forbidden',
      'Your account is not active, so your settings cannot be read or changed. Ask an admin of your organization.',
    );
  }
  return actor;
}

async function dashboardVersionOf(repos: Repositories, userId: string): Promise<number> {
  const dashboard = await repos.dashboards.find(userId);
  if (!dashboard) throw dashboardMissing();
  return dashboard.version;
}

export function dashboardMissing(): AppError {
  return new AppError(
    'dashboard_missing',
    "You don't have a dashboard yet: finish setting up your account first.",
  );
}

async function readOwnCategory(
  repos: Repositories,
  userId: string,
  key: ValueCategoryKey,
): Promise<OwnCategory> {
  const read = await readCategory(repos, userId, key);
  const managed = await managedCategoriesOf(repos, userId);
  return {
    key,
    label: categoryDefinition(key).label,
    isSet: read.isSet,
    version: read.version,
    value: read.value,
    managed: managed.get(key) ?? null,
  };
}

function parseValueCategory(category: string): ValueCategoryKey {
  if (!isCategoryKey(category)) {
    throw new AppError(
      'invalid_request',
      `Unknown settings category: ${JSON.stringify(category)}.`,
    );
  }
  if (category === 'crm_keys') {
    throw new AppError(
      'invalid_request',
      'CRM keys are managed through your CRM connections, not as a settings category.',
    );
  }
  return category;
}

function parseDashboardVersion(body: { dashboardVersion: unknown }): number {
  const version = body.dashboardVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new AppError(
      'invalid_request',
      'dashboardVersion must be the version you read (a whole number).',
    );
  }
  return version;
}

export function parseCrm(crm: string): CrmKey {
  if (!isCrmKey(crm)) {
    throw new AppError(
      'invalid_request',
      `Unknown CRM: ${JSON.stringify(crm)}. Supported: ${Object.values(CRM_LABELS).join(', ')}.`,
    );
  }
  return crm;
}

/** Validates `{ secrets, instance }` for one CRM. The message names fields, never their values. */
function parseCredentials(crm: CrmKey, body: unknown) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid_request', 'Send the connection as { secrets, instance }.');
  }
  const input = body as Record<string, unknown>;
  if (input.crm !== undefined && input.crm !== crm) {
    throw new AppError(
      'invalid_request',
      'The CRM in the body does not match the one in the path.',
    );
  }
  const candidate = { ...input, crm };
  const parsed = crmCredentialsSchema.safeParse(candidate);
  if (!parsed.success) {
    const errors = describeCategoryIssues('crm_keys', parsed.error.issues, candidate);
    throw new AppError('invalid_request', `${CRM_LABELS[crm]} connection: ${asSentences(errors)}`, {
      errors,
    });
  }
  return parsed.data;
}

export async function auditOwnChange(
  repos: Repositories,
  context: OwnSettingsContext,
  actor: Actor,
  action:
    | 'settings.update'
    | 'crm_connection.save'
    | 'crm_connection.delete'
    | 'crm_connection.connect'
    | 'crm_connection.test',
  categories: string[],
  details: Record<string, unknown>,
): Promise<void> {
  await appendAudit(repos, {
    organizationId: actor.organizationId,
    actorId: actor.id,
    targetId: actor.id,
    action,
    outcome: 'applied',
    categories,
    details,
    requestId: context.requestId ?? null,
  });
}

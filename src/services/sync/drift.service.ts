import type { DriftSource, MemberDriftReport } from '#src/domain/contracts/sync.contract.ts';
import type { DriftState } from '#src/domain/contracts/members.contract.ts';
import { can, type Actor } from '#src/domain/authorization.ts';
import { AppError } from '#src/domain/errors.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import { CATEGORY_KEYS, type CategoryKey } from '#src/domain/settings/categories.ts';
import { orderForApply } from '#src/domain/sync/sync-rules.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { planSync, type CategoryResult } from '#src/services/sync/sync-engine.ts';
import { isUuid, resolveActor, type SyncContext } from '#src/services/sync/sync-support.ts';

/**
 * Drift (SPEC §6): per member and category, would Sync Settings from a given admin change
 * anything? It is the sync engine's own plan, not applied (so it cannot disagree with what a
 * sync would do), for a page of members at once, over only the categories that admin has set.
 */
export type { DriftState, DriftSource, MemberDriftReport };

export interface MemberDrift {
  drift: Partial<Record<CategoryKey, DriftState>>;
  driftCount: number;
}

const BAD_SOURCE =
  'Drift is measured from an admin of your organization: give `me` or an active admin’s user id.';

/** `me` or the id of an active admin of the actor's organization with a dashboard. */
export async function resolveDriftSource(
  repos: Repositories,
  actor: Actor,
  from: string,
): Promise<DriftSource> {
  const id = from === 'me' ? actor.id : from;
  const user = isUuid(id)
    ? await repos.users.findInOrganization(actor.organizationId, id)
    : undefined;
  if (
    !user ||
    user.status !== 'active' ||
    (user.role !== 'admin' && user.role !== 'primary_admin') ||
    !(await repos.dashboards.find(user.id))
  ) {
    throw new AppError('invalid_request', BAD_SOURCE, { from });
  }
  return { id: user.id, name: user.name };
}

/** The categories `sourceId` has set, in apply order (drift leaves the others out). */
async function categoriesSetBy(repos: Repositories, sourceId: string): Promise<CategoryKey[]> {
  const states = new Set((await repos.dashboards.categoryStates(sourceId)).map((s) => s.category));
  return orderForApply(CATEGORY_KEYS.filter((c) => states.has(c)));
}

/**
 * The version of what decides drift: the copy rules, the engine and the category schemas. Kept
 * drift stamped with another version is not served. Bump it when any of those files changes
 * (the test "kept drift is stamped with the rules' version" fails until you do).
 */
export const DRIFT_RULES_VERSION = 7;

/**
 * Drift of several members from one source, in a fixed number of queries: what was kept for
 * this source and member while neither dashboard changed is served as it is (ADR 0013); the
 * others are planned by the sync engine, in one call for all of them, and kept.
 */
export async function driftOfMembers(
  repos: Repositories,
  keyring: Keyring,
  sourceId: string,
  memberIds: readonly string[],
): Promise<Map<string, MemberDrift>> {
  const targets = memberIds.filter((id) => id !== sourceId);
  const result = new Map<string, MemberDrift>();
  if (targets.length === 0) return result;
  // The versions are read before the dashboards are: drift planned from newer values than its
  // stamp only fails to match later, never serves a stale answer.
  const kept = await repos.driftCache.lookup(sourceId, targets, DRIFT_RULES_VERSION);
  const missing: string[] = [];
  for (const id of targets) {
    const entry = kept.targets.get(id);
    if (entry?.kept) result.set(id, entry.kept);
    else missing.push(id);
  }
  if (missing.length === 0) return result;
  const categories = await categoriesSetBy(repos, sourceId);
  const planned: { targetId: string; targetVersion: number; drift: MemberDrift }[] = [];
  const plans =
    categories.length === 0
      ? missing.map((targetId) => ({ targetId, results: [] as CategoryResult[] }))
      : await planSync(repos, keyring, {
          sourceId,
          targetIds: missing,
          categories,
          mode: 'compare',
        });
  for (const plan of plans) {
    const drift: Partial<Record<CategoryKey, DriftState>> = {};
    for (const r of plan.results) drift[r.category] = r.changed ? 'differs' : 'in_sync';
    const memberDrift = { drift, driftCount: plan.results.filter((r) => r.changed).length };
    result.set(plan.targetId, memberDrift);
    const targetVersion = kept.targets.get(plan.targetId)?.version;
    if (targetVersion !== undefined)
      planned.push({ targetId: plan.targetId, targetVersion, drift: memberDrift });
  }
  if (kept.sourceVersion !== undefined)
    await repos.driftCache.keep(sourceId, kept.sourceVersion, DRIFT_RULES_VERSION, planned);
  return result;
}

/** One member's drift from an admin, item by item (the member's drift panel). */
export async function memberDrift(
  deps: { uow: UnitOfWork; keyring: Keyring },
  context: SyncContext,
  memberId: string,
  from: string,
): Promise<MemberDriftReport> {
  const repos = deps.uow.read;
  const actor = await resolveActor(repos, context.actorId);
  if (!can(actor, 'sync:read'))
    throw new AppError('forbidden', 'Only an active admin of this organization can see drift.');
  const source = await resolveDriftSource(repos, actor, from);
  const member = isUuid(memberId)
    ? await repos.users.findMemberWithDashboard(actor.organizationId, memberId)
    : undefined;
  if (!member) {
    throw new AppError(
      'target_not_found',
      'That user was not found in your organization. Confirm the user is provisioned in the same organization.',
    );
  }
  if (!member.has_dashboard) {
    throw new AppError(
      'dashboard_missing',
      'The user dashboard is missing. The account may need provisioning or setup completion before settings can be pushed.',
    );
  }
  const categories = await categoriesSetBy(repos, source.id);
  const [plan] =
    member.id === source.id || categories.length === 0
      ? []
      : await planSync(repos, deps.keyring, {
          sourceId: source.id,
          targetIds: [member.id],
          categories,
          mode: 'compare',
        });
  const results = plan?.results ?? [];
  return {
    memberId: member.id,
    from: source,
    driftCount: results.filter((r) => r.changed).length,
    categories: results.map((r) => ({ ...r, state: r.changed ? 'differs' : 'in_sync' })),
  };
}

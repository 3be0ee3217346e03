import { can, type Actor } from '#src/domain/authorization.ts';
import type { ManagedCategory } from '#src/domain/contracts/policies.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import type { GoverningPolicyRecord } from '#src/repositories/policy.repository.ts';
import type { Repositories } from '#src/repositories/repositories.ts';
import { createRunIn, type BulkDeps } from '#src/services/bulk/bulk-sync.service.ts';
import type { SyncContext } from '#src/services/sync/sync-support.ts';

/**
 * Following the admin (issue 16, ADR 0016): the rules every path shares, once. Which policy
 * governs a member is the repository's `governing` (the more recently changed policy of the
 * member's teams); here: what a lock refuses, what a member's own edit records, and the follow
 * push, a bulk run created in the transaction of the change that triggers it.
 */

/** The words the settings page and the refusal both use. */
export function managedLabel(sourceName: string | null): string {
  return `Managed by your admin, ${sourceName ?? 'a former admin'}`;
}

/** Whether `policy` makes `userId` follow someone else (a source never follows themself). */
function followsOther(policy: GoverningPolicyRecord | undefined, userId: string): boolean {
  return policy !== undefined && policy.mode === 'follow' && policy.sourceUserId !== userId;
}

/** Per category, what governs the member's dashboard (categories not followed are absent). */
export async function managedCategoriesOf(
  repos: Repositories,
  userId: string,
): Promise<Map<string, ManagedCategory>> {
  const out = new Map<string, ManagedCategory>();
  for (const policy of await repos.policies.governing([userId])) {
    if (!followsOther(policy, userId) || policy.sourceUserId === null) continue;
    out.set(policy.category, {
      by: { id: policy.sourceUserId, name: policy.sourceName ?? '' },
      teamId: policy.teamId,
      teamName: policy.teamName,
      locked: policy.locked,
      state: policy.state,
      label: managedLabel(policy.sourceName),
    });
  }
  return out;
}

/** The locked categories of a member, with who manages them. */
export async function lockedCategoriesOf(
  repos: Repositories,
  userId: string,
): Promise<Map<string, ManagedCategory>> {
  const managed = await managedCategoriesOf(repos, userId);
  return new Map([...managed].filter(([, m]) => m.locked));
}

function lockedError(policy: GoverningPolicyRecord, category: string): AppError {
  return new AppError('category_locked', managedLabel(policy.sourceName), {
    category,
    sourceUserId: policy.sourceUserId,
    teamId: policy.teamId,
  });
}

/**
 * A member's own change to `category` (an edit, a connection, a restore): refused when the
 * category is locked for them (`category_locked`, "Managed by your admin, <name>"); when it is
 * followed and unlocked, recorded as `overridden` in the caller's transaction, so follow pushes
 * leave it alone. The caller holds the member's dashboard lock, which pushes take too.
 */
export async function checkOwnChange(
  repos: Repositories,
  actor: Actor,
  category: CategoryKey,
  options: { record: 'overridden' | 'nothing' } = { record: 'overridden' },
): Promise<void> {
  const [policy] = await repos.policies.governing([actor.id], [category]);
  if (!policy || !followsOther(policy, actor.id)) return;
  if (policy.locked) throw lockedError(policy, category);
  if (options.record === 'overridden') {
    await repos.policies.markState(actor.id, category, 'overridden', actor.id);
  }
}

/**
 * A revert of followed categories pauses follow for that member in each of them (issue 16:
 * automation never silently re-applies what was rolled back); recorded in the revert's
 * transaction. Returns the categories paused.
 */
export async function pauseAfterRevert(
  repos: Repositories,
  actorId: string,
  targetId: string,
  categories: readonly string[],
): Promise<string[]> {
  const paused: string[] = [];
  for (const policy of await repos.policies.governing([targetId], categories)) {
    if (!followsOther(policy, targetId)) continue;
    await repos.policies.markState(targetId, policy.category, 'paused', actorId, true);
    paused.push(policy.category);
  }
  return paused;
}

/** What a follow push needs: the bulk runs' queue (absent: no push may be needed). */
export interface FollowPushDeps {
  queue?: BulkDeps['queue'] | undefined;
  batchSize?: number | undefined;
}

/** The bulk action that applies a category from its source. */
function actionOf(category: CategoryKey): 'sync_crm' | 'sync_settings' {
  return category === 'crm_keys' ? 'sync_crm' : 'sync_settings';
}

/**
 * Follow pushes: after `source` changed `categories` (in the caller's transaction), one bulk run
 * per team following them in each category, over the members that team's policy governs and
 * who have no exception, created in the same transaction. `onlyUserIds`: just these members (a
 * member's arrival, a reset). Returns what to call once the transaction has committed, and the
 * runs created.
 */
export async function pushToFollowers(
  repos: Repositories,
  deps: FollowPushDeps,
  context: Pick<SyncContext, 'requestId'>,
  source: Actor,
  categories: readonly CategoryKey[],
  onlyUserIds?: readonly string[],
): Promise<{ start: () => void; runIds: string[] }> {
  const starts: (() => void)[] = [];
  const runIds: string[] = [];
  // Only an active admin's changes are pushed: a member's own save is never a source's (and
  // costs no query), and a policy whose admin was demoted or deactivated since pushes nothing
  // rather than runs that every member would refuse.
  if (!can(source, 'sync:run')) return { start: () => undefined, runIds };
  for (const category of categories) {
    const targets = await repos.policies.pushTargets(source.id, category, onlyUserIds);
    const byTeam = new Map<string, string[]>();
    for (const t of targets) byTeam.set(t.teamId, [...(byTeam.get(t.teamId) ?? []), t.userId]);
    for (const [teamId, memberIds] of byTeam) {
      if (!deps.queue) throw new Error('follow pushes need a job queue');
      const { record, start } = await createRunIn(
        repos,
        { ...deps, queue: deps.queue },
        context,
        source,
        {
          action: actionOf(category),
          categories: [category],
          dryRun: false,
          memberIds,
          teamId,
          retryOf: null,
          trigger: 'follow',
        },
      );
      starts.push(start);
      runIds.push(record.id);
    }
  }
  return {
    start: () => {
      runAll(starts);
    },
    runIds,
  };
}

/**
 * A member who just joined a team or finished setting up gets the categories they now follow:
 * one push per source, created in the caller's transaction (issue 16: "a new member arrives
 * already configured").
 */
export async function pushToArrivingMember(
  repos: Repositories,
  deps: FollowPushDeps,
  context: Pick<SyncContext, 'requestId'>,
  userId: string,
): Promise<{ start: () => void; runIds: string[] }> {
  const bySource = new Map<string, CategoryKey[]>();
  for (const policy of await repos.policies.followedBy(userId)) {
    if (policy.sourceUserId === null || policy.sourceUserId === userId || policy.state) continue;
    bySource.set(policy.sourceUserId, [
      ...(bySource.get(policy.sourceUserId) ?? []),
      policy.category as CategoryKey,
    ]);
  }
  const starts: (() => void)[] = [];
  const runIds: string[] = [];
  for (const [sourceId, categories] of bySource) {
    const source = await repos.users.findById(sourceId);
    if (!source || source.status !== 'active') continue;
    const pushed = await pushToFollowers(
      repos,
      deps,
      context,
      {
        id: source.id,
        organizationId: source.organization_id,
        role: source.role,
        status: source.status,
      },
      categories,
      [userId],
    );
    starts.push(pushed.start);
    runIds.push(...pushed.runIds);
  }
  return {
    start: () => {
      runAll(starts);
    },
    runIds,
  };
}

function runAll(starts: readonly (() => void)[]): void {
  for (const start of starts) start();
}

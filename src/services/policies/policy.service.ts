import { can, type Actor } from '#src/domain/authorization.ts';
import type {
  FollowResumed,
  TeamPolicies,
  TeamPolicy,
  TeamPolicyInput,
} from '#src/domain/contracts/policies.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import { assertCanManageMembers } from '#src/domain/member-actions.ts';
import {
  CATEGORIES,
  categoryDefinition,
  isCategoryKey,
  type CategoryKey,
} from '#src/domain/settings/categories.ts';
import type { PolicyRecord } from '#src/repositories/policy.repository.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import type { BulkDeps } from '#src/services/bulk/bulk-sync.service.ts';
import { findTeamOrThrow } from '#src/services/members/member.service.ts';
import { pushToFollowers } from '#src/services/policies/follow.service.ts';
import { authorizeOwn } from '#src/services/settings/own-settings.service.ts';
import {
  actorOf,
  auditRefusal,
  isUuid,
  resolveActor,
  type SyncContext,
} from '#src/services/sync/sync-support.ts';

/**
 * Team follow policies (issue 16, ADR 0016): read and set per team × category, by admins; and
 * the way back to following for a member with an exception ("Resume" / "Reset to the admin's
 * settings").
 */
export interface PolicyDeps {
  uow: UnitOfWork;
  queue: BulkDeps['queue'];
  batchSize?: number;
}

/** Every category's policy for a team (never set: manual), with conflicts and exceptions. */
export async function getTeamPolicies(
  deps: Pick<PolicyDeps, 'uow'>,
  context: SyncContext,
  teamId: string,
): Promise<TeamPolicies> {
  const repos = deps.uow.read;
  const actor = await actorOf(repos, context);
  assertCanManageMembers(actor);
  const team = await findTeamOrThrow(repos, actor, teamId);
  return teamPoliciesOf(repos, actor, team);
}

/**
 * Sets one category's policy for a team. `follow` needs a source: an active admin of the
 * organization (the organization admin for CRM keys, since Sync CRM copies theirs); a lock needs
 * `follow`. Another organization's user, or nobody, is `not_found`; a member who is not an admin
 * is `invalid_request`.
 */
export async function setTeamPolicy(
  deps: PolicyDeps,
  context: SyncContext,
  teamId: string,
  category: string,
  input: TeamPolicyInput,
): Promise<TeamPolicy> {
  try {
    return await deps.uow.transaction(async (repos) => {
      const actor = await resolveActor(repos, context.actorId);
      assertCanManageMembers(actor);
      const key = parseCategory(category);
      const team = await findTeamOrThrow(repos, actor, teamId);
      const locked = input.locked ?? false;
      if (input.mode === 'manual') {
        if (locked) {
          throw new AppError(
            'invalid_request',
            'Only a followed category can be locked: choose Follow and an admin first.',
          );
        }
        if (input.sourceUserId) {
          throw new AppError(
            'invalid_request',
            'A manual policy follows nobody: leave out sourceUserId, or choose Follow.',
          );
        }
      }
      const source =
        input.mode === 'follow' ? await findSource(repos, actor, key, input.sourceUserId) : null;
      await repos.policies.upsert({
        teamId: team.id,
        organizationId: actor.organizationId,
        category: key,
        mode: input.mode,
        sourceUserId: source?.id ?? null,
        locked,
        updatedBy: actor.id,
      });
      await appendAudit(repos, {
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId: null,
        action: 'team_policy.update',
        outcome: 'applied',
        categories: [key],
        details: { teamId: team.id, mode: input.mode, sourceUserId: source?.id ?? null, locked },
        requestId: context.requestId ?? null,
      });
      const policies = await teamPoliciesOf(repos, actor, team);
      const policy = policies.policies.find((p) => p.category === key);
      if (!policy) throw new Error(`the policy of ${key} just set was not read back`);
      return policy;
    });
  } catch (error) {
    return auditRefusal(deps.uow, context, 'team_policy.update', [category], '', error);
  }
}

/**
 * "Resume" (an admin, for a member whose follow is paused or overridden) and "Reset to the
 * admin's settings" (the member themself): clears the member's exception and pushes the
 * followed category's source values to them, as a one-member follow run created in the same
 * transaction. `not_found` when the category is not followed for that member.
 */
export async function resumeFollow(
  deps: PolicyDeps,
  context: SyncContext,
  /** A member's id, or 'me': the actor. */
  userId: string,
  category: string,
): Promise<FollowResumed> {
  const action = 'follow.resume';
  try {
    const { result, start } = await deps.uow.transaction(async (repos) => {
      const actor = await resolveActor(repos, context.actorId);
      const key = parseCategory(category);
      let targetId: string;
      if (userId === 'me') {
        await authorizeOwn(repos, context);
        targetId = actor.id;
      } else {
        assertCanManageMembers(actor);
        const target = isUuid(userId)
          ? await repos.users.findMemberWithDashboard(actor.organizationId, userId)
          : undefined;
        if (!target) throw new AppError('not_found', 'That member was not found.');
        targetId = target.id;
      }
      if ((await repos.dashboards.lockForUpdate(targetId)) === undefined) {
        throw new AppError('dashboard_missing', 'This member has not finished setting up yet.');
      }
      const [policy] = await repos.policies.governing([targetId], [key]);
      if (!policy || policy.mode !== 'follow' || !policy.sourceUserId) {
        throw new AppError(
          'not_found',
          `${categoryDefinition(key).label} is not followed for this member: no team policy makes them follow an admin in it.`,
        );
      }
      const source = await repos.users.findById(policy.sourceUserId);
      if (!source || source.status !== 'active') {
        throw new AppError(
          'invalid_request',
          'The admin this category follows is no longer active: choose another in the team settings.',
        );
      }
      const cleared = await repos.policies.clearState(targetId, key);
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
        [key],
        [targetId],
      );
      await appendAudit(repos, {
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId,
        action,
        outcome: 'applied',
        categories: [key],
        details: { cleared, bulkRunId: pushed.runIds[0] ?? null },
        requestId: context.requestId ?? null,
      });
      return {
        result: { category: key, userId: targetId, bulkRunId: pushed.runIds[0] ?? null },
        start: pushed.start,
      };
    });
    start();
    return result;
  } catch (error) {
    return auditRefusal(
      deps.uow,
      context,
      action,
      [category],
      userId === 'me' ? context.actorId : userId,
      error,
    );
  }
}

// --- internals ---------------------------------------------------------------------------------

function parseCategory(category: string): CategoryKey {
  if (!isCategoryKey(category)) {
    throw new AppError(
      'invalid_request',
      `Unknown settings category: ${JSON.stringify(category)}.`,
    );
  }
  return category;
}

async function findSource(
  repos: Repositories,
  actor: Actor,
  category: CategoryKey,
  sourceUserId: string | null | undefined,
): Promise<{ id: string; name: string }> {
  if (!sourceUserId) {
    throw new AppError('invalid_request', 'Follow needs an admin to follow: give sourceUserId.');
  }
  const user = isUuid(sourceUserId) ? await repos.users.findById(sourceUserId) : undefined;
  if (!user || user.organization_id !== actor.organizationId) {
    throw new AppError('not_found', 'That user was not found in your organization.');
  }
  const source: Actor = {
    id: user.id,
    organizationId: user.organization_id,
    role: user.role,
    status: user.status,
  };
  if (!can(source, 'sync:run')) {
    throw new AppError(
      'invalid_request',
      `${user.name} is not an active admin of your organization: a team can follow only an admin.`,
    );
  }
  if (category === 'crm_keys' && user.role !== 'primary_admin') {
    throw new AppError(
      'invalid_request',
      "CRM keys follow the organization admin (Sync CRM copies the organization admin's keys): choose them as the source.",
    );
  }
  return { id: user.id, name: user.name };
}

async function teamPoliciesOf(
  repos: Repositories,
  actor: Actor,
  team: { id: string; name: string },
): Promise<TeamPolicies> {
  const stored = await repos.policies.listForTeam(team.id);
  const conflicts = await repos.policies.conflictsOfTeam(team.id);
  const exceptions = await repos.policies.exceptionsOfTeam(team.id);
  const sources = await repos.policies.adminsOf(actor.organizationId);
  const byCategory = new Map<string, PolicyRecord>(stored.map((p) => [p.category, p]));
  return {
    teamId: team.id,
    teamName: team.name,
    sources,
    policies: CATEGORIES.map((definition) => {
      const p = byCategory.get(definition.key);
      return {
        category: definition.key,
        label: definition.label,
        mode: p?.mode ?? 'manual',
        source:
          p?.mode === 'follow' && p.sourceUserId
            ? { id: p.sourceUserId, name: p.sourceName ?? '' }
            : null,
        locked: p?.locked ?? false,
        updatedAt: p?.updatedAt ?? null,
        updatedBy: p?.updatedBy ? { id: p.updatedBy, name: p.updatedByName ?? '' } : null,
        conflicts: conflicts
          .filter((c) => c.category === definition.key)
          .map((c) => ({
            teamId: c.teamId,
            teamName: c.teamName,
            mode: c.mode,
            source: c.sourceUserId ? { id: c.sourceUserId, name: c.sourceName ?? '' } : null,
            sharedMembers: c.sharedMembers,
            governs: c.governsOther ? ('other_team' as const) : ('this_team' as const),
          })),
        exceptions: exceptions
          .filter((e) => e.category === definition.key)
          .map((e) => ({ userId: e.userId, name: e.name, state: e.state, since: e.since })),
      };
    }),
  };
}

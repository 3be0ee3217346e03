import type {
  MemberPage,
  MemberRow,
  MemberUpdate,
  TeamSummary,
} from '#src/domain/contracts/members.contract.ts';
import { can, type Actor } from '#src/domain/authorization.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import { AppError } from '#src/domain/errors.ts';
import { hasUnstorableText } from '#src/domain/text.ts';
import {
  actionsFor,
  assertCanActivate,
  assertCanManageMembers,
  authorizeMemberManagement,
} from '#src/domain/member-actions.ts';
import type { UserStatus } from '#src/domain/roles.ts';
import type { MemberListRow, MemberPagePosition } from '#src/repositories/member.repository.ts';
import {
  pushToArrivingMember,
  type FollowPushDeps,
} from '#src/services/policies/follow.service.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { cachedMemberPage, type MemberPageCache } from '#src/services/members/member-page-cache.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import {
  driftOfMembers,
  resolveDriftSource,
  type MemberDrift,
} from '#src/services/sync/drift.service.ts';
import {
  actorOf,
  auditRefusal,
  isUuid,
  resolveActor,
  type SyncContext,
} from '#src/services/sync/sync-support.ts';

export interface MemberDeps {
  uow: UnitOfWork;
  /** Needed for drift only (CRM keys compare by fingerprint; nothing is decrypted). */
  keyring?: Keyring;
  /** Pages kept under the member list version (ADR 0015); none: every page is computed. */
  memberPages?: MemberPageCache;
  /** Follow pushes to a member who joins a following team (issue 16). */
  queue?: FollowPushDeps['queue'];
  batchSize?: number | undefined;
}

/** Who is acting and on which request. */
export type MemberContext = SyncContext;

export type { MemberPage, MemberRow, TeamSummary } from '#src/domain/contracts/members.contract.ts';

export interface MemberPatch {
  role?: 'admin' | 'member';
  status?: 'active' | 'deactivated';
}

const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;
const MAX_QUERY_LENGTH = 200;

const TEAM_NOT_FOUND = 'That team was not found.';

/** The teams of the actor's organization with their member counts (admins only). */
export async function listTeams(deps: MemberDeps, context: MemberContext): Promise<TeamSummary[]> {
  const actor = await actorOf(deps.uow.read, context);
  assertCanReadMembers(actor);
  return deps.uow.read.teams.listWithMemberCounts(actor.organizationId);
}

/**
 * One page of a team's member table (admins only), ordered by name, filtered by `q` on name or
 * email, each row with its teams, latest sync and the actions the actor may run on it. A fixed
 * number of queries whatever the page size.
 */
export async function listTeamMembers(
  deps: MemberDeps,
  context: MemberContext,
  teamId: string,
  query: { cursor?: string; limit?: number; q?: string; driftFrom?: string } = {},
): Promise<MemberPage> {
  const repos = deps.uow.read;
  const actor = await actorOf(repos, context);
  assertCanReadMembers(actor);
  return cachedMemberPage(
    deps.memberPages,
    context.memberListVersion,
    [
      'team',
      actor.organizationId,
      actor.id,
      actor.role,
      actor.status,
      teamId,
      query.cursor,
      query.limit,
      query.q,
      query.driftFrom,
    ],
    () => teamMemberPage(deps, actor, teamId, query),
  );
}

async function teamMemberPage(
  deps: MemberDeps,
  actor: Actor,
  teamId: string,
  query: { cursor?: string; limit?: number; q?: string; driftFrom?: string },
): Promise<MemberPage> {
  const repos = deps.uow.read;
  const limit = pageSize(query.limit);
  const q = searchText(query.q);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  await findTeamOrThrow(repos, actor, teamId);
  const rows = await repos.members.listTeamMembers(actor.organizationId, teamId, {
    limit: limit + 1,
    ...(q === undefined ? {} : { q }),
    ...(after === undefined ? {} : { after }),
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  let drift: Map<string, MemberDrift> | undefined;
  if (query.driftFrom !== undefined) {
    if (!deps.keyring) throw new Error('drift needs the keyring');
    const source = await resolveDriftSource(repos, actor, query.driftFrom);
    drift = await driftOfMembers(
      repos,
      deps.keyring,
      source.id,
      page.filter((row) => row.hasDashboard).map((row) => row.id),
    );
  }
  return {
    items: page.map((row) => ({ ...toMemberRow(actor, row), ...(drift?.get(row.id) ?? {}) })),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

/** The "All members" filters: a team id or `none` (members on no team), and a status. */
export interface OrganizationMemberQuery {
  cursor?: string;
  limit?: number;
  q?: string;
  /** A team of the organization (its id), or `none`: the members on no team. */
  team?: string;
  status?: UserStatus;
}

/**
 * One page of the whole organization's member list, "All members" (admins only): the rows,
 * order, search and cursor of a team's member table (one query, the same `MemberRow`), with
 * `team=none` for the members on no team (after removal from their last team they are still in
 * the organization) and a status filter. Another organization's team id is not found.
 */
export async function listOrganizationMembers(
  deps: MemberDeps,
  context: MemberContext,
  query: OrganizationMemberQuery = {},
): Promise<MemberPage> {
  const actor = await actorOf(deps.uow.read, context);
  assertCanReadMembers(actor);
  return cachedMemberPage(
    deps.memberPages,
    context.memberListVersion,
    [
      'organization',
      actor.organizationId,
      actor.id,
      actor.role,
      actor.status,
      query.cursor,
      query.limit,
      query.q,
      query.team,
      query.status,
    ],
    () => organizationMemberPage(deps.uow.read, actor, query),
  );
}

async function organizationMemberPage(
  repos: Repositories,
  actor: Actor,
  query: OrganizationMemberQuery,
): Promise<MemberPage> {
  const limit = pageSize(query.limit);
  const q = searchText(query.q);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const status = parseStatusFilter(query.status);
  let team: string | null | undefined;
  if (query.team === 'none') team = null;
  else if (query.team !== undefined) team = (await findTeamOrThrow(repos, actor, query.team)).id;
  const filter = {
    ...(team === undefined ? {} : { team }),
    ...(status === undefined ? {} : { status }),
  };
  const [rows, total] = await Promise.all([
    repos.members.listOrganizationMembers(actor.organizationId, filter, {
      limit: limit + 1,
      ...(q === undefined ? {} : { q }),
      ...(after === undefined ? {} : { after }),
    }),
    // Counted once, with the first page: later pages do not pay for it again.
    after === undefined
      ? repos.members.countOrganizationMembers(actor.organizationId, filter, q)
      : undefined,
  ]);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toMemberRow(actor, row)),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    ...(total === undefined ? {} : { total }),
  };
}

/**
 * Changes a member's role and/or access (admins; never the primary admin, never oneself).
 * Deactivating ends all of the user's sessions in the same transaction, so access stops at once.
 */
export async function updateMember(
  deps: MemberDeps,
  context: MemberContext,
  userId: string,
  patch: MemberPatch,
): Promise<MemberUpdate> {
  try {
    return await deps.uow.transaction(async (repos) => {
      const actor = await resolveActor(repos, context.actorId);
      assertCanManageMembers(actor);
      const changes = parsePatch(patch);
      const target = authorizeMemberManagement(
        actor,
        isUuid(userId)
          ? await repos.members.lockUserInOrganization(actor.organizationId, userId)
          : undefined,
      );
      const role =
        changes.role !== undefined && changes.role !== target.role ? changes.role : undefined;
      const status =
        changes.status !== undefined && changes.status !== target.status
          ? changes.status
          : undefined;
      if (status === 'active') assertCanActivate(target);
      if (role === undefined && status === undefined) {
        // Already as asked: nothing to write or audit (a retried request is harmless).
        return { id: target.id, role: target.role, status: target.status };
      }
      const updated = await repos.members.updateRoleAndStatus(actor.organizationId, target.id, {
        ...(role === undefined ? {} : { role }),
        ...(status === undefined ? {} : { status }),
      });
      if (!updated) throw new Error(`user ${target.id} vanished under its row lock`);
      const sessionsEnded = status === 'deactivated';
      if (sessionsEnded) await repos.sessions.deleteForUser(target.id);
      await appendAudit(repos, {
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId: target.id,
        action: 'member.update',
        outcome: 'applied',
        categories: [],
        details: {
          ...(role === undefined ? {} : { role: { from: target.role, to: role } }),
          ...(status === undefined ? {} : { status: { from: target.status, to: status } }),
          sessionsEnded,
        },
        requestId: context.requestId ?? null,
      });
      return updated;
    });
  } catch (error) {
    return auditMemberRefusal(deps, context, 'member.update', userId, error);
  }
}

/** Adds a member of the organization to one of its teams (admins); adding twice is a no-op. */
export async function addTeamMember(
  deps: MemberDeps,
  context: MemberContext,
  teamId: string,
  userId: string,
): Promise<{ added: boolean }> {
  try {
    const { added, start } = await deps.uow.transaction(async (repos) => {
      const { actor, team, target } = await authorizeTeamChange(repos, context, teamId, userId);
      const added = await repos.members.addToTeam(actor.organizationId, team.id, target.id);
      if (!added) return { added, start: () => undefined };
      await auditTeamChange(repos, context, actor, 'team.member_add', team.id, target.id);
      // Joining a team that follows an admin brings the followed categories now.
      const pushed = await pushToArrivingMember(repos, deps, context, target.id);
      return { added, start: pushed.start };
    });
    start();
    return { added };
  } catch (error) {
    return auditMemberRefusal(deps, context, 'team.member_add', userId, error, { teamId });
  }
}

/** What is left after a removal: `teamsLeft` 0 is the "last team" case the UI warns about. */
export interface TeamRemoval {
  teamsLeft: number;
  /** Set when that was the member's last team: they stay in the organization, on no team. */
  warning: string | null;
}

export const LAST_TEAM_WARNING =
  'That was their last team: they stay in your organization and are listed under "No team" in All members.';

/**
 * Removes a member from a team (admins); `not_found` when they are not on it. Removing someone
 * from their last team is allowed (they stay in the organization, under "No team"); the result
 * says so, and the audit entry records how many teams they have left.
 */
export async function removeTeamMember(
  deps: MemberDeps,
  context: MemberContext,
  teamId: string,
  userId: string,
): Promise<TeamRemoval> {
  try {
    return await deps.uow.transaction(async (repos) => {
      const { actor, team, target } = await authorizeTeamChange(repos, context, teamId, userId);
      const removed = await repos.members.removeFromTeam(actor.organizationId, team.id, target.id);
      if (!removed) throw new AppError('not_found', 'That user is not on this team.');
      const teamsLeft = await repos.members.countTeamsOf(actor.organizationId, target.id);
      await auditTeamChange(repos, context, actor, 'team.member_remove', team.id, target.id, {
        teamsLeft,
      });
      return { teamsLeft, warning: teamsLeft === 0 ? LAST_TEAM_WARNING : null };
    });
  } catch (error) {
    return auditMemberRefusal(deps, context, 'team.member_remove', userId, error, { teamId });
  }
}

// --- internals ---------------------------------------------------------------------------------

/** A member-list row as the API shows it: the repository's row with the actor's actions. */
function toMemberRow(actor: Actor, row: MemberListRow): MemberRow {
  return {
    ...(Object.keys(row.followStates).length > 0 ? { followStates: row.followStates } : {}),
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    status: row.status,
    hasDashboard: row.hasDashboard,
    teams: row.teams,
    lastSync: row.lastSync,
    actions: actionsFor(actor, row),
    connections: row.connections,
  };
}

function parseStatusFilter(status: unknown): UserStatus | undefined {
  if (status === undefined) return undefined;
  if (status === 'active' || status === 'invited' || status === 'deactivated') return status;
  throw new AppError(
    'invalid_request',
    'The status filter can only be "active", "invited" or "deactivated".',
  );
}

/** Reading the member table needs an active admin: either capability will do (SPEC §4). */
function assertCanReadMembers(actor: Actor): void {
  if (!can(actor, 'members:manage') && !can(actor, 'sync:read')) {
    throw new AppError('forbidden', 'Only an active admin of this organization can see members.');
  }
}

/** A team of the actor's organization; another organization's team is simply not found. */
export async function findTeamOrThrow(
  repos: Repositories,
  actor: Actor,
  teamId: string,
): Promise<{ id: string; name: string }> {
  const team = isUuid(teamId)
    ? await repos.members.findTeam(actor.organizationId, teamId)
    : undefined;
  if (!team) throw new AppError('not_found', TEAM_NOT_FOUND);
  return team;
}

/**
 * Team membership is member management (SPEC §4: "manage teams ... except the primary admin"), so
 * it follows the same rules as role and access: never the primary admin, never oneself.
 */
async function authorizeTeamChange(
  repos: Repositories,
  context: MemberContext,
  teamId: string,
  userId: string,
) {
  const actor = await resolveActor(repos, context.actorId);
  assertCanManageMembers(actor);
  const team = await findTeamOrThrow(repos, actor, teamId);
  const target = authorizeMemberManagement(
    actor,
    isUuid(userId)
      ? await repos.members.lockUserInOrganization(actor.organizationId, userId)
      : undefined,
  );
  return { actor, team, target };
}

async function auditTeamChange(
  repos: Repositories,
  context: MemberContext,
  actor: Actor,
  action: 'team.member_add' | 'team.member_remove',
  teamId: string,
  userId: string,
  extra: { teamsLeft?: number } = {},
): Promise<void> {
  await appendAudit(repos, {
    organizationId: actor.organizationId,
    actorId: actor.id,
    targetId: userId,
    action,
    outcome: 'applied',
    categories: [],
    details: { teamId, ...extra },
    requestId: context.requestId ?? null,
  });
}

/** The refusal's audit entry (the shared rule of sync-support), with the team when it is ours. */
async function auditMemberRefusal(
  deps: MemberDeps,
  context: MemberContext,
  action: 'member.update' | 'team.member_add' | 'team.member_remove',
  userId: string,
  error: unknown,
  extra: { teamId?: string } = {},
): Promise<never> {
  if (!(error instanceof AppError)) throw error;
  const actor = await deps.uow.read.users.findById(context.actorId);
  const team =
    actor && extra.teamId !== undefined && isUuid(extra.teamId)
      ? await deps.uow.read.members.findTeam(actor.organization_id, extra.teamId)
      : undefined;
  return auditRefusal(
    deps.uow,
    context,
    action,
    [],
    userId,
    error,
    team === undefined ? {} : { teamId: team.id },
  );
}

/** The patch checked at run time too: callers other than the HTTP schema exist (CLI, jobs). */
function parsePatch(patch: MemberPatch): MemberPatch {
  const input = patch as { role?: unknown; status?: unknown };
  if (input.role === undefined && input.status === undefined) {
    throw new AppError('invalid_request', 'Give a role or a status to change.');
  }
  if (input.role !== undefined && input.role !== 'admin' && input.role !== 'member') {
    throw new AppError('invalid_request', 'A role can only be changed to "admin" or "member".');
  }
  if (input.status !== undefined && input.status !== 'active' && input.status !== 'deactivated') {
    throw new AppError(
      'invalid_request',
      'Access can only be changed to "active" or "deactivated".',
    );
  }
  return patch;
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AppError('invalid_request', 'The page size must be a whole number of at least 1.');
  }
  return Math.min(limit, MAX_PAGE_SIZE);
}

function searchText(q: string | undefined): string | undefined {
  const text = q?.trim();
  if (!text) return undefined;
  if (text.length > MAX_QUERY_LENGTH) {
    throw new AppError(
      'invalid_request',
      `The search text is too long (at most ${MAX_QUERY_LENGTH} characters).`,
    );
  }
  return text;
}

function encodeCursor(position: MemberPagePosition): string {
  return Buffer.from(JSON.stringify([position.sortName, position.id])).toString('base64url');
}

function decodeCursor(cursor: string): MemberPagePosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 2 ||
    typeof decoded[0] !== 'string' ||
    decoded[0].length > 500 ||
    hasUnstorableText(decoded[0]) ||
    typeof decoded[1] !== 'string' ||
    !isUuid(decoded[1])
  ) {
    throw new AppError(
      'invalid_request',
      'That page cursor is not valid: start from the first page.',
    );
  }
  return { sortName: decoded[0], id: decoded[1] };
}

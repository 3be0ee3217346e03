import type { Actor } from '#src/domain/authorization.ts';
import type { TeamSummary } from '#src/domain/contracts/members.contract.ts';
import { looksLikeSecret } from '#src/domain/audit/audit-chain.ts';
import { AppError } from '#src/domain/errors.ts';
import { assertCanManageMembers } from '#src/domain/member-actions.ts';
import { hasUnstorableText } from '#src/domain/text.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import {
  auditRefusal,
  isUuid,
  resolveActor,
  type SyncContext,
} from '#src/services/sync/sync-support.ts';

export interface TeamDeps {
  uow: UnitOfWork;
}

export type TeamContext = SyncContext;

/** A team with its member count: the contract's TeamSummary. */
export type Team = TeamSummary;

type TeamAuditAction = 'team.create' | 'team.rename' | 'team.delete';

/** The teams table's own limit (teams.name: 1 to 120 characters once trimmed). */
const MAX_TEAM_NAME_LENGTH = 120;
const TEAM_NOT_FOUND = 'That team was not found.';

/**
 * Creates a team in the actor's organization (admins; SPEC §4 "manage teams"). A name already
 * used by a team of the organization, ignoring case, is `team_name_taken`.
 */
export async function createTeam(
  deps: TeamDeps,
  context: TeamContext,
  input: { name: string },
): Promise<Team> {
  try {
    return await deps.uow.transaction(async (repos) => {
      const actor = await resolveActor(repos, context.actorId);
      assertCanManageMembers(actor);
      const name = teamName(input.name);
      await assertNameFree(repos, actor, name);
      const team = await repos.teams.create(actor.organizationId, name);
      if (!team) throw nameTaken(name);
      await auditTeam(repos, context, actor, 'team.create', team.id, { name: auditable(name) });
      return { ...team, memberCount: 0 };
    });
  } catch (error) {
    return auditTeamRefusal(deps, context, 'team.create', error);
  }
}

/** Renames a team of the actor's organization (admins); the same name rules as creating. */
export async function renameTeam(
  deps: TeamDeps,
  context: TeamContext,
  teamId: string,
  input: { name: string },
): Promise<Team> {
  try {
    return await deps.uow.transaction(async (repos) => {
      const actor = await resolveActor(repos, context.actorId);
      assertCanManageMembers(actor);
      const team = await lockTeamOrThrow(repos, actor, teamId);
      const name = teamName(input.name);
      if (name === team.name) return team;
      await assertNameFree(repos, actor, name, team.id);
      const renamed = await renameOrTaken(repos, actor, team.id, name);
      await auditTeam(repos, context, actor, 'team.rename', team.id, {
        from: auditable(team.name),
        to: auditable(renamed.name),
      });
      return { ...renamed, memberCount: team.memberCount };
    });
  } catch (error) {
    return auditTeamRefusal(deps, context, 'team.rename', error, teamId);
  }
}

/**
 * Deletes a team of the actor's organization (admins). Its members stay in the organization
 * with their dashboards; only their membership of this team goes (someone on no other team is
 * then listed under "No team").
 */
export async function deleteTeam(
  deps: TeamDeps,
  context: TeamContext,
  teamId: string,
): Promise<{ id: string; membersRemoved: number }> {
  try {
    return await deps.uow.transaction(async (repos) => {
      const actor = await resolveActor(repos, context.actorId);
      assertCanManageMembers(actor);
      const team = await lockTeamOrThrow(repos, actor, teamId);
      const deleted = await repos.teams.delete(actor.organizationId, team.id);
      if (!deleted) throw new Error(`team ${team.id} vanished under its row lock`);
      await auditTeam(repos, context, actor, 'team.delete', team.id, {
        name: auditable(team.name),
        membersRemoved: team.memberCount,
      });
      return { id: team.id, membersRemoved: team.memberCount };
    });
  } catch (error) {
    return auditTeamRefusal(deps, context, 'team.delete', error, teamId);
  }
}

// --- internals ---------------------------------------------------------------------------------

/** The name as stored: trimmed, 1–120 characters, text the database can store. */
function teamName(input: unknown): string {
  if (typeof input !== 'string') throw new AppError('invalid_request', 'Give the team a name.');
  const name = input.trim().replace(/\s+/g, ' ');
  if (name.length === 0) throw new AppError('invalid_request', 'Give the team a name.');
  if (name.length > MAX_TEAM_NAME_LENGTH) {
    throw new AppError(
      'invalid_request',
      `A team name can be at most ${MAX_TEAM_NAME_LENGTH} characters.`,
    );
  }
  if (hasUnstorableText(name)) {
    throw new AppError('invalid_request', 'The team name contains characters that cannot be used.');
  }
  return name;
}

function nameTaken(name: string): AppError {
  return new AppError(
    'team_name_taken',
    `Your organization already has a team called "${name}". Pick another name.`,
  );
}

async function assertNameFree(
  repos: Repositories,
  actor: Actor,
  name: string,
  exceptTeamId?: string,
): Promise<void> {
  const existing = await repos.teams.findByNameIgnoringCase(
    actor.organizationId,
    name,
    exceptTeamId,
  );
  if (existing) throw nameTaken(existing.name);
}

/** A concurrent rename to the same name loses to the unique constraint: `team_name_taken`. */
async function renameOrTaken(
  repos: Repositories,
  actor: Actor,
  teamId: string,
  name: string,
): Promise<{ id: string; name: string }> {
  try {
    const renamed = await repos.teams.rename(actor.organizationId, teamId, name);
    if (!renamed) throw new Error(`team ${teamId} vanished under its row lock`);
    return renamed;
  } catch (error) {
    if (isUniqueViolation(error, 'teams_organization_name_key')) throw nameTaken(name);
    throw error;
  }
}

/** A team of the actor's organization, locked; another organization's team is not found. */
async function lockTeamOrThrow(repos: Repositories, actor: Actor, teamId: string): Promise<Team> {
  const team = isUuid(teamId)
    ? await repos.teams.lockInOrganization(actor.organizationId, teamId)
    : undefined;
  if (!team) throw new AppError('not_found', TEAM_NOT_FOUND);
  return team;
}

/**
 * A team name in an audit entry, unless it reads like a credential (the audit log refuses those,
 * SPEC §7): then only the fact that it was withheld.
 */
function auditable(name: string): string | { withheld: true } {
  return looksLikeSecret(name) ? { withheld: true } : name;
}

async function auditTeam(
  repos: Repositories,
  context: TeamContext,
  actor: Actor,
  action: TeamAuditAction,
  teamId: string,
  details: Record<string, unknown>,
): Promise<void> {
  await appendAudit(repos, {
    organizationId: actor.organizationId,
    actorId: actor.id,
    targetId: null,
    action,
    outcome: 'applied',
    categories: [],
    details: { teamId, ...details },
    requestId: context.requestId ?? null,
  });
}

/** The refusal's audit entry, naming the team only when it is the actor's organization's. */
async function auditTeamRefusal(
  deps: TeamDeps,
  context: TeamContext,
  action: TeamAuditAction,
  error: unknown,
  teamId?: string,
): Promise<never> {
  if (!(error instanceof AppError)) throw error;
  const actor = await deps.uow.read.users.findById(context.actorId);
  const team =
    actor && teamId !== undefined && isUuid(teamId)
      ? await deps.uow.read.members.findTeam(actor.organization_id, teamId)
      : undefined;
  return auditRefusal(
    deps.uow,
    context,
    action,
    [],
    '',
    error,
    team === undefined ? {} : { teamId: team.id },
  );
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  return (
    e.code === '23505' &&
    (e.constraint === constraint ||
      (typeof e.message === 'string' && e.message.includes(constraint)))
  );
}

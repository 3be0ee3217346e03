import { can, type Actor } from '#src/domain/authorization.ts';
import { AppError } from '#src/domain/errors.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';

/** What the Admin member table's per-row action menu can offer (SPEC §3, §4). */
export const MEMBER_ACTIONS = [
  'sync_crm',
  'sync_settings',
  'promote_to_admin',
  'demote_to_member',
  'deactivate',
  'reactivate',
  'remove_from_team',
] as const;
export type MemberAction = (typeof MEMBER_ACTIONS)[number];

/** The part of a member row the menu depends on. */
export interface MemberActionTarget {
  id: string;
  role: Role;
  status: UserStatus;
}

/**
 * Whether `actor` may manage (role, access, teams) or sync to `target` at all: never the primary
 * admin's row (SPEC §3: "never for the primary admin's row") and never the actor's own row.
 */
function isOtherNonPrimary(actor: Actor, target: MemberActionTarget): boolean {
  return target.role !== 'primary_admin' && target.id !== actor.id;
}

/**
 * The actions the menu offers `actor` on `row`, in a fixed order. The server enforces the same
 * rules in each use case (SPEC §3: hiding a button is not access control); this only decides what
 * to show. Sync actions are shown for members without a dashboard too (the sync then answers
 * `dashboard_missing`, which the UI explains), but not for deactivated users, whose access is off.
 */
export function actionsFor(actor: Actor, row: MemberActionTarget): MemberAction[] {
  if (!isOtherNonPrimary(actor, row)) return [];
  const actions: MemberAction[] = [];
  if (can(actor, 'sync:run') && row.status !== 'deactivated') {
    actions.push('sync_crm', 'sync_settings');
  }
  if (can(actor, 'members:manage')) {
    actions.push(row.role === 'member' ? 'promote_to_admin' : 'demote_to_member');
    actions.push(row.status === 'deactivated' ? 'reactivate' : 'deactivate');
    actions.push('remove_from_team');
  }
  return actions;
}

/** A user as found in the actor's organization; undefined when not found there. */
export interface ManagedUser extends MemberActionTarget {
  organizationId: string;
}

/**
 * SPEC §4 for member management (role, status, team membership), in this order: the actor must be
 * an active admin (`forbidden`); the user must be in the actor's organization (`target_not_found`,
 * never saying whether it exists elsewhere); it must not be the primary admin nor the actor
 * (`forbidden`). Throws the AppError; returns the user otherwise.
 */
export function authorizeMemberManagement<T extends ManagedUser>(
  actor: Actor,
  target: T | undefined,
): T {
  assertCanManageMembers(actor);
  if (!target || target.organizationId !== actor.organizationId) {
    throw new AppError(
      'target_not_found',
      'That user was not found in your organization. Confirm the user is provisioned in the same organization.',
    );
  }
  if (target.role === 'primary_admin') {
    throw new AppError(
      'forbidden',
      "The primary admin's role, access and teams can't be changed by another admin.",
    );
  }
  if (target.id === actor.id) {
    throw new AppError(
      'forbidden',
      "You can't change your own role, access or teams: ask another admin.",
    );
  }
  return target;
}

/** The first check of every member-management use case. */
export function assertCanManageMembers(actor: Actor): void {
  if (!can(actor, 'members:manage')) {
    throw new AppError(
      'forbidden',
      'Only an active admin of this organization can manage members.',
    );
  }
}

/**
 * `invited` becomes `active` only through setup completion (SPEC §1), which creates the
 * dashboard: an admin can neither activate an invited user nor reactivate one who never set up.
 */
export function assertCanActivate(target: { status: UserStatus; hasDashboard: boolean }): void {
  if (target.status === 'invited' || !target.hasDashboard) {
    throw new AppError(
      'setup_incomplete',
      "This user hasn't finished setting up their account; they become active when they complete setup.",
    );
  }
}

import { AppError } from '#src/domain/errors.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';

/** What a role may do (SPEC §4), as data. */
export const CAPABILITIES = [
  'sync:run',
  'sync:read',
  'sync:revert',
  'members:manage',
  'settings:own',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const CAPABILITIES_BY_ROLE = {
  primary_admin: ['sync:run', 'sync:read', 'sync:revert', 'members:manage', 'settings:own'],
  admin: ['sync:run', 'sync:read', 'sync:revert', 'members:manage', 'settings:own'],
  member: ['settings:own'],
} as const satisfies Record<Role, readonly Capability[]>;

/** The user acting, as loaded from the database for this request. */
export interface Actor {
  id: string;
  organizationId: string;
  role: Role;
  status: UserStatus;
}

/** The user an admin action is aimed at; undefined when not found in the actor's organization. */
export interface TargetUser {
  id: string;
  organizationId: string;
  role: Role;
  status: UserStatus;
  hasDashboard: boolean;
}

export function can(actor: Actor, capability: Capability): boolean {
  return (
    actor.status === 'active' &&
    (CAPABILITIES_BY_ROLE[actor.role] as readonly Capability[]).includes(capability)
  );
}

/**
 * SPEC §4–§5, in this order: the actor must be an active admin (`forbidden`); the target must be
 * in the actor's organization (`target_not_found`, which never says whether the user exists
 * elsewhere); the target must not be the primary admin nor the actor (`forbidden`); and it must
 * have a dashboard (`dashboard_missing`). Throws the AppError; returns the target otherwise.
 */
export function authorizeMemberAction(
  actor: Actor,
  capability: Capability,
  target: TargetUser | undefined,
  options: { requireDashboard: boolean } = { requireDashboard: true },
): TargetUser {
  if (!can(actor, capability)) {
    throw new AppError('forbidden', 'Only an active admin of this organization can do this.');
  }
  if (!target || target.organizationId !== actor.organizationId) {
    throw new AppError(
      'target_not_found',
      'That user was not found in your organization. Confirm the user is provisioned in the same organization.',
    );
  }
  if (target.role === 'primary_admin') {
    throw new AppError('forbidden', "The primary admin's settings can't be overwritten by a sync.");
  }
  if (target.id === actor.id) {
    throw new AppError('forbidden', 'You cannot sync to yourself: pick another member.');
  }
  if (target.status === 'deactivated') {
    throw new AppError(
      'forbidden',
      "This user's access is turned off: reactivate them before syncing.",
    );
  }
  if (options.requireDashboard && !target.hasDashboard) {
    throw new AppError(
      'dashboard_missing',
      "This user hasn't finished setup yet, so settings can't be pushed. The account may need provisioning or setup completion.",
    );
  }
  return target;
}

import { can } from '#src/domain/authorization.ts';
import { AppError } from '#src/domain/errors.ts';
import type { PrimaryAdminTransfer } from '#src/domain/contracts/members.contract.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import type { MemberContext, MemberDeps } from '#src/services/members/member.service.ts';
import { auditRefusal, isUuid, resolveActor } from '#src/services/sync/sync-support.ts';

export type { PrimaryAdminTransfer };

const NOT_FOUND =
  'That user was not found in your organization. Confirm the user is provisioned in the same organization.';

/**
 * Hands the primary admin role to another active admin or member of the organization (SPEC §1:
 * exactly one primary admin). Only the primary admin may, and in one transaction: they become a
 * secondary `admin`, the target becomes `primary_admin`, and the change is audited. Both rows are
 * locked first (the actor's, then the target's), so two transfers at once take turns and the
 * second finds the actor no longer primary admin.
 */
export async function transferPrimaryAdmin(
  deps: MemberDeps,
  context: MemberContext,
  userId: string,
): Promise<PrimaryAdminTransfer> {
  try {
    return await deps.uow.transaction(async (repos) => {
      const actor = await resolveActor(repos, context.actorId);
      if (!can(actor, 'members:manage')) {
        throw new AppError(
          'forbidden',
          'Only an active admin of this organization can manage members.',
        );
      }
      const self = await repos.members.lockUserInOrganization(actor.organizationId, actor.id);
      if (self?.role !== 'primary_admin' || self.status !== 'active') {
        throw new AppError(
          'forbidden',
          'Only the primary admin can hand over the primary admin role.',
        );
      }
      if (userId === actor.id) {
        throw new AppError(
          'invalid_request',
          'You are already the primary admin: pick someone else.',
        );
      }
      const target = isUuid(userId)
        ? await repos.users.findInOrganization(actor.organizationId, userId)
        : undefined;
      const locked = target
        ? await repos.members.lockUserInOrganization(actor.organizationId, target.id)
        : undefined;
      if (!target || !locked) throw new AppError('target_not_found', NOT_FOUND);
      if (locked.status === 'invited' || !locked.hasDashboard) {
        throw new AppError(
          'setup_incomplete',
          `${target.name} hasn't finished setting up their account yet: the primary admin role can go only to someone who has.`,
        );
      }
      if (locked.status === 'deactivated') {
        throw new AppError(
          'forbidden',
          `${target.name}'s access is turned off: reactivate them before making them the primary admin.`,
        );
      }
      const handedOver = await repos.members.handOverPrimaryAdmin(
        actor.organizationId,
        actor.id,
        target.id,
      );
      if (!handedOver) throw new Error('the primary admin role moved under its row locks');
      await appendAudit(repos, {
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId: target.id,
        action: 'organization.primary_admin_transfer',
        outcome: 'applied',
        categories: [],
        details: {
          role: { from: locked.role, to: 'primary_admin' },
          previousPrimaryAdmin: { id: actor.id, role: { from: 'primary_admin', to: 'admin' } },
        },
        requestId: context.requestId ?? null,
      });
      return {
        primaryAdmin: {
          id: target.id,
          name: target.name,
          email: target.email,
          role: 'primary_admin',
        },
        previousPrimaryAdmin: { id: actor.id, role: 'admin' },
      };
    });
  } catch (error) {
    return auditRefusal(
      deps.uow,
      context,
      'organization.primary_admin_transfer',
      [],
      userId,
      error,
    );
  }
}

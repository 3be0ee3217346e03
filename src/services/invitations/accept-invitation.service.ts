import {
  pushToArrivingMember,
  type FollowPushDeps,
} from '#src/services/policies/follow.service.ts';
import type { InvitationPreview } from '#src/domain/contracts/invitations.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import { startSession, type AuthDeps, type Session } from '#src/services/auth/auth.service.ts';
import { hashPassword } from '#src/services/auth/password.ts';
import { invitationTokenHash } from '#src/services/invitations/invitation-token.ts';
import { assertAcceptablePassword } from '#src/services/invitations/password-policy.ts';

export interface AcceptDeps extends FollowPushDeps {
  uow: UnitOfWork;
  /** How the session is started (the same as a login). */
  auth: Pick<AuthDeps, 'uow' | 'sessionPolicy' | 'now'>;
  now?: () => Date;
}

/** Unknown, used, revoked and expired links all read the same: nothing to learn from a guess. */
const EXPIRED = new AppError(
  'invite_expired',
  'This invitation link has expired or was already used. Ask an admin of your organization to send a new invitation.',
);

function expired(): AppError {
  return new AppError(EXPIRED.code, EXPIRED.message);
}

/** The invitation behind a link's token, or `invite_expired` (public: the token is the proof). */
export async function describeInvitation(
  deps: Pick<AcceptDeps, 'uow' | 'now'>,
  token: string,
): Promise<InvitationPreview> {
  const now = (deps.now ?? (() => new Date()))();
  const invitation = await deps.uow.read.invitations.findOpenByTokenHash(
    invitationTokenHash(token),
    now,
  );
  if (!invitation) throw expired();
  return {
    email: invitation.email,
    name: invitation.name,
    organizationName: invitation.organizationName,
  };
}

/**
 * Setup completion (SPEC §1, issue 13): the invitation's user sets a password (the rules of
 * password-policy.ts), and in one transaction gets a dashboard (every category at its default,
 * as a dashboard is created everywhere: no category set yet), the status `active`, the
 * invitation marked accepted (single use) and the audit entry `invitation.accepted`; then a
 * session starts exactly as a login's. A refused password changes nothing; a link used, revoked
 * or expired meanwhile answers `invite_expired`.
 */
export async function acceptInvitation(
  deps: AcceptDeps,
  token: string,
  input: { password: string; ip: string; userAgent?: string | null; requestId?: string | null },
): Promise<Session> {
  const now = (deps.now ?? (() => new Date()))();
  const tokenHash = invitationTokenHash(token);
  const found = await deps.uow.read.invitations.findOpenByTokenHash(tokenHash, now);
  if (!found) throw expired();
  assertAcceptablePassword(input.password, {
    email: found.email,
    organizationName: found.organizationName,
  });
  // Hash outside the transaction: argon2 is deliberately slow and needs no database.
  const passwordHash = await hashPassword(input.password);
  const { user, start } = await deps.uow.transaction(async (repos) => {
    // Locked, and checked again: of two acceptances of one link, the second finds it used.
    const invitation = await repos.invitations.findOpenByTokenHash(tokenHash, now, { lock: true });
    if (!invitation) throw expired();
    const activated = await repos.invitations.activateInvitedUser(
      invitation.organizationId,
      invitation.userId,
      passwordHash,
    );
    if (!activated) throw expired();
    const dashboardCreated = !(await repos.dashboards.find(invitation.userId));
    if (dashboardCreated) {
      await repos.dashboards.create(invitation.userId, invitation.organizationId);
    }
    if (!(await repos.invitations.markAccepted(invitation.organizationId, invitation.id, now))) {
      throw expired();
    }
    await appendAudit(
      repos,
      {
        organizationId: invitation.organizationId,
        actorId: invitation.userId,
        targetId: invitation.userId,
        action: 'invitation.accepted',
        outcome: 'applied',
        categories: [],
        details: { dashboardCreated },
        requestId: input.requestId ?? null,
      },
      now,
    );
    const row = await repos.users.findInOrganization(invitation.organizationId, invitation.userId);
    if (!row) throw new Error(`user ${invitation.userId} vanished during setup completion`);
    // Setup completion brings the categories the new member's teams follow (issue 16).
    const pushed = await pushToArrivingMember(
      repos,
      deps,
      { requestId: input.requestId ?? null },
      row.id,
    );
    return { user: row, start: pushed.start };
  });
  start();
  return startSession(
    deps.auth,
    {
      id: user.id,
      organizationId: user.organization_id,
      email: user.email,
      name: user.name,
      role: user.role,
      status: user.status,
    },
    input,
  );
}

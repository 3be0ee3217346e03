import { z } from 'zod';
import type {
  ResentInvitation,
  SentInvitation,
} from '#src/domain/contracts/invitations.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import type { Actor } from '#src/domain/authorization.ts';
import { assertCanManageMembers, authorizeMemberManagement } from '#src/domain/member-actions.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import {
  auditRefusal,
  isUuid,
  resolveActor,
  type SyncContext,
} from '#src/services/sync/sync-support.ts';
import type { Mailer } from '#src/services/mail/mailer.ts';
import {
  INVITATION_LIFETIME_MS,
  invitationLink,
  newInvitationToken,
} from '#src/services/invitations/invitation-token.ts';
import { invitationMail } from '#src/services/invitations/invitation-mail.ts';

/** The one thing the delivery logs through (pino's `info`). */
export interface InvitationLogger {
  info(details: Record<string, unknown>, message: string): void;
}

/** One user to provision as `invited` (an admin's invitation, or a SCIM create). */
export interface InvitedUserInput {
  email: string;
  name: string;
  role: 'member' | 'admin';
  teamIds: string[];
  scimExternalId?: string;
}

export interface CreatedInvitation {
  userId: string;
  email: string;
  /** The link's token: for the mail only, never stored, logged or audited. */
  token: string;
  expiresAt: Date;
}

export const EMAIL_TAKEN_MESSAGE = 'That email already has an Ergo account.';
const TEAM_NOT_FOUND = 'That team was not found in your organization.';
const MAX_EMAIL_LENGTH = 320;
const MAX_NAME_LENGTH = 200;

const emailSchema = z.email();

/** A normalized, valid email address, or the AppError saying what is wrong. */
export function normalizeEmail(input: string): string {
  const email = input.trim().toLowerCase();
  if (
    email.length === 0 ||
    email.length > MAX_EMAIL_LENGTH ||
    !emailSchema.safeParse(email).success
  ) {
    throw new AppError('invalid_request', `"${input.slice(0, 100)}" is not a valid email address.`);
  }
  return email;
}

function normalizeName(input: string): string {
  const name = input.trim();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new AppError('invalid_request', `A name needs 1 to ${MAX_NAME_LENGTH} characters.`);
  }
  return name;
}

/**
 * Provisions users as `invited` (no password, no dashboard: Sync Settings answers
 * `dashboard_missing` until setup completion, SPEC §1), with their team memberships and one open
 * invitation each (a random token stored as its SHA-256, valid 7 days). Runs inside the caller's
 * transaction and audits nothing itself: the caller audits its use case. Set-based: a fixed
 * number of statements whatever the number of users.
 *
 * Refusals: an email used by any user of any organization → `email_taken` (never naming the
 * organization); `primary_admin` or another role → `invalid_request`; a team that is not the
 * organization's → `not_found`; a malformed email or name → `invalid_request`.
 */
export async function createInvitedUsers(
  repos: Repositories,
  input: {
    organizationId: string;
    invitedBy: string | null;
    users: InvitedUserInput[];
    now?: Date;
  },
): Promise<CreatedInvitation[]> {
  const now = input.now ?? new Date();
  const users = input.users.map((user) => {
    const role: string = user.role;
    if (role !== 'member' && role !== 'admin') {
      throw new AppError(
        'invalid_request',
        role === 'primary_admin'
          ? 'Nobody can be invited as primary admin: invite them as an admin, then transfer the primary admin role.'
          : 'An invited user can only be a "member" or an "admin".',
      );
    }
    return {
      ...user,
      role: role === 'admin' ? ('admin' as const) : ('member' as const),
      email: normalizeEmail(user.email),
      name: normalizeName(user.name),
      teamIds: [...new Set(user.teamIds)],
    };
  });
  if (users.length === 0) return [];
  if (new Set(users.map((u) => u.email)).size !== users.length) {
    throw new AppError('invalid_request', 'The same email appears twice in one request.');
  }

  const taken = await repos.invitations.findTakenEmails(users.map((u) => u.email));
  if (taken.length > 0) throw new AppError('email_taken', EMAIL_TAKEN_MESSAGE);

  const teamIds = [...new Set(users.flatMap((u) => u.teamIds))];
  const uuid = z.uuid();
  if (teamIds.some((id) => !uuid.safeParse(id).success)) {
    throw new AppError('not_found', TEAM_NOT_FOUND);
  }
  const found = new Set(
    await repos.invitations.findTeamIdsInOrganization(input.organizationId, teamIds),
  );
  if (teamIds.some((id) => !found.has(id))) throw new AppError('not_found', TEAM_NOT_FOUND);

  let inserted;
  try {
    inserted = await repos.users.insertMany(
      users.map((u) => ({
        organization_id: input.organizationId,
        email: u.email,
        name: u.name,
        role: u.role,
        status: 'invited' as const,
        password_hash: null,
        scim_external_id: u.scimExternalId ?? null,
      })),
    );
  } catch (error) {
    // Another request took the email between the check and the insert.
    if (isUniqueViolation(error, 'users_email_key')) {
      throw new AppError('email_taken', EMAIL_TAKEN_MESSAGE);
    }
    // The same for an identity provider's id (SCIM externalId): SCIM's 409 `uniqueness`.
    if (isUniqueViolation(error, 'users_scim_external_id_key')) {
      throw new AppError(
        'invalid_request',
        'That externalId is already linked to another user of this organization.',
        { scimType: 'uniqueness' },
      );
    }
    throw error;
  }
  const idByEmail = new Map(inserted.map((u) => [u.email, u.id]));
  const userIdOf = (email: string): string => {
    const id = idByEmail.get(email);
    if (id === undefined) throw new Error(`inserted user ${email} was not returned`);
    return id;
  };

  await repos.teams.addMembers(
    input.organizationId,
    users.flatMap((u) => u.teamIds.map((teamId) => ({ teamId, userId: userIdOf(u.email) }))),
  );

  const tokens = users.map((u) => ({
    email: u.email,
    userId: userIdOf(u.email),
    ...newInvitationToken(),
  }));
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_MS);
  await repos.invitations.insertMany(
    tokens.map((t) => ({
      organizationId: input.organizationId,
      userId: t.userId,
      tokenHash: t.tokenHash,
      expiresAt,
      invitedBy: input.invitedBy,
      now,
    })),
  );
  return tokens.map((t) => ({ userId: t.userId, email: t.email, token: t.token, expiresAt }));
}

/** One invitation mail to send after the transaction that created (or renewed) it committed. */
export interface InvitationDelivery {
  email: string;
  name: string;
  token: string;
  organizationName: string;
  inviterName: string | null;
  organizationId?: string;
}

/**
 * Sends invitation mails (after commit: a rolled-back invitation sends nothing). The log names
 * the recipient, and for the outbox where to read it, never the token or the link. A failed
 * send is logged and rethrown after the others were tried.
 */
export async function deliverInvitations(
  deps: { mailer: Mailer; publicUrl: string; logger?: InvitationLogger },
  invitations: InvitationDelivery[],
): Promise<void> {
  let failure: Error | undefined;
  for (const invitation of invitations) {
    const link = invitationLink(deps.publicUrl, invitation.token);
    try {
      await deps.mailer.send({
        ...invitationMail({ ...invitation, link }),
        to: invitation.email,
        ...(invitation.organizationId === undefined
          ? {}
          : { organizationId: invitation.organizationId }),
      });
      deps.logger?.info(
        deps.mailer.kind === 'outbox'
          ? { to: invitation.email, outbox: '/dev/outbox' }
          : { to: invitation.email },
        deps.mailer.kind === 'outbox'
          ? `invitation sent to ${invitation.email} (no SMTP configured: read it at /dev/outbox)`
          : `invitation sent to ${invitation.email}`,
      );
    } catch (error) {
      failure ??= error instanceof Error ? error : new Error('the invitation mail was not sent');
      deps.logger?.info(
        { to: invitation.email, reason: error instanceof Error ? error.message : 'unknown' },
        `invitation to ${invitation.email} could not be sent`,
      );
    }
  }
  if (failure !== undefined) throw failure;
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

export interface InvitationDeps {
  uow: UnitOfWork;
  mailer: Mailer;
  /** The origin the link is built on (`ERGO_PUBLIC_URL`, else the request's own). */
  publicUrl: string;
  logger?: InvitationLogger;
  now?: () => Date;
}

/** Delivers after commit; a failed send is reported, not thrown (the change is committed). */
async function deliverAfterCommit(
  deps: InvitationDeps,
  delivery: InvitationDelivery,
): Promise<boolean> {
  try {
    await deliverInvitations(deps, [delivery]);
    return true;
  } catch {
    return false;
  }
}

/**
 * An admin invites one person by email (issue 13): an `invited` user on the chosen teams with an
 * open invitation, audited `invitation.created`, then the mail is sent after commit. Refusals
 * (audited `refused`): not an active admin → `forbidden`; see createInvitedUsers for the rest.
 */
export async function inviteMember(
  deps: InvitationDeps,
  context: SyncContext,
  input: InvitedUserInput,
): Promise<SentInvitation> {
  const now = (deps.now ?? (() => new Date()))();
  let created: { invitation: CreatedInvitation; delivery: InvitationDelivery };
  try {
    created = await deps.uow.transaction(async (repos) => {
      const actor = await resolveActor(repos, context.actorId);
      assertCanManageMembers(actor);
      const [invitation] = await createInvitedUsers(repos, {
        organizationId: actor.organizationId,
        invitedBy: actor.id,
        users: [input],
        now,
      });
      if (!invitation) throw new Error('no invitation was created');
      await appendAudit(
        repos,
        {
          organizationId: actor.organizationId,
          actorId: actor.id,
          targetId: invitation.userId,
          action: 'invitation.created',
          outcome: 'applied',
          categories: [],
          details: { role: input.role, teamIds: [...new Set(input.teamIds)] },
          requestId: context.requestId ?? null,
        },
        now,
      );
      return {
        invitation,
        delivery: await deliveryOf(repos, actor, invitation.userId, invitation.token),
      };
    });
  } catch (error) {
    return auditRefusal(deps.uow, context, 'invitation.created', [], '', error, {
      role: typeof input.role === 'string' ? input.role.slice(0, 20) : null,
    });
  }
  const mailSent = await deliverAfterCommit(deps, created.delivery);
  return {
    userId: created.invitation.userId,
    email: created.invitation.email,
    status: 'invited',
    expiresAt: created.invitation.expiresAt,
    mailSent,
  };
}

/**
 * Sends a member who has not finished setup a new link (issue 13): a new token (the old link
 * stops working) and a new 7-day expiry, `sent_count` + 1, audited `invitation.resent`. After a
 * revoke, a fresh invitation is opened. Refused for a user who is not `invited`
 * (`invalid_request`), and as every member-management action (SPEC §4).
 */
export async function resendInvitation(
  deps: InvitationDeps,
  context: SyncContext,
  userId: string,
): Promise<ResentInvitation> {
  const now = (deps.now ?? (() => new Date()))();
  let result: { userId: string; expiresAt: Date; sentCount: number; delivery: InvitationDelivery };
  try {
    result = await deps.uow.transaction(async (repos) => {
      const { actor, target } = await authorizeInvitationChange(repos, context, userId);
      const { token, tokenHash } = newInvitationToken();
      const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_MS);
      const open = await repos.invitations.lockOpenForUser(actor.organizationId, target.id);
      const renewed = open
        ? await repos.invitations.replaceToken(actor.organizationId, open.id, {
            tokenHash,
            expiresAt,
            now,
          })
        : (
            await repos.invitations.insertMany([
              {
                organizationId: actor.organizationId,
                userId: target.id,
                tokenHash,
                expiresAt,
                invitedBy: actor.id,
                now,
              },
            ])
          ).map((i) => ({ ...i, sentCount: 1 }))[0];
      if (!renewed) throw new Error(`the invitation of ${target.id} vanished under its lock`);
      await appendAudit(
        repos,
        {
          organizationId: actor.organizationId,
          actorId: actor.id,
          targetId: target.id,
          action: 'invitation.resent',
          outcome: 'applied',
          categories: [],
          details: { sentCount: renewed.sentCount, reopened: open === undefined },
          requestId: context.requestId ?? null,
        },
        now,
      );
      return {
        userId: target.id,
        expiresAt: renewed.expiresAt,
        sentCount: renewed.sentCount,
        delivery: await deliveryOf(repos, actor, target.id, token),
      };
    });
  } catch (error) {
    return auditRefusal(deps.uow, context, 'invitation.resent', [], userId, error);
  }
  const mailSent = await deliverAfterCommit(deps, result.delivery);
  return {
    userId: result.userId,
    expiresAt: result.expiresAt,
    sentCount: result.sentCount,
    mailSent,
  };
}

/**
 * Revokes a member's open invitation (issue 13): its link stops working; the user stays
 * `invited` (an admin may resend, or deactivate them). Audited `invitation.revoked`. No open
 * invitation → `not_found`.
 */
export async function revokeInvitation(
  deps: Pick<InvitationDeps, 'uow' | 'now'>,
  context: SyncContext,
  userId: string,
): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  try {
    await deps.uow.transaction(async (repos) => {
      const { actor, target } = await authorizeInvitationChange(repos, context, userId);
      const revoked = await repos.invitations.revokeOpenForUser(
        actor.organizationId,
        target.id,
        now,
      );
      if (!revoked) {
        throw new AppError('not_found', 'This member has no open invitation to revoke.');
      }
      await appendAudit(
        repos,
        {
          organizationId: actor.organizationId,
          actorId: actor.id,
          targetId: target.id,
          action: 'invitation.revoked',
          outcome: 'applied',
          categories: [],
          details: {},
          requestId: context.requestId ?? null,
        },
        now,
      );
    });
  } catch (error) {
    return auditRefusal(deps.uow, context, 'invitation.revoked', [], userId, error);
  }
}

/** Member management's access rule (SPEC §4) and the target still `invited`, its row locked. */
async function authorizeInvitationChange(
  repos: Repositories,
  context: SyncContext,
  userId: string,
): Promise<{ actor: Actor; target: { id: string } }> {
  const actor = await resolveActor(repos, context.actorId);
  assertCanManageMembers(actor);
  const target = authorizeMemberManagement(
    actor,
    isUuid(userId)
      ? await repos.members.lockUserInOrganization(actor.organizationId, userId)
      : undefined,
  );
  if (target.status !== 'invited') {
    throw new AppError(
      'invalid_request',
      target.status === 'active'
        ? 'This member has already finished setting up their account: there is no invitation to send or revoke.'
        : "This user's access is turned off: reactivate them before sending an invitation.",
    );
  }
  return { actor, target };
}

/** The mail's values for one invited user of the actor's organization. */
async function deliveryOf(
  repos: Repositories,
  actor: Actor,
  userId: string,
  token: string,
): Promise<InvitationDelivery> {
  const [organization, user, inviter] = await Promise.all([
    repos.organizations.findById(actor.organizationId),
    repos.users.findInOrganization(actor.organizationId, userId),
    repos.users.findInOrganization(actor.organizationId, actor.id),
  ]);
  if (!organization || !user) throw new Error(`invited user ${userId} not found`);
  return {
    email: user.email,
    name: user.name,
    token,
    organizationName: organization.name,
    inviterName: inviter?.name ?? null,
    organizationId: actor.organizationId,
  };
}

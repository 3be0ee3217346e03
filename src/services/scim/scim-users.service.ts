import type { FollowPushDeps } from '#src/services/policies/follow.service.ts';
import { AppError } from '#src/domain/errors.ts';
import type { UserStatus } from '#src/domain/roles.ts';
import type { ScimUserRow } from '#src/repositories/scim-token.repository.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import {
  createInvitedUsers,
  deliverInvitations,
  EMAIL_TAKEN_MESSAGE,
  normalizeEmail,
  type InvitationLogger,
} from '#src/services/invitations/invitation.service.ts';
import type { Mailer } from '#src/services/mail/mailer.ts';
import {
  nameParts,
  paging,
  parseEqFilter,
  patchOperations,
  scimBoolean,
  scimError,
  scimString,
  SCHEMA,
  listResponse,
  userResource,
} from '#src/services/scim/scim-protocol.ts';
import { isUuid } from '#src/services/sync/sync-support.ts';

export interface ScimDeps extends FollowPushDeps {
  uow: UnitOfWork;
  /** Unset (some tests): the invited user and their invitation are created, no mail is sent. */
  mailer?: Mailer;
  /** Where invitation links point: the public origin, else the SCIM request's own origin. */
  publicUrl?: string;
  logger?: InvitationLogger & { warn(details: Record<string, unknown>, message: string): void };
  now?: () => Date;
}

/** Which organization a SCIM request acts for, and through which token (for the audit). */
export interface ScimContext {
  organizationId: string;
  scimClientId: string;
  scimClientName: string;
  requestId: string | null;
  /** `<origin>/scim/v2`: resource locations are built on it. */
  baseUrl: string;
}

/** What a SCIM request asks to change on a user; undefined: leave as is. */
interface UserChange {
  /** The login: wins over `email` (from `emails`) when both are given. */
  userName?: string;
  email?: string;
  displayName?: string;
  formatted?: string;
  givenName?: string;
  familyName?: string;
  externalId?: string | null;
  active?: boolean;
}

const USER_NOT_FOUND = 'No User with that id in this organization.';
const MAX_EXTERNAL_ID_LENGTH = 500;

export async function getScimUser(deps: ScimDeps, context: ScimContext, userId: string) {
  const row = isUuid(userId)
    ? await deps.uow.read.scimTokens.findUser(context.organizationId, userId)
    : undefined;
  if (!row) throw scimError('not_found', undefined, USER_NOT_FOUND);
  return userResource(row, context.baseUrl);
}

/**
 * The organization's users, a page at a time (RFC 7644 §3.4.2), optionally filtered by
 * `userName eq "…"` (case-insensitive: it is the email) or `externalId eq "…"`.
 */
export async function listScimUsers(
  deps: ScimDeps,
  context: ScimContext,
  query: { filter?: string; startIndex?: string; count?: string },
) {
  const page = paging(query);
  const filter =
    query.filter === undefined || query.filter.trim() === ''
      ? undefined
      : parseEqFilter(query.filter, ['userName', 'externalId'], SCHEMA.user);
  const { total, rows } = await deps.uow.read.scimTokens.listUsers(context.organizationId, {
    ...(filter
      ? {
          filter: { attribute: filter.attribute as 'userName' | 'externalId', value: filter.value },
        }
      : {}),
    offset: page.offset,
    limit: page.limit,
  });
  return listResponse(
    rows.map((row) => userResource(row, context.baseUrl)),
    total,
    page.startIndex,
  );
}

/**
 * Provisions a user from the identity provider: an `invited` member with an open invitation,
 * through the one invitation implementation (createInvitedUsers), then the invitation mail
 * after commit. `userName` is the email; a taken email (any organization) → 409 uniqueness.
 */
export async function createScimUser(deps: ScimDeps, context: ScimContext, body: unknown) {
  const change = userAttributes(asObject(body, 'The User'));
  if (change.userName === undefined) {
    throw scimError('invalid_request', 'invalidValue', 'userName (the email address) is required.');
  }
  const email = scimEmail(change.userName);
  const name = resolveName(change, undefined) ?? email.slice(0, email.indexOf('@'));
  const externalId = change.externalId ?? undefined;
  const now = deps.now?.() ?? new Date();
  const created = await deps.uow.transaction(async (repos) => {
    if (externalId !== undefined) {
      await assertExternalIdFree(repos, context, checkedExternalId(externalId), undefined);
    }
    const [invitation] = await createInvitedUsers(repos, {
      organizationId: context.organizationId,
      invitedBy: null,
      users: [
        {
          email,
          name,
          role: 'member',
          teamIds: [],
          ...(externalId === undefined ? {} : { scimExternalId: externalId }),
        },
      ],
      now,
    });
    if (!invitation) throw new Error('createInvitedUsers returned no invitation');
    const deactivated = change.active === false;
    if (deactivated) {
      await repos.members.updateRoleAndStatus(context.organizationId, invitation.userId, {
        status: 'deactivated',
      });
    }
    await appendAudit(
      repos,
      {
        organizationId: context.organizationId,
        actorId: null,
        targetId: invitation.userId,
        action: 'scim.user_created',
        outcome: 'applied',
        categories: [],
        details: {
          ...scimDetails(context),
          status: deactivated ? 'deactivated' : 'invited',
          externalId: externalId ?? null,
        },
        requestId: context.requestId,
      },
      now,
    );
    const organization = await repos.organizations.findById(context.organizationId);
    return { invitation, deactivated, organizationName: organization?.name ?? 'your organization' };
  });
  // A deactivated user gets no mail; without a mailer (some tests) the invitation exists unsent.
  if (!created.deactivated && deps.mailer) {
    // The user and their invitation are committed: a mail that fails to send is logged and the
    // create still succeeds (an admin can resend the invitation); answering 500 here would make
    // the identity provider retry into a 409.
    await deliverInvitations(
      {
        mailer: deps.mailer,
        publicUrl: deps.publicUrl ?? new URL(context.baseUrl).origin,
        ...(deps.logger ? { logger: deps.logger } : {}),
      },
      [
        {
          email,
          name,
          token: created.invitation.token,
          organizationName: created.organizationName,
          inviterName: context.scimClientName,
          organizationId: context.organizationId,
        },
      ],
    ).catch((error: unknown) => {
      deps.logger?.warn(
        { userId: created.invitation.userId, reason: (error as Error).message },
        'invitation mail for a SCIM-created user was not sent',
      );
    });
  }
  return getScimUser(deps, context, created.invitation.userId);
}

/** PUT: the user's attributes as given (an attribute left out is left as it is). */
export async function replaceScimUser(
  deps: ScimDeps,
  context: ScimContext,
  userId: string,
  body: unknown,
) {
  const change = userAttributes(asObject(body, 'The User'));
  if (change.userName === undefined) {
    throw scimError('invalid_request', 'invalidValue', 'userName (the email address) is required.');
  }
  return changeUser(deps, context, userId, () => change);
}

/**
 * PATCH (RFC 7644 §3.5.2): Okta's `replace` with `{ value: { active: false } }`, Entra ID's
 * `"op": "Replace"` with `path: "active"` and `"False"`, and name, displayName, emails, userName,
 * externalId by path or in a value object. Attributes Ergo does not keep (title, phone numbers,
 * the enterprise extension…) are accepted and ignored.
 */
export async function patchScimUser(
  deps: ScimDeps,
  context: ScimContext,
  userId: string,
  body: unknown,
) {
  const operations = patchOperations(body, SCHEMA.user);
  return changeUser(deps, context, userId, () => {
    const change: UserChange = {};
    for (const operation of operations) {
      if (operation.path === undefined) {
        Object.assign(change, userAttributes(asObject(operation.value, 'The operation value')));
        continue;
      }
      if (operation.op === 'remove') {
        if (operation.path === 'externalid') change.externalId = null;
        else if (isKeptUserPath(operation.path)) {
          throw scimError(
            'invalid_request',
            'mutability',
            `"${operation.rawPath ?? ''}" can't be removed from a User; replace it instead.`,
          );
        }
        continue;
      }
      Object.assign(change, userAttributes({ [operation.rawPath ?? '']: operation.value }));
    }
    return change;
  });
}

/**
 * DELETE: Ergo never deletes a member (their history stays); the user is deactivated instead,
 * their sessions ended. Never the primary admin.
 */
export async function deleteScimUser(deps: ScimDeps, context: ScimContext, userId: string) {
  await changeUser(deps, context, userId, () => ({ active: false }), 'scim.user_deleted');
}

// --- internals ---------------------------------------------------------------------------------

/**
 * Applies a change to one user of the organization in one transaction, under the user's row
 * lock: profile fields, then access. `active: false` deactivates and ends every session (as
 * updateMember does); `active: true` restores access: `active` when setup was completed,
 * `invited` otherwise (SPEC §1: only setup completion makes an invited user active).
 */
async function changeUser(
  deps: ScimDeps,
  context: ScimContext,
  userId: string,
  changeOf: () => UserChange,
  action: 'scim.user_updated' | 'scim.user_deleted' = 'scim.user_updated',
) {
  const change = changeOf();
  const now = deps.now?.() ?? new Date();
  await deps.uow.transaction(async (repos) => {
    const target = isUuid(userId)
      ? await repos.members.lockUserInOrganization(context.organizationId, userId)
      : undefined;
    const current = target && (await repos.scimTokens.findUser(context.organizationId, userId));
    if (!target || !current) throw scimError('not_found', undefined, USER_NOT_FOUND);
    const isPrimary = target.role === 'primary_admin';

    const profile: { email?: string; name?: string; externalId?: string | null } = {};
    const requestedEmail = change.userName ?? change.email;
    if (requestedEmail !== undefined) {
      const email = scimEmail(requestedEmail);
      if (email !== current.email) {
        if (isPrimary) {
          throw scimError(
            'forbidden',
            'mutability',
            "The primary admin's email can't be changed through SCIM: they change it in Ergo.",
          );
        }
        const holder = await repos.users.findByEmail(email);
        if (holder && holder.id !== current.id)
          throw new AppError('email_taken', EMAIL_TAKEN_MESSAGE);
        profile.email = email;
      }
    }
    const name = resolveName(change, current);
    if (name !== undefined && name !== current.name) profile.name = name;
    if (change.externalId !== undefined && change.externalId !== current.externalId) {
      const externalId = change.externalId === null ? null : checkedExternalId(change.externalId);
      if (externalId !== null) await assertExternalIdFree(repos, context, externalId, current.id);
      profile.externalId = externalId;
    }

    let status: { from: UserStatus; to: UserStatus } | undefined;
    if (change.active === false && target.status !== 'deactivated') {
      if (isPrimary) {
        throw scimError(
          'forbidden',
          'mutability',
          "The primary admin can't be deactivated or deleted: transfer the primary admin role in Ergo first.",
        );
      }
      status = { from: target.status, to: 'deactivated' };
    } else if (change.active === true && target.status === 'deactivated') {
      status = { from: target.status, to: target.hasDashboard ? 'active' : 'invited' };
    }

    const changed = Object.keys(profile);
    if (changed.length === 0 && status === undefined) return;
    if (changed.length > 0) {
      await repos.scimTokens.updateProfile(context.organizationId, current.id, profile);
    }
    if (status) {
      await repos.members.updateRoleAndStatus(context.organizationId, current.id, {
        status: status.to,
      });
      if (status.to === 'deactivated') await repos.sessions.deleteForUser(current.id);
    }
    await appendAudit(
      repos,
      {
        organizationId: context.organizationId,
        actorId: null,
        targetId: current.id,
        action,
        outcome: 'applied',
        categories: [],
        details: {
          ...scimDetails(context),
          changed,
          ...(status ? { status } : {}),
          sessionsEnded: status?.to === 'deactivated',
        },
        requestId: context.requestId,
      },
      now,
    );
  });
  return getScimUser(deps, context, userId);
}

/** What audit entries of SCIM changes say about who made them (never the token itself). */
export function scimDetails(context: ScimContext): Record<string, unknown> {
  return { via: 'scim', scimClientId: context.scimClientId };
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw scimError('invalid_request', 'invalidSyntax', `${what} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

const KEPT_USER_PATHS = new Set([
  'active',
  'username',
  'displayname',
  'name',
  'name.givenname',
  'name.familyname',
  'name.formatted',
  'emails',
]);

function isKeptUserPath(path: string): boolean {
  return KEPT_USER_PATHS.has(path) || path.startsWith('emails[');
}

/**
 * The attributes Ergo keeps, read from a User object or a PATCH value (keys in any case, the core
 * schema's URN prefix allowed, dotted sub-attributes such as "name.givenName" too).
 */
function userAttributes(input: Record<string, unknown>): UserChange {
  const change: UserChange = {};
  const prefix = `${SCHEMA.user}:`.toLowerCase();
  for (const [rawKey, value] of Object.entries(input)) {
    let key = rawKey.trim().toLowerCase();
    if (key.startsWith(prefix)) key = key.slice(prefix.length);
    if (key === 'username') change.userName = scimString(value, 'userName');
    else if (key === 'displayname') change.displayName = scimString(value, 'displayName');
    else if (key === 'active') change.active = scimBoolean(value, 'active');
    else if (key === 'externalid') {
      change.externalId = value === null || value === '' ? null : scimString(value, 'externalId');
    } else if (key === 'name') {
      if (value === null) continue;
      const name = asObject(value, '"name"');
      for (const [part, partValue] of Object.entries(name)) {
        assignNamePart(change, part.toLowerCase(), partValue);
      }
    } else if (key.startsWith('name.')) assignNamePart(change, key.slice(5), value);
    else if (key === 'emails') {
      const email = primaryEmail(value);
      if (email !== undefined) change.email = email;
    } else if (key.startsWith('emails[')) {
      // Entra ID: emails[type eq "work"].value → the address.
      if (key.endsWith('.value') || key.endsWith(']')) {
        const email = typeof value === 'string' ? value : primaryEmail(value);
        if (email !== undefined) change.email = email;
      }
    }
    // Anything else (title, locale, phoneNumbers, the enterprise extension, groups, id, meta…)
    // is not kept by Ergo and is ignored.
  }
  return change;
}

function assignNamePart(change: UserChange, part: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (part === 'givenname') change.givenName = scimString(value, 'name.givenName');
  else if (part === 'familyname') change.familyName = scimString(value, 'name.familyName');
  else if (part === 'formatted') change.formatted = scimString(value, 'name.formatted');
}

function primaryEmail(value: unknown): string | undefined {
  const items = Array.isArray(value) ? value : [value];
  const emails = items.filter(
    (item): item is { value: string; primary?: unknown; type?: unknown } =>
      typeof (item as { value?: unknown } | null)?.value === 'string',
  );
  const chosen =
    emails.find((e) => e.primary === true || e.primary === 'true' || e.primary === 'True') ??
    emails.find((e) => typeof e.type === 'string' && e.type.toLowerCase() === 'work') ??
    emails[0];
  return chosen?.value;
}

/**
 * Ergo keeps one name: displayName when given, else name.formatted, else the given and family
 * names joined (a part not given keeps its current value). Undefined: no name in the change.
 */
function resolveName(change: UserChange, current: ScimUserRow | undefined): string | undefined {
  const pick = (value: string | undefined) =>
    value !== undefined && value.trim() !== '' ? value.trim() : undefined;
  const chosen = pick(change.displayName) ?? pick(change.formatted);
  let name = chosen;
  if (name === undefined && (change.givenName !== undefined || change.familyName !== undefined)) {
    const parts = current ? nameParts(current.name) : { givenName: '', familyName: '' };
    name = pick(`${change.givenName ?? parts.givenName} ${change.familyName ?? parts.familyName}`);
  }
  if (name !== undefined && name.length > 200) {
    throw scimError('invalid_request', 'invalidValue', 'A name can have at most 200 characters.');
  }
  return name;
}

function scimEmail(userName: string): string {
  try {
    return normalizeEmail(userName);
  } catch {
    throw scimError(
      'invalid_request',
      'invalidValue',
      "userName must be the user's email address (Ergo members log in with their email).",
    );
  }
}

function checkedExternalId(externalId: string): string {
  if (externalId.length > MAX_EXTERNAL_ID_LENGTH) {
    throw scimError(
      'invalid_request',
      'invalidValue',
      `externalId can have at most ${MAX_EXTERNAL_ID_LENGTH} characters.`,
    );
  }
  return externalId;
}

async function assertExternalIdFree(
  repos: Repositories,
  context: ScimContext,
  externalId: string,
  exceptUserId: string | undefined,
): Promise<void> {
  const holder = await repos.scimTokens.findUserIdByExternalId(context.organizationId, externalId);
  if (holder !== undefined && holder !== exceptUserId) {
    throw scimError(
      'invalid_request',
      'uniqueness',
      'Another User of this organization already has that externalId.',
    );
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '#src/domain/errors.ts';
import { assertCanManageMembers } from '#src/domain/member-actions.ts';
import type { CreatedScimToken, ScimTokenSummary } from '#src/domain/contracts/scim.contract.ts';
import type { ScimTokenOwner } from '#src/repositories/scim-token.repository.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import {
  actorOf,
  isUuid,
  resolveActor,
  type SyncContext,
} from '#src/services/sync/sync-support.ts';

export interface ScimTokenDeps {
  uow: UnitOfWork;
  now?: () => Date;
}

/** Every SCIM token starts so: recognisable in a secret scanner or a pasted config. */
export const SCIM_TOKEN_PREFIX = 'ergo_scim_';
const MAX_NAME_LENGTH = 100;
const NOT_FOUND = 'That SCIM token was not found in your organization.';

/** The stored form of a SCIM token: SHA-256 hex, like sessions and invitations. */
export function scimTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Creates a SCIM token for the actor's organization (admins). The token is returned once, here,
 * and stored only as its hash with its last 4 characters as a hint; the audit names its id.
 */
export async function createScimToken(
  deps: ScimTokenDeps,
  context: SyncContext,
  input: { name: string },
): Promise<CreatedScimToken> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new AppError(
      'invalid_request',
      `A SCIM token's name needs 1 to ${MAX_NAME_LENGTH} characters (e.g. "Okta").`,
    );
  }
  const token = `${SCIM_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return deps.uow.transaction(async (repos) => {
    const actor = await resolveActor(repos, context.actorId);
    assertCanManageMembers(actor);
    const created = await repos.scimTokens.create({
      organizationId: actor.organizationId,
      name,
      tokenHash: scimTokenHash(token),
      tokenHint: token.slice(-4),
      createdBy: actor.id,
    });
    await appendAudit(repos, {
      organizationId: actor.organizationId,
      actorId: actor.id,
      targetId: null,
      action: 'scim_token.created',
      outcome: 'applied',
      categories: [],
      details: { scimClientId: created.id, name },
      requestId: context.requestId ?? null,
    });
    return { ...created, token };
  });
}

/** The organization's SCIM tokens, newest first, without the tokens (admins). */
export async function listScimTokens(
  deps: ScimTokenDeps,
  context: SyncContext,
): Promise<ScimTokenSummary[]> {
  const actor = await actorOf(deps.uow.read, context);
  assertCanManageMembers(actor);
  return deps.uow.read.scimTokens.listByOrganization(actor.organizationId);
}

/** Revokes a SCIM token (admins): it stops working at once. Revoking twice changes nothing. */
export async function revokeScimToken(
  deps: ScimTokenDeps,
  context: SyncContext,
  tokenId: string,
): Promise<void> {
  await deps.uow.transaction(async (repos) => {
    const actor = await resolveActor(repos, context.actorId);
    assertCanManageMembers(actor);
    const found = isUuid(tokenId)
      ? await repos.scimTokens.findInOrganization(actor.organizationId, tokenId)
      : undefined;
    if (!found) throw new AppError('not_found', NOT_FOUND);
    if (found.revokedAt !== null) return;
    const now = deps.now?.() ?? new Date();
    await repos.scimTokens.revoke(actor.organizationId, found.id, now);
    await appendAudit(
      repos,
      {
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId: null,
        action: 'scim_token.revoked',
        outcome: 'applied',
        categories: [],
        details: { scimClientId: found.id, name: found.name },
        requestId: context.requestId ?? null,
      },
      now,
    );
  });
}

/**
 * The organization a SCIM request acts for, from its `Authorization: Bearer <token>` header;
 * `unauthenticated` when missing, unknown or revoked. Use is recorded at most once a minute.
 */
export async function authenticateScimToken(
  deps: ScimTokenDeps,
  authorization: string | undefined,
): Promise<ScimTokenOwner> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const token = match?.[1];
  const owner =
    token && token.length <= 200
      ? await deps.uow.read.scimTokens.findActiveByHash(scimTokenHash(token))
      : undefined;
  if (!owner) {
    throw new AppError(
      'unauthenticated',
      'A valid SCIM token is required: send "Authorization: Bearer <token>" with a token an admin created in the console (it may have been revoked).',
    );
  }
  await deps.uow.read.scimTokens.touch(owner.id, deps.now?.() ?? new Date());
  return owner;
}

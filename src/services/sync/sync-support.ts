import {
  authorizeMemberAction,
  type Actor,
  type Capability,
  type TargetUser,
} from '#src/domain/authorization.ts';
import { CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import { AppError } from '#src/domain/errors.ts';
import type { AuditEntryInput } from '#src/domain/audit/audit-chain.ts';
import type { ValueCategoryKey } from '#src/domain/settings/categories.ts';
import type { StoredCrmConnection } from '#src/repositories/crm-connection.repository.ts';
import type { RowTable, StoredRow } from '#src/repositories/dashboard-rows.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import type { IdempotencyGuard } from '#src/services/idempotency/idempotency.service.ts';

/** Who is acting and on which request: what every sync use case takes. */
export interface SyncContext {
  actorId: string;
  /**
   * The acting user as this request's session lookup just read them (role, status). Read-only
   * use cases may use it rather than read the user again (`actorOf`); a use case that writes
   * resolves the actor inside its transaction.
   */
  actor?: Actor;
  /**
   * The actor's organization's member list version, read with the actor (ADR 0015): a member
   * page kept under this version is current.
   */
  memberListVersion?: string;
  requestId?: string | null;
  /** Present when the request carries an Idempotency-Key: complete it with the effect. */
  idempotency?: IdempotencyGuard;
  /** Set by a bulk run's worker: the history entries belong to that run. */
  bulkRunId?: string | null;
}

export interface TargetMember extends TargetUser {
  email: string;
  name: string;
}

/** Loads the acting user fresh from the database (a deactivated admin is refused at once). */
export async function resolveActor(repos: Repositories, actorId: string): Promise<Actor> {
  const user = await repos.users.findById(actorId);
  if (!user)
    throw new AppError('forbidden', 'Only an active admin of this organization can do this.');
  return {
    id: user.id,
    organizationId: user.organization_id,
    role: user.role,
    status: user.status,
  };
}

/** For read-only use cases: the actor the request's session resolved, else read now. */
export async function actorOf(repos: Repositories, context: SyncContext): Promise<Actor> {
  if (context.actor && context.actor.id === context.actorId) return context.actor;
  return resolveActor(repos, context.actorId);
}

/** Authorization first (SPEC §4): returns the actor and the target, or throws the AppError. */
export async function authorizeSync(
  repos: Repositories,
  context: SyncContext,
  targetUserId: string,
  capability: Capability,
): Promise<{ actor: Actor; target: TargetMember }> {
  const actor = await resolveActor(repos, context.actorId);
  const row = isUuid(targetUserId)
    ? await repos.users.findMemberWithDashboard(actor.organizationId, targetUserId)
    : undefined;
  const target = row && {
    id: row.id,
    organizationId: row.organization_id,
    role: row.role,
    status: row.status,
    hasDashboard: row.has_dashboard,
    email: row.email,
    name: row.name,
  };
  authorizeMemberAction(actor, capability, target);
  return { actor, target: target as TargetMember };
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/**
 * Appends the audit entry of a refused attempt in its own transaction and rethrows. The entry
 * belongs to the actor's organization, and names a target only when that user is in the same
 * organization: a refusal never stores (or reveals) another organization's ids.
 */
export async function auditRefusal(
  uow: UnitOfWork,
  context: SyncContext,
  action: string,
  categories: readonly string[],
  targetUserId: string,
  error: unknown,
  details: Record<string, unknown> = {},
): Promise<never> {
  if (error instanceof AppError) {
    const actor = await uow.read.users.findById(context.actorId);
    if (actor) {
      const target = isUuid(targetUserId)
        ? await uow.read.users.findInOrganization(actor.organization_id, targetUserId)
        : undefined;
      await uow.transaction((repos) =>
        appendAudit(repos, {
          organizationId: actor.organization_id,
          actorId: actor.id,
          targetId: target?.id ?? null,
          action,
          outcome: 'refused',
          categories: [...categories],
          details: { code: error.code, ...details },
          requestId: context.requestId ?? null,
        }),
      );
    }
  }
  throw error;
}

/** Records a failed attempt (after the sync's own transaction rolled back), then rethrows. */
export async function recordFailure(
  uow: UnitOfWork,
  entry: Omit<AuditEntryInput, 'outcome' | 'details'> & { sourceUserId: string | null },
  action: 'sync_crm' | 'sync_settings' | 'revert',
  error: unknown,
): Promise<never> {
  const code = error instanceof AppError ? error.code : 'internal';
  try {
    await uow.transaction(async (repos) => {
      await repos.syncRuns.insert({
        organizationId: entry.organizationId,
        actorId: entry.actorId ?? '',
        targetId: entry.targetId,
        sourceUserId: entry.sourceUserId,
        action,
        categories: entry.categories,
        status: 'failed',
        result: { error: code },
        errorCode: code,
        requestId: entry.requestId,
      });
      await appendAudit(repos, {
        organizationId: entry.organizationId,
        actorId: entry.actorId,
        targetId: entry.targetId,
        action: entry.action,
        outcome: 'failed',
        categories: entry.categories,
        details: { code },
        requestId: entry.requestId,
      });
    });
  } catch {
    // The database may be what failed; the original error is the one worth reporting.
  }
  throw error;
}

/**
 * A stored CRM connection as JSON for a snapshot: still sealed (SPEC §7). A pasted key carries
 * its sealed secrets; an OAuth connection only its grant's id (ADR 0014).
 */
export type SealedConnectionJson = {
  crm: CrmKey;
  secretHint: string;
  instance: Record<string, unknown>;
  fingerprint?: string | null;
} & (
  | { keyId: string; nonce: string; ciphertext: string; authTag: string; grantId?: undefined }
  | { grantId: string; keyId?: undefined }
);

export function sealedToJson(c: StoredCrmConnection): SealedConnectionJson {
  const common = {
    crm: c.crm,
    secretHint: c.secretHint,
    instance: c.instance,
    fingerprint: c.fingerprint,
  };
  if (c.sealed === null) {
    if (c.grantId === null) throw new Error('a CRM connection has neither secrets nor a grant');
    return { ...common, grantId: c.grantId };
  }
  return {
    ...common,
    keyId: c.sealed.keyId,
    nonce: Buffer.from(c.sealed.nonce).toString('base64'),
    ciphertext: Buffer.from(c.sealed.ciphertext).toString('base64'),
    authTag: Buffer.from(c.sealed.authTag).toString('base64'),
  };
}

export function sealedFromJson(
  userId: string,
  c: SealedConnectionJson,
): Omit<StoredCrmConnection, 'updatedAt'> {
  return {
    userId,
    crm: c.crm,
    sealed:
      c.keyId === undefined
        ? null
        : {
            keyId: c.keyId,
            nonce: Buffer.from(c.nonce, 'base64'),
            ciphertext: Buffer.from(c.ciphertext, 'base64'),
            authTag: Buffer.from(c.authTag, 'base64'),
          },
    grantId: c.keyId === undefined ? c.grantId : null,
    secretHint: c.secretHint,
    instance: c.instance,
    fingerprint: c.fingerprint ?? null,
  };
}

/** The previous state of one category, kept with a sync for undo. */
export type CategorySnapshot =
  | { category: ValueCategoryKey; isSet: boolean; value: unknown }
  | {
      /** Row-stored categories: only the rows the sync changed (their previous versions) and
       * the rows it added, so the snapshot's size follows the change, not the list. */
      category: 'custom_properties' | 'pipeline_stages';
      isSet: boolean;
      rows: Partial<Record<RowTable, { previous: StoredRow[]; added: StoredRow[] }>>;
    }
  | { category: 'crm_keys'; isSet: boolean; connections: SealedConnectionJson[] };

export function crmList(crms: readonly CrmKey[]): string {
  return crms.map((c) => CRM_LABELS[c]).join(', ');
}

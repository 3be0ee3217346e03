import type {
  CrmOwnerStepResult,
  CrmStepFailure,
  SyncCrmProgress,
  SyncCrmResult,
} from '#src/domain/contracts/sync.contract.ts';
import type { Actor } from '#src/domain/authorization.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import type { Repositories } from '#src/repositories/repositories.ts';
import {
  loadDashboards,
  loadDashboardValues,
  type LoadedCategory,
} from '#src/services/settings/settings-store.ts';
import { CRM_KEYS, CRM_LABELS, type CrmFailureCode, type CrmKey } from '#src/domain/crm.ts';
import { crmFailureSentence } from '#src/domain/crm-failure-text.ts';
import { AppError } from '#src/domain/errors.ts';
import type { CategoryValue } from '#src/domain/settings/categories.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import type { CrmConnector } from '#src/integrations/crm/crm-connector.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';
import { applySyncPlans, planSync } from '#src/services/sync/sync-engine.ts';
import { appendAudit, appendAuditMany } from '#src/services/audit/audit.service.ts';
import {
  inProcessAccountLock,
  type AccountLock,
} from '#src/services/crm-connections/account-lock.ts';
import {
  callWithRefresh,
  openCrmAccess,
  type CrmAccess,
  type GrantDeps,
  type OAuthProviders,
} from '#src/services/crm-connections/crm-grants.service.ts';
import { crmAccountKey } from '#src/services/crm-connections/rate-budget.ts';
import {
  auditRefusal,
  authorizeSync,
  crmList,
  recordFailure,
  sealedToJson,
  type CategorySnapshot,
  type SyncContext,
  type TargetMember,
} from '#src/services/sync/sync-support.ts';
import type { SyncDeps } from '#src/services/sync/sync-settings.service.ts';

/** Builds a connector for one set of decrypted credentials (base URLs come from config). */
export type ConnectorFactory = (credentials: CrmCredentials) => CrmConnector;

export interface SyncCrmDeps extends SyncDeps {
  connectorFor: ConnectorFactory;
  /** One owner-property write at a time per CRM account (default: within this process). */
  accountLock?: AccountLock;
  /** The OAuth clients that refresh grants (ADR 0014); a CRM without one cannot refresh. */
  oauth?: OAuthProviders;
  /** This process's refreshes in flight (default: one map per process; see GrantDeps). */
  inFlight?: GrantDeps['inFlight'];
}

export type { CrmOwnerStepResult, CrmStepFailure, SyncCrmResult };

/** The owner field's name as recorded in the member's custom properties, per CRM. */
const OWNER_PROPERTY_NAME = {
  hubspot: 'assistant_owner',
  salesforce: 'Assistant_Owner__c',
  zoho: 'Assistant_Owner',
  attio: 'assistant_owner',
  pipedrive: 'assistant_owner',
} as const satisfies Record<CrmKey, string>;

/**
 * Sync CRM (SPEC §3): copies every CRM key of the organization admin (whoever acts) to the
 * target, then ensures the target's CRM owner properties. The keys are committed first: a
 * CRM-side failure never loses them, it is reported per CRM and the step can be re-run alone.
 */
export async function syncCrm(
  deps: SyncCrmDeps,
  context: SyncContext,
  targetUserId: string,
  options: {
    /** Told once the keys are committed, then as each CRM's owner-property step finishes. */
    onProgress?: (event: SyncCrmProgress) => void;
  } = {},
): Promise<SyncCrmResult> {
  const { uow, keyring } = deps;
  let target: TargetMember;
  try {
    target = (await authorizeSync(uow.read, context, targetUserId, 'sync:run')).target;
  } catch (error) {
    return auditRefusal(uow, context, 'sync_crm', ['crm_keys'], targetUserId, error);
  }
  let committed: { syncId: string; copied: CrmKey[] };
  try {
    committed = await uow.transaction(async (repos) => {
      const { actor } = await authorizeSync(repos, context, target.id, 'sync:run');
      await repos.dashboards.lockForUpdate(target.id);
      // With an Idempotency-Key, only the request holding it copies. Its answer is stored after
      // the CRM step (CRM calls stay outside transactions); a retry after a crash in between
      // re-runs Sync CRM, which SPEC §3 makes idempotent: the same keys, nothing created twice.
      await context.idempotency?.fence(repos);
      const [copy] = await copyCrmKeys(repos, keyring, actor, [target.id], {
        requestId: context.requestId ?? null,
        bulkRunId: context.bulkRunId ?? null,
      });
      if (!copy) throw new Error('the key copy returned no entry');
      return copy;
    });
  } catch (error) {
    if (error instanceof AppError)
      return auditRefusal(uow, context, 'sync_crm', ['crm_keys'], target.id, error);
    return recordFailure(
      uow,
      {
        organizationId: target.organizationId,
        actorId: context.actorId,
        targetId: target.id,
        action: 'sync_crm',
        categories: ['crm_keys'],
        requestId: context.requestId ?? null,
        sourceUserId: null,
      },
      'sync_crm',
      error,
    );
  }
  options.onProgress?.({
    type: 'copied',
    syncId: committed.syncId,
    copied: committed.copied,
    message: copiedMessage(committed.copied),
  });
  const crms = await runOwnerPropertyStep(
    deps,
    context,
    target,
    committed.copied,
    committed.syncId,
    (step) => options.onProgress?.({ type: 'crm', step }),
  );
  return {
    syncId: committed.syncId,
    targetUserId: target.id,
    status: crms.some(ownerStepFailed) ? 'partial' : 'applied',
    copied: committed.copied,
    message: copiedMessage(committed.copied),
    crms,
  };
}

export interface CrmKeyCopy {
  targetId: string;
  /** The history entry of this member's Sync CRM. */
  syncId: string;
  copied: CrmKey[];
}

/**
 * Sync CRM's key copy for any number of targets, authorized and locked by the caller, in the
 * caller's transaction and a fixed number of statements (the single action and every batch of
 * a bulk run): the CRM keys rule of SPEC §2 (the sync engine's) from the organization admin,
 * keys that already match neither re-sealed nor written; one history entry and one audit entry
 * per target. The owner-property step is `runOwnerPropertyStep`, after the commit.
 */
export async function copyCrmKeys(
  repos: Repositories,
  keyring: Keyring,
  actor: Actor,
  targetIds: readonly string[],
  meta: { requestId: string | null; bulkRunId: string | null },
): Promise<CrmKeyCopy[]> {
  if (targetIds.length === 0) return [];
  const source = await repos.users.findPrimaryAdmin(actor.organizationId);
  const sourceConnections = source ? await repos.crmConnections.listForUser(source.id) : [];
  const [targetConnections, dashboards] = await Promise.all([
    repos.crmConnections.listForUsers(targetIds),
    loadDashboards(repos, targetIds, ['custom_properties']),
  ]);
  const copied = sourceConnections.map((c) => c.crm);
  let versionsAfter = new Map<string, Record<string, number>>();
  const changed = new Set<string>();
  if (source && sourceConnections.length > 0) {
    const plans = await planSync(repos, keyring, {
      sourceId: source.id,
      targetIds,
      categories: ['crm_keys'],
    });
    versionsAfter = await applySyncPlans(repos, source.id, plans);
    for (const plan of plans) if (plan.changed) changed.add(plan.targetId);
  }
  const runs = await repos.syncRuns.insertMany(
    targetIds.map((targetId) => {
      const dashboard = dashboards.get(targetId);
      const properties = propertiesSnapshot(dashboard?.values.get('custom_properties'));
      const snapshot: CategorySnapshot[] = [
        {
          category: 'crm_keys',
          isSet: dashboard?.versions.has('crm_keys') ?? false,
          connections: targetConnections.filter((c) => c.userId === targetId).map(sealedToJson),
        },
        properties.snapshot,
      ];
      return {
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId,
        sourceUserId: source?.id ?? null,
        action: 'sync_crm' as const,
        categories: ['crm_keys'],
        status: 'applied' as const,
        result: {
          copied,
          // Whether the keys copied differ from the member's (a re-run changes nothing).
          changed: changed.has(targetId),
          message: copiedMessage(copied),
          crms: [],
          versionsAfter: {
            crm_keys: dashboard?.versions.get('crm_keys') ?? 0,
            custom_properties: properties.version,
            ...versionsAfter.get(targetId),
          },
        },
        snapshot,
        requestId: meta.requestId,
        bulkRunId: meta.bulkRunId,
      };
    }),
  );
  await appendAuditMany(
    repos,
    actor.organizationId,
    runs.map((run) => ({
      organizationId: actor.organizationId,
      actorId: actor.id,
      targetId: run.targetId,
      action: 'sync_crm',
      outcome: 'applied',
      categories: ['crm_keys'],
      details: {
        syncId: run.id,
        copied,
        ...(meta.bulkRunId === null ? {} : { bulkRunId: meta.bulkRunId }),
      },
      requestId: meta.requestId,
    })),
  );
  return runs.map((run) => ({ targetId: run.targetId ?? '', syncId: run.id, copied }));
}

/**
 * Re-runs only the owner-property step for every CRM the target has keys for (after a CRM-side
 * failure). Recorded in the history with the custom properties it may change, so it can be undone.
 */
export async function syncCrmOwnerProperties(
  deps: SyncCrmDeps,
  context: SyncContext,
  targetUserId: string,
): Promise<SyncCrmResult> {
  const { uow } = deps;
  let target: TargetMember;
  try {
    target = (await authorizeSync(uow.read, context, targetUserId, 'sync:run')).target;
  } catch (error) {
    return auditRefusal(
      uow,
      context,
      'sync_crm.owner_properties',
      ['custom_properties'],
      targetUserId,
      error,
    );
  }
  const run = await uow.transaction(async (repos) => {
    const { actor } = await authorizeSync(repos, context, target.id, 'sync:run');
    const properties = propertiesSnapshot(
      (await loadDashboardValues(repos, target.id, ['custom_properties'])).get('custom_properties'),
    );
    return repos.syncRuns.insert({
      organizationId: actor.organizationId,
      actorId: actor.id,
      targetId: target.id,
      sourceUserId: null,
      action: 'sync_crm',
      categories: ['custom_properties'],
      status: 'applied',
      result: {
        ownerPropertiesOnly: true,
        crms: [],
        versionsAfter: { custom_properties: properties.version },
      },
      snapshot: [properties.snapshot],
      requestId: context.requestId ?? null,
    });
  });
  const crms = (await uow.read.crmConnections.listForUser(target.id)).map((c) => c.crm);
  const results = await runOwnerPropertyStep(deps, context, target, crms, run.id);
  const message =
    crms.length === 0
      ? 'The member has no CRM keys: run Sync CRM first.'
      : `Checked owner properties for ${crmList(crms)}.`;
  return {
    syncId: run.id,
    targetUserId: target.id,
    status: results.some(ownerStepFailed) ? 'partial' : 'applied',
    copied: [],
    message,
    crms: results,
  };
}

/** The member's custom properties before the owner-property step, for undo and its version check. */
function propertiesSnapshot(loaded: LoadedCategory | undefined): {
  snapshot: CategorySnapshot;
  version: number;
} {
  return {
    snapshot: {
      category: 'custom_properties',
      isSet: loaded?.isSet ?? false,
      value: loaded?.value,
    },
    version: loaded?.version ?? 0,
  };
}

function copiedMessage(copied: readonly CrmKey[]): string {
  return copied.length === 0
    ? 'The organization admin has no CRM keys, so there was nothing to copy.'
    : `Copied CRM keys for ${crmList(CRM_KEYS.filter((k) => copied.includes(k)))} from the organization admin.`;
}

/** Per CRM: find the owner by email → record the owner property → ensure it in the CRM. */
export async function runOwnerPropertyStep(
  deps: SyncCrmDeps,
  context: SyncContext,
  target: TargetMember,
  crms: readonly CrmKey[],
  syncId: string,
  /** Told as each CRM's step finishes (they run side by side; the slowest decides the end). */
  onStep?: (step: CrmOwnerStepResult) => void,
): Promise<CrmOwnerStepResult[]> {
  if (crms.length === 0) return [];
  const { uow } = deps;
  const grantDeps: GrantDeps = {
    uow,
    keyring: deps.keyring,
    oauth: deps.oauth ?? {},
    ...(deps.inFlight ? { inFlight: deps.inFlight } : {}),
  };
  const accesses = await openCrmAccess(grantDeps, target.id, crms);
  const results = await Promise.all(
    accesses.map(async (a) => {
      const step =
        'failure' in a
          ? unusableConnection(a.crm, a.failure)
          : await ownerStepFor(deps, grantDeps, target, a);
      onStep?.(step);
      return step;
    }),
  );
  await uow.transaction(async (repos) => {
    await recordConnectionHealth(repos, target.id, results);
    const versions = new Map(
      (await repos.dashboards.categoryStates(target.id)).map((s) => [s.category, s.version]),
    );
    const run = await repos.syncRuns.findInOrganization(target.organizationId, syncId);
    const previous = (run?.result ?? {}) as { versionsAfter?: Record<string, number> };
    const failed = results.some(ownerStepFailed);
    await repos.syncRuns.updateResult(
      syncId,
      {
        ...previous,
        crms: results,
        versionsAfter: {
          ...previous.versionsAfter,
          // The snapshot restores custom properties, so revert must see any later change to them.
          custom_properties: versions.get('custom_properties') ?? 0,
        },
      },
      // Keys copied but some CRM's owner could not be checked: the run did not do all it set out
      // to, and the history says so (issue 14).
      failed ? 'partial' : 'applied',
    );
    await appendAudit(repos, {
      organizationId: target.organizationId,
      actorId: context.actorId,
      targetId: target.id,
      action: 'sync_crm.owner_properties',
      outcome: failed ? 'failed' : 'applied',
      categories: ['custom_properties'],
      details: {
        syncId,
        crms: Object.fromEntries(
          results.map((r) => [
            r.crm,
            {
              owner: r.owner.status,
              ownerProperty: r.ownerProperty.status,
              ...failureCodes(r),
            },
          ]),
        ),
      },
      requestId: context.requestId ?? null,
    });
  });
  return results;
}

/** The owner lookup or the owner-property write failed in that CRM: it was not checked. */
export function ownerStepFailed(result: CrmOwnerStepResult): boolean {
  return result.owner.status === 'failed' || result.ownerProperty.status === 'failed';
}

/** A connection that cannot be used at all (its grant was revoked): both steps skipped. */
function unusableConnection(crm: CrmKey, error: CrmError): CrmOwnerStepResult {
  return {
    crm,
    label: CRM_LABELS[crm],
    owner: failureOf(error, crm),
    ownerProperty: { status: 'skipped', reason: 'The owner could not be looked up.' },
  };
}

/**
 * What the step learnt about each connection's health: refused credentials (or a revoked grant)
 * → `reconnect_needed`; an owner looked up → `connected` again. Shown to admins in the member table.
 */
async function recordConnectionHealth(
  repos: Repositories,
  targetId: string,
  results: readonly CrmOwnerStepResult[],
): Promise<void> {
  for (const r of results) {
    if (r.owner.status === 'failed') {
      const code = r.owner.code;
      if (
        code === 'reconnect_needed' ||
        code === 'invalid_credentials' ||
        code === 'expired_credentials'
      ) {
        await repos.crmConnections.setStatus(targetId, r.crm, 'reconnect_needed', r.owner.reason);
      }
    } else {
      await repos.crmConnections.setStatus(targetId, r.crm, 'connected', null);
    }
  }
}

async function ownerStepFor(
  deps: SyncCrmDeps,
  grantDeps: GrantDeps,
  target: TargetMember,
  access: CrmAccess,
): Promise<CrmOwnerStepResult> {
  const crm = access.crm;
  const base = { crm, label: CRM_LABELS[crm] };
  const call = <T>(fn: (connector: CrmConnector) => Promise<T>) =>
    callWithRefresh(grantDeps, access, deps.connectorFor, fn);
  let owner;
  try {
    owner = await call((connector) => connector.findOwnerByEmail(target.email));
  } catch (error) {
    return {
      ...base,
      owner: failureOf(error, crm),
      ownerProperty: { status: 'skipped', reason: 'The owner could not be looked up.' },
    };
  }
  if (!owner) {
    return {
      ...base,
      owner: { status: 'not_found' },
      ownerProperty: {
        status: 'skipped',
        reason: `No ${CRM_LABELS[crm]} user has the email ${target.email}.`,
      },
    };
  }
  const property: CategoryValue<'custom_properties'>['properties'][number] = {
    crm,
    object: 'deal',
    name: OWNER_PROPERTY_NAME[crm],
    label: 'Assistant owner',
    type: 'enumeration',
    options: [{ label: owner.name || owner.email, value: owner.id }],
    ownerProperty: true,
  };
  await deps.uow.transaction(async (repos) => {
    await repos.dashboards.upsertOwnerProperty(target.id, property);
    await repos.dashboards.touchCategory(target.id, 'custom_properties');
  });
  try {
    // The options are read and written back whole: one member at a time per CRM account.
    const lock = deps.accountLock ?? inProcessAccountLock;
    const ensured = await lock(crmAccountKey(deps.keyring, access.credentials), () =>
      call((connector) => connector.ensureOwnerProperty(owner)),
    );
    return {
      ...base,
      owner: { status: 'found', id: owner.id, name: owner.name },
      ownerProperty: {
        status: ensured.outcome,
        ...(ensured.detail ? { reason: ensured.detail } : {}),
      },
    };
  } catch (error) {
    return {
      ...base,
      owner: { status: 'found', id: owner.id, name: owner.name },
      ownerProperty: failureOf(error, crm),
    };
  }
}

/**
 * A failed step: the CrmError's kind as the code and a sentence a person can act on, free of
 * secrets. The rate-limit policies and the connectors' own checks already write such sentences
 * (naming the CRM, saying when to try again); a bare status line ("HubSpot answered 503 …") or a
 * transport error ("The CRM did not answer …") becomes the code's sentence, the original kept as
 * `detail` for whoever investigates.
 */
function failureOf(error: unknown, crm: CrmKey): CrmStepFailure {
  if (error instanceof CrmError) {
    const technical = `${error.message}${error.vendorCode ? ` (${error.vendorCode})` : ''}`;
    if (/^The CRM |\banswered \d{3}\b/.test(error.message)) {
      return {
        status: 'failed',
        code: error.kind,
        reason: crmFailureSentence(error.crm, error.kind, { timeoutMs: error.timeoutMs }),
        detail: technical,
      };
    }
    return { status: 'failed', code: error.kind, reason: technical };
  }
  return { status: 'failed', code: 'unexpected', reason: crmFailureSentence(crm, 'unexpected') };
}

/** The failure codes of one CRM's step, for the audit entry. */
function failureCodes(result: CrmOwnerStepResult): {
  ownerCode?: CrmFailureCode;
  ownerPropertyCode?: CrmFailureCode;
} {
  return {
    ...(result.owner.status === 'failed' ? { ownerCode: result.owner.code } : {}),
    ...(result.ownerProperty.status === 'failed'
      ? { ownerPropertyCode: result.ownerProperty.code }
      : {}),
  };
}

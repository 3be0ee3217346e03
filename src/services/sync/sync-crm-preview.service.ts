import type { SyncCrmPreview } from '#src/domain/contracts/sync.contract.ts';
import { CRM_KEYS, isCrmKey, type CrmKey } from '#src/domain/crm.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import { planSync } from '#src/services/sync/sync-engine.ts';
import { authorizeSync, type SyncContext } from '#src/services/sync/sync-support.ts';

export type { SyncCrmPreview };

/**
 * What Sync CRM would do to a member's CRM connections (issue 14: confirm before overwriting).
 * It is the sync engine's own CRM keys plan from the organization admin, compared and not
 * applied, so it cannot disagree with the run; authorized as the run is.
 */
export async function previewSyncCrm(
  deps: { uow: UnitOfWork; keyring: Keyring },
  context: SyncContext,
  targetUserId: string,
): Promise<SyncCrmPreview> {
  const repos = deps.uow.read;
  const { actor, target } = await authorizeSync(repos, context, targetUserId, 'sync:run');
  const source = await repos.users.findPrimaryAdmin(actor.organizationId);
  const targetCrms = (await repos.crmConnections.listForUser(target.id)).map((c) => c.crm);
  const inOrder = (crms: Iterable<string>): CrmKey[] => {
    const set = new Set(crms);
    return CRM_KEYS.filter((k) => set.has(k));
  };
  const copies = source
    ? inOrder((await repos.crmConnections.listForUser(source.id)).map((c) => c.crm))
    : [];
  const [plan] =
    source && copies.length > 0
      ? await planSync(repos, deps.keyring, {
          sourceId: source.id,
          targetIds: [target.id],
          categories: ['crm_keys'],
          mode: 'compare',
        })
      : [];
  const changes = plan?.results.find((r) => r.category === 'crm_keys')?.changes ?? [];
  const replaces = inOrder(
    changes.filter((c) => c.change === 'updated' && isCrmKey(c.key)).map((c) => c.key),
  );
  return {
    targetUserId: target.id,
    from: source ? { id: source.id, name: source.name } : null,
    copies,
    replaces,
    unchanged: copies.filter((k) => targetCrms.includes(k) && !replaces.includes(k)),
    kept: inOrder(targetCrms.filter((k) => !(copies as string[]).includes(k))),
  };
}

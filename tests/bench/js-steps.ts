import { performance } from 'node:perf_hooks';
import { toJson } from '#src/db/json.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { planSync } from '#src/services/sync/sync-engine.ts';
import { median } from '#tests/bench/stats.ts';

export interface JsStepTimes {
  /**
   * The engine's planning without its reads: `planSync` over dashboards already loaded (zod
   * parse of the documents, the SPEC §2 rules, the item diff, the row diff, CRM key compare).
   */
  plan: number;
  /** JSON text of the history row's result and undo snapshot (syncRuns.insert sends both). */
  historyJson: number;
  /** Size of that JSON text, in bytes. */
  historyBytes: number;
}

/**
 * The JavaScript of one sync from `sourceId` to `targetId`, repeated on the same loaded values
 * outside the service so it can be timed alone (median of `iterations`): the engine's own
 * `planSync`, given repositories that answer its two reads from memory.
 */
export async function timeJsSteps(
  uow: UnitOfWork,
  keyring: Keyring,
  sourceId: string,
  targetId: string,
  categories: readonly CategoryKey[],
  iterations: number,
): Promise<JsStepTimes> {
  const users = [sourceId, targetId];
  const [loaded, connections] = await Promise.all([
    uow.read.dashboards.loadForUsers(users, categories),
    uow.read.crmConnections.listForUsers(users),
  ]);
  const inMemory = {
    dashboards: { loadForUsers: () => Promise.resolve(loaded) },
    crmConnections: { listForUsers: () => Promise.resolve(connections) },
  } as unknown as Repositories;
  const plan: number[] = [];
  const historyJson: number[] = [];
  let historyBytes = 0;
  for (let i = 0; i < iterations; i += 1) {
    let start = performance.now();
    const [planned] = await planSync(inMemory, keyring, {
      sourceId,
      targetIds: [targetId],
      categories,
    });
    plan.push(performance.now() - start);
    if (!planned) throw new Error('no plan');
    start = performance.now();
    // As the service stores it: the results without their item lists, and the snapshot.
    const results = planned.results.map((result) => ({ ...result, changes: undefined }));
    const text = toJson({ categories: results }) + toJson(planned.snapshot);
    historyJson.push(performance.now() - start);
    historyBytes = Buffer.byteLength(text);
  }
  return { plan: median(plan), historyJson: median(historyJson), historyBytes };
}

import { performance } from 'node:perf_hooks';
import { toJson } from '#src/db/json.ts';
import {
  parseCategoryValue,
  type CategoryKey,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { applyRule, diffItems, itemsOf } from '#src/domain/sync/sync-rules.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import { loadDashboardValues } from '#src/services/settings/settings-store.ts';
import { median } from '#tests/bench/stats.ts';

export interface JsStepTimes {
  /** zod parse of every loaded category, source and target (loadDashboardValues does this). */
  validate: number;
  /** applyRule + itemsOf (stableStringify of every item, before and after) + diffItems. */
  rulesAndDiff: number;
  /** JSON text of the history row's result and snapshot (syncRuns.insert sends both). */
  historyJson: number;
  /** Size of that JSON text, in bytes. */
  historyBytes: number;
}

/**
 * The JavaScript steps of one sync, repeated on the same values outside the service so each can
 * be timed alone (median of `iterations`). The service does the same calls in `planSync`.
 */
export async function timeJsSteps(
  uow: UnitOfWork,
  sourceId: string,
  targetId: string,
  categories: readonly CategoryKey[],
  iterations: number,
): Promise<JsStepTimes> {
  const valueCategories = categories.filter((c): c is ValueCategoryKey => c !== 'crm_keys');
  const [source, target] = await Promise.all([
    loadDashboardValues(uow.read, sourceId, valueCategories),
    loadDashboardValues(uow.read, targetId, valueCategories),
  ]);
  const validate: number[] = [];
  const rulesAndDiff: number[] = [];
  const historyJson: number[] = [];
  let historyBytes = 0;
  for (let i = 0; i < iterations; i += 1) {
    let start = performance.now();
    for (const loaded of [source, target]) {
      for (const [category, { value }] of loaded) {
        const parsed = parseCategoryValue(category, value);
        if (!parsed.ok) throw new Error(parsed.message);
      }
    }
    validate.push(performance.now() - start);

    start = performance.now();
    const results = [];
    const snapshot = [];
    for (const category of valueCategories) {
      const from = source.get(category);
      const to = target.get(category);
      if (!from || !to) throw new Error(`category ${category} was not loaded`);
      const outcome = applyRule(
        category,
        from.value as CategoryValue<typeof category>,
        to.value as CategoryValue<typeof category>,
        { targetHasSalesforce: true, sourceIsDefault: !from.isSet },
      );
      const counts = diffItems(itemsOf(category, to.value), itemsOf(category, outcome.value));
      results.push({ category, status: 'applied', counts, notes: outcome.notes });
      snapshot.push({ category, isSet: to.isSet, value: to.value });
    }
    rulesAndDiff.push(performance.now() - start);

    start = performance.now();
    const text = toJson({ categories: results }) + toJson(snapshot);
    historyJson.push(performance.now() - start);
    historyBytes = Buffer.byteLength(text);
  }
  return {
    validate: median(validate),
    rulesAndDiff: median(rulesAndDiff),
    historyJson: median(historyJson),
    historyBytes,
  };
}

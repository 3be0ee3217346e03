import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import type { CategoryKey } from '#src/domain/settings/categories.ts';

export type StoredDriftState = 'in_sync' | 'differs';

export interface KeptDrift {
  drift: Partial<Record<CategoryKey, StoredDriftState>>;
  driftCount: number;
}

export interface DriftLookup {
  /** The source's dashboard version now; undefined when the source has no dashboard. */
  sourceVersion: number | undefined;
  /** Each target with a dashboard: its version now, and the kept drift when still valid. */
  targets: Map<string, { version: number; kept: KeptDrift | undefined }>;
}

/**
 * Drift kept per source × member (ADR 0013). A row is served only while the versions it was
 * stamped with are still both dashboards' versions (and the rules' version is this code's), all
 * checked in the lookup's one statement; nothing ever invalidates a row by hand.
 */
export class DriftCacheRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async lookup(
    sourceId: string,
    targetIds: readonly string[],
    rulesVersion: number,
  ): Promise<DriftLookup> {
    const { rows } = await sql<{
      user_id: string | null;
      version: number | null;
      source_version: number | null;
      drift: Record<string, StoredDriftState> | null;
      drift_count: number | null;
    }>`
      with source as (select version from dashboards where user_id = ${sourceId})
      select t.user_id, t.version, (select version from source) as source_version,
             c.drift, c.drift_count
      from (select 1) as one
      left join dashboards t on t.user_id = any(${sql.val([...targetIds])}::uuid[])
      left join drift_cache c
        on c.source_id = ${sourceId} and c.target_id = t.user_id
       and c.source_version = (select version from source)
       and c.target_version = t.version
       and c.rules_version = ${rulesVersion}
    `.execute(this.db);
    const targets = new Map<string, { version: number; kept: KeptDrift | undefined }>();
    let sourceVersion: number | undefined;
    for (const r of rows) {
      if (r.source_version !== null) sourceVersion = r.source_version;
      if (r.user_id === null || r.version === null) continue;
      targets.set(r.user_id, {
        version: r.version,
        kept:
          r.drift === null || r.drift_count === null
            ? undefined
            : {
                drift: r.drift,
                driftCount: r.drift_count,
              },
      });
    }
    return { sourceVersion, targets };
  }

  /** Keeps freshly planned drift, stamped with the versions read before planning. */
  async keep(
    sourceId: string,
    sourceVersion: number,
    rulesVersion: number,
    entries: readonly { targetId: string; targetVersion: number; drift: KeptDrift }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.db
      .insertInto('drift_cache')
      .values(
        // In member id order: two readers keeping overlapping rows lock them in the same order.
        [...entries]
          .sort((a, b) => (a.targetId < b.targetId ? -1 : 1))
          .map((e) => ({
            source_id: sourceId,
            target_id: e.targetId,
            source_version: sourceVersion,
            target_version: e.targetVersion,
            rules_version: rulesVersion,
            drift: JSON.stringify(e.drift.drift),
            drift_count: e.drift.driftCount,
          })),
      )
      .onConflict((oc) =>
        oc.columns(['source_id', 'target_id']).doUpdateSet((eb) => ({
          source_version: eb.ref('excluded.source_version'),
          target_version: eb.ref('excluded.target_version'),
          rules_version: eb.ref('excluded.rules_version'),
          drift: eb.ref('excluded.drift'),
          drift_count: eb.ref('excluded.drift_count'),
          computed_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }
}

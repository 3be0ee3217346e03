import { sql, type Kysely } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type { DB } from '#src/db/schema.ts';
import type {
  CategoryKey,
  CategoryValue,
  DocumentCategoryKey,
} from '#src/domain/settings/categories.ts';
import {
  normalizeRow,
  ROW_TABLES,
  type RowTable,
  type StoredRow,
} from '#src/repositories/dashboard-rows.ts';

export interface DashboardRow {
  userId: string;
  organizationId: string;
  version: number;
}

export interface CategoryState {
  category: CategoryKey;
  version: number;
  updatedAt: Date;
}

type CustomProperties = CategoryValue<'custom_properties'>['properties'];

/** What the sync engine reads of one dashboard (see `loadForUsers`). */
export interface LoadedDashboard {
  /** Category → version, for the categories this user has set. */
  versions: Map<CategoryKey, number>;
  documents: Map<CategoryKey, unknown>;
  rows: Record<RowTable, StoredRow[]>;
}

/** A row to write or delete, with its owner. */
export type UserRow = StoredRow & { user_id: string };

/**
 * A user's dashboard: its version, the per-category state rows, document categories, and the
 * row-stored categories (custom properties, pipeline stages, Salesforce record types).
 * Every write bumps the category's version and the dashboard's version.
 */
export class DashboardRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async create(userId: string, organizationId: string): Promise<DashboardRow> {
    const row = await this.db
      .insertInto('dashboards')
      .values({ user_id: userId, organization_id: organizationId })
      .returning(['user_id', 'organization_id', 'version'])
      .executeTakeFirstOrThrow();
    return { userId: row.user_id, organizationId: row.organization_id, version: row.version };
  }

  async find(userId: string): Promise<DashboardRow | undefined> {
    const row = await this.db
      .selectFrom('dashboards')
      .select(['user_id', 'organization_id', 'version'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return (
      row && { userId: row.user_id, organizationId: row.organization_id, version: row.version }
    );
  }

  /** The categories this user has set, with their versions. */
  async categoryStates(userId: string): Promise<CategoryState[]> {
    const rows = await this.db
      .selectFrom('dashboard_settings')
      .select(['category', 'version', 'updated_at'])
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => ({ category: r.category, version: r.version, updatedAt: r.updated_at }));
  }

  /** Records a write to a category: creates its state row or bumps its version (see below). */
  async touchCategory(
    userId: string,
    category: CategoryKey,
    document: unknown = null,
  ): Promise<number> {
    const versions = await this.touchCategoriesOf([{ userId, category, document }]);
    const version = versions.get(userId)?.get(category);
    if (version === undefined) throw new Error(`no state row written for ${category}`);
    return version;
  }

  /** Stores an already validated document value. */
  async writeDocument<K extends DocumentCategoryKey>(
    userId: string,
    category: K,
    value: CategoryValue<K>,
  ): Promise<number> {
    return this.touchCategory(userId, category, value);
  }

  // --- used by the sync engine: set-based, one statement each --------------------------------

  /** Locks the dashboard row until the transaction ends: syncs to one target serialise. */
  async lockForUpdate(userId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('dashboards')
      .select('version')
      .where('user_id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    return row?.version;
  }

  /**
   * Locks many targets' dashboards (bulk batches), in user id order so two batches that share
   * members cannot deadlock; returns the ids whose dashboard exists.
   */
  async lockManyForUpdate(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('dashboards')
      .select('user_id')
      .where('user_id', 'in', [...userIds])
      .orderBy('user_id')
      .forUpdate()
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Forgets categories (revert to "never set"): their state rows and row-stored values. */
  async unsetCategories(userId: string, categories: readonly CategoryKey[]): Promise<void> {
    if (categories.length === 0) return;
    if (categories.includes('custom_properties')) {
      await this.db.deleteFrom('custom_properties').where('user_id', '=', userId).execute();
    }
    if (categories.includes('pipeline_stages')) {
      await this.db.deleteFrom('pipeline_stages').where('user_id', '=', userId).execute();
      await this.db.deleteFrom('salesforce_record_types').where('user_id', '=', userId).execute();
    }
    await this.db
      .deleteFrom('dashboard_settings')
      .where('user_id', '=', userId)
      .where('category', 'in', categories)
      .execute();
    // A change like any other: kept drift (and any reader of the version) must see it.
    await this.db
      .updateTable('dashboards')
      .set({ version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .execute();
  }

  // --- the sync engine: many dashboards at once, a fixed number of statements ---------------

  /**
   * The given categories of several dashboards at once: one query for their state rows and
   * documents, one per row table the categories need, whatever the number of users or items.
   */
  async loadForUsers(
    userIds: readonly string[],
    categories: readonly CategoryKey[],
  ): Promise<Map<string, LoadedDashboard>> {
    const loaded = new Map<string, LoadedDashboard>(
      userIds.map((id) => [
        id,
        {
          versions: new Map(),
          documents: new Map(),
          rows: { custom_properties: [], pipeline_stages: [], salesforce_record_types: [] },
        },
      ]),
    );
    if (userIds.length === 0 || categories.length === 0) return loaded;
    const tables: RowTable[] = [];
    if (categories.includes('custom_properties')) tables.push('custom_properties');
    if (categories.includes('pipeline_stages'))
      tables.push('pipeline_stages', 'salesforce_record_types');
    const [states, ...rowSets] = await Promise.all([
      // Every category's version (which are set matters: CRM keys, undo), documents only for
      // the categories asked for.
      this.db
        .selectFrom('dashboard_settings')
        .select(['user_id', 'category', 'version'])
        .select((eb) =>
          eb
            .case()
            .when('category', 'in', categories)
            .then(eb.ref('document'))
            .else(null)
            .end()
            .as('document'),
        )
        .where('user_id', 'in', userIds)
        .execute(),
      ...tables.map((table) => this.readRows(table, userIds)),
    ]);
    for (const s of states) {
      const dashboard = loaded.get(s.user_id);
      dashboard?.versions.set(s.category, s.version);
      if (s.document !== null) dashboard?.documents.set(s.category, s.document);
    }
    tables.forEach((table, i) => {
      for (const row of rowSets[i] ?? []) {
        loaded.get(String(row.user_id))?.rows[table].push(normalizeRow(table, row));
      }
    });
    return loaded;
  }

  private async readRows(
    table: RowTable,
    userIds: readonly string[],
  ): Promise<Record<string, unknown>[]> {
    const spec = ROW_TABLES[table];
    const columns = ['user_id', ...Object.keys(spec.columns)].join(', ');
    const order = table === 'custom_properties' ? 'position, name' : `position, ${spec.keys[0]}`;
    const result = await sql<Record<string, unknown>>`
      select ${sql.raw(columns)} from ${sql.table(table)}
       where user_id = any(${[...userIds]}::uuid[])
       order by user_id, ${sql.raw(order)}`.execute(this.db);
    return result.rows;
  }

  /**
   * Writes row changes of many dashboards in at most two statements: one DELETE of the removed
   * keys and one INSERT … ON CONFLICT DO UPDATE of the new and changed rows, each taking its rows
   * as one JSON parameter (no limit on the row count). Stages written by a sync record their
   * source (`syncedFrom`); other writes (undo) clear it.
   */
  async writeRows(
    table: RowTable,
    changes: { upsert: readonly UserRow[]; remove: readonly UserRow[] },
    syncedFrom: string | null = null,
  ): Promise<void> {
    const spec = ROW_TABLES[table];
    if (changes.remove.length > 0) {
      const keyColumns = ['user_id uuid', ...spec.keys.map((k) => `${k} text`)].join(', ');
      const match = ['user_id', ...spec.keys].map((k) => `t.${k} = k.${k}`).join(' and ');
      const keys = changes.remove.map((r) =>
        Object.fromEntries(['user_id', ...spec.keys].map((k) => [k, r[k]])),
      );
      await sql`
        delete from ${sql.table(table)} t
         using jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(${sql.raw(keyColumns)})
         where ${sql.raw(match)}`.execute(this.db);
    }
    if (changes.upsert.length > 0) {
      const columns = Object.keys(spec.columns);
      const pgType = { text: 'text', int: 'integer', jsonb: 'jsonb', boolean: 'boolean' } as const;
      const recordType = [
        'user_id uuid',
        ...columns.map((c) => `${c} ${pgType[spec.columns[c] ?? 'text']}`),
      ].join(', ');
      const stages = table === 'pipeline_stages';
      const extraInsert = sql.raw(stages ? ', synced_at, synced_from_user_id' : '');
      const extraSelect = stages
        ? sql`, case when r.synced then now() end, case when r.synced then ${syncedFrom}::uuid end`
        : sql``;
      const extraUpdate = sql.raw(
        stages
          ? ', synced_at = excluded.synced_at, synced_from_user_id = excluded.synced_from_user_id'
          : '',
      );
      const set = columns
        .filter((c) => !spec.keys.includes(c))
        .map((c) => `${c} = excluded.${c}`)
        .join(', ');
      await sql`
        insert into ${sql.table(table)} (user_id, ${sql.raw(columns.join(', '))}${extraInsert})
        select r.user_id, ${sql.raw(columns.map((c) => `r.${c}`).join(', '))}${extraSelect}
          from jsonb_to_recordset(${JSON.stringify(changes.upsert)}::jsonb) as r(${sql.raw(recordType)})
        on conflict (user_id, ${sql.raw(spec.keys.join(', '))}) do update
           set ${sql.raw(set)}${extraUpdate}, updated_at = now()`.execute(this.db);
    }
  }

  /**
   * Marks categories of several dashboards as written, in two statements: their state rows
   * (created or version + 1, with the document for document categories), then each dashboard's
   * version + 1 once. Returns the new version of each (user, category).
   */
  async touchCategoriesOf(
    entries: readonly { userId: string; category: CategoryKey; document: unknown }[],
  ): Promise<Map<string, Map<CategoryKey, number>>> {
    const versions = new Map<string, Map<CategoryKey, number>>();
    if (entries.length === 0) return versions;
    const rows = await this.db
      .insertInto('dashboard_settings')
      .values(
        entries.map((e) => ({
          user_id: e.userId,
          category: e.category,
          document: e.document === null ? null : toJson(e.document),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['user_id', 'category']).doUpdateSet((eb) => ({
          document: eb.ref('excluded.document'),
          version: sql<number>`dashboard_settings.version + 1`,
          updated_at: sql<Date>`now()`,
        })),
      )
      .returning(['user_id', 'category', 'version'])
      .execute();
    await this.db
      .updateTable('dashboards')
      .set({ version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
      .where('user_id', 'in', [...new Set(entries.map((e) => e.userId))])
      .execute();
    for (const r of rows) {
      const forUser = versions.get(r.user_id) ?? new Map<CategoryKey, number>();
      forUser.set(r.category, r.version);
      versions.set(r.user_id, forUser);
    }
    return versions;
  }

  /** Records (or refreshes) one owner property; never touches the other properties. */
  async upsertOwnerProperty(userId: string, property: CustomProperties[number]): Promise<void> {
    await this.db
      .insertInto('custom_properties')
      .values({
        user_id: userId,
        crm: property.crm,
        object: property.object,
        name: property.name,
        label: property.label,
        type: property.type,
        options: toJson(property.options),
        owner_property: true,
        position: 0,
      })
      .onConflict((oc) =>
        oc.columns(['user_id', 'crm', 'object', 'name']).doUpdateSet((eb) => ({
          label: eb.ref('excluded.label'),
          type: eb.ref('excluded.type'),
          options: eb.ref('excluded.options'),
          owner_property: true,
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }
}

import { sql, type Kysely } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type { DB } from '#src/db/schema.ts';
import type {
  CategoryKey,
  CategoryValue,
  DocumentCategoryKey,
} from '#src/domain/settings/categories.ts';

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
type PipelineStages = CategoryValue<'pipeline_stages'>;

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

  /** Records a write to a category: creates its state row or bumps its version. */
  async touchCategory(
    userId: string,
    category: CategoryKey,
    document: unknown = null,
  ): Promise<number> {
    const json = document === null ? null : toJson(document);
    const row = await this.db
      .insertInto('dashboard_settings')
      .values({ user_id: userId, category, document: json })
      .onConflict((oc) =>
        oc.columns(['user_id', 'category']).doUpdateSet({
          document: json,
          version: sql<number>`dashboard_settings.version + 1`,
          updated_at: sql<Date>`now()`,
        }),
      )
      .returning('version')
      .executeTakeFirstOrThrow();
    await this.db
      .updateTable('dashboards')
      .set({ version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .execute();
    return row.version;
  }

  /** Stores an already validated document value. */
  async writeDocument<K extends DocumentCategoryKey>(
    userId: string,
    category: K,
    value: CategoryValue<K>,
  ): Promise<number> {
    return this.touchCategory(userId, category, value);
  }

  async listCustomProperties(userId: string): Promise<CustomProperties> {
    const rows = await this.db
      .selectFrom('custom_properties')
      .select(['crm', 'object', 'name', 'label', 'type', 'options', 'owner_property'])
      .where('user_id', '=', userId)
      .orderBy('position')
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      crm: r.crm,
      object: r.object,
      name: r.name,
      label: r.label,
      type: r.type,
      options: r.options,
      ownerProperty: r.owner_property,
    }));
  }

  /** Replaces all of a user's custom properties with `properties` (validated), in two statements. */
  async replaceCustomProperties(userId: string, properties: CustomProperties): Promise<void> {
    await this.db.deleteFrom('custom_properties').where('user_id', '=', userId).execute();
    if (properties.length > 0) {
      await this.db
        .insertInto('custom_properties')
        .values(
          properties.map((p, position) => ({
            user_id: userId,
            crm: p.crm,
            object: p.object,
            name: p.name,
            label: p.label,
            type: p.type,
            options: toJson(p.options),
            owner_property: p.ownerProperty,
            position,
          })),
        )
        .execute();
    }
    await this.touchCategory(userId, 'custom_properties');
  }

  async readPipeline(userId: string): Promise<PipelineStages> {
    const [stages, recordTypes] = await Promise.all([
      this.db
        .selectFrom('pipeline_stages')
        .select(['internal_id', 'name', 'position', 'probability', 'crm_stage_mappings', 'synced'])
        .where('user_id', '=', userId)
        .orderBy('position')
        .orderBy('internal_id')
        .execute(),
      this.db
        .selectFrom('salesforce_record_types')
        .select(['record_type_id', 'name', 'developer_name', 'stage_internal_ids', 'is_active'])
        .where('user_id', '=', userId)
        .orderBy('position')
        .orderBy('record_type_id')
        .execute(),
    ]);
    return {
      stages: stages.map((s) => ({
        internalId: s.internal_id,
        name: s.name,
        order: s.position,
        probability: s.probability,
        crmStageMappings: s.crm_stage_mappings,
        synced: s.synced,
      })),
      salesforceRecordTypes: recordTypes.map((r) => ({
        recordTypeId: r.record_type_id,
        name: r.name,
        developerName: r.developer_name,
        stageInternalIds: r.stage_internal_ids,
        isActive: r.is_active,
      })),
    };
  }

  /** Replaces a user's stages and record types with `pipeline` (validated). */
  async replacePipeline(userId: string, pipeline: PipelineStages): Promise<void> {
    await this.db.deleteFrom('pipeline_stages').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('salesforce_record_types').where('user_id', '=', userId).execute();
    if (pipeline.stages.length > 0) {
      await this.db
        .insertInto('pipeline_stages')
        .values(
          pipeline.stages.map((s) => ({
            user_id: userId,
            internal_id: s.internalId,
            name: s.name,
            position: s.order,
            probability: s.probability,
            crm_stage_mappings: toJson(s.crmStageMappings),
            synced: s.synced,
            synced_at: null,
            synced_from_user_id: null,
          })),
        )
        .execute();
    }
    if (pipeline.salesforceRecordTypes.length > 0) {
      await this.db
        .insertInto('salesforce_record_types')
        .values(
          pipeline.salesforceRecordTypes.map((r, position) => ({
            user_id: userId,
            record_type_id: r.recordTypeId,
            name: r.name,
            developer_name: r.developerName,
            stage_internal_ids: toJson(r.stageInternalIds),
            is_active: r.isActive,
            position,
          })),
        )
        .execute();
    }
    await this.touchCategory(userId, 'pipeline_stages');
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

  /** The documents of several categories in one query. */
  async readDocuments(
    userId: string,
    categories: readonly CategoryKey[],
  ): Promise<Map<CategoryKey, unknown>> {
    if (categories.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('dashboard_settings')
      .select(['category', 'document'])
      .where('user_id', '=', userId)
      .where('category', 'in', categories)
      .execute();
    return new Map(rows.map((r) => [r.category, r.document]));
  }

  /**
   * Marks categories as written in one statement: creates or updates their state rows (with the
   * document for document categories, null otherwise), bumping each version; then bumps the
   * dashboard's version once. Returns the new version of each category.
   */
  async writeCategories(
    userId: string,
    entries: readonly { category: CategoryKey; document: unknown }[],
  ): Promise<Map<CategoryKey, number>> {
    if (entries.length === 0) return new Map();
    const rows = await this.db
      .insertInto('dashboard_settings')
      .values(
        entries.map((e) => ({
          user_id: userId,
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
      .returning(['category', 'version'])
      .execute();
    await this.db
      .updateTable('dashboards')
      .set({ version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .execute();
    return new Map(rows.map((r) => [r.category, r.version]));
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
  }

  /**
   * Custom properties rule (SPEC §2), copied on the server: the target's non-owner properties
   * become the source's non-owner properties; owner properties on either side are never touched
   * or copied. Two statements, whatever the number of properties.
   */
  async copyNonOwnerPropertiesFrom(targetId: string, sourceId: string): Promise<void> {
    await sql`
      delete from custom_properties t
       where t.user_id = ${targetId} and not t.owner_property
         and not exists (
           select 1 from custom_properties s
            where s.user_id = ${sourceId} and not s.owner_property
              and s.crm = t.crm and s.object = t.object and s.name = t.name)`.execute(this.db);
    await sql`
      insert into custom_properties (user_id, crm, object, name, label, type, options, owner_property, position)
      select ${targetId}, s.crm, s.object, s.name, s.label, s.type, s.options, false, 1000 + s.position
        from custom_properties s
       where s.user_id = ${sourceId} and not s.owner_property
      on conflict (user_id, crm, object, name) do update
         set label = excluded.label, type = excluded.type, options = excluded.options,
             position = excluded.position, updated_at = now()
       where not custom_properties.owner_property`.execute(this.db);
  }

  /**
   * Pipeline stages rule (SPEC §2), copied on the server: every source stage is added or updated
   * on the target by internalId and marked as synced from the source; the target's other stages
   * are kept. One statement.
   */
  async copyStagesFrom(targetId: string, sourceId: string): Promise<void> {
    await sql`
      insert into pipeline_stages (user_id, internal_id, name, position, probability, crm_stage_mappings,
                                   synced, synced_at, synced_from_user_id)
      select ${targetId}, s.internal_id, s.name, s.position, s.probability, s.crm_stage_mappings,
             true, now(), ${sourceId}
        from pipeline_stages s
       where s.user_id = ${sourceId}
      on conflict (user_id, internal_id) do update
         set name = excluded.name, position = excluded.position, probability = excluded.probability,
             crm_stage_mappings = excluded.crm_stage_mappings, synced = true,
             synced_at = excluded.synced_at, synced_from_user_id = excluded.synced_from_user_id,
             updated_at = now()`.execute(this.db);
  }

  /** Salesforce record types added or updated by id from the source; the target's others kept. */
  async copyRecordTypesFrom(targetId: string, sourceId: string): Promise<void> {
    await sql`
      insert into salesforce_record_types (user_id, record_type_id, name, developer_name, stage_internal_ids,
                                           is_active, position)
      select ${targetId}, s.record_type_id, s.name, s.developer_name, s.stage_internal_ids, s.is_active, s.position
        from salesforce_record_types s
       where s.user_id = ${sourceId}
      on conflict (user_id, record_type_id) do update
         set name = excluded.name, developer_name = excluded.developer_name,
             stage_internal_ids = excluded.stage_internal_ids, is_active = excluded.is_active,
             position = excluded.position, updated_at = now()`.execute(this.db);
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

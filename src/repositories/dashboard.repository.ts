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

  async readDocument(
    userId: string,
    category: DocumentCategoryKey,
  ): Promise<{ value: unknown; version: number } | undefined> {
    const row = await this.db
      .selectFrom('dashboard_settings')
      .select(['document', 'version'])
      .where('user_id', '=', userId)
      .where('category', '=', category)
      .executeTakeFirst();
    return row && { value: row.document, version: row.version };
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
}

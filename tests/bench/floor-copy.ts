import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import {
  categoryDefinition,
  defaultValueOf,
  type CategoryKey,
} from '#src/domain/settings/categories.ts';

/**
 * Per category, what a never-set source copies (SPEC §2: its default value); null for the
 * categories whose state row holds no document (rows and CRM keys).
 */
function fallbacks(categories: readonly CategoryKey[]): string {
  return JSON.stringify(
    Object.fromEntries(
      categories.map((c) => [
        c,
        c === 'crm_keys' || categoryDefinition(c).storage !== 'document' ? null : defaultValueOf(c),
      ]),
    ),
  );
}

/**
 * The floor a sync is compared with: the same copy from the source's rows to the target's, as
 * raw set-based SQL in one transaction, with nothing else — no authorization, no row lock, no
 * reads into the application, no validation, no diff, no history, no audit entry and no CRM key
 * re-encryption (secrets are bound to their user, so they cannot be copied in SQL). Eight
 * statements, whatever the sizes:
 *
 *   BEGIN
 *   DELETE the target's non-owner properties the source lacks
 *   INSERT … SELECT … ON CONFLICT DO UPDATE  custom properties (non-owner; owner rows kept)
 *   INSERT … SELECT … ON CONFLICT DO UPDATE  pipeline stages (marked synced)
 *   INSERT … SELECT … ON CONFLICT DO UPDATE  Salesforce record types
 *   INSERT … SELECT … ON CONFLICT DO UPDATE  dashboard_settings (documents + version bumps; a
 *                                            category the source never set copies its default)
 *   UPDATE dashboards (version bump)
 *   COMMIT
 */
export async function floorCopy(
  db: Kysely<DB>,
  sourceId: string,
  targetId: string,
  categories: readonly CategoryKey[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`
      delete from custom_properties t
      where t.user_id = ${targetId}::uuid and not t.owner_property
        and not exists (
          select 1 from custom_properties s
          where s.user_id = ${sourceId}::uuid and not s.owner_property
            and s.crm = t.crm and s.object = t.object and s.name = t.name)`.execute(trx);
    await sql`
      insert into custom_properties
        (user_id, crm, object, name, label, type, options, owner_property, position)
      select ${targetId}::uuid, crm, object, name, label, type, options, false,
             999 + row_number() over (order by position, name)
      from custom_properties
      where user_id = ${sourceId}::uuid and not owner_property
      on conflict (user_id, crm, object, name) do update
        set label = excluded.label, type = excluded.type, options = excluded.options,
            position = excluded.position, updated_at = now()
        where custom_properties.owner_property = false`.execute(trx);
    await sql`
      insert into pipeline_stages
        (user_id, internal_id, name, position, probability, crm_stage_mappings, synced,
         synced_at, synced_from_user_id)
      select ${targetId}::uuid, internal_id, name, position, probability, crm_stage_mappings,
             true, now(), ${sourceId}::uuid
      from pipeline_stages
      where user_id = ${sourceId}::uuid
      on conflict (user_id, internal_id) do update
        set name = excluded.name, position = excluded.position,
            probability = excluded.probability, crm_stage_mappings = excluded.crm_stage_mappings,
            synced = true, synced_at = excluded.synced_at,
            synced_from_user_id = excluded.synced_from_user_id, updated_at = now()`.execute(trx);
    await sql`
      insert into salesforce_record_types
        (user_id, record_type_id, name, developer_name, stage_internal_ids, is_active, position)
      select ${targetId}::uuid, record_type_id, name, developer_name, stage_internal_ids,
             is_active, position
      from salesforce_record_types
      where user_id = ${sourceId}::uuid
      on conflict (user_id, record_type_id) do update
        set name = excluded.name, developer_name = excluded.developer_name,
            stage_internal_ids = excluded.stage_internal_ids, is_active = excluded.is_active,
            position = excluded.position, updated_at = now()`.execute(trx);
    await sql`
      insert into dashboard_settings (user_id, category, document)
      select ${targetId}::uuid, c.category,
             case when jsonb_typeof(c.fallback) = 'null' then null
                  else coalesce(s.document, c.fallback) end
      from jsonb_each(${fallbacks(categories)}::jsonb) as c (category, fallback)
      left join dashboard_settings s on s.user_id = ${sourceId}::uuid and s.category = c.category
      on conflict (user_id, category) do update
        set document = excluded.document, version = dashboard_settings.version + 1,
            updated_at = now()`.execute(trx);
    await sql`
      update dashboards set version = version + 1, updated_at = now()
      where user_id = ${targetId}::uuid`.execute(trx);
  });
}

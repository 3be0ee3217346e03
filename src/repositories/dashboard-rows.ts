import type { CategoryValue } from '#src/domain/settings/categories.ts';

/**
 * The row-stored categories as rows: how a value (the category schema's shape) maps to the rows
 * of its tables and back, and the diff between two sets of rows. Pure: the sync engine plans
 * with these, the repository writes what they produce, and revert applies their inverse.
 */
export type RowTable = 'custom_properties' | 'pipeline_stages' | 'salesforce_record_types';

/** One stored row: database column names, always built in the same key order (see below). */
export type StoredRow = Record<string, unknown>;

type ColumnType = 'text' | 'int' | 'jsonb' | 'boolean';

export interface RowTableSpec {
  /** The row's identity within one user's dashboard (with user_id: the unique key). */
  keys: readonly string[];
  /** Every stored column of the value, in the order rows are built. */
  columns: Readonly<Record<string, ColumnType>>;
}

export const ROW_TABLES: Readonly<Record<RowTable, RowTableSpec>> = {
  custom_properties: {
    keys: ['crm', 'object', 'name'],
    columns: {
      crm: 'text',
      object: 'text',
      name: 'text',
      label: 'text',
      type: 'text',
      options: 'jsonb',
      owner_property: 'boolean',
      position: 'int',
    },
  },
  pipeline_stages: {
    keys: ['internal_id'],
    columns: {
      internal_id: 'text',
      name: 'text',
      position: 'int',
      probability: 'int',
      crm_stage_mappings: 'jsonb',
      synced: 'boolean',
    },
  },
  salesforce_record_types: {
    keys: ['record_type_id'],
    columns: {
      record_type_id: 'text',
      name: 'text',
      developer_name: 'text',
      stage_internal_ids: 'jsonb',
      is_active: 'boolean',
      position: 'int',
    },
  },
};

type Properties = CategoryValue<'custom_properties'>;
type Pipeline = CategoryValue<'pipeline_stages'>;

/** Properties are stored in list order: position = index. */
export function propertiesToRows(value: Properties): StoredRow[] {
  return value.properties.map((p, position) => ({
    crm: p.crm,
    object: p.object,
    name: p.name,
    label: p.label,
    type: p.type,
    options: p.options,
    owner_property: p.ownerProperty,
    position,
  }));
}

/** Rows as stored (ordered by position, then name) → the category value. */
export function rowsToProperties(rows: readonly StoredRow[]): Properties {
  return {
    properties: rows.map((r) => ({
      crm: r.crm,
      object: r.object,
      name: r.name,
      label: r.label,
      type: r.type,
      options: r.options,
      ownerProperty: r.owner_property,
    })) as Properties['properties'],
  };
}

/** Stages keep their own `order` as position; record types are stored in list order. */
export function pipelineToRows(
  value: Pipeline,
): Record<'pipeline_stages' | 'salesforce_record_types', StoredRow[]> {
  return {
    pipeline_stages: value.stages.map((s) => ({
      internal_id: s.internalId,
      name: s.name,
      position: s.order,
      probability: s.probability,
      crm_stage_mappings: s.crmStageMappings,
      synced: s.synced,
    })),
    salesforce_record_types: value.salesforceRecordTypes.map((r, position) => ({
      record_type_id: r.recordTypeId,
      name: r.name,
      developer_name: r.developerName,
      stage_internal_ids: r.stageInternalIds,
      is_active: r.isActive,
      position,
    })),
  };
}

export function rowsToPipeline(
  stages: readonly StoredRow[],
  recordTypes: readonly StoredRow[],
): Pipeline {
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
  } as Pipeline;
}

/** A stored row read from the database, rebuilt in the spec's key order so it compares. */
export function normalizeRow(table: RowTable, row: Record<string, unknown>): StoredRow {
  const out: StoredRow = {};
  for (const column of Object.keys(ROW_TABLES[table].columns)) out[column] = row[column];
  return out;
}

export function rowKey(table: RowTable, row: StoredRow): string {
  return ROW_TABLES[table].keys.map((k) => String(row[k])).join('\u0000');
}

/** What turns `before` into `after`: rows to write (new or changed) and rows to delete. */
export interface RowDiff {
  /** Rows of `after` that are new or differ from `before` (written whole). */
  upsert: StoredRow[];
  /** Rows of `before` whose key `after` lacks (deleted). */
  remove: StoredRow[];
  /** For undo: the previous version of every changed or removed row, and the keys added. */
  previous: StoredRow[];
  added: StoredRow[];
}

export function diffRows(
  table: RowTable,
  before: readonly StoredRow[],
  after: readonly StoredRow[],
): RowDiff {
  const old = new Map(before.map((r) => [rowKey(table, r), r]));
  const diff: RowDiff = { upsert: [], remove: [], previous: [], added: [] };
  const seen = new Set<string>();
  for (const row of after) {
    const key = rowKey(table, row);
    seen.add(key);
    const was = old.get(key);
    if (!was) {
      diff.upsert.push(row);
      diff.added.push(row);
    } else if (JSON.stringify(was) !== JSON.stringify(row)) {
      diff.upsert.push(row);
      diff.previous.push(was);
    }
  }
  for (const [key, row] of old) {
    if (!seen.has(key)) {
      diff.remove.push(row);
      diff.previous.push(row);
    }
  }
  return diff;
}

export function isEmptyDiff(diff: RowDiff): boolean {
  return diff.upsert.length === 0 && diff.remove.length === 0;
}

/** The inverse of a diff, from what it recorded for undo: restores `before` exactly. */
export function inverseDiff(
  recorded: Pick<RowDiff, 'previous' | 'added'>,
): Pick<RowDiff, 'upsert' | 'remove'> {
  return { upsert: recorded.previous, remove: recorded.added };
}

/**
 * `rows` with `changes` applied in memory, as `DashboardRepository.writeRows` applies them to
 * the table (delete the removed keys, then insert or replace the upserted rows): what a restore
 * would leave, without writing it ("Review changes" shows the inverse of a sync this way).
 */
export function applyRowChanges(
  table: RowTable,
  rows: readonly StoredRow[],
  changes: Pick<RowDiff, 'upsert' | 'remove'>,
): StoredRow[] {
  const removed = new Set(changes.remove.map((r) => rowKey(table, r)));
  const upserted = new Map(changes.upsert.map((r) => [rowKey(table, r), normalizeRow(table, r)]));
  const out: StoredRow[] = [];
  for (const row of rows) {
    const key = rowKey(table, row);
    const replacement = upserted.get(key);
    if (replacement) {
      out.push(replacement);
      upserted.delete(key);
    } else if (!removed.has(key)) out.push(row);
  }
  out.push(...upserted.values());
  return out;
}

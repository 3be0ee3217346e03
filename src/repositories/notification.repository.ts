import { sql, type Kysely, type RawBuilder } from 'kysely';
import type {
  BulkAction,
  BulkTrigger,
  DB,
  NotificationKind,
  SyncAction,
  SyncStatus,
} from '#src/db/schema.ts';

/** The history entry a `dashboard_changed` notification is about: what it did, never values. */
export interface NotifiedSync {
  action: SyncAction;
  status: SyncStatus;
  categories: string[];
  /** The categories its undo snapshot restores (what a restore writes), in snapshot order. */
  snapshotCategories: string[];
  /**
   * `result.categories` as the history keeps it: per category counts and notes (Sync
   * Settings), or the category keys (a revert). Read from the result, not the whole result.
   */
  resultCategories: unknown;
  /** Sync CRM's sentence ("Copied CRM keys for HubSpot from the organization admin."). */
  message: string | null;
  /** Sync CRM's owner-property step run on its own. */
  ownerPropertiesOnly: boolean;
  createdAt: Date;
  revertedBySyncId: string | null;
}

/** The bulk run a `bulk_failed` / `follow_failed` notification is about. */
export interface NotifiedBulkRun {
  action: BulkAction;
  categories: string[];
  dryRun: boolean;
  trigger: BulkTrigger;
  total: number;
  failed: number;
  teamId: string | null;
}

export interface NotificationRecord {
  id: string;
  kind: NotificationKind;
  createdAt: Date;
  readAt: Date | null;
  syncRunId: string | null;
  bulkRunId: string | null;
  /** Who ran the sync or the bulk run (null once that user is gone). */
  actorId: string | null;
  actorName: string | null;
  sync: NotifiedSync | null;
  bulk: NotifiedBulkRun | null;
}

/**
 * The history entry a `dashboard_changed` notification is about, with what "Review changes"
 * needs to itemise it: the undo snapshot (the member's previous values) and the versions the
 * sync left. Only ever the notified member's own dashboard.
 */
export interface NotifiedSyncChanges {
  notificationId: string;
  kind: NotificationKind;
  syncRunId: string | null;
  /** Null when the notification is not about a sync (a bulk run's) or its entry is gone. */
  sync: {
    action: SyncAction;
    categories: string[];
    snapshot: unknown;
    /** `result.versionsAfter`: category → the version the sync left. */
    versionsAfter: Record<string, number>;
  } | null;
}

interface Row {
  id: string;
  kind: NotificationKind;
  created_at: Date;
  read_at: Date | null;
  sync_run_id: string | null;
  bulk_run_id: string | null;
  actor_id: string | null;
  actor_name: string | null;
  sync_action: SyncAction | null;
  sync_status: SyncStatus | null;
  sync_categories: string[] | null;
  snapshot_categories: string[] | null;
  result_categories: unknown;
  sync_message: string | null;
  owner_properties_only: boolean | null;
  sync_created_at: Date | null;
  reverted_by_sync_id: string | null;
  bulk_action: BulkAction | null;
  bulk_categories: string[] | null;
  bulk_dry_run: boolean | null;
  bulk_trigger: BulkTrigger | null;
  bulk_total: number | null;
  bulk_failed: number | null;
  bulk_team_id: string | null;
}

function toRecord(r: Row): NotificationRecord {
  return {
    id: r.id,
    kind: r.kind,
    createdAt: new Date(r.created_at),
    readAt: r.read_at === null ? null : new Date(r.read_at),
    syncRunId: r.sync_run_id,
    bulkRunId: r.bulk_run_id,
    actorId: r.actor_id,
    actorName: r.actor_name,
    sync:
      r.sync_action === null || r.sync_status === null || r.sync_created_at === null
        ? null
        : {
            action: r.sync_action,
            status: r.sync_status,
            categories: r.sync_categories ?? [],
            snapshotCategories: r.snapshot_categories ?? [],
            resultCategories: r.result_categories,
            message: r.sync_message,
            ownerPropertiesOnly: r.owner_properties_only ?? false,
            createdAt: new Date(r.sync_created_at),
            revertedBySyncId: r.reverted_by_sync_id,
          },
    bulk:
      r.bulk_action === null
        ? null
        : {
            action: r.bulk_action,
            categories: r.bulk_categories ?? [],
            dryRun: r.bulk_dry_run ?? false,
            trigger: r.bulk_trigger ?? 'manual',
            total: r.bulk_total ?? 0,
            failed: r.bulk_failed ?? 0,
            teamId: r.bulk_team_id,
          },
  };
}

function versionsOf(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(
      (e): e is [string, number] => typeof e[1] === 'number',
    ),
  );
}

/**
 * Notifications (issue 16, ADR 0016); rows are written by triggers, read and marked here. A user
 * reads and marks only their own: every statement has `user_id` in its WHERE clause.
 */
export class NotificationRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * A user's notifications, newest first, with the sync (what it did: action, categories,
   * counts and notes, never its snapshot's values) or the bulk run each is about, and who ran
   * it. `before`: the id of the last notification of the previous page.
   */
  async listForUser(
    userId: string,
    options: { limit: number; before?: string },
  ): Promise<NotificationRecord[]> {
    const cursor =
      options.before === undefined
        ? sql`true`
        : sql`(n.created_at, n.id) < (select c.created_at, c.id from notifications c
                                        where c.id = ${options.before} and c.user_id = ${userId})`;
    return this.select(userId, cursor, options.limit);
  }

  /** One of the user's notifications (another user's is not found). */
  async findForUser(userId: string, id: string): Promise<NotificationRecord | undefined> {
    const [record] = await this.select(userId, sql`n.id = ${id}`, 1);
    return record;
  }

  /**
   * One of the user's notifications with its sync's undo snapshot and `versionsAfter` (another
   * user's is not found). The sync must be of the user's own dashboard.
   */
  async findChangesForUser(userId: string, id: string): Promise<NotifiedSyncChanges | undefined> {
    const { rows } = await sql<{
      id: string;
      kind: NotificationKind;
      sync_run_id: string | null;
      action: SyncAction | null;
      categories: string[] | null;
      snapshot: unknown;
      versions_after: unknown;
    }>`
      select n.id, n.kind, n.sync_run_id, r.action, r.categories, r.snapshot,
             r.result -> 'versionsAfter' as versions_after
        from notifications n
        left join sync_runs r on r.id = n.sync_run_id and r.target_id = n.user_id
       where n.user_id = ${userId} and n.id = ${id}`.execute(this.db);
    const [row] = rows;
    if (!row) return undefined;
    return {
      notificationId: row.id,
      kind: row.kind,
      syncRunId: row.sync_run_id,
      sync:
        row.action === null
          ? null
          : {
              action: row.action,
              categories: row.categories ?? [],
              snapshot: row.snapshot,
              versionsAfter: versionsOf(row.versions_after),
            },
    };
  }

  async unreadCount(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('notifications')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    return row?.n ?? 0;
  }

  /** Marks one of the user's notifications read; false when the user has no such notification. */
  async markRead(userId: string, id: string): Promise<boolean> {
    const row = await this.db
      .updateTable('notifications')
      .set({ read_at: sql<Date>`coalesce(read_at, clock_timestamp())` })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Marks every unread notification of the user read; returns how many. */
  async markAllRead(userId: string): Promise<number> {
    const result = await this.db
      .updateTable('notifications')
      .set({ read_at: sql<Date>`clock_timestamp()` })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  private async select(
    userId: string,
    filter: RawBuilder<unknown>,
    limit: number,
  ): Promise<NotificationRecord[]> {
    const { rows } = await sql<Row>`
      select n.id, n.kind, n.created_at, n.read_at, n.sync_run_id, n.bulk_run_id,
             a.id as actor_id, a.name as actor_name,
             r.action as sync_action, r.status as sync_status, r.categories as sync_categories,
             case when jsonb_typeof(r.snapshot) = 'array' then
               array(select e.value ->> 'category'
                       from jsonb_array_elements(r.snapshot) with ordinality as e(value, i)
                      order by e.i)
             end as snapshot_categories,
             r.result -> 'categories' as result_categories,
             r.result ->> 'message' as sync_message,
             coalesce((r.result ->> 'ownerPropertiesOnly')::boolean, false)
               as owner_properties_only,
             r.created_at as sync_created_at, r.reverted_by_sync_id,
             b.action as bulk_action, b.categories as bulk_categories, b.dry_run as bulk_dry_run,
             b.trigger as bulk_trigger, b.total as bulk_total, b.failed as bulk_failed,
             b.team_id as bulk_team_id
        from notifications n
        left join sync_runs r on r.id = n.sync_run_id
        left join bulk_runs b on b.id = n.bulk_run_id
        left join users a on a.id = coalesce(r.actor_id, b.actor_id)
       where n.user_id = ${userId} and ${filter}
       order by n.created_at desc, n.id desc
       limit ${limit}`.execute(this.db);
    return rows.map(toRecord);
  }
}

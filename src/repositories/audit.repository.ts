import { sql, type Kysely, type Selectable } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type { AuditLogTable, DB } from '#src/db/schema.ts';
import {
  GENESIS_HASH,
  hashAuditEntry,
  type AuditEntryInput,
  type AuditHashInput,
} from '#src/domain/audit/audit-chain.ts';

/** A stored audit entry, as read back: every field its hash covers, plus its place in the chain. */
export interface StoredAuditEntry extends AuditHashInput {
  id: number;
  prevHash: string;
  hash: string;
}

/** Who an entry names (actor or target), as a person reads them; name and email null if gone. */
export interface AuditPerson {
  id: string;
  name: string | null;
  email: string | null;
}

/** A stored entry for reading (the audit log API and its export): people named, not just ids. */
export interface AuditLogRecord extends StoredAuditEntry {
  actor: AuditPerson | null;
  target: AuditPerson | null;
}

/** What the audit log can be filtered by; every field optional, all of them combined with AND. */
export interface AuditLogFilter {
  actorId?: string;
  targetId?: string;
  action?: string;
  /** Entries at or after this instant. */
  since?: Date;
  /** Entries before this instant. */
  until?: Date;
}

/** The head of an organization's chain: its newest entry. */
export interface AuditChainHeadRecord {
  organizationId: string;
  id: number;
  hash: string;
  occurredAt: Date;
}

/**
 * Advisory lock class for audit appends (first key of the two-key form); the second key is the
 * organization id hashed to int4. A collision between two organizations only serialises them.
 */
const AUDIT_APPEND_LOCK_CLASS = 0x41554454; // 'AUDT'

const COLUMNS = [
  'id',
  'organization_id',
  'occurred_at',
  'actor_id',
  'target_id',
  'action',
  'outcome',
  'categories',
  'details',
  'request_id',
  'prev_hash',
  'hash',
] as const;

/** The append-only, hash-chained audit log (SPEC §6). Rows are never updated or deleted. */
export class AuditRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Appends one entry to its organization's chain. The transaction-scoped advisory lock makes
   * concurrent appends for one organization take turns, so each reads the head the previous one
   * committed and the chain cannot fork. This relies on READ COMMITTED (the default): under
   * REPEATABLE READ a snapshot taken before the lock could miss the latest head. Called outside a
   * transaction, it opens its own, since the lock lives only as long as one.
   */
  async append(
    entry: AuditEntryInput & { occurredAt: Date },
  ): Promise<{ id: number; hash: string }> {
    const [appended] = await this.appendMany(entry.organizationId, [entry]);
    if (!appended) throw new Error('audit append returned no row');
    return appended;
  }

  /**
   * Appends entries of one organization, in order, under one take of the organization's lock:
   * a bulk batch chains all its members' entries with one lock, one head read and one insert.
   */
  async appendMany(
    organizationId: string,
    entries: readonly (AuditEntryInput & { occurredAt: Date })[],
  ): Promise<{ id: number; hash: string }[]> {
    if (entries.length === 0) return [];
    if (entries.some((e) => e.organizationId !== organizationId)) {
      throw new Error('appendMany takes the entries of one organization');
    }
    if (!this.db.isTransaction) {
      return this.db
        .transaction()
        .execute((trx) => new AuditRepository(trx).appendMany(organizationId, entries));
    }
    await sql`select pg_advisory_xact_lock(${AUDIT_APPEND_LOCK_CLASS}::int4, hashtext(${organizationId}))`.execute(
      this.db,
    );
    const head = await this.db
      .selectFrom('audit_log')
      .select('hash')
      .where('organization_id', '=', organizationId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    let prevHash = head?.hash ?? GENESIS_HASH;
    const values = entries.map((entry) => {
      const hash = hashAuditEntry(prevHash, entry);
      const row = {
        organization_id: entry.organizationId,
        occurred_at: entry.occurredAt,
        actor_id: entry.actorId,
        target_id: entry.targetId,
        action: entry.action,
        outcome: entry.outcome,
        categories: entry.categories,
        details: toJson(entry.details),
        request_id: entry.requestId,
        prev_hash: prevHash,
        hash,
      };
      prevHash = hash;
      return row;
    });
    // Ids come from the sequence in VALUES order, so the chain's order is the ids' order.
    return this.db.insertInto('audit_log').values(values).returning(['id', 'hash']).execute();
  }

  /** One page of an organization's entries, oldest first, after `afterId` if given. */
  async listByOrganization(
    organizationId: string,
    page: { afterId?: number; limit: number },
  ): Promise<StoredAuditEntry[]> {
    let query = this.db
      .selectFrom('audit_log')
      .select(COLUMNS)
      .where('organization_id', '=', organizationId);
    if (page.afterId !== undefined) query = query.where('id', '>', page.afterId);
    const rows = await query.orderBy('id').limit(page.limit).execute();
    return rows.map(toStored);
  }

  /** Every entry of an organization, oldest first, with what is needed to recompute its hash. */
  async allForVerification(organizationId: string): Promise<StoredAuditEntry[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .select(COLUMNS)
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute();
    return rows.map(toStored);
  }

  /**
   * One page of entries matching `filter`, with actor and target names, newest first (keyset on
   * id: `beforeId` is the last id of the previous page) or oldest first (`afterId`). The people
   * are joined within the entry's organization, so another organization's user is never named.
   */
  async listFiltered(
    organizationId: string,
    filter: AuditLogFilter,
    page: { order: 'newest' | 'oldest'; beforeId?: number; afterId?: number; limit: number },
  ): Promise<AuditLogRecord[]> {
    let query = this.db
      .selectFrom('audit_log as a')
      .leftJoin('users as actor', (join) =>
        join
          .onRef('actor.id', '=', 'a.actor_id')
          .onRef('actor.organization_id', '=', 'a.organization_id'),
      )
      .leftJoin('users as target', (join) =>
        join
          .onRef('target.id', '=', 'a.target_id')
          .onRef('target.organization_id', '=', 'a.organization_id'),
      )
      .select(COLUMNS.map((column) => `a.${column}` as const))
      .select([
        'actor.name as actor_name',
        'actor.email as actor_email',
        'target.name as target_name',
        'target.email as target_email',
      ])
      .where('a.organization_id', '=', organizationId);
    if (filter.actorId !== undefined) query = query.where('a.actor_id', '=', filter.actorId);
    if (filter.targetId !== undefined) query = query.where('a.target_id', '=', filter.targetId);
    if (filter.action !== undefined) query = query.where('a.action', '=', filter.action);
    if (filter.since !== undefined) query = query.where('a.occurred_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('a.occurred_at', '<', filter.until);
    if (page.beforeId !== undefined) query = query.where('a.id', '<', page.beforeId);
    if (page.afterId !== undefined) query = query.where('a.id', '>', page.afterId);
    const rows = await query
      .orderBy('a.id', page.order === 'newest' ? 'desc' : 'asc')
      .limit(page.limit)
      .execute();
    return rows.map((row) => ({
      ...toStored(row),
      actor:
        row.actor_id === null
          ? null
          : { id: row.actor_id, name: row.actor_name, email: row.actor_email },
      target:
        row.target_id === null
          ? null
          : { id: row.target_id, name: row.target_name, email: row.target_email },
    }));
  }

  /** The newest entry of an organization's chain; undefined while it has none. */
  async head(organizationId: string): Promise<AuditChainHeadRecord | undefined> {
    const row = await this.db
      .selectFrom('audit_log')
      .select(['organization_id', 'id', 'hash', 'occurred_at'])
      .where('organization_id', '=', organizationId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toHead(row);
  }

  /**
   * The `position`-th entry (1 = the oldest) of an organization's chain: the head of the chain
   * as it stood when it had `position` entries. Entries are never deleted, so it does not move.
   */
  async entryAt(
    organizationId: string,
    position: number,
  ): Promise<AuditChainHeadRecord | undefined> {
    if (position < 1) return undefined;
    const row = await this.db
      .selectFrom('audit_log')
      .select(['organization_id', 'id', 'hash', 'occurred_at'])
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .offset(position - 1)
      .limit(1)
      .executeTakeFirst();
    return row && toHead(row);
  }

  /** The newest entry before `id` in an organization's chain; undefined if there is none. */
  async entryBefore(organizationId: string, id: number): Promise<AuditChainHeadRecord | undefined> {
    const row = await this.db
      .selectFrom('audit_log')
      .select(['organization_id', 'id', 'hash', 'occurred_at'])
      .where('organization_id', '=', organizationId)
      .where('id', '<', id)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toHead(row);
  }

  /** Every organization's chain head, in one statement (the scheduled head log). */
  async allHeads(): Promise<AuditChainHeadRecord[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .distinctOn('organization_id')
      .select(['organization_id', 'id', 'hash', 'occurred_at'])
      .orderBy('organization_id')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toHead);
  }
}

function toHead(row: {
  organization_id: string;
  id: number;
  hash: string;
  occurred_at: Date;
}): AuditChainHeadRecord {
  return {
    organizationId: row.organization_id,
    id: row.id,
    hash: row.hash,
    occurredAt: row.occurred_at,
  };
}

function toStored(row: Selectable<AuditLogTable>): StoredAuditEntry {
  return {
    id: row.id,
    organizationId: row.organization_id,
    occurredAt: row.occurred_at,
    actorId: row.actor_id,
    targetId: row.target_id,
    action: row.action,
    outcome: row.outcome,
    categories: row.categories,
    details: row.details,
    requestId: row.request_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

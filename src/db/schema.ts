import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ApiTokenScope } from '#src/domain/contracts/api-tokens.contract.ts';
import type { SyncAction, SyncStatus } from '#src/domain/contracts/members.contract.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';
import type { CategoryKey } from '#src/domain/settings/categories.ts';

/** Kysely table types, kept by hand in step with migrations/ (checked by the migration tests). */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** jsonb: written as a JSON string (see db/json.ts), read back parsed. */
type Json<T> = ColumnType<T, string, string>;
type JsonWithDefault<T> = ColumnType<T, string | undefined, string>;

/** Transient notes of which organizations a transaction changed (emptied at its commit, ADR 0015). */
export interface MemberListTouchesTable {
  tx: string;
  organization_id: string;
}

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  created_at: CreatedAt;
  /** Moved forward at the commit of every change to what a member-table page shows (ADR 0015). */
  member_list_version: Generated<string>;
}

export interface UsersTable {
  id: Generated<string>;
  organization_id: string;
  email: string;
  name: string;
  password_hash: string | null;
  role: Role;
  status: UserStatus;
  /** The identity provider's id of the user (SCIM `externalId`), unique in the organization. */
  scim_external_id: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface TeamsTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  created_at: CreatedAt;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  organization_id: string;
  /** `lower(users.name)` under the "C" collation, kept by triggers: the member list's order. */
  name_key: ColumnType<string, never, never>;
  created_at: CreatedAt;
}

export interface DashboardsTable {
  user_id: string;
  organization_id: string;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface DashboardSettingsTable {
  user_id: string;
  category: CategoryKey;
  document: ColumnType<unknown, string | null, string | null>;
  version: Generated<number>;
  updated_at: Timestamp;
}

export interface PropertyOptionRow {
  label: string;
  value: string;
}

export interface CustomPropertiesTable {
  id: Generated<string>;
  user_id: string;
  crm: CrmKey;
  object: 'deal' | 'contact' | 'company';
  name: string;
  label: string;
  type: 'string' | 'number' | 'date' | 'bool' | 'enumeration';
  options: JsonWithDefault<PropertyOptionRow[]>;
  owner_property: Generated<boolean>;
  position: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PipelineStagesTable {
  id: Generated<string>;
  user_id: string;
  internal_id: string;
  name: string;
  position: number;
  probability: number;
  crm_stage_mappings: JsonWithDefault<Partial<Record<CrmKey, string>>>;
  synced: Generated<boolean>;
  synced_at: Date | null;
  synced_from_user_id: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface SalesforceRecordTypesTable {
  id: Generated<string>;
  user_id: string;
  record_type_id: string;
  name: string;
  developer_name: string;
  stage_internal_ids: JsonWithDefault<string[]>;
  is_active: Generated<boolean>;
  position: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CrmConnectionsTable {
  user_id: string;
  crm: CrmKey;
  /** The sealed secrets of a pasted key; all four null when the connection is an OAuth grant's. */
  key_id: string | null;
  nonce: Uint8Array | null;
  ciphertext: Uint8Array | null;
  auth_tag: Uint8Array | null;
  secret_hint: string;
  instance: JsonWithDefault<Record<string, unknown>>;
  /** fingerprintJson of the secrets (of the grant id for OAuth); null until backfilled. */
  fingerprint: string | null;
  /** The OAuth grant this connection uses (ADR 0014); null for a pasted key. */
  grant_id: string | null;
  status: Generated<CrmConnectionStatus>;
  status_detail: string | null;
  checked_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type CrmConnectionStatus = 'connected' | 'reconnect_needed';

/** An invitation of an `invited` user: the token only as its SHA-256 hash (issue 13). */
export interface InvitationsTable {
  id: Generated<string>;
  organization_id: string;
  user_id: string;
  token_hash: string;
  expires_at: Date;
  invited_by: string | null;
  accepted_at: Date | null;
  revoked_at: Date | null;
  sent_count: Generated<number>;
  last_sent_at: Date | null;
  created_at: CreatedAt;
}

/** An organization's SCIM bearer token (stored hashed; `token_hint`: its last 4 characters). */
export interface ScimTokensTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  token_hash: string;
  token_hint: string;
  created_by: string | null;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** A personal API token (issue 15): only its SHA-256 and last 4 characters are kept. */
export interface ApiTokensTable {
  id: Generated<string>;
  organization_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  token_hint: string;
  scopes: ApiTokenScope[];
  created_at: CreatedAt;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Mail kept instead of sent (demo mode without SMTP), for the dev-only outbox page. */
export interface MailOutboxTable {
  /** A bigserial: read as a number (int8, src/db/database.ts). */
  id: Generated<number>;
  organization_id: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  created_at: CreatedAt;
}

/** One OAuth grant, shared by every connection made from it (ADR 0014). */
export interface CrmGrantsTable {
  id: Generated<string>;
  organization_id: string;
  crm: CrmKey;
  key_id: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  auth_tag: Uint8Array;
  secret_hint: string;
  instance: JsonWithDefault<Record<string, unknown>>;
  scopes: Generated<string[]>;
  access_expires_at: Date | null;
  status: Generated<'active' | 'revoked'>;
  connected_by: string | null;
  refreshed_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** A pending "Connect <CRM>" authorization (single use, bound to its session). */
export interface OAuthStatesTable {
  state_hash: string;
  session_id: string;
  user_id: string;
  crm: CrmKey;
  redirect_uri: string;
  key_id: string | null;
  nonce: Uint8Array | null;
  ciphertext: Uint8Array | null;
  auth_tag: Uint8Array | null;
  context: JsonWithDefault<Record<string, string>>;
  expires_at: Date;
  created_at: CreatedAt;
}

/** Declared once with the API contract (the history and the member table show them). */
export type { SyncAction, SyncStatus };

export interface SyncRunsTable {
  id: Generated<string>;
  organization_id: string;
  actor_id: string | null;
  target_id: string | null;
  source_user_id: string | null;
  action: SyncAction;
  categories: ColumnType<string[], string[] | undefined, string[]>;
  status: SyncStatus;
  result: JsonWithDefault<unknown>;
  snapshot: ColumnType<unknown, string | null | undefined, string | null>;
  reverts_sync_id: string | null;
  reverted_by_sync_id: string | null;
  error_code: string | null;
  request_id: string | null;
  created_at: CreatedAt;
  finished_at: Date | null;
  /** Apply order: taken at insert, under the target's lock. */
  seq: ColumnType<number, never, never>;
  /** The bulk run this entry belongs to (one applied entry per run and member). */
  bulk_run_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export type BulkAction = 'sync_settings' | 'sync_crm' | 'revert';
export type BulkRunStatus = 'queued' | 'running' | 'completed' | 'cancelled';
export type BulkMemberStatus = 'pending' | 'applied' | 'unchanged' | 'failed' | 'cancelled';

export interface BulkRunsTable {
  id: Generated<string>;
  organization_id: string;
  actor_id: string;
  action: BulkAction;
  categories: ColumnType<string[], string[] | undefined, string[]>;
  dry_run: ColumnType<boolean, boolean | undefined, boolean>;
  status: BulkRunStatus;
  total: number;
  done: ColumnType<number, number | undefined, number>;
  applied: ColumnType<number, number | undefined, number>;
  unchanged: ColumnType<number, number | undefined, number>;
  failed: ColumnType<number, number | undefined, number>;
  cancelled: ColumnType<number, number | undefined, number>;
  batch_size: number;
  batches: number;
  team_id: string | null;
  retry_of: string | null;
  reverts_run_id: ColumnType<string | null, string | null | undefined, string | null>;
  cancel_requested_at: Date | null;
  request_id: string | null;
  created_at: CreatedAt;
  started_at: Date | null;
  finished_at: Date | null;
  seq: ColumnType<number, never, never>;
  /** `follow`: a follow push or a member's arrival on a following team (issue 16). */
  trigger: ColumnType<BulkTrigger, BulkTrigger | undefined, BulkTrigger>;
}

export type BulkTrigger = 'manual' | 'follow';
export type PolicyMode = 'manual' | 'follow';
export type FollowState = 'overridden' | 'paused';
export type NotificationKind = 'dashboard_changed' | 'bulk_failed' | 'follow_failed';

/** Per team × category: manual, or follow a source admin (optionally locked); ADR 0016. */
export interface TeamCategoryPoliciesTable {
  team_id: string;
  organization_id: string;
  category: string;
  mode: PolicyMode;
  source_user_id: string | null;
  locked: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  updated_by: string | null;
}

/** A member's exception to following one category (ADR 0016). */
export interface MemberCategoryStatesTable {
  user_id: string;
  category: string;
  state: FollowState;
  since: ColumnType<Date, Date | undefined, Date>;
  set_by: string | null;
}

/** In-app notifications, written by triggers on sync_runs and bulk_runs (ADR 0016). */
export interface NotificationsTable {
  id: Generated<string>;
  organization_id: string;
  user_id: string;
  kind: NotificationKind;
  sync_run_id: string | null;
  bulk_run_id: string | null;
  created_at: CreatedAt;
  read_at: Date | null;
  emailed_at: Date | null;
}

/** Per user: whether unread notifications are mailed as a digest (issue 16). */
export interface NotificationPreferencesTable {
  user_id: string;
  email_digest: boolean;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface CrmRateBudgetsTable {
  budget_key: string;
  window_started_at: Date;
  used: number;
}

/** Drift kept per source × member, valid while both dashboards' versions match (ADR 0013). */
export interface DriftCacheTable {
  source_id: string;
  target_id: string;
  source_version: number;
  target_version: number;
  rules_version: number;
  drift: ColumnType<Record<string, 'in_sync' | 'differs'>, string, string>;
  drift_count: number;
  computed_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface BulkRunMembersTable {
  run_id: string;
  member_id: string;
  position: number;
  batch: number;
  status: ColumnType<BulkMemberStatus, BulkMemberStatus | undefined, BulkMemberStatus>;
  error_code: string | null;
  sync_run_id: string | null;
  counts: ColumnType<unknown, string | null | undefined, string | null>;
  finished_at: Date | null;
}

export interface AuditLogTable {
  id: ColumnType<number, never, never>;
  organization_id: string;
  occurred_at: ColumnType<Date, Date | string | undefined, never>;
  actor_id: string | null;
  target_id: string | null;
  action: string;
  outcome: string;
  categories: ColumnType<string[], string[] | undefined, never>;
  details: Json<Record<string, unknown>>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  route: string;
  request_hash: string;
  status: number | null;
  response: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: CreatedAt;
  claim_token: string | null;
  lease_expires_at: Date | null;
  expires_at: ColumnType<Date, Date | undefined, Date>;
}

export interface LoginFailuresTable {
  id: ColumnType<number, never, never>;
  account: string;
  address: string;
  failed_at: Date;
}

export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  dashboards: DashboardsTable;
  dashboard_settings: DashboardSettingsTable;
  custom_properties: CustomPropertiesTable;
  pipeline_stages: PipelineStagesTable;
  salesforce_record_types: SalesforceRecordTypesTable;
  crm_connections: CrmConnectionsTable;
  crm_grants: CrmGrantsTable;
  invitations: InvitationsTable;
  scim_tokens: ScimTokensTable;
  api_tokens: ApiTokensTable;
  mail_outbox: MailOutboxTable;
  oauth_states: OAuthStatesTable;
  sync_runs: SyncRunsTable;
  audit_log: AuditLogTable;
  sessions: SessionsTable;
  idempotency_keys: IdempotencyKeysTable;
  login_failures: LoginFailuresTable;
  bulk_runs: BulkRunsTable;
  bulk_run_members: BulkRunMembersTable;
  crm_rate_budgets: CrmRateBudgetsTable;
  drift_cache: DriftCacheTable;
  member_list_touches: MemberListTouchesTable;
  team_category_policies: TeamCategoryPoliciesTable;
  member_category_states: MemberCategoryStatesTable;
  notifications: NotificationsTable;
  notification_preferences: NotificationPreferencesTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type OrganizationRow = Omit<Selectable<OrganizationsTable>, 'member_list_version'>;
export type TeamRow = Selectable<TeamsTable>;
export type CrmConnectionRow = Selectable<CrmConnectionsTable>;

import type { Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import { ApiTokenRepository } from '#src/repositories/api-token.repository.ts';
import { AuditRepository } from '#src/repositories/audit.repository.ts';
import { BulkRunRepository } from '#src/repositories/bulk-run.repository.ts';
import { JobSqlRepository } from '#src/repositories/job-sql.repository.ts';
import { RateBudgetRepository } from '#src/repositories/rate-budget.repository.ts';
import { CrmConnectionRepository } from '#src/repositories/crm-connection.repository.ts';
import { CrmGrantRepository } from '#src/repositories/crm-grant.repository.ts';
import { OAuthStateRepository } from '#src/repositories/oauth-state.repository.ts';
import { InvitationRepository } from '#src/repositories/invitation.repository.ts';
import { MailOutboxRepository } from '#src/repositories/mail-outbox.repository.ts';
import { ScimTokenRepository } from '#src/repositories/scim-token.repository.ts';
import { SealedSecretRepository } from '#src/repositories/sealed-secret.repository.ts';
import { DashboardRepository } from '#src/repositories/dashboard.repository.ts';
import { DriftCacheRepository } from '#src/repositories/drift-cache.repository.ts';
import { MemberRepository } from '#src/repositories/member.repository.ts';
import { IdempotencyRepository } from '#src/repositories/idempotency.repository.ts';
import { LoginFailureRepository } from '#src/repositories/login-failure.repository.ts';
import { SessionRepository } from '#src/repositories/session.repository.ts';
import { SyncRunRepository } from '#src/repositories/sync-run.repository.ts';
import { OrganizationRepository } from '#src/repositories/organization.repository.ts';
import { TeamRepository } from '#src/repositories/team.repository.ts';
import { UserRepository } from '#src/repositories/user.repository.ts';
import { NotificationRepository } from '#src/repositories/notification.repository.ts';
import { NotificationDigestRepository } from '#src/repositories/notification-digest.repository.ts';
import { PolicyRepository } from '#src/repositories/policy.repository.ts';

/** Every repository, bound to one connection or one transaction. */
export interface Repositories {
  organizations: OrganizationRepository;
  users: UserRepository;
  teams: TeamRepository;
  dashboards: DashboardRepository;
  crmConnections: CrmConnectionRepository;
  crmGrants: CrmGrantRepository;
  oauthStates: OAuthStateRepository;
  invitations: InvitationRepository;
  mailOutbox: MailOutboxRepository;
  scimTokens: ScimTokenRepository;
  apiTokens: ApiTokenRepository;
  audit: AuditRepository;
  syncRuns: SyncRunRepository;
  sessions: SessionRepository;
  members: MemberRepository;
  idempotency: IdempotencyRepository;
  loginFailures: LoginFailureRepository;
  bulkRuns: BulkRunRepository;
  jobs: JobSqlRepository;
  rateBudgets: RateBudgetRepository;
  driftCache: DriftCacheRepository;
  sealedSecrets: SealedSecretRepository;
  policies: PolicyRepository;
  notifications: NotificationRepository;
  notificationDigests: NotificationDigestRepository;
}

export function createRepositories(db: Kysely<DB>): Repositories {
  return {
    organizations: new OrganizationRepository(db),
    users: new UserRepository(db),
    teams: new TeamRepository(db),
    dashboards: new DashboardRepository(db),
    crmConnections: new CrmConnectionRepository(db),
    crmGrants: new CrmGrantRepository(db),
    oauthStates: new OAuthStateRepository(db),
    invitations: new InvitationRepository(db),
    mailOutbox: new MailOutboxRepository(db),
    scimTokens: new ScimTokenRepository(db),
    apiTokens: new ApiTokenRepository(db),
    audit: new AuditRepository(db),
    syncRuns: new SyncRunRepository(db),
    sessions: new SessionRepository(db),
    members: new MemberRepository(db),
    idempotency: new IdempotencyRepository(db),
    loginFailures: new LoginFailureRepository(db),
    bulkRuns: new BulkRunRepository(db),
    jobs: new JobSqlRepository(db),
    rateBudgets: new RateBudgetRepository(db),
    driftCache: new DriftCacheRepository(db),
    sealedSecrets: new SealedSecretRepository(db),
    policies: new PolicyRepository(db),
    notifications: new NotificationRepository(db),
    notificationDigests: new NotificationDigestRepository(db),
  };
}

/**
 * How services get repositories: `read` outside a transaction, `transaction` for a use case
 * that writes (one transaction per use case). Services never see Kysely.
 */
export interface UnitOfWork {
  read: Repositories;
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
}

export function createUnitOfWork(db: Kysely<DB>): UnitOfWork {
  return {
    read: createRepositories(db),
    transaction: (work) => db.transaction().execute((trx) => work(createRepositories(trx))),
  };
}

/**
 * The one error type services throw (ENGINEERING.md §3). Codes are stable and public (SPEC §5);
 * the HTTP layer maps them to statuses in exactly one table.
 */
export const ERROR_CODES = [
  'target_not_found',
  'dashboard_missing',
  'forbidden',
  'invalid_request',
  'unauthenticated',
  'csrf_failed',
  'token_scope',
  'version_conflict',
  'already_reverted',
  'idempotency_key_reused',
  'idempotency_in_progress',
  'setup_incomplete',
  'rate_limited',
  'not_found',
  'bulk_run_finished',
  'nothing_to_retry',
  'nothing_to_revert',
  'nothing_to_sync',
  'bulk_run_in_progress',
  'email_taken',
  'invite_expired',
  'team_name_taken',
  'oauth_not_configured',
  'oauth_state_invalid',
  'oauth_denied',
  'crm_oauth_failed',
  'category_locked',
  'restore_expired',
  'database_unavailable',
  'service_unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const HTTP_STATUS_BY_CODE = {
  target_not_found: 404,
  dashboard_missing: 409,
  forbidden: 403,
  invalid_request: 400,
  unauthenticated: 401,
  csrf_failed: 403,
  token_scope: 403,
  version_conflict: 409,
  already_reverted: 409,
  idempotency_key_reused: 422,
  idempotency_in_progress: 409,
  setup_incomplete: 409,
  rate_limited: 429,
  not_found: 404,
  bulk_run_finished: 409,
  nothing_to_retry: 409,
  nothing_to_revert: 409,
  nothing_to_sync: 409,
  bulk_run_in_progress: 409,
  email_taken: 409,
  invite_expired: 410,
  team_name_taken: 409,
  oauth_not_configured: 409,
  oauth_state_invalid: 400,
  oauth_denied: 400,
  crm_oauth_failed: 502,
  category_locked: 403,
  restore_expired: 410,
  database_unavailable: 503,
  service_unavailable: 503,
  internal: 500,
} as const satisfies Record<ErrorCode, number>;

import type { FieldProblem } from '#src/domain/settings/issue-messages.ts';
import { ApiError } from '#src/web/lib/api-client.ts';

/**
 * Every failure in plain language (SPEC §5, the guide's "Common issues"): a headline, the
 * server's own explanation when it adds something, and the guide's advice on what to do next.
 */
export interface PlainError {
  title: string;
  detail: string | null;
  advice: string | null;
}

export function describeError(error: unknown): PlainError {
  if (!(error instanceof ApiError)) {
    return {
      title: 'Something went wrong.',
      detail: error instanceof Error ? error.message : null,
      advice: 'Try again. If it keeps happening, reload the page.',
    };
  }
  const detail = error.detail;
  switch (error.code) {
    case 'target_not_found':
      return {
        title: 'The target user is missing.',
        detail: null,
        advice: 'Confirm the user is provisioned in the same organization.',
      };
    case 'dashboard_missing':
      return {
        title: "This user hasn't finished setup yet, so settings can't be pushed.",
        detail: detail.startsWith('You ') ? detail : null,
        advice:
          'The user dashboard is missing. The account may need provisioning or setup completion before settings can be pushed.',
      };
    case 'forbidden':
      return { title: "You can't do that.", detail, advice: null };
    case 'token_scope':
      return { title: "This API token can't do that.", detail, advice: null };
    case 'invalid_request':
      return { title: "That request isn't valid.", detail, advice: null };
    case 'unauthenticated':
      return {
        title: 'Your session has ended.',
        detail: null,
        advice: 'Log in again to continue.',
      };
    case 'csrf_failed':
      return {
        title: 'The request was missing its security token.',
        detail: null,
        advice: 'Reload the page and try again.',
      };
    case 'version_conflict':
      return { title: 'Those settings changed in the meantime.', detail, advice: null };
    case 'already_reverted':
      return {
        title: 'This sync was already reverted.',
        detail: null,
        advice: 'Reload the history to see the revert.',
      };
    case 'idempotency_in_progress':
      return {
        title: 'That sync is still running.',
        detail: null,
        advice: 'Wait for the sync to finish.',
      };
    case 'idempotency_key_reused':
      return { title: "That request couldn't be repeated.", detail, advice: 'Try again.' };
    case 'setup_incomplete':
      return {
        title: "This user hasn't finished setting up their account.",
        detail,
        advice: 'They become active when they complete setup.',
      };
    case 'database_unavailable':
    case 'service_unavailable':
      return {
        title: 'Ergo is briefly unavailable.',
        detail: null,
        advice: 'Nothing was changed. Try again in a moment.',
      };
    case 'rate_limited':
      return { title: 'Too many attempts.', detail, advice: 'Wait a minute, then try again.' };
    case 'not_found':
      return { title: 'Not found.', detail, advice: null };
    case 'bulk_run_finished':
      return { title: 'This run has already finished.', detail, advice: null };
    case 'bulk_run_in_progress':
      return {
        title: 'This run is still in progress.',
        detail,
        advice: 'Wait for it to finish, or cancel it.',
      };
    case 'nothing_to_retry':
      return { title: 'Nothing to retry.', detail, advice: null };
    case 'nothing_to_revert':
      return { title: 'Nothing to revert.', detail, advice: null };
    case 'nothing_to_sync':
      return { title: 'Everyone is already in sync.', detail, advice: null };
    case 'email_taken':
      return { title: 'That email already has an account.', detail, advice: null };
    case 'invite_expired':
      return {
        title: 'This invitation has expired or was already used.',
        detail,
        advice: 'Ask your admin to send a new invitation.',
      };
    case 'team_name_taken':
      return {
        title: 'A team with that name already exists.',
        detail,
        advice: 'Pick another name, or use the existing team.',
      };
    case 'oauth_not_configured':
      return {
        title: 'Connect with OAuth is not set up here.',
        detail,
        advice: 'Paste a key instead.',
      };
    case 'oauth_state_invalid':
      return { title: 'That sign-in expired.', detail, advice: null };
    case 'oauth_denied':
      return { title: 'Access was not allowed.', detail, advice: null };
    case 'crm_oauth_failed':
      return { title: 'The CRM did not complete the sign-in.', detail, advice: 'Try again.' };
    case 'category_locked':
      return {
        title: 'Your admin locked this category.',
        detail,
        advice: 'Nothing was changed. Your admin decides these settings for your team.',
      };
    case 'restore_expired':
      return {
        title: 'This change can no longer be restored.',
        detail,
        advice: null,
      };
    case 'internal':
      return {
        title: 'Something went wrong on our side.',
        detail: detail.startsWith('Something went wrong') ? null : detail,
        advice: 'Try again. If it persists, contact support.',
      };
  }
}

/** One line for a toast. */
export function errorSummary(error: unknown): string {
  const plain = describeError(error);
  return [plain.title, plain.detail, plain.advice].filter(Boolean).join(' ');
}

/**
 * The per-field sentences of a refused value (the problem's `errors`, issue-messages.ts), so a
 * form can put the server's words under its fields; [] for any other error.
 */
export function fieldProblemsOf(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError) || error.code !== 'invalid_request') return [];
  const errors = error.body.errors;
  if (!Array.isArray(errors)) return [];
  return errors.filter(
    (e): e is FieldProblem =>
      typeof e === 'object' &&
      e !== null &&
      typeof (e as FieldProblem).path === 'string' &&
      typeof (e as FieldProblem).message === 'string',
  );
}

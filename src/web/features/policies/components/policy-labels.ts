import type { FollowResumed } from '#src/web/features/policies/api/resume-follow.ts';

/** The words of issue 16, the same on every screen (team policies, member table, My settings). */
export const LOCK_LABEL = 'Locked: members cannot change it';
export const PAUSED_LABEL = 'Follow paused after a revert';
export const OVERRIDDEN_LABEL = 'Overridden';
export const RESET_LABEL = "Reset to the admin's settings";
export const OVERRIDDEN_NOTICE =
  "You changed this category: your admin's changes are not applied to it";

/** The toast after an admin's "Resume" or "Reset to the admin's settings". */
export function resumedToast(name: string, label: string, resumed: FollowResumed) {
  return {
    tone: 'success' as const,
    title: `${name} follows ${label} again.`,
    body: resumed.bulkRunId
      ? 'The admin’s settings are being applied to their dashboard.'
      : 'Their dashboard already has the admin’s settings.',
  };
}

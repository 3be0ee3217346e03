import type { MemberRow } from '#src/web/features/members/api/get-team-members.ts';

/** A change to a member that asks first (the Admin member table and All members). */
export type MemberChange =
  | { kind: 'promote' | 'demote' | 'deactivate' | 'reactivate'; member: MemberRow }
  | { kind: 'remove'; member: MemberRow; team: { name: string } };

/**
 * The confirmation's words for a member change, written once for both lists. `page`: where the
 * member is shown ("No team" is a filter of All members, so the Admin table names that page).
 */
export function memberChangeCopy(
  change: MemberChange | null,
  page: 'all_members' | 'team_table',
): { title: string; description: string; confirmLabel: string; tone?: 'primary' } {
  if (!change) return { title: '', description: '', confirmLabel: '' };
  const name = change.member.name;
  switch (change.kind) {
    case 'promote':
      return {
        title: `Make ${name} an admin?`,
        description: `${name} will be able to run Sync CRM and Sync Settings to User, and to manage members, roles and teams.`,
        confirmLabel: 'Make admin',
        tone: 'primary',
      };
    case 'demote':
      return {
        title: `Make ${name} a member?`,
        description: `${name} will no longer be able to sync settings or manage members.`,
        confirmLabel: 'Make member',
      };
    case 'deactivate':
      return {
        title: `Deactivate ${name}?`,
        description: `${name} is signed out at once and can't log in until an admin reactivates their access. Their dashboard is kept.`,
        confirmLabel: 'Deactivate',
      };
    case 'reactivate':
      return {
        title: `Reactivate ${name}?`,
        description: `${name} can log in again with their password.`,
        confirmLabel: 'Reactivate',
        tone: 'primary',
      };
    case 'remove':
      return change.member.teams.length <= 1
        ? {
            title: `Remove ${name} from ${change.team.name}?`,
            description: `This is ${name}'s last team. They stay in your organization and keep their dashboard, and are listed under "No team"${page === 'team_table' ? ' in All members' : ''}.`,
            confirmLabel: 'Remove from last team',
          }
        : {
            title: `Remove ${name} from ${change.team.name}?`,
            description: `${name} stays in your organization and keeps their dashboard; they are only taken off this team.`,
            confirmLabel: 'Remove from team',
          };
  }
}

import { Button } from '#src/web/components/ui/button.tsx';
import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { AllMembers } from '#src/web/features/members/components/all-members.tsx';

/**
 * All members: the whole organization, with the "No team" filter. Composes the members feature
 * (and the invitations feature's dialog once it exists).
 */
export function AllMembersRoute({ me }: { me: Me }) {
  return (
    <div className="page">
      <PageHeader
        title="All members"
        description="Everyone in your organization, on a team or not. Members on no team are listed under “No team”."
        actions={
          // TODO(issue 13, invitations): open InviteMemberDialog from
          // #src/web/features/invitations/components/invite-member-dialog.tsx once it exists.
          <Button variant="primary" hidden>
            Invite member
          </Button>
        }
      />
      <AllMembers currentUserId={me.user.id} />
    </div>
  );
}

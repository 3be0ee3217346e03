import { useState } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { InviteMemberDialog } from '#src/web/features/invitations/components/invite-member-dialog.tsx';
import { useTeams } from '#src/web/features/members/api/get-teams.ts';
import { AllMembers } from '#src/web/features/members/components/all-members.tsx';

/**
 * All members: the whole organization, with the "No team" filter, and "Invite member". Composes
 * the members and invitations features.
 */
export function AllMembersRoute({ me }: { me: Me }) {
  const [inviting, setInviting] = useState(false);
  const teams = useTeams();
  return (
    <div className="page">
      <PageHeader
        title="All members"
        description="Everyone in your organization, on a team or not. Members on no team are listed under “No team”."
        actions={
          <Button
            variant="primary"
            onClick={() => {
              setInviting(true);
            }}
          >
            Invite member
          </Button>
        }
      />
      <AllMembers currentUserId={me.user.id} />
      <InviteMemberDialog open={inviting} onOpenChange={setInviting} teams={teams.data ?? []} />
    </div>
  );
}

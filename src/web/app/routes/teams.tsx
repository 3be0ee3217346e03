import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { TeamsManager } from '#src/web/features/teams/components/teams-manager.tsx';

/** Teams: create, rename and delete them; members stay in the organization. */
export function TeamsRoute({ me }: { me: Me }) {
  return (
    <div className="page">
      <PageHeader
        title="Teams"
        description={`The teams of ${me.organization?.name ?? 'your organization'}. A member can be on several teams; deleting a team keeps its members in the organization.`}
      />
      <TeamsManager />
    </div>
  );
}

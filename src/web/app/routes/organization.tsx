import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { PrimaryAdminTransfer } from '#src/web/features/members/components/primary-admin-transfer.tsx';
import { ScimTokens } from '#src/web/features/scim/components/scim-tokens.tsx';

/** Organization: the primary admin role, and SCIM provisioning tokens for identity providers. */
export function OrganizationRoute({ me }: { me: Me }) {
  return (
    <div className="page">
      <PageHeader title="Organization" description={me.organization?.name ?? 'Your organization'} />
      <PrimaryAdminTransfer me={me} />
      <ScimTokens />
    </div>
  );
}

import { Badge, type Tone } from '#src/web/components/ui/badge.tsx';
import { Callout } from '#src/web/components/ui/states.tsx';
import type {
  CrmOwnerStepResult,
  OwnerPropertyStatus,
  SyncCrmResult,
} from '#src/web/features/sync/api/sync-crm.ts';
import { CRM_KEYS, CRM_LABELS } from '#src/domain/crm.ts';

/** How each owner-property outcome reads, here and in a bulk Sync CRM's results. */
export const OWNER_PROPERTY_TEXT: Record<OwnerPropertyStatus, { text: string; tone: Tone }> = {
  created: { text: 'Owner property created', tone: 'success' },
  option_added: { text: 'Option added', tone: 'success' },
  option_updated: { text: 'Option renamed', tone: 'success' },
  already_present: { text: 'Already present', tone: 'neutral' },
  not_permitted: { text: 'Not permitted', tone: 'warning' },
  failed: { text: 'Failed', tone: 'danger' },
  skipped: { text: 'Skipped', tone: 'warning' },
};

export function hasOwnerPropertyFailure(result: SyncCrmResult): boolean {
  return result.crms.some(
    (c) => c.ownerProperty.status === 'failed' || c.owner.status === 'failed',
  );
}

function OwnerCell({ step }: { step: CrmOwnerStepResult | undefined }) {
  if (!step) return <span className="muted">Not checked</span>;
  switch (step.owner.status) {
    case 'found':
      return <span>{step.owner.name || step.owner.id}</span>;
    case 'not_found':
      return <span className="muted">No matching user</span>;
    case 'failed':
      return (
        <span>
          <Badge tone="danger">Lookup failed</Badge>
          <span className="reason">{step.owner.reason}</span>
        </span>
      );
  }
}

function OwnerPropertyCell({ step }: { step: CrmOwnerStepResult | undefined }) {
  if (!step) return <span className="muted">—</span>;
  const { text, tone } = OWNER_PROPERTY_TEXT[step.ownerProperty.status];
  return (
    <span>
      <Badge tone={tone}>{text}</Badge>
      {step.ownerProperty.reason ? (
        <span className="reason">{step.ownerProperty.reason}</span>
      ) : null}
    </span>
  );
}

/** The result of Sync CRM, per CRM: keys copied, then the owner-property step. */
export function CrmSyncResult({
  result,
  memberName,
}: {
  result: SyncCrmResult;
  memberName: string;
}) {
  if (result.copied.length === 0) {
    return (
      <Callout tone="info" title="Nothing to copy">
        <p>{result.message}</p>
        <p>
          The sync finished successfully, but no CRM keys were copied to {memberName}. Confirm the
          organization admin has the CRM connection you expected.
        </p>
      </Callout>
    );
  }
  const failed = hasOwnerPropertyFailure(result);
  return (
    <div className="stack">
      <Callout tone={failed ? 'warning' : 'success'} title="Sync finished">
        <p>{result.message}</p>
        {failed ? (
          <p>
            The keys are copied. Some CRM owner properties could not be checked: see the reasons
            below, then retry the owner properties.
          </p>
        ) : (
          <p>Ergo then checked the CRM owner properties for {memberName}.</p>
        )}
      </Callout>
      <div className="table-wrap">
        <table className="table table-compact">
          <caption className="sr-only">Result per CRM</caption>
          <thead>
            <tr>
              <th scope="col">CRM</th>
              <th scope="col">Keys</th>
              <th scope="col">CRM owner</th>
              <th scope="col">Owner property</th>
            </tr>
          </thead>
          <tbody>
            {CRM_KEYS.filter((crm) => result.copied.includes(crm)).map((crm) => {
              const step = result.crms.find((c) => c.crm === crm);
              return (
                <tr key={crm}>
                  <th scope="row">{CRM_LABELS[crm]}</th>
                  <td>
                    <Badge tone="success">Keys copied</Badge>
                  </td>
                  <td>
                    <OwnerCell step={step} />
                  </td>
                  <td>
                    <OwnerPropertyCell step={step} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

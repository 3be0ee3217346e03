import { Badge, type Tone } from '#src/web/components/ui/badge.tsx';
import { Spinner } from '#src/web/components/ui/spinner.tsx';
import { Callout } from '#src/web/components/ui/states.tsx';
import { TableScroll } from '#src/web/components/ui/table-scroll.tsx';
import type {
  CrmOwnerStepResult,
  OwnerPropertyStatus,
  SyncCrmResult,
} from '#src/web/features/sync/api/sync-crm.ts';
import { CRM_KEYS, CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';

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

/** The CRMs whose owner could not be checked: the lookup or the owner-property write failed. */
export function failedCrms(result: Pick<SyncCrmResult, 'crms'>): CrmOwnerStepResult[] {
  return result.crms.filter(
    (c) => c.ownerProperty.status === 'failed' || c.owner.status === 'failed',
  );
}

export function hasOwnerPropertyFailure(result: SyncCrmResult): boolean {
  return failedCrms(result).length > 0;
}

/** What happened, in one line (the dialog's heading, a notification's title). */
export function crmSyncHeading(result: SyncCrmResult): string {
  const failed = failedCrms(result).length;
  if (failed > 0) {
    const what = `owner properties could not be checked for ${failed} CRM${failed === 1 ? '' : 's'}`;
    return result.copied.length > 0 ? `Keys copied; ${what}` : `The ${what}`;
  }
  if (result.copied.length === 0 && result.crms.length === 0) return 'Nothing to copy';
  return 'Sync finished';
}

/** "HubSpot", "HubSpot and Zoho", "HubSpot, Zoho and Attio". */
export function crmNames(crms: readonly CrmKey[]): string {
  const names = CRM_KEYS.filter((k) => crms.includes(k)).map((k) => CRM_LABELS[k]);
  return names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

function OwnerCell({ step, running }: { step: CrmOwnerStepResult | undefined; running: boolean }) {
  if (!step && running) {
    return (
      <span className="muted">
        <Spinner size="sm" /> Checking…
      </span>
    );
  }
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

function OwnerPropertyCell({
  step,
  running,
}: {
  step: CrmOwnerStepResult | undefined;
  running: boolean;
}) {
  if (!step) return <span className="muted">{running ? 'Waiting for the owner' : '—'}</span>;
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

/** Per copied CRM: keys, owner, owner property; while `running`, a CRM not yet done says so. */
function CrmStepsTable({
  copied,
  crms,
  running = false,
}: {
  copied: readonly CrmKey[];
  crms: readonly CrmOwnerStepResult[];
  running?: boolean;
}) {
  return (
    <TableScroll label="Result per CRM">
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
          {CRM_KEYS.filter((crm) => copied.includes(crm)).map((crm) => {
            const step = crms.find((c) => c.crm === crm);
            return (
              <tr key={crm}>
                <th scope="row">{CRM_LABELS[crm]}</th>
                <td>
                  <Badge tone="success">Keys copied</Badge>
                </td>
                <td>
                  <OwnerCell step={step} running={running} />
                </td>
                <td>
                  <OwnerPropertyCell step={step} running={running} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
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
  const failed = failedCrms(result);
  return (
    <div className="stack">
      <Callout tone={failed.length > 0 ? 'warning' : 'success'} title={crmSyncHeading(result)}>
        <p>{result.message}</p>
        {failed.length > 0 ? (
          <p>
            The keys are in place. Ergo could not check {memberName}’s CRM owner properties in{' '}
            {crmNames(failed.map((c) => c.crm))}: the reasons are below. Retry the owner properties
            when the CRM answers again.
          </p>
        ) : (
          <p>Ergo then checked the CRM owner properties for {memberName}.</p>
        )}
      </Callout>
      <CrmStepsTable copied={result.copied} crms={result.crms} />
    </div>
  );
}

/**
 * Sync CRM while it runs, once the keys are copied: each CRM's owner-property step appears as
 * that CRM finishes (streamed by the server).
 */
export function CrmSyncProgress({
  copied,
  message,
  crms,
}: {
  copied: readonly CrmKey[];
  message: string;
  crms: readonly CrmOwnerStepResult[];
}) {
  const done = crms.length;
  return (
    <div className="stack">
      <Callout
        tone="info"
        title={`Keys copied; checking owner properties (${done} of ${copied.length} CRM${copied.length === 1 ? '' : 's'} done)`}
      >
        <p>{message}</p>
      </Callout>
      <CrmStepsTable copied={copied} crms={crms} running />
    </div>
  );
}

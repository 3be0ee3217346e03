import { useState, type ReactNode } from 'react';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button, buttonClass } from '#src/web/components/ui/button.tsx';
import { CopyValue } from '#src/web/components/ui/copy-value.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { FilterBar, FilterDate, FilterSelect } from '#src/web/components/ui/filter-bar.tsx';
import { EmptyState, ErrorCallout } from '#src/web/components/ui/states.tsx';
import {
  auditExportUrl,
  useAuditLog,
  useChainHead,
  useVerifyChain,
  type AuditFilter,
  type AuditLogEntry,
} from '#src/web/features/audit/api/audit-log.ts';
import { formatDateTime, formatRelative } from '#src/web/lib/format.ts';

/** Actions the filter suggests (any other text is accepted too). */
const KNOWN_ACTIONS = [
  'sync_settings',
  'sync_settings.preview',
  'sync_crm',
  'sync_crm.owner_properties',
  'revert',
  'bulk_sync_settings',
  'bulk_sync_crm',
  'bulk_sync.preview',
  'member.update',
  'team.member_add',
  'organization.primary_admin_transfer',
  'invitation.created',
  'invitation.accepted',
  'scim_token.created',
  'scim_token.revoked',
  'api_token.created',
  'api_token.revoked',
  'api_token.used',
];

const OUTCOME_TONES: Record<string, 'success' | 'danger' | 'warning' | 'neutral'> = {
  applied: 'success',
  completed: 'success',
  refused: 'danger',
  failed: 'danger',
  partial: 'warning',
};

function personLabel(person: AuditLogEntry['actor']): string {
  if (!person) return 'System';
  return person.name ?? person.email ?? 'A former user';
}

/**
 * The chain's state: its head (to anchor elsewhere: docs/audit.md) and, on demand, a full
 * verification ("Intact through entry N", or where it breaks).
 */
export function AuditChainStatus() {
  const head = useChainHead();
  const verify = useVerifyChain();
  const result = verify.data;
  return (
    <section className="card card-padded stack" aria-labelledby="audit-chain-title">
      <h2 id="audit-chain-title" className="section-title">
        Chain integrity
      </h2>
      <p className="muted">
        Each entry carries the hash of the one before it, so a changed or removed entry breaks the
        chain. Removing the newest entries cannot be detected from the chain alone: keep a copy of
        the head below somewhere else and compare.
      </p>
      {head.isError ? <ErrorCallout error={head.error} /> : null}
      {head.data ? (
        <CopyValue
          label={`Chain head (entry ${head.data.seq})`}
          value={`${head.data.seq} ${head.data.hash}`}
        />
      ) : null}
      <div
        style={{ display: 'flex', gap: 'var(--space-3)', alignItems: 'center', flexWrap: 'wrap' }}
      >
        <Button
          busy={verify.isPending}
          onClick={() => {
            verify.mutate();
          }}
        >
          Verify chain
        </Button>
        <span role="status" aria-live="polite">
          {result ? (
            result.intact ? (
              <Badge tone="success">
                Intact through entry {result.checkedThrough} ({result.count} entries checked)
              </Badge>
            ) : (
              <Badge tone="danger">
                Broken at entry {result.brokenAt ?? '?'}:{' '}
                {result.reason === 'hash_mismatch'
                  ? 'that entry was changed'
                  : 'an entry before it was removed or rewritten'}
                ; intact through entry {result.checkedThrough}
              </Badge>
            )
          ) : null}
        </span>
      </div>
      {verify.isError ? <ErrorCallout error={verify.error} /> : null}
    </section>
  );
}

/** The filters: who acted, whom it concerned, the action, and a date range. */
export function AuditFilters({
  filter,
  people,
  onChange,
}: {
  filter: AuditFilter;
  people: { id: string; name: string }[];
  onChange: (next: AuditFilter) => void;
}) {
  const set = (patch: Partial<AuditFilter>) => {
    onChange({ ...filter, ...patch });
  };
  const options = people.map((p) => ({ value: p.id, label: p.name }));
  return (
    <FilterBar
      label="Filter the audit log"
      onClear={() => {
        onChange({});
      }}
    >
      <FilterSelect
        label="By"
        anyLabel="Anyone"
        value={filter.actor}
        options={options}
        onChange={(actor) => {
          set({ actor });
        }}
      />
      <FilterSelect
        label="About"
        anyLabel="Anyone"
        value={filter.target}
        options={options}
        onChange={(target) => {
          set({ target });
        }}
      />
      <label className="field">
        <span className="field-label">Action</span>
        <input
          type="text"
          list="audit-actions"
          placeholder="Any action"
          value={filter.action ?? ''}
          onChange={(event) => {
            set({ action: event.target.value || undefined });
          }}
        />
        <datalist id="audit-actions">
          {KNOWN_ACTIONS.map((action) => (
            <option key={action} value={action} />
          ))}
        </datalist>
      </label>
      <FilterDate
        label="From"
        value={filter.from}
        onChange={(from) => {
          set({ from });
        }}
      />
      <FilterDate
        label="To"
        value={filter.to}
        onChange={(to) => {
          set({ to });
        }}
      />
    </FilterBar>
  );
}

/** The filtered entries, newest first, each with its detail one click away; export links. */
export function AuditLogTable({ filter }: { filter: AuditFilter }) {
  const log = useAuditLog(filter);
  const [open, setOpen] = useState<AuditLogEntry | undefined>(undefined);
  const entries = log.data?.pages.flatMap((page) => page.entries) ?? [];

  return (
    <section className="card" aria-labelledby="audit-entries-title">
      <div className="toolbar audit-toolbar">
        <h2 id="audit-entries-title" className="section-title">
          Entries
        </h2>
        <div style={{ display: 'flex', gap: 'var(--space-2)', flexWrap: 'wrap' }}>
          <a
            className={buttonClass('secondary', 'sm')}
            href={auditExportUrl(filter, 'csv')}
            download
          >
            Export CSV
          </a>
          <a
            className={buttonClass('secondary', 'sm')}
            href={auditExportUrl(filter, 'jsonl')}
            download
          >
            Export JSON Lines
          </a>
        </div>
      </div>
      {log.isError ? <ErrorCallout error={log.error} /> : null}
      <div className="table-wrap cards-wrap">
        <table className="table history-cards">
          <caption className="sr-only">Audit log entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Entry</th>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">By</th>
              <th scope="col">About</th>
              <th scope="col" className="col-actions">
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.seq}>
                <td data-label="Entry">{entry.seq}</td>
                <td className="cell-when" data-label="When">
                  <div>
                    <span>{formatDateTime(entry.at)}</span>
                    <span className="muted">{formatRelative(entry.at)}</span>
                  </div>
                </td>
                <td data-label="Action">
                  <code>{entry.action}</code>
                </td>
                <td data-label="Outcome">
                  <Badge tone={OUTCOME_TONES[entry.outcome] ?? 'neutral'}>{entry.outcome}</Badge>
                </td>
                <td className="cell-name" data-label="By">
                  {personLabel(entry.actor)}
                </td>
                <td className="cell-name" data-label="About">
                  {entry.target ? personLabel(entry.target) : '—'}
                </td>
                <td className="col-actions">
                  <Button
                    size="sm"
                    onClick={() => {
                      setOpen(entry);
                    }}
                  >
                    Details<span className="sr-only"> of entry {entry.seq}</span>
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!log.isLoading && entries.length === 0 ? (
          <EmptyState title="No entries match.">
            Change or clear the filters to see more of the audit log.
          </EmptyState>
        ) : null}
      </div>
      {log.hasNextPage ? (
        <div className="pagination">
          <Button size="sm" busy={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
            Load older entries
          </Button>
        </div>
      ) : null}
      {open ? (
        <AuditEntryDialog
          entry={open}
          onClose={() => {
            setOpen(undefined);
          }}
        />
      ) : null}
    </section>
  );
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

function AuditEntryDialog({ entry, onClose }: { entry: AuditLogEntry; onClose: () => void }) {
  const person = (p: AuditLogEntry['actor']) =>
    p ? `${personLabel(p)}${p.email && p.name ? ` <${p.email}>` : ''}` : 'System';
  return (
    <Dialog
      open
      size="lg"
      onOpenChange={(next) => {
        if (!next) onClose();
      }}
      title={`Audit entry ${entry.seq}`}
      description={`${entry.action}, ${entry.outcome}, ${formatDateTime(entry.at)}`}
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <dl className="detail-list">
        <Row term="When">{formatDateTime(entry.at)}</Row>
        <Row term="Action">
          <code>{entry.action}</code>
        </Row>
        <Row term="Outcome">{entry.outcome}</Row>
        <Row term="By">{person(entry.actor)}</Row>
        <Row term="About">{entry.target ? person(entry.target) : '—'}</Row>
        <Row term="Categories">
          {entry.categories.length > 0 ? entry.categories.join(', ') : '—'}
        </Row>
        <Row term="Request id">{entry.requestId ? <code>{entry.requestId}</code> : '—'}</Row>
        <Row term="Details">
          <pre className="json-view">{JSON.stringify(entry.details, null, 2)}</pre>
        </Row>
        <Row term="Hash">
          <code className="hash">{entry.hash}</code>
        </Row>
        <Row term="Previous hash">
          <code className="hash">{entry.prevHash}</code>
        </Row>
      </dl>
    </Dialog>
  );
}

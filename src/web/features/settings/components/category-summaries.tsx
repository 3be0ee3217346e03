import { CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import type { CategoryValue } from '#src/domain/settings/categories.ts';
import { MEETING_TYPE_LABELS } from '#src/domain/settings/settings.schema.ts';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { EmptyState } from '#src/web/components/ui/states.tsx';
import { TableScroll } from '#src/web/components/ui/table-scroll.tsx';

const crmLabel = (crm: CrmKey) => CRM_LABELS[crm];

export function CustomPropertiesSummary({ value }: { value: CategoryValue<'custom_properties'> }) {
  if (value.properties.length === 0) return <EmptyState title="No custom properties yet." />;
  return (
    <TableScroll label="Custom properties">
      <table className="table table-compact">
        <caption className="sr-only">Custom properties</caption>
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col">CRM</th>
            <th scope="col">Object</th>
            <th scope="col">Internal name</th>
            <th scope="col">Type</th>
            <th scope="col">Options</th>
          </tr>
        </thead>
        <tbody>
          {value.properties.map((p) => (
            <tr key={`${p.crm}/${p.object}/${p.name}`}>
              <th scope="row">
                {p.label} {p.ownerProperty ? <Badge tone="accent">Owner property</Badge> : null}
              </th>
              <td>{crmLabel(p.crm)}</td>
              <td className="capitalize">{p.object}</td>
              <td>
                <code>{p.name}</code>
              </td>
              <td>{p.type}</td>
              <td className="muted">{p.options.map((o) => o.label).join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function PipelineStagesSummary({ value }: { value: CategoryValue<'pipeline_stages'> }) {
  return (
    <div className="stack">
      {value.stages.length === 0 ? (
        <EmptyState title="No pipeline stages yet." />
      ) : (
        <TableScroll label="Pipeline stages">
          <table className="table table-compact">
            <caption className="sr-only">Pipeline stages</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  #
                </th>
                <th scope="col">Stage</th>
                <th scope="col">Internal ID</th>
                <th scope="col" className="num">
                  Probability
                </th>
                <th scope="col">CRM stages</th>
              </tr>
            </thead>
            <tbody>
              {value.stages.map((s) => (
                <tr key={s.internalId}>
                  <td className="num muted">{s.order}</td>
                  <th scope="row">
                    {s.name} {s.synced ? <Badge tone="info">Synced</Badge> : null}
                  </th>
                  <td>
                    <code>{s.internalId}</code>
                  </td>
                  <td className="num">{s.probability}%</td>
                  <td className="muted">
                    {Object.entries(s.crmStageMappings)
                      .map(([crm, id]) => `${crmLabel(crm as CrmKey)}: ${id}`)
                      .join(' · ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {value.salesforceRecordTypes.length > 0 ? (
        <>
          <h3 className="section-title">Salesforce record types</h3>
          <TableScroll label="Salesforce record types">
            <table className="table table-compact">
              <caption className="sr-only">Salesforce record types</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Developer name</th>
                  <th scope="col">Record type ID</th>
                  <th scope="col" className="num">
                    Stages
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {value.salesforceRecordTypes.map((r) => (
                  <tr key={r.recordTypeId}>
                    <th scope="row">{r.name}</th>
                    <td>
                      <code>{r.developerName}</code>
                    </td>
                    <td>
                      <code>{r.recordTypeId}</code>
                    </td>
                    <td className="num">{r.stageInternalIds.length}</td>
                    <td>
                      {r.isActive ? <Badge tone="success">Active</Badge> : <Badge>Inactive</Badge>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      ) : null}
    </div>
  );
}

export function MeetingTitlesSummary({ value }: { value: CategoryValue<'meeting_titles'> }) {
  if (value.templates.length === 0) return <EmptyState title="No meeting title templates yet." />;
  return (
    <ol className="template-list">
      {value.templates.map((t) => (
        <li key={t.id}>
          <p className="template-title">
            <code>{t.title}</code>
          </p>
          <p className="muted small">
            {t.appliesTo.meetingTypes.length > 0
              ? t.appliesTo.meetingTypes.map((m) => MEETING_TYPE_LABELS[m]).join(', ')
              : 'Any meeting type'}
            {' · '}
            {t.appliesTo.externalOnly ? 'external meetings only' : 'internal and external'}
            {' · '}
            at least {t.appliesTo.minAttendees} attendee{t.appliesTo.minAttendees === 1 ? '' : 's'}
          </p>
        </li>
      ))}
    </ol>
  );
}

const KIND_LABELS = { email: 'Email', slack: 'Slack', crm_note: 'CRM note' } as const;

export function EmailTemplatesSummary({ value }: { value: CategoryValue<'email_templates'> }) {
  if (value.templates.length === 0) return <EmptyState title="No templates yet." />;
  return (
    <TableScroll label="Email templates">
      <table className="table table-compact">
        <caption className="sr-only">Email templates</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Subject</th>
            <th scope="col">Body</th>
          </tr>
        </thead>
        <tbody>
          {value.templates.map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.name}</th>
              <td>
                <Badge
                  tone={t.kind === 'email' ? 'info' : t.kind === 'slack' ? 'accent' : 'neutral'}
                >
                  {KIND_LABELS[t.kind]}
                </Badge>
              </td>
              <td>{t.subject ?? <span className="muted">—</span>}</td>
              <td className="muted cell-clip">{t.body.split('\n')[0]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

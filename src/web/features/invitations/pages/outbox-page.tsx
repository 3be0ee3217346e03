import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import { ErrorCallout, EmptyState, LoadingState } from '#src/web/components/ui/states.tsx';
import { useOutbox } from '#src/web/features/invitations/api/get-outbox.ts';
import { formatDateTime } from '#src/web/lib/format.ts';

/** The first link in a message's text (the invitation link). */
function linkOf(text: string): string | undefined {
  return /https?:\/\/\S+/.exec(text)?.[0];
}

/**
 * `/dev/outbox`: mail kept instead of sent when no SMTP server is configured (demo mode), so an
 * invitation can be followed without a mailbox. Not available when mail goes over SMTP.
 */
export function OutboxPage() {
  const outbox = useOutbox();
  return (
    <main id="main" className="content">
      <div className="page">
        <PageHeader
          title="Mail outbox"
          description="No SMTP server is configured, so Ergo keeps its emails here instead of sending them (demo and development only). The newest 50 are shown."
          actions={<a href="/">Back to Ergo</a>}
        />
        {outbox.isLoading ? <LoadingState label="Loading the outbox…" /> : null}
        {outbox.isError ? <ErrorCallout error={outbox.error} /> : null}
        {outbox.data && outbox.data.messages.length === 0 ? (
          <EmptyState title="No mail yet">Invitations sent by admins appear here.</EmptyState>
        ) : null}
        {outbox.data && outbox.data.messages.length > 0 ? (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Kept emails, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Subject</th>
                  <th scope="col">To</th>
                  <th scope="col">Time</th>
                  <th scope="col">Link</th>
                </tr>
              </thead>
              <tbody>
                {outbox.data.messages.map((message) => {
                  const link = linkOf(message.text);
                  return (
                    <tr key={message.id}>
                      <th scope="row">{message.subject}</th>
                      <td>{message.to}</td>
                      <td>{formatDateTime(message.createdAt)}</td>
                      <td>
                        {link ? (
                          <a href={link} aria-label={`Open the link in the email to ${message.to}`}>
                            Open link
                          </a>
                        ) : (
                          <span className="muted">No link</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
    </main>
  );
}

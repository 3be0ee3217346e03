import { useEffect, useState, type CSSProperties } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { Field } from '#src/web/components/ui/field.tsx';
import { Callout, ErrorCallout } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { useOrganizationMembers } from '#src/web/features/members/api/get-organization-members.ts';
import { useTransferPrimaryAdmin } from '#src/web/features/members/api/transfer-primary-admin.ts';
import { errorSummary } from '#src/web/lib/errors.ts';
import { ROLE_LABELS } from '#src/web/lib/format.ts';

const styles = {
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: 'var(--space-3)' },
  field: { flex: '1 1 240px', minWidth: 0 },
} satisfies Record<string, CSSProperties>;

/**
 * "Primary admin": the primary admin hands the role to an active admin or member, after a
 * confirmation naming them (SPEC §1: exactly one primary admin; they become an admin). Anyone
 * else sees who holds it and that only they can hand it over.
 */
export function PrimaryAdminTransfer({ me }: { me: Me }) {
  const isPrimary = me.user.role === 'primary_admin';
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [userId, setUserId] = useState('');
  const [confirming, setConfirming] = useState(false);
  const transfer = useTransferPrimaryAdmin();
  const toast = useToast();
  const candidates = useOrganizationMembers({
    q,
    cursor: undefined,
    team: undefined,
    status: 'active',
    limit: 100,
  });
  useEffect(() => {
    const timer = window.setTimeout(() => {
      setQ(search.trim());
    }, 250);
    return () => {
      window.clearTimeout(timer);
    };
  }, [search]);

  const people = (candidates.data?.items ?? []).filter(
    (m) => m.id !== me.user.id && m.role !== 'primary_admin',
  );
  const current = (candidates.data?.items ?? []).find((m) => m.role === 'primary_admin');
  const chosen = people.find((m) => m.id === userId);

  return (
    <section className="card card-padded stack" aria-labelledby="primary-admin-title">
      <div>
        <h2 id="primary-admin-title" className="section-title">
          Primary admin
        </h2>
        <p className="muted">
          The organization has exactly one primary admin. Their dashboard is the organization’s
          source of CRM keys for Sync CRM, and no other admin can change their role, access or
          teams.
        </p>
      </div>
      {!isPrimary ? (
        <Callout tone="info">
          {current ? `${current.name} is the primary admin. ` : null}Only the primary admin can hand
          over this role.
        </Callout>
      ) : (
        <>
          <p>
            You are the primary admin. Hand the role to an active admin or member: they become the
            primary admin and you become an admin.
          </p>
          <div style={styles.row}>
            <div style={styles.field}>
              <Field label="Find a person">
                {(props) => (
                  <input
                    {...props}
                    type="search"
                    placeholder="Name or email"
                    value={search}
                    onChange={(event) => {
                      setSearch(event.target.value);
                    }}
                  />
                )}
              </Field>
            </div>
            <div style={styles.field}>
              <Field label="New primary admin">
                {(props) => (
                  <select
                    {...props}
                    value={userId}
                    onChange={(event) => {
                      setUserId(event.target.value);
                    }}
                  >
                    <option value="">Choose a person…</option>
                    {people.map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.name} ({ROLE_LABELS[m.role]}, {m.email})
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <Button
              variant="primary"
              disabled={!chosen}
              onClick={() => {
                setConfirming(true);
              }}
            >
              Transfer primary admin role
            </Button>
          </div>
          {candidates.isError ? <ErrorCallout error={candidates.error} /> : null}
        </>
      )}
      <ConfirmDialog
        open={confirming && chosen !== undefined}
        onOpenChange={(open) => {
          if (!open) setConfirming(false);
        }}
        busy={transfer.isPending}
        title={chosen ? `Make ${chosen.name} the primary admin?` : ''}
        description={
          chosen
            ? `${chosen.name} (${chosen.email}) becomes the primary admin: their dashboard becomes the organization's source of CRM keys, and only they can hand the role on. You become an admin.`
            : ''
        }
        confirmLabel={chosen ? `Make ${chosen.name} primary admin` : 'Make primary admin'}
        onConfirm={() => {
          if (!chosen) return;
          const person = chosen;
          transfer.mutate(
            { userId: person.id },
            {
              onSuccess: () => {
                setConfirming(false);
                setUserId('');
                toast.show({
                  tone: 'success',
                  title: `${person.name} is now the primary admin.`,
                  body: 'You are an admin now.',
                });
              },
              onError: (error) => {
                setConfirming(false);
                toast.show({
                  tone: 'error',
                  title: 'The primary admin role was not transferred.',
                  body: errorSummary(error),
                });
              },
            },
          );
        }}
      />
    </section>
  );
}

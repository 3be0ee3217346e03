import { useEffect, useId, useRef, useState, type SubmitEvent } from 'react';
import type { PolicyMode } from '#src/domain/contracts/policies.contract.ts';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import { ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import { useMe } from '#src/web/features/auth/api/get-me.ts';
import {
  useTeamPolicies,
  type FollowException,
  type PolicyConflict,
  type TeamPolicies as TeamPoliciesData,
  type TeamPolicy,
} from '#src/web/features/policies/api/get-team-policies.ts';
import { useResumeFollow } from '#src/web/features/policies/api/resume-follow.ts';
import {
  LOCK_LABEL,
  OVERRIDDEN_LABEL,
  PAUSED_LABEL,
  RESET_LABEL,
  resumedToast,
} from '#src/web/features/policies/components/policy-labels.ts';
import { useUpdateTeamPolicy } from '#src/web/features/policies/api/update-team-policy.ts';
import { errorSummary } from '#src/web/lib/errors.ts';
import { formatDateTime, formatRelative, plural } from '#src/web/lib/format.ts';
import { Link } from '#src/web/lib/router.tsx';

const MODE_LABELS: Record<PolicyMode, string> = { manual: 'Manual', follow: 'Follow' };

/** How a policy reads in one line: "Follow Ada Admin, locked", "Manual". */
function policyWords(mode: PolicyMode, source: { name: string } | null, locked = false): string {
  if (mode === 'manual') return 'Manual';
  return `Follow ${source?.name ?? 'a former admin'}${locked ? ', locked' : ''}`;
}

/**
 * "Also governed by Field (2 shared members): …": members on both teams follow the policy that
 * changed more recently (ADR 0016).
 */
export function conflictLine(conflict: PolicyConflict): string {
  const other = policyWords(conflict.mode, conflict.source);
  const who =
    conflict.governs === 'this_team'
      ? `this team’s policy applies to them, as it changed more recently than ${conflict.teamName}’s (${other}).`
      : `${conflict.teamName}’s policy (${other}) applies to them, as it changed more recently.`;
  return `Also governed by ${conflict.teamName} (${plural(conflict.sharedMembers, 'shared member')}): ${who}`;
}

/**
 * A team's follow policies: per category, Manual (an admin syncs by hand) or Follow an admin
 * (their changes are applied to the team's members automatically), optionally locked; the
 * teams sharing members whose policy differs; and the members who do not follow right now.
 */
export function TeamPolicies({ teamId }: { teamId: string }) {
  const policies = useTeamPolicies(teamId);
  const data = policies.data;
  return (
    <div className="page">
      <p className="section-meta">
        <Link to="/admin/teams">← Teams</Link>
      </p>
      <PageHeader
        title="Follow policies"
        description={
          <>
            {data ? <strong>{data.teamName}. </strong> : null}
            Per category: <strong>Manual</strong>, an admin syncs by hand; or{' '}
            <strong>Follow</strong> an admin, whose changes to it are applied to the team’s members
            automatically. A followed category can be locked, so members cannot change it.
          </>
        }
      />
      {policies.isLoading ? <LoadingState label="Loading the team’s policies…" /> : null}
      {policies.isError ? (
        <ErrorCallout
          error={policies.error}
          action={
            <Button size="sm" onClick={() => void policies.refetch()}>
              Try again
            </Button>
          }
        />
      ) : null}
      {data ? (
        <ul className="policy-list" aria-label={`Follow policies of ${data.teamName}`}>
          {data.policies.map((policy) => (
            <li key={policy.category} className="card">
              <PolicyRow teamId={teamId} policy={policy} sources={data.sources} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

interface Draft {
  mode: PolicyMode;
  sourceUserId: string;
  locked: boolean;
}

function draftOf(policy: TeamPolicy): Draft {
  return {
    mode: policy.mode,
    sourceUserId: policy.source?.id ?? '',
    locked: policy.locked,
  };
}

function PolicyRow({
  teamId,
  policy,
  sources,
}: {
  teamId: string;
  policy: TeamPolicy;
  sources: TeamPoliciesData['sources'];
}) {
  const id = useId();
  const headingId = `${id}-heading`;
  const meId = useMe().data?.user.id;
  const update = useUpdateTeamPolicy();
  const [draft, setDraft] = useState<Draft>(() => draftOf(policy));
  const [missingSource, setMissingSource] = useState(false);
  const [saved, setSaved] = useState('');
  const savedRef = useRef<HTMLParagraphElement>(null);

  // A saved policy (or one changed elsewhere) is what the row shows next.
  useEffect(() => {
    setDraft(draftOf(policy));
  }, [policy.updatedAt, policy.mode, policy.source?.id, policy.locked]);

  const initial = draftOf(policy);
  const dirty =
    draft.mode !== initial.mode ||
    (draft.mode === 'follow' && draft.sourceUserId !== initial.sourceUserId) ||
    (draft.mode === 'follow' && draft.locked !== initial.locked);
  const follow = draft.mode === 'follow';
  // The admin followed now may no longer be one: still shown, so the row says what is in force.
  const options =
    policy.source && !sources.some((s) => s.id === policy.source?.id)
      ? [...sources, { id: policy.source.id, name: `${policy.source.name} (no longer an admin)` }]
      : sources;

  // A chosen admin who is no longer among the sources (demoted meanwhile) is chosen no more.
  const sourceValue = options.some((s) => s.id === draft.sourceUserId) ? draft.sourceUserId : '';

  const change = (patch: Partial<Draft>) => {
    setSaved('');
    if (update.isError) update.reset();
    setDraft((current) => {
      const next = { ...current, ...patch };
      if (next.mode === 'manual') next.locked = false;
      // Follow: you, when you may be followed; else the only admin there is.
      if (next.mode === 'follow' && next.sourceUserId === '') {
        const mine = sources.find((s) => s.id === meId);
        next.sourceUserId = mine?.id ?? (sources.length === 1 ? (sources[0]?.id ?? '') : '');
      }
      return next;
    });
    if (patch.sourceUserId !== undefined || patch.mode === 'manual') setMissingSource(false);
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (follow && sourceValue === '') {
      setMissingSource(true);
      document.getElementById(`${id}-source`)?.focus();
      return;
    }
    setSaved('');
    const source = sources.find((s) => s.id === sourceValue) ?? null;
    update.mutate(
      {
        teamId,
        category: policy.category,
        policy: follow
          ? { mode: 'follow', sourceUserId: sourceValue, locked: draft.locked }
          : { mode: 'manual', sourceUserId: null, locked: false },
      },
      {
        onSuccess: () => {
          // Save is disabled once nothing differs: the focus goes to what it did instead.
          window.setTimeout(() => savedRef.current?.focus(), 0);
          setSaved(
            follow
              ? `Saved: members follow ${source?.name ?? 'that admin'}${draft.locked ? ', locked' : ''}.`
              : 'Saved: Manual.',
          );
        },
      },
    );
  };

  return (
    <section className="policy" aria-labelledby={headingId}>
      <div className="policy-head">
        <h2 id={headingId} className="policy-title">
          {policy.label}
        </h2>
        <Badge tone={policy.mode === 'follow' ? 'accent' : 'neutral'}>
          {policyWords(policy.mode, policy.source, policy.locked)}
        </Badge>
        {policy.updatedAt ? (
          <span className="muted small" title={formatDateTime(policy.updatedAt)}>
            Changed {formatRelative(policy.updatedAt)}
            {policy.updatedBy ? ` by ${policy.updatedBy.name}` : ''}
          </span>
        ) : (
          <span className="muted small">Never set</span>
        )}
      </div>

      <form className="policy-form" onSubmit={submit} noValidate>
        <div className="field policy-field">
          <label htmlFor={`${id}-mode`} className="field-label">
            Mode<span className="sr-only"> for {policy.label}</span>
          </label>
          <select
            id={`${id}-mode`}
            value={draft.mode}
            onChange={(event) => {
              change({ mode: event.target.value === 'follow' ? 'follow' : 'manual' });
            }}
          >
            <option value="manual">{MODE_LABELS.manual}</option>
            <option value="follow">{MODE_LABELS.follow}</option>
          </select>
        </div>
        <div className={`field policy-field policy-source${missingSource ? ' field-invalid' : ''}`}>
          <label htmlFor={`${id}-source`} className="field-label">
            Admin to follow<span className="sr-only"> for {policy.label}</span>
          </label>
          <select
            id={`${id}-source`}
            value={follow ? sourceValue : ''}
            disabled={!follow}
            aria-invalid={missingSource || undefined}
            aria-describedby={missingSource ? `${id}-source-error` : `${id}-source-hint`}
            onChange={(event) => {
              change({ sourceUserId: event.target.value });
            }}
          >
            <option value="">{follow ? 'Choose an admin' : '—'}</option>
            {options.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
                {s.id === meId ? ' (you)' : ''}
              </option>
            ))}
          </select>
          {missingSource ? (
            <p id={`${id}-source-error`} className="field-error">
              Choose the admin to follow.
            </p>
          ) : (
            <p id={`${id}-source-hint`} className="field-hint">
              {follow ? 'Their changes are applied to the team.' : 'Only with Follow.'}
            </p>
          )}
        </div>
        <div className="check policy-lock">
          <input
            id={`${id}-lock`}
            type="checkbox"
            checked={follow && draft.locked}
            disabled={!follow}
            aria-describedby={`${id}-lock-hint`}
            onChange={(event) => {
              change({ locked: event.target.checked });
            }}
          />
          <div className="check-text">
            <label htmlFor={`${id}-lock`} className="check-label">
              {LOCK_LABEL}
            </label>
            <p id={`${id}-lock-hint`} className="check-description">
              {follow ? 'Their My settings page shows it read-only.' : 'Only with Follow.'}
            </p>
          </div>
        </div>
        <div className="policy-save">
          <Button
            type="submit"
            variant="primary"
            size="sm"
            busy={update.isPending}
            disabled={!dirty}
          >
            Save<span className="sr-only"> {policy.label}</span>
          </Button>
        </div>
      </form>
      <p ref={savedRef} tabIndex={-1} className="muted small policy-saved" aria-live="polite">
        {saved}
      </p>
      {update.isError ? (
        <ErrorCallout error={update.error} title={`${policy.label} wasn’t saved.`} />
      ) : null}

      {policy.conflicts.map((conflict) => (
        <div key={conflict.teamId} className="callout callout-warning" role="note">
          <p>{conflictLine(conflict)}</p>
        </div>
      ))}

      {policy.exceptions.length > 0 ? (
        <div className="policy-exceptions">
          <h3 className="policy-exceptions-title">Members not following {policy.label}</h3>
          <ul>
            {policy.exceptions.map((exception) => (
              <ExceptionItem key={exception.userId} policy={policy} exception={exception} />
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

function ExceptionItem({ policy, exception }: { policy: TeamPolicy; exception: FollowException }) {
  const id = useId();
  const resume = useResumeFollow();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const paused = exception.state === 'paused';
  const source = policy.source?.name ?? 'the admin';

  const run = () => {
    resume.mutate(
      { userId: exception.userId, category: policy.category },
      {
        onSuccess: (resumed) => {
          setConfirming(false);
          toast.show(resumedToast(exception.name, policy.label, resumed));
        },
        onError: (error) => {
          setConfirming(false);
          toast.show({
            tone: 'error',
            title: `${exception.name} doesn’t follow ${policy.label} again yet.`,
            body: errorSummary(error),
          });
        },
      },
    );
  };

  return (
    <li className="policy-exception">
      <span id={`${id}-text`}>
        {exception.name} — {paused ? PAUSED_LABEL : OVERRIDDEN_LABEL}
        <span className="muted small" title={formatDateTime(exception.since)}>
          {' '}
          · since {formatRelative(exception.since)}
        </span>
      </span>
      {paused ? (
        <>
          <span aria-hidden="true">—</span>
          <Button size="sm" busy={resume.isPending} aria-describedby={`${id}-text`} onClick={run}>
            Resume
          </Button>
        </>
      ) : (
        <Button
          size="sm"
          variant="ghost"
          busy={resume.isPending}
          aria-describedby={`${id}-text`}
          onClick={() => {
            setConfirming(true);
          }}
        >
          {RESET_LABEL}
        </Button>
      )}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        busy={resume.isPending}
        tone="primary"
        title={`Reset ${exception.name}’s ${policy.label}?`}
        description={`${exception.name} changed ${policy.label} themself. Resetting replaces their version with ${source}’s, and ${source}’s later changes apply to them again.`}
        confirmLabel={RESET_LABEL}
        onConfirm={run}
      />
    </li>
  );
}

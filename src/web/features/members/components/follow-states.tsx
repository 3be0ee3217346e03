import { useId } from 'react';
import {
  CATEGORY_KEYS,
  categoryDefinition,
  type CategoryKey,
} from '#src/domain/settings/categories.ts';
import { useToast } from '#src/web/components/ui/toast.tsx';
import type { MemberRow } from '#src/web/features/members/api/get-team-members.ts';
import { useResumeFollow } from '#src/web/features/policies/api/resume-follow.ts';
import { PAUSED_LABEL, resumedToast } from '#src/web/features/policies/components/policy-labels.ts';
import { errorSummary } from '#src/web/lib/errors.ts';

/**
 * Under a row's drift: the followed categories the member does not follow now (issue 16), kept
 * compact. "Overridden: Pipeline stages, Task settings" (their own edits); "Follow paused after
 * a revert: Pipeline stages — Resume", one per paused category, Resume applying the admin's
 * settings again.
 */
export function FollowStatesNote({ member }: { member: MemberRow }) {
  const states = member.followStates;
  if (!states) return null;
  const overridden = CATEGORY_KEYS.filter((key) => states[key] === 'overridden');
  const paused = CATEGORY_KEYS.filter((key) => states[key] === 'paused');
  if (overridden.length === 0 && paused.length === 0) return null;
  return (
    <div className="follow-states small">
      {overridden.length > 0 ? (
        <span>Overridden: {overridden.map((key) => categoryDefinition(key).label).join(', ')}</span>
      ) : null}
      {paused.map((key) => (
        <PausedLine key={key} member={member} category={key} />
      ))}
    </div>
  );
}

function PausedLine({ member, category }: { member: MemberRow; category: CategoryKey }) {
  const id = useId();
  const resume = useResumeFollow();
  const toast = useToast();
  const label = categoryDefinition(category).label;
  return (
    <span>
      <span id={id}>
        {PAUSED_LABEL}: {label}
        <span className="sr-only"> ({member.name})</span>
      </span>{' '}
      <span aria-hidden="true">—</span>{' '}
      <button
        type="button"
        className="link-button"
        aria-describedby={id}
        disabled={resume.isPending}
        aria-busy={resume.isPending || undefined}
        onClick={() => {
          resume.mutate(
            { userId: member.id, category },
            {
              onSuccess: (resumed) => {
                toast.show(resumedToast(member.name, label, resumed));
              },
              onError: (error) => {
                toast.show({
                  tone: 'error',
                  title: `${member.name} doesn’t follow ${label} again yet.`,
                  body: errorSummary(error),
                });
              },
            },
          );
        }}
      >
        Resume
      </button>
    </span>
  );
}

import { useEffect, useRef, useState } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { ErrorCallout } from '#src/web/components/ui/states.tsx';
import { useResetMyCategory } from '#src/web/features/policies/api/resume-follow.ts';
import {
  OVERRIDDEN_NOTICE,
  PAUSED_LABEL,
  RESET_LABEL,
} from '#src/web/features/policies/components/policy-labels.ts';
import { useMySettings, type OwnCategory } from '#src/web/features/settings/api/get-my-settings.ts';

/** How long the page keeps reading your settings while the admin's are being applied. */
const APPLY_POLL_MS = 1500;
const APPLY_WAIT_MS = 30_000;

/**
 * A category a team policy makes you follow an admin in (issue 16): "Managed by your admin,
 * <name>"; locked, the editor below is read-only; your own change ("overridden") or a revert
 * ("paused") stops the admin's changes from applying, until "Reset to the admin's settings".
 */
export function ManagedNotice({ category, titleId }: { category: OwnCategory; titleId: string }) {
  const managed = category.managed;
  const reset = useResetMyCategory();
  const [confirming, setConfirming] = useState(false);
  // The version the reset started from: the admin's settings have arrived once it changes.
  const [applying, setApplying] = useState<{ from: number; until: number } | null>(null);
  const done = applying !== null && category.version !== applying.from;
  const waiting = applying !== null && !done && Date.now() < applying.until;
  useMySettings({ refetchInterval: waiting ? APPLY_POLL_MS : false });
  const outcome = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!waiting) return;
    // Stop reading again after a while, even if nothing arrived (then the page says so).
    const timer = window.setTimeout(
      () => {
        setApplying((current) => (current ? { ...current } : current));
      },
      applying.until - Date.now() + 10,
    );
    return () => {
      window.clearTimeout(timer);
    };
  }, [waiting, applying]);

  if (!managed) return null;
  const name = managed.by.name;
  const state = managed.state;
  const tone = state ? 'warning' : 'info';

  const applyingText =
    applying === null
      ? ''
      : done
        ? `${name}'s settings were applied.`
        : waiting
          ? `${name}'s settings are being applied…`
          : `${name}'s settings are still being applied. Reload the page in a moment to see them.`;

  return (
    <div className={`callout callout-${tone} managed-notice`} role="note" aria-labelledby={titleId}>
      <p id={titleId} className="callout-title">
        {managed.label}
      </p>
      {state === 'overridden' ? (
        <p>{OVERRIDDEN_NOTICE}</p>
      ) : state === 'paused' ? (
        <p>
          {PAUSED_LABEL}: {name}'s changes are not applied to it until you reset it.
        </p>
      ) : managed.locked ? (
        <p>
          Your admin locked {category.label} for {managed.teamName}: you can see it here, but not
          change it.
        </p>
      ) : (
        <p>
          When {name} changes {category.label}, the change is applied to your dashboard too. If you
          change it yourself, your version is kept and their changes no longer apply to it.
        </p>
      )}
      {state && managed.locked ? (
        <p>Your admin locked {category.label}: you can reset it, but not change it.</p>
      ) : null}
      {state ? (
        <div className="callout-action">
          <Button
            size="sm"
            variant="primary"
            busy={reset.isPending}
            onClick={() => {
              reset.reset();
              setConfirming(true);
            }}
          >
            {RESET_LABEL}
          </Button>
        </div>
      ) : null}
      <div ref={outcome} tabIndex={-1} className="managed-outcome">
        <p className="small" aria-live="polite">
          {reset.isSuccess && reset.data.bulkRunId === null && applying === null
            ? `You already have ${name}'s settings: their changes apply to you again.`
            : applyingText}
        </p>
        {reset.isError ? <ErrorCallout error={reset.error} /> : null}
      </div>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        busy={reset.isPending}
        tone="primary"
        title={`Reset ${category.label} to ${name}'s settings?`}
        description={`Your own ${category.label} are replaced by ${name}'s, and their later changes apply to you again.`}
        confirmLabel={RESET_LABEL}
        onConfirm={() => {
          reset.mutate(
            { category: category.key },
            {
              onSuccess: (resumed) => {
                if (resumed.bulkRunId !== null) {
                  setApplying({ from: category.version, until: Date.now() + APPLY_WAIT_MS });
                }
              },
              onSettled: () => {
                setConfirming(false);
                // The button may be gone: what happened takes the focus.
                window.setTimeout(() => outcome.current?.focus(), 0);
              },
            },
          );
        }}
      />
    </div>
  );
}

import { CATEGORY_KEYS, categoryDefinition } from '#src/domain/settings/categories.ts';
import { Tooltip } from '#src/web/components/ui/tooltip.tsx';
import type { MemberRow } from '#src/web/features/members/api/get-team-members.ts';
import { plural } from '#src/web/lib/format.ts';

/** "In sync", or "N categories differ" (SPEC §6), from the row's drift. */
export function driftLabel(driftCount: number): string {
  return driftCount === 0 ? 'In sync' : plural(driftCount, 'category differs', 'categories differ');
}

/**
 * A row's drift from your settings: a button (it opens the member's drift panel) whose tooltip,
 * on hover and on keyboard focus, names the differing categories; screen readers get the same
 * words as its description. Rows without drift (no dashboard, your own row) show nothing.
 */
export function DriftBadge({
  member,
  onOpen,
}: {
  member: MemberRow;
  onOpen: (member: MemberRow) => void;
}) {
  const drift = member.drift;
  if (drift === undefined) return null;
  const compared = CATEGORY_KEYS.filter((key) => drift[key] !== undefined);
  if (compared.length === 0) {
    return <span className="muted small">Nothing to compare</span>;
  }
  const differing = compared.filter((key) => drift[key] === 'differs');
  const count = member.driftCount ?? differing.length;
  const labels = differing.map((key) => categoryDefinition(key).label);
  const content =
    count === 0 ? (
      <>Same as your settings in the {plural(compared.length, 'category', 'categories')} you set.</>
    ) : (
      <>
        <span className="tooltip-title">Differs from your settings:</span> {labels.join(', ')}
      </>
    );

  return (
    <Tooltip content={content}>
      {(trigger) => (
        <button
          type="button"
          {...trigger}
          className={`badge drift-badge ${count === 0 ? 'badge-success' : 'badge-warning'}`}
          onClick={() => {
            onOpen(member);
          }}
        >
          {driftLabel(count)}
        </button>
      )}
    </Tooltip>
  );
}

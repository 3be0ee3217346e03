import { useMemo, useState } from 'react';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { Button } from '#src/web/components/ui/button.tsx';
import type { ItemChange } from '#src/web/features/sync/api/sync-settings.ts';
import {
  CHANGE_LABELS,
  describeChange,
  type ChangeKind,
} from '#src/web/features/sync/components/change-format.ts';

/** A long list starts with this many items; the rest are one click away. */
const FIRST_ITEMS = 50;

/** Before and after together longer than this: shown one above the other. */
const LONG_VALUES = 90;

const KIND_ORDER: Record<ChangeKind, number> = { added: 0, updated: 1, removed: 2 };

function Value({
  text,
  side,
  fingerprint,
}: {
  text: string;
  side: 'before' | 'after';
  fingerprint: boolean;
}) {
  return (
    <span className={`change-value change-${side}`}>
      {fingerprint && text.startsWith('fp:') ? <code>{text}</code> : text}
    </span>
  );
}

/**
 * The items a sync adds, changes or removes in one category, grouped in that order; a changed
 * item lists its fields as before → after. CRM keys show only masked fingerprints.
 */
export function ItemChanges({
  category,
  label,
  changes,
}: {
  category: CategoryKey;
  label: string;
  changes: readonly ItemChange[];
}) {
  const [showAll, setShowAll] = useState(false);
  const views = useMemo(
    () =>
      changes
        .map((change) => describeChange(category, change))
        .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]),
    [category, changes],
  );
  const shown = showAll ? views : views.slice(0, FIRST_ITEMS);

  return (
    <div className="item-changes">
      <ul className="change-list" aria-label={`${label}: what differs, item by item`}>
        {shown.map((view) => (
          <li key={`${view.kind}:${view.key}`} className={`change change-${view.kind}`}>
            <div className="change-head">
              <span className={`change-kind change-kind-${view.kind}`}>
                {CHANGE_LABELS[view.kind]}
              </span>
              <span className="change-item">{view.item}</span>
              {view.context ? <span className="change-context">{view.context}</span> : null}
            </div>
            {view.fields.length > 0 ? (
              <ul className="change-fields">
                {view.fields.map((field) =>
                  field.before.length + field.after.length > LONG_VALUES ? (
                    // Long texts read better one above the other than side by side.
                    <li key={field.field ?? view.key} className="change-long">
                      {field.field ? <span className="change-field">{field.field}:</span> : null}
                      <span className="change-side">
                        <span className="change-side-label">Was</span>{' '}
                        <Value text={field.before} side="before" fingerprint={view.fingerprint} />
                      </span>
                      <span className="change-side">
                        <span className="change-side-label">Becomes</span>{' '}
                        <Value text={field.after} side="after" fingerprint={view.fingerprint} />
                      </span>
                    </li>
                  ) : (
                    <li key={field.field ?? view.key}>
                      {field.field ? <span className="change-field">{field.field}:</span> : null}{' '}
                      <Value text={field.before} side="before" fingerprint={view.fingerprint} />{' '}
                      <span className="change-arrow" aria-hidden="true">
                        →
                      </span>
                      <span className="sr-only"> becomes </span>{' '}
                      <Value text={field.after} side="after" fingerprint={view.fingerprint} />
                    </li>
                  ),
                )}
              </ul>
            ) : null}
            {view.summary ? (
              <p className="change-summary">
                {view.fingerprint ? (
                  <>
                    Key <code>{view.summary}</code>
                  </>
                ) : (
                  view.summary
                )}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
      {views.length > FIRST_ITEMS ? (
        <Button
          size="sm"
          variant="ghost"
          onClick={() => {
            setShowAll((current) => !current);
          }}
        >
          {showAll ? `Show the first ${FIRST_ITEMS} only` : `Show all ${views.length} changes`}
        </Button>
      ) : null}
    </div>
  );
}

import { Fragment, useId, useState } from 'react';
import { CATEGORY_KEYS, type CategoryKey } from '#src/domain/settings/categories.ts';
import { Badge } from '#src/web/components/ui/badge.tsx';
import type { CategoryResult, ChangeCounts } from '#src/web/features/sync/api/sync-settings.ts';
import { ItemChanges } from '#src/web/features/sync/components/item-changes.tsx';
import { plural } from '#src/web/lib/format.ts';
import { TableScroll } from '#src/web/components/ui/table-scroll.tsx';

/**
 * "2 added, 1 updated"; "no change". `changed` with nothing added, updated or removed: the same
 * items in another order (the sync still writes the source's order).
 */
export function describeCounts(counts: ChangeCounts, changed?: boolean): string {
  const parts = [
    counts.added ? `${counts.added} added` : null,
    counts.updated ? `${counts.updated} updated` : null,
    counts.removed ? `${counts.removed} removed` : null,
  ].filter(Boolean);
  if (parts.length > 0) return parts.join(', ');
  return changed === true ? 'same items, in another order' : 'no change';
}

function Count({ value, kind }: { value: number; kind: 'added' | 'updated' | 'removed' }) {
  return <td className={`num${value > 0 ? ` count-${kind}` : ' muted'}`}>{value}</td>;
}

/**
 * What changed (or would change, in a preview) per category: the diff of a sync, with the items
 * behind the counts one click away ("Show changes") when the answer carries them.
 */
export function CategoryResults({
  results,
  caption,
}: {
  results: CategoryResult[];
  caption: string;
}) {
  const id = useId();
  const [open, setOpen] = useState<ReadonlySet<CategoryKey>>(new Set());
  const toggle = (category: CategoryKey) => {
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(category)) next.delete(category);
      else next.add(category);
      return next;
    });
  };

  return (
    <TableScroll label={caption}>
      <table className="table table-compact">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col" className="num">
              Added
            </th>
            <th scope="col" className="num">
              Updated
            </th>
            <th scope="col" className="num">
              Removed
            </th>
            <th scope="col" className="num">
              Unchanged
            </th>
          </tr>
        </thead>
        <tbody>
          {[...results]
            .sort((a, b) => CATEGORY_KEYS.indexOf(a.category) - CATEGORY_KEYS.indexOf(b.category))
            .map((result) => {
              const changes = result.changes;
              const expanded = open.has(result.category);
              const panelId = `${id}-${result.category}`;
              return (
                <Fragment key={result.category}>
                  <tr className={expanded ? 'row-expanded' : undefined}>
                    <th scope="row" className="cell-category">
                      <span className="category-name">
                        {result.label}
                        {result.status === 'skipped' ? <Badge tone="warning">Skipped</Badge> : null}
                      </span>
                      <span className="category-summary muted">
                        {describeCounts(result.counts, result.changed)}
                      </span>
                      {result.notes.length > 0 ? (
                        <ul className="notes">
                          {result.notes.map((note) => (
                            <li key={note}>{note}</li>
                          ))}
                        </ul>
                      ) : null}
                      {changes.length > 0 ? (
                        <button
                          type="button"
                          className="link-button disclosure"
                          aria-expanded={expanded}
                          aria-controls={panelId}
                          onClick={() => {
                            toggle(result.category);
                          }}
                        >
                          {expanded ? 'Hide changes' : `Show ${plural(changes.length, 'change')}`}
                        </button>
                      ) : null}
                    </th>
                    <Count value={result.counts.added} kind="added" />
                    <Count value={result.counts.updated} kind="updated" />
                    <Count value={result.counts.removed} kind="removed" />
                    <td className="num muted">{result.counts.unchanged}</td>
                  </tr>
                  {changes.length > 0 ? (
                    <tr id={panelId} className="changes-row" hidden={!expanded}>
                      <td colSpan={5}>
                        {expanded ? (
                          <ItemChanges
                            category={result.category}
                            label={result.label}
                            changes={changes}
                          />
                        ) : null}
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
        </tbody>
      </table>
    </TableScroll>
  );
}

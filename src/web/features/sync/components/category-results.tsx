import { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';
import { Badge } from '#src/web/components/ui/badge.tsx';
import type { CategoryResult, ChangeCounts } from '#src/web/features/sync/api/sync-settings.ts';

export function describeCounts(counts: ChangeCounts): string {
  const parts = [
    counts.added ? `${counts.added} added` : null,
    counts.updated ? `${counts.updated} updated` : null,
    counts.removed ? `${counts.removed} removed` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'no change';
}

function Count({ value, kind }: { value: number; kind: 'added' | 'updated' | 'removed' }) {
  return <td className={`num${value > 0 ? ` count-${kind}` : ' muted'}`}>{value}</td>;
}

/** What changed (or would change, in a preview) per category: the diff of a sync. */
export function CategoryResults({
  results,
  caption,
}: {
  results: CategoryResult[];
  caption: string;
}) {
  return (
    <div className="table-wrap">
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
            .map((result) => (
              <tr key={result.category}>
                <th scope="row" className="cell-category">
                  <span className="category-name">
                    {result.label}
                    {result.status === 'skipped' ? <Badge tone="warning">Skipped</Badge> : null}
                  </span>
                  <span className="category-summary muted">{describeCounts(result.counts)}</span>
                  {result.notes.length > 0 ? (
                    <ul className="notes">
                      {result.notes.map((note) => (
                        <li key={note}>{note}</li>
                      ))}
                    </ul>
                  ) : null}
                </th>
                <Count value={result.counts.added} kind="added" />
                <Count value={result.counts.updated} kind="updated" />
                <Count value={result.counts.removed} kind="removed" />
                <td className="num muted">{result.counts.unchanged}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}

/** One row of the chaos table: a scenario, how often it ran, what failed, and its figures. */
export interface ScenarioRow {
  scenario: string;
  runs: number;
  failures: number;
  /** Short figures, e.g. "p50 recovery 812 ms". */
  figures: string[];
  /** Why each failure counted: printed under the table. */
  problems: string[];
}

export function newRow(scenario: string): ScenarioRow {
  return { scenario, runs: 0, failures: 0, figures: [], problems: [] };
}

/** Counts one failed run (or check) of the row, with its reason. */
export function fail(row: ScenarioRow, problem: string): void {
  row.failures += 1;
  row.problems.push(problem);
}

export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function ms(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${Math.round(value)} ms`;
}

/** "200×12, 409 version_conflict×3" */
export function tally(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([o, n]) => `${o}×${n}`)
    .join(', ');
}

export function renderTable(rows: readonly ScenarioRow[]): string {
  const header = ['scenario', 'runs', 'failures', 'figures'];
  const cells = rows.map((r) => [
    r.scenario,
    String(r.runs),
    String(r.failures),
    r.figures.join('; '),
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map((c) => (i === 3 ? 0 : (c[i] ?? '').length))),
  );
  const line = (c: readonly string[]): string =>
    c
      .map((v, i) =>
        i === 3 ? v : i === 1 || i === 2 ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0),
      )
      .join(' | ');
  const rule = widths.map((w, i) => '-'.repeat(i === 3 ? 40 : w)).join('-|-');
  return [line(header), rule, ...cells.map(line)].join('\n');
}

export function renderProblems(rows: readonly ScenarioRow[]): string {
  const out: string[] = [];
  for (const r of rows) {
    if (r.problems.length === 0) continue;
    out.push(`${r.scenario}:`);
    const unique = new Map<string, number>();
    for (const p of r.problems) unique.set(p, (unique.get(p) ?? 0) + 1);
    for (const [p, n] of unique) out.push(`  - ${n > 1 ? `(×${n}) ` : ''}${p}`);
  }
  return out.join('\n');
}

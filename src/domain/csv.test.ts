import { describe, expect, it } from 'vitest';
import { csvCell } from '#src/domain/csv.ts';

describe('csvCell', () => {
  it('quotes every cell and doubles the quotes inside (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('a "b", c\r\nd')).toBe('"a ""b"", c\r\nd"');
    expect(csvCell('')).toBe('""');
  });

  it('a cell a spreadsheet would run as a formula starts with a quote, so it shows as text', () => {
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) {
      expect(csvCell(formula)).toBe(`"'${formula}"`);
    }
    expect(csvCell('a=1')).toBe('"a=1"');
  });
});

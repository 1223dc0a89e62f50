import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWideWidths } from '../../../src-shared/text/table.ts';
import {
  NARROW,
  cleanCell,
  displayWidth,
  renderTable,
  truncate,
  wrap,
} from '../../../src-shared/text/table.ts';
import type { TableColumn } from '../../../src-shared/text/table.ts';

// The Unicode width tables, as every command that draws a table loads them first.
beforeAll(loadWideWidths);

const widest = (text: string): number =>
  Math.max(...text.split('\n').map((line) => displayWidth(line)));

describe('display width', () => {
  it('counts CJK and emoji as two cells and combining marks as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('打印机')).toBe(6);
    expect(displayWidth('🖨️')).toBe(2);
    expect(displayWidth('👍🏽')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('takes the fast path only for characters string-width counts as one cell each', () => {
    let fast = 0;
    for (let code = 0x20; code <= 0x2fff; code++) {
      const char = String.fromCharCode(code);
      if (!NARROW.test(char)) continue;
      fast++;
      expect(stringWidth(char), `U+${code.toString(16)}`).toBe(1);
    }
    // Latin, Latin-1 punctuation and the dashes, quotes and ellipsis of General Punctuation.
    expect(fast).toBeGreaterThan(700);
    for (const slow of ['\u00ad', 'e\u0301', '\u200b', '\u202e', '打', '🖨️']) {
      expect(NARROW.test(slow)).toBe(false);
    }
    expect(displayWidth('Paused — 3 jobs…')).toBe(16);
  });

  it('cuts whole characters and ends in an ellipsis within the width', () => {
    expect(truncate('Quarterly report', 10)).toBe('Quarterly…');
    expect(truncate('会議室のプリンター', 7)).toBe('会議室…');
    expect(displayWidth(truncate('会議室のプリンター', 8))).toBeLessThanOrEqual(8);
    expect(truncate('👍🏽👍🏽👍🏽', 5)).toBe('👍🏽👍🏽…');
    expect(truncate('short', 10)).toBe('short');
  });

  it('wraps on spaces and cuts words longer than a line with an ellipsis', () => {
    expect(wrap('Paper jam, Toner low, Door open', 12)).toEqual([
      'Paper jam,',
      'Toner low,',
      'Door open',
    ]);
    expect(wrap('abcdefghij', 4)).toEqual(['abc…']);
    expect(wrap('a verylongword b', 6)).toEqual(['a', 'veryl…', 'b']);
  });

  it('turns control characters into spaces (no escape sequences from a job name)', () => {
    expect(cleanCell('evil\u001b[2Jname\nx\t')).toBe('evil [2Jname x ');
  });
});

describe('renderTable', () => {
  const columns: TableColumn[] = [
    { header: 'ID', shrink: false, align: 'right' },
    { header: 'NAME' },
    { header: 'NOTES', overflow: 'wrap' },
  ];
  const rows = [
    ['7', 'Quarterly report for the board', 'Printed on both sides, stapled, two copies'],
    ['1234', '会議室のプリンターで印刷', ''],
  ];

  it('keeps natural widths without a width, with no trailing spaces', () => {
    const out = renderTable(columns, rows);
    expect(out.split('\n')).toEqual([
      '  ID  NAME                            NOTES',
      '   7  Quarterly report for the board  Printed on both sides, stapled, two copies',
      '1234  会議室のプリンターで印刷',
    ]);
  });

  it.each([80, 60, 40, 30])('fits in %i columns: every line, no trailing space', (width) => {
    const out = renderTable(columns, rows, { width });
    for (const line of out.split('\n')) {
      expect(displayWidth(line)).toBeLessThanOrEqual(width);
      expect(line).toBe(line.trimEnd());
    }
    // Ids are never cut; the note is wrapped, not lost.
    expect(out).toContain('1234');
    expect(out.replace(/\s+/g, ' ')).toContain('two copies');
  });

  it('shrinks the widest column first and cuts it with an ellipsis', () => {
    const out = renderTable(columns.slice(0, 2), rows, { width: 20 });
    expect(out.split('\n')).toEqual(['  ID  NAME', '   7  Quarterly rep…', '1234  会議室のプリ…']);
    expect(widest(out)).toBeLessThanOrEqual(20);
  });

  it('paints after layout, so colour codes are never measured or cut', () => {
    const out = renderTable(
      [{ header: 'STATE' }, { header: 'X' }],
      [[{ text: 'Paper jam', paint: (t) => `<${t}>` }, 'x']],
      { paintHeader: (t) => `*${t}*` },
    );
    expect(out.split('\n')).toEqual(['*STATE*      *X*', '<Paper jam>  x']);
  });
});

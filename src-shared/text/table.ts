/**
 * Plain-text tables for both command-line tools: columns separated by two spaces, fitted to the
 * width the caller passes (a terminal's columns; none for a pipe or a file). Long cells are cut
 * with `…` or wrapped, per column; no line ends in spaces, so a table that fits in 80 columns
 * never draws blank lines on an 80-column terminal. Widths are display cells: CJK and emoji take
 * two (string-width, which follows Unicode's East Asian Width and emoji presentation). string-width
 * compiles its Unicode tables when it loads (~30 ms, at every start of a command-line tool), so it
 * is loaded only when some text needs it: callers `await loadWidthsFor(texts)` (or
 * `loadWideWidths()`) before laying text out.
 *
 * Colour is the caller's: a cell may carry a `paint` function that is applied to its text after
 * layout, so that escape codes are never measured, cut or wrapped.
 */

export interface TableColumn {
  readonly header: string;
  /** How a cell too wide for its column is shown: cut with `…` (default) or wrapped on spaces. */
  readonly overflow?: 'truncate' | 'wrap';
  /** False for values that must stay whole (names, ids, dates): cut only as a last resort. */
  readonly shrink?: boolean;
  /** The narrowest the column gets before the table overflows; default 8 (or its natural width). */
  readonly minWidth?: number;
  readonly align?: 'left' | 'right';
}

export type TableCell =
  string | { readonly text: string; readonly paint?: (text: string) => string };

export interface TableOptions {
  /** Display columns available; the table is as wide as its content when undefined. */
  readonly width?: number;
  /** Applied to each header cell after layout (bold on a terminal). */
  readonly paintHeader?: (text: string) => string;
  /** Spaces between columns; default 2. */
  readonly gap?: number;
}

const DEFAULT_MIN_WIDTH = 8;
const ELLIPSIS = '…';
/** `Sec…`: still a hint of what was there. */
const LAST_RESORT_WIDTH = 4;

/** Made on first use: ICU's segmentation data costs milliseconds, and most cells are ASCII. */
let segmenter: Intl.Segmenter | null = null;
function graphemes(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}

/**
 * Control characters (a job name is whatever the submitting program wrote) would move the cursor,
 * start escape sequences or break the row: each becomes a space.
 */
export function cleanCell(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/** Characters one terminal cell wide each (test/unit/text checks them against string-width). */
export const NARROW = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u2010-\u2027\u2030-\u205e]*$/;

let wideWidth: ((text: string) => number) | null = null;

/** Loads the Unicode width tables now (a command about to draw arbitrary text). */
export async function loadWideWidths(): Promise<void> {
  wideWidth ??= (await import('string-width')).default;
}

/** Loads the Unicode width tables if any of `texts` needs them (one cell per unit otherwise). */
export async function loadWidthsFor(texts: Iterable<string>): Promise<void> {
  if (wideWidth !== null) return;
  for (const text of texts) {
    if (!NARROW.test(text)) {
      await loadWideWidths();
      return;
    }
  }
}

/**
 * Width of `text` in terminal cells. Before the tables are loaded, text outside NARROW counts one
 * cell per grapheme: close for most scripts, short for CJK and emoji — the reason callers load
 * the tables first.
 */
export function displayWidth(text: string): number {
  // Most cells are printable ASCII, Latin letters and common punctuation (`…`, `—`, `·`), one
  // cell per UTF-16 unit: skip the Unicode tables (their regular expressions compile on first
  // use, ~30 ms at every start of a command-line tool). NARROW leaves out what is not one cell:
  // the soft hyphen, combining marks (U+0300–U+036F) and the zero-width and bidi controls.
  if (NARROW.test(text)) return text.length;
  if (wideWidth !== null) return wideWidth(text);
  return Array.from(graphemes(text)).length;
}

/** `text` cut to at most `width` cells, ending in `…` when anything was cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const { segment } of graphemes(text)) {
    const w = displayWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out.trimEnd()}${ELLIPSIS}`;
}

/**
 * Lines of at most `width` cells, broken at spaces. A word longer than a line is cut with `…`
 * (broken letter by letter, it would be harder to read than cut).
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (word === '') continue;
    const candidate = line === '' ? word : `${line} ${word}`;
    if (displayWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    line = truncate(word, width);
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

function textOf(cell: TableCell | undefined): string {
  return cleanCell(typeof cell === 'string' ? cell : (cell?.text ?? ''));
}

/**
 * Column widths: natural widths when they fit; otherwise the widest shrinkable column gives up
 * one cell at a time down to its minimum; the table still too wide, further down to a few cells,
 * then the columns that should not shrink, then every column down to one cell.
 */
export function fitWidths(
  natural: readonly number[],
  columns: readonly TableColumn[],
  width: number | undefined,
  gap: number,
): number[] {
  const widths = [...natural];
  if (width === undefined) return widths;
  const total = (): number =>
    widths.reduce((sum, w) => sum + w, 0) + gap * Math.max(0, widths.length - 1);
  const shrinkTo = (floor: (i: number) => number, all: boolean): void => {
    while (total() > width) {
      let widest = -1;
      for (let i = 0; i < widths.length; i++) {
        const w = widths[i] ?? 0;
        if ((!all && columns[i]?.shrink === false) || w <= floor(i)) continue;
        if (widest === -1 || w > (widths[widest] ?? 0)) widest = i;
      }
      if (widest === -1) return;
      widths[widest] = (widths[widest] ?? 0) - 1;
    }
  };
  const minimum = (i: number): number =>
    Math.min(natural[i] ?? 0, columns[i]?.minWidth ?? DEFAULT_MIN_WIDTH);
  shrinkTo(minimum, false);
  // Still too wide: every column gives way rather than lines wrapping on the terminal, the ones
  // that should stay whole last.
  shrinkTo((i) => Math.min(minimum(i), LAST_RESORT_WIDTH), false);
  shrinkTo(minimum, true);
  shrinkTo(() => 1, true);
  return widths;
}

export function renderTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly TableCell[])[],
  options: TableOptions = {},
): string {
  const gap = options.gap ?? 2;
  const headers = columns.map((c) => cleanCell(c.header));
  const texts = rows.map((row) => columns.map((_, i) => textOf(row[i])));
  const natural = columns.map((_, i) =>
    Math.max(displayWidth(headers[i] ?? ''), ...texts.map((t) => displayWidth(t[i] ?? ''))),
  );
  const widths = fitWidths(natural, columns, options.width, gap);

  const drawRow = (
    cells: readonly string[],
    paints: readonly (((text: string) => string) | undefined)[],
  ): string[] => {
    const laidOut = cells.map((text, i) => {
      const width = widths[i] ?? 0;
      if (displayWidth(text) <= width) return [text];
      return columns[i]?.overflow === 'wrap' ? wrap(text, width) : [truncate(text, width)];
    });
    const height = Math.max(1, ...laidOut.map((lines) => lines.length));
    const lines: string[] = [];
    for (let l = 0; l < height; l++) {
      const parts = laidOut.map((cellLines, i) => {
        const text = cellLines[l] ?? '';
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(text)));
        const paint = paints[i];
        const shown = text === '' || paint === undefined ? text : paint(text);
        return columns[i]?.align === 'right' ? `${pad}${shown}` : `${shown}${pad}`;
      });
      lines.push(parts.join(' '.repeat(gap)).trimEnd());
    }
    return lines;
  };

  const headerPaint = options.paintHeader;
  const out = drawRow(
    headers,
    headers.map(() => headerPaint),
  );
  rows.forEach((row, r) => {
    out.push(
      ...drawRow(
        texts[r] ?? [],
        columns.map((_, i) => {
          const cell = row[i];
          return typeof cell === 'object' ? cell.paint : undefined;
        }),
      ),
    );
  });
  return out.join('\n');
}

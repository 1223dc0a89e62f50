/**
 * string-width (~30 ms to load) is loaded only when some text needs it: ASCII and Latin tables
 * never pay for it, and a CJK name loads it before the layout.
 */
import { describe, expect, it } from 'vitest';
import { displayWidth, loadWidthsFor } from '../../../src-shared/text/table.ts';

describe('the Unicode width tables, loaded on need', () => {
  it('are not loaded for Latin text, and are for CJK', async () => {
    await loadWidthsFor(['Office printer', 'Büro — 2. Stock…']);
    // Not loaded: outside NARROW, one cell per grapheme.
    expect(displayWidth('打印机')).toBe(3);
    await loadWidthsFor(['Office', '会議室のプリンター']);
    expect(displayWidth('打印机')).toBe(6);
    expect(displayWidth('🖨️')).toBe(2);
  });
});

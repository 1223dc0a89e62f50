import { describe, expect, it } from 'vitest';
import type { Printer } from '../../../src-shared/model/printer.ts';
import { makePrinter } from '../make-printer.ts';
import { normaliseReasons } from '../../../src-shared/printing/state-reasons.ts';
import { printerStatusLabel, reasonLabel } from '../../../src-shared/printing/labels.ts';

const printer = (over: Partial<Printer>): Printer => makePrinter({ name: 'Office', ...over });

describe('plain-language labels', () => {
  it('says what a person sees', () => {
    expect(printerStatusLabel(printer({}))).toBe('Ready');
    expect(
      printerStatusLabel(
        printer({ state: 'stopped', reasons: normaliseReasons(['paused'], 'stopped') }),
      ),
    ).toBe('Paused');
    expect(
      printerStatusLabel(
        printer({ reasons: normaliseReasons(['media-jam-warning', 'toner-low-report'], 'idle') }),
      ),
    ).toBe('Ready, Paper jam, Toner low');
    expect(printerStatusLabel(printer({ acceptingJobs: false }))).toBe('Ready, Not accepting jobs');
  });

  it('lists the worst problem first, whatever order the printer reported them in', () => {
    expect(
      printerStatusLabel(
        printer({ reasons: normaliseReasons(['toner-low-report', 'media-jam-report'], 'idle') }),
      ),
    ).toBe('Ready, Paper jam, Toner low');
  });

  it('falls back to the keyword for unknown reasons', () => {
    expect(reasonLabel('com.acme-stapler-empty')).toBe('stapler empty');
    expect(reasonLabel('stapler-empty')).toBe('stapler empty');
    expect(reasonLabel('cups-ipp-missing-send-document')).toBe('Printer firmware incomplete');
  });
});

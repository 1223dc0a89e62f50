import { describe, expect, it } from 'vitest';
import type { Printer } from '../../../src-shared/model/printer.ts';
import { normaliseReasons } from '../../../src-shared/printing/state-reasons.ts';
import { printerStatusLabel, reasonLabel } from '../../../src-shared/printing/labels.ts';

const printer = (over: Partial<Printer>): Printer => ({
  name: 'Office',
  description: null,
  location: null,
  makeAndModel: null,
  driver: null,
  connection: { uri: null, port: null },
  isDefault: false,
  isShared: false,
  state: 'idle',
  reasons: [],
  stateMessage: null,
  supplies: [],
  acceptingJobs: true,
  jobCount: 0,
  ...over,
});

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

  it('falls back to the keyword for unknown reasons', () => {
    expect(reasonLabel('com.acme-stapler-empty')).toBe('stapler empty');
    expect(reasonLabel('stapler-empty')).toBe('stapler empty');
    expect(reasonLabel('cups-ipp-missing-send-document')).toBe('Printer firmware incomplete');
  });
});

import { describe, expect, it } from 'vitest';
import type { Printer } from '../../../src-shared/model/printer.ts';
import { makePrinter } from '../make-printer.ts';
import { normaliseReasons } from '../../../src-shared/printing/state-reasons.ts';
import {
  jobStatusLabel,
  printerStatus,
  reasonLabel,
  stateMessageWorthShowing,
} from '../../../src-shared/printing/labels.ts';

const printer = (over: Partial<Printer>): Printer => makePrinter({ name: 'Office', ...over });

const status = (over: Partial<Printer>) => printerStatus(printer(over));

describe('plain-language labels', () => {
  it('says what a person sees', () => {
    expect(status({})).toEqual({ label: 'Ready', tone: 'ok', problems: [] });
    expect(status({ state: 'processing' }).label).toBe('Printing');
    expect(status({ state: 'stopped', reasons: normaliseReasons(['paused'], 'stopped') })).toEqual({
      label: 'Paused',
      tone: 'error',
      problems: [],
    });
    expect(status({ acceptingJobs: false })).toEqual({
      label: 'Ready',
      tone: 'warning',
      problems: ['Not accepting jobs'],
    });
  });

  it('never says Ready beside a problem that stops printing: the worst one is the status', () => {
    expect(
      status({ reasons: normaliseReasons(['toner-low-report', 'media-jam-warning'], 'idle') }),
    ).toEqual({ label: 'Paper jam', tone: 'warning', problems: ['Toner low'] });
    // A lesser problem leaves the state as it is.
    expect(status({ reasons: normaliseReasons(['toner-low-report'], 'idle') })).toEqual({
      label: 'Ready',
      tone: 'warning',
      problems: ['Toner low'],
    });
    // A device that is gone is Offline, not Ready.
    expect(status({ reasons: normaliseReasons(['offline-report'], 'idle') }).label).toBe('Offline');
  });

  it('keeps the paused queue in sight when a jam is the status', () => {
    expect(
      status({
        state: 'stopped',
        reasons: normaliseReasons(['paused', 'media-jam-error'], 'stopped'),
      }),
    ).toEqual({ label: 'Paper jam', tone: 'error', problems: ['Paused'] });
  });

  it('leaves out a state message that only names a state', () => {
    expect(stateMessageWorthShowing(printer({ state: 'processing', stateMessage: 'Idle.' }))).toBe(
      null,
    );
    expect(stateMessageWorthShowing(printer({ stateMessage: 'Ready to print.' }))).toBe(null);
    expect(
      stateMessageWorthShowing(printer({ state: 'stopped', stateMessage: 'Tray 2 is open' })),
    ).toBe('Tray 2 is open');
  });

  it('says a job state in plain words, the raw keywords left to --json', () => {
    expect(jobStatusLabel({ state: 'pending-held', reasons: ['job-hold-until-specified'] })).toBe(
      'Held',
    );
    expect(jobStatusLabel({ state: 'completed', reasons: ['processing-to-stop-point'] })).toBe(
      'Printed',
    );
    expect(jobStatusLabel({ state: 'processing', reasons: ['job-printing'] })).toBe('Printing');
    expect(jobStatusLabel({ state: 'completed', reasons: ['job-completed-with-warnings'] })).toBe(
      'Printed with warnings',
    );
    expect(jobStatusLabel({ state: 'pending', reasons: ['printer-stopped'] })).toBe(
      'Waiting (Printer stopped)',
    );
    expect(jobStatusLabel({ state: 'pending', reasons: ['com.acme-quota-wait'] })).toBe(
      'Waiting (quota wait)',
    );
  });

  it('falls back to the keyword for unknown reasons', () => {
    expect(reasonLabel('com.acme-stapler-empty')).toBe('stapler empty');
    expect(reasonLabel('stapler-empty')).toBe('stapler empty');
    expect(reasonLabel('cups-ipp-missing-send-document')).toBe('Printer firmware incomplete');
  });
});

import { describe, expect, it } from 'vitest';
import type { PrinterState } from '../../../src-shared/model/printer.ts';
import {
  explainJobReason,
  explainPrinterReason,
  isVendorKeyword,
  JOB_REASONS,
  JobReasonExplanationSchema,
  PRINTER_REASONS,
  PrinterReasonExplanationSchema,
} from '../../../src-shared/printing/knowledge.ts';
import type { ReasonFix } from '../../../src-shared/printing/knowledge.ts';
import { reasonLabel } from '../../../src-shared/printing/labels.ts';
import { reasonSeverity } from '../../../src-shared/printing/state-reasons.ts';

const STATES: readonly PrinterState[] = ['idle', 'processing', 'stopped', 'unknown'];

/** Every printer keyword in the table of reference/printing.md §2, as a device or CUPS sends it. */
const REFERENCE_PRINTER_REASONS = [
  'media-empty',
  'media-low',
  'media-needed',
  'media-jam',
  'toner-low',
  'marker-supply-low',
  'toner-empty',
  'marker-supply-empty',
  'marker-supply-missing',
  'marker-waste-almost-full',
  'marker-waste-full',
  'developer-low',
  'developer-empty',
  'opc-near-eol',
  'opc-life-over',
  'cleaner-life-almost-over',
  'cleaner-life-over',
  'fuser-over-temp',
  'fuser-under-temp',
  'door-open',
  'cover-open',
  'interlock-open',
  'input-tray-missing',
  'output-tray-missing',
  'output-area-almost-full',
  'output-area-full',
  'spool-area-full',
  'offline',
  'offline-report',
  'shutdown',
  'connecting-to-device',
  'timed-out',
  'paused',
  'moving-to-paused',
  'stopping',
  'stopped-partly',
  'hold-new-jobs',
  'deactivated',
  'interpreter-resource-unavailable',
  'cups-missing-filter',
  'cups-insecure-filter',
  'cups-certificate-error',
  'cups-ipp-missing-send-document',
  'cups-ipp-missing-job-state-reasons',
  'cups-ipp-wrong-http-version',
  'cups-ipp-conformance-failure-report',
  'other',
];

/** Reasons that only report progress: nothing to fix. */
const NOTHING_TO_FIX = ['none', 'cups-waiting-for-job-completed'];

const REFERENCE_JOB_REASONS = [
  'job-hold-until-specified',
  'cups-held-for-authentication',
  'account-info-needed',
  'account-authorization-failed',
  'account-limit-reached',
  'job-held-for-review',
  'job-password-wait',
  'printer-stopped',
  'printer-stopped-partly',
  'document-format-error',
  'unsupported-document-format',
  'document-unprintable-error',
  'document-password-error',
  'document-permission-error',
  'document-security-error',
  'aborted-by-system',
  'job-canceled-by-user',
  'job-canceled-by-operator',
  'job-canceled-at-device',
  'submission-interrupted',
  'job-data-insufficient',
  'queued-in-device',
  'job-fetchable',
  'job-printing',
  'job-queued',
  'job-incoming',
  'job-completed-successfully',
  'job-completed-with-warnings',
  'job-completed-with-errors',
  'processing-to-stop-point',
  'none',
];

/** Job reasons that only say how the job is getting on. */
const JOB_PROGRESS = [
  'none',
  'job-printing',
  'job-queued',
  'job-incoming',
  'job-completed-successfully',
  'processing-to-stop-point',
];

const allFixes = (): ReasonFix[] =>
  [...PRINTER_REASONS, ...JOB_REASONS].flatMap((entry) => (entry.fix === null ? [] : [entry.fix]));

const allTexts = (): string[] =>
  [...PRINTER_REASONS, ...JOB_REASONS].flatMap((entry) => [
    entry.title,
    entry.meaning,
    ...(entry.fix === null ? [] : [entry.fix.title, ...entry.fix.steps]),
  ]);

describe('printer state reasons', () => {
  it('knows every keyword of the reference table and says what to do about it', () => {
    for (const raw of REFERENCE_PRINTER_REASONS) {
      const explanation = explainPrinterReason(raw, 'stopped');
      expect(explanation.known, raw).toBe(true);
      expect(explanation.vendor, raw).toBe(false);
      expect(explanation.fix?.steps.length, raw).toBeGreaterThan(0);
      expect(PrinterReasonExplanationSchema.parse(explanation)).toEqual(explanation);
    }
    for (const raw of NOTHING_TO_FIX) {
      const explanation = explainPrinterReason(raw, 'processing');
      expect(explanation.known, raw).toBe(true);
      expect(explanation.fix, raw).toBeNull();
      expect(explanation.severity, raw).toBe('report');
    }
  });

  it('strips the severity suffix and explains the base keyword', () => {
    const jam = explainPrinterReason('media-jam-warning', 'processing');
    expect(jam).toMatchObject({
      keyword: 'media-jam',
      raw: 'media-jam-warning',
      title: 'Paper jam',
    });
    expect(explainPrinterReason('offline-report', 'idle')).toMatchObject({
      keyword: 'offline',
      known: true,
    });
    // CUPS adds the conformance note with -report; the prefix rule still applies after stripping.
    expect(explainPrinterReason('cups-ipp-conformance-failure-report', 'idle')).toMatchObject({
      keyword: 'cups-ipp-conformance-failure',
      known: true,
      severity: 'report',
    });
  });

  it('keeps a keyword whose name ends in -error whole', () => {
    expect(explainPrinterReason('cups-certificate-error', 'stopped')).toMatchObject({
      keyword: 'cups-certificate-error',
      known: true,
      severity: 'error',
    });
  });

  it('takes the stronger of suffix and keyword default, capped at warning unless stopped', () => {
    // ippeveprinter says -report while idle: an empty tray is still worth a warning.
    expect(explainPrinterReason('media-empty-report', 'idle').severity).toBe('warning');
    expect(explainPrinterReason('media-empty-report', 'stopped').severity).toBe('error');
    expect(explainPrinterReason('toner-low-report', 'stopped').severity).toBe('warning');
    expect(explainPrinterReason('toner-low-error', 'processing').severity).toBe('warning');
    expect(explainPrinterReason('toner-low-error', 'stopped').severity).toBe('error');
    // Informational by default, but a suffix may raise it.
    expect(explainPrinterReason('cups-ipp-missing-get-jobs', 'stopped').severity).toBe('report');
    expect(explainPrinterReason('cups-ipp-missing-get-jobs-warning', 'idle').severity).toBe(
      'warning',
    );
  });

  it('never calls a reason an error while the printer is not stopped', () => {
    for (const { keyword } of PRINTER_REASONS) {
      for (const suffix of ['', '-report', '-warning', '-error']) {
        for (const state of STATES.filter((s) => s !== 'stopped')) {
          const raw = keyword.replace('*', 'x') + suffix;
          expect(explainPrinterReason(raw, state).severity, `${raw} ${state}`).not.toBe('error');
        }
      }
    }
  });

  it('explains vendor keywords as "other", keeping the keyword for IT', () => {
    const stapler = explainPrinterReason('com.acme-stapler-empty-error', 'stopped');
    expect(stapler).toMatchObject({
      keyword: 'com.acme-stapler-empty',
      raw: 'com.acme-stapler-empty-error',
      known: false,
      vendor: true,
      severity: 'error',
      title: 'stapler empty',
    });
    expect(stapler.meaning).toContain('com.acme-stapler-empty');
    expect(stapler.fix?.steps.join(' ')).toMatch(/display or control panel/);
    expect(stapler.fix?.steps.join(' ')).toContain('com.acme-stapler-empty');

    const apple = explainPrinterReason('com.apple.print.recoverable-warning', 'processing');
    expect(apple).toMatchObject({
      keyword: 'com.apple.print.recoverable',
      vendor: true,
      severity: 'warning',
      title: 'Needs attention',
    });
    expect(explainPrinterReason('com.acme-fuser-cleaning', 'idle').severity).toBe('warning');
  });

  it('tells vendor keywords from standard ones', () => {
    expect(isVendorKeyword('com.acme-stapler-empty')).toBe(true);
    expect(isVendorKeyword('com.apple.print.recoverable')).toBe(true);
    expect(isVendorKeyword('smi2699-auth-required')).toBe(true);
    expect(isVendorKeyword('stapler-empty')).toBe(false);
    expect(isVendorKeyword('media-jam')).toBe(false);
    expect(isVendorKeyword('smiley-face')).toBe(false);
  });

  it('takes the severity of an unknown keyword from its suffix, warning without one', () => {
    expect(explainPrinterReason('stapler-empty', 'stopped')).toMatchObject({
      keyword: 'stapler-empty',
      known: false,
      vendor: false,
      severity: 'warning',
      title: 'stapler empty',
    });
    expect(explainPrinterReason('stapler-empty-report', 'idle').severity).toBe('report');
    expect(explainPrinterReason('stapler-empty-error', 'stopped').severity).toBe('error');
    expect(explainPrinterReason('stapler-empty-error', 'idle').severity).toBe('warning');
    expect(explainPrinterReason('stapler-empty', 'idle').meaning).toBe(
      'The printer reports a condition Printo Help does not know: stapler-empty.',
    );
  });

  it('is the one source for labels and severities', () => {
    for (const entry of PRINTER_REASONS) {
      const keyword = entry.keyword.replace('*', 'x');
      expect(reasonLabel(keyword), keyword).toBe(entry.title);
      expect(reasonSeverity(keyword, 'stopped'), keyword).toBe(entry.severity);
    }
  });

  it('does not let a caller change the table through an explanation', () => {
    const steps = explainPrinterReason('media-jam', 'idle').fix?.steps ?? [];
    expect(steps.length).toBeGreaterThan(0);
    expect(() => steps.push('Kick it.')).toThrow(TypeError);
    expect(explainPrinterReason('media-jam', 'idle').fix?.steps).not.toContain('Kick it.');
  });
});

describe('job state reasons', () => {
  it('knows every job reason the reference names and what to do when one needs action', () => {
    for (const keyword of REFERENCE_JOB_REASONS) {
      const explanation = explainJobReason(keyword);
      expect(explanation.known, keyword).toBe(true);
      expect(JobReasonExplanationSchema.parse(explanation)).toEqual(explanation);
      if (JOB_PROGRESS.includes(keyword)) expect(explanation.fix, keyword).toBeNull();
      else expect(explanation.fix?.steps.length, keyword).toBeGreaterThan(0);
    }
  });

  it('tells the user to release a held job', () => {
    expect(explainJobReason('job-hold-until-specified').fix?.title).toBe('Release the job');
  });

  it('does not strip -error from job reasons: it is part of their name', () => {
    expect(explainJobReason('document-format-error')).toMatchObject({
      keyword: 'document-format-error',
      known: true,
    });
  });

  it('gives unknown job reasons a generic answer that keeps the keyword', () => {
    const explanation = explainJobReason('job-frobnicated');
    expect(explanation).toMatchObject({ keyword: 'job-frobnicated', known: false });
    expect(explanation.meaning).toContain('job-frobnicated');
    expect(explanation.fix?.steps.length).toBeGreaterThan(0);
  });
});

describe('the knowledge base', () => {
  it('lists no keyword twice', () => {
    for (const table of [PRINTER_REASONS, JOB_REASONS]) {
      const keywords = table.map((entry) => entry.keyword);
      const repeated = keywords.filter((keyword, i) => keywords.indexOf(keyword) !== i);
      expect(repeated).toEqual([]);
    }
  });

  it('gives every fix at least one step, and commands only to IT', () => {
    for (const fix of allFixes()) {
      expect(fix.steps.length, fix.title).toBeGreaterThan(0);
      for (const step of fix.steps) expect(step.trim(), fix.title).not.toBe('');
      if (fix.command !== undefined) expect(fix.forIt, fix.title).toBe(true);
    }
  });

  it('keeps titles short enough for a table cell and meanings to one sentence', () => {
    for (const entry of [...PRINTER_REASONS, ...JOB_REASONS]) {
      expect(entry.title.split(' ').length, entry.keyword).toBeLessThanOrEqual(4);
      expect(entry.meaning, entry.keyword).toMatch(/^[A-Z][^]*\.$/);
      expect(entry.meaning.slice(0, -1), entry.keyword).not.toMatch(/[.!?] /);
    }
  });

  it('spells as the rest of the app does', () => {
    for (const text of allTexts()) expect(text).not.toMatch(/\bcanceled\b|\bcolor\b/i);
  });
});

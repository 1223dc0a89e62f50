import { describe, expect, it } from 'vitest';
import type { CheckResult, DiagnosticsReport } from '../../../src-shared/model/diagnostics.ts';
import { shareableReport } from '../../../src-shared/privacy/share-report.ts';

const result = (over: Partial<CheckResult>): CheckResult => ({
  checkId: 'device-reachable',
  title: 'Printer reachable',
  printer: 'Floor2',
  status: 'fail',
  summary: 'The printer cannot be reached.',
  details: null,
  evidence: [],
  fixes: [],
  startedAt: '2026-11-24T10:00:00.000Z',
  durationMs: 3,
  ...over,
});

const report = (results: CheckResult[]): DiagnosticsReport => ({
  schema: 'diagnostics-report/v1',
  id: '6f1c2b1e-6a39-4d41-9c55-0b3f2b1a9f10',
  startedAt: '2026-11-24T10:00:00.000Z',
  finishedAt: '2026-11-24T10:00:03.000Z',
  durationMs: 3000,
  host: {
    name: 'WS-ACCOUNTS-07',
    os: { platform: 'win32', release: '10.0.26100', arch: 'x64' },
    printService: { kind: 'windows', endpoint: 'Print Spooler on WS-ACCOUNTS-07' },
  },
  app: { name: 'Printo Help', version: '0.1.0' },
  options: { checkTimeoutMs: 3000, deadlineMs: 12000, printers: null },
  verdict: 'fail',
  printers: [{ name: 'Floor2', verdict: 'fail', summary: 'The printer cannot be reached.' }],
  results,
});

const sample = report([
  result({
    details:
      'Cannot connect to ipp://printer-floor2.corp.example:631/ipp/print (ECONNREFUSED); also tried 192.0.2.41 and 2001:db8::41.',
    evidence: [
      {
        label: 'Printer address',
        value: 'printer-floor2.corp.example:631',
        sensitive: 'device.identifiers',
      },
      { label: 'Serial number', value: 'CNB7K12345', sensitive: 'device.identifiers' },
      { label: 'MAC', value: 'Seen as 00:1b:a9:4f:22:10 on the switch' },
      { label: 'Connection', value: 'ipp' },
    ],
    fixes: [
      {
        title: 'Re-add the printer',
        steps: ['Ask IT.'],
        command:
          'lpadmin -p Floor2 -E -v ipp://printer-floor2.corp.example/ipp/print -m everywhere',
      },
    ],
  }),
  result({
    checkId: 'stuck-jobs',
    title: 'Stuck and held jobs',
    summary: '1 job is held: Payroll November.xlsx by j.doe',
    evidence: [
      { label: 'Documents', value: ['Payroll November.xlsx'], sensitive: 'jobs.metadata' },
      { label: 'Owners', value: ['j.doe'], sensitive: 'jobs.metadata' },
      { label: 'Jobs', value: ['12'] },
    ],
  }),
]);

describe('shareable diagnostics report', () => {
  it('without scopes keeps no host name, address, serial, MAC, document name or owner anywhere', () => {
    const shared = shareableReport(sample, []);
    const text = JSON.stringify(shared);
    for (const secret of [
      'WS-ACCOUNTS-07',
      'printer-floor2',
      '192.0.2.41',
      '2001:db8::41',
      'CNB7K12345',
      '00:1b:a9:4f:22:10',
      'Payroll November',
      'j.doe',
    ]) {
      expect(text, secret).not.toContain(secret);
    }
    // What support needs stays: queue names, statuses, check ids, job ids, the connection kind.
    expect(shared.results.map((r) => [r.checkId, r.printer, r.status])).toEqual([
      ['device-reachable', 'Floor2', 'fail'],
      ['stuck-jobs', 'Floor2', 'fail'],
    ]);
    expect(shared.results[0]?.fixes[0]?.command).toBe(
      'lpadmin -p Floor2 -E -v ipp://[device identifier]/ipp/print -m everywhere',
    );
    expect(shared.results[1]?.summary).toBe('1 job is held: [job details] by [job details]');
    expect(shared.results[1]?.evidence[2]).toEqual({ label: 'Jobs', value: ['12'] });
    expect(shared.host.name).toBe('[device identifier]');
    expect(shared.sharing).toEqual({ scopes: [] });
  });

  it('keeps each kind of data only with its own scope', () => {
    const devices = JSON.stringify(shareableReport(sample, ['device.identifiers']));
    expect(devices).toContain('CNB7K12345');
    expect(devices).toContain('192.0.2.41');
    expect(devices).not.toContain('j.doe');
    const jobs = JSON.stringify(shareableReport(sample, ['jobs.metadata']));
    expect(jobs).toContain('Payroll November.xlsx');
    expect(jobs).not.toContain('WS-ACCOUNTS-07');
  });

  it('does not eat ordinary words that happen to equal a short secret', () => {
    const shared = shareableReport(
      report([
        result({
          summary: 'Waiting for help',
          evidence: [{ label: 'Owners', value: ['lp'], sensitive: 'jobs.metadata' }],
        }),
      ]),
      [],
    );
    expect(shared.results[0]?.summary).toBe('Waiting for help');
    expect(shared.results[0]?.evidence[0]?.value).toEqual(['[job details]']);
  });
});

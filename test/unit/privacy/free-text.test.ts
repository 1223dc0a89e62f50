import { describe, expect, it } from 'vitest';
import type { DiagnosticsReport } from '../../../src-shared/model/diagnostics.ts';
import {
  REDACTED,
  scrubIdentifierShapes,
  textScrubber,
} from '../../../src-shared/privacy/free-text.ts';
import { redactData } from '../../../src-shared/privacy/redact-data.ts';
import { shareableReport } from '../../../src-shared/privacy/share-report.ts';
import { makePrinter } from '../make-printer.ts';

const ID = REDACTED['device.identifiers'];

describe('identifier shapes in free text', () => {
  it.each([
    ['Unable to connect to 192.0.2.7.', `Unable to connect to ${ID}.`],
    ['Link-local fe80::1ff:fe23:4567:890a is down', `Link-local ${ID} is down`],
    ['Full form 2001:db8:0:0:0:0:2:1 here', `Full form ${ID} here`],
    ['MAC 00:1B:63:84:45:E6 seen', `MAC ${ID} seen`],
    ['Jobs go to ipp://printer.corp.example:631/ipp/print', `Jobs go to ipp://${ID}:631/ipp/print`],
    ['Shared as \\\\PRINTSRV01\\Office', `Shared as \\\\${ID}\\Office`],
    ['Host prn-fl2.corp.example.com is down', `Host ${ID} is down`],
    ['Floor 2 (office-hp.local)', `Floor 2 (${ID})`],
    ['Found NPI3A2F1B.lan', `Found ${ID}`],
    ['HP LaserJet M404 SN:CNB3K12345', `HP LaserJet M404 SN:${ID}`],
    ['Serial Number: X5EM012345', `Serial Number: ${ID}`],
    ['S/N E12345A6N123456', `S/N ${ID}`],
    ['usb serial=CN12345678', `usb serial=${ID}`],
    ['Toner cartridge VNB3R12345 low', `Toner cartridge ${ID} low`],
  ])('replaces %j', (text, expected) => {
    expect(scrubIdentifierShapes(text)).toBe(expected);
  });

  it.each([
    'Check the serial number on the back of the printer.',
    'Look for the model on mopria.org or cups.org.',
    'Brother MFC-9340CDW, HP LaserJet Pro M404dn, Epson WF-7720, Lexmark MX622ADHE',
    'Driver version 10.0.19045.1 installed at 10:30:45 on 2026-11-24',
    'Printed Q3.budget.xlsx, report.final.pdf and scan_001.jpg',
    'Waste toner box 80% full; 4 jobs waiting',
    'Restart the Print Spooler with `Restart-Service Spooler`; [Console]::Out',
    'SNMP community public',
    'usb://HP/LaserJet%20M404?serial=CN12345678 is local',
  ])('leaves %j alone (save a local device URI’s serial)', (text) => {
    const out = scrubIdentifierShapes(text);
    if (text.startsWith('usb://')) {
      expect(out).toBe(`usb://HP/LaserJet%20M404?serial=${ID} is local`);
    } else {
      expect(out).toBe(text);
    }
  });

  it('replaces known values case-insensitively as whole words, longest first', () => {
    const scrub = textScrubber(
      [
        { value: 'prn-floor2', replacement: ID },
        { value: 'prn-floor2.example', replacement: ID },
        { value: 'lp', replacement: ID },
      ],
      true,
    );
    expect(scrub('PRN-FLOOR2.example did not answer; prn-floor2x is another')).toBe(
      `${ID} did not answer; prn-floor2x is another`,
    );
    // Short values only as the whole text.
    expect(scrub('lp')).toBe(ID);
    expect(scrub('help')).toBe('help');
  });
});

describe('data for an agent without device.identifiers', () => {
  it('scrubs every free text of a printer and keeps the queue name', () => {
    const data = redactData(
      {
        kind: 'printers',
        printers: [
          makePrinter({
            name: 'Floor2',
            description: 'The printer prn-floor2',
            location: 'Room 12, next to 10.0.0.9',
            makeAndModel: 'HP LaserJet Pro M404dn SN:CNB3K12345',
            driver: 'HP LaserJet (from \\\\PRINTSRV01)',
            stateMessage: 'prn-floor2 does not answer',
            connection: { uri: 'socket://prn-floor2:9100', port: null },
            supplies: [
              { name: 'Toner VNB3R12345', kind: 'toner', color: null, level: 5, status: 'low' },
            ],
          }),
        ],
      },
      ['printers.read'],
    );
    expect(data).toEqual({
      kind: 'printers',
      printers: [
        makePrinter({
          name: 'Floor2',
          description: `The printer ${ID}`,
          location: `Room 12, next to ${ID}`,
          makeAndModel: `HP LaserJet Pro M404dn SN:${ID}`,
          driver: `HP LaserJet (from \\\\${ID})`,
          stateMessage: `${ID} does not answer`,
          connection: { uri: ID, port: null },
          supplies: [{ name: `Toner ${ID}`, kind: 'toner', color: null, level: 5, status: 'low' }],
        }),
      ],
    });
  });
});

describe('the shareable diagnostics report', () => {
  const report: DiagnosticsReport = {
    schema: 'diagnostics-report/v1',
    id: '5b0d1a36-7945-41ee-9a5f-1e2d3c4b5a69',
    startedAt: '2026-11-24T10:00:00.000Z',
    finishedAt: '2026-11-24T10:00:01.000Z',
    durationMs: 1000,
    host: {
      name: 'ws-accounts-07',
      os: { platform: 'linux', release: '6.1', arch: 'x64' },
      printService: { kind: 'cups', endpoint: '/run/cups/cups.sock' },
    },
    app: { name: 'Printo Help', version: '0.1.0' },
    options: { checkTimeoutMs: 3000, deadlineMs: 30000, printers: null },
    verdict: 'warn',
    printers: [{ name: 'Floor2', verdict: 'warn', summary: 'Toner VNB3R12345 is low' }],
    results: [
      {
        checkId: 'supplies',
        title: 'Supplies of office-hp.local',
        printer: 'Floor2',
        status: 'warn',
        summary: 'The printer reports low toner.',
        details: 'Reported by prn-fl2.corp.example.com at 192.0.2.7',
        evidence: [
          { label: 'marker-names', value: ['Black Toner SN:CNB3K12345'] },
          { label: 'printer-state-message', value: 'Toner low (fe80::1)' },
        ],
        fixes: [
          {
            title: 'Replace the toner in office-hp.local',
            steps: ['Order cartridge VNB3R12345.'],
            action: { id: 'print-test-page', printer: 'Floor2' },
          },
        ],
        startedAt: '2026-11-24T10:00:00.000Z',
        durationMs: 5,
      },
    ],
  };

  it('scrubs supply names, state messages, evidence and fix titles; keeps ids and actions', () => {
    const shared = shareableReport(report, []);
    const text = JSON.stringify(shared);
    for (const leak of [
      'VNB3R12345',
      'CNB3K12345',
      'office-hp.local',
      'prn-fl2.corp.example.com',
      '192.0.2.7',
      'fe80::1',
      'ws-accounts-07',
    ]) {
      expect(text).not.toContain(leak);
    }
    expect(shared.results[0]?.fixes[0]).toEqual({
      title: `Replace the toner in ${ID}`,
      steps: [`Order cartridge ${ID}.`],
      action: { id: 'print-test-page', printer: 'Floor2' },
    });
    expect(shared.results[0]?.checkId).toBe('supplies');
    expect(shared.results[0]?.evidence[0]?.label).toBe('marker-names');
    // With the scope, nothing but the host name rule applies: everything stays.
    expect(JSON.stringify(shareableReport(report, ['device.identifiers']).results)).toBe(
      JSON.stringify(report.results),
    );
  });
});

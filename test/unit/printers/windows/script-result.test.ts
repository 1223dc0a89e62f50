import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPrintoError, type PrintoError } from '../../../../src-shared/errors.ts';
import { readScriptResult } from '../../../../src-main/printers/windows/script-result.ts';
import {
  WINDOWS_SCRIPTS,
  parsePowerShellDate,
} from '../../../../src-main/printers/windows/schemas.ts';
import { WindowsPrinterSystem } from '../../../../src-main/printers/windows/windows-printer-system.ts';
import { FixtureRunner, type FixtureOutput } from './fixture-runner.ts';

function thrown(run: () => unknown): PrintoError {
  try {
    run();
  } catch (error) {
    if (isPrintoError(error)) return error;
    throw error;
  }
  throw new Error('expected a PrintoError');
}

async function rejected(promise: Promise<unknown>): Promise<PrintoError> {
  try {
    await promise;
  } catch (error) {
    if (isPrintoError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('unreadable output', () => {
  const garbage: [string, 'listPrinters' | 'listJobs', FixtureOutput, RegExp][] = [
    [
      'a warning before the JSON',
      'listPrinters',
      { stdout: 'garbage/warning-before-json.txt' },
      /list-printers\.ps1: not JSON/,
    ],
    [
      'a formatted table instead of JSON',
      'listPrinters',
      { stdout: 'garbage/formatted-table.txt' },
      /list-printers\.ps1: not JSON/,
    ],
    [
      'a truncated document',
      'listPrinters',
      { stdout: 'garbage/truncated.json' },
      /list-printers\.ps1: not JSON/,
    ],
    [
      'the packed DriverVersion as a number',
      'listPrinters',
      { stdout: 'garbage/driver-version-number.json' },
      /list-printers\.ps1: 0\.Driver\.DriverVersion: /,
    ],
    [
      'JSON of the wrong shape',
      'listPrinters',
      { stdout: 'garbage/wrong-shape.json' },
      /list-printers\.ps1: 0\.Name: /,
    ],
    [
      'a job with a bad id and date',
      'listJobs',
      { stdout: 'garbage/jobs-bad-fields.json' },
      /list-jobs\.ps1: 0\.Id: /,
    ],
    ['nothing at all', 'listPrinters', { stdout: 'garbage/empty.txt' }, /printed nothing/],
    [
      'non-zero exit with JSON that is not an error report',
      'listPrinters',
      { stdout: 'ps7/list-printers-one.json', exitCode: 1 },
      /exit code 1 without an error report/,
    ],
  ];

  it.each(garbage)(
    '%s → print-service-bad-response naming the script',
    async (_, method, output, message) => {
      const script = method === 'listPrinters' ? 'list-printers' : 'list-jobs';
      const printers = new WindowsPrinterSystem({
        runner: new FixtureRunner('ps51', { [script]: output }),
      });
      const error = await rejected(
        method === 'listPrinters' ? printers.listPrinters() : printers.listJobs(undefined),
      );
      expect(error.code).toBe('print-service-bad-response');
      expect(error.message).toMatch(message);
    },
  );

  it('explains an execution policy that blocks the scripts', async () => {
    const printers = new WindowsPrinterSystem({
      runner: new FixtureRunner('ps51', {
        'list-printers': { stderr: 'garbage/execution-policy.stderr.txt', exitCode: 1 },
      }),
    });
    const error = await rejected(printers.listPrinters());
    expect(error.code).toBe('print-service-error');
    expect(error.message).toMatch(
      /could not run list-printers\.ps1 \(exit code 1\).*not digitally signed/,
    );
    expect(error.hint).toMatch(/execution policy/);
  });

  it('reports a test page that left the queue unseen as an error, not a made-up id', async () => {
    const printers = new WindowsPrinterSystem({
      runner: new FixtureRunner('ps51', { 'print-test-page': 'print-test-page-no-job.json' }),
    });
    const error = await rejected(printers.printTestPage('Finance LaserJet M507'));
    expect(error.code).toBe('print-service-error');
    expect(error.hint).toMatch(/may already have printed/);
  });

  it('never crashes: any output of any script ends in data or a PrintoError', () => {
    const stdout = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.constantFrom('[{"error":1}]', '{"error":{}}', '{"error":{"message":"x"}}', '[null]', '[]'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...WINDOWS_SCRIPTS),
        stdout,
        fc.option(fc.integer({ min: -1, max: 3 }), { nil: null }),
        (script, out, exitCode) => {
          try {
            readScriptResult(script, { stdout: out, stderr: '', exitCode });
          } catch (error) {
            expect(isPrintoError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('script error classification', () => {
  const error = (fields: Record<string, unknown>) =>
    JSON.stringify({
      error: { message: 'failed', hresult: null, category: null, id: null, ...fields },
    });

  it.each([
    [{ hresult: '0x800706ba' }, 'print-service-unreachable'],
    [{ id: 'PrinterNotFound' }, 'printer-not-found'],
    [{ hresult: '0x80070709' }, 'printer-not-found'],
    [{ id: 'JobNotFound' }, 'job-not-found'],
    [{ id: 'ActionNotPossible' }, 'action-not-possible'],
    [{ hresult: '0x80070005' }, 'not-authorized'],
    [{ category: 'PermissionDenied' }, 'not-authorized'],
    [{ hresult: '0x80131500', id: 'Win32Error' }, 'print-service-error'],
  ])('%j → %s', (fields, code) => {
    const failure = thrown(() =>
      readScriptResult(
        'cancel-job',
        { stdout: error(fields), stderr: '', exitCode: 1 },
        { printer: 'P', jobId: 4 },
      ),
    );
    expect(failure.code).toBe(code);
  });

  it('keeps the script’s own words and the HRESULT for other failures', () => {
    const failure = thrown(() =>
      readScriptResult(
        'pause-printer',
        {
          stdout: error({ message: 'The printer driver is unknown.', hresult: '0x80070705' }),
          stderr: '',
          exitCode: 1,
        },
        { printer: 'P' },
      ),
    );
    expect(failure.message).toBe('Cannot pause "P": The printer driver is unknown. (0x80070705)');
  });
});

describe('PowerShell output forms', () => {
  it('reads Windows PowerShell 5.1 and PowerShell 7 dates as the same instant', () => {
    expect(parsePowerShellDate('/Date(1732460400000)/')).toBe('2024-11-24T15:00:00.000Z');
    expect(parsePowerShellDate('/Date(1732460400000+0100)/')).toBe('2024-11-24T15:00:00.000Z');
    expect(parsePowerShellDate('2024-11-24T16:00:00+01:00')).toBe('2024-11-24T15:00:00.000Z');
    expect(parsePowerShellDate('2024-11-24T16:00:00.5004321+01:00')).toBe(
      '2024-11-24T15:00:00.500Z',
    );
    expect(parsePowerShellDate('2024-11-24T15:00:00Z')).toBe('2024-11-24T15:00:00.000Z');
    expect(parsePowerShellDate('2024-11-24T08:00:00-07:00')).toBe('2024-11-24T15:00:00.000Z');
  });

  it('reads an ISO date without offset in the local zone, where PowerShell ran', () => {
    expect(parsePowerShellDate('2024-11-24T16:00:00')).toBe(
      new Date(2024, 10, 24, 16, 0, 0).toISOString(),
    );
  });

  it('treats DateTime.MinValue and the FILETIME epoch as "not set"', () => {
    expect(parsePowerShellDate('/Date(-62135596800000)/')).toBeNull();
    expect(parsePowerShellDate('0001-01-01T00:00:00')).toBeNull();
    expect(parsePowerShellDate('1601-01-01T00:00:00Z')).toBeNull();
  });

  it('refuses what is not a date', () => {
    for (const text of ['', 'yesterday', '2024-02-30T00:00:00Z', '2024-11-24 16:00', '/Date(x)/']) {
      expect(parsePowerShellDate(text)).toBeUndefined();
    }
  });

  it('accepts one object, null, and the 5.1 {"value":[…],"Count":n} wrapper where an array is expected', () => {
    const job = {
      Id: 5,
      PrinterName: 'P',
      JobStatus: 0,
      SubmittedTime: '/Date(1732460400000)/',
    };
    const read = (stdout: string) =>
      readScriptResult('list-jobs', { stdout, stderr: '', exitCode: 0 });
    const expected = read(JSON.stringify([job]));
    expect(expected).toHaveLength(1);
    expect(expected[0]).toMatchObject({ Id: 5, DocumentName: null, Size: null });
    expect(read(JSON.stringify(job))).toEqual(expected);
    expect(read(JSON.stringify({ value: [job], Count: 1 }))).toEqual(expected);
    expect(read('null')).toEqual([]);
  });

  it('accepts a 5.1 DateTime wrapped with its ETS notes', () => {
    const [job] = readScriptResult('list-jobs', {
      stdout: JSON.stringify([
        {
          Id: 5,
          PrinterName: 'P',
          JobStatus: 0,
          SubmittedTime: {
            value: '/Date(1732460400000)/',
            DisplayHint: 2,
            DateTime: 'Sunday, 24 November 2024 16:00:00',
          },
        },
      ]),
      stderr: '',
      exitCode: 0,
    });
    expect(job?.SubmittedTime).toBe('2024-11-24T15:00:00.000Z');
  });

  it('accepts spooler status as numbers or enum names', () => {
    const read = (record: object) =>
      readScriptResult('spooler-status', {
        stdout: JSON.stringify(record),
        stderr: '',
        exitCode: 0,
      });
    expect(read({ Name: 'Spooler', Status: 'StartPending', StartType: 'Manual' })).toEqual({
      Name: 'Spooler',
      Status: 'start-pending',
      StartType: 'manual',
    });
    expect(read({ Name: 'Spooler', Status: 4, StartType: 2 })).toEqual({
      Name: 'Spooler',
      Status: 'running',
      StartType: 'automatic',
    });
  });

  it('strips nothing it should keep: the result of an action must be exactly one ok record', () => {
    const read = (stdout: string) =>
      thrown(() => readScriptResult('cancel-job', { stdout, stderr: '', exitCode: 0 }));
    expect(read('[]').code).toBe('print-service-bad-response');
    expect(read('[{"ok":true},{"ok":true}]').code).toBe('print-service-bad-response');
    expect(read('[{"ok":false}]').code).toBe('print-service-bad-response');
  });
});

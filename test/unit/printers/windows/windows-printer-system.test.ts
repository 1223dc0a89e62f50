import { describe, expect, it } from 'vitest';
import { isPrintoError, type PrintoError } from '../../../../src-shared/errors.ts';
import { JobSchema, type Job } from '../../../../src-shared/model/job.ts';
import { PrinterSchema, type Printer } from '../../../../src-shared/model/printer.ts';
import { WindowsPrinterSystem } from '../../../../src-main/printers/windows/windows-printer-system.ts';
import type { PrinterChange } from '../../../../src-shared/model/printer-change.ts';
import { ManualClock } from '../../manual-clock.ts';
import { FixtureRunner, failing, type FixtureOutput, type Scenario } from './fixture-runner.ts';

const VERSIONS = ['ps51', 'ps7'] as const;

function system(version: 'ps51' | 'ps7', scenario: Scenario = {}) {
  const runner = new FixtureRunner(version, scenario);
  return { runner, printers: new WindowsPrinterSystem({ runner }) };
}

async function rejection(promise: Promise<unknown>): Promise<PrintoError> {
  try {
    await promise;
  } catch (error) {
    if (isPrintoError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const base = {
  makeAndModel: null,
  stateMessage: null,
  supplies: [],
  acceptingJobs: true,
} satisfies Partial<Printer>;

const FINANCE: Printer = {
  ...base,
  name: 'Finance LaserJet M507',
  description: 'Duplex, A4 and A5',
  location: '2nd floor, Finance',
  driver: 'HP Universal Printing PCL 6',
  connection: { uri: 'socket://192.0.2.21:9100', port: 'IP_192.0.2.21' },
  isDefault: true,
  isShared: false,
  state: 'processing',
  reasons: [],
  jobCount: 5,
};

const EXPECTED_PRINTERS: Printer[] = [
  FINANCE,
  {
    ...base,
    name: "Reception's Kyocera",
    description: null,
    location: 'Reception',
    driver: 'Kyocera ECOSYS M2540dn KX',
    connection: { uri: 'lpd://192.0.2.35/lp', port: '192.0.2.35' },
    isDefault: false,
    isShared: true,
    // PAPER_JAM | ERROR, ExtendedPrinterStatus Error, DetectedErrorState Jammed: one jam, no "other".
    state: 'stopped',
    reasons: [{ keyword: 'media-jam', raw: 'media-jam', severity: 'error' }],
    jobCount: 1,
  },
  {
    ...base,
    name: 'Brother HL-2240 series',
    description: null,
    location: null,
    driver: 'Brother HL-2240 series',
    connection: { uri: null, port: 'USB001' },
    isDefault: false,
    isShared: false,
    // PrinterStatus 0: only WorkOffline (Attributes 0x400) says the USB printer is offline.
    state: 'stopped',
    reasons: [{ keyword: 'offline', raw: 'offline', severity: 'error' }],
    jobCount: 1,
  },
  {
    ...base,
    name: 'Microsoft Print to PDF',
    description: null,
    location: null,
    driver: 'Microsoft Print To PDF',
    connection: { uri: null, port: 'PORTPROMPT:' },
    isDefault: false,
    isShared: false,
    state: 'idle',
    reasons: [],
    jobCount: 0,
  },
  {
    ...base,
    name: 'Canon MF740C Series',
    description: null,
    location: 'Meeting room 3.04',
    driver: 'Microsoft IPP Class Driver',
    connection: {
      uri: 'http://192.0.2.40:80/WebServices/Device',
      port: 'WSD-7e2c1b90-4b1f-4d0e-9a77-3f51c2d8a6e4',
    },
    isDefault: false,
    isShared: false,
    state: 'idle',
    reasons: [{ keyword: 'toner-low', raw: 'toner-low', severity: 'warning' }],
    jobCount: 0,
  },
  {
    ...base,
    name: 'Marketing RICOH IM C3000',
    description: 'Colour A3 MFP; paused by IT for maintenance',
    location: '3rd floor, Marketing',
    driver: 'RICOH PCL6 UniversalDriver V4.36',
    connection: { uri: 'socket://192.0.2.52:9100', port: 'IP_192.0.2.52' },
    isDefault: false,
    isShared: false,
    state: 'stopped',
    reasons: [{ keyword: 'paused', raw: 'paused', severity: 'warning' }],
    jobCount: 2,
  },
  {
    ...base,
    name: '\\\\printsrv01.corp.example\\Follow-Me',
    description: 'Release at any MFP with your badge',
    location: 'All floors',
    driver: 'HP Universal Printing PCL 6',
    // A connection: its port lives on the print server, so there is nothing to build a URI from.
    connection: { uri: null, port: 'IP_192.0.2.60' },
    isDefault: false,
    isShared: true,
    state: 'idle',
    reasons: [],
    jobCount: 0,
  },
];

const jobBase = { processingAt: null, completedAt: null } satisfies Partial<Job>;
const FIN = 'Finance LaserJet M507';

const COMPLETED_JOB: Job = {
  ...jobBase,
  id: 11,
  printer: FIN,
  name: 'Q3 forecast.xlsx',
  owner: 'ajansen',
  sizeBytes: 184320,
  pages: 3,
  pagesCompleted: 3,
  state: 'completed',
  reasons: ['job-completed-successfully'],
  createdAt: '2024-11-24T14:41:07.217Z',
};
const ABORTED_JOB: Job = {
  ...jobBase,
  id: 22,
  printer: 'Marketing RICOH IM C3000',
  name: 'Brochure 2025 (print).pdf',
  owner: 'lbakker',
  sizeBytes: 41943040,
  pages: null,
  pagesCompleted: 0,
  // ERROR | BLOCKED_DEVQ: "the driver cannot print the job".
  state: 'aborted',
  reasons: ['document-unprintable-error', 'aborted-by-system'],
  createdAt: '2024-11-24T10:20:02.005Z',
};

const ACTIVE_JOBS: Job[] = [
  {
    ...jobBase,
    id: 12,
    printer: FIN,
    name: 'Microsoft Word - Contract_Müller.docx',
    owner: 'mmueller',
    sizeBytes: 2457600,
    pages: 12,
    pagesCompleted: 4,
    state: 'processing',
    reasons: ['job-printing'],
    createdAt: '2024-11-24T15:00:00.000Z',
  },
  {
    ...jobBase,
    id: 13,
    printer: FIN,
    name: 'https://intranet.corp.example/ - Holiday rota <draft>',
    owner: 'ajansen',
    sizeBytes: 90112,
    pages: 2,
    pagesCompleted: 0,
    state: 'pending',
    reasons: [],
    createdAt: '2024-11-24T15:00:31.500Z',
  },
  {
    ...jobBase,
    id: 14,
    printer: FIN,
    name: 'Payroll November.pdf',
    owner: 'pvisser',
    sizeBytes: 311296,
    pages: 6,
    pagesCompleted: 0,
    state: 'pending-held',
    reasons: ['job-hold-until-specified'],
    createdAt: '2024-11-24T15:03:12.040Z',
  },
  {
    ...jobBase,
    id: 15,
    printer: FIN,
    name: 'Untitled - Notepad',
    owner: 'ajansen',
    sizeBytes: 4096,
    // Still spooling: TotalPages 0 means "not known yet".
    pages: null,
    pagesCompleted: 0,
    state: 'pending',
    reasons: ['job-incoming'],
    createdAt: '2024-11-24T15:04:58.999Z',
  },
  {
    ...jobBase,
    id: 7,
    printer: "Reception's Kyocera",
    name: 'Delivery note 4471.pdf',
    owner: 'reception',
    sizeBytes: 524288,
    pages: 2,
    pagesCompleted: 1,
    // ERROR | PRINTING: stuck on the jam, kept in the queue by Windows.
    state: 'processing-stopped',
    reasons: ['printer-stopped', 'job-printing'],
    createdAt: '2024-11-24T13:12:45.120Z',
  },
  {
    ...jobBase,
    id: 3,
    printer: 'Brother HL-2240 series',
    name: 'Label sheet.docx',
    owner: 'ajansen',
    sizeBytes: 65536,
    pages: 1,
    pagesCompleted: 0,
    state: 'pending',
    reasons: [],
    createdAt: '2024-11-24T08:30:00.001Z',
  },
  {
    ...jobBase,
    id: 21,
    printer: 'Marketing RICOH IM C3000',
    name: 'Flyer A5 v2.pdf',
    owner: 'lbakker',
    sizeBytes: 8388608,
    pages: 4,
    pagesCompleted: 0,
    state: 'pending',
    reasons: [],
    createdAt: '2024-11-24T10:05:22.730Z',
  },
];

describe.each(VERSIONS)('WindowsPrinterSystem on %s output', (version) => {
  it('maps several printers to the normalised model', async () => {
    const { printers, runner } = system(version);
    const list = await printers.listPrinters();
    expect(list).toEqual(EXPECTED_PRINTERS);
    for (const printer of list) expect(PrinterSchema.parse(printer)).toEqual(printer);
    expect(runner.calls).toEqual([{ script: 'list-printers', args: {} }]);
  });

  it('maps exactly one printer, printed as one object or as a one-element array', async () => {
    const { printers } = system(version, { 'list-printers': 'list-printers-one.json' });
    expect(await printers.listPrinters()).toEqual([FINANCE]);
  });

  it('gets one printer by name, passing the name as data', async () => {
    const { printers, runner } = system(version, { 'list-printers': 'list-printers-one.json' });
    expect(await printers.getPrinter(FIN)).toEqual(FINANCE);
    expect(runner.calls).toEqual([{ script: 'list-printers', args: { name: FIN } }]);
  });

  it('picks the named printer when the answer holds several', async () => {
    const { printers } = system(version);
    const printer = await printers.getPrinter('marketing ricoh im c3000');
    expect(printer.name).toBe('Marketing RICOH IM C3000');
    expect(printer.state).toBe('stopped');
  });

  it('lists not-completed jobs by default, in queue order, with both date forms read alike', async () => {
    const { printers, runner } = system(version);
    const jobs = await printers.listJobs(undefined);
    expect(jobs).toEqual(ACTIVE_JOBS);
    for (const job of jobs) expect(JobSchema.parse(job)).toEqual(job);
    expect(runner.calls).toEqual([{ script: 'list-jobs', args: {} }]);
  });

  it('lists completed and all jobs on request', async () => {
    const { printers } = system(version);
    expect(await printers.listJobs(undefined, { which: 'completed' })).toEqual([
      COMPLETED_JOB,
      ABORTED_JOB,
    ]);
    expect(await printers.listJobs(undefined, { which: 'all' })).toHaveLength(9);
  });

  it('lists the jobs of one printer', async () => {
    const { printers, runner } = system(version, {
      'list-jobs': 'list-jobs-one-printer.json',
    });
    const jobs = await printers.listJobs("Reception's Kyocera");
    expect(jobs.map((job) => job.id)).toEqual([7]);
    expect(runner.calls[0]?.args).toEqual({ printer: "Reception's Kyocera" });
  });

  it('lists no jobs from an empty queue', async () => {
    const { printers } = system(version, { 'list-jobs': 'list-jobs-empty.json' });
    expect(await printers.listJobs(undefined, { which: 'all' })).toEqual([]);
  });

  it('reports a stopped spooler as print-service-unreachable with a hint', async () => {
    const { printers } = system(version, {
      'list-printers': failing('list-printers-spooler-down.json'),
    });
    const error = await rejection(printers.listPrinters());
    expect(error.code).toBe('print-service-unreachable');
    expect(error.message).toMatch(/Print Spooler service is not running/);
    expect(error.hint).toMatch(/Start-Service Spooler/);
  });

  it('reads the spooler service status, running or stopped', async () => {
    expect(await system(version).printers.spoolerStatus()).toEqual({
      status: 'running',
      startType: 'automatic',
      running: true,
    });
    const stopped = system(version, { 'spooler-status': 'spooler-status-stopped.json' });
    expect(await stopped.printers.spoolerStatus()).toEqual({
      status: 'stopped',
      startType: 'disabled',
      running: false,
    });
  });

  it('reads the driver of a printer, version as a string and dates from both forms', async () => {
    const { printers, runner } = system(version);
    expect(await printers.driverFor('Brother HL-2240 series')).toEqual({
      name: 'Brother HL-2240 series',
      manufacturer: 'Brother',
      majorVersion: 3,
      version: '1.1.2.0',
      date: '2016-02-01T23:00:00.000Z',
      isPackageAware: false,
      environment: 'Windows x64',
      infPath:
        'C:\\WINDOWS\\System32\\DriverStore\\FileRepository\\brphl12a.inf_amd64_f1b9d3a4c8e2b6a0\\BRPHL12A.INF',
      provider: 'Brother',
    });
    expect(runner.calls).toEqual([
      { script: 'list-printers', args: { name: 'Brother HL-2240 series' } },
    ]);
    const hp = await printers.driverFor(FIN);
    expect(hp?.version).toBe('61.250.1.24923');
    expect(hp?.date).toBe('2023-03-06T23:00:00.000Z');
    // A connection to a print server whose driver Get-PrinterDriver lists as well.
    expect((await printers.driverFor('\\\\printsrv01.corp.example\\Follow-Me'))?.name).toBe(
      'HP Universal Printing PCL 6',
    );
  });

  it('says printer-not-found for an unknown printer', async () => {
    const { printers } = system(version, { 'list-printers': failing('printer-not-found.json') });
    const error = await rejection(printers.getPrinter('Nope'));
    expect(error.code).toBe('printer-not-found');
    expect(error.message).toContain('"Nope"');
  });
});

describe('both PowerShell editions', () => {
  it('give the same printers, jobs, spooler status and driver', async () => {
    const [a, b] = VERSIONS.map((version) => system(version).printers);
    if (a === undefined || b === undefined) throw new Error('two systems');
    expect(await a.listPrinters()).toEqual(await b.listPrinters());
    expect(await a.listJobs(undefined, { which: 'all' })).toEqual(
      await b.listJobs(undefined, { which: 'all' }),
    );
    expect(await a.spoolerStatus()).toEqual(await b.spoolerStatus());
    expect(await a.driverFor('Canon MF740C Series')).toEqual(
      await b.driverFor('Canon MF740C Series'),
    );
  });
});

describe('queue actions', () => {
  const actions = 'action-ok.json';

  it('pass printer and job id as a JSON arguments object to the right script', async () => {
    const { printers, runner } = system('ps51', {
      'cancel-job': actions,
      'hold-job': actions,
      'release-job': actions,
      'pause-printer': actions,
      'resume-printer': actions,
    });
    await printers.cancelJob(FIN, 12);
    await printers.holdJob(FIN, 13);
    await printers.releaseJob(FIN, 14);
    await printers.pausePrinter("Reception's Kyocera");
    await printers.resumePrinter('Marketing RICOH IM C3000');
    expect(runner.calls).toEqual([
      { script: 'cancel-job', args: { printer: FIN, jobId: 12 } },
      { script: 'hold-job', args: { printer: FIN, jobId: 13 } },
      { script: 'release-job', args: { printer: FIN, jobId: 14 } },
      { script: 'pause-printer', args: { printer: "Reception's Kyocera" } },
      { script: 'resume-printer', args: { printer: 'Marketing RICOH IM C3000' } },
    ]);
  });

  it('hands hostile printer names over unchanged, as data', async () => {
    const hostile = [
      `O'Brien "Quote" $(Remove-Item C:\\ -Recurse)`,
      '`whoami`; Stop-Service Spooler',
      '-File evil.ps1',
      '打印机 Ünïcödé 🖨️',
      '\\\\srv\\[Finance]*?',
    ];
    const { printers, runner } = system('ps7', { 'pause-printer': actions });
    for (const name of hostile) await printers.pausePrinter(name);
    expect(runner.calls.map((call) => call.args)).toEqual(hostile.map((printer) => ({ printer })));
  });

  it('returns the id of the test page job', async () => {
    const { printers, runner } = system('ps7');
    expect(await printers.printTestPage(FIN)).toEqual({ jobId: 16 });
    expect(runner.calls).toEqual([{ script: 'print-test-page', args: { printer: FIN } }]);
  });

  it('maps the scripts’ errors to the port’s codes', async () => {
    const cases = [
      ['cancel-job', 'job-not-found.json', 'job-not-found'],
      ['release-job', 'release-not-held.json', 'action-not-possible'],
      ['pause-printer', 'pause-access-denied.json', 'not-authorized'],
      ['cancel-job', 'cancel-access-denied.json', 'not-authorized'],
      ['pause-printer', 'list-printers-spooler-down.json', 'print-service-unreachable'],
      ['pause-printer', 'printer-not-found.json', 'printer-not-found'],
    ] as const;
    for (const [script, file, code] of cases) {
      const { printers } = system('ps51', { [script]: failing(file) });
      const call =
        script === 'pause-printer'
          ? printers.pausePrinter(FIN)
          : script === 'release-job'
            ? printers.releaseJob(FIN, 13)
            : printers.cancelJob(FIN, 99);
      const error = await rejection(call);
      expect({ file, code: error.code }).toEqual({ file, code });
    }
  });

  it('names the job and printer in a job-not-found message', async () => {
    const { printers } = system('ps51', { 'cancel-job': failing('job-not-found.json') });
    const error = await rejection(printers.cancelJob(FIN, 99));
    expect(error.message).toBe(`Job 99 is not in the queue of "${FIN}".`);
  });

  it('refuses impossible arguments without running PowerShell', async () => {
    const { printers, runner } = system('ps51');
    expect((await rejection(printers.cancelJob(FIN, 0))).code).toBe('job-not-found');
    expect((await rejection(printers.holdJob(FIN, 1.5))).code).toBe('job-not-found');
    expect((await rejection(printers.pausePrinter(''))).code).toBe('printer-not-found');
    expect(runner.calls).toEqual([]);
  });

  it('rejects with the signal’s reason when aborted', async () => {
    const { printers } = system('ps51');
    const reason = new Error('closed by the user');
    await expect(printers.listPrinters({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

describe('watch: the spooler polled and diffed', () => {
  it.each(VERSIONS)('%s: reports queues and jobs as they appear and leave', async (version) => {
    const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
    let printersFixture: string | FixtureOutput = 'list-printers-one.json';
    let jobsFixture = 'list-jobs-empty.json';
    const runner = new FixtureRunner(version, {
      'list-printers': () => printersFixture,
      'list-jobs': () => jobsFixture,
    });
    const windows = new WindowsPrinterSystem({ runner, clock });
    const changes: PrinterChange[] = [];
    const errors: unknown[] = [];
    const watch = await windows.watch((c) => changes.push(c), {
      intervalMs: 1500,
      onError: (e) => errors.push(e),
    });
    expect(watch.mode).toBe('polling');
    expect(changes).toEqual([]);

    printersFixture = 'list-printers.json';
    jobsFixture = 'list-jobs.json';
    const reference = new WindowsPrinterSystem({ runner: new FixtureRunner(version) });
    const allPrinters = (await reference.listPrinters()).map((p) => p.name);
    const activeJobs = await reference.listJobs(undefined);
    await clock.advanceSettled(1500);
    expect(changes.filter((c) => c.kind === 'printer-added').map((c) => c.printer)).toEqual(
      allPrinters.filter((name) => name !== FIN),
    );
    expect(changes.filter((c) => c.kind === 'job-created').map((c) => c.jobId)).toEqual(
      activeJobs.map((j) => j.id),
    );
    expect(changes.every((c) => c.at === '2026-03-01T09:00:01.500Z')).toBe(true);

    changes.length = 0;
    printersFixture = failing('list-printers-spooler-down.json');
    await clock.advanceSettled(1500);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'print-service-unreachable' });

    printersFixture = 'list-printers.json';
    jobsFixture = 'list-jobs-empty.json';
    await clock.advanceSettled(1500);
    expect(changes.map((c) => [c.kind, c.jobId])).toEqual(
      activeJobs.map((j) => ['job-completed', j.id]),
    );
    await watch.stop();
    expect(clock.pending).toEqual([]);
  });
});

/**
 * Diagnostics against a real private cupsd with ippeveprinter devices: every fault is produced
 * for real (reference/printing.md §1), each yields the right check ids, statuses and fixes, and
 * the fix actions really change CUPS state (confirmed with lpstat / ipptool).
 */
import { hostname, userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CupsPrinterSystem } from '../../src-main/printers/cups/cups-printer-system.ts';
import { parseCupsServerName } from '../../src-main/printers/cups/server.ts';
import { performFixAction } from '../../src-main/diagnostics/actions.ts';
import { commonChecks } from '../../src-main/diagnostics/checks/index.ts';
import { createDiagnosticsEnvironment } from '../../src-main/diagnostics/environment.ts';
import { runDiagnostics } from '../../src-main/diagnostics/runner.ts';
import type { ProgressEvent } from '../../src-main/diagnostics/runner.ts';
import type { CheckResult, DiagnosticsReport } from '../../src-shared/model/diagnostics.ts';
import { shareableReport } from '../../src-shared/privacy/share-report.ts';
import { CLASSIC_PPD_MODEL, startTestbed } from '../testbed/testbed.ts';
import type { SilentListener, TestDevice, Testbed } from '../testbed/testbed.ts';

/** A classic PPD for a specific model that is not the device's (sample.drv, "HP LaserJet Series PCL 4/5"). */
const OTHER_MODEL_PPD = 'drv:///sample.drv/laserjet.ppd';
const TIMEOUT_MS = 600;

let bed: Testbed;
let system: CupsPrinterSystem;
let silent: SilentListener;
const devices = new Map<string, TestDevice>();
const dev = (name: string): TestDevice => {
  const device = devices.get(name);
  if (device === undefined) throw new Error(`no device ${name}`);
  return device;
};
let report: DiagnosticsReport;
const progress: ProgressEvent[] = [];
let heldJob = 0;
let waitingJobs: number[] = [];

const results = (printer: string | null, checkId: string): CheckResult[] =>
  report.results.filter((r) => r.printer === printer && r.checkId === checkId);
const only = (printer: string | null, checkId: string): CheckResult => {
  const found = results(printer, checkId);
  expect(found, `${checkId} on ${printer ?? 'computer'}`).toHaveLength(1);
  const [first] = found;
  if (first === undefined) throw new Error(`no ${checkId} result`);
  return first;
};

async function diagnose(
  options: { now?: () => number; printers?: string[] } = {},
): Promise<DiagnosticsReport> {
  const env = createDiagnosticsEnvironment(
    system,
    options.now === undefined ? {} : { now: options.now },
  );
  return runDiagnostics(env, commonChecks, {
    networkTimeoutMs: TIMEOUT_MS,
    ...(options.printers === undefined ? {} : { printers: options.printers }),
  });
}

beforeAll(async () => {
  bed = await startTestbed({ name: 'diagnostics' });
  const names = ['healthy', 'jam', 'tonerlow', 'tonerempty', 'paper', 'other'];
  const started = await Promise.all(
    names.map((name) => bed.addDevice({ name, make: 'Acme', model: `Laser ${name}` })),
  );
  started.forEach((device, i) => devices.set(names[i] ?? device.name, device));
  silent = await bed.silentListener();
  await bed.addQueues([
    { name: 'Healthy', device: dev('healthy'), isDefault: true },
    { name: 'Jammed', device: dev('jam') },
    { name: 'TonerLow', device: dev('tonerlow') },
    { name: 'TonerEmpty', device: dev('tonerempty') },
    { name: 'NoPaper', device: dev('paper') },
    { name: 'Paused', device: dev('healthy') },
    { name: 'Gone', driver: CLASSIC_PPD_MODEL },
    { name: 'Silent', device: { uri: silent.uri }, driver: CLASSIC_PPD_MODEL },
    { name: 'WrongDriver', device: dev('other'), driver: OTHER_MODEL_PPD },
  ]);
  await bed.raiseState('Jammed', 'STATE: +media-jam');
  await Promise.all([
    bed.setSupplies(dev('tonerlow'), { toner: 5 }),
    bed.setSupplies(dev('tonerempty'), { toner: 0 }),
    bed.setMedia(dev('paper'), { main: { level: 0 } }),
  ]);
  await bed.run('cupsdisable', ['Paused']);
  waitingJobs = [
    await bed.lp('Paused', { title: 'quarterly-report.pdf' }),
    await bed.lp('Paused', { title: 'minutes.pdf' }),
  ];
  heldJob = await bed.lp('Paused', { title: 'payslips-2026.pdf', hold: true });

  system = new CupsPrinterSystem({
    server: { endpoint: parseCupsServerName(bed.cupsSocket, 'test'), source: 'test' },
  });
  const env = createDiagnosticsEnvironment(system);
  report = await runDiagnostics(env, commonChecks, {
    networkTimeoutMs: TIMEOUT_MS,
    onProgress: (event) => progress.push(event),
  });
});

afterAll(async () => {
  system.close();
  await silent.close();
  await bed.stop();
});

describe('diagnostics on the CUPS test bed', () => {
  it('passes a healthy printer on every check that applies', () => {
    const healthy = report.results.filter((r) => r.printer === 'Healthy');
    expect(healthy.filter((r) => r.status !== 'pass' && r.status !== 'skip')).toEqual([]);
    expect(healthy.map((r) => r.checkId).sort()).toEqual(
      [
        'device-condition',
        'device-ipp',
        'device-reachable',
        'document-formats',
        'driver-kind',
        'driver-match',
        'queue-ready',
        'stuck-jobs',
        'supplies',
      ].sort(),
    );
    expect(only(null, 'print-service').status).toBe('pass');
    expect(only(null, 'printers-present')).toMatchObject({
      status: 'pass',
      summary: expect.stringContaining('default is Healthy') as unknown,
    });
    expect(report.printers.find((p) => p.name === 'Healthy')).toMatchObject({
      verdict: 'pass',
      summary: 'No problems found.',
    });
  });

  it('explains a paper jam with its fix', () => {
    const condition = only('Jammed', 'device-condition');
    expect(condition.status).toBe('fail');
    expect(condition.summary).toMatch(/Paper jam/);
    expect(condition.fixes.map((f) => f.title).join(' ')).toMatch(/jam/i);
    expect(condition.fixes[0]?.steps.length).toBeGreaterThan(1);
  });

  it('warns about low toner and fails on empty toner, with what to do', () => {
    expect(only('TonerLow', 'supplies')).toMatchObject({
      status: 'warn',
      summary: expect.stringMatching(/low \(5%\)/) as unknown,
    });
    expect(only('TonerLow', 'device-condition')).toMatchObject({
      status: 'warn',
      summary: expect.stringMatching(/Toner low/i) as unknown,
    });
    const empty = only('TonerEmpty', 'supplies');
    expect(empty).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(/empty \(0%\)/) as unknown,
    });
    expect(empty.fixes[0]?.title).toMatch(/Replace/);
    expect(only('TonerEmpty', 'device-condition').status).toBe('fail');
  });

  it('explains an empty paper tray', () => {
    const condition = only('NoPaper', 'device-condition');
    expect(condition.status).toBe('fail');
    expect(condition.summary).toMatch(/paper/i);
    expect(condition.fixes.flatMap((f) => f.steps).join(' ')).toMatch(/paper/i);
  });

  it('fails a paused queue with its jobs, offering to resume it', () => {
    const ready = only('Paused', 'queue-ready');
    expect(ready.status).toBe('fail');
    expect(ready.summary).toMatch(/paused.*3 jobs are waiting/);
    expect(ready.fixes[0]?.action).toEqual({ id: 'resume-queue', printer: 'Paused' });
    const jobs = results('Paused', 'stuck-jobs');
    expect(jobs.map((r) => [r.status, r.summary])).toEqual([
      ['warn', '2 jobs are waiting because the queue is paused.'],
      ['warn', '1 job is held and will not print until released.'],
    ]);
  });

  it('explains a held job and offers to release it', () => {
    const held = results('Paused', 'stuck-jobs').find((r) => r.summary.includes('held'));
    expect(held?.details).toMatch(/release/i);
    expect(held?.fixes[0]?.action).toEqual({
      id: 'release-job',
      printer: 'Paused',
      jobId: heldJob,
    });
  });

  it('calls waiting jobs stuck once they are older than the threshold, and offers to cancel them', async () => {
    const later = await diagnose({ now: () => Date.now() + 60 * 60_000, printers: ['Paused'] });
    const stuck = later.results.find((r) => r.checkId === 'stuck-jobs' && r.status === 'fail');
    expect(stuck?.summary).toMatch(
      /2 jobs have been waiting for up to 6\d minutes because the queue is paused/,
    );
    expect(stuck?.fixes.map((f) => f.action)).toEqual([
      { id: 'resume-queue', printer: 'Paused' },
      { id: 'cancel-jobs', printer: 'Paused', jobIds: waitingJobs },
    ]);
  });

  it('fails a queue whose device is gone (dead port)', () => {
    const reachable = only('Gone', 'device-reachable');
    expect(reachable.status).toBe('fail');
    expect(reachable.summary).toMatch(/nothing there accepts print jobs/);
    expect(only('Gone', 'device-ipp').status).toBe('skip');
  });

  it('fails a device that accepts TCP but never answers, within the time-out', () => {
    expect(only('Silent', 'device-reachable').status).toBe('pass');
    const ipp = only('Silent', 'device-ipp');
    expect(ipp.status).toBe('fail');
    expect(ipp.summary).toMatch(/did not answer a status request within 0.6 s/);
    expect(ipp.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ipp.durationMs).toBeLessThan(TIMEOUT_MS + 1_000);
    expect(silent.connections()).toBeGreaterThan(0);
  });

  it('fails a classic PPD made for another model than the device reports', () => {
    const match = only('WrongDriver', 'driver-match');
    expect(match.status).toBe('fail');
    expect(match.summary).toMatch(/another printer model.*Acme Laser other/);
    expect(match.fixes[0]?.command).toMatch(/lpadmin -p WrongDriver .* -m everywhere/);
    expect(only('WrongDriver', 'driver-kind').status).toBe('warn');
  });

  it('orders problems first, gives verdicts and reports progress for every task', () => {
    const order = ['fail', 'error', 'warn', 'pass', 'skip'];
    const ranks = report.results.map((r) => order.indexOf(r.status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(report.verdict).toBe('fail');
    expect(report.printers.find((p) => p.name === 'Jammed')?.verdict).toBe('fail');
    const finished = progress.filter((e) => e.type === 'check-finished');
    expect(finished).toHaveLength(report.results.length);
    expect(progress.filter((e) => e.type === 'check-started').length).toBeGreaterThan(0);
  });
});

describe('fix actions change CUPS state', () => {
  it('releases the held job, cancels stuck jobs, resumes the queue and prints a test page', async () => {
    await performFixAction(system, { id: 'release-job', printer: 'Paused', jobId: heldJob });
    expect((await bed.job(heldJob)).state).toBe('pending');
    const cancelled = await performFixAction(system, {
      id: 'cancel-jobs',
      printer: 'Paused',
      jobIds: waitingJobs,
    });
    expect(cancelled.failures).toEqual([]);
    for (const id of waitingJobs) expect((await bed.job(id)).state).toBe('canceled');
    await performFixAction(system, { id: 'resume-queue', printer: 'Paused' });
    expect((await bed.run('lpstat', ['-p', 'Paused'])).stdout).toMatch(
      /printer Paused (is idle|now printing)/,
    );
    await bed.waitForJob(heldJob, { until: ['completed'] });
    const page = await performFixAction(system, { id: 'print-test-page', printer: 'Healthy' });
    expect(page.message).toMatch(/test page/);
    const after = await diagnose({ printers: ['Paused'] });
    expect(after.results.find((r) => r.checkId === 'queue-ready')?.status).toBe('pass');
  });
});

describe('the shareable report', () => {
  const me = userInfo().username;

  it('leaves out host names, addresses, identifiers, document names and owners without consent', () => {
    const full = JSON.stringify(report);
    // The full report has them, or this test would prove nothing.
    expect(full).toContain('payslips-2026.pdf');
    expect(full).toContain('127.0.0.1');
    expect(full).toContain('localhost');
    expect(full).toMatch(/urn:uuid:/);
    expect(full).toMatch(new RegExp(`"${me}"`));
    const shared = JSON.stringify(shareableReport(report, []));
    for (const secret of [
      'payslips-2026.pdf',
      'quarterly-report.pdf',
      '127.0.0.1',
      'localhost',
      'urn:uuid:',
      hostname(),
    ]) {
      expect(shared, secret).not.toContain(secret);
    }
    expect(shared).not.toMatch(new RegExp(`"${me}"`));
    expect(shared).toContain('[device identifier]');
    expect(shared).toContain('[job details]');
    expect(JSON.parse(shared)).toMatchObject({ sharing: { scopes: [] } });
  });

  it('keeps what the granted scopes allow, and only that', () => {
    const devicesOnly = JSON.stringify(shareableReport(report, ['device.identifiers']));
    expect(devicesOnly).toContain('localhost');
    expect(devicesOnly).toMatch(/urn:uuid:/);
    expect(devicesOnly).not.toContain('payslips-2026.pdf');
    const jobsOnly = JSON.stringify(shareableReport(report, ['jobs.metadata']));
    expect(jobsOnly).toContain('payslips-2026.pdf');
    expect(jobsOnly).not.toContain('127.0.0.1');
    const both = JSON.stringify(shareableReport(report, ['device.identifiers', 'jobs.metadata']));
    expect(both).toContain(hostname());
    expect(both).toContain('payslips-2026.pdf');
  });
});

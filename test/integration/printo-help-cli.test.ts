/**
 * `printo-help` as a user runs it: the real bin script in a child process, against a private
 * cupsd with ippeveprinter devices. Every state is produced for real; every action is confirmed
 * with lpstat or ipptool, independently of our own IPP client.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestbed } from '../testbed/testbed.ts';
import type { TestDevice, Testbed } from '../testbed/testbed.ts';

const BIN = fileURLToPath(new URL('../../bin/printo-help', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let bed: Testbed;
let device: TestDevice;
const run = (...args: string[]): Promise<Run> => cli(args, bed.env);

interface JsonPrinter {
  name: string;
  isDefault: boolean;
  state: string;
  reasons: { keyword: string; severity: string }[];
  supplies: { name: string; kind: string; level: number | null; status: string }[];
  jobCount: number;
  acceptingJobs: boolean;
}

let pendingJob = 0;
let heldJob = 0;

beforeAll(async () => {
  bed = await startTestbed({ name: 'cli' });
  device = await bed.addDevice({ name: 'floor2', make: 'Acme', model: 'LaserWriter 9000' });
  await bed.addQueues([
    { name: 'Office', device, isDefault: true, location: 'Floor 2' },
    { name: 'Jammed', device },
    { name: 'Stopped', device, description: 'Paused by IT' },
    // Nothing listens at its device-uri: CUPS calls it idle until a job fails.
    { name: 'Gone', description: 'Its device is gone' },
  ]);
  // A jam and low toner, raised by the device and picked up by the queue through a job.
  await bed.setSupplies(device, { toner: 4, waste: 10 });
  await bed.raiseState(
    'Jammed',
    'STATE: +media-jam;ATTR: marker-names=Black marker-types=toner marker-colors=#000000 marker-levels=4 marker-low-levels=10 marker-high-levels=100',
  );
  // A paused queue holding one waiting and one held job.
  await bed.run('cupsdisable', ['Stopped']);
  pendingJob = await bed.lp('Stopped', { title: 'quarterly report' });
  heldJob = await bed.lp('Stopped', { title: 'payslips', hold: true });
});

afterAll(async () => {
  await bed.stop();
});

describe('printo-help printers', () => {
  it('--json reports every queue with state, reasons, supplies and job counts', async () => {
    const result = await run('printers', '--json');
    expect(result.code).toBe(0);
    const { printers } = JSON.parse(result.stdout) as { printers: JsonPrinter[] };
    const named = new Map(printers.map((p) => [p.name, p]));
    expect([...named.keys()].sort()).toEqual(['Gone', 'Jammed', 'Office', 'Stopped']);

    expect(named.get('Office')).toMatchObject({ isDefault: true, state: 'idle', jobCount: 0 });
    // No job has passed through Office, so CUPS has no marker-* yet: the levels are the device's
    // own (printer-supply over IPP), as set on its web form.
    expect(named.get('Office')?.supplies).toEqual([
      { name: 'Toner Waste Tank', kind: 'waste', color: null, level: 10, status: 'ok' },
      { name: 'Black Toner', kind: 'toner', color: 'black', level: 4, status: 'low' },
    ]);
    expect(named.get('Gone')?.reasons.map((r) => r.keyword)).toEqual(['offline']);

    const jammed = named.get('Jammed');
    expect(jammed?.reasons.map((r) => r.keyword)).toEqual(
      expect.arrayContaining(['media-jam', 'toner-low']),
    );
    expect(jammed?.supplies).toEqual([
      { name: 'Black', kind: 'toner', color: '#000000', level: 4, status: 'low' },
    ]);

    const stopped = named.get('Stopped');
    expect(stopped).toMatchObject({ state: 'stopped', jobCount: 2, acceptingJobs: true });
    expect(stopped?.reasons.map((r) => r.keyword)).toContain('paused');
  });

  it('prints a readable table without colour codes when not on a terminal', async () => {
    const result = await run('printers');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^PRINTER\s+STATUS\s+PROBLEMS\s+JOBS\s+SUPPLIES/);
    expect(lines.find((l) => l.startsWith('Office'))).toMatch(/Office \(default\)\s+Ready/);
    // One status, worst first; the lesser problem beside it (never `Ready, Paper jam`).
    expect(lines.find((l) => l.startsWith('Jammed'))).toMatch(
      /^Jammed\s+Paper jam\s+Toner low.*Black 4% low/,
    );
    for (const line of lines) expect(line).toBe(line.trimEnd());
    expect(lines.find((l) => l.startsWith('Stopped'))).toMatch(/Stopped\s+Paused\s+2/);
    expect(lines.find((l) => l.startsWith('Gone'))).toMatch(/^Gone\s+Offline\s+0/);
    expect(lines.find((l) => l.startsWith('Office'))).toMatch(/Black Toner 4% low/);
    expect(result.stdout).not.toContain('\u001b[');
  });
});

describe('printo-help jobs and queue actions', () => {
  it('shows held jobs as held', async () => {
    const table = await run('jobs', 'Stopped');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${heldJob}\\s+Stopped\\s+Held\\s+payslips`));
    expect(table.stdout).toMatch(
      new RegExp(`${pendingJob}\\s+Stopped\\s+Waiting\\s+quarterly report`),
    );
    const json = await run('jobs', '--json');
    const { jobs } = JSON.parse(json.stdout) as {
      jobs: { id: number; state: string; printer: string }[];
    };
    expect(jobs.find((j) => j.id === heldJob)).toMatchObject({
      state: 'pending-held',
      printer: 'Stopped',
    });
  });

  it('releases, holds and cancels jobs as ipptool confirms', async () => {
    expect((await run('release-job', 'Stopped', String(heldJob))).code).toBe(0);
    expect((await bed.job(heldJob)).state).toBe('pending');
    expect((await run('hold-job', `Stopped-${heldJob}`)).code).toBe(0);
    expect((await bed.job(heldJob)).state).toBe('pending-held');
    const cancel = await run('cancel-job', 'Stopped', String(heldJob), '--json');
    expect(cancel.code).toBe(0);
    expect(JSON.parse(cancel.stdout)).toEqual({
      ok: true,
      action: 'cancel-job',
      printer: 'Stopped',
      jobId: heldJob,
    });
    expect((await bed.job(heldJob)).state).toBe('canceled');
  });

  it('pauses and resumes a queue as lpstat confirms', async () => {
    const pause = await run('pause', 'Office');
    expect(pause).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Office is paused') as unknown,
    });
    expect((await bed.run('lpstat', ['-p', 'Office'])).stdout).toMatch(/printer Office disabled/);
    expect((await run('resume', 'Office')).code).toBe(0);
    expect((await bed.run('lpstat', ['-p', 'Office'])).stdout).toMatch(/printer Office is idle/);
  });

  it('prints a test page that completes on the device', async () => {
    const result = await run('test-page', 'Office', '--json');
    expect(result.code).toBe(0);
    const { jobId } = JSON.parse(result.stdout) as { jobId: number };
    await expect(bed.waitForJob(jobId, { until: ['completed'] })).resolves.toMatchObject({
      name: 'Printo Help test page',
    });
    expect((await bed.run('lpstat', ['-W', 'completed', '-o', 'Office'])).stdout).toContain(
      `Office-${jobId}`,
    );
  });

  it('fails with exit code 1 and a clear message for a missing printer or job', async () => {
    const printer = await run('pause', 'Nowhere');
    expect(printer.code).toBe(1);
    expect(printer.stderr).toMatch(
      /no printer queue named "Nowhere"[\s\S]*printo-help printers[\s\S]*printer-not-found/,
    );
    const job = await run('cancel-job', 'Office', '424242', '--json');
    expect(job.code).toBe(1);
    expect(JSON.parse(job.stderr)).toMatchObject({ error: { code: 'job-not-found' } });
  });
});

describe('printo-help usage and unreachable print service', () => {
  it('exits 2 on usage errors', async () => {
    for (const args of [
      [],
      ['bogus'],
      ['cancel-job', 'Office', 'abc'],
      ['--timeout', '-5', 'printers'],
      ['jobs', '--all', '--completed'],
    ]) {
      const result = await run(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).not.toBe('');
    }
  });

  const everyCommand = [
    ['printers'],
    ['jobs'],
    ['cancel-job', 'Office', '1'],
    ['hold-job', 'Office', '1'],
    ['release-job', 'Office', '1'],
    ['pause', 'Office'],
    ['resume', 'Office'],
    ['test-page', 'Office'],
  ];

  it('exits 3 from every command when CUPS is not there, naming where it looked', async () => {
    const missing = `${bed.dir}/not-running/cups.sock`;
    for (const args of everyCommand) {
      const result = await cli(args, { ...bed.env, CUPS_SERVER: missing });
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stderr).toContain(missing);
      expect(result.stderr).toContain('print-service-unreachable');
    }
  });

  it('exits 3 when the scheduler accepts connections but never answers', async () => {
    const silent = await bed.silentListener();
    const result = await cli(['printers', '--timeout', '300'], {
      ...bed.env,
      CUPS_SERVER: `127.0.0.1:${silent.port}`,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/did not answer in time[\s\S]*print-service-timeout/);
  });
});

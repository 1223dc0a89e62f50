/**
 * The CUPS adapter against a real private cupsd and ippeveprinter devices. Every state is produced
 * for real (reference/printing.md §1) and every queue action is confirmed independently, with
 * lpstat or with ipptool (which, unlike lpstat, shows held jobs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CupsPrinterSystem } from '../../src-main/printers/cups/cups-printer-system.ts';
import { parseCupsServerName } from '../../src-main/printers/cups/server.ts';
import type { Printer } from '../../src-shared/model/printer.ts';
import { CLASSIC_PPD_MODEL, startTestbed } from '../testbed/testbed.ts';
import type { TestDevice, Testbed } from '../testbed/testbed.ts';

let bed: Testbed;
let office: TestDevice;
let lab: TestDevice;
let system: CupsPrinterSystem;

const byName = (printers: Printer[], name: string): Printer => {
  const printer = printers.find((p) => p.name === name);
  if (printer === undefined)
    throw new Error(`no printer ${name} in ${printers.map((p) => p.name).join(', ')}`);
  return printer;
};

async function lpstat(...args: string[]): Promise<string> {
  const result = await bed.run('lpstat', args);
  return result.stdout;
}

beforeAll(async () => {
  bed = await startTestbed({ name: 'cups-adapter' });
  [office, lab] = await Promise.all([
    bed.addDevice({
      name: 'office-dev',
      make: 'Acme',
      model: 'LaserWriter 9000',
      location: 'Floor 2',
    }),
    bed.addDevice({ name: 'lab-dev', make: 'Acme', model: 'InkStation 5' }),
  ]);
  await bed.addQueues([
    {
      name: 'Office',
      device: office,
      description: 'Office laser',
      location: 'Floor 2, room 201',
      isDefault: true,
    },
    { name: 'Lab', device: lab, description: 'Lab inkjet', shared: false },
    { name: 'Classic', device: lab, driver: CLASSIC_PPD_MODEL, description: 'Classic PPD queue' },
    { name: 'Gone', description: 'Device no longer on the network' },
  ]);
  system = new CupsPrinterSystem({
    server: { endpoint: parseCupsServerName(bed.cupsSocket, 'test'), source: 'test' },
  });
});

afterAll(async () => {
  system.close();
  await bed.stop();
});

describe('CUPS adapter: listing', () => {
  it('reports every queue with its identity, driver, connection and default', async () => {
    const printers = await system.listPrinters();
    expect(printers.map((p) => p.name)).toEqual(['Classic', 'Gone', 'Lab', 'Office']);
    const officeQueue = byName(printers, 'Office');
    expect(officeQueue).toMatchObject({
      description: 'Office laser',
      location: 'Floor 2, room 201',
      isDefault: true,
      acceptingJobs: true,
      connection: { uri: office.uri, port: null },
    });
    expect(officeQueue.driver).toMatch(/IPP Everywhere/);
    expect(byName(printers, 'Lab')).toMatchObject({ isDefault: false, isShared: false });
    expect(byName(printers, 'Classic').driver).not.toMatch(/IPP Everywhere/);
    expect(printers.filter((p) => p.isDefault)).toHaveLength(1);
  });

  it('reads one queue and refuses an unknown one with printer-not-found', async () => {
    await expect(system.getPrinter('Lab')).resolves.toMatchObject({
      name: 'Lab',
      description: 'Lab inkjet',
    });
    await expect(system.getPrinter('NoSuchQueue')).rejects.toMatchObject({
      code: 'printer-not-found',
      message: expect.stringContaining('NoSuchQueue') as unknown,
    });
  });

  it('shows a paper jam and low toner after a job raised them on the device', async () => {
    await bed.raiseState('Office', 'STATE: +media-jam');
    // The device's supply form raises toner-low; supply levels reach a CUPS queue as the
    // device's marker-* attributes, copied by the ipp backend while a job passes through.
    await bed.setSupplies(office, { toner: 5, waste: 20 });
    await bed.printAndWait('Office', {
      title:
        'ATTR: marker-names=Black,Waste marker-types=toner,waste-toner marker-colors=#000000,none marker-levels=5,20 marker-low-levels=10,0 marker-high-levels=100,90',
    });
    const printer = await system.getPrinter('Office');
    const keywords = printer.reasons.map((r) => r.keyword);
    expect(keywords).toContain('media-jam');
    expect(keywords).toContain('toner-low');
    expect(printer.reasons.find((r) => r.keyword === 'media-jam')?.severity).toBe('warning');
    const toner = printer.supplies.find((s) => s.kind === 'toner');
    expect(toner).toMatchObject({ level: 5, status: 'low' });
    expect(printer.supplies.find((s) => s.kind === 'waste')).toMatchObject({
      level: 20,
      status: 'ok',
    });
    // The listing says the same as the single read.
    expect(byName(await system.listPrinters(), 'Office').reasons).toEqual(printer.reasons);
    // Clear it again for the other tests.
    await bed.raiseState('Office', 'STATE: -media-jam');
  });
});

describe('CUPS adapter: queue actions, confirmed by lpstat and ipptool', () => {
  it('pauses a queue: stopped with reason paused, jobs stay queued and counted; resume undoes it', async () => {
    await system.pausePrinter('Lab');
    expect(await lpstat('-p', 'Lab')).toMatch(/printer Lab disabled/);
    const first = await bed.lp('Lab', { title: 'queued one' });
    const second = await bed.lp('Lab', { title: 'queued two' });
    const paused = await system.getPrinter('Lab');
    expect(paused.state).toBe('stopped');
    expect(paused.reasons.map((r) => r.keyword)).toContain('paused');
    expect(paused.jobCount).toBe(2);
    const jobs = await system.listJobs('Lab');
    expect(jobs.map((j) => [j.id, j.state, j.name])).toEqual([
      [first, 'pending', 'queued one'],
      [second, 'pending', 'queued two'],
    ]);
    expect(jobs[0]).toMatchObject({ printer: 'Lab', owner: expect.any(String) as unknown });
    expect(jobs[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    await system.cancelJob('Lab', first);
    await system.cancelJob('Lab', second);
    expect((await bed.job(first)).state).toBe('canceled');
    expect(await lpstat('-o', 'Lab')).not.toMatch(new RegExp(`Lab-${first}\\b`));

    await system.resumePrinter('Lab');
    expect(await lpstat('-p', 'Lab')).toMatch(/printer Lab (is idle|now printing)/);
    expect((await system.getPrinter('Lab')).state).not.toBe('stopped');
  });

  it('shows a held job as held with its reason, and releases it', async () => {
    await system.pausePrinter('Classic');
    try {
      const id = await bed.lp('Classic', { title: 'held report', hold: true });
      const held = (await system.listJobs('Classic')).find((j) => j.id === id);
      expect(held).toMatchObject({ state: 'pending-held', reasons: ['job-hold-until-specified'] });
      await system.releaseJob('Classic', id);
      expect((await bed.job(id)).state).toBe('pending');
      await system.holdJob('Classic', id);
      expect((await bed.job(id)).state).toBe('pending-held');
      await system.cancelJob('Classic', id);
      expect((await bed.job(id)).state).toBe('canceled');
    } finally {
      await system.resumePrinter('Classic');
    }
  });

  it('prints the test page, which the device receives and completes', async () => {
    const { jobId } = await system.printTestPage('Office');
    const job = await bed.waitForJob(jobId, { until: ['completed'] });
    expect(job.name).toBe('Printo Help test page');
    const completed = await system.listJobs('Office', { which: 'completed' });
    expect(completed.find((j) => j.id === jobId)?.state).toBe('completed');
  });

  it('never acts on a job of another queue, and names missing jobs and impossible actions', async () => {
    await system.pausePrinter('Lab');
    try {
      const id = await bed.lp('Lab', { title: 'not yours' });
      await expect(system.cancelJob('Office', id)).rejects.toMatchObject({
        code: 'job-not-found',
        message: expect.stringContaining('it is on Lab') as unknown,
      });
      expect((await bed.job(id)).state).toBe('pending');
      await expect(system.releaseJob('Lab', id)).rejects.toMatchObject({
        code: 'action-not-possible',
      });
      await expect(system.cancelJob('Lab', 999_999)).rejects.toMatchObject({
        code: 'job-not-found',
      });
      await expect(system.pausePrinter('NoSuchQueue')).rejects.toMatchObject({
        code: 'printer-not-found',
      });
      await system.cancelJob('Lab', id);
    } finally {
      await system.resumePrinter('Lab');
    }
  });
});

describe('CUPS adapter: no print service', () => {
  it('fails fast with print-service-unreachable naming where it looked', async () => {
    const gone = new CupsPrinterSystem({
      server: {
        endpoint: parseCupsServerName(`${bed.dir}/no-such.sock`, 'CUPS_SERVER'),
        source: 'CUPS_SERVER',
      },
    });
    await expect(gone.listPrinters()).rejects.toMatchObject({
      code: 'print-service-unreachable',
      message: expect.stringContaining('no-such.sock') as unknown,
      hint: expect.stringContaining('CUPS_SERVER') as unknown,
    });
  });

  it('gives up on a scheduler that never answers with print-service-timeout', async () => {
    const silent = await bed.silentListener();
    const stuck = new CupsPrinterSystem({
      server: {
        endpoint: parseCupsServerName(`127.0.0.1:${silent.port}`, 'CUPS_SERVER'),
        source: 'CUPS_SERVER',
      },
      timeoutMs: 300,
    });
    await expect(stuck.listPrinters()).rejects.toMatchObject({ code: 'print-service-timeout' });
    stuck.close();
  });
});

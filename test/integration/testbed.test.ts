import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { CLASSIC_PPD_MODEL, startTestbed, stripSeverity } from '../testbed/testbed.ts';
import type { Testbed, TestDevice } from '../testbed/testbed.ts';

interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly running: boolean;
  readonly cmdline: string;
}

function processes(): ProcessInfo[] {
  const list: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may contain spaces, so split after the last ')'.
      const [state = '', ppid = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      list.push({ pid: Number(entry), ppid: Number(ppid), running: !/^[ZX]/.test(state), cmdline });
    } catch {
      // Exited while we looked.
    }
  }
  return list;
}

/** The given processes and all their descendants that are still running. */
function processTree(roots: readonly number[]): ProcessInfo[] {
  const all = processes();
  const found = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const proc of all) {
      if (!found.has(proc.pid) && found.has(proc.ppid)) {
        found.add(proc.pid);
        grew = true;
      }
    }
  }
  return all.filter((proc) => found.has(proc.pid) && proc.running);
}

function isRunning(pid: number): boolean {
  return processes().some((proc) => proc.pid === pid && proc.running);
}

describe('CUPS test bed', () => {
  let bed: Testbed;
  let laser: TestDevice;
  let jet: TestDevice;

  beforeAll(async () => {
    bed = await startTestbed({ name: 'testbed-test' });
    [laser, jet] = await Promise.all([
      bed.addDevice({ name: 'laser', location: 'Floor 2' }),
      bed.addDevice({ name: 'jet', color: true }),
    ]);
    await bed.addQueues([
      {
        name: 'office',
        device: laser,
        isDefault: true,
        description: 'Office laser',
        location: 'Floor 2',
      },
      { name: 'classic', device: jet, driver: CLASSIC_PPD_MODEL, shared: false },
      { name: 'unplugged', driver: CLASSIC_PPD_MODEL },
    ]);
  });

  afterAll(async () => {
    await bed.stop();
  });

  it('runs a private cupsd on its own socket and loopback port', async () => {
    expect(bed.env['CUPS_SERVER']).toBe(bed.cupsSocket);
    expect(bed.cupsSocket.startsWith(bed.dir)).toBe(true);
    const status = await bed.run('lpstat', ['-r']);
    expect(status.stdout.trim()).toBe('scheduler is running');

    const overTcp = await bed.run('lpstat', ['-h', `127.0.0.1:${bed.cupsPort}`, '-r']);
    expect(overTcp.stdout.trim()).toBe('scheduler is running');
  });

  it('has the queues, pointing at their devices, with the default, description and location', async () => {
    const devices = await bed.run('lpstat', ['-v']);
    const table = new Map<string, string>();
    for (const [, name = '', uri = ''] of devices.stdout.matchAll(/^device for (\S+): (\S+)$/gm)) {
      table.set(name, uri);
    }
    expect([...table.keys()].sort()).toEqual(['classic', 'office', 'unplugged']);
    expect(table.get('office')).toBe(laser.uri);
    expect(table.get('classic')).toBe(jet.uri);
    expect(table.get('unplugged')).toMatch(/^ipp:\/\/127\.0\.0\.1:\d+\/ipp\/print$/);

    expect((await bed.run('lpstat', ['-d'])).stdout.trim()).toBe(
      'system default destination: office',
    );
    const office = await bed.queue('office');
    expect(office).toMatchObject({
      state: 'idle',
      accepting: true,
      info: 'Office laser',
      location: 'Floor 2',
    });
    expect(office.makeAndModel).toMatch(/IPP Everywhere/);
    const classic = await bed.queue('classic');
    expect(classic.makeAndModel).toBe('Generic PostScript Printer');
    expect(classic.shared).toBe(false);
  });

  it('turns a job titled "STATE: +media-jam" into media-jam on the queue', async () => {
    expect((await bed.queue('office')).reasons).toEqual(['none']);

    const queue = await bed.raiseState('office', 'STATE: +media-jam');

    expect(queue.reasons).toContain('media-jam-report');
    // Seen by the CUPS tools as well, and on the device itself.
    const long = await bed.run('lpstat', ['-l', '-p', 'office']);
    expect(long.stdout).toMatch(/Alerts: .*\bmedia-jam-report\b/);
    expect((await bed.deviceStatus(laser)).reasons).toContain('media-jam-report');

    const cleared = await bed.raiseState('office', 'STATE: -media-jam');
    expect(cleared.reasons).not.toContain('media-jam-report');
  });

  it('passes device state through a classic PPD queue too', async () => {
    const queue = await bed.raiseState('classic', 'STATE: +cover-open');
    expect(queue.reasons).toContain('cover-open-report');
  });

  it('holds a job submitted with lp -H indefinite until it is released', async () => {
    const id = await bed.lp('office', { hold: true, title: 'held report' });
    const held = await bed.job(id);
    expect(held).toMatchObject({ id, state: 'pending-held', name: 'held report' });
    expect(held.reasons).toContain('job-hold-until-specified');

    await bed.run('lp', ['-i', `office-${id}`, '-H', 'resume']);
    expect((await bed.waitForJob(id)).state).toBe('completed');
  });

  it('ends a job whose print command fails, and keeps one processing while it sleeps', async () => {
    const failed = await bed.lp('office', { title: 'FAIL' });
    await bed.waitForJob(failed);
    expect(bed.deviceLog(laser, 500)).toMatch(/Command ".*fake-print\.sh" exited with status 1\./);

    const slow = await bed.lp('office', { title: 'SLEEP:60' });
    expect((await bed.waitForJob(slow, { until: ['processing'] })).state).toBe('processing');
    await bed.run('cancel', [`office-${slow}`]);
    expect((await bed.waitForJob(slow)).state).toBe('canceled');
    // The device lets go of the job too, well before the 60 s are up.
    expect((await bed.waitForDeviceIdle(laser, { timeoutMs: 10_000 })).state).toBe('idle');
  });

  it('changes supplies and paper on the device, which the queue shows after a job', async () => {
    await bed.setSupplies(jet, { toner: 5, cyan: 0 });
    const device = await bed.deviceStatus(jet);
    expect(device.reasons.map(stripSeverity)).toEqual(
      expect.arrayContaining(['toner-low', 'toner-empty']),
    );
    expect(device.supplies).toEqual(
      expect.arrayContaining([expect.stringMatching(/level=0;colorantname=cyan;/)]),
    );
    await bed.printAndWait('classic');
    expect((await bed.queue('classic')).reasons).toEqual(
      expect.arrayContaining(['toner-low-report', 'toner-empty-report']),
    );

    try {
      const trays = await bed.setMedia(laser, { main: { level: 0 } });
      expect(trays.find((tray) => tray.source === 'main')?.level).toBe(0);
      expect((await bed.deviceStatus(laser)).reasons).toContain('media-empty-report');
    } finally {
      // An empty tray stops the device (jobs wait for paper): refill it for the next tests.
      await bed.setMedia(laser, { main: { level: 250 } });
    }
    expect((await bed.deviceStatus(laser)).reasons).not.toContain('media-empty-report');
  });

  it('copies marker values set by the print command to the queue', async () => {
    const queue = await bed.raiseState(
      'office',
      'ATTR: marker-names=Black,Waste;ATTR: marker-levels=5,80;ATTR: marker-types=toner,waste-toner;ATTR: marker-colors=#000000,none',
    );
    expect(queue.markerNames).toEqual(['Black', 'Waste']);
    expect(queue.markerLevels).toEqual([5, 80]);
  });

  it('shows a queue whose device is gone as processing with a message', async () => {
    const id = await bed.lp('unplugged');
    await expect
      .poll(async () => (await bed.queue('unplugged')).message, { timeout: 15_000 })
      .toMatch(/may not exist or is unavailable/);
    expect((await bed.queue('unplugged')).state).toBe('processing');
    expect((await bed.job(id)).state).toBe('processing');
  });

  it('offers a listener that accepts and never answers, and a port that refuses', async () => {
    const listener = await bed.silentListener();
    const started = Date.now();
    const result = await bed.run('ipptool', [
      '-T',
      '1',
      listener.uri,
      '/usr/share/cups/ipptool/get-printer-attributes.test',
    ]);
    expect(result.code).not.toBe(0);
    expect(listener.connections()).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await listener.close();

    const port = await bed.deadPort();
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('error', resolve);
      socket.once('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
    });
    expect(error?.code).toBe('ECONNREFUSED');
  });

  it('stop() ends every process it started, print commands included, and removes its directory', async () => {
    await bed.lp('office', { title: 'SLEEP:60' });
    await expect
      .poll(() => processTree(bed.pids()).some((proc) => proc.cmdline.includes('fake-print.sh')), {
        timeout: 10_000,
      })
      .toBe(true);
    const tree = processTree(bed.pids());
    expect(tree.map((proc) => proc.cmdline)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^cupsd /),
        expect.stringMatching(/^dbus-daemon /),
        expect.stringMatching(/^ippeveprinter .* laser $/),
        expect.stringMatching(/fake-print\.sh /),
      ]),
    );

    await bed.stop();

    expect(tree.filter((proc) => isRunning(proc.pid))).toEqual([]);
    expect(existsSync(bed.dir)).toBe(false);
    await expect(bed.stop()).resolves.toBeUndefined();
  });
});

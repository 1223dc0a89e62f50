/**
 * Listing benchmark: 50 queues and 200 queued jobs on the real CUPS test bed. Times, in one run,
 * "every printer with its state and its jobs" through our client against `lpstat -l -p -o`
 * (CUPS's own tool doing the same), and prints both medians and their ratio. Target: ratio ≤ 1.0.
 *
 *   node bench/printers.ts [--rounds N]
 *
 * Our side is measured as the desktop app uses it (in-process: CUPS-Get-Printers + Get-Jobs over
 * the local socket); lpstat is a process per listing, as people and scripts use it. For the
 * record, the run also times our own command-line process doing the same.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { CupsPrinterSystem } from '../src-main/printers/cups/cups-printer-system.ts';
import { parseCupsServerName } from '../src-main/printers/cups/server.ts';
import { CLASSIC_PPD_MODEL, startTestbed } from '../test/testbed/testbed.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '40' } } });
const ROUNDS = Number(values.rounds);
const QUEUES = 50;
const JOBS = 200;
const EVERYWHERE_QUEUES = 10;
const BIN = fileURLToPath(new URL('../bin/printo-help', import.meta.url));

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const progress = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

const bed = await startTestbed({ name: 'bench-printers' });
try {
  const setupStart = performance.now();
  progress(`Bringing up ${QUEUES} queues with ${JOBS} queued jobs…`);
  const devices = await Promise.all(
    [0, 1, 2, 3, 4].map((i) => bed.addDevice({ name: `dev${i}`, model: `Bench ${i}` })),
  );
  await bed.addQueues(
    Array.from({ length: QUEUES }, (_, i) => ({
      name: `Q${String(i).padStart(2, '0')}`,
      device: devices[i % devices.length] ?? { uri: 'ipp://127.0.0.1:1/ipp/print' },
      // IPP Everywhere queues make cupsd query the device and build a PPD; classic PPD queues
      // do not. A mix, like a real print server.
      driver: i < EVERYWHERE_QUEUES ? 'everywhere' : CLASSIC_PPD_MODEL,
      description: `Bench queue ${i}`,
      location: `Floor ${i % 7}`,
    })),
  );
  // Paused, so that every job stays queued.
  await bed.run(
    'cupsdisable',
    Array.from({ length: QUEUES }, (_, i) => `Q${String(i).padStart(2, '0')}`),
  );
  for (let j = 0; j < JOBS; j++) {
    await bed.lp(`Q${String(j % QUEUES).padStart(2, '0')}`, {
      title: `job ${j}`,
      hold: j % 10 === 0,
    });
  }
  progress(`Set up in ${((performance.now() - setupStart) / 1000).toFixed(1)} s.`);

  const system = new CupsPrinterSystem({
    server: { endpoint: parseCupsServerName(bed.cupsSocket, 'bench'), source: 'bench' },
    // What CUPS knows, like lpstat: the devices are not asked.
    deviceQuery: false,
  });
  const env = { ...process.env, ...bed.env };
  const ours = async (): Promise<{ printers: number; jobs: number }> => {
    const [printers, jobs] = await Promise.all([system.listPrinters(), system.listJobs(undefined)]);
    return { printers: printers.length, jobs: jobs.length };
  };
  const lpstat = (): Promise<{ stdout: string }> =>
    run('lpstat', ['-l', '-p', '-o'], { env, maxBuffer: 64 * 1024 * 1024 });
  const cliProcess = (): Promise<unknown> =>
    Promise.all([
      run(process.execPath, [BIN, 'printers', '--json'], { env, maxBuffer: 64 * 1024 * 1024 }),
      run(process.execPath, [BIN, 'jobs', '--json'], { env, maxBuffer: 64 * 1024 * 1024 }),
    ]);

  // Both must see the same thing, or the comparison means nothing.
  const seen = await ours();
  const text = (await lpstat()).stdout;
  const lpstatPrinters = text.split('\n').filter((l) => l.startsWith('printer ')).length;
  const lpstatJobs = text.split('\n').filter((l) => /^Q\d\d-\d+\s/.test(l)).length;
  if (
    seen.printers !== QUEUES ||
    seen.jobs !== JOBS ||
    lpstatPrinters !== QUEUES ||
    lpstatJobs !== JOBS
  ) {
    throw new Error(
      `Setup mismatch: ours ${seen.printers} printers/${seen.jobs} jobs, lpstat ${lpstatPrinters}/${lpstatJobs}`,
    );
  }

  // Warm up both (page cache, cupsd caches), then interleave rounds so drift hits both alike.
  for (let i = 0; i < 3; i++) {
    await ours();
    await lpstat();
  }
  const oursMs: number[] = [];
  const lpstatMs: number[] = [];
  const cliMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    oursMs.push(await time(ours));
    lpstatMs.push(await time(lpstat));
    if (i % 4 === 0) cliMs.push(await time(cliProcess));
    if ((i + 1) % 10 === 0) progress(`  round ${i + 1}/${ROUNDS}`);
  }
  system.close();

  const oursMedian = median(oursMs);
  const lpstatMedian = median(lpstatMs);
  const ratio = oursMedian / lpstatMedian;
  console.log(
    `bench/printers: ${QUEUES} queues, ${JOBS} queued jobs, ${ROUNDS} rounds, Node ${process.versions.node}`,
  );
  console.log(
    `  our client (CUPS-Get-Printers + Get-Jobs, in process)  median ${oursMedian.toFixed(2)} ms`,
  );
  console.log(
    `  lpstat -l -p -o (process)                              median ${lpstatMedian.toFixed(2)} ms`,
  );
  console.log(
    `  ratio ours / lpstat                                    ${ratio.toFixed(3)} (target <= 1.0: ${ratio <= 1 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  for the record: printo-help printers + jobs processes  median ${median(cliMs).toFixed(1)} ms`,
  );
} finally {
  await bed.stop();
}

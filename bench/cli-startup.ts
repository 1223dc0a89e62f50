/**
 * Start-up benchmark of `printo-help`: wall time and peak memory of whole processes, as people
 * and scripts run them, on the real CUPS test bed (two virtual printers and a queue whose device
 * is gone, like `npm run testbed`). Against, in one run: `node -e 0` (the floor of any Node
 * program) and `lpstat -p` (CUPS's own tool listing the same queues). Targets: `--version` and
 * `--help` under 100 ms, `printers` under 250 ms.
 *
 *   node bench/cli-startup.ts [--runs N]
 *
 * Medians of N runs (default 15), interleaved so that drift hits every command alike, after a
 * warm-up run of each (the page cache and Node's compile cache, which bin/printo-help keeps under
 * the user's cache directory). Peak memory is the child's maximum resident set size from
 * getrusage, read through GNU time (/usr/bin/time, Debian package `time`): Node cannot read a
 * child's rusage itself. Without GNU time, memory is not shown.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLASSIC_PPD_MODEL, startTestbed } from '../test/testbed/testbed.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const RUNS = Number(values.runs);
const BIN = fileURLToPath(new URL('../bin/printo-help', import.meta.url));
const GNU_TIME = '/usr/bin/time';
const hasGnuTime = existsSync(GNU_TIME);

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Sample {
  readonly ms: number;
  /** Peak resident set size in KiB, or null without GNU time. */
  readonly maxRssKiB: number | null;
}

const scratch = mkdtempSync(join(tmpdir(), 'printo-cli-startup-'));
const rssFile = join(scratch, 'rss');

/** Runs one command to its end; its output is read (not timed apart) and must be a success. */
function measure(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const [command, ...args] = hasGnuTime
    ? [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv]
    : [...argv];
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command ?? '', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (code !== 0) {
        reject(new Error(`${argv.join(' ')} exited with ${code}: ${stderr}`));
        return;
      }
      const rss = hasGnuTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
      resolve({ ms, maxRssKiB: Number.isFinite(rss) ? rss : null });
    });
  });
}

const bed = await startTestbed({ name: 'bench-cli-startup' });
try {
  const devices = await Promise.all([
    bed.addDevice({ name: 'printer-1', model: 'LaserWriter', location: 'Room 101' }),
    bed.addDevice({ name: 'printer-2', model: 'ColorJet', color: true }),
  ]);
  await bed.addQueues([
    { name: 'office-1', device: devices[0], driver: 'everywhere', isDefault: true },
    { name: 'classic-2', device: devices[1], driver: CLASSIC_PPD_MODEL },
    { name: 'unplugged', driver: CLASSIC_PPD_MODEL, description: 'Its device is gone' },
  ]);
  const env = { ...process.env, ...bed.env, NO_COLOR: '1' };
  const node = process.execPath;
  const commands: readonly {
    readonly label: string;
    readonly argv: readonly string[];
    readonly targetMs?: number;
  }[] = [
    { label: 'node -e 0', argv: [node, '-e', '0'] },
    { label: 'printo-help --version', argv: [node, BIN, '--version'], targetMs: 100 },
    { label: 'printo-help --help', argv: [node, BIN, '--help'], targetMs: 100 },
    { label: 'printo-help printers', argv: [node, BIN, 'printers'], targetMs: 250 },
    {
      label: 'printo-help printers --json',
      argv: [node, BIN, 'printers', '--json'],
      targetMs: 250,
    },
    { label: 'lpstat -p', argv: ['lpstat', '-p'] },
  ];

  for (const command of commands) await measure(command.argv, env);
  const samples = new Map<string, Sample[]>(commands.map((c) => [c.label, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const command of commands)
      samples.get(command.label)?.push(await measure(command.argv, env));
  }

  const load = loadavg()[0] ?? 0;
  console.log(
    `bench/cli-startup: medians of ${RUNS} runs, Node ${process.versions.node}, ${cpus().length} CPUs, load average ${load.toFixed(2)}`,
  );
  console.log(
    `  ${'command'.padEnd(30)}${'wall ms'.padStart(9)}${'max RSS MiB'.padStart(13)}  target`,
  );
  for (const command of commands) {
    const runs = samples.get(command.label) ?? [];
    const ms = median(runs.map((s) => s.ms));
    const rss = runs.every((s) => s.maxRssKiB !== null)
      ? (median(runs.map((s) => s.maxRssKiB ?? 0)) / 1024).toFixed(1)
      : 'n/a';
    const target =
      command.targetMs === undefined
        ? ''
        : `< ${command.targetMs} ms: ${ms < command.targetMs ? 'met' : 'NOT met'}`;
    console.log(
      `  ${command.label.padEnd(30)}${ms.toFixed(1).padStart(9)}${rss.padStart(13)}  ${target}`,
    );
  }
  if (load > cpus().length) {
    console.log(
      `  (the machine was busy: load ${load.toFixed(2)} on ${cpus().length} CPUs; compare with node -e 0, not with the targets)`,
    );
  }
} finally {
  await bed.stop();
  rmSync(scratch, { recursive: true, force: true });
}

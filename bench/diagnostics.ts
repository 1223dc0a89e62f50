/**
 * Diagnostics benchmark: 10 printers on the CUPS test bed, 3 of them behind listeners that accept
 * connections and never answer. Prints the wall time of a full run with the default 3 s network
 * time-out next to the sum of every check's duration (what a one-by-one run would cost) and their
 * ratio. Target: the full run finishes within the time-out plus 1 s.
 *
 *   node bench/diagnostics.ts [--runs N]
 */
import { parseArgs } from 'node:util';
import { commonChecks } from '../src-main/diagnostics/checks/index.ts';
import { createDiagnosticsEnvironment } from '../src-main/diagnostics/environment.ts';
import { DEFAULT_NETWORK_TIMEOUT_MS, runDiagnostics } from '../src-main/diagnostics/runner.ts';
import { CupsPrinterSystem } from '../src-main/printers/cups/cups-printer-system.ts';
import { parseCupsServerName } from '../src-main/printers/cups/server.ts';
import { CLASSIC_PPD_MODEL, startTestbed } from '../test/testbed/testbed.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);

const bed = await startTestbed({ name: 'bench-diagnostics' });
try {
  process.stderr.write('Bringing up 10 printers (3 never answer)…\n');
  const devices = await Promise.all(
    [0, 1, 2, 3].map((i) => bed.addDevice({ name: `dev${i}`, make: 'Acme', model: `Laser ${i}` })),
  );
  const silent = await Promise.all([0, 1, 2].map(() => bed.silentListener()));
  await bed.addQueues([
    ...Array.from({ length: 7 }, (_, i) => ({
      name: `Answering${i}`,
      device: devices[i % devices.length] ?? { uri: 'ipp://127.0.0.1:1/ipp/print' },
      ...(i % 2 === 0 ? {} : { driver: CLASSIC_PPD_MODEL }),
    })),
    ...silent.map((listener, i) => ({
      name: `Silent${i}`,
      device: { uri: listener.uri },
      driver: CLASSIC_PPD_MODEL,
    })),
  ]);
  const system = new CupsPrinterSystem({
    server: { endpoint: parseCupsServerName(bed.cupsSocket, 'bench'), source: 'bench' },
    // The checks probe the devices themselves.
    deviceQuery: false,
  });
  const env = createDiagnosticsEnvironment(system);

  const rows: { wall: number; sum: number; checks: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const report = await runDiagnostics(env, commonChecks);
    const wall = performance.now() - started;
    const sum = report.results.reduce((total, r) => total + r.durationMs, 0);
    rows.push({ wall, sum, checks: report.results.length });
    const timedOut = report.results.filter(
      (r) => r.checkId === 'device-ipp' && r.status === 'fail',
    ).length;
    process.stderr.write(
      `  run ${run + 1}: ${report.results.length} results, ${timedOut} device time-outs\n`,
    );
  }
  system.close();
  await Promise.all(silent.map((listener) => listener.close()));

  const median = (xs: number[]): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const wall = median(rows.map((r) => r.wall));
  const sum = median(rows.map((r) => r.sum));
  const target = DEFAULT_NETWORK_TIMEOUT_MS + 1_000;
  console.log(
    `bench/diagnostics: 10 printers (3 never answer), ${rows[0]?.checks ?? 0} check results, default ${DEFAULT_NETWORK_TIMEOUT_MS} ms time-out, ${RUNS} runs (medians)`,
  );
  console.log(
    `  full run, wall time              ${(wall / 1000).toFixed(2)} s (target <= ${(target / 1000).toFixed(1)} s: ${wall <= target ? 'met' : 'NOT met'})`,
  );
  console.log(`  sum of all check durations       ${(sum / 1000).toFixed(2)} s (a one-by-one run)`);
  console.log(`  ratio sum / wall                 ${(sum / wall).toFixed(1)}x`);
} finally {
  await bed.stop();
}

/**
 * `printo-help diagnose` as a user runs it, against the real CUPS test bed: exit 0 on a healthy
 * bed, exit 1 with every injected fault named in plain language with a fix, exit 3 without CUPS.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticsReportSchema } from '../../src-shared/model/diagnostics.ts';
import { startTestbed } from '../testbed/testbed.ts';
import type { SilentListener, TestDevice, Testbed } from '../testbed/testbed.ts';

const BIN = fileURLToPath(new URL('../../bin/printo-help', import.meta.url));

function cli(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { ...process.env, NO_COLOR: '1', ...env },
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
          stdout,
          stderr,
        });
      },
    );
  });
}

let bed: Testbed;
let office: TestDevice;
let silent: SilentListener;
const diagnose = (...args: string[]): ReturnType<typeof cli> =>
  cli(['diagnose', '--timeout', '500', ...args], bed.env);

beforeAll(async () => {
  bed = await startTestbed({ name: 'diagnose-cli' });
  office = await bed.addDevice({ name: 'office', make: 'Acme', model: 'Laser 9000' });
  await bed.addQueue({ name: 'Office', device: office, isDefault: true });
  silent = await bed.silentListener();
});

afterAll(async () => {
  await silent.close();
  await bed.stop();
});

describe('printo-help diagnose', () => {
  it('exits 0 on a healthy bed and says so', async () => {
    const result = await diagnose();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Printo Help diagnostics: No problems found\./);
    expect(result.stdout).toMatch(/✓ Office: .*Queue ready/);
  });

  it('names every injected fault in plain language with a fix, and exits 1', async () => {
    await bed.addQueues([
      { name: 'Gone', description: 'device unplugged' },
      { name: 'Silent', device: { uri: silent.uri }, driver: 'drv:///sample.drv/generic.ppd' },
      { name: 'Paused', device: office },
    ]);
    await bed.raiseState('Office', 'STATE: +media-jam');
    await bed.run('cupsdisable', ['Paused']);
    await bed.lp('Paused', { title: 'held.pdf', hold: true });

    const result = await diagnose();
    expect(result.code).toBe(1);
    const out = result.stdout;
    expect(out).toMatch(
      /✗ Office · Printer condition\n {2}Paper jam\.[\s\S]*?What to do: Clear the paper jam\n {4}1\. /,
    );
    expect(out).toMatch(
      /✗ Paused · Queue ready\n {2}Nothing prints: the queue is paused\.[\s\S]*?Printo Help can do it: printo-help resume Paused/,
    );
    expect(out).toMatch(
      /✗ Gone · Printer reachable\n {2}The printer's address answers, but nothing there accepts print jobs/,
    );
    expect(out).toMatch(
      /✗ Silent · Printer answers\n {2}The printer accepts connections but did not answer a status request within 0\.5 s/,
    );
    expect(out).toMatch(
      /▲ Paused · Stuck and held jobs\n {2}1 job is held[\s\S]*?printo-help release-job Paused \d+/,
    );
    // Problems come before what passed.
    expect(out.indexOf('✗')).toBeLessThan(out.indexOf('Passed'));
  });

  it('--json prints the full report; --share prints the redacted one', async () => {
    const json = await diagnose('--json', 'Office');
    expect(json.code).toBe(1);
    const report = DiagnosticsReportSchema.parse(JSON.parse(json.stdout));
    expect(report.options.printers).toEqual(['Office']);
    expect(new Set(report.results.map((r) => r.printer))).toEqual(new Set([null, 'Office']));
    expect(json.stdout).toContain('localhost');

    const shared = await diagnose('--share', 'none', 'Office');
    expect(shared.code).toBe(1);
    expect(JSON.parse(shared.stdout)).toMatchObject({ sharing: { scopes: [] } });
    expect(shared.stdout).not.toContain('localhost');
    expect(shared.stdout).not.toContain('127.0.0.1');
  });

  it('rejects unknown scopes with exit code 2', async () => {
    const result = await diagnose('--share', 'everything');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--share takes device\.identifiers, jobs\.metadata/);
  });

  it('exits 3 with the print-service finding when CUPS is not there', async () => {
    const result = await cli(['diagnose'], {
      ...bed.env,
      CUPS_SERVER: `${bed.dir}/none/cups.sock`,
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(
      /✗ This computer · Print service running\n {2}The print service \(CUPS\) is not answering/,
    );
    expect(result.stdout).toContain('sudo systemctl enable --now cups');
  });
});

/**
 * What `printo-help` loads before it can answer: `--version` and `--help` must not pay for the
 * print system, zod schemas, tables or diagnostics (bench/cli-startup.ts has the times).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/printo-help', import.meta.url));
const HOOK = fileURLToPath(new URL('./record-loads.ts', import.meta.url));

function loadedBy(
  args: readonly string[],
): Promise<{ code: number; loaded: string[]; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', HOOK, BIN, ...args],
      // No print service at all: commands that need one fail, which is fine for `--help`.
      { env: { ...process.env, CUPS_SERVER: '/nonexistent/cups.sock' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({
          stdout,
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
          loaded: stderr
            .split('\n')
            .filter((line) => line.startsWith('LOADED '))
            .map((line) => line.slice('LOADED '.length)),
        });
      },
    );
  });
}

const HEAVY = [
  /\/node_modules\/zod\//,
  /\/node_modules\/string-width\//,
  /\/src-main\/printers\/(cups|windows|ipp)\//,
  /\/src-main\/diagnostics\/(checks|runner)/,
  /\/src-main\/cli\/(format|diagnose-)/,
  /\/src-shared\/printing\//,
];

describe('printo-help start-up', () => {
  it.each([['--json', '--version'], ['--help'], ['diagnose', '--help']])(
    '%s loads no print system, schemas, tables or checks',
    async (...args) => {
      const { code, loaded } = await loadedBy(args);
      expect(code).toBe(0);
      expect(loaded.some((url) => url.endsWith('/src-main/cli/printo-help.ts'))).toBe(true);
      expect(loaded.filter((url) => HEAVY.some((pattern) => pattern.test(url)))).toEqual([]);
    },
  );

  it('answers --version alone before the command-line parser loads, as the parser would', async () => {
    const alone = await loadedBy(['--version']);
    expect(alone.code).toBe(0);
    expect(alone.loaded.filter((url) => /commander|\/src-main\/cli\//.test(url))).toEqual([]);
    const parsed = await loadedBy(['--json', '--version']);
    expect(alone.stdout).toBe(parsed.stdout);
    expect(alone.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

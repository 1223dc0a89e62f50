/** Usage errors of printo-help: exit code 2, and one JSON object on stderr under --json. */
import { describe, expect, it } from 'vitest';
import { fakeSystem, makePrinter, runWith } from './fake-system.ts';

interface JsonError {
  error: { code: string; message: string; hint: string | null };
}

function parseError(stderr: string): JsonError {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as JsonError;
}

describe('printo-help usage errors', () => {
  const system = (): ReturnType<typeof fakeSystem> =>
    fakeSystem([makePrinter({ name: 'office' }), makePrinter({ name: 'office-1' })]);

  it.each([
    [['--json', '--bogus'], 'unknown-option'],
    [['printers', '--json', '--bogus'], 'unknown-option'],
    [['frobnicate', '--json'], 'unknown-command'],
    [['--json', '--timeout', 'soon', 'printers'], 'invalid-argument'],
    [['--json', '--timeout', '0', 'printers'], 'invalid-argument'],
    [['cancel-job', 'office', 'twelve', '--json'], 'job-id-invalid'],
    [['cancel-job', 'office', '--json'], 'job-id-missing'],
    [['pause', '', '--json'], 'printer-name-empty'],
    [['jobs', ' ', '--json'], 'printer-name-empty'],
    [['diagnose', 'office', '', '--json'], 'printer-name-empty'],
  ])('%j is a usage error in JSON: %s', async (argv, code) => {
    const run = await runWith(system(), argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const { error } = parseError(run.stderr);
    expect(error.code).toBe(code);
    expect(error.message).not.toMatch(/^error:/);
    expect(error.hint).toMatch(/--help/);
  });

  it('prints usage errors as text without --json', async () => {
    const run = await runWith(system(), ['--bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^printo-help: unknown option '--bogus'/);
  });

  it.each(['cancel-job', 'hold-job', 'release-job'])(
    '%s office-1 with a queue office-1 is a forgotten JOB-ID, not job 1 of office',
    async (command) => {
      const fake = system();
      const run = await runWith(fake, [command, 'office-1', '--json']);
      expect(run.code).toBe(2);
      expect(parseError(run.stderr).error.code).toBe('job-id-missing');
      expect(fake.actions).toEqual([]);
    },
  );

  it('still takes office-2 as job 2 of office when there is no queue office-2', async () => {
    const fake = system();
    const run = await runWith(fake, ['cancel-job', 'office-2']);
    expect(run.code).toBe(0);
    expect(fake.actions).toEqual(['cancel office 2']);
  });

  it('pause with an empty name touches no queue', async () => {
    const fake = system();
    const run = await runWith(fake, ['pause', '']);
    expect(run.code).toBe(2);
    expect(fake.actions).toEqual([]);
  });
});

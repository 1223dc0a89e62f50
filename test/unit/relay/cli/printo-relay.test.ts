/**
 * What a new user meets first with `printo-relay`: the version, and the data directory that the
 * commands other than `serve` expect to find.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './cli-harness.ts';

describe('printo-relay basics', () => {
  it('prints its version', async () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(pkg.version);
    }
  });

  it('commands other than serve refuse a data directory that does not exist, and create nothing', async () => {
    const cwd = tempDir();
    for (const argv of [
      ['orgs', 'list'],
      ['agents', 'list', '--json'],
      ['sessions', 'list'],
      ['purge'],
      ['orgs', 'add', 'Acme'],
    ]) {
      const run = await runCli(argv, { cwd });
      expect(run.code, argv.join(' ')).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `There is no relay data directory at ${join(cwd, 'printo-relay-data')}`,
      );
      expect(run.stderr).toContain('--data-dir');
      expect(run.stderr).toContain('data-dir-missing');
    }
    expect(existsSync(join(cwd, 'printo-relay-data'))).toBe(false);

    const elsewhere = join(tempDir(), 'typo');
    const json = await runCli(['--data-dir', elsewhere, '--json', 'orgs', 'list']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'data-dir-missing' } });
    expect(existsSync(elsewhere)).toBe(false);

    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    const notDir = await runCli(['--data-dir', file, 'orgs', 'list']);
    expect(notDir.code).toBe(1);
    expect(notDir.stderr).toContain('it is not a directory');
  });

  it('an existing data directory works as before', async () => {
    const dir = tempDir();
    const run = await runCli(['--data-dir', dir, 'orgs', 'list', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ orgs: [] });
  });
});

describe('repository', () => {
  it('ignores the default data directory, which holds the master key', () => {
    const ignore = readFileSync(new URL('../../../../.gitignore', import.meta.url), 'utf8');
    expect(ignore.split('\n')).toContain('printo-relay-data/');
  });
});

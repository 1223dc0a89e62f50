/**
 * What a new user meets first with `printo-relay`: the version, and the data directory that the
 * commands other than `serve` expect to find.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOW, runCli, serveInProcess, tempDir } from './cli-harness.ts';

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

describe('config.json', () => {
  it('a misspelt key is refused, named, with the key that was meant; nothing runs', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ retenton: { chatTranscriptDays: 7 } }),
    );
    const top = await runCli(['--data-dir', dir, 'purge']);
    expect(top.code).toBe(1);
    expect(top.stdout).toBe('');
    expect(top.stderr).toContain(join(dir, 'config.json'));
    expect(top.stderr).toContain('"retenton" is not a known key: did you mean "retention"?');
    expect(top.stderr).toContain('(config-invalid)');

    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ retention: { chatTranscriptDay: 7, consentReceiptdays: 30 } }),
    );
    const inner = await serveInProcess(dir);
    expect(inner.up).toBe(false);
    const failed = await inner.done;
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      'retention."chatTranscriptDay" is not a known key: did you mean "chatTranscriptDays"?',
    );
    expect(failed.stderr).toContain('did you mean "consentReceiptDays"?');
    expect(failed.stderr).toContain('(retention-invalid)');
    expect(failed.stdout).not.toContain('listening');

    writeFileSync(join(dir, 'config.json'), JSON.stringify({ whatever: 1 }));
    const far = await runCli(['--data-dir', dir, 'purge']);
    expect(far.stderr).toContain('"whatever" is not a known key (known: retention)');
  });

  it('serve logs the retention in force: each period and where it came from', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ retention: { chatTranscriptDays: 30 } }),
    );
    const relay = await serveInProcess(dir);
    expect(relay.up).toBe(true);
    expect((await relay.stop()).code).toBe(0);
    expect(relay.logs().find((l) => l['event'] === 'retention.in-force')).toEqual({
      time: NOW,
      level: 'info',
      event: 'retention.in-force',
      chatTranscriptDays: 30,
      chatTranscriptFrom: 'config.json',
      consentReceiptDays: 730,
      consentReceiptFrom: 'default',
      sessionMetadataDays: 730,
      sessionMetadataFrom: 'default',
      configFile: join(dir, 'config.json'),
    });
  });
});

describe('first start', () => {
  it('shows the credentials only once the address is bound: a failed bind leaves them for the next start', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const dir = join(tempDir(), 'data');
    try {
      const refused = await serveInProcess(dir, ['--port', String(port)]);
      expect(refused.up).toBe(false);
      const failed = await refused.done;
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`Cannot listen on 127.0.0.1:${String(port)} (EADDRINUSE)`);
      expect(failed.stdout).not.toContain('First start');
      expect(failed.stdout).not.toContain('password');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const relay = await serveInProcess(dir);
    expect(relay.up).toBe(true);
    expect(relay.stdout()).toContain('First start');
    expect(relay.stdout()).toMatch(/Enrollment key:\s+pek_/);
    expect(relay.stdout()).toMatch(/Admin password:\s+\S+/);
    // Before the line that says it is up, so whoever waits for that line has them.
    expect(relay.stdout().indexOf('First start')).toBeLessThan(relay.stdout().indexOf('listening'));
    expect((await relay.stop()).code).toBe(0);
  });
});

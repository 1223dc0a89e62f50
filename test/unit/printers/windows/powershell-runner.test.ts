import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrintoError, type PrintoError } from '../../../../src-shared/errors.ts';
import {
  ARGS_ENV_VAR,
  ChildProcessPowerShellRunner,
  windowsScriptDirectory,
} from '../../../../src-main/printers/windows/powershell-runner.ts';
import { WINDOWS_SCRIPTS } from '../../../../src-main/printers/windows/schemas.ts';
import { WindowsPrinterSystem } from '../../../../src-main/printers/windows/windows-printer-system.ts';

/*
 * The real runner, spawning real processes: a stand-in "powershell" executable (a small shell
 * script that execs Node) takes the place of powershell.exe, so the spawn, time-out, abort and
 * output-cap paths are the ones used on Windows.
 */

let dir: string;
const SCRIPTS = '/opt/printo/resources/windows';

function fakeExecutable(name: string, nodeCode: string): string {
  const js = path.join(dir, `${name}.cjs`);
  writeFileSync(js, nodeCode);
  const exe = path.join(dir, name);
  // `exec` keeps the pid: the pid file names the very process the runner must stop.
  writeFileSync(
    exe,
    `#!/bin/sh\necho $$ > "${exe}.pid"\nexec "${process.execPath}" "${js}" "$@"\n`,
  );
  chmodSync(exe, 0o755);
  return exe;
}

function runner(executable: string, options: { timeoutMs?: number; maxOutputBytes?: number } = {}) {
  return new ChildProcessPowerShellRunner({ scriptDirectory: SCRIPTS, executable, ...options });
}

async function rejected(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function asPrintoError(error: unknown): PrintoError {
  if (isPrintoError(error)) return error;
  throw error;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilDead(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

function pidOf(exe: string): number {
  return Number(readFileSync(`${exe}.pid`, 'utf8').trim());
}

let echo: string;
let hang: string;
let flood: string;
let bom: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'printo-ps-'));
  echo = fakeExecutable(
    'echo-powershell',
    `process.stderr.write('a note on stderr');
     process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), args: process.env.${ARGS_ENV_VAR} ?? null }));
     process.exitCode = 3;`,
  );
  hang = fakeExecutable('hung-powershell', 'setInterval(() => {}, 1000);');
  flood = fakeExecutable(
    'flooding-powershell',
    `const chunk = 'x'.repeat(64 * 1024); setInterval(() => process.stdout.write(chunk), 1);`,
  );
  bom = fakeExecutable(
    'bom-powershell',
    `process.stdout.write(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"ok":true}]')]));`,
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ChildProcessPowerShellRunner', () => {
  it('runs powershell with a fixed command line and returns stdout, stderr and the exit code', async () => {
    const result = await runner(echo).run('list-printers', {});
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe('a note on stderr');
    const seen = JSON.parse(result.stdout) as { argv: string[]; args: string };
    expect(seen.argv).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-File',
      path.join(SCRIPTS, 'list-printers.ps1'),
    ]);
    expect(JSON.parse(seen.args)).toEqual({});
  });

  const hostileNames = [
    `O'Brien "Quote" Printer`,
    '$(Remove-Item -Recurse C:\\)',
    '${env:USERPROFILE}',
    '`whoami`',
    'a; Stop-Service Spooler; b',
    '-File C:\\evil.ps1',
    '--% & calc.exe',
    "'; exit 0; '",
    '%PATH% & del *',
    '| Out-File x',
    'line one\nline two\r\n',
    '\\\\printsrv01\\[Finance]*?',
    '打印机 Ünïcödé 🖨️ \u202egnp.exe',
    ' leading and trailing spaces ',
  ];

  it.each(hostileNames)('never puts the printer name %j on the command line', async (name) => {
    const result = await runner(echo).run('cancel-job', { printer: name, jobId: 42 });
    const seen = JSON.parse(result.stdout) as { argv: string[]; args: string };
    expect(seen.argv).toEqual(runner(echo).commandFor('cancel-job').args);
    expect(seen.argv.join(' ')).not.toContain(name.trim());
    expect(JSON.parse(seen.args)).toEqual({ printer: name, jobId: 42 });
  });

  it('gives every script its own file in the script directory', () => {
    for (const script of WINDOWS_SCRIPTS) {
      expect(runner(echo).commandFor(script).args.at(-1)).toBe(path.join(SCRIPTS, `${script}.ps1`));
    }
  });

  it('refuses arguments the scripts do not take, before spawning', async () => {
    const r = runner(echo);
    await expect(r.run('cancel-job', { printer: 'P', jobId: -1 })).rejects.toThrow(TypeError);
    await expect(r.run('pause-printer', { printer: '' })).rejects.toThrow(TypeError);
    // @ts-expect-error: an argument the script does not declare
    await expect(r.run('list-printers', { filter: "Name='x'" })).rejects.toThrow(TypeError);
  });

  it('drops a UTF-8 byte order mark', async () => {
    expect((await runner(bom).run('cancel-job', { printer: 'P', jobId: 1 })).stdout).toBe(
      '[{"ok":true}]',
    );
  });

  it('honours the time-out: print-service-timeout, and the process is stopped', async () => {
    const started = Date.now();
    const error = asPrintoError(
      await rejected(runner(hang, { timeoutMs: 300 }).run('list-jobs', {})),
    );
    expect(error.code).toBe('print-service-timeout');
    expect(error.message).toMatch(/list-jobs\.ps1 within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await waitUntilDead(pidOf(hang))).toBe(true);
  });

  it('takes a per-run time-out', async () => {
    const error = asPrintoError(
      await rejected(runner(hang, { timeoutMs: 60_000 }).run('list-jobs', {}, { timeoutMs: 200 })),
    );
    expect(error.code).toBe('print-service-timeout');
  });

  it('honours an AbortSignal: rejects with its reason and stops the process', async () => {
    const controller = new AbortController();
    const reason = new Error('window closed');
    const run = runner(hang).run('list-printers', {}, { signal: controller.signal });
    setTimeout(() => {
      controller.abort(reason);
    }, 150);
    expect(await rejected(run)).toBe(reason);
    expect(await waitUntilDead(pidOf(hang))).toBe(true);
  });

  it('does not start PowerShell for a signal that is already aborted', async () => {
    rmSync(`${echo}.pid`, { force: true });
    const reason = new Error('too late');
    expect(
      await rejected(runner(echo).run('list-printers', {}, { signal: AbortSignal.abort(reason) })),
    ).toBe(reason);
    expect(existsSync(`${echo}.pid`)).toBe(false);
  });

  it('caps the output: a flooding script is stopped with print-service-bad-response', async () => {
    const error = asPrintoError(
      await rejected(runner(flood, { maxOutputBytes: 1024 * 1024 }).run('list-jobs', {})),
    );
    expect(error.code).toBe('print-service-bad-response');
    expect(error.message).toMatch(/list-jobs\.ps1 printed more than 1048576 bytes/);
    expect(await waitUntilDead(pidOf(flood))).toBe(true);
  });

  it('reports a missing powershell.exe as print-service-unreachable with a hint', async () => {
    const missing = path.join(dir, 'no-such', 'powershell.exe');
    const error = asPrintoError(await rejected(runner(missing).run('list-printers', {})));
    expect(error.code).toBe('print-service-unreachable');
    expect(error.message).toContain('powershell.exe was not found');
    expect(error.hint).toMatch(/Windows PowerShell/);
  });
});

describe('WindowsPrinterSystem over the real runner', () => {
  it('turns a hung PowerShell into print-service-timeout', async () => {
    const printers = new WindowsPrinterSystem({ runner: runner(hang, { timeoutMs: 250 }) });
    expect(asPrintoError(await rejected(printers.listPrinters())).code).toBe(
      'print-service-timeout',
    );
  });

  it('turns a missing PowerShell into print-service-unreachable', async () => {
    const printers = new WindowsPrinterSystem({
      runner: runner(path.join(dir, 'missing.exe')),
    });
    expect(asPrintoError(await rejected(printers.spoolerStatus())).code).toBe(
      'print-service-unreachable',
    );
  });

  it('turns output that is not the expected JSON into print-service-bad-response', async () => {
    const printers = new WindowsPrinterSystem({ runner: runner(echo) });
    const error = asPrintoError(await rejected(printers.listPrinters()));
    expect(error.code).toBe('print-service-bad-response');
    expect(error.message).toContain('list-printers.ps1');
  });
});

describe('windowsScriptDirectory', () => {
  it('uses resourcesPath/windows when packaged and resources/windows in development', () => {
    expect(
      windowsScriptDirectory({ resourcesPath: '/app/resources', repositoryRoot: '/src' }),
    ).toBe(path.join('/app/resources', 'windows'));
    expect(windowsScriptDirectory({ resourcesPath: undefined, repositoryRoot: '/src' })).toBe(
      path.join('/src', 'resources', 'windows'),
    );
  });
});

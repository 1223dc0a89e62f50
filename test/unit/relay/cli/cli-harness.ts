/**
 * `printo-relay` in this process: its output captured, a fixed clock, no environment, and a
 * temporary working directory. (Commands that must go through a running relay's admin socket
 * run in child processes instead, in test/integration/relay-http.test.ts: the socket client
 * blocks its thread while it waits, which here would be the relay's.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach } from 'vitest';
import { runRelayCli } from '../../../../src-relay/cli/printo-relay.ts';
import type { RelayCliDependencies } from '../../../../src-relay/cli/printo-relay.ts';
import { ManualClock } from '../../manual-clock.ts';

export const NOW = '2026-11-25T09:00:00.000Z';
export const PASSWORD = 'correct horse battery staple';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'printo-relay-cli-'));
  dirs.push(dir);
  return dir;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(
  argv: readonly string[],
  options: { cwd?: string; input?: string; deps?: RelayCliDependencies } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runRelayCli(
    argv,
    {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
      promptOutput: { write: () => true },
    },
    {
      clock: new ManualClock(Date.parse(NOW)),
      env: {},
      cwd: options.cwd ?? tempDir(),
      ...options.deps,
    },
  );
  return { code, stdout, stderr };
}

/** Runs `printo-relay --data-dir DIR …`. */
export function inDir(dir: string) {
  return (...argv: string[]): Promise<CliRun> => runCli(['--data-dir', dir, ...argv]);
}

export interface InProcessServe {
  /** Ends when `serve` returns (after `stop`, or at once when it failed to start). */
  readonly done: Promise<CliRun>;
  /** Whether it got as far as listening (false: `done` holds the failure). */
  readonly up: boolean;
  readonly stdout: () => string;
  readonly logs: () => Record<string, unknown>[];
  stop(): Promise<CliRun>;
}

/** `printo-relay --data-dir DIR serve --port 0 …` in this process, stopped by `stop()`. */
export async function serveInProcess(
  dir: string,
  args: readonly string[] = [],
): Promise<InProcessServe> {
  let stdout = '';
  let stderr = '';
  const logLines: string[] = [];
  let stop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  let listening: () => void = () => undefined;
  const upNow = new Promise<'up'>((resolve) => {
    listening = () => {
      resolve('up');
    };
  });
  const done = runRelayCli(
    ['--data-dir', dir, 'serve', '--port', '0', ...args],
    {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      stdin: Readable.from([]),
      promptOutput: { write: () => true },
    },
    {
      clock: new ManualClock(Date.parse(NOW)),
      env: {},
      cwd: dir,
      logWrite: (line) => logLines.push(line),
      waitForStop: () => {
        listening();
        return stopped;
      },
    },
  ).then((code) => ({ code, stdout, stderr }));
  const up = (await Promise.race([upNow, done])) === 'up';
  return {
    done,
    up,
    stdout: () => stdout,
    logs: () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: () => {
      stop('test-over');
      return done;
    },
  };
}

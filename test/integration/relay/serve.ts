/**
 * `printo-relay serve` as a user runs it, in a child process on port 0, until the test stops it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/printo-relay', import.meta.url));

export interface Serving {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
  /** Its JSON log lines (standard error). */
  readonly logs: () => string;
  /** SIGTERM; resolves with the exit code once everything it wrote has been read. */
  stop(): Promise<number | null>;
}

export function serve(args: readonly string[], cwd?: string): Promise<Serving> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd,
    env: { ...process.env, PRINTO_RELAY_DATA: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close', not 'exit': by then everything the child wrote has been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start:\n${stdout}\n${stderr}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (\S+)/.exec(stdout);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve({
        child,
        url: match[1],
        stdout: () => stdout,
        logs: () => stderr,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${String(code)}:\n${stdout}\n${stderr}`));
    });
  });
}

/**
 * Runs an operating-system tool (reg.exe, plutil) without a shell and hands back its raw output.
 * Injected into the Windows and macOS sources so that their tests replay recorded output.
 */
import { execFile } from 'node:child_process';
import { PrintoError } from '../../src-shared/errors.ts';
import { PolicyErrorCode } from './source.ts';

export interface CommandResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** Null when the tool was ended by a signal. */
  readonly exitCode: number | null;
}

/**
 * Resolves once the tool has ended, whatever its exit code. Rejects with a PrintoError
 * (`policy-read-failed`) only when it could not run to its end: not found, not allowed to start
 * (an application-control policy), time-out, or runaway output.
 */
export type CommandRunner = (
  file: string,
  args: readonly string[],
  options?: { readonly signal?: AbortSignal },
) => Promise<CommandResult>;

export function childProcessRunner(
  options: { readonly timeoutMs?: number; readonly maxOutputBytes?: number } = {},
): CommandRunner {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBuffer = options.maxOutputBytes ?? 1024 * 1024;
  return (file, args, runOptions = {}) =>
    new Promise((resolve, reject) => {
      execFile(
        file,
        args,
        {
          encoding: 'buffer',
          shell: false,
          windowsHide: true,
          timeout: timeoutMs,
          maxBuffer,
          ...(runOptions.signal === undefined ? {} : { signal: runOptions.signal }),
        },
        (error, stdout, stderr) => {
          if (error === null) {
            resolve({ stdout, stderr, exitCode: 0 });
            return;
          }
          // A non-zero exit is an answer (reg.exe says "not found" that way); anything else is not.
          if (typeof error.code === 'number' && !error.killed) {
            resolve({ stdout, stderr, exitCode: error.code });
            return;
          }
          const why =
            error.code === 'ENOENT'
              ? 'it was not found'
              : error.code === 'EACCES' || error.code === 'EPERM'
                ? `starting it was refused (${error.code})`
                : error.killed
                  ? `it did not finish within ${timeoutMs} ms`
                  : error.message;
          reject(
            new PrintoError(PolicyErrorCode.readFailed, `Cannot run ${file}: ${why}.`, {
              cause: error,
            }),
          );
        },
      );
    });
}

import { spawn } from 'node:child_process';
import path from 'node:path';
import { PrintoError } from '../../../src-shared/errors.ts';
import { PrinterSystemErrorCode } from '../printer-system.ts';
import { ScriptArgsSchemas, type ScriptArgs, type WindowsScript } from './schemas.ts';

/** What a script run produced. `exitCode` is null when the process ended by a signal. */
export interface PowerShellResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Overrides the runner's time-out for this run. */
  readonly timeoutMs?: number;
}

/**
 * Runs one of the scripts in resources/windows with a JSON arguments object. Rejects with a
 * `PrintoError` only when the script could not run to its end (PowerShell missing, time-out,
 * runaway output) and with the signal's reason when aborted; a script that ran and failed resolves
 * with its non-zero exit code and its JSON error document on stdout.
 */
export interface PowerShellRunner {
  run<S extends WindowsScript>(
    script: S,
    args: ScriptArgs<S>,
    options?: RunOptions,
  ): Promise<PowerShellResult>;
}

/** The variable that carries the arguments: data in the environment, never code on a command line. */
export const ARGS_ENV_VAR = 'PRINTO_ARGS';

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

export interface ChildProcessRunnerOptions {
  /** Folder holding the .ps1 files: `process.resourcesPath/windows` when packaged, `resources/windows` in dev. */
  readonly scriptDirectory: string;
  /** Default `powershell.exe` (Windows PowerShell 5.1, present on every supported Windows); `pwsh.exe` works too. */
  readonly executable?: string;
  readonly timeoutMs?: number;
  /** Cap on stdout + stderr; a script that prints more is stopped. */
  readonly maxOutputBytes?: number;
  /** Base environment of the child; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Where the scripts are: beside the app's resources when packaged, else in the repository. */
export function windowsScriptDirectory(options: {
  readonly resourcesPath?: string | undefined;
  readonly repositoryRoot: string;
}): string {
  return options.resourcesPath === undefined
    ? path.join(options.repositoryRoot, 'resources', 'windows')
    : path.join(options.resourcesPath, 'windows');
}

/**
 * The real runner: `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File x.ps1`
 * started without a shell. The script path is ours and the arguments travel as JSON in
 * PRINTO_ARGS, so no printer name is ever parsed as PowerShell or as a command line.
 */
export class ChildProcessPowerShellRunner implements PowerShellRunner {
  readonly #scriptDirectory: string;
  readonly #executable: string;
  readonly #timeoutMs: number;
  readonly #maxOutputBytes: number;
  readonly #env: NodeJS.ProcessEnv;

  constructor(options: ChildProcessRunnerOptions) {
    this.#scriptDirectory = options.scriptDirectory;
    this.#executable = options.executable ?? 'powershell.exe';
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    this.#env = options.env ?? process.env;
  }

  /** The command line a run uses, without the environment: exposed so tests can inspect it. */
  commandFor(script: WindowsScript): { file: string; args: string[] } {
    return {
      file: this.#executable,
      args: [
        '-NoProfile',
        '-NonInteractive',
        '-ExecutionPolicy',
        'Bypass',
        '-File',
        path.join(this.#scriptDirectory, `${script}.ps1`),
      ],
    };
  }

  run<S extends WindowsScript>(
    script: S,
    args: ScriptArgs<S>,
    options: RunOptions = {},
  ): Promise<PowerShellResult> {
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    if (!Object.hasOwn(ScriptArgsSchemas, script)) {
      return Promise.reject(new TypeError(`Unknown Windows script: ${script}`));
    }
    const checked = ScriptArgsSchemas[script].safeParse(args);
    if (!checked.success) {
      return Promise.reject(
        new TypeError(`Invalid arguments for ${script}.ps1: ${checked.error.message}`),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const { file, args: argv } = this.commandFor(script);

    return new Promise<PowerShellResult>((resolve, reject) => {
      const child = spawn(file, argv, {
        env: { ...this.#env, [ARGS_ENV_VAR]: JSON.stringify(checked.data) },
        stdio: ['ignore', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
      });

      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let bytes = 0;
      let settled = false;

      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const stop = (): void => {
        // On Windows every signal is TerminateProcess; SIGKILL also stops a stuck test stand-in.
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      const onAbort = (): void => {
        stop();
        finish(() => {
          reject(signal?.reason as Error);
        });
      };
      const timer = setTimeout(() => {
        stop();
        finish(() => {
          reject(
            new PrintoError(
              PrinterSystemErrorCode.Timeout,
              `PowerShell did not finish ${script}.ps1 within ${timeoutMs} ms.`,
              {
                hint: 'The print spooler may be hung on a printer or print server that does not answer. Restart the Print Spooler service, or remove the unreachable printer.',
              },
            ),
          );
        });
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });

      const collect =
        (into: Buffer[]) =>
        (chunk: Buffer): void => {
          bytes += chunk.length;
          if (bytes > this.#maxOutputBytes) {
            stop();
            finish(() => {
              reject(
                new PrintoError(
                  PrinterSystemErrorCode.BadResponse,
                  `${script}.ps1 printed more than ${this.#maxOutputBytes} bytes; its output was discarded.`,
                ),
              );
            });
            return;
          }
          into.push(chunk);
        };
      child.stdout.on('data', collect(stdout));
      child.stderr.on('data', collect(stderr));

      child.on('error', (error: NodeJS.ErrnoException) => {
        stop();
        finish(() => {
          reject(spawnError(file, error));
        });
      });
      child.on('close', (code) => {
        finish(() => {
          resolve({
            stdout: decode(stdout),
            stderr: decode(stderr),
            exitCode: code,
          });
        });
      });
    });
  }
}

/** The scripts set [Console]::OutputEncoding to UTF-8 without BOM; a BOM is dropped anyway. */
function decode(chunks: Buffer[]): string {
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
}

function spawnError(file: string, error: NodeJS.ErrnoException): PrintoError {
  if (error.code === 'ENOENT') {
    return new PrintoError(
      PrinterSystemErrorCode.Unreachable,
      `Cannot read the Windows printers: ${file} was not found.`,
      {
        hint: 'Printo Help uses Windows PowerShell (part of Windows) to talk to the print spooler. Ask IT whether it was removed or blocked by policy.',
        cause: error,
      },
    );
  }
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    return new PrintoError(
      PrinterSystemErrorCode.Unreachable,
      `Cannot read the Windows printers: starting ${file} was refused (${error.code}).`,
      {
        hint: 'An application-control policy (AppLocker, WDAC) may block PowerShell. Ask IT to allow it for Printo Help.',
        cause: error,
      },
    );
  }
  return new PrintoError(PrinterSystemErrorCode.Failed, `Cannot start ${file}: ${error.message}`, {
    cause: error,
  });
}

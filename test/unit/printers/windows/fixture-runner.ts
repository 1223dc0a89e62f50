import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  PowerShellResult,
  PowerShellRunner,
  RunOptions,
} from '../../../../src-main/printers/windows/powershell-runner.ts';
import type { ScriptArgs, WindowsScript } from '../../../../src-main/printers/windows/schemas.ts';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/windows/', import.meta.url));

/** What one script "prints": files under test/fixtures/windows, relative to it. */
export interface FixtureOutput {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
}

/** A fixture per script, or a function of the script's arguments (one fixture per printer). */
export type Scenario = {
  readonly [S in WindowsScript]?:
    string | FixtureOutput | ((args: ScriptArgs<S>) => string | FixtureOutput);
};

export interface RecordedCall {
  readonly script: WindowsScript;
  readonly args: unknown;
}

/** An error document as the scripts print it, with their exit code 1. */
export function failing(stdout: string): FixtureOutput {
  return { stdout, exitCode: 1 };
}

/**
 * The only fake in these tests: answers each script with a fixture file, as PowerShell would have
 * printed it on a real machine, and records the arguments it was given. A script without an entry
 * in the scenario gets `<version>/<script>.json`, or fails the test loudly when that is missing;
 * an entry that is a function chooses the fixture from the arguments.
 */
export class FixtureRunner implements PowerShellRunner {
  readonly calls: RecordedCall[] = [];
  readonly #version: string;
  readonly #scenario: Scenario;

  constructor(version: 'ps51' | 'ps7', scenario: Scenario = {}) {
    this.#version = version;
    this.#scenario = scenario;
  }

  #read(file: string): string {
    const path = file.includes('/') ? file : `${this.#version}/${file}`;
    return readFileSync(`${FIXTURES}${path}`, 'utf8');
  }

  run<S extends WindowsScript>(
    script: S,
    args: ScriptArgs<S>,
    options: RunOptions = {},
  ): Promise<PowerShellResult> {
    if (options.signal?.aborted === true) return Promise.reject(options.signal.reason as Error);
    this.calls.push({ script, args });
    const given = this.#scenario[script] as
      string | FixtureOutput | ((args: ScriptArgs<S>) => string | FixtureOutput) | undefined;
    const entry = typeof given === 'function' ? given(args) : (given ?? `${script}.json`);
    const output: FixtureOutput = typeof entry === 'string' ? { stdout: entry } : entry;
    return Promise.resolve({
      stdout: output.stdout === undefined ? '' : this.#read(output.stdout),
      stderr: output.stderr === undefined ? '' : this.#read(output.stderr),
      exitCode: output.exitCode ?? 0,
    });
  }
}

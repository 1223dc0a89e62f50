import { USAGE_ERROR_CODES } from './error-codes.ts';
import type { ErrorCode, UsageErrorCode } from './error-codes.ts';

/**
 * One error type for expected failures across the project. `code` is stable (scripts and the UI
 * switch on it) and declared in src-shared/error-codes.ts; `message` says what failed and why;
 * `hint` says what a person can do about it. Expected failures are shown as message + hint,
 * never as a stack trace.
 */
export class PrintoError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PrintoError';
    this.code = code;
    this.hint = options?.hint;
  }
}

export function isPrintoError(value: unknown, code?: ErrorCode): value is PrintoError {
  return value instanceof PrintoError && (code === undefined || value.code === code);
}

/**
 * How a command-line tool shows an expected failure on stderr: the message, the hint and the
 * stable code for people, or one JSON object for scripts.
 */
export function formatCliError(program: string, error: PrintoError, asJson: boolean): string {
  if (asJson) {
    return `${JSON.stringify({ error: { code: error.code, message: error.message, hint: error.hint ?? null } })}\n`;
  }
  return `${program}: ${error.message}\n${error.hint === undefined ? '' : `  ${error.hint}\n`}  (${error.code})\n`;
}

/**
 * A command-line mistake (a bad option value, a missing argument): shown as `program: message`,
 * or as JSON for scripts, exit code 2. `code` is stable and kebab-case (`job-id-missing`).
 */
export class UsageError extends Error {
  readonly code: UsageErrorCode;

  constructor(message: string, code: UsageErrorCode = 'usage-error') {
    super(message);
    this.name = 'UsageError';
    this.code = code;
  }
}

/** `commander.unknownOption` → `unknown-option`: commander's own codes, as stable kebab-case. */
export function usageCodeOf(commanderCode: string): UsageErrorCode {
  const code = commanderCode
    .replace(/^commander\./, '')
    .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return (USAGE_ERROR_CODES as readonly string[]).includes(code)
    ? (code as UsageErrorCode)
    : 'usage-error';
}

/** commander starts its messages with `error: `; the JSON form and our prefix say it already. */
function commanderMessage(error: Error): string {
  return error.message.replace(/^error:\s*/i, '').trim();
}

/** commander's own exits that are not failures: it has printed the help or the version. */
const COMMANDER_SUCCESS = new Set([
  'commander.helpDisplayed',
  'commander.version',
  'commander.help',
]);

/**
 * How a command-line tool ends on an error thrown out of a command, and the exit code: commander's
 * help and version exits are success and its usage errors (printed by commander) exit 2; a
 * UsageError is printed and exits 2; an expected failure is printed by formatCliError and exits
 * with the code `exitCodeFor` picks (default 1); anything else is a bug, printed whole, exit 1.
 */
export function reportCliError(
  program: string,
  error: unknown,
  options: {
    readonly write: (text: string) => void;
    readonly asJson: boolean;
    readonly exitCodeFor?: (error: PrintoError) => number;
    /**
     * The caller silenced commander's own error output (configureOutput `outputError`), so
     * commander's usage errors are printed here: as JSON under `asJson`, as text otherwise.
     */
    readonly printCommanderErrors?: boolean;
  },
): number {
  const usageHint = `Run \`${program} --help\` for the commands and options.`;
  // commander's CommanderError, known by its code (src-shared does not depend on commander).
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    if (COMMANDER_SUCCESS.has(code)) return 0;
    if (options.printCommanderErrors === true && error instanceof Error) {
      const usage = new PrintoError(usageCodeOf(code), commanderMessage(error), {
        hint: usageHint,
      });
      options.write(
        options.asJson
          ? formatCliError(program, usage, true)
          : `${program}: ${usage.message}\n  ${usageHint}\n`,
      );
    }
    return 2;
  }
  if (error instanceof UsageError) {
    options.write(
      options.asJson
        ? formatCliError(
            program,
            new PrintoError(error.code, error.message, { hint: usageHint }),
            true,
          )
        : `${program}: ${error.message}\n`,
    );
    return 2;
  }
  if (isPrintoError(error)) {
    options.write(formatCliError(program, error, options.asJson));
    return options.exitCodeFor?.(error) ?? 1;
  }
  // Not an expected failure: show everything, it is a bug to report.
  options.write(
    `${program}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

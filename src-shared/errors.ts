/**
 * One error type for expected failures across the project. `code` is stable (scripts and the UI
 * switch on it); `message` says what failed and why; `hint` says what a person can do about it.
 * Expected failures are shown as message + hint, never as a stack trace.
 */
export class PrintoError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PrintoError';
    this.code = code;
    this.hint = options?.hint;
  }
}

export function isPrintoError(value: unknown, code?: string): value is PrintoError {
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

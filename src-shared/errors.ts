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

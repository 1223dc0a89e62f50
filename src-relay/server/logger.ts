/**
 * Structured logs: one JSON object per line. The Logger contract only admits flat primitive
 * fields; on top of that, a guard drops any field whose name says it may hold content or a
 * credential (text, message, code, password, token, secret, cookie, ticket…), so a careless call
 * site cannot put a chat message, a session code or a password in the logs. The event name
 * itself must be a constant identifier (`relay.started`), never built from data.
 *
 * One exception, so that operators can see why something failed: `errorCode` (also
 * `error_code`) holds an error's stable code (`store-disk-full`, `listen-failed`, `EADDRINUSE`),
 * and is kept only when its value has that shape — a word, never a run of digits such as a
 * 9-digit session code. `errorFields(error)` builds it, with the error's name; never the message,
 * which may quote the input that caused it.
 */
import { systemClock } from '../../src-shared/clock.ts';
import type { Clock } from '../../src-shared/clock.ts';
import type { Logger } from './contracts.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | null>>;

const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Words in a field name that mean its value may be personal content or a credential. */
const FORBIDDEN_WORDS: ReadonlySet<string> = new Set([
  'text',
  'message',
  'msg',
  'body',
  'content',
  'description',
  'code',
  'passcode',
  'password',
  'passwd',
  'pwd',
  'token',
  'secret',
  'cookie',
  'cookies',
  'ticket',
  'authorization',
  'credential',
  'credentials',
  'key',
  'pan',
]);
/** Also caught inside a run-together name such as `authtoken` or `sessioncode`. */
const FORBIDDEN_FRAGMENTS = ['password', 'passwd', 'secret', 'token', 'cookie', 'ticket', 'code'];
/** What a stable error code looks like: identifier words (isErrorCodeValue also refuses 5+ digits in a row). */
const ERROR_CODE_PATTERN = /^[A-Za-z][A-Za-z0-9]*(?:[._-][A-Za-z0-9]+)*$/;
const MAX_ERROR_CODE = 64;
/** Keys the line itself uses. */
const RESERVED = new Set(['time', 'level', 'event']);
/** Ids and counts are short; a long string is probably something that should not be here. */
const MAX_STRING = 200;
const EVENT_PATTERN = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;

/** `sessionCode`, `session_code`, `Session-Code` → ['session', 'code']. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a field with this name must never be logged. */
export function isForbiddenField(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    words(name).some((w) => FORBIDDEN_WORDS.has(w)) ||
    FORBIDDEN_FRAGMENTS.some((f) => lower.includes(f))
  );
}

/** `errorCode`, `error_code`, `ErrorCode`: the one field named "code" that may be logged. */
export function isErrorCodeField(name: string): boolean {
  const parts = words(name);
  return parts.length === 2 && parts[0] === 'error' && parts[1] === 'code';
}

/** Whether `value` has the shape of a stable error code (and so cannot be a session code). */
export function isErrorCodeValue(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= MAX_ERROR_CODE &&
    ERROR_CODE_PATTERN.test(value) &&
    !/\d{5}/.test(value)
  );
}

/**
 * What may be logged about a failure: the error's class name and, when it has one, its stable
 * code (a PrintoError's, or Node's `EADDRINUSE`…). Never its message: it may quote input.
 */
export function errorFields(error: unknown): { errorName: string; errorCode?: string } {
  const errorName = error instanceof Error ? error.name : typeof error;
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return isErrorCodeValue(code) ? { errorName, errorCode: code } : { errorName };
}

export interface LoggerOptions {
  /** Where lines go (default: standard error). */
  readonly write?: (line: string) => void;
  readonly level?: LogLevel;
  /** Stamps each line; default: the system clock. */
  readonly clock?: Clock;
}

export interface JsonLogger extends Logger {
  debug(event: string, fields?: LogFields): void;
}

export function createLogger(options: LoggerOptions = {}): JsonLogger {
  const write =
    options.write ??
    ((line: string) => {
      process.stderr.write(line);
    });
  const threshold = LEVELS[options.level ?? 'info'];
  const clock = options.clock ?? systemClock;

  const log = (level: LogLevel, event: string, fields: LogFields | undefined): void => {
    if (LEVELS[level] < threshold) return;
    const line: Record<string, string | number | boolean | null> = {
      time: new Date(clock.now()).toISOString(),
      level,
      event: EVENT_PATTERN.test(event) ? event : 'invalid-event-name',
    };
    const dropped: string[] = [];
    for (const [name, value] of Object.entries(fields ?? {})) {
      const refused = isErrorCodeField(name)
        ? !isErrorCodeValue(value)
        : RESERVED.has(name) || isForbiddenField(name);
      if (refused) {
        dropped.push(name);
        continue;
      }
      if (typeof value === 'string' && value.length > MAX_STRING) {
        line[name] = `${value.slice(0, MAX_STRING)}…`;
      } else if (typeof value === 'number' && !Number.isFinite(value)) {
        line[name] = String(value);
      } else {
        line[name] = value;
      }
    }
    // Say that something was dropped (names only) so that the call site gets fixed.
    if (dropped.length > 0) line['droppedFields'] = dropped.join(',');
    write(`${JSON.stringify(line)}\n`);
  };

  return {
    debug: (event, fields) => {
      log('debug', event, fields);
    },
    info: (event, fields) => {
      log('info', event, fields);
    },
    warn: (event, fields) => {
      log('warn', event, fields);
    },
    error: (event, fields) => {
      log('error', event, fields);
    },
  };
}

/** A logger that writes nothing (tests, library use). */
export const silentLogger: JsonLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * The transcript store's worker thread: it owns the SQLite file, so a slow query or a vacuum never
 * blocks the main process's event loop (Signal Desktop's ts/sql/mainWorker.ts). Each request is
 * parsed with its method's schema (protocol.ts) before it reaches the database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { isPrintoError } from '../../src-shared/errors.ts';
import { TranscriptDatabase } from './database.ts';
import { METHODS, RequestSchema, WorkerInitSchema } from './protocol.ts';
import type { Args, Method, Response, Result } from './protocol.ts';

type ErrorPayload = Extract<Response, { ok: false }>['error'];

function errorPayload(error: unknown): ErrorPayload {
  if (isPrintoError(error)) {
    return error.hint === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, hint: error.hint };
  }
  return {
    code: 'transcripts-failed',
    message: `The local transcript store failed: ${error instanceof Error ? error.message : String(error)}`,
  };
}

function invalid(message: string): ErrorPayload {
  return {
    code: 'transcripts-invalid-request',
    message,
    hint: 'This is a bug in the caller of the transcript store; the store was not changed.',
  };
}

function isMethod(name: string): name is Method {
  return Object.hasOwn(METHODS, name);
}

type Handlers = { [M in Method]: (...args: Args<M>) => Result<M> };

function handlers(db: TranscriptDatabase): Handlers {
  return {
    startSession: (start) => (db.startSession(start), null),
    record: (sessionId, entry) => (db.record(sessionId, entry), null),
    endSession: (sessionId, end) => (db.endSession(sessionId, end), null),
    correctMessage: (sessionId, messageId, text, at) => (
      db.correctMessage(sessionId, messageId, text, at),
      null
    ),
    addReport: (input) => (db.addReport(input), null),
    listSessions: () => db.listSessions(),
    viewSession: (sessionId) => db.viewSession(sessionId),
    listReports: () => db.listReports(),
    viewReport: (reportId) => db.viewReport(reportId),
    exportData: (now, ref) => db.exportData(now, ref),
    setFlags: (ref, flags) => (db.setFlags(ref, flags), null),
    erase: (ref) => (db.erase(ref), null),
    eraseAll: () => db.eraseAll(),
    purge: (now) => db.purge(now),
  };
}

/** The method run with its parsed arguments, or a refusal that says which argument is wrong. */
function call(table: Handlers, method: Method, rawArgs: unknown): Outcome {
  const parsed = METHODS[method].args.safeParse(rawArgs);
  if (!parsed.success) {
    return {
      ok: false,
      error: invalid(
        `The transcript store refused a malformed ${method} request: ${z.prettifyError(parsed.error)}`,
      ),
    };
  }
  // The schema of `method` parsed the arguments, so they fit its handler.
  const handler = table[method] as (...args: unknown[]) => unknown;
  return { ok: true, result: handler(...(parsed.data as unknown[])) };
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: ErrorPayload };

function main(): void {
  const port = parentPort;
  if (port === null) throw new Error('worker.ts runs only as the transcript store worker');
  let db: TranscriptDatabase;
  const init = WorkerInitSchema.safeParse(workerData);
  if (!init.success) {
    port.postMessage({
      ready: true,
      ok: false,
      error: invalid(`The transcript store cannot open: ${z.prettifyError(init.error)}`),
    });
    return;
  }
  try {
    db = new TranscriptDatabase(init.data.path, init.data.masterKey, init.data.retention);
    init.data.masterKey.fill(0);
  } catch (error) {
    port.postMessage({ ready: true, ok: false, error: errorPayload(error) });
    return;
  }
  port.postMessage({ ready: true, ok: true });
  const table = handlers(db);
  port.on('message', (message: unknown) => {
    if (message === 'close') {
      db.close();
      port.close();
      return;
    }
    const request = RequestSchema.safeParse(message);
    if (!request.success) {
      const id = z.object({ id: z.number().int() }).safeParse(message);
      port.postMessage({
        id: id.success ? id.data.id : -1,
        ok: false,
        error: invalid(
          `The transcript store refused a malformed request: ${z.prettifyError(request.error)}`,
        ),
      } satisfies Response);
      return;
    }
    const { id, method, args } = request.data;
    let response: Response;
    if (!isMethod(method)) {
      response = {
        id,
        ok: false,
        error: invalid(`The transcript store has no method “${method}”.`),
      };
    } else {
      try {
        response = { id, ...call(table, method, args) };
      } catch (error) {
        response = { id, ok: false, error: errorPayload(error) };
      }
    }
    port.postMessage(response);
  });
}

main();

/**
 * The local transcript store, as the rest of the client uses it: one typed, Promise-based
 * interface whose work runs in a worker thread (worker.ts) on a `node:sqlite` file. Every result
 * is parsed with its schema on arrival (protocol.ts). What is kept and the user's rights:
 * docs/privacy.md, "The desktop client's copy".
 */
import { systemClock } from '../../src-shared/clock.ts';
import type { Clock } from '../../src-shared/clock.ts';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PrintoError } from '../../src-shared/errors.ts';
import type {
  PurgeResult,
  RecordFlagsPatch,
  RecordRef,
  StoredReportInput,
  StoredReportSummary,
  StoredReportView,
  TranscriptEnd,
  TranscriptEntry,
  TranscriptExport,
  TranscriptSessionStart,
  TranscriptSummary,
  TranscriptView,
} from '../../src-shared/model/transcript.ts';
import type { TranscriptRetention } from './database.ts';
import { METHODS, ReadySchema, ResponseSchema } from './protocol.ts';
import type { Args, Method, Result, WorkerInit } from './protocol.ts';

export type { TranscriptRetention } from './database.ts';

export interface TranscriptStoreOptions {
  /** The SQLite file (created on first use). */
  readonly path: string;
  /** 32 bytes: `loadOrCreateTranscriptMasterKey` in src-main/secrets. Copied, never kept here. */
  readonly masterKey: Uint8Array;
  /** Periods from configuration; each missing one has its default (src-shared/privacy/retention.ts). */
  readonly retention?: TranscriptRetention;
  /** The clock for purges and exports (only its time is read); tests inject a manual one. */
  readonly clock?: Clock;
}

export interface TranscriptStore {
  startSession(start: TranscriptSessionStart): Promise<void>;
  record(sessionId: string, entry: TranscriptEntry): Promise<void>;
  endSession(sessionId: string, end: TranscriptEnd): Promise<void>;
  addReport(input: StoredReportInput): Promise<void>;
  /** Access. */
  listSessions(): Promise<TranscriptSummary[]>;
  viewSession(sessionId: string): Promise<TranscriptView>;
  listReports(): Promise<StoredReportSummary[]>;
  viewReport(reportId: string): Promise<StoredReportView>;
  /** Portability (`printo-help-export/v1`): one record, or everything when `ref` is absent. */
  exportData(ref?: RecordRef): Promise<TranscriptExport>;
  /** Restriction and objection: flags every view returns; the store keeps the record. */
  setFlags(ref: RecordRef, flags: RecordFlagsPatch): Promise<void>;
  /** Rectification of one's own message: a correction is appended, the original stays. */
  correctMessage(sessionId: string, messageId: string, text: string, at: string): Promise<void>;
  /** Erasure (crypto-shredding). */
  erase(ref: RecordRef): Promise<void>;
  eraseAll(): Promise<PurgeResult>;
  /** Deletes what is past its period now, each category by its own period. */
  purge(): Promise<PurgeResult>;
  close(): Promise<void>;
}

/** The SHA-256 of a consent notice as shown, hex: what a consent entry's `notice.digest` holds. */
export function noticeDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function closedError(): PrintoError {
  return new PrintoError('transcripts-closed', 'The local transcript store is closed.', {
    hint: 'Open it again; this is a bug in the caller.',
  });
}

/** Opens (creating or upgrading) the store; rejects with its stable code when it cannot. */
export async function openTranscriptStore(
  options: TranscriptStoreOptions,
): Promise<TranscriptStore> {
  // The user's data folder may not exist yet on first use; only this user may enter it.
  await mkdir(dirname(options.path), { recursive: true, mode: 0o700 });
  const init: WorkerInit = {
    path: options.path,
    masterKey: Uint8Array.from(options.masterKey),
    retention: options.retention ?? {},
  };
  const worker = new Worker(new URL('./worker.ts', import.meta.url), {
    workerData: init,
    transferList: [init.masterKey.buffer],
  });
  const client = new WorkerClient(worker, options.clock ?? systemClock);
  await client.ready;
  return client;
}

/** The typed client: one request at a time per id, answers matched by id. */
export class WorkerClient implements TranscriptStore {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly clock: Clock;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: unknown) => void }
  >();
  private nextId = 1;
  private closed = false;

  constructor(worker: Worker, clock: Clock) {
    this.worker = worker;
    this.clock = clock;
    this.ready = new Promise((resolve, reject) => {
      const onFirst = (message: unknown): void => {
        const ready = ReadySchema.safeParse(message);
        if (ready.success && ready.data.ok) {
          this.worker.on('message', (next: unknown) => {
            this.onMessage(next);
          });
          resolve();
          return;
        }
        this.closed = true;
        void this.worker.terminate();
        if (ready.success && !ready.data.ok) {
          const { code, message: text, hint } = ready.data.error;
          reject(new PrintoError(code, text, hint === undefined ? undefined : { hint }));
        } else {
          reject(
            new PrintoError('transcripts-failed', 'The transcript store worker did not start.'),
          );
        }
      };
      this.worker.once('message', onFirst);
      // A crash of the worker (out of memory, a bug) fails whatever was waiting, start-up included.
      this.worker.once('error', (error: Error) => {
        const failed = new PrintoError(
          'transcripts-failed',
          `The transcript store worker failed: ${error.message}`,
          {
            hint: 'Nothing after the last completed change was written; open the store again.',
            cause: error,
          },
        );
        this.failAll(failed);
        reject(failed);
      });
      this.worker.once('exit', () => {
        this.closed = true;
        this.failAll(closedError());
        reject(closedError());
      });
    });
  }

  private failAll(error: unknown): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }

  private onMessage(message: unknown): void {
    const response = ResponseSchema.safeParse(message);
    if (!response.success) return;
    const waiter = this.pending.get(response.data.id);
    if (waiter === undefined) return;
    this.pending.delete(response.data.id);
    if (response.data.ok) {
      waiter.resolve(response.data.result);
    } else {
      const { code, message: text, hint } = response.data.error;
      waiter.reject(new PrintoError(code, text, hint === undefined ? undefined : { hint }));
    }
  }

  /**
   * The untyped wire under the typed methods: sends `args` as they are, so the worker's own
   * parsing is what guards the database (tests use it to send malformed requests).
   */
  request(method: string, args: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(closedError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  private async call<M extends Method>(method: M, ...args: Args<M>): Promise<Result<M>> {
    const raw = await this.request(method, args);
    const parsed = METHODS[method].result.safeParse(raw);
    if (!parsed.success) {
      throw new PrintoError(
        'transcripts-failed',
        `The transcript store answered ${method} with a malformed result.`,
      );
    }
    return parsed.data as Result<M>;
  }

  async startSession(start: TranscriptSessionStart): Promise<void> {
    await this.call('startSession', start);
  }
  async record(sessionId: string, entry: TranscriptEntry): Promise<void> {
    await this.call('record', sessionId, entry);
  }
  async endSession(sessionId: string, end: TranscriptEnd): Promise<void> {
    await this.call('endSession', sessionId, end);
  }
  async addReport(input: StoredReportInput): Promise<void> {
    await this.call('addReport', input);
  }
  listSessions(): Promise<TranscriptSummary[]> {
    return this.call('listSessions');
  }
  viewSession(sessionId: string): Promise<TranscriptView> {
    return this.call('viewSession', sessionId);
  }
  listReports(): Promise<StoredReportSummary[]> {
    return this.call('listReports');
  }
  viewReport(reportId: string): Promise<StoredReportView> {
    return this.call('viewReport', reportId);
  }
  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  exportData(ref?: RecordRef): Promise<TranscriptExport> {
    return this.call('exportData', this.nowIso(), ref);
  }
  async setFlags(ref: RecordRef, flags: RecordFlagsPatch): Promise<void> {
    await this.call('setFlags', ref, flags);
  }
  async correctMessage(
    sessionId: string,
    messageId: string,
    text: string,
    at: string,
  ): Promise<void> {
    await this.call('correctMessage', sessionId, messageId, text, at);
  }
  async erase(ref: RecordRef): Promise<void> {
    await this.call('erase', ref);
  }
  eraseAll(): Promise<PurgeResult> {
    return this.call('eraseAll');
  }
  purge(): Promise<PurgeResult> {
    return this.call('purge', this.nowIso());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exited = new Promise<void>((resolve) =>
      this.worker.once('exit', () => {
        resolve();
      }),
    );
    this.worker.postMessage('close');
    await exited;
  }
}

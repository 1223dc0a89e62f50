/**
 * The local transcript store's implementation: synchronous `node:sqlite`, run only inside the
 * store's worker thread (worker.ts), never on the main process's event loop. Callers use the typed
 * client in store.ts.
 *
 * What it guarantees for every record, whoever writes it:
 * - card numbers are masked (src-shared/privacy/pan.ts) before anything is written;
 * - personal content is sealed with the record's own data key (crypto.ts), bound to its row;
 * - erasure and expiry delete the data key with the rows (crypto-shredding), then
 *   `secure_delete`, an incremental vacuum and a WAL checkpoint take the bytes out of the files.
 */
import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue } from 'node:sqlite';
import { z } from 'zod';
import { PrintoError } from '../../src-shared/errors.ts';
import { DiagnosticsReportSchema } from '../../src-shared/model/diagnostics.ts';
import {
  CorrectionSchema,
  EXPORT_FORMAT,
  TranscriptEndSchema,
  TranscriptEntrySchema,
} from '../../src-shared/model/transcript.ts';
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
import { redactCardNumbersDeep } from '../../src-shared/privacy/pan.ts';
import { expiresAt, expiryCutoff } from '../../src-shared/privacy/retention.ts';
import type { AnyPeriods } from '../../src-shared/privacy/retention.ts';
import { KEY_BYTES, masterKeyCheck, masterKeyMatches, newDataKey, seal, unseal } from './crypto.ts';
import { migrate, SCHEMA_VERSION, schemaVersion } from './migrations.ts';

/** The two periods the client keeps; each defaults as src-shared/privacy/retention.ts says. */
export interface TranscriptRetention {
  readonly chatTranscriptDays?: number | undefined;
  readonly diagnosticReportDays?: number | undefined;
}

/** Ids and tokens are never free text: they stay exact when card numbers are masked. */
const KEEP_EXACT: ReadonlySet<string> = new Set([
  'sessionId',
  'messageId',
  'requestId',
  'reportId',
  'id',
]);

const LABEL = 'printo-help/v1/transcripts';
const keyLabel = (owner: string): string => `${LABEL}/data-key/${owner}`;
const sessionOwner = (sessionId: string): string => `session:${sessionId}`;
const reportOwner = (reportId: string): string => `report:${reportId}`;

/** What a session's `details` column holds, sealed. */
const DetailsSchema = z.strictObject({
  description: z.string(),
  agent: z.strictObject({ id: z.string(), name: z.string() }).nullable(),
  endMessage: z.string().optional(),
});
type Details = z.infer<typeof DetailsSchema>;

/** What an entry's body holds, sealed: a record, or a correction to one's own message. */
const StoredEntrySchema = z.union([
  TranscriptEntrySchema,
  z
    .strictObject({ type: z.literal('correction'), messageId: z.string() })
    .extend(CorrectionSchema.shape),
]);
type StoredEntry = z.infer<typeof StoredEntrySchema>;

/** An entry as a view shows it: its place in the view says what it is. */
function omitType<T extends { type: string }>(entry: T): Omit<T, 'type'> {
  const rest: Partial<T> = { ...entry };
  delete rest.type;
  return rest as Omit<T, 'type'>;
}

function masked<T>(value: T): T {
  return redactCardNumbersDeep(value, KEEP_EXACT).value;
}

const str = (row: Record<string, unknown>, name: string): string => {
  const value = row[name];
  if (typeof value !== 'string') throw corrupt(`column ${name} is not text`);
  return value;
};
const strOrNull = (row: Record<string, unknown>, name: string): string | null =>
  row[name] === null ? null : str(row, name);
const bytes = (row: Record<string, unknown>, name: string): Uint8Array => {
  const value = row[name];
  if (!(value instanceof Uint8Array)) throw corrupt(`column ${name} is not a blob`);
  return value;
};
const flag = (row: Record<string, unknown>, name: string): boolean => row[name] === 1;

function corrupt(what: string): PrintoError {
  return new PrintoError(
    'transcripts-decrypt-failed',
    `The local transcripts are damaged: ${what}.`,
    {
      hint: 'Erase the affected record, or all local transcripts, to start afresh.',
    },
  );
}

function notFound(ref: RecordRef): PrintoError {
  return ref.type === 'session'
    ? new PrintoError('transcripts-not-found', `No local transcript of session ${ref.sessionId}.`, {
        hint: 'It may have been erased or have expired; list the sessions to see what is kept.',
      })
    : new PrintoError('transcripts-not-found', `No stored diagnostic report ${ref.reportId}.`, {
        hint: 'It may have been erased or have expired; list the reports to see what is kept.',
      });
}

export class TranscriptDatabase {
  private readonly db: DatabaseSync;
  private readonly masterKey: Buffer;
  private readonly retention: AnyPeriods;

  constructor(path: string, masterKey: Uint8Array, retention: TranscriptRetention) {
    if (masterKey.length !== KEY_BYTES) {
      throw new PrintoError(
        'transcripts-invalid-request',
        `The transcript master key must be ${KEY_BYTES} bytes, not ${masterKey.length}.`,
      );
    }
    this.masterKey = Buffer.from(masterKey);
    const periods: { chatTranscriptDays?: number; diagnosticReportDays?: number } = {};
    if (retention.chatTranscriptDays !== undefined) {
      periods.chatTranscriptDays = retention.chatTranscriptDays;
    }
    if (retention.diagnosticReportDays !== undefined) {
      periods.diagnosticReportDays = retention.diagnosticReportDays;
    }
    this.retention = periods;
    this.db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
    try {
      this.db.exec('PRAGMA busy_timeout = 5000');
      // Deleted content is overwritten with zeros, not left in free pages.
      this.db.exec('PRAGMA secure_delete = ON');
      // Only possible before the first table: free pages can then be given back to the file system.
      if (schemaVersion(this.db) === 0) this.db.exec('PRAGMA auto_vacuum = INCREMENTAL');
      // The key is checked before an upgrade too, so that a wrong key leaves the file as it was.
      const version = schemaVersion(this.db);
      if (version >= 1 && version <= SCHEMA_VERSION) this.checkMasterKey();
      this.db.exec('PRAGMA journal_mode = WAL');
      migrate(this.db);
      this.checkMasterKey();
    } catch (error) {
      this.db.close();
      this.masterKey.fill(0);
      throw error;
    }
  }

  private checkMasterKey(): void {
    const row = this.db.prepare("SELECT value FROM meta WHERE name = 'master_key_check'").get();
    if (row === undefined) {
      this.db
        .prepare("INSERT INTO meta (name, value) VALUES ('master_key_check', ?)")
        .run(masterKeyCheck(this.masterKey));
      return;
    }
    if (!masterKeyMatches(this.masterKey, bytes(row, 'value'))) {
      throw new PrintoError(
        'transcripts-wrong-master-key',
        'The local transcripts were encrypted with another master key than the one in the OS keyring.',
        {
          hint: 'Nothing was changed. Restore the keyring item “transcript-master-key” (service com.printogens.help), or erase the local transcripts to start afresh.',
        },
      );
    }
  }

  // --- data keys ---------------------------------------------------------------------------

  private findKey(owner: string): Buffer | null {
    const row = this.db.prepare('SELECT wrapped FROM data_keys WHERE owner = ?').get(owner);
    if (row === undefined) return null;
    const key = unseal(this.masterKey, bytes(row, 'wrapped'), keyLabel(owner));
    if (key.length !== KEY_BYTES) throw corrupt(`the data key of ${owner} has the wrong length`);
    return key;
  }

  private key(owner: string): Buffer {
    const key = this.findKey(owner);
    if (key === null) throw corrupt(`the data key of ${owner} is missing`);
    return key;
  }

  private createKey(owner: string): Buffer {
    const key = newDataKey();
    this.db
      .prepare('INSERT INTO data_keys (owner, wrapped) VALUES (?, ?)')
      .run(owner, seal(this.masterKey, key, keyLabel(owner)));
    return key;
  }

  private transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  // --- writing -----------------------------------------------------------------------------

  startSession(start: TranscriptSessionStart): void {
    const clean = masked(start);
    this.transaction(() => {
      const exists = this.db
        .prepare('SELECT 1 FROM sessions WHERE session_id = ?')
        .get(clean.sessionId);
      if (exists !== undefined) {
        throw new PrintoError(
          'transcripts-duplicate',
          `Session ${clean.sessionId} is already in the local transcripts.`,
        );
      }
      const key = this.createKey(sessionOwner(clean.sessionId));
      const details: Details = { description: clean.description, agent: clean.agent ?? null };
      this.db
        .prepare(
          'INSERT INTO sessions (session_id, started_at, last_at, details) VALUES (?, ?, ?, ?)',
        )
        .run(
          clean.sessionId,
          clean.startedAt,
          clean.startedAt,
          this.sealDetails(key, clean.sessionId, details),
        );
    });
  }

  /**
   * Appends one entry. A chat message whose `seq` is already kept is ignored: after a resume the
   * relay replays what the client may have seen (docs/protocol.md), and the copy keeps it once.
   */
  record(sessionId: string, entry: TranscriptEntry): void {
    this.transaction(() => {
      this.requireSession(sessionId);
      if (entry.type === 'chat') {
        const kept = this.db
          .prepare("SELECT 1 FROM entries WHERE session_id = ? AND type = 'chat' AND seq = ?")
          .get(sessionId, entry.seq);
        if (kept !== undefined) return;
      }
      this.append(sessionId, masked(entry));
    });
  }

  endSession(sessionId: string, end: TranscriptEnd): void {
    const clean = masked(end);
    this.transaction(() => {
      this.requireSession(sessionId);
      const key = this.key(sessionOwner(sessionId));
      const details = this.details(key, sessionId);
      if (clean.message === undefined) delete details.endMessage;
      else details.endMessage = clean.message;
      this.db
        .prepare(
          'UPDATE sessions SET ended_at = ?, end_reason = ?, last_at = max(last_at, ?), details = ? WHERE session_id = ?',
        )
        .run(
          clean.endedAt,
          clean.reason,
          clean.endedAt,
          this.sealDetails(key, sessionId, details),
          sessionId,
        );
    });
  }

  /** Rectification: a correction appended to one of the user's own messages; the original stays. */
  correctMessage(sessionId: string, messageId: string, text: string, at: string): void {
    this.transaction(() => {
      this.requireSession(sessionId);
      const original = this.entries(sessionId).find(
        (entry) => entry.type === 'chat' && entry.messageId === messageId,
      );
      if (original?.type !== 'chat') {
        throw new PrintoError(
          'transcripts-not-found',
          `Session ${sessionId} has no message ${messageId} in the local transcript.`,
        );
      }
      if (original.from !== 'client') {
        throw new PrintoError(
          'transcripts-not-own-message',
          'Only your own messages can be corrected; this one was written by the agent or the relay.',
        );
      }
      this.append(sessionId, masked({ type: 'correction', messageId, at, text }));
    });
  }

  addReport(input: StoredReportInput): void {
    const clean = masked(input);
    this.transaction(() => {
      const owner = reportOwner(clean.reportId);
      if (
        this.db.prepare('SELECT 1 FROM reports WHERE report_id = ?').get(clean.reportId) !==
        undefined
      ) {
        throw new PrintoError(
          'transcripts-duplicate',
          `Report ${clean.reportId} is already stored.`,
        );
      }
      const key = this.createKey(owner);
      this.db
        .prepare('INSERT INTO reports (report_id, created_at, body) VALUES (?, ?, ?)')
        .run(
          clean.reportId,
          clean.createdAt,
          seal(key, JSON.stringify(clean.report), `${LABEL}/report/${clean.reportId}`),
        );
    });
  }

  private append(sessionId: string, entry: StoredEntry): void {
    const key = this.key(sessionOwner(sessionId));
    const next = this.db
      .prepare('SELECT coalesce(max(ord), -1) + 1 AS ord FROM entries WHERE session_id = ?')
      .get(sessionId);
    const ord = Number(next?.['ord'] ?? 0);
    const body = seal(
      key,
      JSON.stringify(entry),
      `${LABEL}/entry/${sessionId}/${ord}/${entry.type}`,
    );
    const seq = entry.type === 'chat' ? entry.seq : null;
    this.db
      .prepare('INSERT INTO entries (session_id, ord, type, seq, body) VALUES (?, ?, ?, ?, ?)')
      .run(sessionId, ord, entry.type, seq, body);
    this.db
      .prepare('UPDATE sessions SET last_at = max(last_at, ?) WHERE session_id = ?')
      .run(entry.at, sessionId);
  }

  private requireSession(sessionId: string): void {
    if (
      this.db.prepare('SELECT 1 FROM sessions WHERE session_id = ?').get(sessionId) === undefined
    ) {
      throw notFound({ type: 'session', sessionId });
    }
  }

  private sealDetails(key: Buffer, sessionId: string, details: Details): Uint8Array {
    return seal(key, JSON.stringify(details), `${LABEL}/session/${sessionId}/details`);
  }

  // --- reading -----------------------------------------------------------------------------

  private details(key: Buffer, sessionId: string): Details {
    const row = this.db.prepare('SELECT details FROM sessions WHERE session_id = ?').get(sessionId);
    if (row === undefined) throw notFound({ type: 'session', sessionId });
    const text = unseal(key, bytes(row, 'details'), `${LABEL}/session/${sessionId}/details`);
    return DetailsSchema.parse(JSON.parse(text.toString('utf8')));
  }

  private entries(sessionId: string): StoredEntry[] {
    const key = this.key(sessionOwner(sessionId));
    return this.db
      .prepare('SELECT ord, type, body FROM entries WHERE session_id = ? ORDER BY ord')
      .all(sessionId)
      .map((row) => {
        const aad = `${LABEL}/entry/${sessionId}/${String(row['ord'])}/${str(row, 'type')}`;
        return StoredEntrySchema.parse(
          JSON.parse(unseal(key, bytes(row, 'body'), aad).toString('utf8')),
        );
      });
  }

  private summary(row: Record<string, unknown>): TranscriptSummary {
    const endedAt = strOrNull(row, 'ended_at');
    const from = endedAt ?? str(row, 'last_at');
    return {
      sessionId: str(row, 'session_id'),
      startedAt: str(row, 'started_at'),
      end:
        endedAt === null
          ? null
          : TranscriptEndSchema.parse({ endedAt, reason: str(row, 'end_reason') }),
      expiresAt: expiresAt('chatTranscript', from, this.retention).toISOString(),
      flags: { restricted: flag(row, 'restricted'), objected: flag(row, 'objected') },
    };
  }

  listSessions(): TranscriptSummary[] {
    return this.db
      .prepare('SELECT * FROM sessions ORDER BY started_at DESC, session_id')
      .all()
      .map((row) => this.summary(row));
  }

  viewSession(sessionId: string): TranscriptView {
    const row = this.db.prepare('SELECT * FROM sessions WHERE session_id = ?').get(sessionId);
    if (row === undefined) throw notFound({ type: 'session', sessionId });
    const summary = this.summary(row);
    const details = this.details(this.key(sessionOwner(sessionId)), sessionId);
    if (summary.end !== null && details.endMessage !== undefined) {
      summary.end.message = details.endMessage;
    }
    const view: TranscriptView = {
      ...summary,
      description: details.description,
      agent: details.agent,
      chat: [],
      consent: [],
      dataShared: [],
      actions: [],
    };
    const corrections = new Map<string, { at: string; text: string }[]>();
    for (const entry of this.entries(sessionId)) {
      switch (entry.type) {
        case 'chat': {
          view.chat.push({ ...omitType(entry), corrected: false, corrections: [] });
          break;
        }
        case 'correction': {
          const list = corrections.get(entry.messageId) ?? [];
          list.push({ at: entry.at, text: entry.text });
          corrections.set(entry.messageId, list);
          break;
        }
        case 'consent': {
          view.consent.push(omitType(entry));
          // The agent joins after the session began: the receipt of their request names them.
          if (view.agent === null && entry.agent !== undefined) view.agent = entry.agent;
          break;
        }
        case 'data': {
          view.dataShared.push(omitType(entry));
          break;
        }
        case 'action.proposed':
          view.actions.push({
            requestId: entry.requestId,
            proposedAt: entry.at,
            action: entry.action,
            answers: [],
          });
          break;
        case 'action.answer':
          view.actions
            .find((action) => action.requestId === entry.answer.requestId)
            ?.answers.push({ at: entry.at, answer: entry.answer });
          break;
      }
    }
    for (const message of view.chat) {
      const list = corrections.get(message.messageId);
      if (list !== undefined) {
        message.corrected = true;
        message.corrections = list;
      }
    }
    view.chat.sort((a, b) => a.seq - b.seq);
    return view;
  }

  private reportSummary(row: Record<string, unknown>): StoredReportSummary {
    const createdAt = str(row, 'created_at');
    return {
      reportId: str(row, 'report_id'),
      createdAt,
      expiresAt: expiresAt('diagnosticReport', createdAt, this.retention).toISOString(),
      flags: { restricted: flag(row, 'restricted'), objected: flag(row, 'objected') },
    };
  }

  listReports(): StoredReportSummary[] {
    return this.db
      .prepare(
        'SELECT report_id, created_at, restricted, objected FROM reports ORDER BY created_at DESC, report_id',
      )
      .all()
      .map((row) => this.reportSummary(row));
  }

  viewReport(reportId: string): StoredReportView {
    const row = this.db.prepare('SELECT * FROM reports WHERE report_id = ?').get(reportId);
    if (row === undefined) throw notFound({ type: 'report', reportId });
    const key = this.key(reportOwner(reportId));
    const text = unseal(key, bytes(row, 'body'), `${LABEL}/report/${reportId}`).toString('utf8');
    return { ...this.reportSummary(row), report: DiagnosticsReportSchema.parse(JSON.parse(text)) };
  }

  /** Portability: one record, or everything when `ref` is absent. */
  exportData(now: string, ref?: RecordRef): TranscriptExport {
    const sessions =
      ref === undefined
        ? this.listSessions().map((s) => this.viewSession(s.sessionId))
        : ref.type === 'session'
          ? [this.viewSession(ref.sessionId)]
          : [];
    const diagnosticReports =
      ref === undefined
        ? this.listReports().map((r) => this.viewReport(r.reportId))
        : ref.type === 'report'
          ? [this.viewReport(ref.reportId)]
          : [];
    return { format: EXPORT_FORMAT, exportedAt: now, sessions, diagnosticReports };
  }

  // --- rights and retention ----------------------------------------------------------------

  setFlags(ref: RecordRef, flags: RecordFlagsPatch): void {
    const [table, column, value] =
      ref.type === 'session'
        ? ['sessions', 'session_id', ref.sessionId]
        : ['reports', 'report_id', ref.reportId];
    const sets: string[] = [];
    const args: SQLInputValue[] = [];
    if (flags.restricted !== undefined) {
      sets.push('restricted = ?');
      args.push(flags.restricted ? 1 : 0);
    }
    if (flags.objected !== undefined) {
      sets.push('objected = ?');
      args.push(flags.objected ? 1 : 0);
    }
    if (this.db.prepare(`SELECT 1 FROM ${table} WHERE ${column} = ?`).get(value) === undefined) {
      throw notFound(ref);
    }
    if (sets.length === 0) return;
    this.db
      .prepare(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${column} = ?`)
      .run(...args, value);
  }

  /** Erasure: the record's data key and rows go together, then the bytes leave the files. */
  erase(ref: RecordRef): void {
    this.transaction(() => {
      if (ref.type === 'session') {
        this.requireSession(ref.sessionId);
        this.shredSession(ref.sessionId);
      } else {
        if (
          this.db.prepare('SELECT 1 FROM reports WHERE report_id = ?').get(ref.reportId) ===
          undefined
        ) {
          throw notFound(ref);
        }
        this.shredReport(ref.reportId);
      }
    });
    this.reclaim();
  }

  eraseAll(): PurgeResult {
    const result = this.transaction(() => {
      const sessions = this.db.prepare('SELECT session_id FROM sessions').all();
      for (const row of sessions) this.shredSession(str(row, 'session_id'));
      const reports = this.db.prepare('SELECT report_id FROM reports').all();
      for (const row of reports) this.shredReport(str(row, 'report_id'));
      return { sessions: sessions.length, reports: reports.length };
    });
    this.reclaim();
    return result;
  }

  /** Deletes what is past its period at `now`, each category by its own period. */
  purge(now: string): PurgeResult {
    const sessionCutoff = expiryCutoff('chatTranscript', now, this.retention).toISOString();
    const reportCutoff = expiryCutoff('diagnosticReport', now, this.retention).toISOString();
    // Times are compared as instants, not as strings: offsets other than Z would sort wrongly.
    const result = this.transaction(() => {
      const sessions = this.db
        .prepare('SELECT session_id, coalesce(ended_at, last_at) AS t FROM sessions')
        .all()
        .filter((row) => Date.parse(str(row, 't')) <= Date.parse(sessionCutoff));
      for (const row of sessions) this.shredSession(str(row, 'session_id'));
      const reports = this.db
        .prepare('SELECT report_id, created_at FROM reports')
        .all()
        .filter((row) => Date.parse(str(row, 'created_at')) <= Date.parse(reportCutoff));
      for (const row of reports) this.shredReport(str(row, 'report_id'));
      return { sessions: sessions.length, reports: reports.length };
    });
    if (result.sessions + result.reports > 0) this.reclaim();
    return result;
  }

  private shredSession(sessionId: string): void {
    this.db.prepare('DELETE FROM data_keys WHERE owner = ?').run(sessionOwner(sessionId));
    this.db.prepare('DELETE FROM entries WHERE session_id = ?').run(sessionId);
    this.db.prepare('DELETE FROM sessions WHERE session_id = ?').run(sessionId);
  }

  private shredReport(reportId: string): void {
    this.db.prepare('DELETE FROM data_keys WHERE owner = ?').run(reportOwner(reportId));
    this.db.prepare('DELETE FROM reports WHERE report_id = ?').run(reportId);
  }

  /** Freed pages back to the file system and the WAL folded in and emptied. */
  private reclaim(): void {
    this.db.exec('PRAGMA incremental_vacuum');
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
    this.masterKey.fill(0);
  }
}

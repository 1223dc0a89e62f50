import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPrintoError } from '../../../src-shared/errors.ts';
import type { DiagnosticsReport } from '../../../src-shared/model/diagnostics.ts';
import { ExportSchema } from '../../../src-shared/model/transcript.ts';
import {
  migrate,
  SCHEMA_VERSION,
  schemaVersion,
} from '../../../src-main/transcripts/migrations.ts';
import { noticeDigest, openTranscriptStore } from '../../../src-main/transcripts/index.ts';
import type { TranscriptStore } from '../../../src-main/transcripts/index.ts';
import { WorkerClient } from '../../../src-main/transcripts/store.ts';
import { ManualClock } from '../manual-clock.ts';

const CARD = '4111 1111 1111 1111';
const SECRET_TEXT = 'zebra-marmalade-ostrich-7731';
const NOTICE = 'The relay keeps this chat for 90 days.';

let dir: string;
let path: string;
let masterKey: Buffer;
let clock: ManualClock;
const nowIso = (): string => new Date(clock.now()).toISOString();
const open: TranscriptStore[] = [];

async function openStore(key: Uint8Array = masterKey, retention = {}): Promise<TranscriptStore> {
  const store = await openTranscriptStore({ path, masterKey: key, retention, clock });
  open.push(store);
  return store;
}

/** The database file and its WAL, as bytes. */
function fileBytes(): Buffer {
  const parts = [path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p));
  return Buffer.concat(parts);
}

function report(id = randomUUID()): DiagnosticsReport {
  return {
    schema: 'diagnostics-report/v1',
    id,
    startedAt: '2026-01-10T10:00:00.000Z',
    finishedAt: '2026-01-10T10:00:01.000Z',
    durationMs: 1000,
    host: {
      name: 'desk-42',
      os: { platform: 'linux', release: '6.1', arch: 'x64' },
      printService: { kind: 'cups', endpoint: '/run/cups/cups.sock' },
    },
    app: { name: 'printo-help', version: '0.1.0' },
    options: { checkTimeoutMs: 1000, deadlineMs: 5000, printers: null },
    verdict: 'pass',
    printers: [{ name: 'Office', verdict: 'pass', summary: `Ready ${SECRET_TEXT}` }],
    results: [],
  };
}

/** A whole session: start, consent, chat, data shared, an action, end. */
async function fillSession(store: TranscriptStore, sessionId = randomUUID()) {
  const mine = randomUUID();
  await store.startSession({
    sessionId,
    startedAt: '2026-01-10T10:00:00.000Z',
    description: 'The office printer jams',
    agent: { id: 'a1', name: 'Sam' },
  });
  await store.record(sessionId, {
    type: 'consent',
    at: '2026-01-10T10:00:05.000Z',
    decision: 'granted',
    scopes: ['chat', 'printers.read'],
    notice: { text: NOTICE, retentionDays: 90, digest: noticeDigest(NOTICE) },
  });
  // Recorded out of order: the view follows the relay's seq.
  await store.record(sessionId, {
    type: 'chat',
    seq: 4,
    messageId: randomUUID(),
    from: 'agent',
    name: 'Sam',
    text: 'Thanks, looking now',
    at: '2026-01-10T10:01:05.000Z',
    redacted: false,
  });
  await store.record(sessionId, {
    type: 'chat',
    seq: 3,
    messageId: mine,
    from: 'client',
    name: 'Ada',
    text: `My card is ${CARD} and the word is ${SECRET_TEXT}`,
    at: '2026-01-10T10:01:00.000Z',
    redacted: false,
  });
  await store.record(sessionId, {
    type: 'data',
    at: '2026-01-10T10:02:00.000Z',
    requestId: randomUUID(),
    kind: 'printers',
    printers: ['Office'],
    sent: { requestId: randomUUID(), error: 'nothing to share' },
  });
  const requestId = randomUUID();
  await store.record(sessionId, {
    type: 'action.proposed',
    at: '2026-01-10T10:03:00.000Z',
    requestId,
    action: { id: 'resume-queue', printer: 'Office' },
  });
  await store.record(sessionId, {
    type: 'action.answer',
    at: '2026-01-10T10:03:10.000Z',
    answer: { requestId, outcome: 'approved' },
  });
  await store.record(sessionId, {
    type: 'action.answer',
    at: '2026-01-10T10:03:11.000Z',
    answer: { requestId, outcome: 'done', message: 'Resumed' },
  });
  await store.endSession(sessionId, {
    endedAt: '2026-01-10T10:05:00.000Z',
    reason: 'ended-by-agent',
    message: 'Fixed',
  });
  return { sessionId, mine, requestId };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'printo-transcripts-'));
  path = join(dir, 'transcripts.sqlite');
  masterKey = randomBytes(32);
  clock = new ManualClock(Date.parse('2026-01-10T12:00:00.000Z'));
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isPrintoError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('the local transcript store', () => {
  it('keeps a whole session and gives it back in the relay order, across a reopen', async () => {
    const store = await openStore();
    const { sessionId, mine, requestId } = await fillSession(store);
    await store.close();
    const again = await openStore();
    // A resume replays chat the client may have seen: kept once.
    await again.record(sessionId, {
      type: 'chat',
      seq: 4,
      messageId: randomUUID(),
      from: 'agent',
      name: 'Sam',
      text: 'Thanks, looking now',
      at: '2026-01-10T10:01:05.000Z',
      redacted: false,
    });
    const view = await again.viewSession(sessionId);
    expect(view.description).toBe('The office printer jams');
    expect(view.agent).toEqual({ id: 'a1', name: 'Sam' });
    expect(view.chat.map((m) => m.seq)).toEqual([3, 4]);
    expect(view.chat[0]?.messageId).toBe(mine);
    expect(view.chat[0]?.text).toBe(`My card is 411111******1111 and the word is ${SECRET_TEXT}`);
    expect(view.consent[0]?.scopes).toEqual(['chat', 'printers.read']);
    expect(view.consent[0]?.notice?.digest).toBe(noticeDigest(NOTICE));
    expect(view.dataShared[0]?.sent.error).toBe('nothing to share');
    expect(view.actions).toEqual([
      {
        requestId,
        proposedAt: '2026-01-10T10:03:00.000Z',
        action: { id: 'resume-queue', printer: 'Office' },
        answers: [
          { at: '2026-01-10T10:03:10.000Z', answer: { requestId, outcome: 'approved' } },
          {
            at: '2026-01-10T10:03:11.000Z',
            answer: { requestId, outcome: 'done', message: 'Resumed' },
          },
        ],
      },
    ]);
    expect(view.end).toEqual({
      endedAt: '2026-01-10T10:05:00.000Z',
      reason: 'ended-by-agent',
      message: 'Fixed',
    });
    expect(view.flags).toEqual({ restricted: false, objected: false });
    expect(await again.listSessions()).toHaveLength(1);
  });

  it('never writes a card number or the chat text in clear to the file', async () => {
    const store = await openStore();
    await fillSession(store);
    await store.addReport({
      reportId: randomUUID(),
      createdAt: nowIso(),
      report: report(),
    });
    await store.close();
    const bytes = fileBytes();
    expect(bytes.includes('4111111111111111')).toBe(false);
    expect(bytes.includes(CARD)).toBe(false);
    expect(bytes.includes(SECRET_TEXT)).toBe(false);
    expect(bytes.includes('office printer jams')).toBe(false);
  });

  it('erasure leaves neither the sealed text nor its key in the file', async () => {
    const store = await openStore();
    const { sessionId } = await fillSession(store);
    const kept = await fillSession(store);
    await store.close();
    // The ciphertext and the wrapped key as stored: after erasure neither may remain anywhere.
    const db = new DatabaseSync(path);
    const sealed = db
      .prepare('SELECT body FROM entries WHERE session_id = ?')
      .all(sessionId)
      .map((row) => Buffer.from(row['body'] as Uint8Array));
    const wrapped = db
      .prepare('SELECT wrapped FROM data_keys WHERE owner = ?')
      .get(`session:${sessionId}`)?.['wrapped'] as Uint8Array;
    db.close();
    expect(fileBytes().includes(Buffer.from(wrapped))).toBe(true);

    const again = await openStore();
    await again.erase({ type: 'session', sessionId });
    const bytes = fileBytes();
    expect(bytes.includes(Buffer.from(wrapped))).toBe(false);
    for (const body of sealed) expect(bytes.includes(body.subarray(13, 45))).toBe(false);
    expect(bytes.includes(sessionId)).toBe(false);
    expect(bytes.includes(SECRET_TEXT)).toBe(false);
    expect(await codeOf(again.viewSession(sessionId))).toBe('transcripts-not-found');
    expect((await again.viewSession(kept.sessionId)).chat).toHaveLength(2);
    expect(await again.eraseAll()).toEqual({ sessions: 1, reports: 0 });
    expect(await again.listSessions()).toEqual([]);
  });

  it('purges each category by its own period on the injected clock', async () => {
    const store = await openStore(masterKey, { chatTranscriptDays: 10 });
    const { sessionId } = await fillSession(store); // ended 2026-01-10T10:05Z
    const reportId = randomUUID();
    await store.addReport({ reportId, createdAt: '2026-01-12T00:00:00.000Z', report: report() });
    expect((await store.listSessions())[0]?.expiresAt).toBe('2026-01-20T10:05:00.000Z');
    expect((await store.listReports())[0]?.expiresAt).toBe('2026-02-11T00:00:00.000Z');

    clock.advanceTo(Date.parse('2026-01-20T10:04:59.999Z'));
    expect(await store.purge()).toEqual({ sessions: 0, reports: 0 });
    clock.advanceTo(Date.parse('2026-01-20T10:05:00.000Z'));
    expect(await store.purge()).toEqual({ sessions: 1, reports: 0 });
    expect(await codeOf(store.viewSession(sessionId))).toBe('transcripts-not-found');
    expect((await store.viewReport(reportId)).report.printers[0]?.name).toBe('Office');
    clock.advanceTo(Date.parse('2026-02-11T00:00:00.000Z'));
    expect(await store.purge()).toEqual({ sessions: 0, reports: 1 });
    expect(await store.listReports()).toEqual([]);
  });

  it('exports one session or everything in the printo-help-export/v1 format', async () => {
    const store = await openStore();
    const { sessionId } = await fillSession(store);
    await fillSession(store);
    await store.addReport({
      reportId: randomUUID(),
      createdAt: nowIso(),
      report: report(),
    });
    const all = ExportSchema.parse(JSON.parse(JSON.stringify(await store.exportData())));
    expect(all.format).toBe('printo-help-export/v1');
    expect(all.exportedAt).toBe(nowIso());
    expect(all.sessions).toHaveLength(2);
    expect(all.diagnosticReports).toHaveLength(1);
    const one = ExportSchema.parse(await store.exportData({ type: 'session', sessionId }));
    expect(one.sessions.map((s) => s.sessionId)).toEqual([sessionId]);
    expect(one.diagnosticReports).toEqual([]);
  });

  it('rectification appends a correction to one’s own message and keeps the original', async () => {
    const store = await openStore();
    const { sessionId, mine } = await fillSession(store);
    await store.correctMessage(sessionId, mine, 'I meant the second floor', nowIso());
    const view = await store.viewSession(sessionId);
    const message = view.chat.find((m) => m.messageId === mine);
    expect(message?.text).toContain(SECRET_TEXT);
    expect(message?.corrected).toBe(true);
    expect(message?.corrections).toEqual([{ at: nowIso(), text: 'I meant the second floor' }]);
    const agents = view.chat.find((m) => m.from === 'agent');
    expect(agents?.corrected).toBe(false);
    expect(
      await codeOf(store.correctMessage(sessionId, agents?.messageId ?? '', 'x', nowIso())),
    ).toBe('transcripts-not-own-message');
  });

  it('restriction and objection are flags every view returns', async () => {
    const store = await openStore();
    const { sessionId } = await fillSession(store);
    await store.setFlags({ type: 'session', sessionId }, { restricted: true });
    await store.setFlags({ type: 'session', sessionId }, { objected: true });
    expect((await store.viewSession(sessionId)).flags).toEqual({
      restricted: true,
      objected: true,
    });
    expect((await store.listSessions())[0]?.flags.restricted).toBe(true);
    await store.setFlags({ type: 'session', sessionId }, { restricted: false });
    expect((await store.viewSession(sessionId)).flags).toEqual({
      restricted: false,
      objected: true,
    });

    const reportId = randomUUID();
    await store.addReport({ reportId, createdAt: nowIso(), report: report() });
    await store.setFlags({ type: 'report', reportId }, { restricted: true });
    expect((await store.viewReport(reportId)).flags).toEqual({ restricted: true, objected: false });
    expect(
      await codeOf(store.setFlags({ type: 'report', reportId: 'gone' }, { objected: true })),
    ).toBe('transcripts-not-found');
    await store.erase({ type: 'report', reportId });
    expect(await store.listReports()).toEqual([]);
  });

  it('the worker refuses malformed requests with a clear error and stays usable', async () => {
    const store = await openStore();
    if (!(store instanceof WorkerClient)) throw new Error('expected the worker client');
    const client = store;
    const refused = client.request('record', ['s1', { type: 'chat', seq: -1 }]);
    await expect(refused).rejects.toMatchObject({
      code: 'transcripts-invalid-request',
      message: expect.stringContaining('malformed record request') as string,
    });
    await expect(client.request('dropTables', [])).rejects.toMatchObject({
      code: 'transcripts-invalid-request',
      message: expect.stringContaining('no method “dropTables”') as string,
    });
    expect(await store.listSessions()).toEqual([]);
  });

  it('a store opened with another master key fails with a stable code and is left alone', async () => {
    const store = await openStore();
    await fillSession(store);
    await store.close();
    expect(await codeOf(openStore(randomBytes(32)))).toBe('transcripts-wrong-master-key');
    expect(await (await openStore()).listSessions()).toHaveLength(1);
  });

  it('refuses a period out of bounds before it opens the file', async () => {
    expect(await codeOf(openStore(masterKey, { chatTranscriptDays: 0 }))).toBe(
      'transcripts-invalid-request',
    );
    expect(existsSync(path)).toBe(false);
  });

  it('upgrades a file of an earlier schema, but not with a wrong key', async () => {
    const db = new DatabaseSync(path);
    db.exec('PRAGMA auto_vacuum = INCREMENTAL');
    migrate(db, 1);
    db.close();
    // The first open with the right key writes the key check, at version 1 nothing else.
    const first = await openStore();
    await first.close();
    const back = new DatabaseSync(path);
    back.exec('DROP TABLE reports');
    back.exec('DROP INDEX IF EXISTS reports_by_time');
    back.exec('PRAGMA user_version = 1');
    back.close();

    expect(await codeOf(openStore(randomBytes(32)))).toBe('transcripts-wrong-master-key');
    const untouched = new DatabaseSync(path);
    expect(schemaVersion(untouched)).toBe(1);
    untouched.close();

    const store = await openStore();
    await store.addReport({
      reportId: randomUUID(),
      createdAt: nowIso(),
      report: report(),
    });
    expect(await store.listReports()).toHaveLength(1);
    await store.close();
    const upgraded = new DatabaseSync(path);
    expect(schemaVersion(upgraded)).toBe(SCHEMA_VERSION);
    upgraded.close();
  });

  it('refuses a file written by a newer version', async () => {
    await (await openStore()).close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(await codeOf(openStore())).toBe('transcripts-too-new');
  });
});

import { describe, expect, it } from 'vitest';
import { isPrintoError } from '../../../../src-shared/errors.ts';
import type { SqliteStore } from '../../../../src-relay/store/sqlite-store.ts';
import type { RetentionPeriods } from '../../../../src-relay/store/store.ts';
import {
  DAY,
  T0,
  at,
  diskBytes,
  newStore,
  openStore,
  seedSession,
  seedWorld,
  withRawDb,
} from './fixture.ts';

const periods: RetentionPeriods = {
  chatTranscriptDays: 30,
  consentReceiptDays: 60,
  sessionMetadataDays: 90,
};
const noneDeleted = { sessions: 0, chatMessages: 0, consentReceipts: 0, heldBack: 0 };

/** Sessions ending at T0 (plain, on hold), ending 50 days later, and one never ended. */
function scenario() {
  const { store, dir, key } = newStore();
  const world = seedWorld(store);
  const ended = seedSession(store, world, { endedAt: T0, label: 'ended' });
  const held = seedSession(store, world, { endedAt: T0, label: 'held' });
  store.setLegalHold(held.id, true, T0);
  const later = seedSession(store, world, { endedAt: at(T0, 50), label: 'later' });
  const open = seedSession(store, world, { endedAt: null, label: 'open' });
  return { store, dir, key, world, ended, held, later, open };
}

const purgeAt = (store: SqliteStore, days: number, ms = 0) =>
  store.purge(new Date(Date.parse(T0) + days * DAY + ms), periods);

describe('purge', () => {
  it('forgets a purged session: its chat is refused, not filed under the next session', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    // The newest session, so the next one created gets its number (sessions are numbered).
    const gone = seedSession(store, world, { endedAt: T0, label: 'gone' });
    const [first] = store.listChat(gone.id);
    if (first === undefined) throw new Error('no chat');
    expect(purgeAt(store, 90).sessions).toBe(1);
    const next = seedSession(store, world, { endedAt: null, label: 'next' });
    const late = { ...first, seq: 3, messageId: 'late', text: 'late message' };
    let code = '';
    try {
      store.appendChat(late);
    } catch (error) {
      code = isPrintoError(error) ? error.code : 'other';
    }
    expect(code).toBe('store-not-found');
    expect(store.listChat(next.id).map((m) => m.text)).not.toContain('late message');
  });

  it('deletes nothing a millisecond before a period ends', () => {
    const { store, ended } = scenario();
    expect(purgeAt(store, 30, -1)).toEqual(noneDeleted);
    expect(store.listChat(ended.id)).toHaveLength(2);
    expect(store.getSession(ended.id)?.description).toBe('ended: paper jam');
  });

  it('deletes an ended transcript when its period ends, counted from the end of the session', () => {
    const { store, ended, held, later, open } = scenario();
    expect(purgeAt(store, 30)).toEqual({
      sessions: 0,
      chatMessages: 2,
      consentReceipts: 0,
      heldBack: 1,
    });
    expect(store.listChat(ended.id)).toEqual([]);
    expect(store.getSession(ended.id)).toMatchObject({
      description: '',
      transcriptDeletedAt: at(T0, 30),
      state: 'ended',
    });
    // Receipts and the session row have longer periods.
    expect(store.listConsentReceipts(ended.id)).toHaveLength(1);
    // On hold, not yet due, still open: untouched.
    for (const id of [held.id, later.id, open.id]) expect(store.listChat(id)).toHaveLength(2);
    expect(store.getSession(held.id)?.description).toBe('held: paper jam');
  });

  it('deletes receipts, then the session row, each at its own period', () => {
    const { store, ended, later } = scenario();
    purgeAt(store, 30);
    expect(purgeAt(store, 60, -1)).toEqual({ ...noneDeleted, heldBack: 1 });
    expect(purgeAt(store, 60)).toEqual({
      sessions: 0,
      chatMessages: 0,
      consentReceipts: 1,
      heldBack: 1,
    });
    expect(store.listConsentReceipts(ended.id)).toEqual([]);
    expect(store.getSession(ended.id)).not.toBeNull();
    // `later` ended 50 days after T0: its transcript is due at day 80.
    expect(store.listChat(later.id)).toHaveLength(2);
    expect(purgeAt(store, 90)).toEqual({
      sessions: 1,
      chatMessages: 2,
      consentReceipts: 0,
      heldBack: 1,
    });
    expect(store.getSession(ended.id)).toBeNull();
    expect(store.listChat(later.id)).toEqual([]);
  });

  it('catches up on everything due at once after a long pause', () => {
    const { store, ended, later } = scenario();
    expect(purgeAt(store, 1000)).toEqual({
      sessions: 2,
      chatMessages: 4,
      consentReceipts: 2,
      heldBack: 1,
    });
    expect(store.getSession(ended.id)).toBeNull();
    expect(store.getSession(later.id)).toBeNull();
    expect(purgeAt(store, 1000)).toEqual({ ...noneDeleted, heldBack: 1 });
  });

  it('never touches an open session, however old', () => {
    const { store, open } = scenario();
    purgeAt(store, 5000);
    expect(store.getSession(open.id)).toMatchObject({ state: 'active', legalHold: false });
    expect(store.listChat(open.id)).toHaveLength(2);
    expect(store.listConsentReceipts(open.id)).toHaveLength(1);
  });

  it('holds back sessions on legal hold and deletes them once it is released', () => {
    const { store, held } = scenario();
    expect(purgeAt(store, 1000).heldBack).toBe(1);
    expect(store.listChat(held.id)).toHaveLength(2);
    expect(store.listConsentReceipts(held.id)).toHaveLength(1);
    expect(store.setLegalHold(held.id, false, at(T0, 1000))).toBe(true);
    expect(purgeAt(store, 1000)).toEqual({
      sessions: 1,
      chatMessages: 2,
      consentReceipts: 1,
      heldBack: 0,
    });
    expect(store.getSession(held.id)).toBeNull();
    expect(store.setLegalHold(held.id, true)).toBe(false);
  });

  it('counts a held session once, and not before anything of it is due', () => {
    const { store } = scenario();
    expect(purgeAt(store, 29).heldBack).toBe(0);
    expect(purgeAt(store, 30).heldBack).toBe(1);
    expect(purgeAt(store, 90).heldBack).toBe(1);
  });

  it('counts from the start a session marked ended without an end time', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    const session = seedSession(store, world, { endedAt: null });
    store.updateSession(session.id, { state: 'ended' });
    expect(purgeAt(store, 30).chatMessages).toBe(2);
  });

  it('leaves the deleted content nowhere in the files', () => {
    const { store, dir, key, ended } = scenario();
    store.close();
    expect(diskBytes(dir).includes('ended: paper jam')).toBe(false); // encrypted anyway
    const wrapped = withRawDb(dir, (db) =>
      db.prepare('SELECT wrapped FROM session_keys WHERE session_id = ?').all(ended.id),
    );
    expect(wrapped).toHaveLength(2);
    const reopened = openStore(dir, key);
    reopened.purge(new Date(Date.parse(T0) + 1000 * DAY), periods);
    reopened.close();
    const bytes = diskBytes(dir);
    for (const row of wrapped) {
      const key = row['wrapped'];
      if (!(key instanceof Uint8Array)) throw new Error('no key');
      expect(bytes.includes(Buffer.from(key))).toBe(false);
    }
  });

  it('records each purge in the audit log with counts and no personal content', () => {
    const { store } = scenario();
    purgeAt(store, 30);
    purgeAt(store, 59);
    const entries = store.listAuditLog().filter((e) => e.action === 'purge');
    expect(entries).toHaveLength(2);
    expect(entries[0]?.detail).toMatchObject({
      transcripts: 1,
      chatMessages: 2,
      consentReceipts: 0,
      sessions: 0,
      heldBack: 1,
      periods: { chatTranscriptDays: 30, consentReceiptDays: 60, sessionMetadataDays: 90 },
      cutoffs: { chatTranscript: T0 },
    });
    const logged = JSON.stringify(store.listAuditLog());
    for (const word of ['paper jam', 'rear door', 'Alice', 'WS-ACCOUNTS']) {
      expect(logged).not.toContain(word);
    }
    expect(store.verifyAuditLog()).toMatchObject({ ok: true });
  });

  it('keeps the audit log as long as consent receipts and still verifies after trimming it', () => {
    const { store } = scenario();
    const before = store.listAuditLog();
    expect(before.map((e) => e.action)).toEqual(['legal-hold']);
    purgeAt(store, 59);
    expect(store.listAuditLog().map((e) => e.action)).toEqual(['legal-hold', 'purge']);
    purgeAt(store, 60);
    const after = store.listAuditLog();
    expect(after.map((e) => e.action)).toEqual(['purge', 'purge']);
    expect(after[1]?.detail).toMatchObject({ auditEntries: 1 });
    expect(after[0]?.prevHash).toBe(before[0]?.hash);
    expect(store.verifyAuditLog()).toEqual({ ok: true, entries: 2, brokenAt: null, problem: null });
  });

  it('refuses invalid periods with retention-invalid and deletes nothing', () => {
    const { store, ended } = scenario();
    for (const bad of [
      { ...periods, chatTranscriptDays: 0 },
      { ...periods, consentReceiptDays: 10 },
      { ...periods, sessionMetadataDays: 1.5 },
    ]) {
      let code = '';
      try {
        store.purge(new Date(Date.parse(T0) + 1000 * DAY), bad);
      } catch (error) {
        code = isPrintoError(error) ? error.code : 'other';
      }
      expect(code).toBe('retention-invalid');
    }
    expect(store.listChat(ended.id)).toHaveLength(2);
  });
});

/**
 * A failed write leaves nothing half-written and loses nothing already stored. Failures are real
 * SQLite errors raised by a trigger added to the file, as a full disk or a constraint would.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPrintoError } from '../../../../src-shared/errors.ts';
import {
  DAY,
  T0,
  dump,
  newStore,
  openStore,
  seedSession,
  seedWorld,
  withRawDb,
} from './fixture.ts';

function failOn(dir: string, table: string): void {
  withRawDb(dir, (db) => {
    db.exec(
      `CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`,
    );
  });
}

function heal(dir: string, table: string): void {
  withRawDb(dir, (db) => {
    db.exec(`DROP TRIGGER fail_${table}`);
  });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isPrintoError(error) ? error.code : 'not a PrintoError';
  }
  return 'no error';
}

describe('failed writes', () => {
  it('createSession: no session row without its key', () => {
    const { store, dir, key } = newStore();
    const world = seedWorld(store);
    store.close();
    failOn(dir, 'session_keys');
    const before = dump(dir);
    const failing = openStore(dir, key);
    const id = randomUUID();
    expect(
      codeOf(() =>
        failing.createSession(
          { id, orgId: world.orgId, deviceId: world.deviceId, description: 'x' },
          T0,
        ),
      ),
    ).toBe('store-conflict');
    expect(failing.getSession(id)).toBeNull();
    failing.close();
    expect(dump(dir)).toEqual(before);
  });

  it('addConsentReceipt: the key created for it is rolled back in the file and in memory', () => {
    const { store, dir, key } = newStore();
    const world = seedWorld(store);
    const session = seedSession(store, world, { endedAt: null });
    // A session without receipts yet has no receipts key; drop the seeded one.
    store.close();
    withRawDb(dir, (db) => {
      db.prepare('DELETE FROM consent_receipts WHERE session_id = ?').run(session.id);
      db.prepare("DELETE FROM session_keys WHERE session_id = ? AND purpose = 'receipts'").run(
        session.id,
      );
    });
    failOn(dir, 'consent_receipts');
    const failing = openStore(dir, key);
    const receipt = {
      sessionId: session.id,
      kind: 'grant' as const,
      actor: `client:${world.deviceId}`,
      scopes: ['chat' as const],
      notice: 'notice',
      noticeDigest: null,
      noticeEcho: null,
      at: T0,
    };
    expect(codeOf(() => failing.addConsentReceipt(receipt))).toBe('store-conflict');
    failing.close();
    expect(
      withRawDb(dir, (db) =>
        db.prepare('SELECT COUNT(*) AS n FROM session_keys WHERE session_id = ?').get(session.id),
      ),
    ).toEqual({ n: 1 });
    heal(dir, 'consent_receipts');
    // Same process, new store: the next receipt gets a key that really is in the file.
    const healed = openStore(dir, key);
    healed.addConsentReceipt(receipt);
    healed.close();
    expect(
      openStore(dir, key)
        .listConsentReceipts(session.id)
        .map((r) => r.notice),
    ).toEqual(['notice']);
  });

  it('purge: nothing is deleted when the audit entry cannot be written', () => {
    const { store, dir, key } = newStore();
    const world = seedWorld(store);
    const session = seedSession(store, world, { endedAt: T0 });
    const chat = store.listChat(session.id);
    store.close();
    failOn(dir, 'audit_log');
    const before = dump(dir);
    const failing = openStore(dir, key);
    const periods = { chatTranscriptDays: 1, consentReceiptDays: 1, sessionMetadataDays: 1 };
    expect(codeOf(() => failing.purge(new Date(Date.parse(T0) + 10 * DAY), periods))).toBe(
      'store-conflict',
    );
    // Still readable in the same store: the shredded key was only forgotten from memory.
    expect(failing.listChat(session.id)).toEqual(chat);
    failing.close();
    expect(dump(dir)).toEqual(before);
  });

  it('eraseSession: the keys and transcript survive a failed erasure', () => {
    const { store, dir, key } = newStore();
    const session = seedSession(store, seedWorld(store));
    const chat = store.listChat(session.id);
    const receipts = store.listConsentReceipts(session.id);
    store.close();
    failOn(dir, 'audit_log');
    const before = dump(dir);
    const failing = openStore(dir, key);
    expect(codeOf(() => failing.eraseSession(session.id, T0))).toBe('store-conflict');
    expect(failing.listChat(session.id)).toEqual(chat);
    expect(failing.listConsentReceipts(session.id)).toEqual(receipts);
    expect(failing.getSession(session.id)?.erasedAt).toBeUndefined();
    failing.close();
    expect(dump(dir)).toEqual(before);
  });

  it('rotateMasterKey: a failure keeps the old key in force', () => {
    const { store, dir, key } = newStore();
    const session = seedSession(store, seedWorld(store));
    const chat = store.listChat(session.id);
    store.close();
    failOn(dir, 'audit_log');
    const failing = openStore(dir, key);
    expect(codeOf(() => failing.rotateMasterKey(Buffer.alloc(32, 7)))).toBe('store-conflict');
    expect(failing.listChat(session.id)).toEqual(chat);
    failing.close();
    heal(dir, 'audit_log');
    expect(openStore(dir, key).listChat(session.id)).toEqual(chat);
  });
});

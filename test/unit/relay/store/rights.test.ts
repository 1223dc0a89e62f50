import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPrintoError } from '../../../../src-shared/errors.ts';
import { unseal, unwrapKey } from '../../../../src-relay/store/crypto.ts';
import {
  T0,
  at,
  diskBytes,
  newStore,
  openStore,
  seedSession,
  seedWorld,
  withRawDb,
} from './fixture.ts';

function rawSecrets(dir: string, sessionId: string) {
  return withRawDb(dir, (db) => ({
    keys: db
      .prepare('SELECT purpose, wrapped FROM session_keys WHERE session_id = ? ORDER BY purpose')
      .all(sessionId)
      .map((row) => ({
        purpose: String(row['purpose']),
        wrapped: Buffer.from(row['wrapped'] as Uint8Array),
      })),
    chat: db
      .prepare(
        'SELECT c.message_id, c.body FROM chat_messages c JOIN sessions s ON s.no = c.session_no WHERE s.id = ? ORDER BY c.seq',
      )
      .all(sessionId)
      .map((row) => ({
        messageId: String(row['message_id']),
        body: Buffer.from(row['body'] as Uint8Array),
      })),
    chatRows: db
      .prepare(
        'SELECT COUNT(*) AS n FROM chat_messages WHERE session_no = (SELECT no FROM sessions WHERE id = ?)',
      )
      .get(sessionId)?.['n'],
  }));
}

describe('export (GDPR access and portability)', () => {
  it('returns the session, device, agent, decrypted transcript and receipts as plain JSON', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    const session = seedSession(store, world);
    const exported = store.exportSession(session.id, at(T0, 1));
    expect(exported).toEqual({
      format: 'printo-relay/session-export/v1',
      exportedAt: at(T0, 1),
      session,
      device: {
        id: world.deviceId,
        orgId: world.orgId,
        name: 'WS-ACCOUNTS-07',
        createdAt: T0,
      },
      agent: { id: world.agentId, name: 'Alice Agent' },
      transcript: store.listChat(session.id),
      corrections: [],
      consentReceipts: store.listConsentReceipts(session.id),
    });
    expect(exported?.transcript.map((m) => m.text)).toEqual([
      'session: the tray 2 jams',
      'session: open the rear door',
    ]);
    // Structured and machine-readable: survives JSON unchanged, and holds no secrets.
    const json = JSON.stringify(exported);
    expect(JSON.parse(json)).toEqual(exported);
    expect(json).not.toMatch(/secret|password|hash/i);
    expect(store.listAuditLog().at(-1)).toMatchObject({
      action: 'export',
      detail: { sessionId: session.id },
    });
  });

  it('returns null for an unknown session', () => {
    const { store } = newStore();
    expect(store.exportSession(randomUUID(), T0)).toBeNull();
  });
});

describe('erasure', () => {
  it('is refused while the session is on legal hold, and recorded', () => {
    const { store } = newStore();
    const session = seedSession(store, seedWorld(store));
    store.setLegalHold(session.id, true, T0);
    expect(store.eraseSession(session.id, at(T0, 1))).toEqual({
      erased: false,
      reason: 'legal-hold',
    });
    expect(store.listChat(session.id)).toHaveLength(2);
    expect(store.listConsentReceipts(session.id)[0]?.notice).toContain('kept 90 days');
    expect(store.listAuditLog().at(-1)).toMatchObject({
      action: 'erase-refused',
      detail: { sessionId: session.id, reason: 'legal-hold' },
    });
  });

  it('answers not-found for an unknown session', () => {
    const { store } = newStore();
    expect(store.eraseSession(randomUUID(), T0)).toEqual({ erased: false, reason: 'not-found' });
  });

  it('shreds the keys, deletes the transcript, keeps that the session and receipts existed', () => {
    const { store, dir, key } = newStore();
    const world = seedWorld(store);
    const session = seedSession(store, world);
    const receiptsBefore = store.listConsentReceipts(session.id);
    store.close();
    const before = rawSecrets(dir, session.id);
    expect(before.keys.map((k) => k.purpose)).toEqual(['receipts', 'transcript']);
    expect(before.chat).toHaveLength(2);

    const reopened = openStore(dir, key);
    expect(reopened.eraseSession(session.id, at(T0, 2))).toEqual({ erased: true });
    expect(reopened.listChat(session.id)).toEqual([]);
    const erased = reopened.getSession(session.id);
    expect(erased).toMatchObject({
      id: session.id,
      description: '',
      erasedAt: at(T0, 2),
      transcriptDeletedAt: at(T0, 2),
      state: 'ended',
      createdAt: session.createdAt,
      endedAt: session.endedAt,
      grantedScopes: ['chat'],
    });
    // Receipts keep their kind, time, actor and scopes; the notice text is gone.
    expect(reopened.listConsentReceipts(session.id)).toEqual(
      receiptsBefore.map((receipt) => ({ ...receipt, notice: '' })),
    );
    expect(reopened.listAuditLog().at(-1)).toMatchObject({
      action: 'erase',
      detail: { sessionId: session.id, chatMessages: 2, consentReceipts: 1 },
    });
    reopened.close();

    const after = rawSecrets(dir, session.id);
    expect(after.keys).toEqual([]);
    expect(after.chatRows).toBe(0);
    // Neither the wrapped keys nor the ciphertexts are anywhere in the files any more.
    const bytes = diskBytes(dir);
    for (const k of before.keys) expect(bytes.includes(k.wrapped)).toBe(false);
    for (const m of before.chat) expect(bytes.includes(m.body)).toBe(false);
  });

  it('leaves a saved ciphertext undecryptable: its key is gone and no other key opens it', () => {
    const { store, dir, key } = newStore();
    const world = seedWorld(store);
    const session = seedSession(store, world);
    const other = seedSession(store, world, { label: 'other' });
    store.close();
    const saved = rawSecrets(dir, session.id);
    const message = saved.chat[0];
    if (message === undefined) throw new Error('no chat');
    const label = `printo-relay/v1/chat/${session.id}/${message.messageId}`;
    // Before erasure, the wrapped key opens it (this is what a backup would still hold).
    const transcriptKey = saved.keys.find((k) => k.purpose === 'transcript');
    if (transcriptKey === undefined) throw new Error('no key');
    const dataKey = unwrapKey(
      key,
      transcriptKey.wrapped,
      `printo-relay/v1/session-key/${session.id}/transcript`,
    );
    expect(JSON.parse(unseal(dataKey, message.body, label).toString('utf8'))).toMatchObject({
      text: 'session: the tray 2 jams',
    });

    const reopened = openStore(dir, key);
    reopened.eraseSession(session.id, at(T0, 2));
    reopened.close();
    const remaining = withRawDb(dir, (db) =>
      db.prepare('SELECT session_id, purpose, wrapped FROM session_keys').all(),
    );
    expect(remaining.map((row) => row['session_id'])).toEqual([other.id, other.id]);
    for (const row of remaining) {
      const otherKey = unwrapKey(
        key,
        row['wrapped'] as Uint8Array,
        `printo-relay/v1/session-key/${String(row['session_id'])}/${String(row['purpose'])}`,
      );
      let code = '';
      try {
        unseal(otherKey, message.body, label);
      } catch (error) {
        code = isPrintoError(error) ? error.code : 'other';
      }
      expect(code).toBe('store-decrypt-failed');
    }
  });

  it('lets an open session go on after erasure with a fresh key', () => {
    const { store, dir, key } = newStore();
    const session = seedSession(store, seedWorld(store), { endedAt: null });
    store.eraseSession(session.id, at(T0, 0, 10_000));
    store.appendChat({
      sessionId: session.id,
      messageId: randomUUID(),
      seq: 3,
      from: 'agent',
      senderName: 'Alice Agent',
      text: 'anything else?',
      redacted: false,
      at: at(T0, 0, 20_000),
    });
    store.close();
    const reopened = openStore(dir, key);
    expect(reopened.listChat(session.id).map((m) => m.text)).toEqual(['anything else?']);
  });
});

describe('master key rotation', () => {
  it('re-wraps every data key; the old key no longer opens the store', () => {
    const { store, dir, key } = newStore();
    const session = seedSession(store, seedWorld(store));
    const chat = store.listChat(session.id);
    store.close();
    const oldWrapped = rawSecrets(dir, session.id).keys;

    const next = randomBytes(32);
    const reopened = openStore(dir, key);
    expect(reopened.rotateMasterKey(next, at(T0, 3))).toEqual({ rewrapped: 2 });
    expect(reopened.listChat(session.id)).toEqual(chat);
    reopened.close();

    let code = '';
    try {
      openStore(dir, key);
    } catch (error) {
      code = isPrintoError(error) ? error.code : 'other';
    }
    expect(code).toBe('store-wrong-master-key');
    const rotated = openStore(dir, next);
    expect(rotated.listChat(session.id)).toEqual(chat);
    expect(rotated.listAuditLog().at(-1)?.action).toBe('master-key-rotated');
    rotated.close();
    // The keys are stored wrapped differently now; the old wrapping is gone from the files.
    const bytes = diskBytes(dir);
    for (const k of oldWrapped) expect(bytes.includes(k.wrapped)).toBe(false);
  });
});

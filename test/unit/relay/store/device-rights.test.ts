/**
 * The store's side of the device's rights (migration 6): restriction and objection flags with
 * their first time, corrections of the client's own messages (sealed, card numbers masked, gone
 * with the transcript), erasure with its actor, and rights requests in the audit chain by ids.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../../src-relay/store/sqlite-store.ts';
import { T0, at, diskBytes, newStore, seedSession, seedWorld } from './fixture.ts';

let store: SqliteStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

describe('restriction and objection', () => {
  it('are recorded once with their first time, listed per device and exported', () => {
    const opened = newStore();
    store = opened.store;
    const world = seedWorld(store);
    const session = seedSession(store, world);
    const other = store.createDevice({ orgId: world.orgId, name: 'WS-OTHER', secretHash: 'x' }, T0);
    expect(store.recordSessionRight(session.id, 'restriction', at(T0, 1))?.restrictedAt).toBe(
      at(T0, 1),
    );
    expect(store.recordSessionRight(session.id, 'restriction', at(T0, 2))?.restrictedAt).toBe(
      at(T0, 1),
    );
    expect(store.recordSessionRight(session.id, 'objection', at(T0, 3))?.objectedAt).toBe(
      at(T0, 3),
    );
    expect(store.recordSessionRight('no-such-session', 'objection', T0)).toBeNull();
    expect(store.listSessions({ deviceId: world.deviceId }).map((s) => s.id)).toEqual([session.id]);
    expect(store.listSessions({ deviceId: other.id })).toEqual([]);
    const exported = store.exportSession(session.id, at(T0, 4));
    expect(exported?.session).toMatchObject({ restrictedAt: at(T0, 1), objectedAt: at(T0, 3) });
  });
});

describe('rectification', () => {
  it('appends a sealed, masked correction of a client message; the original stays', () => {
    const opened = newStore();
    store = opened.store;
    const world = seedWorld(store);
    const session = seedSession(store, world, { label: 'rectify' });
    const [clientMessage, agentMessage] = store.listChat(session.id);
    const result = store.appendCorrection({
      sessionId: session.id,
      correctsMessageId: clientMessage?.messageId ?? '',
      text: 'rectify: it was tray 3, card 4111 1111 1111 1111',
      at: at(T0, 1),
    });
    expect(result.ok).toBe(true);
    const corrections = store.listCorrections(session.id);
    expect(corrections).toHaveLength(1);
    expect(corrections[0]).toMatchObject({
      correctsMessageId: clientMessage?.messageId,
      redacted: true,
      at: at(T0, 1),
    });
    expect(corrections[0]?.text).toContain('411111******1111');
    expect(store.listChat(session.id)[0]?.text).toBe('rectify: the tray 2 jams');
    expect(store.exportSession(session.id, at(T0, 2))?.corrections).toEqual(corrections);
    // Sealed on disk like chat: the words are nowhere in the file.
    expect(diskBytes(opened.dir).includes('it was tray 3')).toBe(false);

    expect(
      store.appendCorrection({
        sessionId: session.id,
        correctsMessageId: agentMessage?.messageId ?? '',
        text: 'not mine',
        at: at(T0, 1),
      }),
    ).toEqual({ ok: false, reason: 'message-not-found' });
    expect(
      store.appendCorrection({
        sessionId: 'no-such-session',
        correctsMessageId: 'x',
        text: 'x',
        at: T0,
      }),
    ).toEqual({ ok: false, reason: 'not-found' });

    expect(store.eraseSession(session.id, at(T0, 3), `client:${world.deviceId}`)).toEqual({
      erased: true,
    });
    expect(store.listCorrections(session.id)).toEqual([]);
    expect(
      store.appendCorrection({
        sessionId: session.id,
        correctsMessageId: clientMessage?.messageId ?? '',
        text: 'too late',
        at: at(T0, 4),
      }),
    ).toEqual({ ok: false, reason: 'transcript-deleted' });
  });
});

describe('the audit log', () => {
  it('records erasures with their actor and rights requests by ids and outcome only', () => {
    const opened = newStore();
    store = opened.store;
    const world = seedWorld(store);
    const session = seedSession(store, world);
    store.setLegalHold(session.id, true, at(T0, 1));
    expect(store.eraseSession(session.id, at(T0, 2), `client:${world.deviceId}`)).toEqual({
      erased: false,
      reason: 'legal-hold',
    });
    store.recordRightsRequest(
      { right: 'erasure', deviceId: world.deviceId, sessionId: session.id, outcome: 'legal-hold' },
      at(T0, 2),
    );
    const entries = store.listAuditLog();
    expect(entries.slice(-2).map((e) => [e.action, e.detail])).toEqual([
      [
        'erase-refused',
        { sessionId: session.id, reason: 'legal-hold', actor: `client:${world.deviceId}` },
      ],
      [
        'rights-request',
        {
          right: 'erasure',
          deviceId: world.deviceId,
          sessionId: session.id,
          outcome: 'legal-hold',
        },
      ],
    ]);
    expect(store.verifyAuditLog().ok).toBe(true);
    expect(store.listChat(session.id)).toHaveLength(2);
  });
});

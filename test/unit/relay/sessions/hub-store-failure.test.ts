/**
 * The hub with a real SQLite store whose chat writes fail (a full disk, say): the sender is told,
 * nothing reaches the other side, and the relay and the session carry on.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../../src-relay/server/metrics.ts';
import { silentLogger } from '../../../../src-relay/server/logger.ts';
import { SessionHub } from '../../../../src-relay/sessions/hub.ts';
import type { PeerConnection } from '../../../../src-relay/sessions/hub.ts';
import type { Store } from '../../../../src-relay/store/store.ts';
import { encodeFrame } from '../../../../src-shared/protocol/frames.ts';
import { newStore, seedWorld } from '../store/fixture.ts';

interface Frame {
  type: string;
  payload: Record<string, unknown>;
}

function peer(): {
  connection: PeerConnection;
  frames: Frame[];
  send(type: string, payload: unknown): void;
  bind(h: { onFrame(raw: string): void }): void;
} {
  const frames: Frame[] = [];
  let seq = 0;
  let handler: { onFrame(raw: string): void } | undefined;
  return {
    frames,
    connection: {
      send: (frame) => frames.push(JSON.parse(frame) as Frame),
      close: () => undefined,
      remoteAddress: '127.0.0.1',
    },
    bind: (h) => {
      handler = h;
    },
    send: (type, payload) => {
      const sequenced = type !== 'hello';
      handler?.onFrame(
        encodeFrame(
          { type, payload },
          { id: randomUUID(), seq: sequenced ? ++seq : 0, ack: 0, ts: new Date().toISOString() },
        ),
      );
    },
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('session hub when the store cannot write chat', () => {
  it('refuses the message to its sender, forwards nothing, and keeps going', async () => {
    const { store } = newStore();
    const world = seedWorld(store);
    let failing = true;
    const flaky = new Proxy(store, {
      get(target, property) {
        if (property === 'appendChats' && failing) {
          return () => {
            throw new Error('SQLITE_FULL: database or disk is full');
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    }) as Store;
    const hub = new SessionHub({
      store: flaky,
      clock: { now: () => Date.now() },
      logger: silentLogger,
      metrics: createMetrics(),
      notice: { text: 'Recorded for 90 days.', retentionDays: 90 },
    });
    const client = peer();
    client.bind(
      hub.attach(client.connection, {
        role: 'client',
        client: { deviceId: world.deviceId, orgId: world.orgId, deviceName: 'WS-ACCOUNTS-07' },
      }),
    );
    const agent = peer();
    agent.bind(
      hub.attach(agent.connection, {
        role: 'agent',
        agent: { agentId: world.agentId, name: 'Alice Agent', role: 'agent' },
      }),
    );
    client.send('hello', {});
    agent.send('hello', {});
    client.send('help.request', { description: 'Tray 2 jams' });
    const sessionId = client.frames.find((f) => f.type === 'help.queued')?.payload['sessionId'];
    agent.send('session.join', { sessionId });
    const requestId = client.frames.find((f) => f.type === 'consent.request')?.payload['requestId'];
    client.send('consent.answer', {
      requestId,
      granted: ['chat'],
      noticeShown: 'Recorded for 90 days.',
    });

    agent.send('chat.send', { text: 'Hello, can you open the rear door?' });
    await turn();
    expect(agent.frames.at(-1)).toMatchObject({ type: 'error', payload: { code: 'internal' } });
    expect(client.frames.some((f) => f.type === 'chat.message')).toBe(false);

    failing = false;
    agent.send('chat.send', { text: 'Trying again.' });
    await turn();
    expect(
      client.frames.filter((f) => f.type === 'chat.message').map((f) => f.payload['text']),
    ).toEqual(['Trying again.']);
    expect(store.listChat(String(sessionId)).map((m) => m.text)).toEqual(['Trying again.']);
    hub.shutdown();
  });
});

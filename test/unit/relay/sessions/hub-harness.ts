/**
 * The session hub driven directly, without sockets: peers whose frames are recorded, and the
 * steps that bring a session to active with chat granted. Every frame the hub sends a peer is
 * checked against the protocol's schema for the peer's role: one that violates it fails the test
 * (relay-frames.ts).
 */
import { randomUUID } from 'node:crypto';
import { createMetrics } from '../../../../src-relay/server/metrics.ts';
import { silentLogger } from '../../../../src-relay/server/logger.ts';
import { SessionHub } from '../../../../src-relay/sessions/hub.ts';
import type { PeerConnection } from '../../../../src-relay/sessions/hub.ts';
import type { Store } from '../../../../src-relay/store/store.ts';
import { systemClock } from '../../../../src-shared/clock.ts';
import { encodeFrame } from '../../../../src-shared/protocol/frames.ts';
import {
  RelayToAgentMessageSchema,
  RelayToClientMessageSchema,
} from '../../../../src-shared/protocol/v1.ts';
import type { World } from '../store/fixture.ts';
import { decodeRelayFrame, failLater } from '../relay-frames.ts';

const SCHEMAS = { client: RelayToClientMessageSchema, agent: RelayToAgentMessageSchema };

/** A whole frame as it went over the wire, parsed: the envelope with its type and payload. */
export interface Frame {
  type: string;
  payload: Record<string, unknown>;
  [field: string]: unknown;
}

export function peer(role: 'client' | 'agent'): {
  connection: PeerConnection;
  /** What the relay sent this peer. */
  frames: Frame[];
  /** What this peer sent the relay. */
  sent: Frame[];
  /** How the relay closed this connection, if it did. */
  closes: { code: number; reason: string }[];
  send(type: string, payload: unknown): void;
  bind(h: { onFrame(raw: string): void }): void;
} {
  const frames: Frame[] = [];
  const sent: Frame[] = [];
  const closes: { code: number; reason: string }[] = [];
  let seq = 0;
  let handler: { onFrame(raw: string): void } | undefined;
  return {
    frames,
    sent,
    closes,
    connection: {
      send: (frame) => {
        try {
          decodeRelayFrame(frame, SCHEMAS[role], role);
        } catch (error) {
          if (error instanceof Error) failLater(error);
        }
        frames.push(JSON.parse(frame) as Frame);
      },
      close: (code, reason) => {
        closes.push({ code, reason });
      },
      remoteAddress: '127.0.0.1',
    },
    bind: (h) => {
      handler = h;
    },
    send: (type, payload) => {
      const sequenced = type !== 'hello';
      const raw = encodeFrame(
        { type, payload },
        { id: randomUUID(), seq: sequenced ? ++seq : 0, ack: 0, ts: new Date().toISOString() },
      );
      sent.push(JSON.parse(raw) as Frame);
      handler?.onFrame(raw);
    },
  };
}

/** A hub on `store` with the system clock, no logs and the notice the harness's client shows. */
export function newHub(store: Store): SessionHub {
  return new SessionHub({
    store,
    clock: systemClock,
    logger: silentLogger,
    metrics: createMetrics(),
    notice: { text: 'Recorded for 90 days.', retentionDays: 90 },
  });
}

export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A client and an agent in an active session with chat (or `granted`); returns them and its id. */
export function activeChatSession(
  hub: SessionHub,
  world: World,
  granted: readonly string[] = ['chat'],
): { client: ReturnType<typeof peer>; agent: ReturnType<typeof peer>; sessionId: string } {
  const client = peer('client');
  client.bind(
    hub.attach(client.connection, {
      role: 'client',
      client: { deviceId: world.deviceId, orgId: world.orgId, deviceName: 'WS-ACCOUNTS-07' },
    }),
  );
  const agent = peer('agent');
  agent.bind(
    hub.attach(agent.connection, {
      role: 'agent',
      agent: {
        agentId: world.agentId,
        name: 'Alice Agent',
        role: 'agent',
        webSessionId: 'web-1',
        scope: { kind: 'provider', orgs: 'all' },
      },
    }),
  );
  client.send('hello', {});
  agent.send('hello', {});
  client.send('help.request', { description: 'Tray 2 jams' });
  const sessionId = String(
    client.frames.find((f) => f.type === 'help.queued')?.payload['sessionId'],
  );
  agent.send('session.join', { sessionId });
  const requestId = client.frames.find((f) => f.type === 'consent.request')?.payload['requestId'];
  client.send('consent.answer', {
    requestId,
    granted,
    noticeShown: 'Recorded for 90 days.',
  });
  return { client, agent, sessionId };
}

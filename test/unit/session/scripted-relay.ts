/**
 * A stand-in for Printo Relay's client endpoint, scripted frame by frame by each test: a real
 * HTTP server and a real ws WebSocketServer on 127.0.0.1, authenticating in the upgrade like the
 * relay does, so that the session library is tested over real sockets.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { decodeFrame, encodeFrame } from '../../../src-shared/protocol/frames.ts';
import {
  ClientMessageSchema,
  LIMITS,
  SUBPROTOCOL,
  UNSEQUENCED_TYPES,
} from '../../../src-shared/protocol/v1.ts';
import type {
  ClientMessage,
  Framed,
  RelayToClientMessage,
} from '../../../src-shared/protocol/v1.ts';

export type ClientFrame = Framed<ClientMessage>;

export const CREDENTIALS = { deviceId: 'dev-6a0d3c', deviceSecret: 'pds_secret_value_0123456789' };

/** Wakes whoever waits for the next event; a wait also ends after `ms`. */
class Wakeup {
  private waiter: (() => void) | null = null;

  notify(): void {
    this.waiter?.();
  }

  async wait(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.waiter = null;
  }
}

export class RelayPeer {
  readonly frames: ClientFrame[] = [];
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
  readonly socket: WebSocket;
  private cursor = 0;
  private readonly wakeup = new Wakeup();
  private readonly relay: ScriptedRelay;
  closed: { code: number; reason: string } | null = null;

  constructor(relay: ScriptedRelay, socket: WebSocket, headers: IncomingHttpHeaders, url: string) {
    this.relay = relay;
    this.socket = socket;
    this.headers = headers;
    this.url = url;
    socket.on('message', (data) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : data instanceof ArrayBuffer
          ? Buffer.from(data).toString('utf8')
          : data.toString('utf8');
      const decoded = decodeFrame(text, ClientMessageSchema);
      if (!decoded.ok) throw new Error(`The client sent a bad frame: ${decoded.message}`);
      const frame = decoded.frame;
      if (frame.seq > relay.lastClientSeq) relay.lastClientSeq = frame.seq;
      this.frames.push(frame);
      this.wakeup.notify();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wakeup.notify();
    });
  }

  /** The next frame the client sent (acks skipped unless asked for). */
  async next(options: { acks?: boolean; timeoutMs?: number } = {}): Promise<ClientFrame> {
    const deadline = Date.now() + (options.timeoutMs ?? 2_000);
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++];
        if (frame !== undefined && (options.acks === true || frame.type !== 'ack')) return frame;
      }
      if (this.closed !== null) throw new Error('The client connection closed.');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('No frame from the client in time.');
      await this.wakeup.wait(left);
    }
  }

  async expect<T extends ClientMessage['type']>(
    type: T,
  ): Promise<Extract<ClientMessage, { type: T }> & ClientFrame> {
    const frame = await this.next();
    if (frame.type !== type) {
      throw new Error(
        `Expected ${type} from the client, got ${frame.type} ${JSON.stringify(frame.payload)}`,
      );
    }
    return frame as Extract<ClientMessage, { type: T }> & ClientFrame;
  }

  /** Frames received and not yet read with next(), acks left out. */
  get unread(): ClientFrame[] {
    return this.frames.slice(this.cursor).filter((f) => f.type !== 'ack');
  }

  /** Sends a relay frame; sequenced types get the relay stream's next seq unless given one. */
  send(
    message: RelayToClientMessage,
    meta: { seq?: number; id?: string; ack?: number } = {},
  ): { id: string; seq: number } {
    const seq = meta.seq ?? (UNSEQUENCED_TYPES.has(message.type) ? 0 : ++this.relay.relaySeq);
    const id = meta.id ?? randomUUID();
    this.socket.send(
      encodeFrame(message, {
        id,
        seq,
        ack: meta.ack ?? this.relay.lastClientSeq,
        ts: new Date(this.relay.clock()).toISOString(),
      }),
    );
    return { id, seq };
  }

  welcome(resumed?: { sessionId: string; lastSeq: number }): void {
    this.send({
      type: 'welcome',
      payload: {
        deviceId: CREDENTIALS.deviceId,
        heartbeatMs: LIMITS.heartbeatMs,
        limits: { maxFrameBytes: LIMITS.maxFrameBytes, maxChatChars: LIMITS.maxChatChars },
        ...(resumed === undefined ? {} : { resumed }),
      },
    });
  }

  close(code: number, reason = ''): void {
    this.socket.close(code, reason);
  }

  /** Kills the TCP connection without a closing handshake: the client sees 1006. */
  destroy(): void {
    this.socket.terminate();
  }
}

export class ScriptedRelay {
  readonly peers: RelayPeer[] = [];
  /** The relay stream's last seq (shared by a session's connections, as resume needs). */
  relaySeq = 0;
  /** The highest client seq received: the `ack` the relay puts in its frames. */
  lastClientSeq = 0;
  /** Answer the next upgrades with this HTTP status instead of switching protocols. */
  refuseWith: number | null = null;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly wakeup = new Wakeup();
  readonly clock: () => number;

  private constructor(clock: () => number) {
    this.clock = clock;
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: LIMITS.maxFrameBytes,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.server = createServer((_request, response) => {
      response.writeHead(404).end();
    });
    this.server.on('upgrade', (request, socket, head) => {
      const expected = `Basic ${Buffer.from(`${CREDENTIALS.deviceId}:${CREDENTIALS.deviceSecret}`).toString('base64')}`;
      const refuse = (status: number): void => {
        socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      };
      const status =
        this.refuseWith ??
        (request.url !== '/v1/client'
          ? 404
          : request.headers.authorization !== expected
            ? 401
            : null);
      if (status !== null) {
        refuse(status);
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        this.peers.push(new RelayPeer(this, ws, request.headers, request.url ?? ''));
        this.wakeup.notify();
      });
    });
  }

  static async start(clock: () => number = Date.now): Promise<ScriptedRelay> {
    const relay = new ScriptedRelay(clock);
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The connection after the `count` already seen, once the client has made it. */
  async connection(index: number, timeoutMs = 2_000): Promise<RelayPeer> {
    const deadline = Date.now() + timeoutMs;
    while (this.peers.length <= index) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`The client did not open connection #${index + 1}.`);
      await this.wakeup.wait(left);
    }
    const peer = this.peers[index];
    if (peer === undefined) throw new Error('unreachable');
    return peer;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

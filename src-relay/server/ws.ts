/**
 * The WebSocket side of the relay: authenticates in the HTTP upgrade (before any WebSocket
 * exists), negotiates the versioned subprotocol, and hands each connection to the session hub.
 * Limits live here: 64 KiB frames (1009 beyond), no compression, heartbeat, backpressure.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { CloseCode, LIMITS, SUBPROTOCOL } from '../../src-shared/protocol/v1.ts';
import type { SessionHub } from '../sessions/hub.ts';
import type { Clock, TimerHandle } from '../../src-shared/clock.ts';
import type { Logger, Metrics, UpgradeAuthenticator } from './contracts.ts';
import { errorFields } from './logger.ts';

/** A peer that lets this much pile up unsent is too slow: drop it; it can resume. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface WebSocketGatewayOptions {
  readonly hub: SessionHub;
  readonly auth: UpgradeAuthenticator;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly heartbeatMs?: number;
}

function reject(socket: Duplex, status: number, reason: string): void {
  const text =
    status === 401
      ? 'Unauthorized'
      : status === 403
        ? 'Forbidden'
        : status === 404
          ? 'Not Found'
          : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

export class WebSocketGateway {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: LIMITS.maxFrameBytes,
    // Compression fragments memory badly with many connections and invites zip bombs.
    perMessageDeflate: false,
    // Never pick the client's first offer blindly (a token must not travel as a subprotocol).
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  private readonly options: WebSocketGatewayOptions;
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly heartbeat: TimerHandle;

  constructor(options: WebSocketGatewayOptions) {
    this.options = options;
    this.heartbeat = options.clock.setInterval(
      () => {
        for (const socket of this.server.clients) {
          if (this.alive.get(socket) === false) {
            socket.terminate();
            continue;
          }
          this.alive.set(socket, false);
          socket.ping();
        }
      },
      options.heartbeatMs ?? LIMITS.heartbeatMs,
      { unref: true },
    );
  }

  /** The `upgrade` handler of the HTTP(S) server. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    void this.upgrade(request, socket, head).catch((error: unknown) => {
      this.options.logger.error('ws.upgrade-failed', {
        ...errorFields(error),
      });
      reject(socket, 400, 'upgrade failed');
    });
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://relay.invalid');
    const role =
      url.pathname === '/v1/client' ? 'client' : url.pathname === '/v1/agent' ? 'agent' : null;
    if (role === null) {
      reject(socket, 404, 'no such endpoint');
      return;
    }
    const offered = (request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL)) {
      this.options.metrics.rejected('subprotocol');
      reject(socket, 400, `offer the ${SUBPROTOCOL} subprotocol`);
      return;
    }
    if (role === 'client') {
      const result = await this.options.auth.client(request);
      if (!result.ok) {
        this.options.metrics.rejected(result.reason);
        reject(socket, result.status, 'authentication failed');
        return;
      }
      this.server.handleUpgrade(request, socket, head, (ws) => {
        this.connect(ws, request, { role: 'client', client: result.identity });
      });
      return;
    }
    const result = await this.options.auth.agent(request, url);
    if (!result.ok) {
      this.options.metrics.rejected(result.reason);
      reject(socket, result.status, 'authentication failed');
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => {
      this.connect(ws, request, { role: 'agent', agent: result.identity });
    });
  }

  private connect(
    ws: WebSocket,
    request: IncomingMessage,
    identity: Parameters<SessionHub['attach']>[1],
  ): void {
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    const handlers = this.options.hub.attach(
      {
        send: (frame) => {
          if (ws.readyState !== ws.OPEN) return;
          if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
            // Backpressure: the frames stay in the session outbox and are replayed on resume.
            ws.close(CloseCode.tryAgainLater, 'too slow; resume to catch up');
            return;
          }
          ws.send(frame);
        },
        close: (code, reason) => {
          ws.close(code, reason);
        },
        remoteAddress: request.socket.remoteAddress ?? 'unknown',
      },
      identity,
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.options.metrics.rejected('binary-frame');
        ws.close(CloseCode.policyViolation, 'text frames only');
        return;
      }
      const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      handlers.onFrame(raw.toString('utf8'));
    });
    ws.on('close', () => {
      handlers.onClose();
    });
    ws.on('error', (error) => {
      // ws closes with 1009 itself when a frame exceeds maxPayload; count it.
      this.options.metrics.rejected(
        error.message.includes('Max payload') ? 'frame-too-big' : 'socket-error',
      );
    });
  }

  close(): void {
    this.options.clock.clearTimeout(this.heartbeat);
    for (const socket of this.server.clients) socket.terminate();
    this.server.close();
  }
}

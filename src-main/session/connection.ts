/**
 * One WebSocket connection to the relay's client endpoint, and nothing about sessions: it opens
 * with the device credentials in the upgrade, delivers text frames, watches that the relay is
 * still there, and reports exactly one close with what is known about why.
 */
import type { Agent } from 'node:http';
import WebSocket from 'ws';
import { LIMITS, SUBPROTOCOL } from '../../src-shared/protocol/v1.ts';
import type { Clock, TimerHandle } from '../../src-shared/clock.ts';
import type { CloseInfo, ProxyFailure } from './close-codes.ts';
import { ProxyError } from './proxy.ts';
import type { DeviceCredentials } from './types.ts';

export type WebSocketConstructor = typeof WebSocket;

export interface ConnectionEvents {
  onOpen(): void;
  onText(raw: string): void;
  onClose(info: CloseInfo): void;
}

/** How long the TCP + TLS + HTTP upgrade may take. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

export class Connection {
  private readonly socket: WebSocket;
  private readonly clock: Clock;
  private readonly events: ConnectionEvents;
  private silenceTimer: TimerHandle | undefined = undefined;
  private silenceMs = 0;
  private httpStatus: number | undefined;
  private subprotocolRejected = false;
  private proxyFailure: ProxyFailure | undefined;
  private closed = false;

  constructor(
    url: URL,
    credentials: DeviceCredentials,
    clock: Clock,
    events: ConnectionEvents,
    WebSocketImpl: WebSocketConstructor = WebSocket,
    /** The way to the relay (src-main/session/proxy.ts, relayAgent): a proxy's, or direct. */
    agent?: Agent,
  ) {
    this.clock = clock;
    this.events = events;
    const basic = Buffer.from(`${credentials.deviceId}:${credentials.deviceSecret}`).toString(
      'base64',
    );
    this.socket = new WebSocketImpl(url, [SUBPROTOCOL], {
      // The secret travels in a header, never in the URL, which ends up in logs.
      headers: { Authorization: `Basic ${basic}` },
      // On by default in the ws client: off, like the relay (remote-support.md).
      perMessageDeflate: false,
      maxPayload: LIMITS.maxFrameBytes,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      // A redirect could carry the Authorization header to another host.
      followRedirects: false,
      ...(agent === undefined ? {} : { agent }),
    });
    this.socket.on('open', () => {
      this.events.onOpen();
    });
    this.socket.on('message', (data, isBinary) => {
      this.heard();
      // The protocol is JSON text; a binary frame is not ours, and the session treats it like
      // any other malformed frame.
      this.events.onText(isBinary ? '' : rawText(data));
    });
    this.socket.on('ping', () => {
      this.heard();
    });
    this.socket.on('unexpected-response', (_request, response) => {
      // The relay refused the upgrade (401 bad credentials, 429 busy…): keep the status, which
      // decides between giving up and trying again, then abort like ws would have.
      this.httpStatus = response.statusCode;
      response.resume();
      this.socket.terminate();
    });
    this.socket.on('error', (error) => {
      // ws checks the agreed subprotocol itself and fails the handshake with this text.
      if (/subprotocol/i.test(error.message)) this.subprotocolRejected = true;
      // The proxy's agent fails the upgrade request with one of these (proxy.ts).
      if (error instanceof ProxyError) {
        this.proxyFailure = { code: error.code, message: error.message, status: error.status };
      }
    });
    this.socket.on('close', (code, reason) => {
      this.finish({ code, reason: reason.toString('utf8') });
    });
  }

  /**
   * From now on, silence longer than `ms` means the relay or the path to it is gone (it pings
   * every `heartbeatMs`): drop the connection so that the session can resume elsewhere.
   */
  expectTraffic(ms: number): void {
    this.silenceMs = ms;
    this.heard();
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends one frame; false when the socket is no longer open (the caller keeps it for resend). */
  send(raw: string): boolean {
    if (!this.isOpen) return false;
    this.socket.send(raw);
    return true;
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    else this.socket.close(code, reason);
  }

  /** Drops the connection at once, without a closing handshake. */
  terminate(): void {
    this.socket.terminate();
  }

  private heard(): void {
    if (this.closed || this.silenceMs === 0) return;
    this.clock.clearTimeout(this.silenceTimer);
    this.silenceTimer = this.clock.setTimeout(() => {
      this.socket.terminate();
    }, this.silenceMs);
  }

  private finish(info: { code: number; reason: string }): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.silenceTimer);
    this.events.onClose({
      ...info,
      ...(this.httpStatus === undefined ? {} : { httpStatus: this.httpStatus }),
      ...(this.subprotocolRejected ? { subprotocolRejected: true } : {}),
      ...(this.proxyFailure === undefined ? {} : { proxyFailure: this.proxyFailure }),
    });
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

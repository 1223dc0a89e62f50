/**
 * The parts the relay's end-to-end tests share: a relay with its SQLite store in a temporary
 * data directory on 127.0.0.1, a raw agent speaking the protocol over `ws` (the Agent Console
 * comes later), the desktop client through the real `SupportSession` with its sockets in view,
 * and a manual clock for the relay so that time-outs fire when a test says so.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { enroll } from '../../../src-main/session/enroll.ts';
import { SupportSession } from '../../../src-main/session/session.ts';
import type {
  ActionContext,
  ActionResult,
  ChatMessage,
  ConsentAnswer,
  ConsentRequest,
  Data,
  DeviceCredentials,
  LocalRefusal,
  RelayError,
  SessionEnd,
  SessionState,
} from '../../../src-main/session/types.ts';
import { encodeFrame } from '../../../src-shared/protocol/frames.ts';
import {
  RelayToAgentMessageSchema,
  RelayToClientMessageSchema,
  SUBPROTOCOL,
} from '../../../src-shared/protocol/v1.ts';
import type { z } from 'zod';
import type {
  AgentMessage,
  ClientMessage,
  DataKind,
  Framed,
  ProposedAction,
  RelayToAgentMessage,
  RelayToClientMessage,
  Scope,
} from '../../../src-shared/protocol/v1.ts';
import { startRelayWithSessions } from '../../../src-relay/server/compose.ts';
import type { FullRelay, FullRelayOptions } from '../../../src-relay/server/compose.ts';
import { createAgentAccount, createOrgWithKey } from '../../../src-relay/server/identities.ts';
import { createLogger } from '../../../src-relay/server/logger.ts';
import type { HubOptions } from '../../../src-relay/sessions/hub.ts';
import { DEFAULT_RELAY_RETENTION } from '../../../src-relay/store/config.ts';
import { loadOrCreateMasterKey } from '../../../src-relay/store/master-key.ts';
import { SqliteStore } from '../../../src-relay/store/sqlite-store.ts';
import type { Store } from '../../../src-relay/store/store.ts';
import { makePrinter } from '../../unit/make-printer.ts';
import { ProtocolViolation, decodeRelayFrame, failLater } from '../../unit/relay/relay-frames.ts';
import { ManualClock } from '../../unit/manual-clock.ts';
import { call, sessionCookie } from '../../unit/relay/server/http-client.ts';

export const AGENT_EMAIL = 'sam@example.com';
export const AGENT_NAME = 'Sam Support';
export const PASSWORD = 'correct horse battery staple';
export const DEVICE_NAME = 'WS-ACCOUNTS-07';
const NOW = '2026-11-25T09:00:00.000Z';
/** Cheap scrypt: logins are part of every test's set-up, the hash's strength is not under test. */
const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };
const WAIT_MS = 5_000;

const tempDirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'printo-relay-session-'));
  tempDirs.push(dir);
  return dir;
}

/** Removes every data directory `tempDir` made (after the relays using them have stopped). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function openStore(dataDir: string): SqliteStore {
  return new SqliteStore({ dataDir, masterKey: loadOrCreateMasterKey(dataDir) });
}

/** A data directory with an organisation and an agent account; returns the enrollment key. */
export async function seedDataDir(dataDir: string): Promise<string> {
  const store = openStore(dataDir);
  try {
    const { enrollmentKey } = createOrgWithKey(store, 'Acme', NOW);
    await createAgentAccount(
      store,
      { email: AGENT_EMAIL, name: AGENT_NAME, role: 'agent', password: PASSWORD },
      NOW,
      TEST_SCRYPT,
    );
    return enrollmentKey;
  } finally {
    store.close();
  }
}

/** Polls until `condition` holds; fails with `what` after `timeoutMs`. */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

export const wsUrl = (relayUrl: string, path: string): string =>
  relayUrl.replace(/^http/, 'ws') + path;

// ---------------------------------------------------------------------------------------------
// A relay in a temporary data directory

export interface Bed {
  readonly relay: FullRelay;
  readonly url: string;
  readonly dataDir: string;
  readonly clock: ManualClock;
  readonly enrollmentKey: string;
  /** Every JSON log line the relay wrote. */
  readonly logs: string[];
  readonly store: Store;
  /** Logs the agent in (once per bed) and opens a greeted agent WebSocket. */
  agent(): Promise<AgentSocket>;
  /** A fresh ticket for the agent endpoint. */
  ticket(): Promise<string>;
  /** Enrolls a device (real POST /v1/enroll) unless given credentials, and builds its session. */
  client(options?: ClientOptions & { credentials?: DeviceCredentials }): Promise<ClientProbe>;
  /** Ends every client session still open, then stops the relay. */
  stop(reason?: string): Promise<void>;
}

export const CONSENT_TIMEOUT_MS = 45_000;
/**
 * Tests move the relay's clock by minutes or days at once, far faster than pongs come back: with
 * the usual heartbeat every peer would look dead on the second ping and be cut.
 */
const HEARTBEAT_OUT_OF_REACH_MS = 100 * 365 * 24 * 60 * 60_000;

export interface BedOptions {
  readonly dataDir?: string;
  readonly enrollmentKey?: string;
  readonly port?: number;
  readonly hub?: FullRelayOptions['hub'];
  readonly clock?: ManualClock;
}

export async function startBed(options: BedOptions = {}): Promise<Bed> {
  const dataDir = options.dataDir ?? tempDir();
  const enrollmentKey = options.enrollmentKey ?? (await seedDataDir(dataDir));
  const clock = options.clock ?? new ManualClock();
  const logs: string[] = [];
  const hub: Partial<Omit<HubOptions, 'store' | 'clock' | 'logger' | 'metrics'>> = {
    // Distinct from the 60 s resume window, so that a test can fire one and not the other.
    consentTimeoutMs: CONSENT_TIMEOUT_MS,
    ...options.hub,
  };
  const relay = await startRelayWithSessions({
    store: openStore(dataDir),
    retention: DEFAULT_RELAY_RETENTION,
    port: options.port ?? 0,
    clock,
    logger: createLogger({ write: (line) => logs.push(line), level: 'debug', clock }),
    hub,
    heartbeatMs: HEARTBEAT_OUT_OF_REACH_MS,
    // The relay's clock moves only when a test says so, so the ticket bucket would never refill.
    httpLimits: { ticketsPerAgent: { capacity: 1_000, refillMs: 1 } },
  });
  const probes: ClientProbe[] = [];
  const ticket = agentTickets(relay.url);
  return {
    relay,
    url: relay.url,
    dataDir,
    clock,
    enrollmentKey,
    logs,
    store: relay.context.store,
    ticket,
    agent: () => greetedAgent(relay.url, ticket),
    async client(clientOptions = {}) {
      const probe = await newClient(relay.url, enrollmentKey, clientOptions);
      probes.push(probe);
      return probe;
    },
    async stop(reason = 'test-over') {
      await Promise.all(probes.map((p) => p.session.end()));
      await relay.stop({ reason });
    },
  };
}

/** Logs the agent in on first use (a real POST /v1/agent/login), then hands out tickets. */
export function agentTickets(relayUrl: string): () => Promise<string> {
  const origin = relayUrl;
  let cookie: string | undefined;
  return async () => {
    if (cookie === undefined) {
      const login = await call(`${relayUrl}/v1/agent/login`, {
        method: 'POST',
        json: { email: AGENT_EMAIL, password: PASSWORD },
        headers: { origin },
      });
      if (login.status !== 204) throw new Error(`agent login answered ${login.status}`);
      cookie = sessionCookie(login);
    }
    const response = await call(`${relayUrl}/v1/agent/ticket`, {
      method: 'POST',
      headers: { cookie: `printo_session=${cookie}`, origin },
    });
    if (response.status !== 200) throw new Error(`ticket answered ${response.status}`);
    return (response.json as { ticket: string }).ticket;
  };
}

/** An agent WebSocket that has said hello and been welcomed. */
export async function greetedAgent(
  relayUrl: string,
  ticket: () => Promise<string>,
): Promise<AgentSocket> {
  const agent = await AgentSocket.open(relayUrl, await ticket(), relayUrl);
  agent.control({ type: 'hello', payload: {} });
  await agent.next('welcome');
  return agent;
}

/** Enrolls a device (a real POST /v1/enroll, unless credentials are given) and builds its session. */
export async function newClient(
  relayUrl: string,
  enrollmentKey: string,
  options: ClientOptions & { credentials?: DeviceCredentials } = {},
): Promise<ClientProbe> {
  const credentials =
    options.credentials ??
    (await enroll(
      relayUrl,
      { enrollmentKey, deviceName: DEVICE_NAME },
      { signal: AbortSignal.timeout(WAIT_MS) },
    ));
  return new ClientProbe(relayUrl, credentials, options);
}

// ---------------------------------------------------------------------------------------------
// The agent: raw frames over ws

export type AgentFrame = Framed<RelayToAgentMessage>;
type AgentFrameOf<T extends AgentFrame['type']> = Extract<AgentFrame, { type: T }>;

/**
 * One raw WebSocket peer of the relay (an agent, or a client written from the protocol alone),
 * speaking frames by hand: every frame from the relay decoded with the protocol's schema for
 * this role, acknowledged like a real peer would.
 */
export class FrameSocket<
  F extends { type: string; seq: number; payload: unknown },
  M extends { type: string; payload: unknown },
> {
  readonly socket: WebSocket;
  /** Every frame from the relay, decoded with the protocol's schema, in arrival order. */
  readonly frames: F[] = [];
  /**
   * Frames the relay's schema for this role refuses (a relay bug): each fails the wait in
   * progress and every later one, and the run.
   */
  readonly violations: ProtocolViolation[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  closeCode: number | null = null;
  /** Highest relay seq received: the cumulative ack, and `lastSeq` to resume. */
  lastSeq = 0;
  private outSeq = 0;
  private cursor = 0;
  private ackQueued = false;
  private readonly waiters = new Set<{ check: () => boolean; fail: (why: string) => void }>();

  private readonly schema: z.ZodType<{ type: string; payload: unknown }>;
  private readonly role: string;

  protected constructor(
    socket: WebSocket,
    schema: z.ZodType<{ type: string; payload: unknown }>,
    role: string,
  ) {
    this.socket = socket;
    this.schema = schema;
    this.role = role;
    // ws emits errors (a refused upgrade, a reset) besides closing: the close is what counts.
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      this.received(rawText(data));
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.closeCode = code;
        for (const waiter of this.waiters) waiter.fail(`the socket closed with ${code}`);
        this.waiters.clear();
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
  }

  /** Resolves once the socket is open; rejects with the HTTP status of a refused upgrade. */
  protected static opened<S extends { socket: WebSocket }>(peer: S, what: string): Promise<S> {
    return new Promise((resolve, reject) => {
      peer.socket.once('open', () => {
        resolve(peer);
      });
      peer.socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`${what} upgrade refused with ${response.statusCode ?? 0}`));
        peer.socket.terminate();
      });
      peer.socket.once('error', reject);
    });
  }

  private received(raw: string): void {
    let frame: F;
    try {
      frame = decodeRelayFrame(raw, this.schema, this.role) as unknown as F;
    } catch (error) {
      if (!(error instanceof ProtocolViolation)) throw error;
      this.violations.push(error);
      for (const waiter of this.waiters) waiter.fail(error.message);
      this.waiters.clear();
      failLater(error);
      return;
    }
    if (frame.seq > this.lastSeq) this.lastSeq = frame.seq;
    this.frames.push(frame);
    // Acknowledged like a real peer would, so that the relay's outbox does not just grow.
    if (frame.seq > 0) this.queueAck();
    for (const waiter of [...this.waiters]) if (waiter.check()) this.waiters.delete(waiter);
  }

  private queueAck(): void {
    if (this.ackQueued) return;
    this.ackQueued = true;
    queueMicrotask(() => {
      this.ackQueued = false;
      if (this.socket.readyState === WebSocket.OPEN)
        this.control({ type: 'ack', payload: {} } as Extract<M, { type: 'hello' | 'ack' }>);
    });
  }

  /** A sequenced frame; returns its id (the relay's `ref` in answers and errors). */
  send(message: M): string {
    this.outSeq += 1;
    const id = randomUUID();
    this.socket.send(
      encodeFrame(message, {
        id,
        seq: this.outSeq,
        ack: this.lastSeq,
        ts: new Date().toISOString(),
      }),
    );
    return id;
  }

  /** `hello` or `ack`: seq 0. */
  control(message: Extract<M, { type: 'hello' | 'ack' }>): void {
    this.socket.send(
      encodeFrame(message, {
        id: randomUUID(),
        seq: 0,
        ack: this.lastSeq,
        ts: new Date().toISOString(),
      }),
    );
  }

  /** Anything at all, as one text frame. */
  raw(text: string): void {
    this.socket.send(text);
  }

  /**
   * The next frame of `type` (matching `where`) after the last one `next` returned; frames in
   * between are skipped. Waits for it when it has not arrived yet.
   */
  next<T extends F['type']>(
    type: T,
    where?: (frame: Extract<F, { type: T }>) => boolean,
    timeoutMs = WAIT_MS,
  ): Promise<Extract<F, { type: T }>> {
    return this.nextWhere(
      (frame): frame is Extract<F, { type: T }> =>
        frame.type === type && (where === undefined || where(frame as Extract<F, { type: T }>)),
      type,
      timeoutMs,
    );
  }

  /** Like `next`, for any condition. */
  nextWhere<G extends F>(
    matches: (frame: F) => frame is G,
    what: string,
    timeoutMs = WAIT_MS,
  ): Promise<G> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = this.cursor; i < this.frames.length; i += 1) {
          const frame = this.frames[i];
          if (frame === undefined || !matches(frame)) continue;
          this.cursor = i + 1;
          resolve(frame);
          return true;
        }
        return false;
      };
      if (check()) return;
      const fail = (why: string): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        const got = this.frames.slice(this.cursor).map((f) => f.type);
        reject(
          new Error(`${this.role}: no ${what} (${why}); since the last one: ${got.join(', ')}`),
        );
      };
      const waiter = {
        check: () => {
          if (!check()) return false;
          clearTimeout(timer);
          return true;
        },
        fail,
      };
      const timer = setTimeout(() => {
        fail(`within ${timeoutMs} ms`);
      }, timeoutMs);
      const violation = this.violations[0];
      if (violation !== undefined) {
        fail(violation.message);
        return;
      }
      if (this.closeCode !== null) {
        fail(`the socket closed with ${this.closeCode}`);
        return;
      }
      this.waiters.add(waiter);
    });
  }

  /** Frames received from position `mark` (`frames.length` taken earlier) on. */
  since(mark: number): F[] {
    return this.frames.slice(mark);
  }

  async close(): Promise<void> {
    if (this.closeCode === null) this.socket.close(1000, 'done');
    await this.closed;
  }
}

export class AgentSocket extends FrameSocket<AgentFrame, AgentMessage> {
  /** The agent's id, from `welcome` ('' before it). */
  get agentId(): string {
    for (const frame of this.frames) if (frame.type === 'welcome') return frame.payload.agent.id;
    return '';
  }

  private constructor(socket: WebSocket) {
    super(socket, RelayToAgentMessageSchema, 'agent');
  }

  static open(relayUrl: string, ticket: string, origin: string): Promise<AgentSocket> {
    const socket = new WebSocket(wsUrl(relayUrl, `/v1/agent?ticket=${ticket}`), SUBPROTOCOL, {
      origin,
      perMessageDeflate: false,
    });
    // Listening from the start: the relay may speak before `open` has been handled.
    return FrameSocket.opened(new AgentSocket(socket), 'agent');
  }

  /** Sends `session.join` and waits for `session.joined`; throws with the error code if refused. */
  async join(
    target: { code: string } | { sessionId: string },
  ): Promise<AgentFrameOf<'session.joined'>> {
    const ref = this.send({ type: 'session.join', payload: target });
    const answer = await this.nextWhere(
      (f): f is AgentFrameOf<'session.joined' | 'error'> =>
        f.type === 'session.joined' || (f.type === 'error' && f.payload.ref === ref),
      'answer to session.join',
    );
    if (answer.type === 'error') throw new Error(`join refused: ${answer.payload.code}`);
    return answer;
  }

  /** The error answering the frame `ref`. */
  errorFor(ref: string): Promise<AgentFrameOf<'error'>> {
    return this.next('error', (e) => e.payload.ref === ref);
  }

  /** Sends a chat message; resolves with the agent's own copy (the one whose `ref` is ours). */
  async chat(text: string): Promise<AgentFrameOf<'chat.message'>> {
    const ref = this.send({ type: 'chat.send', payload: { text } });
    return this.next('chat.message', (m) => m.payload.from === 'agent' && m.payload.ref === ref);
  }
}

/** A client speaking raw frames with a device's credentials: what an independent client sends. */
export class RawClientSocket extends FrameSocket<ClientFrame, ClientMessage> {
  private constructor(socket: WebSocket) {
    super(socket, RelayToClientMessageSchema, 'client');
  }

  static open(relayUrl: string, credentials: DeviceCredentials): Promise<RawClientSocket> {
    const basic = Buffer.from(`${credentials.deviceId}:${credentials.deviceSecret}`).toString(
      'base64',
    );
    const socket = new WebSocket(wsUrl(relayUrl, '/v1/client'), SUBPROTOCOL, {
      headers: { authorization: `Basic ${basic}` },
      perMessageDeflate: false,
    });
    return FrameSocket.opened(new RawClientSocket(socket), 'client');
  }
}

// ---------------------------------------------------------------------------------------------
// The client: the real session library, with its sockets in view

export type ClientFrame = Framed<RelayToClientMessage>;

export interface ClientOptions {
  /** What the user grants at once; `'later'` leaves the prompt open for `answerConsent`. */
  readonly grant?: readonly Scope[] | 'later';
  /** How the user answers proposed actions. */
  readonly actions?: (action: ProposedAction) => 'approve' | 'decline';
  readonly data?: (kind: DataKind) => Data;
}

export const printersData = (): Data => ({
  kind: 'printers',
  printers: [
    makePrinter({
      name: 'Floor2',
      connection: { uri: 'ipp://192.0.2.7:631/ipp/print', port: 'IP_192.0.2.7' },
    }),
  ],
});

export class ClientProbe {
  readonly session: SupportSession;
  readonly credentials: DeviceCredentials;
  /** Every WebSocket the library opened, in order. */
  readonly sockets: WebSocket[] = [];
  /** Every frame the relay sent to this client, on any of its connections. */
  readonly frames: ClientFrame[] = [];
  /** The same, per connection (index as in `sockets`). */
  readonly framesBySocket: ClientFrame[][] = [];
  /** Close codes of the library's connections, in order. */
  readonly closeCodes: number[] = [];
  readonly chats: ChatMessage[] = [];
  readonly ends: SessionEnd[] = [];
  readonly states: SessionState[] = [];
  readonly consents: { request: ConsentRequest; answer: (granted: readonly Scope[]) => void }[] =
    [];
  readonly dataCalls: DataKind[] = [];
  readonly actionCalls: ProposedAction[] = [];
  readonly refused: LocalRefusal[] = [];
  readonly relayErrors: RelayError[] = [];
  /** Frames the relay sent this client that its schema refuses (a relay bug): they fail waits. */
  readonly violations: ProtocolViolation[] = [];
  /** Called with each chat as it arrives (before the test sees it). */
  onChat: ((message: ChatMessage) => void) | null = null;

  constructor(relayUrl: string, credentials: DeviceCredentials, options: ClientOptions) {
    this.credentials = credentials;
    const { sockets, frames, framesBySocket, closeCodes, violations } = this;
    // The library's own WebSocket, with the test listening in on what arrives and how it closes.
    class ObservedWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
        const mine: ClientFrame[] = [];
        framesBySocket.push(mine);
        this.on('message', (data) => {
          let frame: ClientFrame;
          try {
            frame = decodeRelayFrame(rawText(data), RelayToClientMessageSchema, 'client');
          } catch (error) {
            if (!(error instanceof ProtocolViolation)) throw error;
            violations.push(error);
            failLater(error);
            return;
          }
          frames.push(frame);
          mine.push(frame);
        });
        this.on('close', (code) => closeCodes.push(code));
      }
    }
    this.session = new SupportSession({
      relayUrl,
      credentials,
      deviceName: DEVICE_NAME,
      // A subclass has one constructor signature where ws declares three overloads.
      WebSocketImpl: ObservedWebSocket as unknown as typeof WebSocket,
      // Reconnect fast: the tests drop connections on purpose.
      backoff: { initialMs: 20, maxMs: 200 },
      random: () => 0,
      callbacks: {
        onConsentRequest: (request): Promise<ConsentAnswer> =>
          new Promise((resolve) => {
            const answer = (granted: readonly Scope[]): void => {
              resolve({ granted, noticeShown: request.notice.text });
            };
            this.consents.push({ request, answer });
            if (options.grant !== 'later') answer(options.grant ?? ['chat']);
          }),
        onDataRequest: (kind) => {
          this.dataCalls.push(kind);
          return Promise.resolve((options.data ?? printersData)(kind));
        },
        onActionRequest: (action: ProposedAction, context: ActionContext) => {
          this.actionCalls.push(action);
          const decision = options.actions?.(action) ?? 'decline';
          if (decision === 'decline') {
            return Promise.resolve<ActionResult>({ outcome: 'declined', message: 'Not now.' });
          }
          if (!context.approve()) return Promise.resolve<ActionResult>({ outcome: 'declined' });
          return Promise.resolve<ActionResult>({ outcome: 'done', message: 'Done.' });
        },
        onChat: (message) => {
          this.onChat?.(message);
          this.chats.push(message);
        },
        onEnded: (end) => this.ends.push(end),
        onState: (state) => this.states.push(state),
      },
    });
    this.session.on('refused', (refusal) => this.refused.push(refusal));
    this.session.on('relay-error', (error) => this.relayErrors.push(error));
  }

  /** Frames from position `mark` (`frames.length` taken earlier) on. */
  since(mark: number): ClientFrame[] {
    return this.frames.slice(mark);
  }

  /** The TCP socket under the library's current WebSocket (ws keeps it in `_socket`). */
  tcpSocket(): Socket {
    const current = this.sockets.at(-1);
    if (current === undefined) throw new Error('the client has no socket');
    return (current as unknown as { _socket: Socket })._socket;
  }

  /** `until`, failing at once with the relay's first frame that violated the protocol. */
  async until(condition: () => boolean, what: string): Promise<void> {
    await until(() => {
      const violation = this.violations[0];
      if (violation !== undefined) throw violation;
      return condition();
    }, what);
  }

  async waitForState(state: SessionState): Promise<void> {
    await this.until(() => this.session.state === state, `client state ${state}`);
  }

  async waitForEnd(): Promise<SessionEnd> {
    await this.until(() => this.ends.length > 0, 'the client session to end');
    const end = this.ends[0];
    if (end === undefined) throw new Error('unreachable');
    return end;
  }
}

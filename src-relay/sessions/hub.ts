/**
 * The session hub: where a client's request for help meets an agent, consent is asked and
 * enforced, and chat, data requests and proposed actions are routed. Transport-neutral: it talks
 * to peers through `PeerConnection` (ws.ts adapts a WebSocket) and to storage through the Store
 * port. Everything the agent sends is checked against the scopes the user granted before it
 * reaches the client; nothing but the join request passes before a grant.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { redactData, redactText } from '../../src-shared/privacy/redact-data.ts';
import { ALL_SCOPES, CloseCode, LIMITS } from '../../src-shared/protocol/v1.ts';
import type {
  AgentMessage,
  ClientMessage,
  DataKind,
  ErrorCode,
  Scope,
} from '../../src-shared/protocol/v1.ts';
import { agentServesOrg } from '../server/agent-scope.ts';
import type { Clock, TimerHandle } from '../../src-shared/clock.ts';
import type { AgentIdentity, ClientIdentity, Logger, Metrics } from '../server/contracts.ts';
import type { ChatRecord, ConsentKind, SessionState, Store } from '../store/store.ts';
import { errorFields } from '../server/logger.ts';
import { answerMismatch } from './answers.ts';
import type { Pending } from './answers.ts';
import { GuessLimiter, newSessionCode } from './codes.ts';
import { noticeDigest } from './consent-notice.ts';
import { decodeAgentFrame, decodeClientFrame } from './inbound.ts';
import { Stream } from './stream.ts';
import { TokenBucket } from './token-bucket.ts';

/** What the hub needs of a connection. */
export interface PeerConnection {
  send(frame: string): void;
  close(code: number, reason: string): void;
  readonly remoteAddress: string;
}

export interface HubOptions {
  readonly store: Store;
  /** Time and every timer of the hub (time-outs, resume windows, the chat batch's turn). */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Shown to the user before consenting, with the chat retention period (docs/privacy.md). */
  readonly notice: { readonly text: string; readonly retentionDays: number };
  readonly consentTimeoutMs?: number;
  readonly resumeWindowMs?: number;
  readonly codeTtlMs?: number;
  /** Chat token bucket per connection; default 10 at once, then 2 per second. */
  readonly chatRate?: { readonly burst: number; readonly perSecond: number };
}

/** After this many bad frames a connection is closed with 1008; other sessions never notice. */
const MAX_BAD_FRAMES = 5;
/** Rate-limit rejections tolerated before the connection is closed with 4005. */
const MAX_RATE_REJECTIONS = 20;

type Role = 'client' | 'agent';

interface LiveSession {
  readonly id: string;
  readonly orgId: string;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly description: string;
  state: SessionState;
  code: string | null;
  codeExpiresAt: number;
  agent: AgentIdentity | null;
  requested: Scope[];
  granted: Scope[];
  consentRequestId: string | null;
  consentTimer: TimerHandle | undefined;
  /** Ends the session with `code-expired` if nobody has joined when the code expires. */
  codeTimer: TimerHandle | undefined;
  readonly client: Stream;
  agentStream: Stream | null;
  readonly pending: Map<string, Pending>;
  chatSeq: number;
  readonly tokens: { client: string; agent: string | null };
  dropTimers: { client: TimerHandle | undefined; agent: TimerHandle | undefined };
  readonly createdAt: number;
}

interface Peer {
  readonly role: Role;
  readonly connection: PeerConnection;
  readonly client?: ClientIdentity;
  readonly agent?: AgentIdentity;
  stream: Stream;
  session: LiveSession | null;
  badFrames: number;
  rateRejections: number;
  readonly chatBucket: TokenBucket;
  greeted: boolean;
  closed: boolean;
}

const REQUIRED_SCOPE: Readonly<Record<DataKind, Scope>> = {
  printers: 'printers.read',
  jobs: 'printers.read',
  diagnostics: 'diagnostics.read',
};

export class SessionHub {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly byCode = new Map<string, LiveSession>();
  private readonly peers = new Set<Peer>();
  private readonly guesses = new GuessLimiter(20, 60 * 60_000);
  private readonly options: HubOptions;
  private shuttingDown = false;
  /** Timers that forget expired codes (createSession); cleared on shutdown so none outlives it. */
  private readonly forgetTimers = new Set<TimerHandle>();
  private readonly noticeDigest: string;

  constructor(options: HubOptions) {
    this.options = options;
    this.noticeDigest = noticeDigest(options.notice.text);
    // Sessions left open by a crash cannot be resumed: end them, with the reason, in the store.
    for (const session of options.store.listSessions()) {
      if (session.state !== 'ended') {
        options.store.updateSession(session.id, {
          state: 'ended',
          endedAt: this.nowIso(),
          endReason: 'relay-restart',
        });
      }
    }
  }

  private now(): number {
    return this.options.clock.now();
  }

  private nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  private nowDate(): Date {
    return new Date(this.now());
  }

  /**
   * Chat of one event-loop turn is written in one transaction at the end of the turn, and only
   * then forwarded: a commit per message was most of the relay's cost per message, and the
   * company's copy must hold everything that was delivered. The text is redacted before it is
   * queued. Every other store write, any other message, and shutdown flush the batch first, so
   * the store's order and the peers' order are the relay's order.
   */
  private chatBatch: { record: ChatRecord; deliver: () => void; refuse: () => void }[] = [];
  private flushScheduled = false;

  private queueChat(record: ChatRecord, deliver: () => void, refuse: () => void): void {
    this.chatBatch.push({ record, deliver, refuse });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.options.clock.setImmediate(() => {
      this.flushChat();
    });
  }

  /** Writes the pending chat, then delivers it. A failing store refuses it; never a crash. */
  flushChat(): void {
    this.flushScheduled = false;
    const batch = this.chatBatch;
    if (batch.length === 0) return;
    this.chatBatch = [];
    try {
      this.options.store.appendChats(batch.map((entry) => entry.record));
    } catch (error) {
      this.options.metrics.rejected('store-failed');
      this.options.logger.error('chat.store-failed', {
        messages: batch.length,
        ...errorFields(error),
      });
      for (const entry of batch) entry.refuse();
      return;
    }
    for (const entry of batch) entry.deliver();
  }

  /** The store, for anything but chat: pending chat is written first. */
  private get store(): Store {
    this.flushChat();
    return this.options.store;
  }

  /** Counts of live sessions by state, for /metrics. */
  stats(): Record<string, number> {
    const counts: Record<string, number> = { waiting: 0, 'awaiting-consent': 0, active: 0 };
    for (const session of this.sessions.values()) {
      counts[session.state] = (counts[session.state] ?? 0) + 1;
    }
    return counts;
  }

  private publishStats(): void {
    this.options.metrics.sessionsByState(this.stats());
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  /** A new authenticated connection. Returns the handlers the transport calls. */
  attach(
    connection: PeerConnection,
    identity: { role: 'client'; client: ClientIdentity } | { role: 'agent'; agent: AgentIdentity },
  ): { onFrame(raw: string): void; onClose(): void } {
    const peer: Peer = {
      role: identity.role,
      connection,
      ...(identity.role === 'client' ? { client: identity.client } : { agent: identity.agent }),
      stream: new Stream(),
      session: null,
      badFrames: 0,
      rateRejections: 0,
      chatBucket: new TokenBucket(
        this.options.chatRate?.burst ?? 10,
        this.options.chatRate?.perSecond ?? 2,
        this.now(),
      ),
      greeted: false,
      closed: false,
    };
    peer.stream.attach(connection);
    this.peers.add(peer);
    this.options.metrics.connectionOpened(peer.role);
    if (this.shuttingDown) {
      connection.close(CloseCode.tryAgainLater, 'relay is shutting down');
    }
    return {
      onFrame: (raw) => {
        this.onFrame(peer, raw);
      },
      onClose: () => {
        this.onClose(peer);
      },
    };
  }

  private onFrame(peer: Peer, raw: string): void {
    if (peer.closed) return;
    // The boundary: card numbers in any free text are masked before anything else sees it.
    const decoded = peer.role === 'client' ? decodeClientFrame(raw) : decodeAgentFrame(raw);
    if (!decoded.ok) {
      this.options.metrics.rejected(decoded.code);
      this.error(peer, decoded.code, decoded.message, decoded.id);
      if (decoded.code === 'unsupported-version') {
        this.closePeer(peer, CloseCode.unsupportedVersion, 'unsupported protocol version');
        return;
      }
      peer.badFrames += 1;
      if (peer.badFrames >= MAX_BAD_FRAMES) {
        this.closePeer(peer, CloseCode.policyViolation, 'too many malformed frames');
      }
      return;
    }
    const frame = decoded.frame;
    peer.stream.acknowledge(frame.ack);
    if (frame.type === 'ack') return;
    if (frame.type === 'hello') {
      this.hello(peer, frame.payload);
      return;
    }
    if (!peer.greeted) {
      this.error(peer, 'wrong-state', 'Send hello first.', frame.id);
      return;
    }
    if (!peer.stream.accept(frame.seq, frame.id)) {
      // A resend of something already handled: acknowledge it again, do nothing else.
      peer.stream.control({ type: 'ack', payload: {} }, this.nowDate());
      return;
    }
    const before = peer.stream.pending;
    // Anything but chat sees the chat before it in the store and on the wire first.
    if (frame.type !== 'chat.send') this.flushChat();
    try {
      if (peer.role === 'client')
        this.fromClient(peer, frame as ClientMessage & { id: string }, decoded.redacted);
      else this.fromAgent(peer, frame as AgentMessage & { id: string }, decoded.redacted);
    } catch (error) {
      // A store that fails (disk full, locked) must not take the relay, or other sessions, down.
      this.options.metrics.rejected('internal');
      this.options.logger.error('frame.failed', { frameType: frame.type, ...errorFields(error) });
      this.error(peer, 'internal', 'The relay could not handle this message; try again.', frame.id);
    }
    // Every sequenced frame is acknowledged: by the reply if there was one, else explicitly.
    // Chat is answered at the end of the turn (its echo, or an error), which carries the ack.
    if (
      peer.stream.pending === before &&
      frame.seq > 0 &&
      frame.type !== 'chat.send' &&
      this.isOpen(peer)
    ) {
      peer.stream.control({ type: 'ack', payload: {} }, this.nowDate());
    }
  }

  /** A method, not a field read: handlers above may have closed the peer. */
  private isOpen(peer: Peer): boolean {
    return !peer.closed;
  }

  private onClose(peer: Peer): void {
    if (peer.closed && !this.peers.has(peer)) return;
    peer.closed = true;
    this.peers.delete(peer);
    this.options.metrics.connectionClosed(peer.role);
    peer.stream.detach(peer.connection);
    const session = peer.session;
    if (session === null || session.state === 'ended') return;
    // The peer may come back with its resume token; until then its messages wait in the outbox.
    const window = this.options.resumeWindowMs ?? LIMITS.resumeWindowMs;
    const timer = this.options.clock.setTimeout(() => {
      if (session.state !== 'ended' && !this.streamOf(session, peer.role)?.connected) {
        this.endSession(
          session,
          'resume-window-expired',
          'relay',
          `The ${peer.role === 'client' ? 'user' : 'agent'} did not come back within ${window / 1000} s.`,
        );
      }
    }, window);
    session.dropTimers[peer.role] = timer;
  }

  private streamOf(session: LiveSession, role: Role): Stream | null {
    return role === 'client' ? session.client : session.agentStream;
  }

  /**
   * Closes every connection of an agent: its account was just disabled (4001), or its
   * organisation scope changed (4008: the connection holds the old scope; reconnect for the new
   * one). Its sessions wait for it as for any dropped agent, and end when the resume window
   * passes unless it may resume them: a disabled agent gets no ticket, and a session outside the
   * new scope is refused. Returns how many were closed.
   */
  disconnectAgent(agentId: string, why: 'disabled' | 'scope-changed' = 'disabled'): number {
    const closed =
      why === 'disabled'
        ? this.disconnect(
            (p) => p.agent?.agentId === agentId,
            CloseCode.authFailed,
            'agent disabled',
          )
        : this.disconnect(
            (p) => p.agent?.agentId === agentId,
            CloseCode.scopeChanged,
            'agent scope changed',
          );
    if (closed > 0)
      this.options.logger.info('agent.disconnected', { agentId, connections: closed, why });
    return closed;
  }

  /**
   * Closes the connections opened with the tickets of one web session (the agent logged out, or
   * the session expired) with 4001. As for a disabled agent, its sessions wait out the resume
   * window: a new login may resume them.
   */
  disconnectWebSession(webSessionId: string, reason: string): number {
    const closed = this.disconnect(
      (p) => p.agent?.webSessionId === webSessionId,
      CloseCode.authFailed,
      reason,
    );
    if (closed > 0) this.options.logger.info('agent.web-session-closed', { connections: closed });
    return closed;
  }

  /**
   * Closes every connection of a device (it was just revoked) with 4001. Its sessions wait for
   * it as for any dropped client, and end when the resume window passes: it cannot come back,
   * as the relay refuses a revoked device's credentials. Returns how many were closed.
   */
  disconnectDevice(deviceId: string): number {
    const closed = this.disconnect(
      (p) => p.client?.deviceId === deviceId,
      CloseCode.authFailed,
      'device revoked',
    );
    if (closed > 0)
      this.options.logger.info('device.disconnected', { deviceId, connections: closed });
    return closed;
  }

  /** Closes every open connection `matches` picks; returns how many. */
  private disconnect(matches: (peer: Peer) => boolean, code: number, reason: string): number {
    let closed = 0;
    for (const peer of [...this.peers]) {
      if (peer.closed || !matches(peer)) continue;
      this.closePeer(peer, code, reason);
      closed += 1;
    }
    return closed;
  }

  private closePeer(peer: Peer, code: number, reason: string): void {
    peer.closed = true;
    peer.connection.close(code, reason);
  }

  private error(peer: Peer, code: ErrorCode, message: string, ref?: string): void {
    // Errors are sequenced when the peer has a session stream, so they survive a resume.
    peer.stream.send(
      { type: 'error', payload: { code, message, ...(ref === undefined ? {} : { ref }) } },
      this.nowDate(),
    );
  }

  private hello(
    peer: Peer,
    payload: { resume?: { sessionId: string; token: string; lastSeq: number } | undefined },
  ): void {
    if (peer.greeted) {
      this.error(peer, 'wrong-state', 'hello was already sent on this connection.');
      return;
    }
    peer.greeted = true;
    const resume = payload.resume;
    if (resume === undefined) {
      peer.stream.control(this.welcome(peer), this.nowDate());
      if (peer.role === 'agent') this.sendQueue(peer);
      return;
    }
    const session = this.sessions.get(resume.sessionId);
    const token = peer.role === 'client' ? session?.tokens.client : session?.tokens.agent;
    const owner =
      session === undefined
        ? false
        : peer.role === 'client'
          ? session.deviceId === peer.client?.deviceId
          : session.agent?.agentId === peer.agent?.agentId &&
            peer.agent !== undefined &&
            agentServesOrg(peer.agent, session.orgId);
    const stream = session === undefined ? null : this.streamOf(session, peer.role);
    if (
      session === undefined ||
      session.state === 'ended' ||
      token !== resume.token ||
      !owner ||
      stream === null
    ) {
      this.options.metrics.rejected('resume-rejected');
      this.closePeer(peer, CloseCode.resumeRejected, 'session unknown, ended or not yours');
      return;
    }
    // Another live connection holds this stream: the newer one wins (a half-dead socket).
    for (const other of this.peers) {
      if (other !== peer && other.stream === stream) {
        other.stream.detach(other.connection);
        other.session = null;
        this.closePeer(other, CloseCode.replaced, 'replaced by a newer connection');
      }
    }
    this.options.clock.clearTimeout(session.dropTimers[peer.role]);
    peer.stream.detach(peer.connection);
    peer.stream = stream;
    peer.session = session;
    stream.attach(peer.connection);
    stream.control(
      this.welcome(peer, { sessionId: session.id, lastSeq: stream.lastInSeq }),
      this.nowDate(),
    );
    if (!stream.replay(resume.lastSeq)) {
      this.endSession(session, 'resume-window-expired', 'relay', 'Too much was missed to resume.');
      return;
    }
    this.options.logger.info('session.resumed', { sessionId: session.id, role: peer.role });
  }

  private welcome(
    peer: Peer,
    resumed?: { sessionId: string; lastSeq: number },
  ): { type: 'welcome'; payload: Record<string, unknown> } {
    const common = {
      heartbeatMs: LIMITS.heartbeatMs,
      limits: { maxFrameBytes: LIMITS.maxFrameBytes, maxChatChars: LIMITS.maxChatChars },
      ...(resumed === undefined ? {} : { resumed }),
    };
    return {
      type: 'welcome',
      payload:
        peer.role === 'client'
          ? { deviceId: peer.client?.deviceId ?? '', ...common }
          : { agent: this.agentInfo(peer), ...common },
    };
  }

  private agentInfo(peer: Peer): { id: string; name: string } {
    return { id: peer.agent?.agentId ?? '', name: peer.agent?.name ?? '' };
  }

  // -------------------------------------------------------------------------------------------
  // Client messages

  private fromClient(peer: Peer, frame: ClientMessage & { id: string }, redacted: boolean): void {
    const session = peer.session;
    switch (frame.type) {
      case 'hello':
      case 'ack':
        return;
      case 'help.request': {
        if (session !== null && session.state !== 'ended') {
          this.error(peer, 'wrong-state', 'This connection already has a session.', frame.id);
          return;
        }
        this.createSession(peer, frame.payload.description);
        return;
      }
      case 'consent.answer':
        this.consentAnswer(peer, frame.payload, frame.id);
        return;
      case 'consent.revoke': {
        if (session?.state !== 'active') {
          this.error(peer, 'wrong-state', 'Nothing has been granted in this session.', frame.id);
          return;
        }
        const revoked = frame.payload.scopes.filter((s) => session.granted.includes(s));
        session.granted = session.granted.filter((s) => !frame.payload.scopes.includes(s));
        this.store.updateSession(session.id, { grantedScopes: session.granted });
        this.receipt(session, 'revoke', `client:${session.deviceId}`, revoked, null);
        this.toBoth(session, { type: 'consent.state', payload: { granted: session.granted } });
        return;
      }
      case 'chat.send':
        this.chat(peer, frame.payload.text, frame.id, redacted);
        return;
      case 'data.response':
      case 'action.response':
        this.clientAnswer(peer, frame);
        return;
      case 'session.end':
        this.endByPeer(peer, frame.id);
        return;
    }
  }

  private createSession(peer: Peer, description: string): void {
    const client = peer.client;
    if (client === undefined) return;
    const id = randomUUID();
    let code = newSessionCode();
    while (this.byCode.has(code)) code = newSessionCode();
    const ttl = this.options.codeTtlMs ?? LIMITS.codeTtlMs;
    const session: LiveSession = {
      id,
      orgId: client.orgId,
      deviceId: client.deviceId,
      deviceName: client.deviceName,
      description,
      state: 'waiting',
      code,
      codeExpiresAt: this.now() + ttl,
      agent: null,
      requested: [],
      granted: [],
      consentRequestId: null,
      consentTimer: undefined,
      codeTimer: undefined,
      client: peer.stream,
      agentStream: null,
      pending: new Map(),
      chatSeq: 0,
      tokens: { client: randomBytes(24).toString('base64url'), agent: null },
      dropTimers: { client: undefined, agent: undefined },
      createdAt: this.now(),
    };
    this.store.createSession(
      { id, orgId: client.orgId, deviceId: client.deviceId, description },
      this.nowIso(),
    );
    this.sessions.set(id, session);
    this.byCode.set(code, session);
    peer.session = session;
    // The code is the request's life in the queue: unanswered when it expires, the session ends
    // (docs/protocol.md §5: waiting → ended, `code-expired`). Without this a client that stays
    // connected would wait forever, and its session would never become old enough to purge.
    session.codeTimer = this.options.clock.setTimeout(() => {
      if (session.state !== 'waiting') return;
      this.endSession(
        session,
        'code-expired',
        'relay',
        'Nobody joined before the session code expired. Ask for help again for a new code.',
      );
      // Remembered for one more period, so that an agent who types it late is told it expired
      // (join checks the expiry first) rather than that it is wrong, which would cost a guess.
      const forget = this.options.clock.setTimeout(() => {
        this.forgetTimers.delete(forget);
        if (this.byCode.get(code) === session) this.byCode.delete(code);
      }, ttl);
      this.forgetTimers.add(forget);
    }, ttl);
    peer.stream.send(
      {
        type: 'help.queued',
        payload: {
          sessionId: id,
          code,
          expiresAt: new Date(session.codeExpiresAt).toISOString(),
          resumeToken: session.tokens.client,
          notice: this.options.notice,
        },
      },
      this.nowDate(),
    );
    this.options.logger.info('session.created', { sessionId: id, orgId: client.orgId });
    this.publishStats();
  }

  private consentAnswer(
    peer: Peer,
    answer: { requestId: string; granted: Scope[]; noticeShown: string },
    ref: string,
  ): void {
    const session = peer.session;
    if (session?.state !== 'awaiting-consent' || session.consentRequestId !== answer.requestId) {
      this.error(peer, 'wrong-state', 'There is no consent request to answer.', ref);
      return;
    }
    this.options.clock.clearTimeout(session.consentTimer);
    session.consentRequestId = null;
    const granted = [...new Set(answer.granted)].filter((s) => session.requested.includes(s));
    // Consent is only valid for the notice the relay showed: the client echoes what it displayed,
    // and an echo that differs is recorded and refuses the grant (the user agreed to something
    // else, or nothing).
    const echo = answer.noticeShown === this.options.notice.text ? 'matched' : 'mismatched';
    if (echo === 'mismatched') {
      this.options.metrics.rejected('notice-mismatch');
      this.receipt(session, 'deny', `client:${session.deviceId}`, granted, echo);
      this.error(
        peer,
        'notice-mismatch',
        'The notice in the consent answer is not the one the relay sent, so nothing was granted. Show the notice from consent.request verbatim and echo it in noticeShown.',
        ref,
      );
      this.endSession(
        session,
        'consent-denied',
        'relay',
        'The consent answer did not echo the transcript notice, so nothing was granted.',
        false,
      );
      return;
    }
    if (granted.length === 0) {
      this.receipt(session, 'deny', `client:${session.deviceId}`, session.requested, echo);
      this.endSession(
        session,
        'consent-denied',
        `client:${session.deviceId}`,
        'The user did not give consent.',
        false,
      );
      return;
    }
    session.granted = granted;
    session.state = 'active';
    this.store.updateSession(session.id, { state: 'active', grantedScopes: granted });
    this.receipt(session, 'grant', `client:${session.deviceId}`, granted, echo);
    this.toBoth(session, { type: 'consent.state', payload: { granted } });
    this.publishStats();
  }

  private clientAnswer(
    peer: Peer,
    frame: Extract<ClientMessage, { type: 'data.response' | 'action.response' }> & { id: string },
  ): void {
    const session = peer.session;
    const pending = session?.pending.get(frame.payload.requestId);
    if (session === null || pending === undefined) {
      this.error(peer, 'no-session', 'No such request is open.', frame.id);
      return;
    }
    // An answer of the wrong kind, or about queues nobody asked for, is never forwarded; the
    // request stays open for a right answer.
    const mismatch = answerMismatch(pending, frame);
    if (mismatch !== null) {
      this.options.metrics.rejected('answer-mismatch');
      this.error(peer, 'answer-mismatch', mismatch, frame.id);
      return;
    }
    // "approved" is followed by "done" or "failed": the request stays open until then.
    const final = frame.type === 'data.response' || frame.payload.outcome !== 'approved';
    if (final) session.pending.delete(frame.payload.requestId);
    const agent = session.agentStream;
    if (agent === null || session.state !== 'active') return;
    // The grant may have narrowed since the request went out: apply it to what is forwarded,
    // free text included.
    const granted = session.granted;
    const payload = frame.payload;
    const data = payload.data === undefined ? undefined : redactData(payload.data, granted);
    if (frame.type === 'data.response') {
      if (pending.kind === 'data' && !granted.includes(REQUIRED_SCOPE[pending.dataKind])) return;
      const error = 'error' in payload ? payload.error : undefined;
      agent.send(
        {
          type: 'data.response',
          payload: {
            requestId: payload.requestId,
            ...(data === undefined ? {} : { data }),
            ...(error === undefined ? {} : { error: redactText(error, granted) }),
          },
        },
        this.nowDate(),
      );
    } else {
      const action = frame.payload;
      agent.send(
        {
          type: 'action.response',
          payload: {
            requestId: action.requestId,
            outcome: action.outcome,
            ...(action.message === undefined
              ? {}
              : { message: redactText(action.message, granted) }),
            ...(data === undefined ? {} : { data }),
          },
        },
        this.nowDate(),
      );
    }
    this.options.metrics.messageRelayed(frame.type);
  }

  // -------------------------------------------------------------------------------------------
  // Agent messages

  private fromAgent(peer: Peer, frame: AgentMessage & { id: string }, redacted: boolean): void {
    const session = peer.session;
    switch (frame.type) {
      case 'hello':
      case 'ack':
        return;
      case 'queue.list':
        this.sendQueue(peer);
        return;
      case 'session.join':
        this.join(peer, frame.payload, frame.id);
        return;
      case 'chat.send':
        this.chat(peer, frame.payload.text, frame.id, redacted);
        return;
      case 'data.request': {
        const kind = frame.payload.kind;
        if (!this.allowed(peer, REQUIRED_SCOPE[kind], frame.id)) return;
        if (session === null) return;
        const requestId = randomUUID();
        const printers = frame.payload.printers;
        session.pending.set(requestId, { kind: 'data', dataKind: kind, printers, ref: frame.id });
        peer.stream.send(
          { type: 'request.accepted', payload: { requestId, ref: frame.id } },
          this.nowDate(),
        );
        session.client.send(
          {
            type: 'data.request',
            payload: { requestId, kind, ...(printers === undefined ? {} : { printers }) },
          },
          this.nowDate(),
        );
        this.options.metrics.messageRelayed('data.request');
        return;
      }
      case 'action.propose': {
        if (!this.allowed(peer, 'actions', frame.id)) return;
        if (session === null) return;
        const requestId = randomUUID();
        session.pending.set(requestId, {
          kind: 'action',
          action: frame.payload.action,
          ref: frame.id,
        });
        peer.stream.send(
          { type: 'request.accepted', payload: { requestId, ref: frame.id } },
          this.nowDate(),
        );
        session.client.send(
          { type: 'action.request', payload: { requestId, action: frame.payload.action } },
          this.nowDate(),
        );
        this.options.metrics.messageRelayed('action.request');
        return;
      }
      case 'session.end':
        this.endByPeer(peer, frame.id);
        return;
    }
  }

  /** Either side may end the session at any moment; both are told. */
  private endByPeer(peer: Peer, ref: string): void {
    const session = peer.session;
    if (session === null || session.state === 'ended') {
      this.error(peer, 'no-session', 'There is no session to end.', ref);
      return;
    }
    if (peer.role === 'client') {
      this.endSession(
        session,
        'ended-by-client',
        `client:${session.deviceId}`,
        'The user ended the session.',
      );
    } else {
      this.endSession(
        session,
        'ended-by-agent',
        `agent:${peer.agent?.agentId ?? ''}`,
        'The agent ended the session.',
      );
    }
  }

  /** The consent gate on the relay side: active session, and the scope granted. */
  private allowed(peer: Peer, scope: Scope, ref: string): boolean {
    const session = peer.session;
    if (session === null || session.state === 'ended') {
      this.error(peer, 'no-session', 'Join a session first.', ref);
      return false;
    }
    if (session.state !== 'active') {
      this.options.metrics.rejected('before-consent');
      this.error(peer, 'not-allowed', 'The user has not given consent yet.', ref);
      return false;
    }
    if (!session.granted.includes(scope)) {
      this.options.metrics.rejected('scope-not-granted');
      this.error(peer, 'scope-not-granted', `The user has not granted "${scope}".`, ref);
      return false;
    }
    return true;
  }

  private sendQueue(peer: Peer): void {
    const agent = peer.agent;
    const waiting = [...this.sessions.values()]
      .filter((s) => s.state === 'waiting' && agent !== undefined && agentServesOrg(agent, s.orgId))
      .sort((a, b) => a.createdAt - b.createdAt)
      // A frame must stay under the size limit: the oldest requests first.
      .slice(0, 100)
      .map((s) => ({
        sessionId: s.id,
        description: s.description,
        deviceName: s.deviceName,
        since: new Date(s.createdAt).toISOString(),
      }));
    peer.stream.send({ type: 'queue.snapshot', payload: { sessions: waiting } }, this.nowDate());
  }

  private join(peer: Peer, target: { sessionId: string } | { code: string }, ref: string): void {
    const agent = peer.agent;
    if (agent === undefined) return;
    if (peer.session !== null && peer.session.state !== 'ended') {
      this.error(peer, 'wrong-state', 'Leave your current session first.', ref);
      return;
    }
    let session: LiveSession | undefined;
    if ('code' in target) {
      const now = this.now();
      const keys = [`agent:${agent.agentId}`, `addr:${peer.connection.remoteAddress}`];
      const wait = Math.max(...keys.map((key) => this.guesses.blockedFor(key, now)));
      if (wait > 0) {
        this.options.metrics.rejected('code-guessing');
        this.error(
          peer,
          'too-many-guesses',
          `Too many wrong session codes. Codes are 9 random digits, so guessing cannot work; try again in ${Math.ceil(wait / 60_000)} minutes.`,
          ref,
        );
        return;
      }
      const code = target.code.replace(/[\s-]/g, '');
      session = this.byCode.get(code);
      // Another organisation's code is a wrong code, and costs a guess: codes cannot be probed.
      if (session === undefined || !agentServesOrg(agent, session.orgId)) {
        for (const key of keys) this.guesses.recordFailure(key, now);
        this.options.metrics.rejected('code-invalid');
        this.error(
          peer,
          'code-invalid',
          'No session has this code. Check the 9 digits with the user.',
          ref,
        );
        return;
      }
      if (session.codeExpiresAt <= now) {
        this.error(
          peer,
          'code-expired',
          'This code has expired. Ask the user to request help again.',
          ref,
        );
        return;
      }
    } else {
      session = this.sessions.get(target.sessionId);
      // Another organisation's session does not exist, as far as this agent can tell.
      if (session === undefined || !agentServesOrg(agent, session.orgId)) {
        this.error(peer, 'no-session', 'No such session is waiting.', ref);
        return;
      }
    }
    if (session.state !== 'waiting') {
      this.error(peer, 'wrong-state', 'Another agent has already joined this session.', ref);
      return;
    }
    // Single use: the code is gone once an agent joins.
    if (session.code !== null) this.byCode.delete(session.code);
    session.code = null;
    this.options.clock.clearTimeout(session.codeTimer);
    session.agent = agent;
    session.state = 'awaiting-consent';
    session.requested = [...ALL_SCOPES];
    session.agentStream = peer.stream;
    session.tokens.agent = randomBytes(24).toString('base64url');
    peer.session = session;
    this.store.updateSession(session.id, {
      state: 'awaiting-consent',
      agentId: agent.agentId,
    });
    const requestId = randomUUID();
    session.consentRequestId = requestId;
    const timeout = this.options.consentTimeoutMs ?? LIMITS.consentTimeoutMs;
    peer.stream.send(
      {
        type: 'session.joined',
        payload: {
          sessionId: session.id,
          resumeToken: session.tokens.agent,
          description: session.description,
          deviceName: session.deviceName,
          requested: session.requested,
        },
      },
      this.nowDate(),
    );
    session.client.send(
      {
        type: 'consent.request',
        payload: {
          requestId,
          agent: { id: agent.agentId, name: agent.name },
          scopes: session.requested,
          notice: this.options.notice,
          expiresAt: new Date(this.now() + timeout).toISOString(),
        },
      },
      this.nowDate(),
    );
    // No answer is a denial (RustDesk's time-out once granted access: never here).
    session.consentTimer = this.options.clock.setTimeout(() => {
      if (session.state !== 'awaiting-consent') return;
      this.receipt(session, 'timeout', 'relay', session.requested, null);
      this.endSession(
        session,
        'consent-timed-out',
        'relay',
        'The user did not answer the consent request in time.',
        false,
      );
    }, timeout);
    this.options.logger.info('session.joined', { sessionId: session.id, agentId: agent.agentId });
    this.publishStats();
  }

  // -------------------------------------------------------------------------------------------
  // Shared

  /** `text` was masked at the boundary (inbound.ts); `redacted` says whether that changed it. */
  private chat(peer: Peer, text: string, ref: string, redacted: boolean): void {
    const session = peer.session;
    if (session === null || session.state === 'ended') {
      this.error(peer, 'no-session', 'There is no session to chat in.', ref);
      return;
    }
    if (session.state !== 'active' || !session.granted.includes('chat')) {
      this.options.metrics.rejected('scope-not-granted');
      this.error(
        peer,
        session.state === 'active' ? 'scope-not-granted' : 'not-allowed',
        'Chat is not allowed in this session now.',
        ref,
      );
      return;
    }
    if (!peer.chatBucket.take(this.now())) {
      this.options.metrics.rejected('rate-limited');
      this.error(peer, 'rate-limited', 'Too many messages at once; slow down.', ref);
      peer.rateRejections += 1;
      if (peer.rateRejections >= MAX_RATE_REJECTIONS)
        this.closePeer(peer, CloseCode.rateLimited, 'rate limited');
      return;
    }
    session.chatSeq += 1;
    const message = {
      messageId: randomUUID(),
      from: peer.role,
      name: peer.role === 'client' ? session.deviceName : (session.agent?.name ?? 'Agent'),
      text,
      at: this.nowIso(),
      redacted,
    } as const;
    this.queueChat(
      {
        sessionId: session.id,
        messageId: message.messageId,
        seq: session.chatSeq,
        from: message.from,
        senderName: message.name,
        text,
        redacted,
        at: message.at,
      },
      () => {
        if (session.state === 'ended') return;
        // The sender's copy says which of its frames it answers.
        const own = { type: 'chat.message', payload: { ...message, ref } };
        const other = { type: 'chat.message', payload: message };
        session.client.send(peer.role === 'client' ? own : other, this.nowDate());
        session.agentStream?.send(peer.role === 'agent' ? own : other, this.nowDate());
        this.options.metrics.messageRelayed('chat.message');
      },
      () => {
        this.error(
          peer,
          'internal',
          'The message could not be stored, so it was not sent; try again.',
          ref,
        );
      },
    );
  }

  private toBoth(session: LiveSession, message: { type: string; payload: unknown }): void {
    session.client.send(message, this.nowDate());
    session.agentStream?.send(message, this.nowDate());
  }

  /**
   * A consent receipt proves what the relay showed: its own notice (text and digest), never the
   * client's say-so, and for an answer whether the client's echo of it matched.
   */
  private receipt(
    session: LiveSession,
    kind: ConsentKind,
    actor: string,
    scopes: readonly Scope[],
    noticeEcho: 'matched' | 'mismatched' | null,
  ): void {
    this.store.addConsentReceipt({
      sessionId: session.id,
      kind,
      actor,
      scopes: [...scopes],
      notice: this.options.notice.text,
      noticeDigest: this.noticeDigest,
      noticeEcho,
      at: this.nowIso(),
    });
  }

  private endSession(
    session: LiveSession,
    reason:
      | 'ended-by-client'
      | 'ended-by-agent'
      | 'consent-denied'
      | 'consent-timed-out'
      | 'resume-window-expired'
      | 'relay-shutdown'
      | 'code-expired',
    actor: string,
    message: string,
    writeEndReceipt = true,
  ): void {
    if (session.state === 'ended') return;
    // Chat accepted before the end reaches both sides before they hear of the end.
    this.flushChat();
    session.state = 'ended';
    this.options.clock.clearTimeout(session.consentTimer);
    this.options.clock.clearTimeout(session.codeTimer);
    this.options.clock.clearTimeout(session.dropTimers.client);
    this.options.clock.clearTimeout(session.dropTimers.agent);
    // An expired code stays known for a while (see createSession); any other end forgets it.
    if (session.code !== null && reason !== 'code-expired') this.byCode.delete(session.code);
    session.pending.clear();
    this.store.updateSession(session.id, {
      state: 'ended',
      endedAt: this.nowIso(),
      endReason: reason,
    });
    if (writeEndReceipt) this.receipt(session, 'end', actor, session.granted, null);
    this.toBoth(session, { type: 'session.ended', payload: { reason, message } });
    this.sessions.delete(session.id);
    for (const peer of this.peers) if (peer.session === session) peer.session = null;
    this.options.logger.info('session.ended', { sessionId: session.id, reason });
    this.publishStats();
  }

  /** Graceful shutdown: every session ends with a reason, every connection closes with 1001. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const timer of this.forgetTimers) this.options.clock.clearTimeout(timer);
    this.forgetTimers.clear();
    for (const session of [...this.sessions.values()]) {
      this.endSession(session, 'relay-shutdown', 'relay', 'The relay is shutting down.');
    }
    for (const peer of [...this.peers])
      this.closePeer(peer, CloseCode.goingAway, 'relay shutting down');
    this.flushChat();
  }
}

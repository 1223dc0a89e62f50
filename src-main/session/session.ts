/**
 * The desktop client's support session: one help request, from asking to the end, across
 * dropped connections. This is the facade the UI calls; the parts live next to it (connection,
 * sequencing, grant, requests, consent-prompt, backoff, close-codes).
 *
 * Local enforcement is immediate: revoking or ending takes effect here before the relay hears of
 * it, and after the end no handler is called again, whatever the relay sends.
 */
import { PrintoError } from '../../src-shared/errors.ts';
import { decodeFrame } from '../../src-shared/protocol/frames.ts';
import {
  ClientMessageSchema,
  LIMITS,
  RelayToClientMessageSchema,
  ScopeSchema,
} from '../../src-shared/protocol/v1.ts';
import type {
  ClientMessage,
  Framed,
  RelayToClientMessage,
  Scope,
} from '../../src-shared/protocol/v1.ts';
import { Backoff, DEFAULT_BACKOFF } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { systemClock } from '../../src-shared/clock.ts';
import type { Clock, TimerHandle } from '../../src-shared/clock.ts';
import { classifyClose } from './close-codes.ts';
import type { CloseInfo } from './close-codes.ts';
import { Connection } from './connection.ts';
import type { WebSocketConstructor } from './connection.ts';
import { consentDeadlineMs, promptConsent } from './consent-prompt.ts';
import { Grant, canonical } from './grant.ts';
import { Listeners } from './listeners.ts';
import type { Listener } from './listeners.ts';
import { DEFAULT_PROXY_SETTING, proxyFor, relayAgent } from './proxy.ts';
import type { ProxyEnv, ProxySetting } from './proxy.ts';
import { relayEndpoints } from './relay-url.ts';
import { AgentRequests } from './requests.ts';
import { Sequencing } from './sequencing.ts';
import type { Outgoing } from './sequencing.ts';
import type {
  ChatMessage,
  DeviceCredentials,
  QueuedSession,
  SessionEnd,
  SessionEvents,
  SessionHandlers,
  SessionState,
} from './types.ts';

export interface SessionCallbacks extends SessionHandlers {
  onChat?: (message: ChatMessage) => void;
  onState?: (state: SessionState) => void;
  onEnded?: (end: SessionEnd) => void;
  onGrant?: (granted: readonly Scope[]) => void;
}

export interface SupportSessionOptions {
  /** `https://relay.example.com` (plain `http:` only to loopback). */
  readonly relayUrl: string;
  readonly credentials: DeviceCredentials;
  /**
   * This computer's name, for the app's own display. The relay knows the enrolled name; v1 has
   * no field to send another one.
   */
  readonly deviceName: string;
  readonly callbacks: SessionCallbacks;
  readonly clock?: Clock;
  /** In [0, 1); the back-off jitter. */
  readonly random?: () => number;
  readonly WebSocketImpl?: WebSocketConstructor;
  readonly backoff?: Partial<BackoffOptions>;
  /**
   * How long the user has to answer a consent request (policy `consentTimeoutSeconds`); the
   * relay's own deadline wins when it is sooner. Default: the relay's deadline.
   */
  readonly consentTimeoutMs?: number;
  /** The policy's `proxy` (src-main/session/proxy.ts); default `system`. */
  readonly proxy?: ProxySetting | undefined;
  /** Where `system` reads HTTPS_PROXY and NO_PROXY; default process.env. */
  readonly env?: ProxyEnv | undefined;
}

/** Where the conversation is, independent of whether a connection is up right now. */
type Phase = 'idle' | 'asking' | 'waiting' | 'consent-pending' | 'active' | 'ended';

/** The relay answers `hello` at once; a silent one is a broken path, not a slow relay. */
const WELCOME_TIMEOUT_MS = 10_000;
/** After `session.end` or a denial, wait this long for the relay to confirm before closing. */
const END_GRACE_MS = 5_000;
/** A relay that neither pings nor sends for two heartbeats and this much is gone. */
const SILENCE_GRACE_MS = 5_000;
/** Chat messages waiting for an acknowledgement; beyond this the relay is not keeping up. */
const MAX_UNACKED = 1_000;

export class SupportSession {
  readonly deviceName: string;
  private readonly endpoint: URL;
  private readonly credentials: DeviceCredentials;
  private readonly callbacks: SessionCallbacks;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly WebSocketImpl: WebSocketConstructor | undefined;
  private readonly consentTimeoutMs: number;
  private readonly proxy: ProxySetting;
  private readonly env: ProxyEnv;
  private readonly grant = new Grant();
  private readonly requests: AgentRequests;
  private readonly listeners = new Listeners<SessionEvents>();

  private phase: Phase = 'idle';
  private reported: SessionState = 'idle';
  private sequencing = new Sequencing();
  private connection: Connection | null = null;
  private welcomed = false;
  private everWelcomed = false;
  /** Since when no connection has been up; the resume window counts from here. */
  private droppedAt: number | null = null;
  private retryTimer: TimerHandle | undefined = undefined;
  private welcomeTimer: TimerHandle | undefined = undefined;
  private graceTimer: TimerHandle | undefined = undefined;
  private ackQueued = false;
  private ackForced = false;
  private ackedUpTo = 0;
  private maxChatChars: number = LIMITS.maxChatChars;
  private maxFrameBytes: number = LIMITS.maxFrameBytes;

  private resume: { readonly sessionId: string; readonly token: string } | null = null;
  private queuedInfo: QueuedSession | null = null;
  private ask: {
    readonly description: string;
    readonly resolve: (queued: QueuedSession) => void;
    readonly reject: (error: Error) => void;
    frameId: string | null;
  } | null = null;
  private consent: { readonly requestId: string; readonly controller: AbortController } | null =
    null;
  private readonly answeredConsent = new Set<string>();
  private endInfo: SessionEnd | null = null;
  private closedPromise: Promise<void> | null = null;
  private resolveClosed: (() => void) | null = null;

  constructor(options: SupportSessionOptions) {
    this.endpoint = relayEndpoints(options.relayUrl).client;
    if (options.credentials.deviceId.includes(':')) {
      throw new PrintoError('credentials-invalid', 'A device id cannot contain ":".', {
        hint: 'Enrol this computer again.',
      });
    }
    this.credentials = options.credentials;
    this.deviceName = options.deviceName;
    this.callbacks = options.callbacks;
    this.clock = options.clock ?? systemClock;
    this.backoff = new Backoff(
      { ...DEFAULT_BACKOFF, ...options.backoff },
      options.random ?? Math.random,
    );
    this.WebSocketImpl = options.WebSocketImpl;
    this.consentTimeoutMs = options.consentTimeoutMs ?? Number.POSITIVE_INFINITY;
    this.proxy = options.proxy ?? DEFAULT_PROXY_SETTING;
    this.env = options.env ?? process.env;
    // A proxy setting that cannot be used fails here, not on every try to connect.
    proxyFor(this.proxy, this.endpoint, this.env);
    const { onChat, onState, onEnded, onGrant } = options.callbacks;
    if (onChat !== undefined) this.listeners.on('chat', onChat);
    if (onState !== undefined) this.listeners.on('state', onState);
    if (onEnded !== undefined) this.listeners.on('ended', onEnded);
    if (onGrant !== undefined) this.listeners.on('grant', onGrant);
    this.requests = new AgentRequests({
      grant: this.grant,
      handlers: options.callbacks,
      reply: (message) => {
        if (this.phase === 'ended') return;
        this.enqueue(message);
        this.emit(
          'activity',
          message.type === 'data.response'
            ? { type: 'data.sent', payload: message.payload }
            : { type: 'action.answered', payload: message.payload },
        );
      },
      fits: (message) =>
        // The envelope around the message is well under 256 bytes.
        Buffer.byteLength(JSON.stringify(message)) + 256 <= this.maxFrameBytes,
      refused: (refusal) => {
        this.emit('refused', refusal);
      },
    });
  }

  // -------------------------------------------------------------------------------------------
  // What the UI reads and calls

  get state(): SessionState {
    return this.derivedState();
  }

  /** What the agent may do right now, as this computer enforces it. */
  get grantedScopes(): readonly Scope[] {
    return this.grant.list;
  }

  get queued(): QueuedSession | null {
    return this.queuedInfo;
  }

  /** Why the session ended, once it has. */
  get ended(): SessionEnd | null {
    return this.endInfo;
  }

  /** Subscribes to a notification; returns the unsubscribe function. */
  on<K extends keyof SessionEvents>(event: K, listener: Listener<SessionEvents[K]>): () => void {
    return this.listeners.on(event, listener);
  }

  /** Connects and asks for help; resolves once the relay has queued the session with a code. */
  askForHelp(description: string): Promise<QueuedSession> {
    if (this.phase !== 'idle') {
      return Promise.reject(
        new PrintoError('session-started', 'This session has already asked for help.', {
          hint: 'Create a new SupportSession for a new request.',
        }),
      );
    }
    const checked = ClientMessageSchema.safeParse({
      type: 'help.request',
      payload: { description },
    });
    if (!checked.success || checked.data.type !== 'help.request') {
      return Promise.reject(
        new PrintoError(
          'description-invalid',
          `Describe the problem in 1 to ${LIMITS.maxDescriptionChars} characters.`,
        ),
      );
    }
    const trimmed = checked.data.payload.description;
    return new Promise((resolve, reject) => {
      this.ask = { description: trimmed, resolve, reject, frameId: null };
      this.phase = 'asking';
      this.reportState();
      this.connect();
    });
  }

  /** Sends a chat message; it is kept and sent again if the connection drops before the relay has it. */
  /**
   * Sends a chat message; returns its frame id, which comes back as `ref` in this computer's copy
   * of the `chat` event once the relay has stored and forwarded it.
   */
  sendChat(text: string): string {
    this.requireActive('chat');
    if (!this.grant.has('chat')) {
      throw new PrintoError(
        'chat-not-granted',
        'Chat is not part of what you allowed in this session.',
      );
    }
    const trimmed = text.trim();
    if (trimmed.length === 0 || trimmed.length > this.maxChatChars) {
      throw new PrintoError(
        'chat-invalid',
        `A chat message has 1 to ${this.maxChatChars} characters.`,
      );
    }
    if (this.sequencing.pending.length >= MAX_UNACKED) {
      throw new PrintoError('chat-backlog', 'Too many messages are waiting for the relay.', {
        hint: 'Wait for the connection to recover, then send again.',
      });
    }
    return this.enqueue({ type: 'chat.send', payload: { text: trimmed } }).id;
  }

  /** Takes scopes back at once: requests that need them are refused from now on. */
  revoke(scopes: readonly Scope[]): void {
    this.requireActive('revoke');
    const valid = canonical(scopes.filter((scope) => ScopeSchema.safeParse(scope).success));
    if (valid.length === 0) return;
    this.grant.revoke(valid);
    this.requests.revoked(valid);
    this.emit('grant', this.grant.list);
    this.emit('activity', { type: 'consent', decision: 'revoked', scopes: valid });
    this.enqueue({ type: 'consent.revoke', payload: { scopes: valid } });
  }

  /**
   * Ends the session now: locally at once (nothing more reaches a handler), then tells the relay
   * and resolves when it has confirmed or after a short grace period. The always-visible "end"
   * control of the UI calls this.
   */
  end(reason?: string): Promise<void> {
    if (this.phase === 'ended') return this.closedPromise ?? Promise.resolve();
    // Frames are ordered: once welcomed, session.end reaches the relay after our help.request,
    // so even a session the relay has created but not yet confirmed is ended, not left waiting.
    const canTell = this.welcomed && (this.resume !== null || this.ask !== null);
    if (canTell) {
      const trimmed = reason?.trim().slice(0, 200);
      this.enqueue({
        type: 'session.end',
        payload: trimmed === undefined || trimmed === '' ? {} : { reason: trimmed },
      });
    }
    this.finish({ reason: 'ended-by-client', message: 'You ended the session.' });
    if (canTell) return this.closeAfterGrace();
    // Not connected: nobody to tell. The relay ends a dropped session when its resume window
    // expires.
    this.connection?.close(1000, 'session ended');
    this.closedPromise = Promise.resolve();
    return this.closedPromise;
  }

  // -------------------------------------------------------------------------------------------
  // Connection life

  private connect(): void {
    this.clock.clearTimeout(this.retryTimer);
    this.welcomed = false;
    const connection: Connection = new Connection(
      this.endpoint,
      this.credentials,
      this.clock,
      {
        onOpen: () => {
          if (connection === this.connection) this.opened(connection);
        },
        onText: (raw) => {
          if (connection === this.connection) this.received(connection, raw);
        },
        onClose: (info) => {
          if (connection === this.connection) this.closed(info);
        },
      },
      this.WebSocketImpl,
      relayAgent(this.proxy, this.endpoint, this.env),
    );
    this.connection = connection;
  }

  private opened(connection: Connection): void {
    const resume =
      this.resume === null
        ? {}
        : { resume: { ...this.resume, lastSeq: this.sequencing.lastReceived } };
    connection.send(this.sequencing.control({ type: 'hello', payload: resume }, this.clock.now()));
    this.ackedUpTo = this.sequencing.lastReceived;
    this.welcomeTimer = this.clock.setTimeout(() => {
      connection.terminate();
    }, WELCOME_TIMEOUT_MS);
  }

  private closed(info: CloseInfo): void {
    this.connection = null;
    this.welcomed = false;
    this.clock.clearTimeout(this.welcomeTimer);
    if (this.phase === 'ended') {
      this.resolveClosed?.();
      return;
    }
    const verdict = classifyClose(info);
    if (!verdict.retry) {
      this.finish({
        reason: verdict.reason,
        message: verdict.message,
        ...(info.httpStatus === undefined ? { closeCode: info.code } : {}),
      });
      return;
    }
    const now = this.clock.now();
    this.droppedAt ??= now;
    this.reportState();
    const delay = this.backoff.next(verdict.rateLimited);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retry();
    }, delay);
  }

  private retry(): void {
    if (this.phase === 'ended') return;
    const elapsed = this.clock.now() - (this.droppedAt ?? this.clock.now());
    // The relay keeps a dropped session this long; after it, a resume is refused anyway.
    if (elapsed >= LIMITS.resumeWindowMs) {
      this.finish(
        this.resume === null
          ? {
              reason: 'relay-unreachable',
              message:
                'Cannot reach the support relay. Check the network connection and try again.',
            }
          : {
              reason: 'resume-window-expired',
              message:
                'The connection to the support relay was lost for too long; the session has ended.',
            },
      );
      return;
    }
    this.connect();
  }

  private received(connection: Connection, raw: string): void {
    const decoded = decodeFrame(raw, RelayToClientMessageSchema);
    if (!decoded.ok) {
      // The relay sent something this version does not understand: tell the app, skip it.
      this.emit('relay-error', {
        code: decoded.code,
        message: `From the relay: ${decoded.message}`,
      });
      return;
    }
    const frame = decoded.frame;
    if (!this.welcomed) {
      if (frame.type !== 'welcome') {
        this.emit('relay-error', {
          code: 'wrong-state',
          message: `Expected welcome, got ${frame.type}.`,
        });
        connection.terminate();
        return;
      }
      this.welcome(connection, frame);
      return;
    }
    this.sequencing.acknowledge(frame.ack);
    if (frame.seq > 0) {
      const fresh = this.sequencing.accept(frame.seq, frame.id);
      // Duplicates are acknowledged again: the relay resent them because it missed our ack.
      this.queueAck(!fresh);
      if (!fresh) return;
    }
    this.dispatch(frame);
  }

  private welcome(
    connection: Connection,
    frame: Framed<Extract<RelayToClientMessage, { type: 'welcome' }>>,
  ): void {
    this.clock.clearTimeout(this.welcomeTimer);
    const { payload } = frame;
    if (this.resume !== null) {
      if (payload.resumed?.sessionId !== this.resume.sessionId) {
        connection.close(1000, 'resume not confirmed');
        this.finish({
          reason: 'resume-rejected',
          message: 'The relay could not resume the session.',
        });
        return;
      }
    } else {
      // No session yet: nothing to resume, so this connection starts numbering afresh.
      this.sequencing = new Sequencing();
      this.ackedUpTo = 0;
    }
    this.welcomed = true;
    this.everWelcomed = true;
    this.droppedAt = null;
    this.backoff.reset();
    this.maxChatChars = Math.min(LIMITS.maxChatChars, payload.limits.maxChatChars);
    this.maxFrameBytes = Math.min(LIMITS.maxFrameBytes, payload.limits.maxFrameBytes);
    connection.expectTraffic(payload.heartbeatMs * 2 + SILENCE_GRACE_MS);
    if (payload.resumed !== undefined) {
      // Resend what the relay never got, in order, with the same ids and seqs.
      this.sequencing.acknowledge(payload.resumed.lastSeq);
      for (const outgoing of this.sequencing.pending) this.transmit(outgoing);
    } else if (this.ask !== null) {
      const outgoing = this.enqueue({
        type: 'help.request',
        payload: { description: this.ask.description },
      });
      this.ask.frameId = outgoing.id;
    }
    this.reportState();
  }

  // -------------------------------------------------------------------------------------------
  // The relay's messages

  private dispatch(frame: Framed<RelayToClientMessage>): void {
    if (this.phase === 'ended') {
      // After the end nothing reaches a handler. The relay's confirmation (or its error, when
      // there was no session to end) closes the socket.
      if (frame.type === 'session.ended' || frame.type === 'error') {
        this.connection?.close(1000, 'session ended');
      }
      return;
    }
    switch (frame.type) {
      case 'welcome':
      case 'ack':
        return;
      case 'help.queued':
        this.helpQueued(frame.payload, frame.ts);
        return;
      case 'consent.request':
        this.consentRequest(frame.payload, frame.ts);
        return;
      case 'consent.state': {
        const before = this.grant.list;
        this.grant.narrowTo(frame.payload.granted);
        const removed = before.filter((scope) => !this.grant.has(scope));
        if (removed.length > 0) {
          this.requests.revoked(removed);
          this.emit('grant', this.grant.list);
          this.emit('activity', { type: 'consent', decision: 'revoked', scopes: removed });
        }
        return;
      }
      case 'chat.message':
        // Without `chat` nobody chats (docs/protocol.md, scopes); the relay's own notes still show.
        if (frame.payload.from === 'agent' && !this.grant.has('chat')) return;
        this.emit('chat', frame.payload);
        return;
      case 'data.request':
        this.emit('activity', {
          type: 'data.requested',
          requestId: frame.payload.requestId,
          kind: frame.payload.kind,
          printers: frame.payload.printers ?? null,
        });
        void this.requests.data(
          frame.payload.requestId,
          frame.payload.kind,
          frame.payload.printers ?? null,
        );
        return;
      case 'action.request':
        this.emit('activity', {
          type: 'action.proposed',
          requestId: frame.payload.requestId,
          action: frame.payload.action,
        });
        void this.requests.action(frame.payload.requestId, frame.payload.action);
        return;
      case 'session.ended':
        this.finish({ reason: frame.payload.reason, message: frame.payload.message });
        this.connection?.close(1000, 'session ended');
        return;
      case 'error': {
        const { code, message, ref } = frame.payload;
        this.emit('relay-error', { code, message, ...(ref === undefined ? {} : { ref }) });
        if (this.ask !== null && ref !== undefined && ref === this.ask.frameId) {
          this.finish({ reason: 'help-refused', message });
          this.connection?.close(1000, 'help refused');
        }
        return;
      }
    }
  }

  private helpQueued(
    payload: Extract<RelayToClientMessage, { type: 'help.queued' }>['payload'],
    sentAt: string,
  ): void {
    if (this.ask === null || this.resume !== null) return;
    this.resume = { sessionId: payload.sessionId, token: payload.resumeToken };
    this.queuedInfo = {
      sessionId: payload.sessionId,
      code: payload.code,
      expiresAt: payload.expiresAt,
      // Measured on the relay's clock, counted on this one's: the two may differ.
      validUntil:
        this.clock.now() + Math.max(0, Date.parse(payload.expiresAt) - Date.parse(sentAt) || 0),
      notice: payload.notice,
    };
    const { resolve } = this.ask;
    this.ask = null;
    this.phase = 'waiting';
    this.reportState();
    resolve(this.queuedInfo);
  }

  private consentRequest(
    payload: Extract<RelayToClientMessage, { type: 'consent.request' }>['payload'],
    sentAt: string,
  ): void {
    const { requestId } = payload;
    // Asked once per request id: a resumed connection never prompts the user again.
    if (this.answeredConsent.has(requestId) || this.consent?.requestId === requestId) return;
    if (this.phase === 'asking') return;
    // A new request (another agent) starts from nothing: the earlier grant was not for them.
    this.consent?.controller.abort();
    if (this.grant.list.length > 0) {
      this.requests.revoked(this.grant.list);
      this.grant.clear();
      this.emit('grant', []);
    }
    const controller = new AbortController();
    this.consent = { requestId, controller };
    this.phase = 'consent-pending';
    this.reportState();
    const answerWithinMs = Math.min(
      consentDeadlineMs(payload.expiresAt, sentAt),
      this.consentTimeoutMs,
    );
    void promptConsent(
      this.callbacks.onConsentRequest.bind(this.callbacks),
      {
        requestId,
        agent: payload.agent,
        scopes: payload.scopes,
        notice: payload.notice,
        expiresAt: payload.expiresAt,
      },
      answerWithinMs,
      this.clock,
      controller,
    ).then((outcome) => {
      if (this.phase === 'ended' || this.consent?.requestId !== requestId) return;
      this.consent = null;
      this.answeredConsent.add(requestId);
      const granted = this.grant.answer(payload.scopes, outcome.granted);
      this.enqueue({
        type: 'consent.answer',
        payload: { requestId, granted, noticeShown: outcome.noticeShown },
      });
      this.emit('activity', {
        type: 'consent',
        decision: granted.length > 0 ? 'granted' : outcome.timedOut ? 'timed-out' : 'denied',
        scopes: granted,
        requestId,
        noticeShown: outcome.noticeShown,
      });
      if (granted.length > 0) {
        this.phase = 'active';
        this.emit('grant', granted);
        this.reportState();
        return;
      }
      // Denied (or no answer in time): over here at once; the relay confirms and closes.
      this.finish(
        outcome.timedOut
          ? {
              reason: 'consent-timed-out',
              message: 'No answer was given in time, so access was denied.',
            }
          : { reason: 'consent-denied', message: 'You denied access.' },
      );
      void this.closeAfterGrace();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  private enqueue(message: ClientMessage): Outgoing {
    const outgoing = this.sequencing.stamp(message, this.clock.now());
    if (this.welcomed) this.transmit(outgoing);
    return outgoing;
  }

  private transmit(outgoing: Outgoing): void {
    if (this.connection?.send(this.sequencing.encode(outgoing)) === true) {
      this.ackedUpTo = this.sequencing.lastReceived;
    }
  }

  /**
   * One `ack` for a burst of relay frames (ws delivers a burst synchronously), unless a frame of
   * ours carried the ack first.
   */
  private queueAck(force: boolean): void {
    this.ackForced ||= force;
    if (this.ackQueued) return;
    this.ackQueued = true;
    queueMicrotask(() => {
      const forced = this.ackForced;
      this.ackQueued = false;
      this.ackForced = false;
      if (!this.welcomed) return;
      if (!forced && this.ackedUpTo >= this.sequencing.lastReceived) return;
      this.connection?.send(
        this.sequencing.control({ type: 'ack', payload: {} }, this.clock.now()),
      );
      this.ackedUpTo = this.sequencing.lastReceived;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Ending

  /** Ends locally: every handler is stopped, no timer runs on, listeners hear why. */
  private finish(end: SessionEnd): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.endInfo = end;
    this.clock.clearTimeout(this.retryTimer);
    this.clock.clearTimeout(this.welcomeTimer);
    this.consent?.controller.abort();
    this.consent = null;
    this.requests.endAll();
    const hadGrant = this.grant.list.length > 0;
    this.grant.clear();
    if (this.ask !== null) {
      this.ask.reject(new PrintoError(end.reason, end.message));
      this.ask = null;
    }
    if (hadGrant) this.emit('grant', []);
    this.reportState();
    this.emit('ended', end);
  }

  /** Gives the relay a moment to confirm the end (and receive our last frames), then closes. */
  private closeAfterGrace(): Promise<void> {
    if (this.closedPromise !== null) return this.closedPromise;
    const connection = this.connection;
    if (connection === null) {
      this.closedPromise = Promise.resolve();
      return this.closedPromise;
    }
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = () => {
        this.clock.clearTimeout(this.graceTimer);
        resolve();
      };
      this.graceTimer = this.clock.setTimeout(() => {
        connection.close(1000, 'session ended');
        // Closing handshakes can hang on a dead path: do not make the caller wait for it.
        resolve();
      }, END_GRACE_MS);
    });
    return this.closedPromise;
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private requireActive(what: string): void {
    if (this.phase !== 'active') {
      throw new PrintoError(
        'session-not-active',
        this.phase === 'ended'
          ? `The session has ended; cannot ${what}.`
          : `Nothing has been allowed yet in this session; cannot ${what}.`,
      );
    }
  }

  private derivedState(): SessionState {
    switch (this.phase) {
      case 'idle':
      case 'ended':
        return this.phase;
      case 'asking':
        return this.welcomed || !this.everWelcomed ? 'connecting' : 'reconnecting';
      case 'waiting':
      case 'consent-pending':
      case 'active':
        return this.welcomed ? this.phase : 'reconnecting';
    }
  }

  private reportState(): void {
    const state = this.derivedState();
    if (state === this.reported) return;
    this.reported = state;
    this.emit('state', state);
  }

  private emit<K extends keyof SessionEvents>(event: K, value: SessionEvents[K]): void {
    this.listeners.emit(event, value);
  }
}

/**
 * The public types of the session library: what the app passes in and what it gets back. The wire
 * types come from src-shared/protocol/v1.ts; these are the app-facing shapes around them.
 */
import type { z } from 'zod';
import type {
  ClientMessage,
  ChatMessageSchema,
  DataKind,
  DataSchema,
  ProposedAction,
  RelayToClientMessage,
  Scope,
  TranscriptNoticeSchema,
} from '../../src-shared/protocol/v1.ts';

export type Data = z.infer<typeof DataSchema>;
export type ChatMessage = z.infer<typeof ChatMessageSchema>;
export type TranscriptNotice = z.infer<typeof TranscriptNoticeSchema>;

/** What `enroll` returns; the app keeps it in the OS keyring, this library never stores it. */
export interface DeviceCredentials {
  readonly deviceId: string;
  readonly deviceSecret: string;
}

/**
 * `idle → connecting → waiting → consent-pending → active → ended`, with `reconnecting` whenever
 * the connection dropped and the library is trying to resume.
 */
export type SessionState =
  'idle' | 'connecting' | 'waiting' | 'consent-pending' | 'active' | 'reconnecting' | 'ended';

/** Why a session ended: the relay's reasons, plus what only the client can observe. */
export type SessionEndReason =
  | Extract<RelayToClientMessage, { type: 'session.ended' }>['payload']['reason']
  /** The relay refused the device credentials (close 4001 or HTTP 401/403 on the upgrade). */
  | 'auth-failed'
  /** The relay would not resume the session (close 4006, or a welcome without `resumed`). */
  | 'resume-rejected'
  /** The relay does not speak `printo-support.v1` (close 4007 or no agreed subprotocol). */
  | 'unsupported-version'
  /** Another connection of this device took the session over (close 4004). */
  | 'replaced'
  /** The relay refused the help request (an `error` frame answering it). */
  | 'help-refused'
  /** No connection could be made within the resume window, before a session existed. */
  | 'relay-unreachable'
  /** The relay closed for a reason that retrying cannot fix (1008, 1009, 1000 without an end). */
  | 'closed-by-relay'
  /** The proxy on the way to the relay asks for credentials (407 to CONNECT). */
  | 'proxy-auth-required'
  /** The proxy refuses to connect to the relay by rule (403 to CONNECT, a SOCKS refusal). */
  | 'proxy-refused';

export interface SessionEnd {
  readonly reason: SessionEndReason;
  /** Plain language, for the user. */
  readonly message: string;
  /** The WebSocket close code, when the end came from one. */
  readonly closeCode?: number;
}

/** What `askForHelp` resolves with (from `help.queued`); the resume token stays inside. */
export interface QueuedSession {
  readonly sessionId: string;
  /** 9 digits, sent without spaces; show as `123 456 789`. */
  readonly code: string;
  readonly expiresAt: string;
  /**
   * When the code stops working, on this computer's clock (ms since the epoch): `expiresAt` is
   * the relay's time, and the two clocks may differ. Show this one.
   */
  readonly validUntil: number;
  /** The transcript notice and its retention period, to show while waiting. */
  readonly notice: TranscriptNotice;
}

export interface ConsentRequest {
  readonly requestId: string;
  readonly agent: { readonly id: string; readonly name: string };
  /** The scopes the agent asks for; the user may grant all, fewer, or none. */
  readonly scopes: readonly Scope[];
  readonly notice: TranscriptNotice;
  readonly expiresAt: string;
  /**
   * How long the user has to answer, from when the handler is called: the relay's deadline
   * measured on the relay's clock (expiresAt minus the frame's time), capped by the consent
   * time-out. Show a countdown from this, not from `expiresAt`: this computer's clock may differ
   * from the relay's.
   */
  readonly answerWithinMs: number;
  /** Aborted when the request can no longer be answered (deadline passed, session ended): close the prompt. */
  readonly signal: AbortSignal;
}

export interface ConsentAnswer {
  /** Empty: denied. Scopes not requested are dropped. */
  readonly granted: readonly Scope[];
  /** The notice exactly as the user saw it; it goes into the consent receipt. */
  readonly noticeShown: string;
}

export interface ActionContext {
  /** The relay's id of this proposal (it names the prompt in the activity feed). */
  readonly requestId: string;
  /**
   * Call when the user approved, before doing the action: the agent is told `approved` at once.
   * Returns false when the action may no longer be done (the `actions` scope was revoked or the
   * session ended): then do nothing and resolve `{ outcome: 'declined' }`.
   */
  approve(): boolean;
  readonly grantedScopes: readonly Scope[];
  /** Aborted when the `actions` scope is revoked or the session ends. */
  readonly signal: AbortSignal;
}

export type ActionResult =
  | { readonly outcome: 'declined'; readonly message?: string }
  | {
      readonly outcome: 'done' | 'failed';
      readonly message?: string;
      /** Redacted to the grant like a data response; left out if its read scope is not granted. */
      readonly data?: Data;
    };

/** The handlers that answer the relay: each is asked only for what the user granted. */
export interface SessionHandlers {
  onConsentRequest(request: ConsentRequest): Promise<ConsentAnswer>;
  /**
   * Collects data for the agent. The library redacts it to `grantedScopes` again before sending,
   * so the handler may return the full data. `printers` names the only queues the agent asked
   * about (null: all); the library drops any other from the answer, so it is a hint to collect
   * less (diagnostics for those printers only), not a rule the handler must enforce.
   */
  onDataRequest(
    kind: DataKind,
    grantedScopes: readonly Scope[],
    signal: AbortSignal,
    printers: readonly string[] | null,
  ): Promise<Data>;
  /**
   * Asks the user; on approval calls `context.approve()` (the agent hears `approved` at once),
   * then does the action and resolves `done` or `failed`. Resolving `declined` after approval is
   * sent as `failed`; resolving `done`/`failed` without approve() is sent as approved-then-result.
   */
  onActionRequest(action: ProposedAction, context: ActionContext): Promise<ActionResult>;
}

/** A request the library refused itself, without asking a handler (for the UI and the audit log). */
export interface LocalRefusal {
  readonly requestId: string;
  readonly type: 'data.request' | 'action.request';
  readonly missingScope: Scope;
}

export interface RelayError {
  readonly code: string;
  readonly message: string;
  readonly ref?: string;
}

/**
 * What happened between the agent and this computer, for the activity feed and the user's own
 * transcript copy: each request as it arrived, and each answer exactly as it left (redacted).
 */
export type SessionActivity =
  | {
      readonly type: 'consent';
      readonly decision: 'granted' | 'denied' | 'timed-out' | 'revoked';
      readonly scopes: readonly Scope[];
      /** The consent request answered (absent for a revocation). */
      readonly requestId?: string;
      /** The notice the user was shown (absent for a revocation). */
      readonly noticeShown?: string;
    }
  | {
      readonly type: 'data.requested';
      readonly requestId: string;
      readonly kind: DataKind;
      readonly printers: readonly string[] | null;
    }
  | { readonly type: 'data.sent'; readonly payload: DataResponsePayload }
  | {
      readonly type: 'action.proposed';
      readonly requestId: string;
      readonly action: ProposedAction;
    }
  | { readonly type: 'action.answered'; readonly payload: ActionResponsePayload };

export type DataResponsePayload = Extract<ClientMessage, { type: 'data.response' }>['payload'];
export type ActionResponsePayload = Extract<ClientMessage, { type: 'action.response' }>['payload'];

/** Notifications; subscribe with `session.on(name, listener)`, which returns the unsubscribe. */
export interface SessionEvents {
  activity: SessionActivity;
  state: SessionState;
  chat: ChatMessage;
  grant: readonly Scope[];
  ended: SessionEnd;
  refused: LocalRefusal;
  'relay-error': RelayError;
}

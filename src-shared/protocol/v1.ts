/**
 * Printo support protocol v1 (`printo-support.v1`): the frames the desktop client, the relay and
 * the Agent Console exchange over WebSocket. docs/protocol.md is the prose of this file; when the
 * two disagree, this file is right and the doc is a bug.
 */
import { z } from 'zod';
import { SESSION_ENDED_REASONS } from '../error-codes.ts';
import { DiagnosticsReportSchema, FixActionSchema } from '../model/diagnostics.ts';
import { JobSchema } from '../model/job.ts';
import { PrinterSchema } from '../model/printer.ts';

export const SUBPROTOCOL = 'printo-support.v1';
export const PROTOCOL_VERSION = 1;

/** Limits every implementation must respect (docs/protocol.md, Limits). */
export const LIMITS = {
  /** Largest frame, in bytes of UTF-8 JSON; larger frames close the connection with 1009. */
  maxFrameBytes: 64 * 1024,
  /** Longest chat message, in characters. */
  maxChatChars: 4_000,
  maxDescriptionChars: 500,
  /** The relay pings this often; a peer that misses a pong is dropped. */
  heartbeatMs: 20_000,
  /** A dropped peer may resume within this window without a new consent prompt. */
  resumeWindowMs: 60_000,
  /** No answer to a consent request within this time is a denial. */
  consentTimeoutMs: 60_000,
  /** A session code is valid this long, and only once. */
  codeTtlMs: 10 * 60_000,
} as const;

/** What an agent may do in a session (ARCHITECTURE.md, Consent). */
export const ScopeSchema = z.enum([
  'chat',
  'printers.read',
  'diagnostics.read',
  'device.identifiers',
  'jobs.metadata',
  'actions',
]);
export type Scope = z.infer<typeof ScopeSchema>;
export const ALL_SCOPES: readonly Scope[] = ScopeSchema.options;

/** WebSocket close codes: the standard ones used, and the protocol's own 4xxx. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  tryAgainLater: 1013,
  /** Authentication no longer holds: agent disabled or logged out, web session expired, device revoked. */
  authFailed: 4001,
  replaced: 4004,
  rateLimited: 4005,
  resumeRejected: 4006,
  unsupportedVersion: 4007,
  /** The agent's organisation scope changed: reconnect (new ticket) to work under the new one. */
  scopeChanged: 4008,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Stable codes of `error` frames. */
export const ErrorCodeSchema = z.enum([
  'bad-json',
  'bad-frame',
  'unknown-type',
  'not-allowed',
  'scope-not-granted',
  'no-session',
  'wrong-state',
  'code-invalid',
  'code-expired',
  'too-many-guesses',
  'rate-limited',
  'answer-mismatch',
  'notice-mismatch',
  'unsupported-version',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** 9 digits, shown as `123 456 789`; sent without spaces. */
export const SessionCodeSchema = z.string().regex(/^\d{9}$/);

const id = z.uuid();
const isoTime = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().trim().min(1).max(max);

// ---------------------------------------------------------------------------------------------
// Payloads shared by several messages

export const AgentInfoSchema = z.object({ id: z.string(), name: z.string() });

export const TranscriptNoticeSchema = z.object({
  /** The notice shown to the user before consenting, verbatim. */
  text: z.string(),
  /** How long the relay keeps the chat transcript, in days. */
  retentionDays: z.number().int().positive(),
});

export const ChatMessageSchema = z.object({
  messageId: id,
  from: z.enum(['client', 'agent', 'relay']),
  name: z.string(),
  text: z.string(),
  /** Relay time: the authoritative order is `seq`, this is for display. */
  at: isoTime,
  /** Card numbers were masked before this message was stored or forwarded. */
  redacted: z.boolean(),
  /**
   * In the sender's own copy only: the `id` of its `chat.send` frame, so that it can replace the
   * message it showed as pending with this one.
   */
  ref: id.optional(),
});

export const DataKindSchema = z.enum(['printers', 'jobs', 'diagnostics']);
export type DataKind = z.infer<typeof DataKindSchema>;

/**
 * Only these queues (by name) in a data request: the answer to one printer's questions, and the
 * way to ask for less when everything would not fit in one frame. Absent: all of them.
 */
export const PrinterFilterSchema = z.array(z.string().min(1).max(255)).min(1).max(50);

/** What the agent may ask the client to do: the diagnostics fix actions, or run diagnostics. */
export const ProposedActionSchema = z.union([
  FixActionSchema,
  z.object({ id: z.literal('run-diagnostics'), printers: z.array(z.string()).optional() }),
]);
export type ProposedAction = z.infer<typeof ProposedActionSchema>;

export const DataSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('printers'), printers: z.array(PrinterSchema) }),
  z.object({ kind: z.literal('jobs'), jobs: z.array(JobSchema) }),
  z.object({ kind: z.literal('diagnostics'), report: DiagnosticsReportSchema }),
]);

export const QueueEntrySchema = z.object({
  sessionId: id,
  description: z.string(),
  deviceName: z.string(),
  since: isoTime,
});

/** The client's answer to a data request; the relay forwards it to the agent as it is (redacted). */
export const DataResponsePayloadSchema = z.object({
  requestId: id,
  data: DataSchema.optional(),
  error: z.string().optional(),
});

/** The client's answer to a proposed action: approved, then done or failed; or declined. */
export const ActionResponsePayloadSchema = z.object({
  requestId: id,
  outcome: z.enum(['approved', 'declined', 'done', 'failed']),
  message: z.string().optional(),
  data: DataSchema.optional(),
});

// ---------------------------------------------------------------------------------------------
// Messages. Each has a `type` and a `payload`; the envelope is added below.

const message = <T extends string, P extends z.ZodType>(type: T, payload: P) =>
  z.object({ type: z.literal(type), payload });

const helloPayload = z.object({
  /** Present to resume a session after a dropped connection. */
  resume: z
    .object({ sessionId: id, token: z.string().min(16), lastSeq: z.number().int().min(0) })
    .optional(),
});

/** Client → relay. */
export const ClientMessageSchema = z.discriminatedUnion('type', [
  message('hello', helloPayload),
  message('ack', z.object({})),
  message('help.request', z.object({ description: text(LIMITS.maxDescriptionChars) })),
  message(
    'consent.answer',
    z.object({
      requestId: id,
      /** Empty: denied. A subset of the requested scopes: granted narrowed. */
      granted: z.array(ScopeSchema),
      /** The notice as it was shown, recorded in the consent receipt. */
      noticeShown: z.string(),
    }),
  ),
  message('consent.revoke', z.object({ scopes: z.array(ScopeSchema).min(1) })),
  message('chat.send', z.object({ text: text(LIMITS.maxChatChars) })),
  message('data.response', DataResponsePayloadSchema),
  message('action.response', ActionResponsePayloadSchema),
  message('session.end', z.object({ reason: z.string().max(200).optional() })),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/** Agent → relay. */
export const AgentMessageSchema = z.discriminatedUnion('type', [
  message('hello', helloPayload),
  message('ack', z.object({})),
  message('queue.list', z.object({})),
  message('session.join', z.union([z.object({ sessionId: id }), z.object({ code: z.string() })])),
  message('chat.send', z.object({ text: text(LIMITS.maxChatChars) })),
  message(
    'data.request',
    z.object({ kind: DataKindSchema, printers: PrinterFilterSchema.optional() }),
  ),
  message('action.propose', z.object({ action: ProposedActionSchema })),
  message('session.end', z.object({ reason: z.string().max(200).optional() })),
]);
export type AgentMessage = z.infer<typeof AgentMessageSchema>;

/** Why a session ended, as the relay says in `session.ended`. */
export const SessionEndedReasonSchema = z.enum(SESSION_ENDED_REASONS);

const ended = z.object({ reason: SessionEndedReasonSchema, message: z.string() });

/** Relay → client. */
export const RelayToClientMessageSchema = z.discriminatedUnion('type', [
  message(
    'welcome',
    z.object({
      deviceId: z.string(),
      heartbeatMs: z.number().int().positive(),
      limits: z.object({ maxFrameBytes: z.number().int(), maxChatChars: z.number().int() }),
      /** Set when the hello resumed a session; `lastSeq` is the last client seq the relay has. */
      resumed: z.object({ sessionId: id, lastSeq: z.number().int().min(0) }).optional(),
    }),
  ),
  message('ack', z.object({})),
  message(
    'help.queued',
    z.object({
      sessionId: id,
      code: SessionCodeSchema,
      expiresAt: isoTime,
      resumeToken: z.string(),
      notice: TranscriptNoticeSchema,
    }),
  ),
  message(
    'consent.request',
    z.object({
      requestId: id,
      agent: AgentInfoSchema,
      scopes: z.array(ScopeSchema).min(1),
      notice: TranscriptNoticeSchema,
      expiresAt: isoTime,
    }),
  ),
  message('consent.state', z.object({ granted: z.array(ScopeSchema) })),
  message('chat.message', ChatMessageSchema),
  message(
    'data.request',
    z.object({ requestId: id, kind: DataKindSchema, printers: PrinterFilterSchema.optional() }),
  ),
  message('action.request', z.object({ requestId: id, action: ProposedActionSchema })),
  message('session.ended', ended),
  message(
    'error',
    z.object({ code: ErrorCodeSchema, message: z.string(), ref: z.string().optional() }),
  ),
]);
export type RelayToClientMessage = z.infer<typeof RelayToClientMessageSchema>;

/** Relay → agent. */
export const RelayToAgentMessageSchema = z.discriminatedUnion('type', [
  message(
    'welcome',
    z.object({
      agent: AgentInfoSchema,
      heartbeatMs: z.number().int().positive(),
      limits: z.object({ maxFrameBytes: z.number().int(), maxChatChars: z.number().int() }),
      resumed: z.object({ sessionId: id, lastSeq: z.number().int().min(0) }).optional(),
    }),
  ),
  message('ack', z.object({})),
  message('queue.snapshot', z.object({ sessions: z.array(QueueEntrySchema) })),
  message(
    'session.joined',
    z.object({
      sessionId: id,
      resumeToken: z.string(),
      description: z.string(),
      deviceName: z.string(),
      requested: z.array(ScopeSchema),
    }),
  ),
  message('consent.state', z.object({ granted: z.array(ScopeSchema) })),
  message('chat.message', ChatMessageSchema),
  message('data.response', DataResponsePayloadSchema),
  message('action.response', ActionResponsePayloadSchema),
  /** The relay's answer to data.request / action.propose: the request id it assigned. */
  message('request.accepted', z.object({ requestId: id, ref: z.string() })),
  message('session.ended', ended),
  message(
    'error',
    z.object({ code: ErrorCodeSchema, message: z.string(), ref: z.string().optional() }),
  ),
]);
export type RelayToAgentMessage = z.infer<typeof RelayToAgentMessageSchema>;

// ---------------------------------------------------------------------------------------------
// Envelope

/**
 * Every frame: `{ v, type, id, seq, ack, ts, payload }`.
 * - `id`: the sender's UUID for the message; a receiver processes an id once (idempotence).
 * - `seq`: per direction and per session, 1, 2, 3…, set by the sender on every message except
 *   `hello`, `welcome` and `ack`, which carry 0. A receiver ignores a seq it has already seen.
 * - `ack`: the highest seq the sender has received from the other side (cumulative).
 * - `ts`: the sender's clock (the relay's time is authoritative for chat).
 */
export const EnvelopeSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.string().min(1).max(64),
  id,
  seq: z.number().int().min(0),
  ack: z.number().int().min(0),
  ts: isoTime,
  payload: z.unknown(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

export type Framed<M extends { type: string; payload: unknown }> = Omit<
  Envelope,
  'type' | 'payload'
> &
  M;

/** Messages that carry no seq and are not replayed. */
export const UNSEQUENCED_TYPES: ReadonlySet<string> = new Set(['hello', 'welcome', 'ack']);

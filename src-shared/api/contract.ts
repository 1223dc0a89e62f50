/**
 * ClientServices: the one contract every desktop front end calls — the Electron IPC bridge, the
 * browser shell's loopback WebSocket and `printo-help support` in a terminal. Declared once, as
 * zod schemas per method (arguments and result) and per event; the TypeScript types are inferred
 * from them, so the runtime check and the compile-time type cannot drift apart. (GitHub Desktop's
 * `ipc-shared.ts` declares its channels' types in one place; we add the schemas, because every
 * boundary validates — ARCHITECTURE.md.)
 *
 * Names are `area.verb`; a front end may present them as `api.printers.list()`. Every method takes
 * one object and resolves with one value; failures cross as a {@link ServiceError}.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../error-codes.ts';
import { DiagnosticsReportSchema, FixActionSchema } from '../model/diagnostics.ts';
import { JobSchema } from '../model/job.ts';
import { EffectivePolicyReportSchema, PolicyKeySchema } from '../model/policy.ts';
import { PrinterChangeSchema } from '../model/printer-change.ts';
import { PrinterSchema } from '../model/printer.ts';
import {
  ExportSchema,
  PurgeResultSchema,
  RecordFlagsPatchSchema,
  RecordRefSchema,
  StoredReportSummarySchema,
  StoredReportViewSchema,
  TranscriptSummarySchema,
  TranscriptViewSchema,
} from '../model/transcript.ts';
import {
  DeviceSessionListResponseSchema,
  ErasureResponseSchema,
  RectificationResponseSchema,
  SessionExportResponseSchema,
  SessionRightResponseSchema,
} from '../protocol/http.ts';
import {
  ActionResponsePayloadSchema,
  AgentInfoSchema,
  ChatMessageSchema,
  DataKindSchema,
  DataResponsePayloadSchema,
  LIMITS,
  PrinterFilterSchema,
  ProposedActionSchema,
  ScopeSchema,
  TranscriptNoticeSchema,
} from '../protocol/v1.ts';

// ---------------------------------------------------------------------------------------------
// Errors

/** How every failure crosses the contract: a stable code, what went wrong, what to do about it. */
export const ServiceErrorSchema = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  hint: z.string().nullable(),
});
export type ServiceError = z.infer<typeof ServiceErrorSchema>;

// ---------------------------------------------------------------------------------------------
// Shared shapes

const none = z.strictObject({});
const ok = z.strictObject({ ok: z.literal(true) });
const printerName = z.string().min(1).max(255);
const sessionId = z.string().min(1).max(200);
const isoTime = z.iso.datetime({ offset: true });

/** The support session's lifecycle, as the front end shows it. */
export const SupportStateSchema = z.enum([
  'idle',
  'connecting',
  'waiting',
  'consent-pending',
  'active',
  'reconnecting',
  'ended',
]);
export type SupportState = z.infer<typeof SupportStateSchema>;

/** The agent's consent request, waiting for the user's answer. */
export const PendingConsentSchema = z.strictObject({
  requestId: z.string(),
  agent: AgentInfoSchema,
  /** What the agent asks for. */
  scopes: z.array(ScopeSchema),
  /** Of those, what this computer's policy lets the user grant (allowedScopes). */
  grantable: z.array(ScopeSchema),
  notice: TranscriptNoticeSchema,
  /** When the request counts as denied. */
  expiresAt: isoTime,
});
export type PendingConsent = z.infer<typeof PendingConsentSchema>;

/** An action the agent proposed, waiting for the user's approval. */
export const PendingActionSchema = z.strictObject({
  requestId: z.string(),
  action: ProposedActionSchema,
  /** In plain words: "Resume the queue Office". */
  title: z.string(),
});
export type PendingAction = z.infer<typeof PendingActionSchema>;

/** Whether this computer keeps its own copy of the session, and if not, why (told before consent). */
export const LocalCopySchema = z.strictObject({
  kept: z.boolean(),
  /** Why not, in plain words (no keyring, turned off by policy…); null when kept. */
  reason: z.string().nullable(),
});

/** Everything a front end needs to draw the support screen; sent whole on every change. */
export const SupportSnapshotSchema = z.strictObject({
  state: SupportStateSchema,
  sessionId: z.string().nullable(),
  /** 9 digits; show as `123 456 789`. */
  code: z.string().nullable(),
  /** When the code stops working, on this computer’s clock. */
  codeExpiresAt: isoTime.nullable(),
  notice: TranscriptNoticeSchema.nullable(),
  agent: AgentInfoSchema.nullable(),
  granted: z.array(ScopeSchema),
  consent: PendingConsentSchema.nullable(),
  actions: z.array(PendingActionSchema),
  ended: z.strictObject({ reason: z.string(), message: z.string() }).nullable(),
  localCopy: LocalCopySchema,
});
export type SupportSnapshot = z.infer<typeof SupportSnapshotSchema>;

/** One line of the activity feed: what the agent asked for, and what left this computer. */
export const ActivitySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('consent'),
    at: isoTime,
    decision: z.enum(['granted', 'denied', 'timed-out', 'revoked']),
    scopes: z.array(ScopeSchema),
  }),
  z.strictObject({
    type: z.literal('data.requested'),
    at: isoTime,
    requestId: z.string(),
    kind: DataKindSchema,
    printers: PrinterFilterSchema.nullable(),
  }),
  /** Exactly what was sent, after redaction to the grant. */
  z.strictObject({
    type: z.literal('data.sent'),
    at: isoTime,
    kind: DataKindSchema,
    printers: PrinterFilterSchema.nullable(),
    payload: DataResponsePayloadSchema,
  }),
  z.strictObject({
    type: z.literal('refused'),
    at: isoTime,
    requestId: z.string(),
    request: z.enum(['data.request', 'action.request']),
    missingScope: ScopeSchema,
  }),
  z.strictObject({
    type: z.literal('action.proposed'),
    at: isoTime,
    requestId: z.string(),
    action: ProposedActionSchema,
    title: z.string(),
  }),
  z.strictObject({
    type: z.literal('action.answered'),
    at: isoTime,
    payload: ActionResponsePayloadSchema,
  }),
]);
export type Activity = z.infer<typeof ActivitySchema>;

export const EnrolmentSchema = z.strictObject({
  enrolled: z.boolean(),
  relayUrl: z.string().nullable(),
  deviceId: z.string().nullable(),
  /** Support is turned off by policy (`supportEnabled`). */
  supportEnabled: z.boolean(),
  /** The OS keyring: where credentials and the transcript key live. */
  keyring: z.strictObject({
    available: z.boolean(),
    code: z.string().nullable(),
    message: z.string().nullable(),
  }),
});
export type Enrolment = z.infer<typeof EnrolmentSchema>;

export const DiagnosticsProgressSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('started'), runId: z.string(), total: z.number().int() }),
  z.strictObject({
    type: z.literal('check-started'),
    runId: z.string(),
    checkId: z.string(),
    title: z.string(),
    printer: z.string().nullable(),
    done: z.number().int(),
    total: z.number().int(),
  }),
  z.strictObject({
    type: z.literal('check-finished'),
    runId: z.string(),
    checkId: z.string(),
    status: z.string(),
    printer: z.string().nullable(),
    done: z.number().int(),
    total: z.number().int(),
  }),
]);
export type DiagnosticsProgress = z.infer<typeof DiagnosticsProgressSchema>;

export const AppInfoSchema = z.strictObject({
  name: z.literal('Printo Help'),
  version: z.string(),
  platform: z.string(),
  /** Which print system this computer has, and where the app reaches it. */
  printSystem: z.strictObject({ kind: z.enum(['cups', 'windows']), endpoint: z.string() }),
  /** The browser shell, Electron, or the terminal. */
  shell: z.enum(['electron', 'browser', 'terminal']),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

// ---------------------------------------------------------------------------------------------
// Methods

function method<A extends z.ZodType, R extends z.ZodType>(args: A, result: R, summary: string) {
  return { args, result, summary } as const;
}

export const METHODS = {
  // Printers and jobs
  'printers.list': method(
    none,
    z.array(PrinterSchema),
    'The local printers: state, problems, supplies, jobs.',
  ),
  'printers.jobs': method(
    z.strictObject({
      printer: printerName.optional(),
      which: z.enum(['not-completed', 'completed', 'all']).optional(),
    }),
    z.array(JobSchema),
    'Jobs of one queue or all.',
  ),
  'printers.queueAction': method(
    z.strictObject({ printer: printerName, action: z.enum(['pause', 'resume']) }),
    z.strictObject({ message: z.string() }),
    'Pause or resume a queue.',
  ),
  'printers.jobAction': method(
    z.strictObject({
      printer: printerName,
      jobId: z.number().int().positive(),
      action: z.enum(['cancel', 'hold', 'release']),
    }),
    z.strictObject({ message: z.string() }),
    'Cancel, hold or release one job.',
  ),
  'printers.testPage': method(
    z.strictObject({ printer: printerName }),
    z.strictObject({ jobId: z.number().int().positive(), message: z.string() }),
    'Print the test page.',
  ),

  // Diagnostics
  'diagnostics.run': method(
    z.strictObject({
      /** Chosen by the caller, so that it can follow progress and cancel before the result. */
      runId: z.string().min(1).max(100),
      printers: PrinterFilterSchema.optional(),
    }),
    z.strictObject({ reportId: z.string().nullable(), report: DiagnosticsReportSchema }),
    'Run the diagnostics; progress arrives as `diagnostics.progress`. The report is kept.',
  ),
  'diagnostics.cancel': method(z.strictObject({ runId: z.string() }), ok, 'Cancel a run.'),
  'diagnostics.fix': method(
    z.strictObject({ action: FixActionSchema }),
    z.strictObject({
      message: z.string(),
      failures: z.array(z.strictObject({ jobId: z.number().int(), error: z.string() })),
    }),
    'Carry out a fix the user approved.',
  ),
  'diagnostics.reports': method(none, z.array(StoredReportSummarySchema), 'Saved reports.'),
  'diagnostics.report': method(
    z.strictObject({ reportId: z.string().min(1) }),
    StoredReportViewSchema,
    'One saved report.',
  ),

  // Support
  'support.enrolment': method(none, EnrolmentSchema, 'Whether this computer can ask for help.'),
  'support.enroll': method(
    z.strictObject({
      relayUrl: z.string().optional(),
      key: z.string().min(1).max(500).optional(),
      name: z.string().min(1).max(200).optional(),
    }),
    EnrolmentSchema,
    'Enrol with the relay (the key and relay from policy unless given).',
  ),
  'support.snapshot': method(none, SupportSnapshotSchema, 'The support session as it is now.'),
  'support.ask': method(
    z.strictObject({ description: z.string().trim().min(1).max(LIMITS.maxDescriptionChars) }),
    SupportSnapshotSchema,
    'Ask for help; resolves once the relay gave a code.',
  ),
  'support.answerConsent': method(
    z.strictObject({ requestId: z.string(), granted: z.array(ScopeSchema) }),
    SupportSnapshotSchema,
    'Grant all, some or none of what the agent asked for.',
  ),
  'support.chat': method(
    z.strictObject({ text: z.string().trim().min(1).max(LIMITS.maxChatChars) }),
    z.strictObject({ ref: z.string() }),
    'Send a chat message.',
  ),
  'support.revoke': method(
    z.strictObject({ scopes: z.array(ScopeSchema).min(1) }),
    SupportSnapshotSchema,
    'Take scopes back at once.',
  ),
  'support.end': method(
    z.strictObject({ reason: z.string().max(200).optional() }),
    SupportSnapshotSchema,
    'End the session now.',
  ),
  'support.answerAction': method(
    z.strictObject({ requestId: z.string(), approve: z.boolean() }),
    ok,
    'Approve (and carry out) or decline a proposed action.',
  ),
  'support.activity': method(none, z.array(ActivitySchema), 'What the agent asked and saw.'),
  'support.chatHistory': method(none, z.array(ChatMessageSchema), 'This session’s chat so far.'),

  // The user's own copy and their rights
  'transcripts.list': method(none, z.array(TranscriptSummarySchema), 'Kept sessions.'),
  'transcripts.view': method(
    z.strictObject({ sessionId }),
    TranscriptViewSchema,
    'One session: chat, consent, what the agent saw, actions.',
  ),
  'transcripts.export': method(
    z.strictObject({ ref: RecordRefSchema.optional() }),
    ExportSchema,
    'Everything, or one record, as printo-help-export/v1.',
  ),
  'transcripts.erase': method(
    z.union([z.strictObject({ ref: RecordRefSchema }), z.strictObject({ all: z.literal(true) })]),
    PurgeResultSchema,
    'Erase one record, or everything.',
  ),
  'transcripts.setFlags': method(
    z.strictObject({ ref: RecordRefSchema, flags: RecordFlagsPatchSchema }),
    ok,
    'Restriction and objection.',
  ),
  'transcripts.correct': method(
    z.strictObject({
      sessionId,
      messageId: z.string().min(1),
      text: z.string().trim().min(1).max(LIMITS.maxChatChars),
    }),
    ok,
    'Append a correction to one of your messages.',
  ),

  // The relay's copy of this computer's sessions
  'relayCopy.list': method(
    none,
    DeviceSessionListResponseSchema,
    'The relay’s sessions of this computer.',
  ),
  'relayCopy.export': method(
    z.strictObject({ sessionId }),
    SessionExportResponseSchema,
    'Export one.',
  ),
  'relayCopy.erase': method(
    z.strictObject({ sessionId }),
    ErasureResponseSchema,
    'Ask for erasure.',
  ),
  'relayCopy.right': method(
    z.strictObject({ sessionId, right: z.enum(['restriction', 'objection']) }),
    SessionRightResponseSchema,
    'Restrict or object.',
  ),
  'relayCopy.correct': method(
    z.strictObject({
      sessionId,
      messageId: z.string().min(1).max(128),
      text: z.string().trim().min(1).max(LIMITS.maxChatChars),
    }),
    RectificationResponseSchema,
    'Send a rectification.',
  ),

  // Settings and policy
  'settings.get': method(none, EffectivePolicyReportSchema, 'Effective configuration.'),
  'settings.set': method(
    z.strictObject({ key: PolicyKeySchema, value: z.unknown() }),
    EffectivePolicyReportSchema,
    'Change a user setting (refused when locked).',
  ),
  'settings.clear': method(
    z.strictObject({ key: PolicyKeySchema }),
    EffectivePolicyReportSchema,
    'Back to the default.',
  ),

  // App
  'app.info': method(none, AppInfoSchema, 'Version, platform, print system.'),
} as const;

export type MethodName = keyof typeof METHODS;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
export type MethodArgs<M extends MethodName> = z.input<(typeof METHODS)[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<(typeof METHODS)[M]['result']>;

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(METHODS, value);
}

// ---------------------------------------------------------------------------------------------
// Events

export const EVENTS = {
  /** A printer or job changed (within 2 s of the print system learning of it). */
  'printers.changed': PrinterChangeSchema,
  'diagnostics.progress': DiagnosticsProgressSchema,
  /** The support screen's whole state, on every change. */
  'support.changed': SupportSnapshotSchema,
  'support.chat': ChatMessageSchema,
  'support.activity': ActivitySchema,
  /** The effective configuration changed (a setting set here or a policy re-read). */
  'settings.changed': EffectivePolicyReportSchema,
} as const;

export type EventName = keyof typeof EVENTS;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
export type EventPayload<E extends EventName> = z.output<(typeof EVENTS)[E]>;

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(EVENTS, value);
}

// ---------------------------------------------------------------------------------------------
// The API every front end holds

/** Method-per-name, as the main process implements it. */
export type ClientServiceMethods = {
  [M in MethodName]: (args: MethodArgs<M>) => Promise<MethodResult<M>>;
};

/** What a front end holds: call a method, subscribe to an event (returns the unsubscribe). */
export interface ClientServices {
  call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

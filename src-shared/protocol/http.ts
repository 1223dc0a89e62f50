/**
 * The HTTP side of the protocol (docs/protocol.md §1–2): the JSON bodies of the relay's HTTP
 * endpoints. The relay validates requests with these, the desktop client validates the relay's
 * answers with them, and they are in docs/printo-support.v1.schema.json with the frames.
 */
import { z } from 'zod';
import { LIMITS, ScopeSchema } from './v1.ts';

/** POST /v1/enroll */
export const EnrollRequestSchema = z.object({
  enrollmentKey: z.string().min(1).max(256),
  deviceName: z.string().trim().min(1).max(100),
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

/** 201 from POST /v1/enroll: keep the secret in the OS keyring; the relay keeps only a hash. */
export const EnrollResponseSchema = z.object({
  // The user part of HTTP Basic authentication, which cannot contain a colon.
  deviceId: z
    .string()
    .min(1)
    .regex(/^[^:]+$/),
  deviceSecret: z.string().min(1),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;

/** POST /v1/agent/login (answered 204 with the session cookie). */
export const LoginRequestSchema = z.object({
  email: z.string().trim().min(1).max(254),
  // Bounded: scrypt's cost grows with the input and this is an unauthenticated endpoint.
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** 200 from GET /v1/agent/me */
export const AgentMeResponseSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['agent', 'admin']),
});
export type AgentMeResponse = z.infer<typeof AgentMeResponseSchema>;

/** 200 from POST /v1/agent/ticket: open /v1/agent?ticket=… once, before `expiresAt`. */
export const TicketResponseSchema = z.object({
  ticket: z.string().min(1),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type TicketResponse = z.infer<typeof TicketResponseSchema>;

const Time = z.iso.datetime({ offset: true });

// ---------------------------------------------------------------------------------------------
// The relay's records, as its store keeps them and its export gives them out: the schemas are
// the types (src-relay/store/store.ts infers its record types from these).

/** A device as enrolled; `revokedAt` is set (only) once it is revoked. */
export const DeviceRecordSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    createdAt: Time,
    revokedAt: Time.optional(),
  })
  .readonly();

/** One session, whatever became of it. */
export const SessionRecordSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    deviceId: z.string(),
    /** '' once the transcript is deleted or erased. */
    description: z.string(),
    state: z.enum(['waiting', 'awaiting-consent', 'active', 'ended']),
    agentId: z.string().nullable(),
    grantedScopes: z.array(ScopeSchema).readonly(),
    createdAt: Time,
    endedAt: Time.nullable(),
    endReason: z.string().nullable(),
    legalHold: z.boolean(),
    /** Set (only) once the chat transcript and description are gone, by retention or erasure. */
    transcriptDeletedAt: Time.optional(),
    /** Set (only) once the session was erased on request (docs/privacy.md, Erasure). */
    erasedAt: Time.optional(),
    /** When the device's user restricted processing (absent: never). */
    restrictedAt: Time.optional(),
    /** When the device's user objected to processing (absent: never). */
    objectedAt: Time.optional(),
  })
  .readonly();

/** One chat message as stored: card numbers masked before it reached the store. */
export const ChatRecordSchema = z
  .object({
    sessionId: z.string(),
    messageId: z.string(),
    /** Relay order within the session, from 1. */
    seq: z.int().min(1),
    from: z.enum(['client', 'agent', 'relay']),
    senderName: z.string(),
    text: z.string(),
    redacted: z.boolean(),
    at: Time,
  })
  .readonly();

/** A correction of one of the client's chat messages (card numbers masked, as stored). */
export const ChatCorrectionSchema = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    /** The `messageId` of the corrected message, one the client sent. */
    correctsMessageId: z.string(),
    text: z.string(),
    redacted: z.boolean(),
    at: Time,
  })
  .readonly();
export type ChatCorrection = z.infer<typeof ChatCorrectionSchema>;

/** A consent receipt: who granted, denied, let time out, revoked or ended what, under which notice. */
export const ConsentReceiptSchema = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    kind: z.enum(['grant', 'deny', 'timeout', 'revoke', 'end']),
    /** `client:<deviceId>`, `agent:<agentId>` or `relay`. */
    actor: z.string(),
    /** Scopes granted (grant), revoked (revoke) or requested (deny, timeout). */
    scopes: z.array(ScopeSchema).readonly(),
    /** The relay's notice (the one it sent the client), verbatim; '' once the session was erased. */
    notice: z.string(),
    /**
     * `sha256:<hex>` of the notice's UTF-8 text (docs/protocol.md §5): which notice it was, after
     * the text is erased. Null on receipts written before relays recorded it.
     */
    noticeDigest: z.string().nullable(),
    /** For the client's answers: whether the notice it echoed was the relay's; null otherwise. */
    noticeEcho: z.enum(['matched', 'mismatched']).nullable(),
    at: Time,
  })
  .readonly();

/**
 * 200 from GET /v1/agent/sessions/{sessionId}/export and GET /v1/device/sessions/{sessionId}/export: one session with its transcript (card
 * numbers masked, as stored) and consent receipts, as the relay keeps it (docs/privacy.md §5).
 * For an agent serving the session's organisation who is an admin or was the session's agent.
 */
export const SessionExportResponseSchema = z
  .object({
    format: z.literal('printo-relay/session-export/v1'),
    exportedAt: Time,
    session: SessionRecordSchema,
    device: DeviceRecordSchema.nullable(),
    agent: z.object({ id: z.string(), name: z.string() }).readonly().nullable(),
    transcript: z.array(ChatRecordSchema).readonly(),
    /**
     * Corrections the device's user made to their own messages (rectification), oldest first; the
     * corrected message stays in `transcript` as it was.
     */
    corrections: z.array(ChatCorrectionSchema).readonly(),
    consentReceipts: z.array(ConsentReceiptSchema).readonly(),
  })
  .readonly();
export type SessionExportResponse = z.infer<typeof SessionExportResponseSchema>;

/**
 * 200 from GET /v1/device/sessions: the sessions of the authenticated device, and no other's
 * (docs/protocol.md §2, the device's rights).
 */
export const DeviceSessionListResponseSchema = z.object({
  sessions: z.array(
    z.object({
      id: z.string(),
      state: z.enum(['waiting', 'awaiting-consent', 'active', 'ended']),
      createdAt: Time,
      endedAt: Time.nullable(),
      /** The agent who joined (masked like every name the relay passes on), if one did. */
      agentName: z.string().nullable(),
      grantedScopes: z.array(ScopeSchema),
      legalHold: z.boolean(),
      restricted: z.boolean(),
      restrictedAt: Time.nullable(),
      objected: z.boolean(),
      objectedAt: Time.nullable(),
      /** Set once the transcript is gone (retention or erasure). */
      transcriptDeletedAt: Time.nullable(),
      erasedAt: Time.nullable(),
    }),
  ),
});
export type DeviceSessionListResponse = z.infer<typeof DeviceSessionListResponseSchema>;

/** 200 from POST /v1/device/sessions/{sessionId}/erasure. */
export const ErasureResponseSchema = z.object({ sessionId: z.string(), erasedAt: Time });
export type ErasureResponse = z.infer<typeof ErasureResponseSchema>;

/**
 * 200 from POST /v1/device/sessions/{sessionId}/restriction and …/objection: when it was first
 * recorded (a repeated request keeps the first time).
 */
export const SessionRightResponseSchema = z.object({
  sessionId: z.string(),
  right: z.enum(['restriction', 'objection']),
  at: Time,
});
export type SessionRightResponse = z.infer<typeof SessionRightResponseSchema>;

/** POST /v1/device/sessions/{sessionId}/rectification: a correction of one client message. */
export const RectificationRequestSchema = z.object({
  messageId: z.string().min(1).max(128),
  text: z.string().trim().min(1).max(LIMITS.maxChatChars),
});
export type RectificationRequest = z.infer<typeof RectificationRequestSchema>;

/** 201 from POST /v1/device/sessions/{sessionId}/rectification: the correction as stored. */
export const RectificationResponseSchema = ChatCorrectionSchema.unwrap().extend({}).readonly();
export type RectificationResponse = z.infer<typeof RectificationResponseSchema>;

/** GET /healthz: 200 `ok`, 503 `shutting-down`. */
export const HealthResponseSchema = z.object({ status: z.enum(['ok', 'shutting-down']) });

/** Stable `error.code` values of HTTP error bodies (docs/protocol.md, HTTP endpoints). */
export const HttpErrorCodeSchema = z.enum([
  'bad-request',
  'unsupported-media-type',
  'payload-too-large',
  'enrollment-key-invalid',
  'login-failed',
  'not-logged-in',
  'origin-not-allowed',
  'agent-disabled',
  'device-auth-failed',
  'session-on-hold',
  'session-open',
  'session-restricted',
  'message-not-found',
  'transcript-deleted',
  'rate-limited',
  'not-found',
  'method-not-allowed',
  'unavailable',
  'internal',
]);
export type HttpErrorCode = z.infer<typeof HttpErrorCodeSchema>;

/** The body of every 4xx/5xx answer. */
export const HttpErrorBodySchema = z.object({
  error: z.object({ code: HttpErrorCodeSchema, message: z.string() }),
});
export type HttpErrorBody = z.infer<typeof HttpErrorBodySchema>;

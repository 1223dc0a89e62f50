/**
 * The relay's storage port. The embedded adapter is SQLite (node:sqlite, one file in the data
 * directory); PostgreSQL can implement the same port when one machine is outgrown. Every method
 * is synchronous in the SQLite adapter's spirit but returns plain values so that an async adapter
 * can wrap it; time always comes from the caller (an injectable clock), never from the store.
 */
import type { z } from 'zod';
import type {
  ChatCorrectionSchema,
  ChatRecordSchema,
  ConsentReceiptSchema,
  DeviceRecordSchema,
  SessionExportResponseSchema,
  SessionRecordSchema,
} from '../../src-shared/protocol/http.ts';

export interface Org {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export type Device = z.infer<typeof DeviceRecordSchema>;

export type AgentRole = 'agent' | 'admin';

/**
 * Whose sessions an agent may see (src-relay/server/agent-scope.ts decides): a provider agent
 * (Printo Gens staff) serves every organisation or the listed ones; a customer agent (an
 * organisation's own IT, co-managed) serves its home organisation only.
 */
export type AgentScope =
  | { readonly kind: 'provider'; readonly orgs: 'all' | readonly string[] }
  | { readonly kind: 'customer'; readonly orgId: string };

export interface Agent {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: AgentRole;
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly scope: AgentScope;
}

export type SessionRecord = z.infer<typeof SessionRecordSchema>;
export type SessionState = SessionRecord['state'];

/** One chat message; already redacted (card numbers masked) before it reaches the store. */
export type ChatRecord = z.infer<typeof ChatRecordSchema>;

/**
 * A correction the device's user appended to one of their own chat messages (rectification): the
 * original stays as it was, the correction is kept beside it, sealed like chat.
 */
export type ChatCorrection = z.infer<typeof ChatCorrectionSchema>;

/** The rights a device's user exercises over the relay's copy (docs/privacy.md, Your rights). */
export type SessionRight = 'access' | 'erasure' | 'restriction' | 'objection' | 'rectification';

/** One audit entry per rights request: ids, the right and the outcome, never content. */
export interface RightsRequestRecord {
  readonly right: SessionRight;
  readonly deviceId: string;
  /** Null for the listing of the device's sessions. */
  readonly sessionId: string | null;
  /** `done`, or why not: `not-found`, `legal-hold`, `session-open`, `message-not-found`, … */
  readonly outcome: string;
}

export type ConsentReceipt = z.infer<typeof ConsentReceiptSchema>;
export type ConsentKind = ConsentReceipt['kind'];

/** Retention periods per category, in days (docs/privacy.md gives the defaults). */
export interface RetentionPeriods {
  readonly chatTranscriptDays: number;
  readonly consentReceiptDays: number;
  readonly sessionMetadataDays: number;
}

export interface PurgeResult {
  readonly sessions: number;
  readonly chatMessages: number;
  readonly consentReceipts: number;
  /** Sessions past retention but kept because of a legal hold. */
  readonly heldBack: number;
}

/** `printo-relay/session-export/v1`, as docs/protocol.md and the JSON Schema publish it. */
export type SessionExport = z.infer<typeof SessionExportResponseSchema>;

export interface Store {
  createOrg(name: string, now: string): Org;
  listOrgs(): readonly Org[];
  /** Stores only a hash of the key; returns nothing secret. */
  addEnrollmentKey(orgId: string, keyHash: string, now: string): void;
  findOrgByEnrollmentKeyHash(keyHash: string): Org | null;

  createDevice(device: { orgId: string; name: string; secretHash: string }, now: string): Device;
  /** The device and its secret hash, for authentication. */
  findDeviceCredentials(deviceId: string): { device: Device; secretHash: string } | null;
  listDevices(filter?: { orgId?: string }): readonly Device[];
  /**
   * Marks a device revoked (`now` the first time; a second revocation keeps the first time).
   * False when there is no such device.
   */
  revokeDevice(deviceId: string, now: string): boolean;

  /** A provider agent serving every organisation unless `scope` says otherwise. */
  createAgent(
    agent: {
      email: string;
      name: string;
      role: AgentRole;
      passwordHash: string;
      scope?: AgentScope;
    },
    now: string,
  ): Agent;
  findAgentCredentials(email: string): { agent: Agent; passwordHash: string } | null;
  getAgent(id: string): Agent | null;
  listAgents(): readonly Agent[];
  setAgentDisabled(id: string, disabled: boolean): boolean;
  /** Replaces the agent's scope; false when there is no such agent. Unknown orgs: not-found. */
  setAgentScope(id: string, scope: AgentScope): boolean;
  /** Replaces the agent's password hash; false when there is no such agent. */
  setAgentPassword(id: string, passwordHash: string): boolean;

  createSession(
    session: { id: string; orgId: string; deviceId: string; description: string },
    now: string,
  ): SessionRecord;
  updateSession(
    id: string,
    patch: Partial<
      Pick<SessionRecord, 'state' | 'agentId' | 'grantedScopes' | 'endedAt' | 'endReason'>
    >,
  ): SessionRecord;
  getSession(id: string): SessionRecord | null;
  listSessions(filter?: {
    state?: SessionState;
    orgId?: string;
    deviceId?: string;
  }): readonly SessionRecord[];

  appendChat(record: ChatRecord): void;
  /** Several messages, all or none, in one transaction (the relay batches one event-loop turn). */
  appendChats(records: readonly ChatRecord[]): void;
  listChat(sessionId: string): readonly ChatRecord[];
  /**
   * Appends a correction of a message the client sent (card numbers masked, sealed like chat).
   * Refused when the session, or a client message with that id in it, does not exist, or the
   * transcript is already gone.
   */
  appendCorrection(correction: {
    sessionId: string;
    correctsMessageId: string;
    text: string;
    at: string;
  }):
    | { ok: true; correction: ChatCorrection }
    | { ok: false; reason: 'not-found' | 'message-not-found' | 'transcript-deleted' };
  listCorrections(sessionId: string): readonly ChatCorrection[];

  addConsentReceipt(receipt: Omit<ConsentReceipt, 'id'>): ConsentReceipt;
  listConsentReceipts(sessionId: string): readonly ConsentReceipt[];

  /** `now` (optional for compatibility) dates the audit entry; the store's clock otherwise. */
  setLegalHold(sessionId: string, hold: boolean, now?: string): boolean;
  /** Deletes what is past its retention period and not on hold; `now` is the caller's clock. */
  purge(now: Date, periods: RetentionPeriods): PurgeResult;
  /** `actor` (an id such as `agent:<agentId>`) goes into the audit entry; none for an operator. */
  exportSession(sessionId: string, now: string, actor?: string): SessionExport | null;
  /**
   * Erases a session's transcript and receipts' personal content; refused while on hold (the
   * refusal is audited). `actor` (such as `client:<deviceId>`) goes into the audit entry.
   */
  eraseSession(
    sessionId: string,
    now: string,
    actor?: string,
  ): { erased: boolean; reason?: 'legal-hold' | 'not-found' };
  /**
   * Marks a session restricted or objected to, at `now` the first time (a repeat keeps the first
   * time). Null when there is no such session.
   */
  recordSessionRight(
    sessionId: string,
    right: 'restriction' | 'objection',
    now: string,
  ): SessionRecord | null;
  /** Writes the audit entry of a rights request (ids, right, outcome). */
  recordRightsRequest(request: RightsRequestRecord, now: string): void;

  close(): void;
}

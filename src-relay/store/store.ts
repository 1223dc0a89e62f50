/**
 * The relay's storage port. The embedded adapter is SQLite (node:sqlite, one file in the data
 * directory); PostgreSQL can implement the same port when one machine is outgrown. Every method
 * is synchronous in the SQLite adapter's spirit but returns plain values so that an async adapter
 * can wrap it; time always comes from the caller (an injectable clock), never from the store.
 */
import type { Scope } from '../../src-shared/protocol/v1.ts';

export interface Org {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface Device {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly createdAt: string;
  /** Set (only) once the device is revoked: its credentials are refused from then on. */
  readonly revokedAt?: string;
}

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

export type SessionState = 'waiting' | 'awaiting-consent' | 'active' | 'ended';

export interface SessionRecord {
  readonly id: string;
  readonly orgId: string;
  readonly deviceId: string;
  readonly description: string;
  readonly state: SessionState;
  readonly agentId: string | null;
  readonly grantedScopes: readonly Scope[];
  readonly createdAt: string;
  readonly endedAt: string | null;
  readonly endReason: string | null;
  readonly legalHold: boolean;
  /**
   * Set (only) once the chat transcript and description are gone, by retention or erasure; the
   * description then reads as ''. Absent while they are kept.
   */
  readonly transcriptDeletedAt?: string;
  /** Set (only) once the session was erased on request (docs/privacy.md, Erasure). */
  readonly erasedAt?: string;
  /** Set (only) once the device's user restricted processing (docs/privacy.md, Restriction). */
  readonly restrictedAt?: string;
  /** Set (only) once the device's user objected to processing (docs/privacy.md, Objection). */
  readonly objectedAt?: string;
}

export interface ChatRecord {
  readonly sessionId: string;
  readonly messageId: string;
  /** Relay order within the session, from 1. */
  readonly seq: number;
  readonly from: 'client' | 'agent' | 'relay';
  readonly senderName: string;
  /** Already redacted (card numbers masked) before it reaches the store. */
  readonly text: string;
  readonly redacted: boolean;
  readonly at: string;
}

/**
 * A correction the device's user appended to one of their own chat messages (rectification): the
 * original stays as it was, the correction is kept beside it, sealed like chat.
 */
export interface ChatCorrection {
  readonly id: string;
  readonly sessionId: string;
  /** The corrected message: one the client sent in this session. */
  readonly correctsMessageId: string;
  /** Already redacted (card numbers masked) when stored. */
  readonly text: string;
  readonly redacted: boolean;
  readonly at: string;
}

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

export type ConsentKind = 'grant' | 'deny' | 'timeout' | 'revoke' | 'end';

export interface ConsentReceipt {
  readonly id: string;
  readonly sessionId: string;
  readonly kind: ConsentKind;
  /** Who acted: `client:<deviceId>`, `agent:<agentId>` or `relay`. */
  readonly actor: string;
  /** Scopes granted (grant), revoked (revoke) or requested (deny/timeout). */
  readonly scopes: readonly Scope[];
  /** The relay's notice (the one it sent the client), verbatim; '' once the session was erased. */
  readonly notice: string;
  /**
   * `sha256:<hex>` of the notice's UTF-8 text (docs/protocol.md §5): proves which notice it was
   * after the text is erased. Null on receipts written before relays recorded it.
   */
  readonly noticeDigest: string | null;
  /**
   * For the client's answers (grant, deny): whether the notice it echoed was the relay's. A
   * mismatch refuses the grant. Null for receipts the relay writes on its own.
   */
  readonly noticeEcho: 'matched' | 'mismatched' | null;
  readonly at: string;
}

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

export interface SessionExport {
  readonly format: 'printo-relay/session-export/v1';
  readonly exportedAt: string;
  readonly session: SessionRecord;
  readonly device: Device | null;
  readonly agent: Pick<Agent, 'id' | 'name'> | null;
  readonly transcript: readonly ChatRecord[];
  /** Corrections of the client's messages, in the order they were made. */
  readonly corrections: readonly ChatCorrection[];
  readonly consentReceipts: readonly ConsentReceipt[];
}

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

/**
 * A Store for the HTTP-side unit tests: identities for real, the rest only as far as the relay
 * server touches it (purge is counted; chat, corrections, holds, export, erasure and the rights
 * flags in the simplest form, audit entries as a list). The SQLite adapter is tested on its own.
 */
import { randomUUID } from 'node:crypto';
import type {
  Agent,
  ChatCorrection,
  ChatRecord,
  Device,
  Org,
  PurgeResult,
  RetentionPeriods,
  RightsRequestRecord,
  SessionRecord,
  Store,
} from '../../../../src-relay/store/store.ts';

export interface MemoryStore extends Store {
  readonly purges: { now: Date; periods: RetentionPeriods }[];
  /** Rights requests as they were recorded, and the actors of erasures (audit stand-ins). */
  readonly rightsRequests: RightsRequestRecord[];
  readonly erasures: { sessionId: string; actor?: string; outcome: string }[];
  closed: boolean;
}

export function createMemoryStore(): MemoryStore {
  const orgs = new Map<string, Org>();
  const keys = new Map<string, string>();
  const devices = new Map<string, { device: Device; secretHash: string }>();
  const agents = new Map<string, { agent: Agent; passwordHash: string }>();
  const sessions = new Map<string, SessionRecord>();
  const chat = new Map<string, ChatRecord[]>();
  const corrections = new Map<string, ChatCorrection[]>();
  const unsupported = (): never => {
    throw new Error('not supported by the memory store');
  };
  const store: MemoryStore = {
    purges: [],
    rightsRequests: [],
    erasures: [],
    closed: false,
    createOrg(name, now) {
      const org = { id: randomUUID(), name, createdAt: now };
      orgs.set(org.id, org);
      return org;
    },
    listOrgs: () => [...orgs.values()],
    addEnrollmentKey(orgId, keyHash) {
      keys.set(keyHash, orgId);
    },
    findOrgByEnrollmentKeyHash(keyHash) {
      const orgId = keys.get(keyHash);
      return orgId === undefined ? null : (orgs.get(orgId) ?? null);
    },
    createDevice({ orgId, name, secretHash }, now) {
      const device = { id: randomUUID(), orgId, name, createdAt: now };
      devices.set(device.id, { device, secretHash });
      return device;
    },
    findDeviceCredentials: (id) => devices.get(id) ?? null,
    listDevices: (filter = {}) =>
      [...devices.values()]
        .map((d) => d.device)
        .filter((d) => filter.orgId === undefined || d.orgId === filter.orgId),
    revokeDevice(id, now) {
      const entry = devices.get(id);
      if (entry === undefined) return false;
      entry.device = { revokedAt: now, ...entry.device };
      return true;
    },
    createAgent({ email, name, role, passwordHash, scope }, now) {
      if ([...agents.values()].some((a) => a.agent.email === email)) {
        throw new Error('duplicate email');
      }
      const agent: Agent = {
        id: randomUUID(),
        email,
        name,
        role,
        disabled: false,
        createdAt: now,
        scope: scope ?? { kind: 'provider', orgs: 'all' },
      };
      agents.set(agent.id, { agent, passwordHash });
      return agent;
    },
    findAgentCredentials: (email) =>
      [...agents.values()].find((a) => a.agent.email === email) ?? null,
    getAgent: (id) => agents.get(id)?.agent ?? null,
    listAgents: () => [...agents.values()].map((a) => a.agent),
    setAgentDisabled(id, disabled) {
      const entry = agents.get(id);
      if (entry === undefined) return false;
      entry.agent = { ...entry.agent, disabled };
      return true;
    },
    setAgentScope(id, scope) {
      const entry = agents.get(id);
      if (entry === undefined) return false;
      entry.agent = { ...entry.agent, scope };
      return true;
    },
    setAgentPassword(id, passwordHash) {
      const entry = agents.get(id);
      if (entry === undefined) return false;
      entry.passwordHash = passwordHash;
      return true;
    },
    createSession({ id, orgId, deviceId, description }, now) {
      const record: SessionRecord = {
        id,
        orgId,
        deviceId,
        description,
        state: 'waiting',
        agentId: null,
        grantedScopes: [],
        createdAt: now,
        endedAt: null,
        endReason: null,
        legalHold: false,
      };
      sessions.set(id, record);
      return record;
    },
    updateSession(id, patch) {
      const current = sessions.get(id);
      if (current === undefined) throw new Error('no such session');
      const next = { ...current, ...patch };
      sessions.set(id, next);
      return next;
    },
    getSession: (id) => sessions.get(id) ?? null,
    listSessions: (filter = {}) =>
      [...sessions.values()].filter(
        (s) =>
          (filter.deviceId === undefined || s.deviceId === filter.deviceId) &&
          (filter.orgId === undefined || s.orgId === filter.orgId) &&
          (filter.state === undefined || s.state === filter.state),
      ),
    appendChat(record) {
      store.appendChats([record]);
    },
    appendChats(records) {
      for (const record of records) {
        chat.set(record.sessionId, [...(chat.get(record.sessionId) ?? []), record]);
      }
    },
    listChat: (sessionId) => chat.get(sessionId) ?? [],
    appendCorrection({ sessionId, correctsMessageId, text, at }) {
      const session = sessions.get(sessionId);
      if (session === undefined) return { ok: false, reason: 'not-found' };
      if (session.transcriptDeletedAt !== undefined) {
        return { ok: false, reason: 'transcript-deleted' };
      }
      const target = (chat.get(sessionId) ?? []).find(
        (m) => m.messageId === correctsMessageId && m.from === 'client',
      );
      if (target === undefined) return { ok: false, reason: 'message-not-found' };
      const correction = {
        id: randomUUID(),
        sessionId,
        correctsMessageId,
        text,
        redacted: false,
        at,
      };
      corrections.set(sessionId, [...(corrections.get(sessionId) ?? []), correction]);
      return { ok: true, correction };
    },
    listCorrections: (sessionId) => corrections.get(sessionId) ?? [],
    addConsentReceipt: unsupported,
    listConsentReceipts: () => [],
    setLegalHold(sessionId, hold) {
      const session = sessions.get(sessionId);
      if (session === undefined) return false;
      sessions.set(sessionId, { ...session, legalHold: hold });
      return true;
    },
    purge(now, periods): PurgeResult {
      store.purges.push({ now, periods });
      return { sessions: 0, chatMessages: 0, consentReceipts: 0, heldBack: 0 };
    },
    exportSession(sessionId, now) {
      const session = sessions.get(sessionId);
      if (session === undefined) return null;
      const device = devices.get(session.deviceId)?.device ?? null;
      const agent = session.agentId === null ? null : store.getAgent(session.agentId);
      return {
        format: 'printo-relay/session-export/v1',
        exportedAt: now,
        session,
        device,
        agent: agent === null ? null : { id: agent.id, name: agent.name },
        transcript: store.listChat(sessionId),
        corrections: store.listCorrections(sessionId),
        consentReceipts: [],
      };
    },
    eraseSession(sessionId, now, actor) {
      const session = sessions.get(sessionId);
      if (session === undefined) return { erased: false, reason: 'not-found' };
      if (session.legalHold) {
        store.erasures.push({
          sessionId,
          ...(actor === undefined ? {} : { actor }),
          outcome: 'refused',
        });
        return { erased: false, reason: 'legal-hold' };
      }
      chat.delete(sessionId);
      corrections.delete(sessionId);
      sessions.set(sessionId, {
        ...session,
        description: '',
        transcriptDeletedAt: session.transcriptDeletedAt ?? now,
        erasedAt: now,
      });
      store.erasures.push({
        sessionId,
        ...(actor === undefined ? {} : { actor }),
        outcome: 'erased',
      });
      return { erased: true };
    },
    recordSessionRight(sessionId, right, now) {
      const session = sessions.get(sessionId);
      if (session === undefined) return null;
      const next =
        right === 'restriction'
          ? { ...session, restrictedAt: session.restrictedAt ?? now }
          : { ...session, objectedAt: session.objectedAt ?? now };
      sessions.set(sessionId, next);
      return next;
    },
    recordRightsRequest(request) {
      store.rightsRequests.push(request);
    },
    close() {
      store.closed = true;
    },
  };
  return store;
}

/** A cheap scrypt for tests that create many agents; verify reads the cost from the hash. */
export const FAST_SCRYPT = { N: 1024, r: 8, p: 1 } as const;

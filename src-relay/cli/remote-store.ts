/**
 * The `Store` port over a running relay's admin socket (server/admin-socket.ts), for the
 * `printo-relay` commands while `serve` holds the data directory. The port is synchronous and so
 * are the commands, while a socket is not: a worker thread does the socket I/O and this thread
 * sleeps on a shared counter (Atomics.wait) until the answer is in — synckit's pattern, written
 * out because synckit runs each call in a fresh task, and the connection must stay open between
 * calls of one command. (So it is for another process than the relay: in the relay's own thread
 * the wait would block the very loop that answers.)
 */
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
} from 'node:worker_threads';
import { isErrorCode } from '../../src-shared/error-codes.ts';
import { PrintoError } from '../../src-shared/errors.ts';
import { decodeAdmin, encodeAdmin } from '../server/admin-socket.ts';
import type { AdminReply } from '../server/admin-socket.ts';
import type {
  Agent,
  AgentRole,
  AgentScope,
  ChatCorrection,
  ChatRecord,
  ConsentReceipt,
  Device,
  Org,
  PurgeResult,
  RetentionPeriods,
  RightsRequestRecord,
  SessionExport,
  SessionRecord,
  SessionState,
  Store,
} from '../store/store.ts';

/** What the worker posts: the connection's outcome, then each answer line as it came. */
export type RemoteStoreEvent =
  | { readonly kind: 'connected' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'line'; readonly line: string };

export interface RemoteStoreWorkerData {
  readonly path: string;
  readonly port: MessagePort;
  /** Int32Array over it: [0] counts events, so the caller can sleep until the next one. */
  readonly signal: SharedArrayBuffer;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class RemoteStore implements Store {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private readonly timeoutMs: number;
  private nextId = 1;
  private closed = false;

  /**
   * Connects to the admin socket at `path`; throws `store-remote-unavailable` when nothing
   * answers there (a relay that died and left its socket file).
   */
  constructor(path: string, options: { timeoutMs?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const shared = new SharedArrayBuffer(4);
    this.signal = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData: RemoteStoreWorkerData = { path, port: port2, signal: shared };
    this.worker = new Worker(new URL('./remote-store-worker.ts', import.meta.url), {
      workerData,
      transferList: [port2],
    });
    this.worker.unref();
    const first = this.next();
    if (first.kind !== 'connected') {
      this.close();
      throw new PrintoError(
        'store-remote-unavailable',
        `The data directory is in use, but no relay answers on ${path}${first.kind === 'failed' ? ` (${first.message})` : ''}.`,
        { hint: 'Another printo-relay command may be running; wait for it, then retry.' },
      );
    }
  }

  /** The worker's next event; this thread sleeps until it comes. */
  private next(): RemoteStoreEvent {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) return received.message as RemoteStoreEvent;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new PrintoError(
          'store-remote-timeout',
          `The running relay did not answer within ${String(this.timeoutMs / 1000)} s.`,
          { hint: 'Check that it is healthy (GET /healthz), then retry.' },
        );
      }
      Atomics.wait(this.signal, 0, seen, Math.min(left, 1_000));
    }
  }

  private call(method: keyof Store, args: readonly unknown[]): unknown {
    if (this.closed)
      throw new PrintoError('store-closed', `Cannot ${method}: the store is closed.`);
    const id = this.nextId++;
    this.port.postMessage(`${encodeAdmin({ id, method, args })}\n`);
    const event = this.next();
    if (event.kind !== 'line') {
      throw new PrintoError(
        'store-remote-unavailable',
        `The running relay closed the connection${event.kind === 'failed' ? `: ${event.message}` : ''}.`,
        { hint: 'It may have stopped; run the command again.' },
      );
    }
    const reply = decodeAdmin(event.line) as AdminReply;
    if (reply.id !== id) throw new Error(`admin socket answered ${String(reply.id)}, not ${id}`);
    if (!reply.ok) {
      // The relay sent one of our codes; anything else is its failure to say why.
      const code = reply.error.code;
      throw new PrintoError(isErrorCode(code) ? code : 'store-failed', reply.error.message, {
        ...(reply.error.hint === undefined ? {} : { hint: reply.error.hint }),
      });
    }
    return reply.value;
  }

  createOrg(name: string, now: string): Org {
    return this.call('createOrg', [name, now]) as Org;
  }
  listOrgs(): readonly Org[] {
    return this.call('listOrgs', []) as Org[];
  }
  addEnrollmentKey(orgId: string, keyHash: string, now: string): void {
    this.call('addEnrollmentKey', [orgId, keyHash, now]);
  }
  findOrgByEnrollmentKeyHash(keyHash: string): Org | null {
    return this.call('findOrgByEnrollmentKeyHash', [keyHash]) as Org | null;
  }
  createDevice(device: { orgId: string; name: string; secretHash: string }, now: string): Device {
    return this.call('createDevice', [device, now]) as Device;
  }
  findDeviceCredentials(deviceId: string): { device: Device; secretHash: string } | null {
    return this.call('findDeviceCredentials', [deviceId]) as {
      device: Device;
      secretHash: string;
    } | null;
  }
  listDevices(filter?: { orgId?: string }): readonly Device[] {
    return this.call('listDevices', [filter ?? {}]) as Device[];
  }
  revokeDevice(deviceId: string, now: string): boolean {
    return this.call('revokeDevice', [deviceId, now]) as boolean;
  }
  createAgent(
    agent: {
      email: string;
      name: string;
      role: AgentRole;
      passwordHash: string;
      scope?: AgentScope;
    },
    now: string,
  ): Agent {
    return this.call('createAgent', [agent, now]) as Agent;
  }
  findAgentCredentials(email: string): { agent: Agent; passwordHash: string } | null {
    return this.call('findAgentCredentials', [email]) as {
      agent: Agent;
      passwordHash: string;
    } | null;
  }
  getAgent(id: string): Agent | null {
    return this.call('getAgent', [id]) as Agent | null;
  }
  listAgents(): readonly Agent[] {
    return this.call('listAgents', []) as Agent[];
  }
  setAgentDisabled(id: string, disabled: boolean): boolean {
    return this.call('setAgentDisabled', [id, disabled]) as boolean;
  }
  setAgentScope(id: string, scope: AgentScope): boolean {
    return this.call('setAgentScope', [id, scope]) as boolean;
  }

  setAgentPassword(id: string, passwordHash: string): boolean {
    return this.call('setAgentPassword', [id, passwordHash]) as boolean;
  }
  createSession(
    session: { id: string; orgId: string; deviceId: string; description: string },
    now: string,
  ): SessionRecord {
    return this.call('createSession', [session, now]) as SessionRecord;
  }
  updateSession(
    id: string,
    patch: Partial<
      Pick<SessionRecord, 'state' | 'agentId' | 'grantedScopes' | 'endedAt' | 'endReason'>
    >,
  ): SessionRecord {
    return this.call('updateSession', [id, patch]) as SessionRecord;
  }
  getSession(id: string): SessionRecord | null {
    return this.call('getSession', [id]) as SessionRecord | null;
  }
  listSessions(filter?: {
    state?: SessionState;
    orgId?: string;
    deviceId?: string;
  }): readonly SessionRecord[] {
    return this.call('listSessions', [filter ?? {}]) as SessionRecord[];
  }
  appendChat(record: ChatRecord): void {
    this.call('appendChat', [record]);
  }
  appendChats(records: readonly ChatRecord[]): void {
    this.call('appendChats', [records]);
  }
  listChat(sessionId: string): readonly ChatRecord[] {
    return this.call('listChat', [sessionId]) as ChatRecord[];
  }
  appendCorrection(correction: {
    sessionId: string;
    correctsMessageId: string;
    text: string;
    at: string;
  }):
    | { ok: true; correction: ChatCorrection }
    | { ok: false; reason: 'not-found' | 'message-not-found' | 'transcript-deleted' } {
    return this.call('appendCorrection', [correction]) as ReturnType<Store['appendCorrection']>;
  }
  listCorrections(sessionId: string): readonly ChatCorrection[] {
    return this.call('listCorrections', [sessionId]) as ChatCorrection[];
  }
  addConsentReceipt(receipt: Omit<ConsentReceipt, 'id'>): ConsentReceipt {
    return this.call('addConsentReceipt', [receipt]) as ConsentReceipt;
  }
  listConsentReceipts(sessionId: string): readonly ConsentReceipt[] {
    return this.call('listConsentReceipts', [sessionId]) as ConsentReceipt[];
  }
  setLegalHold(sessionId: string, hold: boolean, now?: string): boolean {
    return this.call('setLegalHold', [sessionId, hold, now]) as boolean;
  }
  purge(now: Date, periods: RetentionPeriods): PurgeResult {
    return this.call('purge', [now, periods]) as PurgeResult;
  }
  exportSession(sessionId: string, now: string, actor?: string): SessionExport | null {
    // Left out when absent: JSON has no undefined, and a null actor is not "none".
    const args = actor === undefined ? [sessionId, now] : [sessionId, now, actor];
    return this.call('exportSession', args) as SessionExport | null;
  }
  eraseSession(
    sessionId: string,
    now: string,
    actor?: string,
  ): { erased: boolean; reason?: 'legal-hold' | 'not-found' } {
    const args = actor === undefined ? [sessionId, now] : [sessionId, now, actor];
    return this.call('eraseSession', args) as {
      erased: boolean;
      reason?: 'legal-hold' | 'not-found';
    };
  }
  recordSessionRight(
    sessionId: string,
    right: 'restriction' | 'objection',
    now: string,
  ): SessionRecord | null {
    return this.call('recordSessionRight', [sessionId, right, now]) as SessionRecord | null;
  }
  recordRightsRequest(request: RightsRequestRecord, now: string): void {
    this.call('recordRightsRequest', [request, now]);
  }

  /** Ends the connection; the relay's store stays open (it is the relay's). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }
}

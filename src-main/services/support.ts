/**
 * The support part of ClientServices: one SupportSession at a time, its prompts turned into
 * state a front end draws (the consent request, proposed actions) and answers through methods,
 * an activity feed of what the agent asked for and what left this computer, and the user's own
 * copy of the session written as it happens (issue 9 §3).
 *
 * Consent is enforced twice here on top of the library's own grant: the policy's allowedScopes
 * caps what can be granted, and an action runs only after the user approved it through
 * `answerAction`.
 */
import { hostname } from 'node:os';
import type {
  Activity,
  Enrolment,
  PendingAction,
  PendingConsent,
  SupportSnapshot,
} from '../../src-shared/api/contract.ts';
import { describeAction } from '../../src-shared/api/words.ts';
import { PrintoError, isPrintoError } from '../../src-shared/errors.ts';
import type { DiagnosticsReport } from '../../src-shared/model/diagnostics.ts';
import type { TranscriptEntry } from '../../src-shared/model/transcript.ts';
import {
  SessionEndedReasonSchema,
  type ChatMessageSchema,
  type DataKind,
  type ProposedAction,
  type Scope,
} from '../../src-shared/protocol/v1.ts';
import type { z } from 'zod';
import { performFixAction } from '../diagnostics/actions.ts';
import type { PolicyService } from '../policy/effective.ts';
import type { PrinterSystem } from '../printers/printer-system.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { loadDeviceCredentials, saveDeviceCredentials } from '../secrets/device-credentials.ts';
import type { StoredDeviceCredentials } from '../secrets/device-credentials.ts';
import { secretStoreStatus } from '../secrets/status.ts';
import type { Clock } from '../../src-shared/clock.ts';
import { enroll } from '../session/enroll.ts';
import type { ProxyEnv } from '../session/proxy.ts';
import { RelayRights } from '../session/relay-rights.ts';
import type { WebSocketConstructor } from '../session/connection.ts';
import { SupportSession } from '../session/session.ts';
import type {
  ActionContext,
  ActionResult,
  ConsentAnswer,
  ConsentRequest,
  Data,
  SessionActivity,
  SessionEnd,
} from '../session/types.ts';
import { noticeDigest } from '../transcripts/store.ts';
import type { TranscriptStore } from '../transcripts/store.ts';
import type { EventHub } from './hub.ts';
import type { LocalCopy, LocalCopyStatus } from './local-copy.ts';

type ChatMessage = z.infer<typeof ChatMessageSchema>;

export interface SupportServiceOptions {
  readonly hub: EventHub;
  readonly policy: PolicyService;
  readonly secrets: SecretStore;
  readonly localCopy: LocalCopy;
  readonly system: PrinterSystem;
  readonly clock: Clock;
  /** Runs the diagnostics for a data request or a proposed run (the diagnostics service). */
  readonly runDiagnostics: (
    printers: readonly string[] | null,
    signal: AbortSignal,
  ) => Promise<DiagnosticsReport>;
  readonly deviceName?: string;
  readonly WebSocketImpl?: WebSocketConstructor;
  /** Where a `system` proxy is read from (HTTPS_PROXY, NO_PROXY); default process.env. */
  readonly env?: ProxyEnv | undefined;
  /** Told when the local copy could not be written (the session goes on). */
  readonly onRecordError?: (error: unknown) => void;
}

interface Pending<T> {
  readonly resolve: (value: T) => void;
}

/** How long enrolment may take before it is given up. */
const ENROLL_TIMEOUT_MS = 30_000;
/** The activity feed keeps this many lines (the local copy keeps everything). */
const MAX_ACTIVITY = 500;

export class SupportService {
  readonly #o: SupportServiceOptions;
  #session: SupportSession | null = null;
  #sessionId: string | null = null;
  #agent: { id: string; name: string } | null = null;
  #consent: (PendingConsent & Pending<ConsentAnswer>) | null = null;
  #consentAgent = new Map<string, { id: string; name: string }>();
  #actions = new Map<string, PendingAction & Pending<boolean>>();
  #activity: Activity[] = [];
  #chat: ChatMessage[] = [];
  #dataRequests = new Map<string, { kind: DataKind; printers: string[] | null }>();
  #localCopy: LocalCopyStatus = { kept: false, reason: null };
  #recorder: Recorder | null = null;
  /** An ask is enrolling or connecting (no session to check yet). */
  #asking = false;
  /** Credentials enrolled while the keyring was unusable: kept in memory for this run only. */
  #ephemeral: StoredDeviceCredentials | null = null;

  constructor(options: SupportServiceOptions) {
    this.#o = options;
  }

  // -------------------------------------------------------------------------------------------
  // Enrolment

  async enrolment(): Promise<Enrolment> {
    const policy = this.#o.policy.current().values;
    const keyring = await secretStoreStatus(this.#o.secrets);
    let credentials: StoredDeviceCredentials | null = this.#ephemeral;
    if (keyring.usable) credentials = (await loadDeviceCredentials(this.#o.secrets)) ?? credentials;
    return {
      enrolled: credentials !== null,
      relayUrl: policy.relayUrl ?? credentials?.relayUrl ?? null,
      deviceId: credentials?.deviceId ?? null,
      supportEnabled: policy.supportEnabled,
      keyring: keyring.usable
        ? { available: true, code: null, message: null }
        : { available: false, code: keyring.code, message: keyring.message },
    };
  }

  async enroll(args: {
    relayUrl?: string | undefined;
    key?: string | undefined;
    name?: string | undefined;
  }): Promise<Enrolment> {
    const policy = this.#o.policy.current().values;
    const relayUrl = args.relayUrl ?? policy.relayUrl;
    if (relayUrl === null) {
      throw new PrintoError('not-enrolled', 'No support relay is configured on this computer.', {
        hint: 'Your IT department sets the relay (relayUrl) by policy, or gives you its address.',
      });
    }
    if (policy.relayUrl !== null && relayUrl !== policy.relayUrl) {
      const entry = this.#o.policy.current().report.entries.find((e) => e.key === 'relayUrl');
      if (entry?.locked === true) {
        throw new PrintoError('setting-locked', 'Your administrator has set the support relay.', {
          hint: `Enrol with ${policy.relayUrl}, or ask your IT department.`,
        });
      }
    }
    const key = args.key ?? policy.enrollmentKey;
    if (key === null) {
      throw new PrintoError('enroll-key-missing', 'No enrollment key was given.', {
        hint: 'Your IT department has the organisation’s enrollment key.',
      });
    }
    await this.#enrollWith(relayUrl, key, args.name ?? this.#o.deviceName ?? hostname());
    return this.enrolment();
  }

  async #enrollWith(
    relayUrl: string,
    key: string,
    deviceName: string,
  ): Promise<StoredDeviceCredentials> {
    const credentials = await enroll(
      relayUrl,
      { enrollmentKey: key, deviceName },
      {
        signal: AbortSignal.timeout(ENROLL_TIMEOUT_MS),
        proxy: this.#o.policy.current().values.proxy,
        env: this.#o.env,
      },
    );
    try {
      await saveDeviceCredentials(this.#o.secrets, credentials, relayUrl);
      this.#ephemeral = null;
    } catch (error) {
      if (!isPrintoError(error) || !error.code.startsWith('keyring-')) throw error;
      // No keyring: the credentials live in this process only (never on disk), so support still
      // works today; the next start enrols again with the policy's key.
      this.#ephemeral = { ...credentials, relayUrl };
    }
    return { ...credentials, relayUrl };
  }

  /** The credentials for the configured relay, enrolling on first need with the policy's key. */
  async #credentials(): Promise<{ relayUrl: string; credentials: StoredDeviceCredentials }> {
    const policy = this.#o.policy.current().values;
    let stored: StoredDeviceCredentials | null = this.#ephemeral;
    try {
      stored = (await loadDeviceCredentials(this.#o.secrets)) ?? stored;
    } catch (error) {
      if (!isPrintoError(error) || !error.code.startsWith('keyring-')) throw error;
    }
    const relayUrl = policy.relayUrl ?? stored?.relayUrl ?? null;
    if (relayUrl === null) {
      throw new PrintoError('not-enrolled', 'No support relay is configured on this computer.', {
        hint: 'Run `printo-help enroll --relay URL --key-stdin`, or ask your IT department to set relayUrl by policy.',
      });
    }
    const fits = stored !== null && (stored.relayUrl === undefined || stored.relayUrl === relayUrl);
    if (stored !== null && fits) return { relayUrl, credentials: stored };
    if (policy.enrollmentKey === null) {
      throw new PrintoError(
        'not-enrolled',
        stored === null
          ? 'This computer is not enrolled with the support relay yet.'
          : `This computer is enrolled with another relay than ${relayUrl}.`,
        {
          hint: `Run \`printo-help enroll --relay ${relayUrl} --key-stdin\` with your organisation's key.`,
        },
      );
    }
    return {
      relayUrl,
      credentials: await this.#enrollWith(
        relayUrl,
        policy.enrollmentKey,
        this.#o.deviceName ?? hostname(),
      ),
    };
  }

  /**
   * The relay's copy of this computer's sessions, reached with the stored credentials (never
   * enrolling for it: a computer that never enrolled has nothing there).
   */
  async relayRights(): Promise<RelayRights> {
    const policy = this.#o.policy.current().values;
    const stored = (await loadDeviceCredentials(this.#o.secrets)) ?? this.#ephemeral;
    if (stored === null) {
      throw new PrintoError('not-enrolled', 'This computer is not enrolled with a relay.', {
        hint: 'The relay keeps nothing of a computer that never enrolled.',
      });
    }
    const relayUrl = policy.relayUrl ?? stored.relayUrl ?? null;
    if (relayUrl === null) {
      throw new PrintoError('relay-not-configured', 'Which relay? None is set by policy.', {
        hint: 'Your IT department sets the relay (relayUrl) by policy.',
      });
    }
    return new RelayRights({
      relayUrl,
      credentials: { deviceId: stored.deviceId, deviceSecret: stored.deviceSecret },
      proxy: policy.proxy,
      env: this.#o.env,
    });
  }

  // -------------------------------------------------------------------------------------------
  // The session

  snapshot(): SupportSnapshot {
    const session = this.#session;
    const queued = session?.queued ?? null;
    const ended = session?.ended ?? null;
    return {
      state: session?.state ?? 'idle',
      // The session is queued (with its id) before ask() has taken the id over.
      sessionId: this.#sessionId ?? queued?.sessionId ?? null,
      code: queued?.code ?? null,
      codeExpiresAt: queued === null ? null : new Date(queued.validUntil).toISOString(),
      notice: queued?.notice ?? null,
      agent: this.#agent,
      granted: [...(session?.grantedScopes ?? [])],
      consent:
        this.#consent === null
          ? null
          : {
              requestId: this.#consent.requestId,
              agent: this.#consent.agent,
              scopes: this.#consent.scopes,
              grantable: this.#consent.grantable,
              notice: this.#consent.notice,
              expiresAt: this.#consent.expiresAt,
            },
      actions: [...this.#actions.values()].map(({ requestId, action, title }) => ({
        requestId,
        action,
        title,
      })),
      ended: ended === null ? null : { reason: ended.reason, message: ended.message },
      localCopy: this.#localCopy,
    };
  }

  activity(): Activity[] {
    return [...this.#activity];
  }

  chatHistory(): ChatMessage[] {
    return [...this.#chat];
  }

  async ask(description: string): Promise<SupportSnapshot> {
    const policy = this.#o.policy.current().values;
    if (!policy.supportEnabled) {
      throw new PrintoError(
        'support-disabled',
        'Support sessions are turned off on this computer.',
        {
          hint: 'Your IT department turned them off (supportEnabled); ask them for help another way.',
        },
      );
    }
    // `#asking`: a second ask while the first still enrols or connects (a double click) would
    // otherwise pass this check too and open a second session on the relay.
    if (this.#asking || (this.#session !== null && this.#session.state !== 'ended')) {
      throw new PrintoError('support-busy', 'A support session is already open.', {
        hint: 'End it first, or go on in it.',
      });
    }
    this.#asking = true;
    try {
      return await this.#start(description, policy);
    } finally {
      this.#asking = false;
    }
  }

  async #start(
    description: string,
    policy: ReturnType<PolicyService['current']>['values'],
  ): Promise<SupportSnapshot> {
    const { relayUrl, credentials } = await this.#credentials();
    // Told before consent: whether this computer will keep its own copy.
    this.#localCopy = await this.#o.localCopy.status();
    this.#reset();
    const session = new SupportSession({
      relayUrl,
      credentials: { deviceId: credentials.deviceId, deviceSecret: credentials.deviceSecret },
      deviceName: this.#o.deviceName ?? hostname(),
      clock: this.#o.clock,
      consentTimeoutMs: policy.consentTimeoutSeconds * 1000,
      proxy: policy.proxy,
      env: this.#o.env,
      ...(this.#o.WebSocketImpl === undefined ? {} : { WebSocketImpl: this.#o.WebSocketImpl }),
      callbacks: {
        onConsentRequest: (request) => this.#onConsentRequest(request),
        onDataRequest: (kind, _granted, signal, printers) =>
          this.#onDataRequest(kind, signal, printers),
        onActionRequest: (action, context) => this.#onActionRequest(action, context),
      },
    });
    this.#session = session;
    session.on('state', () => {
      this.#changed();
    });
    session.on('grant', () => {
      this.#changed();
    });
    session.on('chat', (message) => {
      this.#onChat(message);
    });
    session.on('activity', (activity) => {
      this.#onActivity(activity);
    });
    session.on('refused', (refusal) => {
      this.#pushActivity({
        type: 'refused',
        at: this.#now(),
        requestId: refusal.requestId,
        request: refusal.type,
        missingScope: refusal.missingScope,
      });
    });
    session.on('ended', (end) => {
      this.#onEnded(end);
    });
    const queued = await session.askForHelp(description);
    this.#sessionId = queued.sessionId;
    if (this.#localCopy.kept) {
      this.#recorder = new Recorder(this.#o.localCopy, queued.sessionId, this.#o.onRecordError);
      this.#recorder.start({
        sessionId: queued.sessionId,
        startedAt: this.#now(),
        description: description.trim(),
      });
    }
    this.#changed();
    return this.snapshot();
  }

  answerConsent(requestId: string, granted: readonly Scope[]): SupportSnapshot {
    const consent = this.#consent;
    if (consent?.requestId !== requestId) {
      throw new PrintoError('consent-not-pending', 'There is no such consent request waiting.', {
        hint: 'It may have timed out or been answered already.',
      });
    }
    const refused = granted.filter((scope) => !consent.grantable.includes(scope));
    if (refused.length > 0) {
      throw new PrintoError(
        'scope-not-allowed',
        `${refused.join(', ')} cannot be granted here: the agent did not ask for it or your administrator does not allow it.`,
      );
    }
    this.#consent = null;
    consent.resolve({ granted, noticeShown: consent.notice.text });
    this.#changed();
    return this.snapshot();
  }

  chat(text: string): { ref: string } {
    return { ref: this.#requireSession().sendChat(text) };
  }

  revoke(scopes: readonly Scope[]): SupportSnapshot {
    this.#requireSession().revoke(scopes);
    this.#changed();
    return this.snapshot();
  }

  async end(reason: string | undefined): Promise<SupportSnapshot> {
    const session = this.#session;
    if (session !== null) await session.end(reason);
    // The user's copy has the end before the caller hears of it: a transcripts call right after
    // sees the session as ended (the writes go on off the session's path, not off this one).
    await this.#recorder?.settled();
    return this.snapshot();
  }

  answerAction(requestId: string, approve: boolean): void {
    const pending = this.#actions.get(requestId);
    if (pending === undefined) {
      throw new PrintoError('action-not-pending', 'There is no such proposed action waiting.', {
        hint: 'It may have been withdrawn when access was revoked or the session ended.',
      });
    }
    this.#actions.delete(requestId);
    pending.resolve(approve);
    this.#changed();
  }

  /** Ends a running session (the app quits) and waits for the local copy's last writes. */
  async close(reason = 'The app was closed.'): Promise<void> {
    const session = this.#session;
    if (session !== null && session.state !== 'ended') await session.end(reason);
    await this.#recorder?.settled();
  }

  // -------------------------------------------------------------------------------------------
  // Handlers the library calls

  #onConsentRequest(request: ConsentRequest): Promise<ConsentAnswer> {
    const policy = this.#o.policy.current().values;
    // On this computer's clock: the relay's `expiresAt` is on the relay's, which may differ.
    const deadline =
      this.#o.clock.now() + Math.min(request.answerWithinMs, policy.consentTimeoutSeconds * 1000);
    this.#consentAgent.set(request.requestId, request.agent);
    return new Promise((resolve) => {
      this.#consent = {
        requestId: request.requestId,
        agent: request.agent,
        scopes: [...request.scopes],
        grantable: request.scopes.filter((s) => policy.allowedScopes.includes(s)),
        notice: request.notice,
        expiresAt: new Date(deadline).toISOString(),
        resolve,
      };
      request.signal.addEventListener('abort', () => {
        // Timed out or the session ended: the prompt closes.
        if (this.#consent?.requestId === request.requestId) {
          this.#consent = null;
          this.#changed();
        }
      });
      this.#changed();
    });
  }

  async #onDataRequest(
    kind: DataKind,
    signal: AbortSignal,
    printers: readonly string[] | null,
  ): Promise<Data> {
    switch (kind) {
      case 'printers':
        return { kind, printers: await this.#o.system.listPrinters({ signal }) };
      case 'jobs':
        return { kind, jobs: await this.#o.system.listJobs(undefined, { signal }) };
      case 'diagnostics':
        return { kind, report: await this.#o.runDiagnostics(printers, signal) };
    }
  }

  async #onActionRequest(action: ProposedAction, context: ActionContext): Promise<ActionResult> {
    const approved = await new Promise<boolean>((resolve) => {
      const { requestId } = context;
      this.#actions.set(requestId, {
        requestId,
        action,
        title: describeAction(action),
        resolve,
      });
      context.signal.addEventListener('abort', () => {
        if (this.#actions.delete(requestId)) {
          resolve(false);
          this.#changed();
        }
      });
      this.#changed();
    });
    if (!approved) return { outcome: 'declined', message: 'The user declined.' };
    if (!context.approve()) return { outcome: 'declined' };
    try {
      if (action.id === 'run-diagnostics') {
        const report = await this.#o.runDiagnostics(action.printers ?? null, context.signal);
        return {
          outcome: 'done',
          message: `The diagnostics ran: ${report.verdict}.`,
          data: { kind: 'diagnostics', report },
        };
      }
      const outcome = await performFixAction(this.#o.system, action, { signal: context.signal });
      return {
        outcome: outcome.failures.length === 0 ? 'done' : 'failed',
        message: outcome.message,
      };
    } catch (error) {
      return {
        outcome: 'failed',
        message: error instanceof Error ? error.message : String(error),
      };
    }
  }

  // -------------------------------------------------------------------------------------------
  // Events from the library

  #onChat(message: ChatMessage): void {
    this.#chat.push(message);
    this.#o.hub.emit('support.chat', message);
    this.#recorder?.record({
      type: 'chat',
      seq: this.#chat.length,
      messageId: message.messageId,
      from: message.from,
      name: message.name,
      text: message.text,
      at: message.at,
      redacted: message.redacted,
    });
  }

  #onActivity(activity: SessionActivity): void {
    const at = this.#now();
    switch (activity.type) {
      case 'consent': {
        const agent =
          activity.requestId === undefined ? undefined : this.#consentAgent.get(activity.requestId);
        if (activity.decision === 'granted' && agent !== undefined) this.#agent = agent;
        this.#pushActivity({
          type: 'consent',
          at,
          decision: activity.decision,
          scopes: [...activity.scopes],
        });
        const notice = this.#session?.queued?.notice;
        this.#recorder?.record({
          type: 'consent',
          at,
          decision: activity.decision,
          scopes: [...activity.scopes],
          ...(agent === undefined ? {} : { agent }),
          ...(activity.noticeShown === undefined || notice === undefined
            ? {}
            : {
                notice: {
                  text: activity.noticeShown,
                  retentionDays: notice.retentionDays,
                  digest: noticeDigest(activity.noticeShown),
                },
              }),
        });
        this.#changed();
        return;
      }
      case 'data.requested': {
        const printers = activity.printers === null ? null : [...activity.printers];
        this.#dataRequests.set(activity.requestId, { kind: activity.kind, printers });
        this.#pushActivity({
          type: 'data.requested',
          at,
          requestId: activity.requestId,
          kind: activity.kind,
          printers,
        });
        return;
      }
      case 'data.sent': {
        const request = this.#dataRequests.get(activity.payload.requestId);
        if (request === undefined) return;
        this.#dataRequests.delete(activity.payload.requestId);
        this.#pushActivity({
          type: 'data.sent',
          at,
          kind: request.kind,
          printers: request.printers,
          payload: activity.payload,
        });
        this.#recorder?.record({
          type: 'data',
          at,
          requestId: activity.payload.requestId,
          kind: request.kind,
          ...(request.printers === null ? {} : { printers: request.printers }),
          sent: activity.payload,
        });
        return;
      }
      case 'action.proposed': {
        this.#pushActivity({
          type: 'action.proposed',
          at,
          requestId: activity.requestId,
          action: activity.action,
          title: describeAction(activity.action),
        });
        this.#recorder?.record({
          type: 'action.proposed',
          at,
          requestId: activity.requestId,
          action: activity.action,
        });
        return;
      }
      case 'action.answered':
        this.#pushActivity({ type: 'action.answered', at, payload: activity.payload });
        this.#recorder?.record({ type: 'action.answer', at, answer: activity.payload });
        return;
    }
  }

  #onEnded(end: SessionEnd): void {
    this.#consent = null;
    for (const pending of this.#actions.values()) pending.resolve(false);
    this.#actions.clear();
    const reason = SessionEndedReasonSchema.safeParse(end.reason);
    this.#recorder?.end({
      endedAt: this.#now(),
      reason: reason.success ? reason.data : 'connection-lost',
      message: end.message,
    });
    this.#changed();
  }

  // -------------------------------------------------------------------------------------------

  #pushActivity(activity: Activity): void {
    this.#activity.push(activity);
    if (this.#activity.length > MAX_ACTIVITY) this.#activity.shift();
    this.#o.hub.emit('support.activity', activity);
  }

  #changed(): void {
    this.#o.hub.emit('support.changed', this.snapshot());
  }

  #reset(): void {
    this.#sessionId = null;
    this.#agent = null;
    this.#consent = null;
    this.#consentAgent = new Map();
    this.#actions = new Map();
    this.#activity = [];
    this.#chat = [];
    this.#dataRequests = new Map();
    this.#recorder = null;
  }

  #requireSession(): SupportSession {
    if (this.#session === null) {
      throw new PrintoError('session-not-active', 'There is no support session.', {
        hint: 'Ask for help first.',
      });
    }
    return this.#session;
  }

  #now(): string {
    return new Date(this.#o.clock.now()).toISOString();
  }
}

/**
 * Writes one session into the local copy in order, off the caller's path: the session never
 * waits for (or fails because of) the disk. A failed write is reported, and the rest still tried.
 */
class Recorder {
  #chain: Promise<unknown> = Promise.resolve();
  readonly #copy: LocalCopy;
  readonly #sessionId: string;
  readonly #onError: ((error: unknown) => void) | undefined;

  constructor(copy: LocalCopy, sessionId: string, onError?: (error: unknown) => void) {
    this.#copy = copy;
    this.#sessionId = sessionId;
    this.#onError = onError;
  }

  #then(work: (store: TranscriptStore) => Promise<void>): void {
    this.#chain = this.#chain.then(async () => {
      try {
        const store = await this.#copy.open(true);
        if (store !== null) await work(store);
      } catch (error) {
        this.#onError?.(error);
      }
    });
  }

  start(start: Parameters<TranscriptStore['startSession']>[0]): void {
    this.#then((store) => store.startSession(start));
  }

  record(entry: TranscriptEntry): void {
    this.#then((store) => store.record(this.#sessionId, entry));
  }

  end(end: Parameters<TranscriptStore['endSession']>[1]): void {
    this.#then((store) => store.endSession(this.#sessionId, end));
  }

  settled(): Promise<unknown> {
    return this.#chain;
  }
}

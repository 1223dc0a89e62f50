/**
 * ClientServices implemented over the client's parts (ARCHITECTURE.md, src-main/services): the
 * print system, the diagnostics, the support session, the user's own copy, policy. Every front
 * end — the Electron IPC bridge, the browser shell, `printo-help support` — holds the host this
 * returns and calls it only through `call` (which validates with the contract, src-shared/api).
 */
import { randomUUID } from 'node:crypto';
import { platform } from 'node:os';
import { dispatch, unwrapReply } from '../../src-shared/api/dispatch.ts';
import type {
  AppInfo,
  ClientServiceMethods,
  ClientServices,
  EventName,
  EventPayload,
  MethodArgs,
  MethodName,
  MethodResult,
} from '../../src-shared/api/contract.ts';
import { PrintoError } from '../../src-shared/errors.ts';
import type { DiagnosticsReport } from '../../src-shared/model/diagnostics.ts';
import type { PurgeResult } from '../../src-shared/model/transcript.ts';
import type { Check } from '../diagnostics/check.ts';
import { performFixAction } from '../diagnostics/actions.ts';
import { createDiagnosticsEnvironment } from '../diagnostics/environment.ts';
import { runDiagnostics } from '../diagnostics/runner.ts';
import type { RunOptions } from '../diagnostics/runner.ts';
import type { PolicyService } from '../policy/effective.ts';
import type { PrinterSystem, PrinterWatch } from '../printers/printer-system.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { systemClock } from '../../src-shared/clock.ts';
import type { Clock } from '../../src-shared/clock.ts';
import type { WebSocketConstructor } from '../session/connection.ts';
import type { ProxyEnv } from '../session/proxy.ts';
import { APP_VERSION } from '../version.ts';
import { EventHub } from './hub.ts';
import { LocalCopy } from './local-copy.ts';
import { SupportService } from './support.ts';

export interface ClientServicesOptions {
  readonly system: PrinterSystem;
  readonly policy: PolicyService;
  readonly secrets: SecretStore;
  /** The local transcript store's file. */
  readonly transcriptsPath: string;
  /** Which front end holds these services (app.info). */
  readonly shell: AppInfo['shell'];
  /** The diagnostics' checks; default all of them (loaded on first run). */
  readonly checks?: readonly Check[];
  readonly clock?: Clock;
  readonly deviceName?: string;
  readonly WebSocketImpl?: WebSocketConstructor;
  /** Where a `system` proxy is read from (HTTPS_PROXY, NO_PROXY); default process.env. */
  readonly env?: ProxyEnv;
  /** Told of failures in the background (the local copy's writes, a purge, the printer watch). */
  readonly onBackgroundError?: (error: unknown) => void;
  /** Diagnostics options a test narrows (time-outs, probe). */
  readonly diagnostics?: Omit<RunOptions, 'printers' | 'signal' | 'onProgress'>;
}

/** What the composition root holds: the contract for front ends, plus start and stop. */
export interface ClientServicesHost extends ClientServices {
  /** The implementation, for transports that call `dispatch` themselves. */
  readonly methods: ClientServiceMethods;
  /** Stops the watch and timers, ends a running session with a reason, closes the local copy. */
  close(reason?: string): Promise<void>;
}

function nothingKept(): PrintoError {
  return new PrintoError('transcripts-not-found', 'No support session is kept on this computer.', {
    hint: 'Sessions are kept here once you have had one (and the OS keyring works).',
  });
}

export async function createClientServices(
  options: ClientServicesOptions,
): Promise<ClientServicesHost> {
  const clock = options.clock ?? systemClock;
  const hub = new EventHub();
  const { system, policy } = options;
  await policy.load();
  const background = (error: unknown): void => {
    options.onBackgroundError?.(error);
  };
  const localCopy = new LocalCopy({
    path: options.transcriptsPath,
    secrets: options.secrets,
    policy,
    clock,
    onError: background,
  });

  // Printer changes: watched only while someone listens.
  let watch: Promise<PrinterWatch | null> | null = null;
  hub.whileListened(
    'printers.changed',
    () => {
      watch = system
        .watch(
          (change) => {
            hub.emit('printers.changed', change);
          },
          { onError: background, onFallback: () => undefined },
        )
        .catch((error: unknown) => {
          background(error);
          return null;
        });
    },
    () => {
      const stopping = watch;
      watch = null;
      void stopping?.then((w) => w?.stop());
    },
  );

  // Diagnostics runs, by the caller's run id.
  const runs = new Map<string, AbortController>();
  let checks: readonly Check[] | undefined = options.checks;
  async function diagnose(
    printers: readonly string[] | null,
    signal: AbortSignal,
    runId?: string,
  ): Promise<DiagnosticsReport> {
    checks ??= (await import('../diagnostics/checks/index.ts')).allChecks;
    const policyValues = policy.current().values;
    return runDiagnostics(
      createDiagnosticsEnvironment(system, { now: () => clock.now() }),
      checks,
      {
        networkTimeoutMs: policyValues.diagnosticsTimeoutSeconds * 1000,
        ...options.diagnostics,
        ...(printers === null ? {} : { printers }),
        signal,
        ...(runId === undefined
          ? {}
          : {
              onProgress: (event) => {
                hub.emit(
                  'diagnostics.progress',
                  event.type === 'check-finished'
                    ? {
                        type: 'check-finished',
                        runId,
                        checkId: event.result.checkId,
                        status: event.result.status,
                        printer: event.result.printer,
                        done: event.done,
                        total: event.total,
                      }
                    : { ...event, runId },
                );
              },
            }),
      },
    );
  }

  const support = new SupportService({
    hub,
    policy,
    secrets: options.secrets,
    localCopy,
    system,
    clock,
    runDiagnostics: (printers, signal) => diagnose(printers, signal),
    ...(options.deviceName === undefined ? {} : { deviceName: options.deviceName }),
    ...(options.WebSocketImpl === undefined ? {} : { WebSocketImpl: options.WebSocketImpl }),
    ...(options.env === undefined ? {} : { env: options.env }),
    onRecordError: background,
  });

  const settingsChanged = (): void => {
    hub.emit('settings.changed', policy.current().report);
  };

  const methods: ClientServiceMethods = {
    // Printers and jobs
    'printers.list': () => system.listPrinters(),
    'printers.jobs': (args) =>
      system.listJobs(args.printer, args.which === undefined ? {} : { which: args.which }),
    'printers.queueAction': async ({ printer, action }) => {
      if (action === 'pause') await system.pausePrinter(printer);
      else await system.resumePrinter(printer);
      return { message: `${printer} is ${action === 'pause' ? 'paused' : 'resumed'}.` };
    },
    'printers.jobAction': async ({ printer, jobId, action }) => {
      if (action === 'cancel') await system.cancelJob(printer, jobId);
      else if (action === 'hold') await system.holdJob(printer, jobId);
      else await system.releaseJob(printer, jobId);
      const done = { cancel: 'cancelled', hold: 'held', release: 'released' }[action];
      return { message: `Job ${String(jobId)} on ${printer} is ${done}.` };
    },
    'printers.testPage': async ({ printer }) => {
      const { jobId } = await system.printTestPage(printer);
      return { jobId, message: `A test page is on its way to ${printer} (job ${String(jobId)}).` };
    },

    // Diagnostics
    'diagnostics.run': async ({ runId, printers }) => {
      if (runs.has(runId)) {
        throw new PrintoError('diagnostics-run-exists', `A run ${runId} is already going.`);
      }
      const controller = new AbortController();
      runs.set(runId, controller);
      let report: DiagnosticsReport;
      try {
        report = await diagnose(printers ?? null, controller.signal, runId);
      } finally {
        runs.delete(runId);
      }
      if (controller.signal.aborted) {
        throw new PrintoError('diagnostics-cancelled', 'The diagnostics were cancelled.');
      }
      // Kept in its own retention category when the local copy can be kept.
      let reportId: string | null = null;
      try {
        if ((await localCopy.status()).kept) {
          const store = await localCopy.open(true);
          if (store !== null) {
            reportId = randomUUID();
            await store.addReport({
              reportId,
              createdAt: new Date(clock.now()).toISOString(),
              report,
            });
          }
        }
      } catch (error) {
        reportId = null;
        background(error);
      }
      return { reportId, report };
    },
    'diagnostics.cancel': ({ runId }) => {
      runs.get(runId)?.abort(new Error('cancelled'));
      return Promise.resolve({ ok: true as const });
    },
    'diagnostics.fix': async ({ action }) => {
      const outcome = await performFixAction(system, action);
      return { message: outcome.message, failures: [...outcome.failures] };
    },
    'diagnostics.reports': async () => (await localCopy.forRights())?.listReports() ?? [],
    'diagnostics.report': async ({ reportId }) => {
      const store = await localCopy.forRights();
      if (store === null) throw nothingKept();
      return store.viewReport(reportId);
    },

    // Support
    'support.enrolment': () => support.enrolment(),
    'support.enroll': (args) => support.enroll(args),
    'support.snapshot': () => Promise.resolve(support.snapshot()),
    'support.ask': ({ description }) => support.ask(description),
    'support.answerConsent': ({ requestId, granted }) =>
      Promise.resolve(support.answerConsent(requestId, granted)),
    'support.chat': ({ text }) => Promise.resolve(support.chat(text)),
    'support.revoke': ({ scopes }) => Promise.resolve(support.revoke(scopes)),
    'support.end': ({ reason }) => support.end(reason),
    'support.answerAction': ({ requestId, approve }) => {
      support.answerAction(requestId, approve);
      return Promise.resolve({ ok: true as const });
    },
    'support.activity': () => Promise.resolve(support.activity()),
    'support.chatHistory': () => Promise.resolve(support.chatHistory()),

    // The user's own copy
    'transcripts.list': async () => (await localCopy.forRights())?.listSessions() ?? [],
    'transcripts.view': async ({ sessionId }) => {
      const store = await localCopy.forRights();
      if (store === null) throw nothingKept();
      return store.viewSession(sessionId);
    },
    'transcripts.export': async ({ ref }) => {
      const store = await localCopy.forRights();
      if (store === null) {
        if (ref !== undefined) throw nothingKept();
        return {
          format: 'printo-help-export/v1' as const,
          exportedAt: new Date(clock.now()).toISOString(),
          sessions: [],
          diagnosticReports: [],
        };
      }
      return store.exportData(ref);
    },
    'transcripts.erase': async (args): Promise<PurgeResult> => {
      const store = await localCopy.forRights();
      if (store === null) {
        if ('all' in args) return { sessions: 0, reports: 0 };
        throw nothingKept();
      }
      if ('all' in args) return store.eraseAll();
      await store.erase(args.ref);
      return args.ref.type === 'session'
        ? { sessions: 1, reports: 0 }
        : { sessions: 0, reports: 1 };
    },
    'transcripts.setFlags': async ({ ref, flags }) => {
      const store = await localCopy.forRights();
      if (store === null) throw nothingKept();
      await store.setFlags(ref, flags);
      return { ok: true as const };
    },
    'transcripts.correct': async ({ sessionId, messageId, text }) => {
      const store = await localCopy.forRights();
      if (store === null) throw nothingKept();
      await store.correctMessage(sessionId, messageId, text, new Date(clock.now()).toISOString());
      return { ok: true as const };
    },

    // The relay's copy
    // The relay's copy, through the rights client with this computer's credentials.
    'relayCopy.list': async () => ({ sessions: [...(await (await support.relayRights()).list())] }),
    'relayCopy.export': async ({ sessionId }) => (await support.relayRights()).export(sessionId),
    'relayCopy.erase': async ({ sessionId }) => (await support.relayRights()).erase(sessionId),
    'relayCopy.right': async ({ sessionId, right }) => {
      const rights = await support.relayRights();
      return right === 'restriction' ? rights.restrict(sessionId) : rights.object(sessionId);
    },
    'relayCopy.correct': async ({ sessionId, messageId, text }) =>
      (await support.relayRights()).correct(sessionId, messageId, text),

    // Settings
    'settings.get': () => Promise.resolve(policy.current().report),
    'settings.set': async ({ key, value }) => {
      const next = await policy.setUserSetting(key, value);
      settingsChanged();
      return next.report;
    },
    'settings.clear': async ({ key }) => {
      const next = await policy.clearUserSetting(key);
      settingsChanged();
      return next.report;
    },

    // App
    'app.info': () =>
      Promise.resolve({
        name: 'Printo Help' as const,
        version: APP_VERSION,
        platform: platform(),
        printSystem: { kind: system.kind, endpoint: system.endpoint },
        shell: options.shell,
      }),
  };

  return {
    methods,
    async call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
      return unwrapReply(method, await dispatch(methods, method, args));
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return hub.on(event, listener);
    },
    async close(reason?: string): Promise<void> {
      for (const controller of runs.values()) controller.abort(new Error('closing'));
      await support.close(reason);
      const stopping = watch;
      watch = null;
      await (await stopping)?.stop();
      await localCopy.close();
    },
  };
}

/**
 * Runs the check catalogue: every (check × printer) task at once, each under its own time-out,
 * all under one overall deadline and the caller's AbortSignal. A check that throws or overruns
 * becomes an `error` result; the run as a whole always produces a report.
 */
import { randomUUID } from 'node:crypto';
import { hostname, release, arch } from 'node:os';
import { isPrintoError } from '../../src-shared/errors.ts';
import type {
  CheckResult,
  CheckStatus,
  DiagnosticsReport,
} from '../../src-shared/model/diagnostics.ts';
import { worstStatus } from '../../src-shared/model/diagnostics.ts';
import type { Job } from '../../src-shared/model/job.ts';
import type { Printer } from '../../src-shared/model/printer.ts';
import type {
  Check,
  CheckContext,
  CheckOutcome,
  DeviceProbe,
  DiagnosticsEnvironment,
  RunFacts,
} from './check.ts';
import { NetworkDeviceProbe } from './device-probe.ts';
import { APP_VERSION } from '../version.ts';

import { DEFAULT_NETWORK_TIMEOUT_MS } from './timeouts.ts';

export { DEFAULT_NETWORK_TIMEOUT_MS };
/** Local checks (the print service, the spooler, disk space) get a longer budget. */
export const DEFAULT_LOCAL_TIMEOUT_MS = 10_000;
export const DEFAULT_STUCK_JOB_AFTER_MS = 10 * 60_000;
/**
 * A network check's own requests time out at the network time-out and the check then reports
 * what that means; the runner's backstop waits a little longer so that it does not pre-empt them.
 */
const NETWORK_GRACE_MS = 500;

export type ProgressEvent =
  | { readonly type: 'started'; readonly total: number }
  | {
      readonly type: 'check-started';
      readonly checkId: string;
      readonly title: string;
      readonly printer: string | null;
      readonly done: number;
      readonly total: number;
    }
  | {
      readonly type: 'check-finished';
      readonly result: CheckResult;
      readonly done: number;
      readonly total: number;
    };

export interface RunOptions {
  /** Only these queues (all when undefined). Unknown names become a `fail` result. */
  readonly printers?: readonly string[];
  /** Time-out of each network check; default 3 s. */
  readonly networkTimeoutMs?: number;
  readonly localTimeoutMs?: number;
  /** Whole-run deadline; default the longest check budget plus 2 s. */
  readonly deadlineMs?: number;
  readonly stuckJobAfterMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Device queries; default real network probes (tests may pass the same class). */
  readonly probe?: DeviceProbe & { close?: () => void };
  readonly appVersion?: string;
}

interface Task {
  readonly check: Check;
  readonly printer: Printer | null;
}

function deadlineSignal(
  ms: number,
  parent: AbortSignal | undefined,
): {
  signal: AbortSignal;
  clear: () => void;
} {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new Error(`time-out after ${ms} ms`));
  }, ms);
  const onParent = (): void => {
    controller.abort(parent?.reason);
  };
  parent?.addEventListener('abort', onParent, { once: true });
  if (parent?.aborted === true) onParent();
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

async function gatherFacts(env: DiagnosticsEnvironment, signal: AbortSignal): Promise<RunFacts> {
  try {
    const [printers, jobs, completedJobs] = await Promise.all([
      env.system.listPrinters({ signal }),
      env.system.listJobs(undefined, { signal, which: 'not-completed' }),
      env.system.listJobs(undefined, { signal, which: 'completed' }).catch((): Job[] => []),
    ]);
    return { printers, printServiceError: null, jobs, completedJobs };
  } catch (error) {
    return {
      printers: null,
      printServiceError: error instanceof Error ? error : new Error(String(error)),
      jobs: [],
      completedJobs: [],
    };
  }
}

function describeError(error: unknown): string {
  if (isPrintoError(error)) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export async function runDiagnostics(
  env: DiagnosticsEnvironment,
  checks: readonly Check[],
  options: RunOptions = {},
): Promise<DiagnosticsReport> {
  const networkTimeoutMs = options.networkTimeoutMs ?? DEFAULT_NETWORK_TIMEOUT_MS;
  const localTimeoutMs = Math.max(
    options.localTimeoutMs ?? DEFAULT_LOCAL_TIMEOUT_MS,
    networkTimeoutMs,
  );
  const deadlineMs = options.deadlineMs ?? localTimeoutMs + 2_000;
  const startedMs = env.now();
  const run = deadlineSignal(deadlineMs, options.signal);
  const probe = options.probe ?? new NetworkDeviceProbe({ timeoutMs: networkTimeoutMs });
  const results: CheckResult[] = [];
  try {
    const facts = await gatherFacts(env, run.signal);
    const applicable = checks.filter((check) => check.os.includes(env.os));
    const wanted = options.printers;
    const printers = (facts.printers ?? []).filter(
      (p) => wanted === undefined || wanted.includes(p.name),
    );
    const tasks: Task[] = [];
    for (const check of applicable) {
      if (check.scope === 'system') tasks.push({ check, printer: null });
      else for (const printer of printers) tasks.push({ check, printer });
    }
    options.onProgress?.({ type: 'started', total: tasks.length });

    let done = 0;
    const runTask = async ({ check, printer }: Task): Promise<void> => {
      const printerName = printer?.name ?? null;
      options.onProgress?.({
        type: 'check-started',
        checkId: check.id,
        title: check.title,
        printer: printerName,
        done,
        total: tasks.length,
      });
      const budget = check.network ? networkTimeoutMs + NETWORK_GRACE_MS : localTimeoutMs;
      const taskSignal = deadlineSignal(budget, run.signal);
      const started = env.now();
      let outcomes: readonly CheckOutcome[];
      const abortMessage = (): string =>
        run.signal.aborted
          ? options.signal?.aborted === true
            ? 'The diagnostics run was cancelled before this check finished.'
            : `The diagnostics run reached its ${deadlineMs} ms deadline before this check finished.`
          : `The check did not finish within ${budget} ms.`;
      // Armed before the check starts: a check that ignores its signal must still not hold up
      // the run, and an abort during the check's first synchronous steps must not be missed.
      const aborted = new Promise<never>((_, reject) => {
        const fire = (): void => {
          reject(new Error(abortMessage()));
        };
        if (taskSignal.signal.aborted) fire();
        else taskSignal.signal.addEventListener('abort', fire, { once: true });
      });
      aborted.catch(() => undefined);
      try {
        const context: CheckContext = {
          env,
          facts,
          signal: taskSignal.signal,
          timeoutMs: networkTimeoutMs,
          stuckJobAfterMs: options.stuckJobAfterMs ?? DEFAULT_STUCK_JOB_AFTER_MS,
          device: probe,
        };
        const work =
          check.scope === 'system'
            ? check.run(context)
            : check.run(context, printer ?? (undefined as never));
        outcomes = await Promise.race([work, aborted]);
        if (outcomes.length === 0) {
          outcomes = [{ status: 'pass', summary: 'Nothing to report.' }];
        }
      } catch (error) {
        // A check that gave up because it was aborted says only "aborted": say why instead.
        const why = taskSignal.signal.aborted ? abortMessage() : describeError(error);
        outcomes = [{ status: 'error', summary: `This check could not run to the end: ${why}` }];
      } finally {
        taskSignal.clear();
      }
      const durationMs = Math.max(0, env.now() - started);
      for (const outcome of outcomes) {
        const result: CheckResult = {
          checkId: check.id,
          title: check.title,
          printer: printerName,
          status: outcome.status,
          summary: outcome.summary,
          details: outcome.details ?? null,
          evidence: [...(outcome.evidence ?? [])],
          fixes: [...(outcome.fixes ?? [])],
          startedAt: new Date(started).toISOString(),
          durationMs,
        };
        results.push(result);
        done += 1;
        options.onProgress?.({ type: 'check-finished', result, done, total: tasks.length });
      }
    };
    await Promise.all(tasks.map(runTask));

    for (const name of wanted ?? []) {
      if (facts.printers !== null && !facts.printers.some((p) => p.name === name)) {
        results.push({
          checkId: 'printers-present',
          title: 'Printer exists',
          printer: name,
          status: 'fail',
          summary: `There is no printer named "${name}" on this computer.`,
          details: null,
          evidence: [],
          fixes: [
            {
              title: 'Pick a printer that exists',
              steps: ['Run `printo-help printers` to see the printers set up on this computer.'],
            },
          ],
          startedAt: new Date(startedMs).toISOString(),
          durationMs: 0,
        });
      }
    }
  } finally {
    run.clear();
    probe.close?.();
  }
  return buildReport(env, results, {
    startedMs,
    finishedMs: env.now(),
    networkTimeoutMs,
    deadlineMs,
    printers: options.printers ?? null,
    appVersion: options.appVersion ?? APP_VERSION,
  });
}

const ORDER_OF_STATUS: Readonly<Record<CheckStatus, number>> = {
  fail: 0,
  error: 1,
  warn: 2,
  pass: 3,
  skip: 4,
};

function buildReport(
  env: DiagnosticsEnvironment,
  unordered: CheckResult[],
  meta: {
    startedMs: number;
    finishedMs: number;
    networkTimeoutMs: number;
    deadlineMs: number;
    printers: readonly string[] | null;
    appVersion: string;
  },
): DiagnosticsReport {
  // Problems first, then by printer (the computer's own checks before any queue), then check id.
  const results = [...unordered].sort(
    (a, b) =>
      ORDER_OF_STATUS[a.status] - ORDER_OF_STATUS[b.status] ||
      (a.printer ?? '').localeCompare(b.printer ?? '') ||
      a.checkId.localeCompare(b.checkId),
  );
  const byPrinter = new Map<string, CheckResult[]>();
  for (const result of results) {
    if (result.printer === null) continue;
    const list = byPrinter.get(result.printer) ?? [];
    list.push(result);
    byPrinter.set(result.printer, list);
  }
  const printers = [...byPrinter.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, list]) => {
      const verdict = worstStatus(list.map((r) => r.status));
      const worst = list.find((r) => r.status === verdict);
      return {
        name,
        verdict,
        summary: verdict === 'pass' || worst === undefined ? 'No problems found.' : worst.summary,
      };
    });
  return {
    schema: 'diagnostics-report/v1',
    id: randomUUID(),
    startedAt: new Date(meta.startedMs).toISOString(),
    finishedAt: new Date(meta.finishedMs).toISOString(),
    durationMs: Math.max(0, meta.finishedMs - meta.startedMs),
    host: {
      name: hostname(),
      os: { platform: env.os, release: release(), arch: arch() },
      printService: { kind: env.system.kind, endpoint: env.system.endpoint },
    },
    app: { name: 'Printo Help', version: meta.appVersion },
    options: {
      checkTimeoutMs: meta.networkTimeoutMs,
      deadlineMs: meta.deadlineMs,
      printers: meta.printers === null ? null : [...meta.printers],
    },
    verdict: worstStatus(results.map((r) => r.status)),
    printers,
    results,
  };
}

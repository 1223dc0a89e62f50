/**
 * Live changes on CUPS through IPP event notifications (RFC 3995) pulled with ippget (RFC 3996):
 * one server-wide printer subscription that also carries job events, polled with
 * Get-Notifications from the sequence number after the last one seen (nothing missed or
 * repeated), renewed at half its lease, cancelled on stop. A lost subscription (lease expired,
 * scheduler restarted) is created again and reported as one `resync`.
 */
import type { PrinterChange, PrinterChangeKind } from '../../../src-shared/model/printer-change.ts';
import type { IppAttributes } from '../ipp/attributes.ts';
import { IppStatusError } from '../ipp/client.ts';
import type { IppClient } from '../ipp/client.ts';
import { StatusCode } from '../ipp/constants.ts';
import type { Clock, TimerHandle } from '../../../src-shared/clock.ts';
import type { PrinterChangeListener, PrinterWatch } from '../printer-system.ts';
import { queueNameFromUri } from './mapping.ts';

/**
 * CUPS's event keywords (CUPS Implementation of IPP, notify-events) that a UI cares about. CUPS
 * sends the precise event (`printer-stopped` for printer-state-changed, `job-stopped`…).
 */
export const CUPS_WATCH_EVENTS = [
  'printer-added',
  'printer-deleted',
  'printer-state-changed',
  'printer-config-changed',
  'printer-modified',
  'job-created',
  'job-state-changed',
  'job-config-changed',
  'job-completed',
  'server-restarted',
] as const;

/** The scheduler itself: a subscription on it covers every queue. */
export const SERVER_URI = 'ipp://localhost/';
export const DEFAULT_LEASE_SECONDS = 300;

/** job-state canceled (7), aborted (8) or completed (9), RFC 8011 §5.3.7. */
function isFinished(event: IppAttributes): boolean {
  return (event.integer('job-state') ?? 0) >= 7;
}

/** One ippget event → the port's change, or undefined for an event we did not ask for. */
export function changeFromEvent(event: IppAttributes, at: Date): PrinterChange | undefined {
  const keyword = event.string('notify-subscribed-event');
  const printer =
    event.string('printer-name') ?? queueNameFromUri(event.string('notify-printer-uri'));
  const jobId = event.integer('notify-job-id');
  let kind: PrinterChangeKind;
  switch (keyword) {
    case 'printer-added':
    case 'printer-deleted':
    case 'job-created':
    case 'job-completed':
      kind = keyword;
      break;
    case 'job-state-changed':
    case 'job-stopped':
    case 'job-config-changed':
      kind = isFinished(event) ? 'job-completed' : 'job-changed';
      break;
    case 'printer-state-changed':
    case 'printer-stopped':
    case 'printer-restarted':
    case 'printer-shutdown':
    case 'printer-config-changed':
    case 'printer-media-changed':
    case 'printer-finishings-changed':
    case 'printer-modified':
      kind = 'printer-changed';
      break;
    case 'server-restarted':
      return { kind: 'resync', at: at.toISOString() };
    default:
      return undefined;
  }
  if (printer === undefined || printer === '') return undefined;
  const isJob = kind.startsWith('job-');
  if (isJob && jobId === undefined) return undefined;
  return {
    kind,
    printer,
    ...(isJob && jobId !== undefined ? { jobId } : {}),
    at: at.toISOString(),
  };
}

export interface CupsWatchOptions {
  readonly client: IppClient;
  readonly listener: PrinterChangeListener;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly leaseSeconds?: number;
  readonly onError?: (error: unknown) => void;
}

export interface CupsPrinterWatch extends PrinterWatch {
  /** The current subscription's id on the scheduler (it changes after a resync). */
  readonly subscriptionId: number;
}

/**
 * Subscribes (rejects with the IPP error when the scheduler refuses) and starts pulling events.
 */
export async function startCupsWatch(options: CupsWatchOptions): Promise<CupsPrinterWatch> {
  const { client, listener, clock } = options;
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const subscribe = async (signal?: AbortSignal): Promise<void> => {
    const created = await client.createPrinterSubscription(
      SERVER_URI,
      { events: CUPS_WATCH_EVENTS, leaseSeconds },
      signal === undefined ? {} : { signal },
    );
    subscriptionId = created.subscriptionId;
    nextSequence = 1;
    const granted = created.leaseSeconds ?? leaseSeconds;
    renewAt = granted > 0 ? clock.now() + (granted * 1000) / 2 : Infinity;
  };
  let subscriptionId = 0;
  let nextSequence = 1;
  let renewAt = Infinity;
  await subscribe();

  const controller = new AbortController();
  let stopped = false;
  let timer: TimerHandle | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let intervalMs = options.intervalMs;

  const resync = async (): Promise<void> => {
    await subscribe(controller.signal);
    if (!stopped) listener({ kind: 'resync', at: new Date(clock.now()).toISOString() });
  };

  const pull = async (): Promise<void> => {
    try {
      if (clock.now() >= renewAt) {
        await client.renewSubscription(SERVER_URI, subscriptionId, leaseSeconds, {
          signal: controller.signal,
        });
        renewAt = clock.now() + (leaseSeconds * 1000) / 2;
      }
      const { events, intervalSeconds, response } = await client.getNotifications(
        SERVER_URI,
        [{ subscriptionId, fromSequence: nextSequence }],
        { signal: controller.signal },
      );
      // CUPS asks for a get interval (usually long); ask sooner when we are asked to.
      if (intervalSeconds !== undefined && intervalSeconds > 0)
        intervalMs = Math.min(options.intervalMs, intervalSeconds * 1000);
      const sorted = events
        .filter((e) => e.integer('notify-subscription-id') === subscriptionId)
        .sort(
          (a, b) =>
            (a.integer('notify-sequence-number') ?? 0) - (b.integer('notify-sequence-number') ?? 0),
        );
      for (const event of sorted) {
        const sequence = event.integer('notify-sequence-number');
        if (sequence === undefined || sequence < nextSequence) continue;
        // CUPS keeps the last MaxEvents events only: a gap means some were dropped.
        if (sequence > nextSequence && !stopped)
          listener({ kind: 'resync', at: new Date(clock.now()).toISOString() });
        nextSequence = sequence + 1;
        const change = changeFromEvent(event, new Date(clock.now()));
        if (change !== undefined && !stopped) listener(change);
      }
      // The subscription ended (cancelled by someone else, lease over): start again.
      if (response.status === StatusCode['successful-ok-events-complete']) await resync();
    } catch (error) {
      if (stopped) return;
      if (
        error instanceof IppStatusError &&
        (error.statusName === 'client-error-not-found' || error.statusName === 'client-error-gone')
      ) {
        try {
          await resync();
        } catch (again) {
          if (!controller.signal.aborted) options.onError?.(again);
        }
        return;
      }
      options.onError?.(error);
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      inFlight = pull().then(schedule);
    }, intervalMs);
  };
  schedule();

  return {
    mode: 'notifications',
    get subscriptionId() {
      return subscriptionId;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clock.clearTimeout(timer);
      controller.abort(new Error('Watching stopped.'));
      await inFlight;
      try {
        await client.cancelSubscription(SERVER_URI, subscriptionId);
      } catch (error) {
        // Gone already (lease over, scheduler restarted): nothing left to cancel.
        if (!(error instanceof IppStatusError && error.statusName === 'client-error-not-found'))
          options.onError?.(error);
      }
    },
  };
}

/**
 * Live changes on the real test bed: the CUPS adapter's IPP event subscription reports each
 * change within 2 s of a CUPS tool making it, and stopping cancels the subscription on the
 * scheduler (checked with ipptool, not with the client under test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CupsPrinterSystem } from '../../src-main/printers/cups/cups-printer-system.ts';
import { parseCupsServerName } from '../../src-main/printers/cups/server.ts';
import { PrinterChangeSchema, type PrinterChange } from '../../src-shared/model/printer-change.ts';
import {
  onSubscription,
  subscriptionExists as subscriptionExistsOn,
} from '../testbed/subscriptions.ts';
import { startTestbed } from '../testbed/testbed.ts';
import type { Testbed } from '../testbed/testbed.ts';

const WITHIN_MS = 2000;

let bed: Testbed;
let system: CupsPrinterSystem;

beforeAll(async () => {
  bed = await startTestbed({ name: 'cups-watch' });
  const device = await bed.addDevice({ name: 'watch-dev', make: 'Acme', model: 'Watcher 1' });
  await bed.addQueues([{ name: 'Desk', device, description: 'Desk printer' }]);
  system = new CupsPrinterSystem({
    server: { endpoint: parseCupsServerName(bed.cupsSocket, 'test'), source: 'test' },
    deviceQuery: false,
  });
});

afterAll(async () => {
  system.close();
  await bed.stop();
});

/** Collects changes; `expectChange` resolves with the first match, or fails at the deadline. */
function collector() {
  const seen: PrinterChange[] = [];
  const waiters: { match: (c: PrinterChange) => boolean; resolve: (c: PrinterChange) => void }[] =
    [];
  const listener = (change: PrinterChange): void => {
    seen.push(PrinterChangeSchema.parse(change));
    for (const waiter of [...waiters]) {
      if (waiter.match(change)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(change);
      }
    }
  };
  /**
   * Arms the wait before `action` runs (a change may arrive while it runs), and counts the 2 s
   * from when the action is done: by then the print system has made the change (printing a
   * page, or submitting one, can itself take seconds on a busy machine).
   */
  const expectChange = async (
    match: (c: PrinterChange) => boolean,
    action: () => Promise<unknown>,
    what: string,
  ): Promise<PrinterChange> => {
    const arrived = new Promise<PrinterChange>((resolve) => {
      waiters.push({ match, resolve });
    });
    let early: PrinterChange | undefined;
    void arrived.then((change) => {
      early = change;
    });
    await action();
    const done = Date.now();
    if (early !== undefined) return early;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const change = await Promise.race([
        arrived,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(
              new Error(
                `no ${what} within ${WITHIN_MS} ms; seen: ${JSON.stringify(seen, null, 1)}`,
              ),
            );
          }, WITHIN_MS);
        }),
      ]);
      expect(Date.now() - done).toBeLessThanOrEqual(WITHIN_MS);
      return change;
    } finally {
      clearTimeout(timer);
    }
  };
  return { seen, listener, expectChange };
}

const subscriptionExists = (id: number): Promise<boolean> => subscriptionExistsOn(bed, id);

describe('CUPS adapter: live changes through IPP event notifications', () => {
  it('reports a paused queue, a new job, a held job within 2 s, and cancels its subscription on stop', async () => {
    const { listener, expectChange } = collector();
    const watch = await system.watch(listener);
    expect(watch.mode).toBe('notifications');
    const subscriptionId = 'subscriptionId' in watch ? watch.subscriptionId : Number.NaN;
    expect(await subscriptionExists(subscriptionId)).toBe(true);
    try {
      // (c) a queue paused, with CUPS's own tool.
      await expectChange(
        (c) => c.kind === 'printer-changed' && c.printer === 'Desk',
        () => bed.run('cupsdisable', ['Desk']),
        'printer-changed for the paused queue',
      );
      // (a) a job added: it waits on the paused queue.
      let jobId = 0;
      const created = await expectChange(
        (c) => c.kind === 'job-created' && c.printer === 'Desk',
        async () => {
          jobId = await bed.lp('Desk', { title: 'watched job' });
        },
        'job-created',
      );
      expect(created.jobId).toBe(jobId);
      // (b) the job held, with lp -i.
      await expectChange(
        (c) => c.kind === 'job-changed' && c.jobId === jobId,
        () => bed.run('lp', ['-i', String(jobId), '-H', 'indefinite']),
        'job-changed for the held job',
      );
      expect((await bed.job(jobId)).state).toBe('pending-held');
      // Cancelled: it leaves the waiting jobs.
      await expectChange(
        (c) => c.kind === 'job-completed' && c.jobId === jobId,
        () => system.cancelJob('Desk', jobId),
        'job-completed for the cancelled job',
      );
      await expectChange(
        (c) => c.kind === 'printer-changed' && c.printer === 'Desk',
        () => bed.run('cupsenable', ['Desk']),
        'printer-changed for the resumed queue',
      );
    } finally {
      await watch.stop();
    }
    expect(await subscriptionExists(subscriptionId)).toBe(false);
  }, 60_000);

  it('reports a job added by the adapter’s own test page, each sequence number once', async () => {
    const { seen, listener, expectChange } = collector();
    const watch = await system.watch(listener, { intervalMs: 200 });
    try {
      let jobId = 0;
      await expectChange(
        (c) => c.kind === 'job-created' && c.jobId === jobId,
        async () => {
          ({ jobId } = await system.printTestPage('Desk'));
        },
        'job-created for the test page',
      );
      // Printing takes the device its time; the change counts from when CUPS says it is done.
      await expectChange(
        (c) => c.kind === 'job-completed' && c.jobId === jobId,
        () => bed.waitForJob(jobId, { until: ['completed'] }),
        'job-completed for the test page',
      );
      const created = seen.filter((c) => c.kind === 'job-created' && c.jobId === jobId);
      expect(created).toHaveLength(1);
      expect(seen.filter((c) => c.kind === 'job-completed' && c.jobId === jobId)).toHaveLength(1);
    } finally {
      await watch.stop();
    }
  }, 60_000);

  it('renews its lease: a 2 s subscription lives on while changes come for longer', async () => {
    const { seen, listener, expectChange } = collector();
    const shortLease = new CupsPrinterSystem({
      server: { endpoint: parseCupsServerName(bed.cupsSocket, 'test'), source: 'test' },
      deviceQuery: false,
      leaseSeconds: 2,
    });
    const watch = await shortLease.watch(listener);
    const subscriptionId = 'subscriptionId' in watch ? watch.subscriptionId : Number.NaN;
    try {
      const started = Date.now();
      // Each round waits for its event, not for a clock: past two leases in a few rounds.
      for (let round = 0; Date.now() - started < 4500; round++) {
        const tool = round % 2 === 0 ? 'cupsdisable' : 'cupsenable';
        await expectChange(
          (c) => c.kind === 'printer-changed' && c.printer === 'Desk',
          () => bed.run(tool, ['Desk']),
          `printer-changed after ${tool}`,
        );
      }
      expect(seen.filter((c) => c.kind === 'resync')).toEqual([]);
      expect(await subscriptionExists(subscriptionId)).toBe(true);
    } finally {
      await watch.stop();
      await bed.run('cupsenable', ['Desk']);
      shortLease.close();
    }
  }, 60_000);

  it('subscribes again when its subscription is cancelled behind its back, and says resync', async () => {
    const { listener, expectChange } = collector();
    const watch = await system.watch(listener);
    const first = 'subscriptionId' in watch ? watch.subscriptionId : Number.NaN;
    try {
      await expectChange(
        (c) => c.kind === 'resync',
        () => onSubscription(bed, 'Cancel-Subscription', first),
        'resync',
      );
      const second = 'subscriptionId' in watch ? watch.subscriptionId : Number.NaN;
      expect(second).not.toBe(first);
      await expectChange(
        (c) => c.kind === 'printer-changed' && c.printer === 'Desk',
        () => bed.run('cupsdisable', ['Desk']),
        'printer-changed on the new subscription',
      );
      await watch.stop();
      expect(await subscriptionExists(second)).toBe(false);
    } finally {
      await watch.stop();
      await bed.run('cupsenable', ['Desk']);
    }
  }, 60_000);
});

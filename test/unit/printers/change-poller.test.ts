import { describe, expect, it } from 'vitest';
import {
  diffSnapshots,
  startPolling,
  type PollSnapshot,
} from '../../../src-main/printers/change-poller.ts';
import type { Job } from '../../../src-shared/model/job.ts';
import type { PrinterChange } from '../../../src-shared/model/printer-change.ts';
import { PrinterChangeSchema } from '../../../src-shared/model/printer-change.ts';
import { makePrinter } from '../make-printer.ts';
import { ManualClock } from '../manual-clock.ts';

const job = (printer: string, id: number, state: Job['state'] = 'pending'): Job => ({
  id,
  printer,
  name: null,
  owner: null,
  sizeBytes: null,
  pages: null,
  pagesCompleted: null,
  state,
  reasons: [],
  createdAt: null,
  processingAt: null,
  completedAt: null,
});

const AT = new Date('2026-03-01T09:00:00Z');

describe('diffing listings', () => {
  it('names each added, changed and deleted printer and job, and nothing unchanged', () => {
    const before: PollSnapshot = {
      printers: [
        makePrinter({ name: 'A' }),
        makePrinter({ name: 'B' }),
        makePrinter({ name: 'C' }),
      ],
      jobs: [job('A', 1), job('A', 2), job('B', 3)],
    };
    const after: PollSnapshot = {
      printers: [
        makePrinter({ name: 'A', jobCount: 7 }),
        makePrinter({ name: 'B', state: 'stopped' }),
        makePrinter({ name: 'D' }),
      ],
      jobs: [job('A', 1), job('A', 2, 'pending-held'), job('D', 4)],
    };
    const changes = diffSnapshots(before, after, AT);
    expect(changes.map((c) => PrinterChangeSchema.parse(c))).toEqual([
      { kind: 'printer-changed', printer: 'B', at: AT.toISOString() },
      { kind: 'printer-added', printer: 'D', at: AT.toISOString() },
      { kind: 'printer-deleted', printer: 'C', at: AT.toISOString() },
      { kind: 'job-changed', printer: 'A', jobId: 2, at: AT.toISOString() },
      { kind: 'job-created', printer: 'D', jobId: 4, at: AT.toISOString() },
      { kind: 'job-completed', printer: 'B', jobId: 3, at: AT.toISOString() },
    ]);
    expect(diffSnapshots(after, after, AT)).toEqual([]);
  });

  it('tells apart jobs with the same id on two queues (Windows numbers jobs per printer)', () => {
    const before = { printers: [], jobs: [job('A', 1)] };
    const after = { printers: [], jobs: [job('B', 1)] };
    expect(diffSnapshots(before, after, AT).map((c) => [c.kind, c.printer])).toEqual([
      ['job-created', 'B'],
      ['job-completed', 'A'],
    ]);
  });
});

describe('polling with an injected clock', () => {
  function setup() {
    const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
    let current: PollSnapshot = { printers: [makePrinter({ name: 'A' })], jobs: [] };
    let failure: Error | undefined;
    let listings = 0;
    const changes: PrinterChange[] = [];
    const errors: unknown[] = [];
    const snapshot = (): Promise<PollSnapshot> => {
      listings++;
      return failure === undefined ? Promise.resolve(current) : Promise.reject(failure);
    };
    const start = () =>
      startPolling(snapshot, (c) => changes.push(c), {
        clock,
        intervalMs: 1000,
        onError: (e) => errors.push(e),
      });
    return {
      clock,
      changes,
      errors,
      start,
      listings: () => listings,
      set: (next: PollSnapshot) => {
        current = next;
      },
      fail: (error: Error | undefined) => {
        failure = error;
      },
    };
  }

  it('lists once at start, then every interval, and reports what changed at the time it saw it', async () => {
    const bed = setup();
    const watch = await bed.start();
    expect(watch.mode).toBe('polling');
    expect(bed.listings()).toBe(1);
    bed.set({ printers: [makePrinter({ name: 'A' })], jobs: [job('A', 9)] });
    await bed.clock.advanceSettled(999);
    expect(bed.listings()).toBe(1);
    expect(bed.changes).toEqual([]);
    await bed.clock.advanceSettled(1);
    expect(bed.listings()).toBe(2);
    expect(bed.changes).toEqual([
      { kind: 'job-created', printer: 'A', jobId: 9, at: '2026-03-01T09:00:01.000Z' },
    ]);
    await bed.clock.advanceSettled(5000);
    expect(bed.listings()).toBe(7);
    expect(bed.changes).toHaveLength(1);
    await watch.stop();
  });

  it('reports a failed listing and compares the next good one with the last good one', async () => {
    const bed = setup();
    const watch = await bed.start();
    bed.fail(new Error('spooler down'));
    await bed.clock.advanceSettled(1000);
    expect(bed.errors).toEqual([new Error('spooler down')]);
    bed.fail(undefined);
    bed.set({ printers: [], jobs: [] });
    await bed.clock.advanceSettled(1000);
    expect(bed.changes.map((c) => [c.kind, c.printer])).toEqual([['printer-deleted', 'A']]);
    await watch.stop();
  });

  it('stops: no listing and no change after stop()', async () => {
    const bed = setup();
    const watch = await bed.start();
    await watch.stop();
    bed.set({ printers: [], jobs: [] });
    await bed.clock.advanceSettled(10_000);
    expect(bed.listings()).toBe(1);
    expect(bed.changes).toEqual([]);
    expect(bed.clock.pending).toEqual([]);
  });

  it('rejects when the first listing fails, so the caller knows it is not watching', async () => {
    const bed = setup();
    bed.fail(new Error('spooler down'));
    await expect(bed.start()).rejects.toThrow('spooler down');
    expect(bed.clock.pending).toEqual([]);
  });
});

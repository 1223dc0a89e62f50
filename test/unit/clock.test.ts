/** The shared Clock (src-shared/clock.ts) and the tests' ManualClock behave alike. */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src-shared/clock.ts';
import { ManualClock } from './manual-clock.ts';

describe('systemClock', () => {
  it('reads the real time', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('leaves a timer holding the process open unless told unref', () => {
    const held = systemClock.setTimeout(() => undefined, 60_000);
    const unref = systemClock.setInterval(() => undefined, 60_000, { unref: true });
    try {
      expect((held as unknown as NodeJS.Timeout).hasRef()).toBe(true);
      expect((unref as unknown as NodeJS.Timeout).hasRef()).toBe(false);
    } finally {
      systemClock.clearTimeout(held);
      systemClock.clearTimeout(unref);
      systemClock.clearTimeout(undefined);
    }
  });

  it('runs an immediate after the current turn', async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      systemClock.setImmediate(() => {
        order.push('immediate');
        resolve();
      });
      order.push('turn');
    });
    expect(order).toEqual(['turn', 'immediate']);
  });
});

describe('ManualClock', () => {
  it('fires due timers in time order, those set first first among equals, and counts them', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    const cleared = clock.setTimeout(() => fired.push('cleared'), 5);
    clock.clearTimeout(cleared);
    expect(clock.pending).toEqual([10, 20, 20]);
    expect(clock.advance(19)).toBe(1);
    expect(fired).toEqual(['a@10']);
    expect(clock.now()).toBe(19);
    expect(clock.advance(1)).toBe(2);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('runs a timer at its own time, so that one it sets is measured from there', () => {
    const clock = new ManualClock(0);
    const at: number[] = [];
    clock.setTimeout(() => {
      at.push(clock.now());
      clock.setTimeout(() => at.push(clock.now()), 10);
    }, 10);
    clock.advance(100);
    expect(at).toEqual([10, 20]);
  });

  it('repeats an interval until cleared', () => {
    const clock = new ManualClock(0);
    let ticks = 0;
    const interval = clock.setInterval(() => (ticks += 1), 30);
    expect(clock.advance(100)).toBe(3);
    clock.clearTimeout(interval);
    expect(clock.advance(100)).toBe(0);
    expect(ticks).toBe(3);
  });

  it('jumps with every timer late, then fires the overdue ones without going back', () => {
    const clock = new ManualClock(0);
    const at: number[] = [];
    clock.setTimeout(() => at.push(clock.now()), 10);
    clock.jump(50);
    expect(at).toEqual([]);
    expect(clock.advance(0)).toBe(1);
    expect(at).toEqual([50]);
    expect(() => clock.advanceTo(49)).toThrow(/does not go back/);
  });

  it('lets async work a timer starts settle with advanceSettled', async () => {
    const clock = new ManualClock(0);
    const done: number[] = [];
    const tick = async (): Promise<void> => {
      await Promise.resolve();
      done.push(clock.now());
      clock.setTimeout(() => void tick(), 10);
    };
    clock.setTimeout(() => void tick(), 10);
    expect(await clock.advanceSettled(30)).toBe(3);
    expect(done).toEqual([10, 20, 30]);
  });
});

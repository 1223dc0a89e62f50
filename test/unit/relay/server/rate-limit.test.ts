import { describe, expect, it } from 'vitest';
import { addressKey, createRateLimiter } from '../../../../src-relay/server/rate-limit.ts';
import { ManualClock } from '../../manual-clock.ts';

describe('token bucket rate limiter', () => {
  it('allows a burst, then one request per refill interval, and says how long to wait', () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ capacity: 3, refillMs: 1000 }, clock);
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 1000 });
    clock.advance(400);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 600 });
    clock.advance(600);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('b').ok).toBe(true); // keys are independent
  });

  it('gives a token back on refund and forgets a key on reset', () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ capacity: 1, refillMs: 60_000 }, clock);
    expect(limiter.take('a').ok).toBe(true);
    limiter.refund('a');
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    limiter.reset('a');
    expect(limiter.take('a').ok).toBe(true);
  });

  it('stays bounded: full buckets are forgotten first, then the oldest', () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ capacity: 2, refillMs: 1000 }, clock, 100);
    for (let i = 0; i < 1000; i++) limiter.take(`k${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
    clock.advance(5000);
    limiter.take('late');
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});

describe('addressKey', () => {
  it('limits IPv4 by address and IPv6 by /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});

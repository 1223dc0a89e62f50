/**
 * Token buckets keyed by a string (a source address, an email). In memory: right for one relay
 * node; several nodes behind a balancer would each keep their own (a shared store such as Redis
 * would be the next step). The table is bounded: full buckets are forgotten, and when it is
 * still too large the oldest keys go first.
 */
import type { Clock } from '../../src-shared/clock.ts';

export interface RateLimitRule {
  /** Requests allowed in a burst. */
  readonly capacity: number;
  /** One more request is allowed every this many milliseconds. */
  readonly refillMs: number;
}

export type RateDecision =
  { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export interface RateLimiter {
  /** Takes one token for `key`, or says how long to wait for the next one. */
  take(key: string): RateDecision;
  /** Gives back the token just taken, when the attempt turned out to be legitimate. */
  refund(key: string): void;
  /** Forgets `key` (for example after a successful login). */
  reset(key: string): void;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(
  rule: RateLimitRule,
  clock: Clock,
  maxKeys = 10_000,
): RateLimiter {
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, now: number): void => {
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(rule.capacity, bucket.tokens + elapsed / rule.refillMs);
    bucket.at = now;
  };

  const makeRoom = (now: number): void => {
    for (const [key, bucket] of buckets) {
      refill(bucket, now);
      if (bucket.tokens >= rule.capacity) buckets.delete(key);
    }
    for (const key of buckets.keys()) {
      if (buckets.size < maxKeys) break;
      buckets.delete(key);
    }
  };

  return {
    take(key) {
      const now = clock.now();
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= maxKeys) makeRoom(now);
        bucket = { tokens: rule.capacity, at: now };
        buckets.set(key, bucket);
      } else {
        refill(bucket, now);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) * rule.refillMs) };
    },
    refund(key) {
      const bucket = buckets.get(key);
      if (bucket !== undefined) bucket.tokens = Math.min(rule.capacity, bucket.tokens + 1);
    },
    reset(key) {
      buckets.delete(key);
    },
    get size() {
      return buckets.size;
    },
  };
}

/**
 * The key to limit a source address by: IPv4-mapped IPv6 becomes IPv4, and IPv6 is cut to its
 * /64, since one host usually holds a whole /64 and could otherwise rotate addresses freely.
 */
export function addressKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || remoteAddress === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!remoteAddress.includes(':')) return remoteAddress;
  const [head = '', tail = ''] = remoteAddress.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = remoteAddress.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

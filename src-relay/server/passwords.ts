/**
 * Passwords and random secrets. Only hashes are stored:
 * - agent passwords with scrypt (memory-hard; low-entropy input deserves a slow hash), stored as
 *   `scrypt$N$r$p$salt$hash` so that the cost can be raised later without breaking old hashes;
 * - device secrets, enrollment keys, tickets and web-session tokens are 256 random bits, which
 *   no one can guess, so one SHA-256 is enough and lets the store look them up by hash.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. Memory used is 128 · N · r bytes. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * 2^15 · 8 · 128 B = 32 MiB and about 40–80 ms per hash on current server cores: slow enough to
 * make offline guessing expensive, fast enough for a login. Raise N when hardware catches up;
 * the parameters travel inside each stored hash.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** A stored hash is trusted input, but refuse absurd parameters instead of exhausting memory. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt runs on the libuv pool: a login never blocks the event loop.
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_BYTES,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (error, key) => {
        if (error === null) resolve(key);
        else reject(error);
      },
    );
  });
}

/** Hashes a password with a fresh random salt: `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^\d{1,8}$/.test(s) ? Number(s) : NaN));
  if (N === undefined || r === undefined || p === undefined) return null;
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || key.length !== KEY_BYTES) return null;
  return { params: { N, r, p }, salt, key };
}

/**
 * Whether `password` matches `stored`. The comparison is constant-time; a malformed stored hash
 * is a mismatch (never an exception that would tell a caller more than "no").
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === null) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/** A stored hash made with weaker parameters than today's: rehash it at the next login. */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parseHash(stored);
  return (
    parsed === null ||
    parsed.params.N < params.N ||
    parsed.params.r < params.r ||
    parsed.params.p < params.p
  );
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a random password with the default parameters, made once. A login for an unknown
 * email verifies against it so that it takes as long as a wrong password for a real one.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(generateSecret());
  return dummy;
}

/**
 * Prefixes that say what a secret is (docs/protocol.md), so that a person, a log scrubber or a
 * secret scanner recognises one that leaked.
 */
export const SecretPrefix = {
  enrollmentKey: 'pek_',
  deviceSecret: 'pds_',
  ticket: 'pat_',
  webSession: 'pws_',
} as const;
export type SecretPrefix = (typeof SecretPrefix)[keyof typeof SecretPrefix];

/** 256 random bits as base64url (43 characters) after an optional prefix. */
export function generateSecret(prefix: SecretPrefix | '' = '', bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** SHA-256 of a high-entropy secret, hex: what the store keeps and looks up. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `secret` hashes to `storedHash`, compared in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = /^[0-9a-f]{64}$/.test(storedHash) ? Buffer.from(storedHash, 'hex') : null;
  // Compare against a zero buffer when the stored hash is malformed: same work, same answer.
  return timingSafeEqual(actual, expected ?? Buffer.alloc(actual.length)) && expected !== null;
}

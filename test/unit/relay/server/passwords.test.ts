import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCRYPT_PARAMS,
  SecretPrefix,
  dummyPasswordHash,
  generateSecret,
  hashPassword,
  hashSecret,
  needsRehash,
  secretMatches,
  verifyPassword,
} from '../../../../src-relay/server/passwords.ts';
import { FAST_SCRYPT } from './memory-store.ts';

describe('scrypt password hashes', () => {
  it('encode the parameters, a random salt and the key: scrypt$N$r$p$salt$hash', async () => {
    const stored = await hashPassword('correct horse battery staple');
    const [name, N, r, p, salt, key] = stored.split('$');
    expect(name).toBe('scrypt');
    expect([Number(N), Number(r), Number(p)]).toEqual([
      DEFAULT_SCRYPT_PARAMS.N,
      DEFAULT_SCRYPT_PARAMS.r,
      DEFAULT_SCRYPT_PARAMS.p,
    ]);
    expect(Buffer.from(salt ?? '', 'base64url')).toHaveLength(16);
    expect(Buffer.from(key ?? '', 'base64url')).toHaveLength(32);
    expect(stored).not.toContain('correct horse');
  });

  it('verify the right password and refuse a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapl', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('salt every hash: the same password twice gives two different hashes', async () => {
    const a = await hashPassword('same password', FAST_SCRYPT);
    const b = await hashPassword('same password', FAST_SCRYPT);
    expect(a).not.toBe(b);
    await expect(verifyPassword('same password', a)).resolves.toBe(true);
    await expect(verifyPassword('same password', b)).resolves.toBe(true);
  });

  it('read the cost from the stored hash, so old hashes keep working after a change', async () => {
    const cheap = await hashPassword('pw', FAST_SCRYPT);
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
    await expect(verifyPassword('pw', cheap)).resolves.toBe(true);
    expect(needsRehash(cheap)).toBe(true);
    expect(needsRehash(await hashPassword('pw'))).toBe(false);
  });

  it('normalise Unicode so that the same password typed differently matches', async () => {
    const stored = await hashPassword('caf\u00e9', FAST_SCRYPT);
    await expect(verifyPassword('cafe\u0301', stored)).resolves.toBe(true);
  });

  it('treat malformed or absurd stored hashes as a mismatch, never an exception', async () => {
    const good = await hashPassword('pw', FAST_SCRYPT);
    const [, , r, p, salt, key] = good.split('$');
    for (const stored of [
      '',
      'plaintext',
      'bcrypt$10$abc',
      good.replace('scrypt$', 'scrypt2$'),
      `scrypt$1000$${r}$${p}$${salt}$${key}`, // N not a power of two
      `scrypt$${2 ** 24}$${r}$${p}$${salt}$${key}`, // 16 GiB of memory: refused
      `scrypt$1024$${r}$${p}$${salt}$${key?.slice(4)}`, // truncated key
    ]) {
      await expect(verifyPassword('pw', stored)).resolves.toBe(false);
    }
  });

  it('offer a dummy hash with the default cost for unknown accounts', async () => {
    const dummy = await dummyPasswordHash();
    expect(dummy).toBe(await dummyPasswordHash());
    expect(needsRehash(dummy)).toBe(false);
    await expect(verifyPassword('anything', dummy)).resolves.toBe(false);
  });
});

describe('random secrets', () => {
  it('are 256 bits of base64url after a prefix that says what they are', () => {
    const key = generateSecret(SecretPrefix.enrollmentKey);
    expect(key).toMatch(/^pek_[A-Za-z0-9_-]{43}$/);
    expect(generateSecret(SecretPrefix.deviceSecret)).toMatch(/^pds_/);
    expect(generateSecret(SecretPrefix.ticket)).toMatch(/^pat_/);
    expect(generateSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(Array.from({ length: 100 }, () => generateSecret())).size).toBe(100);
  });

  it('are stored as SHA-256 and compared in constant time', () => {
    const secret = generateSecret(SecretPrefix.deviceSecret);
    const stored = hashSecret(secret);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).toBe(hashSecret(secret));
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(`${secret}x`, stored)).toBe(false);
    expect(secretMatches(secret, 'not-a-hash')).toBe(false);
    expect(secretMatches(secret, '')).toBe(false);
  });
});

import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPrintoError } from '../../../../src-shared/errors.ts';
import {
  MASTER_KEY_ENV,
  MASTER_KEY_FILE,
  loadMasterKeyFile,
  loadOrCreateMasterKey,
  parseMasterKey,
  resolveMasterKey,
} from '../../../../src-relay/store/master-key.ts';
import { tempDir } from './fixture.ts';

const posix = process.platform !== 'win32';

function errorOf(fn: () => unknown): { code: string; message: string; hint: string } {
  try {
    fn();
  } catch (error) {
    if (isPrintoError(error)) {
      return { code: error.code, message: error.message, hint: error.hint ?? '' };
    }
    throw error;
  }
  throw new Error('expected an error');
}

describe('loadOrCreateMasterKey', () => {
  it('creates master.key with mode 0600 on first start and reads the same key after', () => {
    const dir = join(tempDir(), 'data');
    const first = loadMasterKeyFile(dir);
    expect(first.created).toBe(true);
    expect(first.key).toHaveLength(32);
    expect(first.path).toBe(join(dir, MASTER_KEY_FILE));
    if (posix) {
      expect(statSync(first.path).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
    expect(readFileSync(first.path, 'utf8')).toBe(`${first.key.toString('base64')}\n`);
    const second = loadMasterKeyFile(dir);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    expect(loadOrCreateMasterKey(dir).equals(first.key)).toBe(true);
  });

  it.runIf(posix)('refuses a key file that group or others can read, saying how to fix it', () => {
    const dir = tempDir();
    const { path } = loadMasterKeyFile(dir);
    for (const mode of [0o640, 0o604, 0o644, 0o660]) {
      chmodSync(path, mode);
      const error = errorOf(() => loadOrCreateMasterKey(dir));
      expect(error.code).toBe('master-key-permissions');
      expect(error.message).toContain(`mode 0${mode.toString(8)}`);
      expect(error.hint).toContain(`chmod 600 ${path}`);
    }
    chmodSync(path, 0o400);
    expect(loadOrCreateMasterKey(dir)).toHaveLength(32);
  });

  it('refuses a key file that is not 32 bytes', () => {
    const dir = tempDir();
    const path = join(dir, MASTER_KEY_FILE);
    writeFileSync(path, 'c2hvcnQ=\n', { mode: 0o600 });
    const error = errorOf(() => loadOrCreateMasterKey(dir));
    expect(error.code).toBe('master-key-invalid');
    expect(error.message).toContain(path);
  });

  it('accepts base64, base64url and hex', () => {
    const key = Buffer.alloc(32, 0xfb);
    expect(parseMasterKey(key.toString('base64'), 'x').equals(key)).toBe(true);
    expect(parseMasterKey(key.toString('base64url'), 'x').equals(key)).toBe(true);
    expect(parseMasterKey(`  ${key.toString('hex')}\n`, 'x').equals(key)).toBe(true);
    expect(errorOf(() => parseMasterKey('not a key!', 'x')).code).toBe('master-key-invalid');
  });
});

describe('resolveMasterKey', () => {
  it('prefers the environment variable and creates no file then', () => {
    const dir = tempDir();
    const key = Buffer.alloc(32, 3);
    const resolved = resolveMasterKey(dir, { [MASTER_KEY_ENV]: key.toString('base64') });
    expect(resolved).toEqual({ key, source: 'env', created: false });
    expect(() => statSync(join(dir, MASTER_KEY_FILE))).toThrow();
  });

  it('falls back to the key file', () => {
    const dir = tempDir();
    expect(resolveMasterKey(dir, {})).toMatchObject({ source: 'file', created: true });
    expect(resolveMasterKey(dir, { [MASTER_KEY_ENV]: '' })).toMatchObject({
      source: 'file',
      created: false,
    });
  });

  it('names the variable when its value is wrong', () => {
    const error = errorOf(() => resolveMasterKey(tempDir(), { [MASTER_KEY_ENV]: 'abc' }));
    expect(error.code).toBe('master-key-invalid');
    expect(error.message).toContain(`$${MASTER_KEY_ENV}`);
  });
});

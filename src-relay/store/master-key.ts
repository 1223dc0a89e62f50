/**
 * The relay's master key: 32 random bytes that wrap every session's data keys (crypto.ts). It
 * lives in `master.key` in the data directory (base64, mode 0600, created on first start) or, for
 * deployments that keep secrets outside the disk, in the PRINTO_RELAY_MASTER_KEY environment
 * variable. Losing it makes every transcript unreadable; backing it up beside the database
 * defeats crypto-shredding of backups (docs/privacy.md).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { PrintoError } from '../../src-shared/errors.ts';
import { KEY_BYTES } from './crypto.ts';
import { StoreErrorCode, storeError } from './errors.ts';

export const MASTER_KEY_FILE = 'master.key';
export const MASTER_KEY_ENV = 'PRINTO_RELAY_MASTER_KEY';

/** Decodes a master key written as base64 (or base64url, or 64 hex digits). */
export function parseMasterKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (key?.length !== KEY_BYTES) {
    throw storeError(
      StoreErrorCode.masterKeyInvalid,
      `The master key in ${source} is not ${KEY_BYTES} bytes of base64 or 64 hex digits.`,
      {
        hint:
          'Restore the original key from your secrets backup. Without it stored transcripts ' +
          'cannot be read; a new key only works with a new, empty data directory.',
      },
    );
  }
  return key;
}

export function encodeMasterKey(key: Uint8Array): string {
  return `${Buffer.from(key).toString('base64')}\n`;
}

function checkPermissions(path: string): void {
  // Windows has no POSIX mode bits; the data directory's ACL protects the file there.
  if (process.platform === 'win32') return;
  const stat = statSync(path);
  if (!stat.isFile()) {
    throw storeError(StoreErrorCode.masterKeyInvalid, `${path} is not a regular file.`);
  }
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw storeError(
      StoreErrorCode.masterKeyPermissions,
      `The master key ${path} is readable or writable by other users (mode ${mode}); refusing to use it.`,
      {
        hint: `Restrict it to the relay's user: chmod 600 ${path} — and consider the key exposed if others could read it.`,
      },
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && stat.uid !== uid) {
    throw storeError(
      StoreErrorCode.masterKeyPermissions,
      `The master key ${path} belongs to another user (uid ${stat.uid}); refusing to use it.`,
      { hint: `Run the relay as the key's owner, or chown it to the relay's user (uid ${uid}).` },
    );
  }
}

function createKeyFile(path: string): Buffer | null {
  const key = randomBytes(KEY_BYTES);
  let fd: number;
  try {
    // 'wx': fails if another process created it first; mode 0600 before anything is written.
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  try {
    writeSync(fd, encodeMasterKey(key));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return key;
}

/**
 * The master key from `DIR/master.key`, created (mode 0600) on first start. Refuses a key file
 * that group or others can read or write, one of another user, and one that is not 32 bytes.
 */
export function loadOrCreateMasterKey(dataDir: string): Buffer {
  return loadMasterKeyFile(dataDir).key;
}

export function loadMasterKeyFile(dataDir: string): {
  key: Buffer;
  path: string;
  created: boolean;
} {
  const path = join(dataDir, MASTER_KEY_FILE);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const created = createKeyFile(path);
    if (created !== null) return { key: created, path, created: true };
    checkPermissions(path);
    return { key: parseMasterKey(readFileSync(path, 'utf8'), path), path, created: false };
  } catch (error) {
    if (error instanceof PrintoError) throw error;
    throw storeError(
      StoreErrorCode.io,
      `Cannot read or create the master key ${path}: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: 'Check that the data directory exists and is writable by the relay user.',
        cause: error,
      },
    );
  }
}

/**
 * The master key from the environment (PRINTO_RELAY_MASTER_KEY) when set, otherwise from the key
 * file in the data directory (created on first start).
 */
export function resolveMasterKey(
  dataDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { key: Buffer; source: 'env' | 'file'; created: boolean } {
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { key: parseMasterKey(fromEnv, `$${MASTER_KEY_ENV}`), source: 'env', created: false };
  }
  const { key, created } = loadMasterKeyFile(dataDir);
  return { key, source: 'file', created };
}

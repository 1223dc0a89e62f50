/**
 * Stable codes of the store's expected failures (PrintoError.code) and the mapping of SQLite's
 * result codes onto them. Scripts and the server switch on the code; the message says what failed
 * and the hint what to do.
 */
import { PrintoError } from '../../src-shared/errors.ts';

export const StoreErrorCode = {
  /** Another process (or another store in this one) has the database open. */
  locked: 'store-locked',
  /** The file is not a SQLite database or its pages are damaged. */
  corrupt: 'store-corrupt',
  /** The database was written by a newer relay than this one. */
  tooNew: 'store-too-new',
  /** The database's migration history does not match this relay's. */
  migrationMismatch: 'store-migration-mismatch',
  migrationFailed: 'store-migration-failed',
  /** The master key given is not the one the database was encrypted with. */
  wrongMasterKey: 'store-wrong-master-key',
  masterKeyInvalid: 'master-key-invalid',
  masterKeyPermissions: 'master-key-permissions',
  notFound: 'store-not-found',
  conflict: 'store-conflict',
  invalidInput: 'store-invalid-input',
  /** A stored value does not have the shape it must have (scopes, encrypted fields). */
  invalidData: 'store-invalid-data',
  decryptFailed: 'store-decrypt-failed',
  retentionInvalid: 'retention-invalid',
  /** Disabling this agent would leave no active administrator. */
  lastAdmin: 'last-admin',
  diskFull: 'store-disk-full',
  io: 'store-io',
  closed: 'store-closed',
  failed: 'store-failed',
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export function storeError(
  code: StoreErrorCode,
  message: string,
  options?: { hint?: string; cause?: unknown },
): PrintoError {
  return new PrintoError(code, message, options);
}

interface SqliteError {
  readonly code: 'ERR_SQLITE_ERROR';
  readonly errcode: number;
  readonly errstr: string;
  readonly message: string;
}

export function isSqliteError(error: unknown): error is SqliteError {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'ERR_SQLITE_ERROR' &&
    typeof (error as { errcode?: unknown }).errcode === 'number'
  );
}

/** SQLite's primary result codes the store tells apart (https://sqlite.org/rescode.html). */
export const SQLITE = {
  BUSY: 5,
  LOCKED: 6,
  READONLY: 8,
  IOERR: 10,
  CORRUPT: 11,
  FULL: 13,
  CANTOPEN: 14,
  CONSTRAINT: 19,
  NOTADB: 26,
  CONSTRAINT_FOREIGNKEY: 787,
  CONSTRAINT_PRIMARYKEY: 1555,
  CONSTRAINT_UNIQUE: 2067,
} as const;

/** A UNIQUE or PRIMARY KEY violation: the thing being stored already exists. */
export function isDuplicate(error: unknown): boolean {
  return (
    isSqliteError(error) &&
    (error.errcode === SQLITE.CONSTRAINT_UNIQUE || error.errcode === SQLITE.CONSTRAINT_PRIMARYKEY)
  );
}

/** What a SQLite failure means for someone running the relay, with `path` the database file. */
export function fromSqliteError(error: unknown, path: string, doing: string): PrintoError {
  if (error instanceof PrintoError) return error;
  if (!isSqliteError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return storeError(StoreErrorCode.failed, `Could not ${doing}: ${message}`, { cause: error });
  }
  const primary = error.errcode & 0xff;
  switch (primary) {
    case SQLITE.BUSY:
    case SQLITE.LOCKED:
      return storeError(
        StoreErrorCode.locked,
        `The relay database ${path} is already open (by another process, or another store in this one).`,
        {
          hint:
            'One process owns the data directory: stop the running `printo-relay serve` (or the ' +
            'other command using it) and try again.',
          cause: error,
        },
      );
    case SQLITE.CORRUPT:
    case SQLITE.NOTADB:
      return storeError(
        StoreErrorCode.corrupt,
        `The relay database ${path} is damaged or not a database (${error.errstr}); could not ${doing}.`,
        {
          hint:
            'The file was left as it is. Stop the relay, keep a copy of the file, and restore ' +
            'the data directory from a backup.',
          cause: error,
        },
      );
    case SQLITE.FULL:
      return storeError(
        StoreErrorCode.diskFull,
        `The disk holding ${path} is full; could not ${doing}.`,
        { hint: 'Free disk space; nothing already stored was changed.', cause: error },
      );
    case SQLITE.IOERR:
    case SQLITE.CANTOPEN:
    case SQLITE.READONLY:
      return storeError(
        StoreErrorCode.io,
        `Cannot read or write the relay database ${path} (${error.errstr}); could not ${doing}.`,
        {
          hint: 'Check that the data directory exists, is writable by the relay user, and the disk is healthy.',
          cause: error,
        },
      );
    case SQLITE.CONSTRAINT:
      return storeError(StoreErrorCode.conflict, `Could not ${doing}: ${error.message}.`, {
        cause: error,
      });
    default:
      return storeError(StoreErrorCode.failed, `Could not ${doing}: ${error.message}.`, {
        cause: error,
      });
  }
}

/**
 * The local transcript store's schema, one migration per version (`PRAGMA user_version`), each
 * run in its own transaction, so a file of any earlier version is brought up to date on open.
 * Personal content lives only in sealed BLOBs; the plain columns hold ids, times, enum values and
 * the user's flags, which retention and the rights need to query.
 */
import type { DatabaseSync } from 'node:sqlite';
import { PrintoError } from '../../src-shared/errors.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: DatabaseSync) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions, their entries and data keys',
    up: (db) => {
      db.exec(`
        CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;
        -- One wrapped data key per record (owner 'session:<id>' or 'report:<id>').
        CREATE TABLE data_keys (owner TEXT PRIMARY KEY, wrapped BLOB NOT NULL) STRICT;
        CREATE TABLE sessions (
          session_id TEXT PRIMARY KEY,
          started_at TEXT NOT NULL,
          last_at TEXT NOT NULL,
          ended_at TEXT,
          end_reason TEXT,
          restricted INTEGER NOT NULL DEFAULT 0,
          objected INTEGER NOT NULL DEFAULT 0,
          -- description, agent and the end message, sealed
          details BLOB NOT NULL
        ) STRICT;
        CREATE TABLE entries (
          session_id TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
          ord INTEGER NOT NULL,
          type TEXT NOT NULL,
          -- the relay's order for chat; null for the other entries
          seq INTEGER,
          body BLOB NOT NULL,
          PRIMARY KEY (session_id, ord)
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'diagnostic reports, a retention category of their own',
    up: (db) => {
      db.exec(`
        CREATE TABLE reports (
          report_id TEXT PRIMARY KEY,
          created_at TEXT NOT NULL,
          restricted INTEGER NOT NULL DEFAULT 0,
          objected INTEGER NOT NULL DEFAULT 0,
          body BLOB NOT NULL
        ) STRICT;
        CREATE INDEX reports_by_time ON reports (created_at);
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get();
  return typeof row?.['user_version'] === 'number' ? row['user_version'] : 0;
}

/** Brings the file up to `target` (default: the newest); refuses a file newer than this build. */
export function migrate(db: DatabaseSync, target: number = SCHEMA_VERSION): void {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new PrintoError(
      'transcripts-too-new',
      `The local transcripts were written by a newer Printo Help (schema ${current}, this one knows up to ${SCHEMA_VERSION}).`,
      { hint: 'Update Printo Help; the file is left untouched.' },
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      migration.up(db);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

/**
 * The store's schema as an ordered list of migrations. Each runs once, in its own transaction,
 * and is recorded in `schema_migrations`; a database that has a version this relay does not know
 * (written by a newer relay) is refused rather than guessed at. Never edit a released migration:
 * add the next one.
 */
import type { DatabaseSync } from 'node:sqlite';
import { StoreErrorCode, fromSqliteError, storeError } from './errors.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      -- Store-wide values: the master key check, the audit chain head.
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE orgs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE enrollment_keys (
        key_hash TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs(id),
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX devices_org ON devices(org_id);

      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at TEXT NOT NULL
      ) STRICT;

      -- description: sealed with the session's transcript key; NULL once the transcript is gone.
      -- Times are ISO 8601 UTC with milliseconds, so text order is time order.
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs(id),
        device_id TEXT NOT NULL REFERENCES devices(id),
        description BLOB,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'awaiting-consent', 'active', 'ended')),
        agent_id TEXT REFERENCES agents(id),
        granted_scopes TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        ended_at TEXT,
        end_reason TEXT,
        legal_hold INTEGER NOT NULL DEFAULT 0 CHECK (legal_hold IN (0, 1)),
        transcript_deleted_at TEXT,
        erased_at TEXT
      ) STRICT;
      CREATE INDEX sessions_state_ended ON sessions(state, ended_at);
      CREATE INDEX sessions_org ON sessions(org_id, created_at);

      -- Data keys, wrapped by the master key: one per session and category. Deleting a row is
      -- crypto-shredding: whatever was sealed with the key is unreadable from then on.
      CREATE TABLE session_keys (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL CHECK (purpose IN ('transcript', 'receipts')),
        wrapped BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (session_id, purpose)
      ) STRICT;

      -- body: sealed JSON {text, senderName} under the session's transcript key.
      CREATE TABLE chat_messages (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        message_id TEXT NOT NULL,
        sender_role TEXT NOT NULL CHECK (sender_role IN ('client', 'agent', 'relay')),
        body BLOB NOT NULL,
        redacted INTEGER NOT NULL CHECK (redacted IN (0, 1)),
        at TEXT NOT NULL,
        PRIMARY KEY (session_id, seq),
        UNIQUE (session_id, message_id)
      ) STRICT;

      -- notice: sealed under the session's receipts key; NULL once erased.
      CREATE TABLE consent_receipts (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('grant', 'deny', 'timeout', 'revoke', 'end')),
        actor TEXT NOT NULL,
        scopes TEXT NOT NULL,
        notice BLOB,
        at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX consent_receipts_session ON consent_receipts(session_id, at);

      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_log_at ON audit_log(at);
    `,
  },
  {
    version: 2,
    name: 'chat-by-session-number',
    // Chat was keyed by (session UUID, seq) with a second unique index on (session UUID, message
    // id): every message landed at random places in two text-keyed B-trees, which made a chat
    // insert cost five times what it does keyed by a small integer (bench/relay). Sessions get
    // a number; chat is keyed by (number, seq). Message ids are minted by the relay
    // (randomUUID), so their uniqueness needs no index.
    sql: `
      ALTER TABLE sessions ADD COLUMN no INTEGER;
      UPDATE sessions SET no = rowid;
      CREATE UNIQUE INDEX sessions_no ON sessions(no);

      CREATE TABLE chat_messages_v2 (
        session_no INTEGER NOT NULL REFERENCES sessions(no) ON DELETE CASCADE,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        message_id TEXT NOT NULL,
        sender_role TEXT NOT NULL CHECK (sender_role IN ('client', 'agent', 'relay')),
        body BLOB NOT NULL,
        redacted INTEGER NOT NULL CHECK (redacted IN (0, 1)),
        at TEXT NOT NULL,
        PRIMARY KEY (session_no, seq)
      ) STRICT;
      INSERT INTO chat_messages_v2 (session_no, seq, message_id, sender_role, body, redacted, at)
        SELECT s.no, c.seq, c.message_id, c.sender_role, c.body, c.redacted, c.at
        FROM chat_messages c JOIN sessions s ON s.id = c.session_id;
      DROP TABLE chat_messages;
      ALTER TABLE chat_messages_v2 RENAME TO chat_messages;
    `,
  },
  {
    version: 3,
    name: 'device-revocation',
    // A revoked device keeps its row (its sessions refer to it, and the operator can see when it
    // was revoked); the relay refuses its credentials from then on.
    sql: `
      ALTER TABLE devices ADD COLUMN revoked_at TEXT;
    `,
  },
  {
    version: 4,
    name: 'consent-receipt-notice-digest',
    // A receipt proves what the relay showed, not what the client said it showed: the relay's own
    // notice (sealed text, as before) with its digest, which outlives the text's erasure, and
    // whether the client's echo of it matched. Receipts written before have neither (NULL).
    sql: `
      ALTER TABLE consent_receipts ADD COLUMN notice_digest TEXT;
      ALTER TABLE consent_receipts ADD COLUMN notice_echo TEXT
        CHECK (notice_echo IN ('matched', 'mismatched'));
    `,
  },
  {
    version: 5,
    name: 'agent-org-scope',
    // Which organisations' sessions an agent may see (src-relay/server/agent-scope.ts). A
    // customer agent (co-managed IT) has a home organisation; a provider agent (home NULL)
    // serves every organisation, or only those listed in agent_served_orgs when serves_all is
    // 0. The flag, rather than "an empty list means all", keeps a provider whose last listed
    // organisation disappears serving none instead of every one. Existing agents become
    // providers serving all: what they could do before.
    sql: `
      ALTER TABLE agents ADD COLUMN home_org_id TEXT REFERENCES orgs(id);
      ALTER TABLE agents ADD COLUMN serves_all INTEGER NOT NULL DEFAULT 1
        CHECK (serves_all IN (0, 1));
      CREATE TABLE agent_served_orgs (
        agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
        PRIMARY KEY (agent_id, org_id)
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'session-rights',
    // The device's user exercising their rights over the relay's copy (docs/privacy.md): when
    // they restricted processing or objected to it (NULL: never), and corrections of their own
    // chat messages (rectification), sealed under the session's transcript key like the chat they
    // correct and deleted with it. The corrected message itself is never changed.
    sql: `
      ALTER TABLE sessions ADD COLUMN restricted_at TEXT;
      ALTER TABLE sessions ADD COLUMN objected_at TEXT;
      CREATE TABLE chat_corrections (
        id TEXT PRIMARY KEY,
        session_no INTEGER NOT NULL REFERENCES sessions(no) ON DELETE CASCADE,
        corrects_message_id TEXT NOT NULL,
        body BLOB NOT NULL,
        redacted INTEGER NOT NULL CHECK (redacted IN (0, 1)),
        at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX chat_corrections_session ON chat_corrections(session_no, at);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

interface AppliedRow {
  readonly version: number;
  readonly name: string;
}

function appliedMigrations(db: DatabaseSync): AppliedRow[] {
  const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
  return rows.map((row) => {
    const { version, name } = row;
    if (typeof version !== 'number' || typeof name !== 'string') {
      throw storeError(StoreErrorCode.invalidData, 'The schema_migrations table is malformed.');
    }
    return { version, name };
  });
}

/**
 * Brings the database to SCHEMA_VERSION. Returns the versions applied now (empty when it was
 * current). `path` is only for messages.
 */
export function migrate(
  db: DatabaseSync,
  path: string,
  nowIso: string,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const known = new Map(migrations.map((m) => [m.version, m]));
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const applied = appliedMigrations(db);
  const current = applied.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > latest) {
    throw storeError(
      StoreErrorCode.tooNew,
      `The relay database ${path} has schema version ${current}; this relay knows up to ${latest}.`,
      {
        hint:
          'It was written by a newer Printo Relay. Run that version (or newer), or restore a ' +
          'backup made by this one; the file was not changed.',
      },
    );
  }
  for (const row of applied) {
    if (known.get(row.version)?.name !== row.name) {
      throw storeError(
        StoreErrorCode.migrationMismatch,
        `The relay database ${path} records migration ${row.version} "${row.name}", which this relay does not have.`,
        {
          hint: 'The file comes from a different build of Printo Relay; the file was not changed.',
        },
      );
    }
  }
  const done: number[] = [];
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const present = new Set(applied.map((row) => row.version));
  // Every known migration the file lacks, in order: not only those above its highest. Migrations
  // are numbered on parallel branches, so a file may hold 1, 2 and 5 before 3 and 4 arrive.
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (present.has(migration.version)) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, nowIso);
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      const mapped = fromSqliteError(error, path, `apply migration ${migration.version}`);
      if (mapped.code === StoreErrorCode.failed || mapped.code === StoreErrorCode.conflict) {
        throw storeError(
          StoreErrorCode.migrationFailed,
          `Migration ${migration.version} "${migration.name}" of ${path} failed: ${mapped.message}`,
          {
            hint: 'Nothing of this migration was applied. Report it with the message above.',
            cause: error,
          },
        );
      }
      throw mapped;
    }
    done.push(migration.version);
  }
  return done;
}

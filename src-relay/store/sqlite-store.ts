/**
 * The relay's embedded Store on node:sqlite: one file (`relay.sqlite`) in the data directory.
 *
 * - One process owns the file: the connection takes SQLite's exclusive lock when it opens
 *   (`locking_mode=EXCLUSIVE`) and keeps it until `close()`, so a second store on the same file —
 *   another `printo-relay serve`, or a CLI command while the server runs — fails at once with
 *   `store-locked`. The operating system drops the lock when the process dies: no stale lock file.
 * - WAL journal, `synchronous=NORMAL`: a crash never corrupts the file or half-applies a change;
 *   a power cut may lose the last commits. Every change of more than one statement is one
 *   transaction, so an error leaves nothing half-written.
 * - Personal text (chat, request descriptions, consent notices) is sealed with per-session data
 *   keys wrapped by the master key (crypto.ts). Card numbers are masked again here, whatever the
 *   caller did, so that none is ever written.
 * - Deleting personal data destroys its key first (crypto-shredding), then its rows; with
 *   `secure_delete` SQLite overwrites the freed content, an incremental vacuum returns the pages
 *   and a WAL checkpoint truncates the log that held the old pages.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { systemClock } from '../../src-shared/clock.ts';
import type { Clock } from '../../src-shared/clock.ts';
import { PrintoError } from '../../src-shared/errors.ts';
import { redactCardNumbers } from '../../src-shared/privacy/pan.ts';
import { expiryCutoff } from '../../src-shared/privacy/retention.ts';
import { AuditLog, type AuditEntry, type AuditVerification } from './audit.ts';
import { RelayRetentionConfigSchema } from './config.ts';
import {
  KEY_BYTES,
  masterKeyCheck,
  masterKeyFingerprint,
  masterKeyMatches,
  seal,
  unseal,
} from './crypto.ts';
import { DataKeys, type KeyPurpose } from './data-keys.ts';
import { StoreErrorCode, fromSqliteError, isDuplicate, storeError } from './errors.ts';
import { migrate } from './migrations.ts';
import {
  blob,
  blobOrNull,
  int,
  invalid,
  isoTime,
  nonEmpty,
  oneOf,
  scopesIn,
  storedOneOf,
  storedOneOfOrNull,
  storedScopes,
  text,
  textOrNull,
  type Row,
} from './rows.ts';
import type {
  Agent,
  AgentRole,
  AgentScope,
  ChatCorrection,
  ChatRecord,
  ConsentKind,
  ConsentReceipt,
  Device,
  Org,
  PurgeResult,
  RetentionPeriods,
  RightsRequestRecord,
  SessionExport,
  SessionRecord,
  SessionState,
  Store,
} from './store.ts';

export const STORE_FILE = 'relay.sqlite';
export const SESSION_EXPORT_FORMAT = 'printo-relay/session-export/v1';

export interface SqliteStoreOptions {
  /** The data directory; the database is `relay.sqlite` in it (created 0700 if missing). */
  readonly dataDir: string;
  /** 32 bytes (master-key.ts); wraps every session's data keys. */
  readonly masterKey: Uint8Array;
  /** How long to wait for SQLite's lock before `store-locked`, in ms (default 2000). */
  readonly busyTimeoutMs?: number;
  /** Dates migration records and audit entries whose caller gives no time; default: system. */
  readonly clock?: Clock;
}

const ChatBodySchema = z.strictObject({ text: z.string(), senderName: z.string() });
const CorrectionBodySchema = z.strictObject({ text: z.string() });
const STATES: readonly SessionState[] = ['waiting', 'awaiting-consent', 'active', 'ended'];
const KINDS: readonly ConsentKind[] = ['grant', 'deny', 'timeout', 'revoke', 'end'];
const ECHOES: readonly NonNullable<ConsentReceipt['noticeEcho']>[] = ['matched', 'mismatched'];
const ROLES: readonly AgentRole[] = ['agent', 'admin'];
const SENDERS: readonly ChatRecord['from'][] = ['client', 'agent', 'relay'];
const SESSION_NUMBERS_CACHED = 10_000;
const CHAT_OF_SESSION_DELETE =
  'DELETE FROM chat_messages WHERE session_no = (SELECT no FROM sessions WHERE id = ?)';
const CORRECTIONS_OF_SESSION_DELETE =
  'DELETE FROM chat_corrections WHERE session_no = (SELECT no FROM sessions WHERE id = ?)';

/** Associated data of each sealed value: a ciphertext moved to another row does not decrypt. */
const aad = {
  description: (sessionId: string) => `printo-relay/v1/description/${sessionId}`,
  chat: (sessionId: string, messageId: string) => `printo-relay/v1/chat/${sessionId}/${messageId}`,
  correction: (sessionId: string, correctionId: string) =>
    `printo-relay/v1/chat-correction/${sessionId}/${correctionId}`,
  notice: (receiptId: string) => `printo-relay/v1/consent-notice/${receiptId}`,
};

function maskCards(value: string): string {
  return redactCardNumbers(value).text;
}

export class SqliteStore implements Store {
  /** The database file. */
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly clock: Clock;
  private readonly keys: DataKeys;
  private readonly auditLog: AuditLog;
  private readonly statements = new Map<string, StatementSync>();
  /** Session id → number (migration 2), for chat; forgotten when sessions are deleted. */
  private readonly sessionNumbers = new Map<string, number>();
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    if (options.masterKey.length !== KEY_BYTES) {
      throw storeError(
        StoreErrorCode.masterKeyInvalid,
        `The master key must be ${KEY_BYTES} bytes; got ${options.masterKey.length}.`,
      );
    }
    const masterKey = Buffer.from(options.masterKey);
    this.clock = options.clock ?? systemClock;
    this.path = join(options.dataDir, STORE_FILE);
    try {
      mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      // Created empty with 0600 first: SQLite gives its WAL file the database file's mode.
      closeSync(openSync(this.path, 'a', 0o600));
    } catch (error) {
      throw storeError(
        StoreErrorCode.io,
        `Cannot create the relay database ${this.path}: ${error instanceof Error ? error.message : String(error)}`,
        { hint: 'Check that the data directory is writable by the relay user.', cause: error },
      );
    }
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(this.path, {
        timeout: options.busyTimeoutMs ?? 2000,
        enableForeignKeyConstraints: true,
      });
    } catch (error) {
      throw fromSqliteError(error, this.path, 'open the database');
    }
    this.db = db;
    try {
      this.configure(options.busyTimeoutMs ?? 2000);
      migrate(db, this.path, this.now());
      this.keys = new DataKeys(db, masterKey, () => this.now());
      this.auditLog = new AuditLog(db);
      this.checkMasterKey(masterKey);
    } catch (error) {
      this.closed = true;
      masterKey.fill(0);
      try {
        db.close();
      } catch {
        // Already failing; the first error is the one to report.
      }
      throw fromSqliteError(error, this.path, 'open the database');
    }
  }

  private configure(busyTimeoutMs: number): void {
    const db = this.db;
    // Before anything reads the file: the lock is taken on first access and kept.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('PRAGMA secure_delete = ON');
    // Only takes effect on a new, empty file (before the first table).
    db.exec('PRAGMA auto_vacuum = INCREMENTAL');
    const mode = db.prepare('PRAGMA journal_mode = WAL').get();
    if (mode?.['journal_mode'] !== 'wal') {
      throw storeError(StoreErrorCode.io, `Cannot switch ${this.path} to WAL journaling.`);
    }
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec(`PRAGMA busy_timeout = ${String(Math.max(0, Math.trunc(busyTimeoutMs)))}`);
    // Take the write lock now, so a second process fails here and not at its first write.
    db.exec('BEGIN IMMEDIATE');
    db.exec('COMMIT');
  }

  private checkMasterKey(masterKey: Buffer): void {
    const row = this.sql('SELECT value FROM meta WHERE key = ?').get('master-key-check');
    if (row === undefined) {
      // A new database: it belongs to this key from now on.
      this.transaction(() => {
        const insert = this.sql('INSERT INTO meta (key, value) VALUES (?, ?)');
        insert.run('master-key-check', masterKeyCheck(masterKey));
        insert.run('master-key-fingerprint', masterKeyFingerprint(masterKey));
      });
      return;
    }
    if (!masterKeyMatches(masterKey, text(row, 'value'))) {
      const stored = this.sql('SELECT value FROM meta WHERE key = ?').get('master-key-fingerprint');
      const expected = stored === undefined ? 'unknown' : text(stored, 'value');
      throw storeError(
        StoreErrorCode.wrongMasterKey,
        `The master key given (fingerprint ${masterKeyFingerprint(masterKey)}) is not the one ${this.path} was encrypted with (fingerprint ${expected}).`,
        {
          hint:
            'Use the master.key (or PRINTO_RELAY_MASTER_KEY) that belongs to this data directory. ' +
            'Nothing was changed.',
        },
      );
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Plumbing

  private sql(source: string): StatementSync {
    let statement = this.statements.get(source);
    if (statement === undefined) {
      statement = this.db.prepare(source);
      this.statements.set(source, statement);
    }
    return statement;
  }

  /** Runs `fn` with the store open and turns SQLite failures into PrintoErrors. */
  private guard<T>(doing: string, fn: () => T): T {
    if (this.closed) {
      throw storeError(StoreErrorCode.closed, `Cannot ${doing}: the store is closed.`);
    }
    try {
      return fn();
    } catch (error) {
      throw fromSqliteError(error, this.path, doing);
    }
  }

  /** One transaction: all of `fn` is written, or none of it. */
  private transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    this.keys.beginTransaction();
    let committed = false;
    try {
      const result = fn();
      this.db.exec('COMMIT');
      committed = true;
      return result;
    } finally {
      if (!committed && this.db.isTransaction) this.db.exec('ROLLBACK');
      this.keys.endTransaction(committed);
    }
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /**
   * Returns freed pages and truncates the WAL, so deleted content leaves the disk files. Runs
   * after the deletion committed, so it must not turn a done deletion into a reported failure:
   * if it cannot run now, SQLite's next checkpoint (at the latest on close) does the same.
   */
  private compact(): void {
    try {
      this.db.exec('PRAGMA incremental_vacuum');
      this.db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    } catch {
      // See above: best effort.
    }
  }

  private decryptText(sessionId: string, purpose: KeyPurpose, sealed: Uint8Array, label: string) {
    const key = this.keys.find(sessionId, purpose);
    if (key === null) {
      throw storeError(
        StoreErrorCode.invalidData,
        `${label} of session ${sessionId} is stored but its key is gone.`,
      );
    }
    return unseal(key, sealed, label).toString('utf8');
  }

  // Row mapping ----------------------------------------------------------------------------------

  private toSession(row: Row): SessionRecord {
    const id = text(row, 'id');
    const description = blobOrNull(row, 'description');
    const transcriptDeletedAt = textOrNull(row, 'transcript_deleted_at');
    const erasedAt = textOrNull(row, 'erased_at');
    const restrictedAt = textOrNull(row, 'restricted_at');
    const objectedAt = textOrNull(row, 'objected_at');
    return {
      id,
      orgId: text(row, 'org_id'),
      deviceId: text(row, 'device_id'),
      description:
        description === null
          ? ''
          : this.decryptText(id, 'transcript', description, aad.description(id)),
      state: storedOneOf(row, 'state', STATES),
      agentId: textOrNull(row, 'agent_id'),
      grantedScopes: storedScopes(row, 'granted_scopes', `session ${id}`),
      createdAt: text(row, 'created_at'),
      endedAt: textOrNull(row, 'ended_at'),
      endReason: textOrNull(row, 'end_reason'),
      legalHold: int(row, 'legal_hold') === 1,
      ...(transcriptDeletedAt === null ? {} : { transcriptDeletedAt }),
      ...(erasedAt === null ? {} : { erasedAt }),
      ...(restrictedAt === null ? {} : { restrictedAt }),
      ...(objectedAt === null ? {} : { objectedAt }),
    };
  }

  private toAgent(row: Row): Agent {
    const id = text(row, 'id');
    return {
      id,
      email: text(row, 'email'),
      name: text(row, 'name'),
      role: storedOneOf(row, 'role', ROLES),
      disabled: int(row, 'disabled') === 1,
      createdAt: text(row, 'created_at'),
      scope: this.agentScope(id, row),
    };
  }

  /** Migration 5: home organisation, else all organisations or the listed ones. */
  private agentScope(id: string, row: Row): AgentScope {
    const home = textOrNull(row, 'home_org_id');
    if (home !== null) return { kind: 'customer', orgId: home };
    if (int(row, 'serves_all') === 1) return { kind: 'provider', orgs: 'all' };
    const orgs = this.sql('SELECT org_id FROM agent_served_orgs WHERE agent_id = ? ORDER BY org_id')
      .all(id)
      .map((served) => text(served, 'org_id'));
    return { kind: 'provider', orgs };
  }

  /** A scope as given by a caller: known organisations, a provider's list not empty. */
  private checkedScope(scope: AgentScope | undefined): AgentScope {
    if (scope === undefined) return { kind: 'provider', orgs: 'all' };
    const orgExists = (orgId: string): void => {
      if (this.sql('SELECT 1 FROM orgs WHERE id = ?').get(orgId) === undefined) {
        throw storeError(StoreErrorCode.notFound, `There is no organisation ${orgId}.`);
      }
    };
    if (scope.kind === 'customer') {
      orgExists(nonEmpty(scope.orgId, 'orgId'));
      return { kind: 'customer', orgId: scope.orgId };
    }
    // Typed, but it may have come over the admin socket as JSON.
    if ((scope.kind as string) !== 'provider') {
      throw invalid('scope.kind must be provider or customer');
    }
    if (scope.orgs === 'all') return { kind: 'provider', orgs: 'all' };
    if (!Array.isArray(scope.orgs) || scope.orgs.length === 0) {
      // Not read as "all": an empty list that widened access would be a trap.
      throw invalid("A provider's organisations are 'all' or a list of at least one.");
    }
    const orgs = [...new Set(scope.orgs.map((orgId) => nonEmpty(orgId, 'orgId')))].sort();
    orgs.forEach(orgExists);
    return { kind: 'provider', orgs };
  }

  /** Writes a checked scope (inside the caller's transaction). */
  private writeScope(agentId: string, scope: AgentScope): void {
    this.sql('UPDATE agents SET home_org_id = ?, serves_all = ? WHERE id = ?').run(
      scope.kind === 'customer' ? scope.orgId : null,
      scope.kind === 'provider' && scope.orgs === 'all' ? 1 : 0,
      agentId,
    );
    this.sql('DELETE FROM agent_served_orgs WHERE agent_id = ?').run(agentId);
    if (scope.kind === 'provider' && scope.orgs !== 'all') {
      const insert = this.sql('INSERT INTO agent_served_orgs (agent_id, org_id) VALUES (?, ?)');
      for (const orgId of scope.orgs) insert.run(agentId, orgId);
    }
  }

  private toDevice(row: Row): Device {
    const revokedAt = textOrNull(row, 'revoked_at');
    return {
      id: text(row, 'id'),
      orgId: text(row, 'org_id'),
      name: text(row, 'name'),
      createdAt: text(row, 'created_at'),
      ...(revokedAt === null ? {} : { revokedAt }),
    };
  }

  private toOrg(row: Row): Org {
    return { id: text(row, 'id'), name: text(row, 'name'), createdAt: text(row, 'created_at') };
  }

  private toChat(row: Row): ChatRecord {
    const sessionId = text(row, 'session_id');
    const messageId = text(row, 'message_id');
    const label = aad.chat(sessionId, messageId);
    let body: unknown;
    try {
      body = JSON.parse(this.decryptText(sessionId, 'transcript', blob(row, 'body'), label));
    } catch (error) {
      if (error instanceof PrintoError) throw error;
      body = undefined;
    }
    const parsed = ChatBodySchema.safeParse(body);
    if (!parsed.success) {
      throw storeError(StoreErrorCode.invalidData, `Chat message ${messageId} is unreadable.`);
    }
    return {
      sessionId,
      messageId,
      seq: int(row, 'seq'),
      from: storedOneOf(row, 'sender_role', SENDERS),
      senderName: parsed.data.senderName,
      text: parsed.data.text,
      redacted: int(row, 'redacted') === 1,
      at: text(row, 'at'),
    };
  }

  private toCorrection(row: Row): ChatCorrection {
    const sessionId = text(row, 'session_id');
    const id = text(row, 'id');
    let body: unknown;
    try {
      body = JSON.parse(
        this.decryptText(sessionId, 'transcript', blob(row, 'body'), aad.correction(sessionId, id)),
      );
    } catch (error) {
      if (error instanceof PrintoError) throw error;
      body = undefined;
    }
    const parsed = CorrectionBodySchema.safeParse(body);
    if (!parsed.success) {
      throw storeError(StoreErrorCode.invalidData, `Chat correction ${id} is unreadable.`);
    }
    return {
      id,
      sessionId,
      correctsMessageId: text(row, 'corrects_message_id'),
      text: parsed.data.text,
      redacted: int(row, 'redacted') === 1,
      at: text(row, 'at'),
    };
  }

  private toReceipt(row: Row): ConsentReceipt {
    const id = text(row, 'id');
    const sessionId = text(row, 'session_id');
    const notice = blobOrNull(row, 'notice');
    return {
      id,
      sessionId,
      kind: storedOneOf(row, 'kind', KINDS),
      actor: text(row, 'actor'),
      scopes: storedScopes(row, 'scopes', `consent receipt ${id}`),
      notice:
        notice === null ? '' : this.decryptText(sessionId, 'receipts', notice, aad.notice(id)),
      noticeDigest: textOrNull(row, 'notice_digest'),
      noticeEcho: storedOneOfOrNull(row, 'notice_echo', ECHOES),
      at: text(row, 'at'),
    };
  }

  private sessionRow(id: string): Row | undefined {
    return this.sql('SELECT * FROM sessions WHERE id = ?').get(id);
  }

  /**
   * The session's number, which keys its chat (migration 2). Reads only that column: `SELECT *`
   * would read the sealed description on every chat batch.
   */
  private sessionNumber(id: string): number {
    const known = this.sessionNumbers.get(id);
    if (known !== undefined) return known;
    const row = this.sql('SELECT no FROM sessions WHERE id = ?').get(id);
    if (row === undefined) throw storeError(StoreErrorCode.notFound, `There is no session ${id}.`);
    const no = int(row, 'no');
    // Live sessions only: a long-running relay must not remember every session it ever had.
    if (this.sessionNumbers.size >= SESSION_NUMBERS_CACHED) this.sessionNumbers.clear();
    this.sessionNumbers.set(id, no);
    return no;
  }

  private requireSession(id: string): Row {
    const row = this.sessionRow(id);
    if (row === undefined) {
      throw storeError(StoreErrorCode.notFound, `There is no session ${id}.`);
    }
    return row;
  }

  // ---------------------------------------------------------------------------------------------
  // Organisations, devices, agents

  createOrg(name: string, now: string): Org {
    return this.guard('create an organisation', () => {
      const org = {
        id: randomUUID(),
        name: nonEmpty(name, 'name'),
        createdAt: isoTime(now, 'now'),
      };
      this.sql('INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)').run(
        org.id,
        org.name,
        org.createdAt,
      );
      return org;
    });
  }

  listOrgs(): readonly Org[] {
    return this.guard('list organisations', () =>
      this.sql('SELECT * FROM orgs ORDER BY created_at, name')
        .all()
        .map((row) => this.toOrg(row)),
    );
  }

  addEnrollmentKey(orgId: string, keyHash: string, now: string): void {
    this.guard('add an enrollment key', () => {
      const at = isoTime(now, 'now');
      if (this.sql('SELECT 1 FROM orgs WHERE id = ?').get(orgId) === undefined) {
        throw storeError(StoreErrorCode.notFound, `There is no organisation ${orgId}.`);
      }
      try {
        this.sql('INSERT INTO enrollment_keys (key_hash, org_id, created_at) VALUES (?, ?, ?)').run(
          nonEmpty(keyHash, 'keyHash'),
          orgId,
          at,
        );
      } catch (error) {
        if (isDuplicate(error)) {
          throw storeError(StoreErrorCode.conflict, 'This enrollment key is already registered.');
        }
        throw error;
      }
    });
  }

  findOrgByEnrollmentKeyHash(keyHash: string): Org | null {
    return this.guard('look up an enrollment key', () => {
      const row = this.sql(
        'SELECT o.* FROM enrollment_keys k JOIN orgs o ON o.id = k.org_id WHERE k.key_hash = ?',
      ).get(keyHash);
      return row === undefined ? null : this.toOrg(row);
    });
  }

  createDevice(device: { orgId: string; name: string; secretHash: string }, now: string): Device {
    return this.guard('create a device', () => {
      if (this.sql('SELECT 1 FROM orgs WHERE id = ?').get(device.orgId) === undefined) {
        throw storeError(StoreErrorCode.notFound, `There is no organisation ${device.orgId}.`);
      }
      const created: Device = {
        id: randomUUID(),
        orgId: device.orgId,
        name: nonEmpty(device.name, 'name'),
        createdAt: isoTime(now, 'now'),
      };
      this.sql(
        'INSERT INTO devices (id, org_id, name, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(
        created.id,
        created.orgId,
        created.name,
        nonEmpty(device.secretHash, 'secretHash'),
        created.createdAt,
      );
      return created;
    });
  }

  findDeviceCredentials(deviceId: string): { device: Device; secretHash: string } | null {
    return this.guard('look up a device', () => {
      const row = this.sql('SELECT * FROM devices WHERE id = ?').get(deviceId);
      return row === undefined
        ? null
        : { device: this.toDevice(row), secretHash: text(row, 'secret_hash') };
    });
  }

  listDevices(filter: { orgId?: string } = {}): readonly Device[] {
    return this.guard('list devices', () => {
      const rows =
        filter.orgId === undefined
          ? this.sql('SELECT * FROM devices ORDER BY created_at, name').all()
          : this.sql('SELECT * FROM devices WHERE org_id = ? ORDER BY created_at, name').all(
              filter.orgId,
            );
      return rows.map((row) => this.toDevice(row));
    });
  }

  revokeDevice(deviceId: string, now: string): boolean {
    return this.guard('revoke a device', () => {
      const at = isoTime(now, 'now');
      const result = this.sql(
        'UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?',
      ).run(at, deviceId);
      return Number(result.changes) > 0;
    });
  }

  createAgent(
    agent: {
      email: string;
      name: string;
      role: AgentRole;
      passwordHash: string;
      scope?: AgentScope;
    },
    now: string,
  ): Agent {
    return this.guard('create an agent', () => {
      const created: Agent = {
        id: randomUUID(),
        email: nonEmpty(agent.email, 'email').trim(),
        name: nonEmpty(agent.name, 'name'),
        role: oneOf(agent.role, ROLES, 'role'),
        disabled: false,
        createdAt: isoTime(now, 'now'),
        scope: this.checkedScope(agent.scope),
      };
      const passwordHash = nonEmpty(agent.passwordHash, 'passwordHash');
      this.transaction(() => {
        try {
          this.sql(
            'INSERT INTO agents (id, email, name, role, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
          ).run(
            created.id,
            created.email,
            created.name,
            created.role,
            passwordHash,
            created.createdAt,
          );
        } catch (error) {
          if (isDuplicate(error)) {
            throw storeError(
              StoreErrorCode.conflict,
              `An agent with the email ${created.email} already exists.`,
            );
          }
          throw error;
        }
        this.writeScope(created.id, created.scope);
      });
      return created;
    });
  }

  findAgentCredentials(email: string): { agent: Agent; passwordHash: string } | null {
    return this.guard('look up an agent', () => {
      const row = this.sql('SELECT * FROM agents WHERE email = ?').get(email.trim());
      return row === undefined
        ? null
        : { agent: this.toAgent(row), passwordHash: text(row, 'password_hash') };
    });
  }

  getAgent(id: string): Agent | null {
    return this.guard('read an agent', () => {
      const row = this.sql('SELECT * FROM agents WHERE id = ?').get(id);
      return row === undefined ? null : this.toAgent(row);
    });
  }

  listAgents(): readonly Agent[] {
    return this.guard('list agents', () =>
      this.sql('SELECT * FROM agents ORDER BY created_at, email')
        .all()
        .map((row) => this.toAgent(row)),
    );
  }

  /**
   * Refuses (`last-admin`) to disable the last enabled administrator: nobody could then manage
   * the relay. Checked and written in one transaction, so two disables at once cannot both pass.
   */
  setAgentDisabled(id: string, disabled: boolean): boolean {
    return this.guard('disable an agent', () =>
      this.transaction(() => {
        if (disabled) {
          const row = this.sql('SELECT * FROM agents WHERE id = ?').get(id);
          const agent = row === undefined ? null : this.toAgent(row);
          const others = this.sql(
            "SELECT COUNT(*) AS n FROM agents WHERE role = 'admin' AND disabled = 0 AND id != ?",
          ).get(id);
          if (agent?.role === 'admin' && !agent.disabled && others?.['n'] === 0) {
            throw storeError(
              StoreErrorCode.lastAdmin,
              `${agent.email} is the last active administrator; disabling it would leave nobody to manage the relay. Nothing was changed.`,
              {
                hint:
                  'Add another administrator first (printo-relay agents add EMAIL --name NAME ' +
                  '--role admin) or enable one (printo-relay agents enable EMAIL).',
              },
            );
          }
        }
        const result = this.sql('UPDATE agents SET disabled = ? WHERE id = ?').run(
          disabled ? 1 : 0,
          id,
        );
        return Number(result.changes) > 0;
      }),
    );
  }

  setAgentPassword(id: string, passwordHash: string): boolean {
    return this.guard("set an agent's password", () => {
      const result = this.sql('UPDATE agents SET password_hash = ? WHERE id = ?').run(
        nonEmpty(passwordHash, 'passwordHash'),
        id,
      );
      return Number(result.changes) > 0;
    });
  }

  setAgentScope(id: string, scope: AgentScope): boolean {
    return this.guard("set an agent's scope", () => {
      const checked = this.checkedScope(scope);
      if (this.sql('SELECT 1 FROM agents WHERE id = ?').get(id) === undefined) return false;
      this.transaction(() => {
        this.writeScope(id, checked);
      });
      return true;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Sessions

  createSession(
    session: { id: string; orgId: string; deviceId: string; description: string },
    now: string,
  ): SessionRecord {
    return this.guard('create a session', () => {
      const id = nonEmpty(session.id, 'id');
      const createdAt = isoTime(now, 'now');
      const description = maskCards(session.description);
      const device = this.sql('SELECT org_id FROM devices WHERE id = ?').get(session.deviceId);
      if (device === undefined) {
        throw storeError(StoreErrorCode.notFound, `There is no device ${session.deviceId}.`);
      }
      if (text(device, 'org_id') !== session.orgId) {
        throw invalid(
          `Device ${session.deviceId} does not belong to organisation ${session.orgId}.`,
        );
      }
      if (this.sessionRow(id) !== undefined) {
        throw storeError(StoreErrorCode.conflict, `A session ${id} already exists.`);
      }
      this.transaction(() => {
        this.sql(
          "INSERT INTO sessions (id, org_id, device_id, state, created_at, no) VALUES (?, ?, ?, 'waiting', ?, (SELECT COALESCE(MAX(no), 0) + 1 FROM sessions))",
        ).run(id, session.orgId, session.deviceId, createdAt);
        const key = this.keys.findOrCreate(id, 'transcript');
        this.sql('UPDATE sessions SET description = ? WHERE id = ?').run(
          seal(key, description, aad.description(id)),
          id,
        );
      });
      return {
        id,
        orgId: session.orgId,
        deviceId: session.deviceId,
        description,
        state: 'waiting',
        agentId: null,
        grantedScopes: [],
        createdAt,
        endedAt: null,
        endReason: null,
        legalHold: false,
      };
    });
  }

  updateSession(
    id: string,
    patch: Partial<
      Pick<SessionRecord, 'state' | 'agentId' | 'grantedScopes' | 'endedAt' | 'endReason'>
    >,
  ): SessionRecord {
    return this.guard('update a session', () => {
      const sets: string[] = [];
      const values: SQLInputValue[] = [];
      if (patch.state !== undefined) {
        sets.push('state = ?');
        values.push(oneOf(patch.state, STATES, 'state'));
      }
      if (patch.agentId !== undefined) {
        if (patch.agentId !== null && this.getAgent(patch.agentId) === null) {
          throw storeError(StoreErrorCode.notFound, `There is no agent ${patch.agentId}.`);
        }
        sets.push('agent_id = ?');
        values.push(patch.agentId);
      }
      if (patch.grantedScopes !== undefined) {
        sets.push('granted_scopes = ?');
        values.push(JSON.stringify(scopesIn(patch.grantedScopes, 'grantedScopes')));
      }
      if (patch.endedAt !== undefined) {
        sets.push('ended_at = ?');
        values.push(patch.endedAt === null ? null : isoTime(patch.endedAt, 'endedAt'));
      }
      if (patch.endReason !== undefined) {
        sets.push('end_reason = ?');
        values.push(patch.endReason === null ? null : maskCards(patch.endReason));
      }
      if (sets.length > 0) {
        const result = this.sql(`UPDATE sessions SET ${sets.join(', ')} WHERE id = ?`).run(
          ...values,
          id,
        );
        if (Number(result.changes) === 0) {
          throw storeError(StoreErrorCode.notFound, `There is no session ${id}.`);
        }
      }
      return this.toSession(this.requireSession(id));
    });
  }

  getSession(id: string): SessionRecord | null {
    return this.guard('read a session', () => {
      const row = this.sessionRow(id);
      return row === undefined ? null : this.toSession(row);
    });
  }

  listSessions(filter?: {
    state?: SessionState;
    orgId?: string;
    deviceId?: string;
  }): readonly SessionRecord[] {
    return this.guard('list sessions', () => {
      const where: string[] = [];
      const values: SQLInputValue[] = [];
      if (filter?.state !== undefined) {
        where.push('state = ?');
        values.push(oneOf(filter.state, STATES, 'state'));
      }
      if (filter?.orgId !== undefined) {
        where.push('org_id = ?');
        values.push(filter.orgId);
      }
      if (filter?.deviceId !== undefined) {
        where.push('device_id = ?');
        values.push(filter.deviceId);
      }
      const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
      return this.sql(`SELECT * FROM sessions ${clause} ORDER BY created_at, id`)
        .all(...values)
        .map((row) => this.toSession(row));
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Chat and consent receipts

  appendChat(record: ChatRecord): void {
    this.appendChats([record]);
  }

  /**
   * Several messages in one transaction: all are stored, or none. The relay hands over the chat
   * of one event-loop turn this way, so that a commit is paid per turn rather than per message.
   */
  appendChats(records: readonly ChatRecord[]): void {
    if (records.length === 0) return;
    this.guard('store chat messages', () => {
      const rows = records.map((record) => {
        const seq = record.seq;
        if (!Number.isSafeInteger(seq) || seq < 1) throw invalid('seq must be an integer from 1');
        const masked = redactCardNumbers(record.text);
        return {
          record,
          seq,
          messageId: nonEmpty(record.messageId, 'messageId'),
          from: oneOf(record.from, SENDERS, 'from'),
          at: isoTime(record.at, 'at'),
          redacted: record.redacted || masked.redacted,
          body: JSON.stringify({ text: masked.text, senderName: maskCards(record.senderName) }),
        };
      });
      const numbers = new Map<string, number>();
      for (const record of records) {
        if (!numbers.has(record.sessionId)) {
          numbers.set(record.sessionId, this.sessionNumber(record.sessionId));
        }
      }
      this.transaction(() => {
        const insert = this.sql(
          'INSERT INTO chat_messages (session_no, seq, message_id, sender_role, body, redacted, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
        for (const row of rows) {
          const sessionId = row.record.sessionId;
          const key = this.keys.findOrCreate(sessionId, 'transcript');
          try {
            insert.run(
              numbers.get(sessionId) ?? 0,
              row.seq,
              row.messageId,
              row.from,
              seal(key, row.body, aad.chat(sessionId, row.messageId)),
              row.redacted ? 1 : 0,
              row.at,
            );
          } catch (error) {
            if (isDuplicate(error)) {
              throw storeError(
                StoreErrorCode.conflict,
                `Session ${sessionId} already has chat message ${String(row.seq)} or ${row.messageId}.`,
              );
            }
            throw error;
          }
        }
      });
    });
  }

  listChat(sessionId: string): readonly ChatRecord[] {
    return this.guard('read a transcript', () =>
      this.sql(
        'SELECT s.id AS session_id, c.* FROM chat_messages c JOIN sessions s ON s.no = c.session_no WHERE s.id = ? ORDER BY c.seq',
      )
        .all(sessionId)
        .map((row) => this.toChat(row)),
    );
  }

  appendCorrection(correction: {
    sessionId: string;
    correctsMessageId: string;
    text: string;
    at: string;
  }):
    | { ok: true; correction: ChatCorrection }
    | { ok: false; reason: 'not-found' | 'message-not-found' | 'transcript-deleted' } {
    return this.guard('store a chat correction', () => {
      const at = isoTime(correction.at, 'at');
      const masked = redactCardNumbers(correction.text);
      const row = this.sessionRow(correction.sessionId);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      if (textOrNull(row, 'transcript_deleted_at') !== null) {
        return { ok: false, reason: 'transcript-deleted' };
      }
      const sessionNo = int(row, 'no');
      const target = this.sql(
        "SELECT 1 FROM chat_messages WHERE session_no = ? AND message_id = ? AND sender_role = 'client'",
      ).get(sessionNo, correction.correctsMessageId);
      if (target === undefined) return { ok: false, reason: 'message-not-found' };
      const created: ChatCorrection = {
        id: randomUUID(),
        sessionId: correction.sessionId,
        correctsMessageId: correction.correctsMessageId,
        text: masked.text,
        redacted: masked.redacted,
        at,
      };
      this.transaction(() => {
        const key = this.keys.findOrCreate(created.sessionId, 'transcript');
        this.sql(
          'INSERT INTO chat_corrections (id, session_no, corrects_message_id, body, redacted, at) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(
          created.id,
          sessionNo,
          created.correctsMessageId,
          seal(
            key,
            JSON.stringify({ text: created.text }),
            aad.correction(created.sessionId, created.id),
          ),
          created.redacted ? 1 : 0,
          created.at,
        );
      });
      return { ok: true, correction: created };
    });
  }

  listCorrections(sessionId: string): readonly ChatCorrection[] {
    return this.guard('read chat corrections', () =>
      this.sql(
        'SELECT s.id AS session_id, c.* FROM chat_corrections c JOIN sessions s ON s.no = c.session_no WHERE s.id = ? ORDER BY c.at, c.rowid',
      )
        .all(sessionId)
        .map((row) => this.toCorrection(row)),
    );
  }

  addConsentReceipt(receipt: Omit<ConsentReceipt, 'id'>): ConsentReceipt {
    return this.guard('store a consent receipt', () => {
      const created: ConsentReceipt = {
        id: randomUUID(),
        sessionId: receipt.sessionId,
        kind: oneOf(receipt.kind, KINDS, 'kind'),
        actor: nonEmpty(receipt.actor, 'actor'),
        scopes: scopesIn(receipt.scopes, 'scopes'),
        notice: maskCards(receipt.notice),
        noticeDigest:
          receipt.noticeDigest === null ? null : nonEmpty(receipt.noticeDigest, 'noticeDigest'),
        noticeEcho:
          receipt.noticeEcho === null ? null : oneOf(receipt.noticeEcho, ECHOES, 'noticeEcho'),
        at: isoTime(receipt.at, 'at'),
      };
      this.requireSession(receipt.sessionId);
      this.transaction(() => {
        const key = this.keys.findOrCreate(created.sessionId, 'receipts');
        this.sql(
          'INSERT INTO consent_receipts (id, session_id, kind, actor, scopes, notice, notice_digest, notice_echo, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(
          created.id,
          created.sessionId,
          created.kind,
          created.actor,
          JSON.stringify(created.scopes),
          seal(key, created.notice, aad.notice(created.id)),
          created.noticeDigest,
          created.noticeEcho,
          created.at,
        );
      });
      return created;
    });
  }

  listConsentReceipts(sessionId: string): readonly ConsentReceipt[] {
    return this.guard('read consent receipts', () =>
      this.sql('SELECT * FROM consent_receipts WHERE session_id = ? ORDER BY at, rowid')
        .all(sessionId)
        .map((row) => this.toReceipt(row)),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Retention and rights

  setLegalHold(sessionId: string, hold: boolean, now?: string): boolean {
    return this.guard('set a legal hold', () => {
      const at = now === undefined ? this.now() : isoTime(now, 'now');
      return this.transaction(() => {
        const result = this.sql('UPDATE sessions SET legal_hold = ? WHERE id = ?').run(
          hold ? 1 : 0,
          sessionId,
        );
        if (Number(result.changes) === 0) return false;
        this.auditLog.append('legal-hold', at, { sessionId, hold });
        return true;
      });
    });
  }

  purge(now: Date, periods: RetentionPeriods): PurgeResult {
    return this.guard('purge expired data', () => {
      if (!Number.isFinite(now.getTime())) throw invalid('now is not a valid time');
      const parsed = RelayRetentionConfigSchema.safeParse(periods);
      if (!parsed.success) {
        throw storeError(
          StoreErrorCode.retentionInvalid,
          `Invalid retention periods: ${parsed.error.issues.map((issue) => issue.message).join('; ')}.`,
        );
      }
      const valid = parsed.data;
      const at = now.toISOString();
      const cutoffs = {
        chatTranscript: expiryCutoff('chatTranscript', now, valid).toISOString(),
        consentReceipt: expiryCutoff('consentReceipt', now, valid).toISOString(),
        sessionMetadata: expiryCutoff('sessionMetadata', now, valid).toISOString(),
      };
      // Periods count from the session's end; a session marked ended without a time counts from
      // its start rather than never expiring. Open sessions are never purged.
      const endedBy = (param: string) =>
        `state = 'ended' AND COALESCE(ended_at, created_at) <= :${param}`;
      const hasTranscript =
        "EXISTS (SELECT 1 FROM session_keys k WHERE k.session_id = sessions.id AND k.purpose = 'transcript')";
      const hasReceipts =
        "(EXISTS (SELECT 1 FROM consent_receipts r WHERE r.session_id = sessions.id) OR EXISTS (SELECT 1 FROM session_keys k WHERE k.session_id = sessions.id AND k.purpose = 'receipts'))";
      const due = {
        transcript: `${endedBy('chat')} AND ${hasTranscript}`,
        receipts: `${endedBy('receipt')} AND ${hasReceipts}`,
        session: endedBy('meta'),
      };
      const ids = (where: string, params: Record<string, string>): string[] =>
        this.sql(`SELECT id FROM sessions WHERE legal_hold = 0 AND ${where} ORDER BY id`)
          .all(params)
          .map((row) => text(row, 'id'));

      const result = this.transaction(() => {
        const heldRow = this.sql(
          `SELECT COUNT(*) AS n FROM sessions WHERE legal_hold = 1 AND ((${due.transcript}) OR (${due.receipts}) OR (${due.session}))`,
        ).get({
          chat: cutoffs.chatTranscript,
          receipt: cutoffs.consentReceipt,
          meta: cutoffs.sessionMetadata,
        });
        const heldBack = heldRow === undefined ? 0 : int(heldRow, 'n');

        let chatMessages = 0;
        let transcripts = 0;
        for (const id of ids(due.transcript, { chat: cutoffs.chatTranscript })) {
          chatMessages += this.deleteTranscript(id, at);
          transcripts += 1;
        }
        let consentReceipts = 0;
        for (const id of ids(due.receipts, { receipt: cutoffs.consentReceipt })) {
          this.keys.shred(id, 'receipts');
          consentReceipts += Number(
            this.sql('DELETE FROM consent_receipts WHERE session_id = ?').run(id).changes,
          );
        }
        let sessions = 0;
        for (const id of ids(due.session, { meta: cutoffs.sessionMetadata })) {
          // Whatever is left goes too (with valid periods nothing is): keys first.
          this.keys.shred(id, 'transcript');
          this.keys.shred(id, 'receipts');
          chatMessages += Number(this.sql(CHAT_OF_SESSION_DELETE).run(id).changes);
          chatMessages += Number(this.sql(CORRECTIONS_OF_SESSION_DELETE).run(id).changes);
          consentReceipts += Number(
            this.sql('DELETE FROM consent_receipts WHERE session_id = ?').run(id).changes,
          );
          sessions += Number(this.sql('DELETE FROM sessions WHERE id = ?').run(id).changes);
          this.sessionNumbers.delete(id);
        }
        // The audit log is kept as long as consent receipts; the purge entry links past the gap.
        const auditEntries = this.auditLog.deleteUpTo(cutoffs.consentReceipt);
        this.auditLog.append('purge', at, {
          periods: { ...valid },
          cutoffs,
          transcripts,
          chatMessages,
          consentReceipts,
          sessions,
          heldBack,
          auditEntries,
        });
        return { sessions, chatMessages, consentReceipts, heldBack, deleted: transcripts };
      });
      if (result.deleted + result.consentReceipts + result.sessions > 0) this.compact();
      return {
        sessions: result.sessions,
        chatMessages: result.chatMessages,
        consentReceipts: result.consentReceipts,
        heldBack: result.heldBack,
      };
    });
  }

  /**
   * Shreds and deletes a session's transcript (with the corrections of it) and description;
   * returns the messages and corrections deleted.
   */
  private deleteTranscript(sessionId: string, at: string): number {
    this.keys.shred(sessionId, 'transcript');
    const deleted =
      Number(this.sql(CHAT_OF_SESSION_DELETE).run(sessionId).changes) +
      Number(this.sql(CORRECTIONS_OF_SESSION_DELETE).run(sessionId).changes);
    this.sql(
      'UPDATE sessions SET description = NULL, transcript_deleted_at = COALESCE(transcript_deleted_at, ?) WHERE id = ?',
    ).run(at, sessionId);
    return deleted;
  }

  exportSession(sessionId: string, now: string, actor?: string): SessionExport | null {
    return this.guard('export a session', () => {
      const exportedAt = isoTime(now, 'now');
      const row = this.sessionRow(sessionId);
      if (row === undefined) return null;
      const session = this.toSession(row);
      const deviceRow = this.sql('SELECT * FROM devices WHERE id = ?').get(session.deviceId);
      const agent = session.agentId === null ? null : this.getAgent(session.agentId);
      const exported: SessionExport = {
        format: SESSION_EXPORT_FORMAT,
        exportedAt,
        session,
        device: deviceRow === undefined ? null : this.toDevice(deviceRow),
        agent: agent === null ? null : { id: agent.id, name: agent.name },
        transcript: this.listChat(sessionId),
        corrections: this.listCorrections(sessionId),
        consentReceipts: this.listConsentReceipts(sessionId),
      };
      this.transaction(() => {
        this.auditLog.append(
          'export',
          exportedAt,
          actor === undefined ? { sessionId } : { sessionId, actor: nonEmpty(actor, 'actor') },
        );
      });
      return exported;
    });
  }

  eraseSession(
    sessionId: string,
    now: string,
    actor?: string,
  ): { erased: boolean; reason?: 'legal-hold' | 'not-found' } {
    return this.guard('erase a session', () => {
      const at = isoTime(now, 'now');
      const by = actor === undefined ? {} : { actor: nonEmpty(actor, 'actor') };
      const row = this.sessionRow(sessionId);
      if (row === undefined) return { erased: false, reason: 'not-found' };
      if (int(row, 'legal_hold') === 1) {
        this.transaction(() => {
          this.auditLog.append('erase-refused', at, { sessionId, reason: 'legal-hold', ...by });
        });
        return { erased: false, reason: 'legal-hold' };
      }
      this.transaction(() => {
        // Keys first: from here on nothing sealed for this session can be read, copies included.
        this.keys.shred(sessionId, 'transcript');
        this.keys.shred(sessionId, 'receipts');
        const chatMessages = this.deleteTranscript(sessionId, at);
        const receipts = Number(
          this.sql('UPDATE consent_receipts SET notice = NULL WHERE session_id = ?').run(sessionId)
            .changes,
        );
        this.sql('UPDATE sessions SET erased_at = ? WHERE id = ?').run(at, sessionId);
        this.auditLog.append('erase', at, {
          sessionId,
          chatMessages,
          consentReceipts: receipts,
          ...by,
        });
      });
      this.compact();
      return { erased: true };
    });
  }

  recordSessionRight(
    sessionId: string,
    right: 'restriction' | 'objection',
    now: string,
  ): SessionRecord | null {
    return this.guard(`record a ${right}`, () => {
      const at = isoTime(now, 'now');
      const column =
        oneOf(right, ['restriction', 'objection'] as const, 'right') === 'restriction'
          ? 'restricted_at'
          : 'objected_at';
      // The first time stands: a repeated request changes nothing.
      const result = this.sql(
        `UPDATE sessions SET ${column} = COALESCE(${column}, ?) WHERE id = ?`,
      ).run(at, sessionId);
      if (Number(result.changes) === 0) return null;
      return this.toSession(this.requireSession(sessionId));
    });
  }

  recordRightsRequest(request: RightsRequestRecord, now: string): void {
    this.guard('record a rights request', () => {
      const at = isoTime(now, 'now');
      this.transaction(() => {
        this.auditLog.append('rights-request', at, {
          right: request.right,
          deviceId: nonEmpty(request.deviceId, 'deviceId'),
          sessionId: request.sessionId,
          outcome: nonEmpty(request.outcome, 'outcome'),
        });
      });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Beyond the port: key rotation, audit log, housekeeping

  /**
   * Re-wraps every data key with `newMasterKey` and makes it the store's master key. Once the old
   * key is destroyed, backups made before an erasure or purge can no longer unwrap the keys that
   * erasure destroyed (docs/privacy.md, Backups). Write the new key file before calling this and
   * keep the old one until it returns.
   */
  rotateMasterKey(newMasterKey: Uint8Array, now?: string): { rewrapped: number } {
    return this.guard('rotate the master key', () => {
      if (newMasterKey.length !== KEY_BYTES) {
        throw storeError(
          StoreErrorCode.masterKeyInvalid,
          `The new master key must be ${KEY_BYTES} bytes; got ${newMasterKey.length}.`,
        );
      }
      const next = Buffer.from(newMasterKey);
      const at = now === undefined ? this.now() : isoTime(now, 'now');
      const rewrap = () =>
        this.transaction(() => {
          const count = this.keys.rewrapAll(next);
          this.sql("UPDATE meta SET value = ? WHERE key = 'master-key-check'").run(
            masterKeyCheck(next),
          );
          this.sql(
            "INSERT INTO meta (key, value) VALUES ('master-key-fingerprint', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          ).run(masterKeyFingerprint(next));
          this.auditLog.append('master-key-rotated', at, {
            keys: count,
            fingerprint: masterKeyFingerprint(next),
          });
          return count;
        });
      let rewrapped: number;
      try {
        rewrapped = rewrap();
      } catch (error) {
        next.fill(0);
        throw error;
      }
      this.keys.useMasterKey(next);
      this.compact();
      return { rewrapped };
    });
  }

  listAuditLog(): readonly AuditEntry[] {
    return this.guard('read the audit log', () => this.auditLog.list());
  }

  /** Checks the audit log's hash chain from the oldest entry kept to the recorded head. */
  verifyAuditLog(): AuditVerification {
    return this.guard('verify the audit log', () => this.auditLog.verify());
  }

  /** The schema version of the open database. */
  schemaVersion(): number {
    return this.guard('read the schema version', () => {
      const row = this.sql('SELECT MAX(version) AS v FROM schema_migrations').get();
      return row === undefined ? 0 : int(row, 'v');
    });
  }

  /** Checkpoints, releases the file lock and forgets every key. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    } catch {
      // Closing anyway; SQLite checkpoints on close as well.
    }
    this.statements.clear();
    this.db.close();
    this.keys.destroy();
  }
}

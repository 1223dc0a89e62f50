/**
 * The relay's audit log: a hash chain `h_i = SHA-256(h_{i-1} ‖ canonical(entry_i))` of what was
 * done to stored personal data (purges, erasures, exports, legal holds, key rotations). Entries
 * hold ids, counts and times, never personal content, so erasing or shredding data never has to
 * touch the chain; deleting old entries is itself an entry that names the last hash deleted.
 */
import { createHash } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { int, storedOneOf, text } from './rows.ts';

export type AuditAction =
  | 'purge'
  | 'erase'
  | 'erase-refused'
  | 'export'
  | 'legal-hold'
  | 'master-key-rotated'
  | 'rights-request';

export type AuditValue = string | number | boolean | null | AuditDetail | readonly AuditValue[];
export interface AuditDetail {
  readonly [key: string]: AuditValue;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly action: AuditAction;
  readonly detail: AuditDetail;
  readonly prevHash: string;
  readonly hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: the same entry always hashes the same. */
export function canonicalJson(value: AuditValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    return `[${(value as readonly AuditValue[]).map((item) => canonicalJson(item)).join(',')}]`;
  }
  const object = value as AuditDetail;
  const keys = Object.keys(object).sort();
  return `{${keys
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] ?? null)}`)
    .join(',')}}`;
}

export function auditHash(
  prevHash: string,
  entry: { seq: number; at: string; action: AuditAction; detail: AuditDetail },
): string {
  const body = canonicalJson({
    seq: entry.seq,
    at: entry.at,
    action: entry.action,
    detail: entry.detail,
  });
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly entries: number;
  /** The first entry whose hash or link does not match, when not ok. */
  readonly brokenAt: number | null;
  readonly problem: string | null;
}

/**
 * Checks the chain from the oldest entry kept (whose `prevHash` names the last one deleted) to the
 * newest, which must be the recorded head (a truncated tail is detected too).
 */
export function verifyAuditChain(entries: readonly AuditEntry[], head: string): AuditVerification {
  let prev: string | null = null;
  for (const entry of entries) {
    if (prev !== null && entry.prevHash !== prev) {
      return { ok: false, entries: entries.length, brokenAt: entry.seq, problem: 'link' };
    }
    if (auditHash(entry.prevHash, entry) !== entry.hash) {
      return { ok: false, entries: entries.length, brokenAt: entry.seq, problem: 'hash' };
    }
    prev = entry.hash;
  }
  if ((prev ?? GENESIS_HASH) !== head) {
    return { ok: false, entries: entries.length, brokenAt: null, problem: 'head' };
  }
  return { ok: true, entries: entries.length, brokenAt: null, problem: null };
}

const ACTIONS: readonly AuditAction[] = [
  'purge',
  'erase',
  'erase-refused',
  'export',
  'legal-hold',
  'master-key-rotated',
  'rights-request',
];

/** The `audit_log` table and its head in `meta`; writes belong in the caller's transaction. */
export class AuditLog {
  private readonly head: StatementSync;
  private readonly nextSeq: StatementSync;
  private readonly insert: StatementSync;
  private readonly setHead: StatementSync;
  private readonly selectAll: StatementSync;
  private readonly removeUpTo: StatementSync;

  constructor(db: DatabaseSync) {
    this.head = db.prepare("SELECT value FROM meta WHERE key = 'audit-head'");
    // AUTOINCREMENT's counter: sequence numbers are never reused, even after old entries go.
    this.nextSeq = db.prepare(
      "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0) + 1 AS seq",
    );
    this.insert = db.prepare(
      'INSERT INTO audit_log (seq, at, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.setHead = db.prepare(
      "INSERT INTO meta (key, value) VALUES ('audit-head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    this.selectAll = db.prepare('SELECT * FROM audit_log ORDER BY seq');
    this.removeUpTo = db.prepare('DELETE FROM audit_log WHERE at <= ?');
  }

  append(action: AuditAction, at: string, detail: AuditDetail): AuditEntry {
    const prevHash = this.headHash();
    const row = this.nextSeq.get();
    const seq = row === undefined ? 1 : int(row, 'seq');
    const hash = auditHash(prevHash, { seq, at, action, detail });
    this.insert.run(seq, at, action, JSON.stringify(detail), prevHash, hash);
    this.setHead.run(hash);
    return { seq, at, action, detail, prevHash, hash };
  }

  /** Deletes entries dated at or before `cutoff`; the next entry still names the last hash. */
  deleteUpTo(cutoff: string): number {
    return Number(this.removeUpTo.run(cutoff).changes);
  }

  list(): AuditEntry[] {
    return this.selectAll.all().map((row) => {
      // Written by `append` from an AuditDetail; the chain check catches any other change.
      const detail = JSON.parse(text(row, 'detail')) as AuditDetail;
      return {
        seq: int(row, 'seq'),
        at: text(row, 'at'),
        action: storedOneOf(row, 'action', ACTIONS),
        detail,
        prevHash: text(row, 'prev_hash'),
        hash: text(row, 'hash'),
      };
    });
  }

  verify(): AuditVerification {
    return verifyAuditChain(this.list(), this.headHash());
  }

  private headHash(): string {
    const row = this.head.get();
    return row === undefined ? GENESIS_HASH : text(row, 'value');
  }
}

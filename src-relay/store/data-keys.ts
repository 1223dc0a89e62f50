/**
 * Per-session data keys, the unit of crypto-shredding: one key per session and category
 * (`transcript`: chat and the request description; `receipts`: consent notices), so that each
 * category can be destroyed when its own retention period ends. Keys are created on first use,
 * stored wrapped by the master key, and kept unwrapped in a bounded memory cache whose entries are
 * zeroed when evicted or shredded.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { newDataKey, unwrapKey, wrapKey } from './crypto.ts';
import { blob, storedOneOf, text } from './rows.ts';

export type KeyPurpose = 'transcript' | 'receipts';
const PURPOSES: readonly KeyPurpose[] = ['transcript', 'receipts'];

/** Associated data of a wrapped key: a key copied to another session's row does not unwrap. */
export const keyLabel = (sessionId: string, purpose: KeyPurpose): string =>
  `printo-relay/v1/session-key/${sessionId}/${purpose}`;

export class DataKeys {
  private readonly now: () => string;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, Buffer>();
  private masterKey: Buffer;
  /** Keys created inside the running transaction: forgotten if it rolls back. */
  private created: string[] | null = null;
  private readonly select: StatementSync;
  private readonly insert: StatementSync;
  private readonly remove: StatementSync;
  private readonly selectAll: StatementSync;
  private readonly update: StatementSync;

  constructor(db: DatabaseSync, masterKey: Buffer, now: () => string, cacheSize = 4096) {
    this.masterKey = masterKey;
    this.now = now;
    this.cacheSize = cacheSize;
    this.select = db.prepare(
      'SELECT wrapped FROM session_keys WHERE session_id = ? AND purpose = ?',
    );
    this.insert = db.prepare(
      'INSERT INTO session_keys (session_id, purpose, wrapped, created_at) VALUES (?, ?, ?, ?)',
    );
    this.remove = db.prepare('DELETE FROM session_keys WHERE session_id = ? AND purpose = ?');
    this.selectAll = db.prepare('SELECT session_id, purpose, wrapped FROM session_keys');
    this.update = db.prepare(
      'UPDATE session_keys SET wrapped = ? WHERE session_id = ? AND purpose = ?',
    );
  }

  /** The key, or null when the session has none for `purpose` (never created, or shredded). */
  find(sessionId: string, purpose: KeyPurpose): Buffer | null {
    const id = `${sessionId}/${purpose}`;
    const cached = this.cache.get(id);
    if (cached !== undefined) {
      // Most recently used last.
      this.cache.delete(id);
      this.cache.set(id, cached);
      return cached;
    }
    const row = this.select.get(sessionId, purpose);
    if (row === undefined) return null;
    const key = unwrapKey(this.masterKey, blob(row, 'wrapped'), keyLabel(sessionId, purpose));
    this.remember(id, key);
    return key;
  }

  /** The key, created and stored (wrapped) if the session has none yet. Use in a transaction. */
  findOrCreate(sessionId: string, purpose: KeyPurpose): Buffer {
    const existing = this.find(sessionId, purpose);
    if (existing !== null) return existing;
    const key = newDataKey();
    const wrapped = wrapKey(this.masterKey, key, keyLabel(sessionId, purpose));
    this.insert.run(sessionId, purpose, wrapped, this.now());
    const id = `${sessionId}/${purpose}`;
    this.created?.push(id);
    this.remember(id, key);
    return key;
  }

  /** Crypto-shredding: the key leaves memory and the database; what it sealed is unreadable. */
  shred(sessionId: string, purpose: KeyPurpose): void {
    this.forget(`${sessionId}/${purpose}`);
    this.remove.run(sessionId, purpose);
  }

  beginTransaction(): void {
    this.created = [];
  }

  endTransaction(committed: boolean): void {
    if (!committed) for (const id of this.created ?? []) this.forget(id);
    this.created = null;
  }

  /**
   * Re-wraps every stored key with `next` (inside the caller's transaction); call `useMasterKey`
   * once it has committed. Returns how many keys were re-wrapped.
   */
  rewrapAll(next: Buffer): number {
    const rows = this.selectAll.all();
    for (const row of rows) {
      const sessionId = text(row, 'session_id');
      const purpose = storedOneOf(row, 'purpose', PURPOSES);
      const label = keyLabel(sessionId, purpose);
      const key = unwrapKey(this.masterKey, blob(row, 'wrapped'), label);
      this.update.run(wrapKey(next, key, label), sessionId, purpose);
      key.fill(0);
    }
    return rows.length;
  }

  useMasterKey(next: Buffer): void {
    this.masterKey.fill(0);
    this.masterKey = next;
  }

  /** Zeroes every key held in memory, the master key included. */
  destroy(): void {
    for (const key of this.cache.values()) key.fill(0);
    this.cache.clear();
    this.masterKey.fill(0);
  }

  private remember(id: string, key: Buffer): void {
    this.cache.set(id, key);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.forget(oldest.value);
    }
  }

  private forget(id: string): void {
    this.cache.get(id)?.fill(0);
    this.cache.delete(id);
  }
}

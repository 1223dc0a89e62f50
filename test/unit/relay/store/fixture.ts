/**
 * A real SQLite store in a temporary data directory, and raw access to its file for checks the
 * port does not offer (the store must be closed first: it holds an exclusive lock).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach } from 'vitest';
import { STORE_FILE, SqliteStore } from '../../../../src-relay/store/sqlite-store.ts';
import type { SessionRecord } from '../../../../src-relay/store/store.ts';
import { ManualClock } from '../../manual-clock.ts';

const dirs: string[] = [];
const open: SqliteStore[] = [];

afterEach(() => {
  for (const store of open.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'printo-relay-store-'));
  dirs.push(dir);
  return dir;
}

export const T0 = '2026-01-10T09:00:00.000Z';
export const DAY = 86_400_000;
export const at = (base: string, days: number, ms = 0): string =>
  new Date(Date.parse(base) + days * DAY + ms).toISOString();

export function openStore(
  dataDir: string,
  masterKey: Uint8Array,
  options: { busyTimeoutMs?: number } = {},
): SqliteStore {
  const store = new SqliteStore({
    dataDir,
    masterKey,
    busyTimeoutMs: options.busyTimeoutMs ?? 100,
    clock: new ManualClock(Date.parse(T0)),
  });
  open.push(store);
  return store;
}

export function newStore(): { store: SqliteStore; dir: string; key: Buffer } {
  const dir = tempDir();
  const key = randomBytes(32);
  return { store: openStore(dir, key), dir, key };
}

export interface World {
  readonly orgId: string;
  readonly deviceId: string;
  readonly agentId: string;
}

export function seedWorld(store: SqliteStore): World {
  const org = store.createOrg('Acme Accounting', T0);
  const device = store.createDevice(
    { orgId: org.id, name: 'WS-ACCOUNTS-07', secretHash: 'sh' },
    T0,
  );
  const agent = store.createAgent(
    { email: 'alice@printogens.example', name: 'Alice Agent', role: 'agent', passwordHash: 'ph' },
    T0,
  );
  return { orgId: org.id, deviceId: device.id, agentId: agent.id };
}

/** A session with two chat messages and a grant receipt; ended at `endedAt` unless null. */
export function seedSession(
  store: SqliteStore,
  world: World,
  options: { createdAt?: string; endedAt?: string | null; label?: string } = {},
): SessionRecord {
  const createdAt = options.createdAt ?? T0;
  const label = options.label ?? 'session';
  const id = randomUUID();
  store.createSession(
    { id, orgId: world.orgId, deviceId: world.deviceId, description: `${label}: paper jam` },
    createdAt,
  );
  store.updateSession(id, { state: 'active', agentId: world.agentId, grantedScopes: ['chat'] });
  store.addConsentReceipt({
    sessionId: id,
    kind: 'grant',
    actor: `client:${world.deviceId}`,
    scopes: ['chat'],
    notice: `${label}: Alice Agent will see your chat; kept 90 days.`,
    noticeDigest: 'sha256:00',
    noticeEcho: 'matched',
    at: at(createdAt, 0, 1000),
  });
  store.appendChat({
    sessionId: id,
    messageId: randomUUID(),
    seq: 1,
    from: 'client',
    senderName: 'WS-ACCOUNTS-07',
    text: `${label}: the tray 2 jams`,
    redacted: false,
    at: at(createdAt, 0, 2000),
  });
  store.appendChat({
    sessionId: id,
    messageId: randomUUID(),
    seq: 2,
    from: 'agent',
    senderName: 'Alice Agent',
    text: `${label}: open the rear door`,
    redacted: false,
    at: at(createdAt, 0, 3000),
  });
  if (options.endedAt !== null) {
    return store.updateSession(id, {
      state: 'ended',
      endedAt: options.endedAt ?? at(createdAt, 0, 60_000),
      endReason: 'ended-by-client',
    });
  }
  const session = store.getSession(id);
  if (session === null) throw new Error('seeded session vanished');
  return session;
}

/** Opens the (closed) store's file directly. */
export function withRawDb<T>(dataDir: string, fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(dataDir, STORE_FILE));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Every byte the store has on disk: the database file and its WAL, if any. */
export function diskBytes(dataDir: string): Buffer {
  const path = join(dataDir, STORE_FILE);
  const parts = [readFileSync(path)];
  for (const suffix of ['-wal', '-journal', '-shm']) {
    if (existsSync(path + suffix)) parts.push(readFileSync(path + suffix));
  }
  return Buffer.concat(parts);
}

/** Every row of every table, for "nothing changed" checks (the file header counts opens). */
export function dump(dataDir: string): Record<string, unknown[]> {
  return withRawDb(dataDir, (db) => {
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => String(row['name']));
    return Object.fromEntries(
      tables.map((table) => [table, db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).all()]),
    );
  });
}

import { randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isPrintoError } from '../../../../src-shared/errors.ts';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../../../src-relay/store/migrations.ts';
import { STORE_FILE, type SqliteStore } from '../../../../src-relay/store/sqlite-store.ts';
import type { Store } from '../../../../src-relay/store/store.ts';
import {
  T0,
  at,
  diskBytes,
  dump,
  newStore,
  openStore,
  seedSession,
  seedWorld,
  tempDir,
  withRawDb,
} from './fixture.ts';

function errorOf(fn: () => unknown): { code: string; message: string; hint?: string } {
  try {
    fn();
  } catch (error) {
    if (isPrintoError(error)) {
      return { code: error.code, message: error.message, ...(error.hint && { hint: error.hint }) };
    }
    throw error;
  }
  throw new Error('expected an error');
}

describe('opening the database', () => {
  it('creates one file in the data directory, 0600, WAL, incremental vacuum, all migrations', () => {
    const { store, dir } = newStore();
    expect(store.path).toBe(join(dir, STORE_FILE));
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    store.createOrg('Acme', T0);
    if (process.platform !== 'win32') {
      // SQLite gives the WAL the database file's mode: nobody else can read either.
      expect(statSync(`${store.path}-wal`).mode & 0o777).toBe(0o600);
    }
    store.close();
    if (process.platform !== 'win32') expect(statSync(store.path).mode & 0o777).toBe(0o600);
    withRawDb(dir, (db) => {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(db.prepare('PRAGMA auto_vacuum').get()).toEqual({ auto_vacuum: 2 });
      const tables = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .all()
        .map((row) => row['name']);
      expect(tables).toEqual(
        expect.arrayContaining([
          'agents',
          'audit_log',
          'chat_messages',
          'consent_receipts',
          'devices',
          'enrollment_keys',
          'meta',
          'orgs',
          'schema_migrations',
          'session_keys',
          'sessions',
        ]),
      );
      expect(db.prepare('SELECT version, name, applied_at FROM schema_migrations').all()).toEqual([
        { version: 1, name: 'initial', applied_at: T0 },
        { version: 2, name: 'chat-by-session-number', applied_at: T0 },
        { version: 3, name: 'device-revocation', applied_at: T0 },
        { version: 4, name: 'consent-receipt-notice-digest', applied_at: T0 },
        { version: 5, name: 'agent-org-scope', applied_at: T0 },
        { version: 6, name: 'session-rights', applied_at: T0 },
      ]);
    });
  });

  it('re-opens without applying migrations again and keeps the data', () => {
    const { store, dir, key } = newStore();
    const org = store.createOrg('Acme', T0);
    store.close();
    const again = openStore(dir, key);
    expect(again.listOrgs()).toEqual([org]);
    again.close();
    withRawDb(dir, (db) => {
      expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({
        n: MIGRATIONS.length,
      });
    });
  });

  it('declares its migrations in ascending order from 1, each once, each with a name', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    for (const migration of MIGRATIONS) expect(migration.name).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('applies a known migration the file lacks even below its highest (parallel numbering)', () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'm.sqlite'));
    const table = (n: number) => ({
      version: n,
      name: `table-${String(n)}`,
      sql: `CREATE TABLE t${String(n)} (x TEXT);`,
    });
    try {
      expect(migrate(db, 'm.sqlite', T0, [table(1), table(2), table(5)])).toEqual([1, 2, 5]);
      expect(migrate(db, 'm.sqlite', T0, [1, 2, 3, 4, 5].map(table))).toEqual([3, 4]);
      expect(
        db
          .prepare('SELECT version FROM schema_migrations ORDER BY version')
          .all()
          .map((row) => row['version']),
      ).toEqual([1, 2, 3, 4, 5]);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer relay, and leaves it alone', () => {
    const { store, dir, key } = newStore();
    store.close();
    withRawDb(dir, (db) => {
      db.prepare("INSERT INTO schema_migrations VALUES (99, 'from-the-future', ?)").run(T0);
    });
    const error = errorOf(() => openStore(dir, key));
    expect(error.code).toBe('store-too-new');
    expect(error.message).toContain(
      `schema version 99; this relay knows up to ${String(SCHEMA_VERSION)}`,
    );
    expect(error.hint).toMatch(/newer Printo Relay/);
    withRawDb(dir, (db) => {
      expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({
        v: 99,
      });
    });
  });

  it('upgrades a version-1 file: its chat stays readable, in order, and takes new messages', () => {
    const { store, dir, key } = newStore();
    const session = seedSession(store, seedWorld(store), { endedAt: null });
    const chat = store.listChat(session.id);
    const receipts = store.listConsentReceipts(session.id);
    store.close();
    // The same content in a file at schema version 1: migration 1 only, rows copied across.
    const old = tempDir();
    const db = new DatabaseSync(join(old, STORE_FILE));
    try {
      migrate(db, STORE_FILE, T0, MIGRATIONS.slice(0, 1));
      db.prepare('ATTACH DATABASE ? AS current').run(join(dir, STORE_FILE));
      const sessionColumns =
        'id, org_id, device_id, description, state, agent_id, granted_scopes, created_at, ' +
        'ended_at, end_reason, legal_hold, transcript_deleted_at, erased_at';
      const agentColumns = 'id, email, name, role, password_hash, disabled, created_at';
      const receiptColumns = 'id, session_id, kind, actor, scopes, notice, at';
      db.exec(`
        INSERT INTO meta SELECT * FROM current.meta;
        INSERT INTO orgs SELECT * FROM current.orgs;
        INSERT INTO enrollment_keys SELECT * FROM current.enrollment_keys;
        INSERT INTO devices (id, org_id, name, secret_hash, created_at)
          SELECT id, org_id, name, secret_hash, created_at FROM current.devices;
        INSERT INTO agents SELECT ${agentColumns} FROM current.agents;
        INSERT INTO sessions (${sessionColumns}) SELECT ${sessionColumns} FROM current.sessions;
        INSERT INTO session_keys SELECT * FROM current.session_keys;
        INSERT INTO consent_receipts SELECT ${receiptColumns} FROM current.consent_receipts;
        INSERT INTO audit_log SELECT * FROM current.audit_log;
        INSERT INTO chat_messages (session_id, seq, message_id, sender_role, body, redacted, at)
          SELECT s.id, c.seq, c.message_id, c.sender_role, c.body, c.redacted, c.at
          FROM current.chat_messages c JOIN current.sessions s ON s.no = c.session_no;
      `);
      expect(db.prepare('SELECT COUNT(*) AS n FROM chat_messages').get()).toEqual({ n: 2 });
    } finally {
      db.close();
    }
    const upgraded = openStore(old, key);
    expect(upgraded.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(upgraded.listChat(session.id)).toEqual(chat);
    // Receipts written before migration 4 have no digest and no echo verdict: null, not invented.
    expect(upgraded.listConsentReceipts(session.id)).toEqual(
      receipts.map((r) => ({ ...r, noticeDigest: null, noticeEcho: null })),
    );
    const first = chat[0];
    if (first === undefined) throw new Error('no chat');
    upgraded.appendChat({ ...first, seq: 3, messageId: randomUUID(), text: 'after the upgrade' });
    expect(upgraded.listChat(session.id).map((m) => m.text)).toEqual([
      ...chat.map((m) => m.text),
      'after the upgrade',
    ]);
  });

  it('upgrades a version-2 file: its devices are active, authenticate and can be revoked', () => {
    const { store, dir, key } = newStore();
    const world = seedWorld(store);
    const session = seedSession(store, world, { endedAt: null });
    const chat = store.listChat(session.id);
    const device = store.findDeviceCredentials(world.deviceId);
    store.close();
    // The same content in a file at schema version 2: migrations 1 and 2, rows copied across.
    const old = tempDir();
    const db = new DatabaseSync(join(old, STORE_FILE));
    try {
      migrate(db, STORE_FILE, T0, MIGRATIONS.slice(0, 2));
      expect(
        db
          .prepare('PRAGMA table_info(devices)')
          .all()
          .map((c) => c['name']),
      ).not.toContain('revoked_at');
      db.prepare('ATTACH DATABASE ? AS current').run(join(dir, STORE_FILE));
      // The columns version 2 had (later migrations added more).
      const agentColumns = 'id, email, name, role, password_hash, disabled, created_at';
      const receiptColumns = 'id, session_id, kind, actor, scopes, notice, at';
      const sessionColumns =
        'id, org_id, device_id, description, state, agent_id, granted_scopes, created_at, ' +
        'ended_at, end_reason, legal_hold, transcript_deleted_at, erased_at, no';
      db.exec(`
        INSERT INTO meta SELECT * FROM current.meta;
        INSERT INTO orgs SELECT * FROM current.orgs;
        INSERT INTO enrollment_keys SELECT * FROM current.enrollment_keys;
        INSERT INTO devices (id, org_id, name, secret_hash, created_at)
          SELECT id, org_id, name, secret_hash, created_at FROM current.devices;
        INSERT INTO agents SELECT ${agentColumns} FROM current.agents;
        INSERT INTO sessions SELECT ${sessionColumns} FROM current.sessions;
        INSERT INTO session_keys SELECT * FROM current.session_keys;
        INSERT INTO consent_receipts SELECT ${receiptColumns} FROM current.consent_receipts;
        INSERT INTO audit_log SELECT * FROM current.audit_log;
        INSERT INTO chat_messages SELECT * FROM current.chat_messages;
      `);
    } finally {
      db.close();
    }
    const upgraded = openStore(old, key);
    expect(upgraded.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(upgraded.findDeviceCredentials(world.deviceId)).toEqual(device);
    expect(upgraded.listDevices()).toEqual([device?.device]);
    expect(upgraded.listChat(session.id)).toEqual(chat);
    expect(upgraded.revokeDevice(world.deviceId, at(T0, 1))).toBe(true);
    expect(upgraded.findDeviceCredentials(world.deviceId)?.device.revokedAt).toBe(at(T0, 1));
  });

  it('lists devices (all, or one organisation’s) and revokes one, keeping the first time', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    const other = store.createOrg('Globex', T0);
    const theirs = store.createDevice(
      { orgId: other.id, name: 'GX-1', secretHash: 'sh2' },
      at(T0, 0, 1),
    );
    expect(store.listDevices().map((d) => d.name)).toEqual(['WS-ACCOUNTS-07', 'GX-1']);
    expect(store.listDevices({ orgId: other.id })).toEqual([theirs]);
    expect(theirs).not.toHaveProperty('revokedAt');
    expect(store.revokeDevice(theirs.id, at(T0, 2))).toBe(true);
    expect(store.revokeDevice(theirs.id, at(T0, 3))).toBe(true);
    expect(store.listDevices({ orgId: other.id })).toEqual([{ ...theirs, revokedAt: at(T0, 2) }]);
    expect(store.findDeviceCredentials(world.deviceId)?.device).not.toHaveProperty('revokedAt');
    expect(store.revokeDevice(randomUUID(), T0)).toBe(false);
    expect(errorOf(() => store.revokeDevice(theirs.id, 'now')).code).toBe('store-invalid-input');
  });

  it('refuses a migration history it does not recognise', () => {
    const { store, dir, key } = newStore();
    store.close();
    withRawDb(dir, (db) => {
      db.prepare("UPDATE schema_migrations SET name = 'something-else' WHERE version = 1").run();
    });
    expect(errorOf(() => openStore(dir, key)).code).toBe('store-migration-mismatch');
  });

  it('applies a failing migration not at all', () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'm.sqlite'));
    try {
      migrate(db, 'm.sqlite', T0, MIGRATIONS);
      const broken = [
        ...MIGRATIONS,
        {
          version: SCHEMA_VERSION + 1,
          name: 'broken',
          sql: 'CREATE TABLE half (x TEXT); INSERT INTO no_such_table VALUES (1);',
        },
      ];
      let code = '';
      try {
        migrate(db, 'm.sqlite', T0, broken);
      } catch (error) {
        code = isPrintoError(error) ? error.code : 'other';
      }
      expect(code).toBe('store-migration-failed');
      expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'half'").get()).toBe(
        undefined,
      );
      expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({
        v: SCHEMA_VERSION,
      });
    } finally {
      db.close();
    }
  });

  it('refuses a wrong master key with both fingerprints, and changes nothing', () => {
    const { store, dir } = newStore();
    seedSession(store, seedWorld(store));
    store.close();
    const before = dump(dir);
    const error = errorOf(() => openStore(dir, randomBytes(32)));
    expect(error.code).toBe('store-wrong-master-key');
    expect(error.message).toMatch(
      /fingerprint [0-9a-f]{12}\) is not the one .* \(fingerprint [0-9a-f]{12}\)/,
    );
    expect(dump(dir)).toEqual(before);
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(errorOf(() => openStore(tempDir(), randomBytes(16))).code).toBe('master-key-invalid');
  });

  it('reports a file that is not a database with a stable code and leaves it untouched', () => {
    const dir = tempDir();
    const path = join(dir, STORE_FILE);
    const garbage = Buffer.concat([Buffer.from('not a database\n'), randomBytes(8192)]);
    writeFileSync(path, garbage);
    const error = errorOf(() => openStore(dir, randomBytes(32)));
    expect(error.code).toBe('store-corrupt');
    expect(error.message).toContain(path);
    expect(error.hint).toMatch(/backup/);
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('reports damaged pages with a stable code instead of crashing', () => {
    const { store, dir, key } = newStore();
    const world = seedWorld(store);
    for (let i = 0; i < 20; i += 1) seedSession(store, world, { label: `s${String(i)}` });
    store.close();
    const path = join(dir, STORE_FILE);
    const bytes = readFileSync(path);
    // Keep the header page, scramble every page after it.
    randomBytes(bytes.length - 4096).copy(bytes, 4096);
    writeFileSync(path, bytes);
    const error = errorOf(() => {
      const reopened = openStore(dir, key);
      reopened.listSessions();
    });
    expect(error.code).toBe('store-corrupt');
  });

  it('fails clearly when a second store opens the same file, and works once the first closes', () => {
    const { store, dir, key } = newStore();
    const org = store.createOrg('Acme', T0);
    const error = errorOf(() => openStore(dir, key, { busyTimeoutMs: 20 }));
    expect(error.code).toBe('store-locked');
    expect(error.hint).toMatch(/One process owns the data directory/);
    // The first store is unaffected.
    expect(store.listOrgs()).toEqual([org]);
    store.createOrg('Still writable', T0);
    store.close();
    expect(openStore(dir, key).listOrgs()).toHaveLength(2);
  });

  it('fails clearly when another process opens the same file', () => {
    const { store, dir, key } = newStore();
    store.createOrg('Acme', T0);
    const module = fileURLToPath(
      new URL('../../../../src-relay/store/sqlite-store.ts', import.meta.url),
    );
    const script = `
      const { SqliteStore } = await import(${JSON.stringify(module)});
      try {
        new SqliteStore({ dataDir: ${JSON.stringify(dir)}, masterKey: Buffer.from(${JSON.stringify(key.toString('hex'))}, 'hex'), busyTimeoutMs: 20 });
        console.log('opened');
      } catch (error) {
        console.log(error.code);
      }`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.stdout.trim()).toBe('store-locked');
    expect(store.listOrgs()).toHaveLength(1);
  });

  it('refuses to be used after close', () => {
    const { store } = newStore();
    store.close();
    store.close();
    expect(errorOf(() => store.listOrgs()).code).toBe('store-closed');
  });
});

describe('organisations, devices and agents', () => {
  it('creates and finds organisations by enrollment key hash', () => {
    const { store } = newStore();
    const org = store.createOrg('Acme', '2026-01-10T10:00:00+01:00');
    expect(org.createdAt).toBe(T0);
    expect(org.id).toMatch(/^[0-9a-f-]{36}$/);
    store.addEnrollmentKey(org.id, 'hash-1', T0);
    expect(store.findOrgByEnrollmentKeyHash('hash-1')).toEqual(org);
    expect(store.findOrgByEnrollmentKeyHash('hash-2')).toBeNull();
    expect(
      errorOf(() => {
        store.addEnrollmentKey(org.id, 'hash-1', T0);
      }).code,
    ).toBe('store-conflict');
    expect(
      errorOf(() => {
        store.addEnrollmentKey(randomUUID(), 'hash-3', T0);
      }).code,
    ).toBe('store-not-found');
    expect(store.listOrgs()).toEqual([org]);
  });

  it('creates devices and returns their secret hash for authentication', () => {
    const { store } = newStore();
    const org = store.createOrg('Acme', T0);
    const device = store.createDevice({ orgId: org.id, name: 'WS-1', secretHash: 's1' }, T0);
    expect(store.findDeviceCredentials(device.id)).toEqual({ device, secretHash: 's1' });
    expect(store.findDeviceCredentials(randomUUID())).toBeNull();
    expect(
      errorOf(() => store.createDevice({ orgId: randomUUID(), name: 'x', secretHash: 's' }, T0))
        .code,
    ).toBe('store-not-found');
  });

  it('creates agents, finds them by email in any case, lists and disables them', () => {
    const { store } = newStore();
    const alice = store.createAgent(
      { email: 'Alice@Example.com', name: 'Alice', role: 'admin', passwordHash: 'p1' },
      T0,
    );
    const bob = store.createAgent(
      { email: 'bob@example.com', name: 'Bob', role: 'agent', passwordHash: 'p2' },
      at(T0, 0, 1),
    );
    expect(store.findAgentCredentials('alice@example.com')).toEqual({
      agent: alice,
      passwordHash: 'p1',
    });
    expect(store.getAgent(bob.id)).toEqual(bob);
    expect(store.listAgents()).toEqual([alice, bob]);
    expect(store.setAgentDisabled(bob.id, true)).toBe(true);
    expect(store.getAgent(bob.id)?.disabled).toBe(true);
    expect(store.setAgentDisabled(randomUUID(), true)).toBe(false);
    const duplicate = errorOf(() =>
      store.createAgent(
        { email: 'ALICE@example.com', name: 'A2', role: 'agent', passwordHash: 'p' },
        T0,
      ),
    );
    expect(duplicate).toMatchObject({ code: 'store-conflict' });
    expect(duplicate.message).toContain('already exists');
  });

  it('never disables the last active administrator (last-admin), and changes nothing', () => {
    const { store } = newStore();
    const alice = store.createAgent(
      { email: 'alice@example.com', name: 'Alice', role: 'admin', passwordHash: 'p1' },
      T0,
    );
    const bob = store.createAgent(
      { email: 'bob@example.com', name: 'Bob', role: 'admin', passwordHash: 'p2' },
      T0,
    );
    const carol = store.createAgent(
      { email: 'carol@example.com', name: 'Carol', role: 'agent', passwordHash: 'p3' },
      T0,
    );
    expect(store.setAgentDisabled(bob.id, true)).toBe(true);
    const refused = errorOf(() => store.setAgentDisabled(alice.id, true));
    expect(refused.code).toBe('last-admin');
    expect(refused.message).toContain('alice@example.com is the last active administrator');
    expect(refused.hint).toContain('--role admin');
    expect(store.getAgent(alice.id)?.disabled).toBe(false);
    // Plain agents and enabling are not concerned; another active admin lets Alice go.
    expect(store.setAgentDisabled(carol.id, true)).toBe(true);
    expect(store.setAgentDisabled(alice.id, false)).toBe(true);
    expect(store.setAgentDisabled(bob.id, false)).toBe(true);
    expect(store.setAgentDisabled(alice.id, true)).toBe(true);
    expect(errorOf(() => store.setAgentDisabled(bob.id, true)).code).toBe('last-admin');
  });

  it('refuses bad input with store-invalid-input', () => {
    const { store } = newStore();
    expect(errorOf(() => store.createOrg('', T0)).code).toBe('store-invalid-input');
    expect(errorOf(() => store.createOrg('Acme', 'yesterday')).code).toBe('store-invalid-input');
    expect(
      errorOf(() =>
        store.createAgent(
          // @ts-expect-error: a role that does not exist
          { email: 'x@example.com', name: 'X', role: 'root', passwordHash: 'p' },
          T0,
        ),
      ).code,
    ).toBe('store-invalid-input');
  });
});

describe('sessions, chat and consent receipts', () => {
  it('creates, updates, reads and lists sessions', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    const id = randomUUID();
    const created = store.createSession(
      { id, orgId: world.orgId, deviceId: world.deviceId, description: 'Tray 2 jams' },
      T0,
    );
    expect(created).toEqual({
      id,
      orgId: world.orgId,
      deviceId: world.deviceId,
      description: 'Tray 2 jams',
      state: 'waiting',
      agentId: null,
      grantedScopes: [],
      createdAt: T0,
      endedAt: null,
      endReason: null,
      legalHold: false,
    });
    expect(store.getSession(id)).toEqual(created);
    const active = store.updateSession(id, {
      state: 'active',
      agentId: world.agentId,
      grantedScopes: ['chat', 'printers.read', 'chat'],
    });
    expect(active).toMatchObject({ state: 'active', agentId: world.agentId });
    expect(active.grantedScopes).toEqual(['chat', 'printers.read']);
    const ended = store.updateSession(id, {
      state: 'ended',
      endedAt: '2026-01-10T10:05:00+01:00',
      endReason: 'ended-by-agent',
    });
    expect(ended).toMatchObject({ state: 'ended', endedAt: '2026-01-10T09:05:00.000Z' });
    expect(store.updateSession(id, {})).toEqual(ended);

    const other = seedSession(store, world, { endedAt: null });
    // Same creation time: then by id.
    expect(store.listSessions().map((s) => s.id)).toEqual([id, other.id].sort());
    expect(store.listSessions({ state: 'active' }).map((s) => s.id)).toEqual([other.id]);
    expect(store.listSessions({ orgId: randomUUID() })).toEqual([]);
    expect(store.listSessions({ state: 'ended', orgId: world.orgId })).toEqual([ended]);
  });

  it('refuses unknown sessions, devices, agents, scopes and a device of another org', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    const otherOrg = store.createOrg('Other', T0);
    const base = {
      id: randomUUID(),
      orgId: world.orgId,
      deviceId: world.deviceId,
      description: '',
    };
    expect(errorOf(() => store.updateSession(randomUUID(), { state: 'ended' })).code).toBe(
      'store-not-found',
    );
    expect(errorOf(() => store.createSession({ ...base, deviceId: randomUUID() }, T0)).code).toBe(
      'store-not-found',
    );
    expect(errorOf(() => store.createSession({ ...base, orgId: otherOrg.id }, T0)).code).toBe(
      'store-invalid-input',
    );
    store.createSession(base, T0);
    expect(errorOf(() => store.createSession(base, T0)).code).toBe('store-conflict');
    expect(errorOf(() => store.updateSession(base.id, { agentId: randomUUID() })).code).toBe(
      'store-not-found',
    );
    expect(
      errorOf(() =>
        // @ts-expect-error: not a scope
        store.updateSession(base.id, { grantedScopes: ['everything'] }),
      ).code,
    ).toBe('store-invalid-input');
    expect(errorOf(() => store.updateSession(base.id, { endedAt: 'soon' })).code).toBe(
      'store-invalid-input',
    );
    expect(store.getSession(randomUUID())).toBeNull();
  });

  it('stores a batch of chat all at once, or none of it', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    const a = seedSession(store, world, { endedAt: null });
    const b = seedSession(store, world, { endedAt: null });
    const message = (sessionId: string, seq: number, text: string) => ({
      sessionId,
      messageId: randomUUID(),
      seq,
      from: 'agent' as const,
      senderName: 'Sam',
      text,
      redacted: false,
      at: T0,
    });
    store.appendChats([
      message(a.id, 3, 'one'),
      message(b.id, 3, 'two'),
      message(a.id, 4, 'three'),
    ]);
    expect(
      store
        .listChat(a.id)
        .slice(2)
        .map((m) => m.text),
    ).toEqual(['one', 'three']);
    expect(
      store
        .listChat(b.id)
        .slice(2)
        .map((m) => m.text),
    ).toEqual(['two']);
    // A conflict anywhere in the batch: nothing of it is written.
    expect(
      errorOf(() => {
        store.appendChats([message(a.id, 5, 'would be fine'), message(b.id, 3, 'duplicate seq')]);
      }).code,
    ).toBe('store-conflict');
    expect(store.listChat(a.id)).toHaveLength(4);
    // Card numbers are masked by the store too, whatever the caller did.
    store.appendChats([message(b.id, 4, 'card 4111 1111 1111 1111')]);
    expect(store.listChat(b.id).at(-1)).toMatchObject({
      text: 'card 411111******1111',
      redacted: true,
    });
  });

  it('keeps chat in relay order and refuses duplicates', () => {
    const { store } = newStore();
    const session = seedSession(store, seedWorld(store), { endedAt: null });
    const chat = store.listChat(session.id);
    expect(chat.map((m) => [m.seq, m.from, m.text])).toEqual([
      [1, 'client', 'session: the tray 2 jams'],
      [2, 'agent', 'session: open the rear door'],
    ]);
    const first = chat[0];
    if (first === undefined) throw new Error('no chat');
    expect(
      errorOf(() => {
        store.appendChat({ ...first, messageId: randomUUID() });
      }).code,
    ).toBe('store-conflict');
    expect(
      errorOf(() => {
        store.appendChat({ ...first, seq: 0 });
      }).code,
    ).toBe('store-invalid-input');
    expect(
      errorOf(() => {
        store.appendChat({ ...first, sessionId: randomUUID(), seq: 9 });
      }).code,
    ).toBe('store-not-found');
    expect(store.listChat(session.id)).toHaveLength(2);
    expect(store.listChat(randomUUID())).toEqual([]);
  });

  it('masks card numbers even when the caller did not', () => {
    const { store, dir } = newStore();
    const world = seedWorld(store);
    const session = seedSession(store, world, { endedAt: null });
    store.appendChat({
      sessionId: session.id,
      messageId: randomUUID(),
      seq: 3,
      from: 'client',
      senderName: 'WS-ACCOUNTS-07',
      text: 'pay with 4111 1111 1111 1111',
      redacted: false,
      at: T0,
    });
    const receipt = store.addConsentReceipt({
      sessionId: session.id,
      kind: 'revoke',
      actor: `client:${world.deviceId}`,
      scopes: ['chat'],
      notice: 'card 5555555555554444',
      noticeDigest: null,
      noticeEcho: null,
      at: T0,
    });
    expect(receipt.notice).toBe('card 555555******4444');
    expect(store.listChat(session.id)[2]).toMatchObject({
      text: 'pay with 411111******1111',
      redacted: true,
    });
    store.close();
    expect(diskBytes(dir).includes('4111111111111111')).toBe(false);
  });

  it('records consent receipts with their scopes and notice', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    const session = seedSession(store, world, { endedAt: null });
    const revoke = store.addConsentReceipt({
      sessionId: session.id,
      kind: 'revoke',
      actor: `client:${world.deviceId}`,
      scopes: ['chat'],
      notice: '',
      noticeDigest: null,
      noticeEcho: null,
      at: at(T0, 0, 5000),
    });
    const receipts = store.listConsentReceipts(session.id);
    expect(receipts.map((r) => [r.kind, r.scopes, r.notice])).toEqual([
      ['grant', ['chat'], 'session: Alice Agent will see your chat; kept 90 days.'],
      ['revoke', ['chat'], ''],
    ]);
    expect(receipts[1]).toEqual(revoke);
    expect(
      errorOf(() => store.addConsentReceipt({ ...revoke, sessionId: randomUUID() })).code,
    ).toBe('store-not-found');
    expect(
      errorOf(() =>
        // @ts-expect-error: not a kind
        store.addConsentReceipt({ ...revoke, kind: 'maybe' }),
      ).code,
    ).toBe('store-invalid-input');
  });

  it('encrypts chat, descriptions and notices at rest', () => {
    const { store, dir } = newStore();
    seedSession(store, seedWorld(store), { label: 'Zanzibar-7781' });
    expect(store.listChat(store.listSessions()[0]?.id ?? '')[0]?.text).toContain('Zanzibar-7781');
    store.close();
    const bytes = diskBytes(dir);
    expect(bytes.includes('Zanzibar-7781')).toBe(false);
    expect(bytes.includes('rear door')).toBe(false);
    expect(bytes.includes('kept 90 days')).toBe(false);
    // Identities are not secret content: the device name is stored as it is.
    expect(bytes.includes('WS-ACCOUNTS-07')).toBe(true);
  });

  it('validates stored scopes on read', () => {
    const { store, dir, key } = newStore();
    const session = seedSession(store, seedWorld(store));
    store.close();
    withRawDb(dir, (db) => {
      db.prepare(`UPDATE sessions SET granted_scopes = '["root"]' WHERE id = ?`).run(session.id);
    });
    const reopened = openStore(dir, key);
    expect(errorOf(() => reopened.getSession(session.id)).code).toBe('store-invalid-data');
  });

  it('detects a ciphertext moved to another row', () => {
    const { store, dir, key } = newStore();
    const session = seedSession(store, seedWorld(store));
    store.close();
    withRawDb(dir, (db) => {
      db.prepare(
        'UPDATE chat_messages SET body = (SELECT body FROM chat_messages WHERE seq = 2) WHERE seq = 1',
      ).run();
    });
    const reopened = openStore(dir, key);
    expect(errorOf(() => reopened.listChat(session.id)).code).toBe('store-decrypt-failed');
  });

  it('keeps working across a restart with the same master key', () => {
    const { store, dir, key } = newStore();
    const session = seedSession(store, seedWorld(store));
    const chat = store.listChat(session.id);
    store.close();
    const reopened = openStore(dir, key);
    expect(reopened.getSession(session.id)).toEqual(session);
    expect(reopened.listChat(session.id)).toEqual(chat);
  });
});

// The adapter satisfies the port (checked by tsc).
export const satisfiesPort = (store: SqliteStore): Store => store;

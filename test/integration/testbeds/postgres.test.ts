/**
 * The PostgreSQL test bed (test/testbed/postgres.ts): a private server that later store tests
 * stand on. A real round trip with the pg client, loopback only, an unprivileged server, a crash
 * and a restart, and a clean stop.
 */
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConnect, listeningAddresses } from '../../testbed/net.ts';
import { findPostgresBinDir, PostgresBed } from '../../testbed/postgres.ts';
import { isProcessAlive } from '../../testbed/proc.ts';

/** The real user id of a process, from /proc. */
function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}

describe('PostgreSQL test bed', () => {
  let bed: PostgresBed;

  beforeAll(async () => {
    bed = await PostgresBed.start({ name: 'pg-smoke' });
  });

  afterAll(async () => {
    await bed.stop();
  });

  it('serves a database of its own: a transaction commits, another rolls back', async () => {
    const url = await bed.createDatabase('smoke');
    expect(url).toBe(`postgres://printo@127.0.0.1:${bed.port}/smoke`);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
        const inserted = await client.query<{ id: number }>(
          'INSERT INTO notes (body) VALUES ($1), ($2) RETURNING id',
          ['first', 'second'],
        );
        expect(inserted.rows.map((row) => row.id)).toEqual([1, 2]);
        await client.query('COMMIT');

        await client.query('BEGIN');
        await client.query("INSERT INTO notes (body) VALUES ('never')");
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      const { rows } = await pool.query<{ body: string }>('SELECT body FROM notes ORDER BY id');
      expect(rows.map((row) => row.body)).toEqual(['first', 'second']);
      const encoding = await pool.query<{ server_encoding: string }>('SHOW server_encoding');
      expect(encoding.rows[0]?.server_encoding).toBe('UTF8');
    } finally {
      await pool.end();
    }
  });

  it('listens on 127.0.0.1 only (and on a Unix socket in its directory), as an unprivileged user', async () => {
    expect(listeningAddresses(bed.port)).toEqual(['127.0.0.1']);
    expect(bed.port).not.toBe(5432);
    const socketDir = bed.socketDir;
    expect(socketDir?.startsWith(bed.dir)).toBe(true);
    const client = new pg.Client({
      host: socketDir,
      port: bed.port,
      user: 'printo',
      database: 'postgres',
    });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number; listen: string }>(
        "SELECT pg_backend_pid() AS pid, current_setting('listen_addresses') AS listen",
      );
      expect(rows[0]?.listen).toBe('127.0.0.1');
      // initdb and postgres refuse root: as root, the bed runs them as printo-test.
      expect(uidOf(rows[0]?.pid ?? 0)).not.toBe(0);
    } finally {
      await client.end();
    }
  });

  it('comes back on the same port after a SIGKILL, with what was committed', async () => {
    const url = await bed.createDatabase('crash');
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    // A pool reports its idle clients' errors here; a dead server is expected.
    pool.on('error', () => undefined);
    try {
      await pool.query('CREATE TABLE t (n int)');
      await pool.query('INSERT INTO t VALUES (42)');
      const port = bed.port;
      await bed.kill();
      expect(bed.running).toBe(false);
      expect(await canConnect({ port })).toBe(false);
      await expect(pool.query('SELECT 1')).rejects.toThrow();
      await bed.restart();
      expect(bed.port).toBe(port);
      const { rows } = await pool.query<{ n: number }>('SELECT n FROM t');
      expect(rows).toEqual([{ n: 42 }]);
    } finally {
      await pool.end();
    }
  });

  it('with a password, refuses clients without it; stop() ends it and removes its directory', async () => {
    const locked = await PostgresBed.start({
      name: 'pg-password',
      password: 'p@ss word',
      fsync: false,
    });
    const { dir, port } = locked;
    const client = new pg.Client({ connectionString: locked.url });
    client.on('error', () => undefined);
    try {
      expect(locked.url).toBe(`postgres://printo:p%40ss%20word@127.0.0.1:${port}/postgres`);
      await client.connect();
      const { rows } = await client.query<{ fsync: string }>('SHOW fsync');
      expect(rows[0]?.fsync).toBe('off');
      const bad = new pg.Client({
        connectionString: `postgres://printo:wrong@127.0.0.1:${port}/postgres`,
      });
      await expect(bad.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      const pid = Number(readFileSync(`${locked.dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
      // The client's open session must not hold up the stop.
      await locked.stop();
      expect(existsSync(dir)).toBe(false);
      expect(isProcessAlive(pid)).toBe(false);
      expect(await canConnect({ port })).toBe(false);
      await locked.stop(); // Idempotent.
      await client.end().catch(() => undefined);
    }
  });

  it('names the Debian package when the binaries are missing', () => {
    const saved = process.env['PRINTO_PG_BINDIR'];
    process.env['PRINTO_PG_BINDIR'] = '/nonexistent';
    try {
      expect(() => findPostgresBinDir()).toThrow(/Debian package postgresql/);
    } finally {
      if (saved === undefined) delete process.env['PRINTO_PG_BINDIR'];
      else process.env['PRINTO_PG_BINDIR'] = saved;
    }
  });
});

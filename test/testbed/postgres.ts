/**
 * A private PostgreSQL server for tests: `initdb` into a fresh temporary directory, `postgres`
 * listening on 127.0.0.1 only, on a free port, and on a Unix socket inside that directory. Each
 * test file starts its own; nothing touches the machine's own clusters (Debian's
 * `postgresql@15-main` may or may not be running on 5432: it is never used).
 *
 *   const pg = await PostgresBed.start();
 *   const url = await pg.createDatabase('store_test'); // postgres://printo@127.0.0.1:PORT/store_test
 *   // ... run the code under test against url ...
 *   await pg.stop();
 *
 * initdb and postgres refuse to run as root. As root (here and in CI) the server runs as the
 * system user `printo-test` (test-user.ts creates it), through setpriv; as an ordinary user it
 * runs as that user. The binaries come from Debian's `postgresql` package, found in
 * /usr/lib/postgresql/<newest version>/bin (or PRINTO_PG_BINDIR, or PATH).
 */
import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createBedDir } from './bed-dir.ts';
import { canConnect, freePort } from './net.ts';
import { asUser, killOnExit, runChecked, spawnDaemon, waitFor, waitGroupGone } from './proc.ts';
import type { Daemon, UnixUser } from './proc.ts';
import { TEST_USER, isRoot, unprivilegedUser } from './test-user.ts';

const INSTALL = 'apt-get install -y postgresql';
const DEBIAN_ROOT = '/usr/lib/postgresql';
/** The superuser initdb creates; the bed's URLs connect as it. */
export const PG_USER = 'printo';
/** sun_path is 108 bytes: the socket directory plus `/.s.PGSQL.NNNNN` must fit. */
const MAX_SOCKET_PATH = 107;

export interface PostgresBedOptions {
  /** Short label for the directory name (`printo-testbed-<name>-XXXXXX`). */
  readonly name?: string;
  /** Parent of the bed's directory; default os.tmpdir(). */
  readonly baseDir?: string;
  /**
   * fsync, as in postgresql.conf (default true: commits really reach the disk, which durability
   * tests rely on). false also turns off synchronous_commit and full_page_writes: faster, and
   * fine for tests that throw the data away.
   */
  readonly fsync?: boolean;
  /** Require this password over TCP (SCRAM); default none (trust, loopback only). */
  readonly password?: string;
  /** max_connections; default 40. */
  readonly maxConnections?: number;
  /** More postgresql.conf settings, passed as `-c name=value`. */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /** Keep the directory after stop() to read its logs; also PRINTO_TESTBED_KEEP=1. */
  readonly keepDir?: boolean;
  /** Deadline for the server to come up; default 30 s. */
  readonly startTimeoutMs?: number;
}

/** Where initdb and postgres are: PRINTO_PG_BINDIR, Debian's newest version, or PATH. */
export function findPostgresBinDir(): string {
  const has = (dir: string): boolean =>
    existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  const override = process.env['PRINTO_PG_BINDIR'];
  if (override !== undefined && override !== '') {
    if (!has(override)) {
      throw new Error(
        `PRINTO_PG_BINDIR=${override} holds no initdb and postgres (Debian package postgresql: ` +
          `\`${INSTALL}\` puts them in ${DEBIAN_ROOT}/<version>/bin).`,
      );
    }
    return override;
  }
  let versions: string[] = [];
  try {
    versions = readdirSync(DEBIAN_ROOT).filter((entry) => /^\d+(\.\d+)?$/.test(entry));
  } catch {
    // Not Debian's layout (or not installed): try PATH.
  }
  versions.sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = join(DEBIAN_ROOT, version, 'bin');
    if (has(dir)) return dir;
  }
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && has(dir)) return dir;
  }
  throw new Error(
    `The PostgreSQL tests need initdb and postgres (Debian package postgresql; found neither in ` +
      `${DEBIAN_ROOT}/<version>/bin nor on PATH). Install them: \`${INSTALL}\` ` +
      `(README, "Prerequisites").`,
  );
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) {
    throw new Error(`Not a database name for the test bed: ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

function setting(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

export class PostgresBed {
  readonly dir: string;
  readonly binDir: string;
  readonly dataDir: string;
  /** The Unix socket's directory, or undefined when the bed's path is too long for one. */
  readonly socketDir: string | undefined;
  readonly #user: UnixUser | undefined;
  readonly #options: PostgresBedOptions;
  readonly #keep: boolean;
  #port = 0;
  #daemon: Daemon | undefined;
  #forget: (() => void) | undefined;
  #databases = 0;
  #stopped = false;

  private constructor(
    dir: string,
    binDir: string,
    user: UnixUser | undefined,
    options: PostgresBedOptions,
  ) {
    this.dir = dir;
    this.binDir = binDir;
    this.dataDir = join(dir, 'data');
    const socketDir = join(dir, 'run');
    this.socketDir =
      `${socketDir}/.s.PGSQL.65535`.length <= MAX_SOCKET_PATH ? socketDir : undefined;
    this.#user = user;
    this.#options = options;
    this.#keep = options.keepDir ?? process.env['PRINTO_TESTBED_KEEP'] === '1';
  }

  static async start(options: PostgresBedOptions = {}): Promise<PostgresBed> {
    const binDir = findPostgresBinDir();
    const user = await unprivilegedUser();
    const keep = options.keepDir ?? process.env['PRINTO_TESTBED_KEEP'] === '1';
    const dir = createBedDir({
      baseDir: options.baseDir ?? process.env['TMPDIR'] ?? tmpdir(),
      name: options.name ?? 'postgres',
      keep,
      isRoot: isRoot(),
      runAs: TEST_USER,
    });
    const bed = new PostgresBed(dir, binDir, user, options);
    try {
      await bed.#init();
      await bed.#bringUp();
    } catch (error) {
      await bed.stop();
      throw error;
    }
    return bed;
  }

  get port(): number {
    return this.#port;
  }

  /** `postgres://printo@127.0.0.1:PORT/postgres`: the maintenance database. */
  get url(): string {
    return this.urlFor('postgres');
  }

  /** PG* variables for psql, pg_dump and the pg client's defaults. */
  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PGHOST: '127.0.0.1',
      PGPORT: String(this.#port),
      PGUSER: PG_USER,
      PGDATABASE: 'postgres',
    };
    if (this.#options.password !== undefined) env['PGPASSWORD'] = this.#options.password;
    return env;
  }

  /** The URL of database `name` on this server (which may not exist). */
  urlFor(name: string): string {
    const auth =
      this.#options.password === undefined
        ? PG_USER
        : `${PG_USER}:${encodeURIComponent(this.#options.password)}`;
    return `postgres://${auth}@127.0.0.1:${this.#port}/${encodeURIComponent(name)}`;
  }

  /** Creates an empty database (default name `test_<n>`) and returns its URL. */
  async createDatabase(name = `test_${++this.#databases}`): Promise<string> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } finally {
      await client.end();
    }
    return this.urlFor(name);
  }

  /** True while the server process runs. */
  get running(): boolean {
    return this.#daemon !== undefined && this.#daemon.exitStatus() === undefined;
  }

  /** The last lines of the server's log. */
  logTail(lines = 30): string {
    return this.#daemon?.tail(lines) ?? '';
  }

  /**
   * SIGKILL to the server and all its processes at once (a crashed machine, as far as clients
   * can tell); restart() brings it back on the same port, recovering from its WAL.
   */
  async kill(): Promise<void> {
    const daemon = this.#daemon;
    if (daemon === undefined) return;
    daemon.killNow();
    await daemon.exited;
    await waitGroupGone(daemon.pid);
    this.#forget?.();
  }

  /** Stops the server (fast shutdown) and keeps its data; restart() starts it again. */
  async stopServer(): Promise<void> {
    const daemon = this.#daemon;
    if (daemon === undefined) return;
    if (daemon.exitStatus() === undefined) {
      try {
        // SIGINT: fast shutdown (clients disconnected, a checkpoint, exit). SIGTERM to the group,
        // as Daemon.stop sends, would be the "smart" mode that waits for clients to leave.
        process.kill(daemon.pid, 'SIGINT');
      } catch {
        // Gone meanwhile.
      }
      const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, 10_000, 'timeout'));
      await Promise.race([daemon.exited, timer]);
    }
    // Whatever did not go (a time-out): SIGKILL, and the postmaster's children.
    await daemon.stop(100);
    this.#forget?.();
  }

  /** Starts the server again on the same port and data directory, after kill() or stopServer(). */
  async restart(): Promise<void> {
    if (this.#stopped) throw new Error('This PostgreSQL bed was stopped.');
    if (this.running) await this.stopServer();
    await this.#startServer(this.#port);
  }

  /** Stops the server and removes the directory (unless kept); safe to call more than once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.stopServer();
    this.#daemon = undefined;
    if (!this.#keep) await rm(this.dir, { recursive: true, force: true });
  }

  /** Makes a directory the server's user owns. */
  #privateDir(path: string): void {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    if (this.#user !== undefined) chownSync(path, this.#user.uid, this.#user.gid);
  }

  async #init(): Promise<void> {
    this.#privateDir(this.dataDir);
    this.#privateDir(join(this.dir, 'run'));
    mkdirSync(join(this.dir, 'out'), { recursive: true, mode: 0o700 });
    const args = [
      '--pgdata',
      this.dataDir,
      '--username',
      PG_USER,
      '--encoding',
      'UTF8',
      '--no-locale',
      // The bed is thrown away: no need to wait for initdb's files to reach the disk.
      '--no-sync',
      '--no-instructions',
      '--auth-local',
      'trust',
    ];
    const password = this.#options.password;
    if (password === undefined) {
      args.push('--auth-host', 'trust');
    } else {
      const pwfile = join(this.dir, 'run', 'pwfile');
      writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
      if (this.#user !== undefined) chownSync(pwfile, this.#user.uid, this.#user.gid);
      args.push('--auth-host', 'scram-sha-256', '--pwfile', pwfile);
    }
    const [file, argv] = asUser(this.#user, join(this.binDir, 'initdb'), args);
    await runChecked(file, argv, { env: this.#serverEnv(), timeoutMs: 60_000 });
  }

  #serverEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: this.dir,
      LC_ALL: 'C',
      LANG: 'C',
      TZ: 'UTC',
    };
  }

  /** Starts on a free port; another process may take that port first, so retries on bind errors. */
  async #bringUp(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#startServer(await freePort());
        return;
      } catch (error) {
        const bindFailed = /could not bind|could not create any TCP\/IP sockets/i.test(
          this.logTail(),
        );
        if (!bindFailed || attempt >= 5) throw error;
      }
    }
  }

  async #startServer(port: number): Promise<void> {
    const fsync = this.#options.fsync ?? true;
    const settings: Record<string, string | number | boolean> = {
      listen_addresses: '127.0.0.1',
      port,
      unix_socket_directories: this.socketDir ?? '',
      max_connections: this.#options.maxConnections ?? 40,
      shared_buffers: '16MB',
      // In the data directory rather than /dev/shm: nothing outlives the bed after a SIGKILL.
      dynamic_shared_memory_type: 'mmap',
      // No replication: the smallest WAL, and no WAL senders to wait for at shutdown.
      wal_level: 'minimal',
      max_wal_senders: 0,
      fsync,
      ...(fsync ? {} : { synchronous_commit: false, full_page_writes: false }),
      logging_collector: false,
      log_destination: 'stderr',
      log_line_prefix: '%m [%p] ',
      ...this.#options.settings,
    };
    const args = ['-D', this.dataDir];
    for (const [name, value] of Object.entries(settings))
      args.push('-c', `${name}=${setting(value)}`);
    this.#port = port;
    const daemon = spawnDaemon('postgres', join(this.binDir, 'postgres'), args, {
      env: this.#serverEnv(),
      logFile: join(this.dir, 'out', 'postgres.log'),
      cwd: this.dir,
      ...(this.#user === undefined ? {} : { user: this.#user }),
      // Should the test process die, a fast shutdown: clients are cut off rather than waited for.
      deathSignal: 'INT',
    });
    this.#daemon = daemon;
    const forget = killOnExit(daemon);
    this.#forget = forget;
    const pidFile = join(this.dataDir, 'postmaster.pid');
    try {
      await waitFor(
        async () => {
          // postmaster.pid's 8th line is the server's status: starting, ready or stopping.
          let lines: string[];
          try {
            lines = readFileSync(pidFile, 'utf8').split('\n');
          } catch {
            return undefined;
          }
          if (Number(lines[0]) !== daemon.pid || lines[7]?.trim() !== 'ready') return undefined;
          return (await canConnect({ port })) ? true : undefined;
        },
        {
          what: `PostgreSQL on 127.0.0.1:${port}`,
          timeoutMs: this.#options.startTimeoutMs ?? 30_000,
          abortIf: () =>
            daemon.exitStatus() === undefined ? undefined : `postgres exited:\n${daemon.tail()}`,
          diagnostics: () => daemon.tail(),
        },
      );
    } catch (error) {
      // Not up: make sure it is gone, and leave nothing for the exit hook to signal later.
      await daemon.stop(100);
      forget();
      throw error;
    }
  }
}

export function startPostgresBed(options: PostgresBedOptions = {}): Promise<PostgresBed> {
  return PostgresBed.start(options);
}

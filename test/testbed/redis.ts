/**
 * A private Redis for tests: Debian's `redis-server` on 127.0.0.1 only, on a free port, with its
 * working directory in a fresh temporary directory and no persistence unless asked. Each test
 * file starts its own; the machine's own redis-server (port 6379, if it runs) is never used.
 *
 *   const redis = await RedisBed.start();
 *   // ... run the code under test against redis.url (redis://127.0.0.1:PORT) ...
 *   await redis.kill();     // SIGKILL: a node of the cluster's Redis dies
 *   await redis.restart();  // back on the same port; clients reconnect
 *   await redis.stop();
 */
import { existsSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBedDir } from './bed-dir.ts';
import { freePort } from './net.ts';
import { killOnExit, spawnDaemon, waitFor, waitGroupGone } from './proc.ts';
import type { Daemon } from './proc.ts';

const INSTALL = 'apt-get install -y redis-server';

export interface RedisBedOptions {
  /** Short label for the directory name (`printo-testbed-<name>-XXXXXX`). */
  readonly name?: string;
  /** Parent of the bed's directory; default os.tmpdir(). */
  readonly baseDir?: string;
  /** Require this password (`requirepass`, the default user's AUTH); default none. */
  readonly password?: string;
  /**
   * Keep the data across kill() and restart(): an append-only file fsynced on every write
   * (`appendonly yes`, `appendfsync always`). Default false: `save ''`, `appendonly no`, so a
   * restarted server starts empty, as a cluster's Redis that lost its memory would.
   */
  readonly persist?: boolean;
  /** More redis.conf settings, passed as `--name value`. */
  readonly settings?: Readonly<Record<string, string | number>>;
  /** Keep the directory after stop() to read its log; also PRINTO_TESTBED_KEEP=1. */
  readonly keepDir?: boolean;
  /** Deadline for the server to come up; default 15 s. */
  readonly startTimeoutMs?: number;
}

/** The redis-server binary on PATH (Debian: /usr/bin/redis-server). */
export function findRedisServer(): string {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  }
  throw new Error(
    `The Redis tests need redis-server (Debian package redis-server), which is not on PATH. ` +
      `Install it: \`${INSTALL}\` (README, "Prerequisites").`,
  );
}

function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/**
 * Whether Redis on the port answers PING (after AUTH, with a password) with PONG; a server still
 * loading its data answers -LOADING and counts as not ready.
 */
export function redisAnswers(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ready: boolean): void => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(2_000, () => {
      done(false);
    });
    socket.once('error', () => {
      done(false);
    });
    socket.once('connect', () => {
      socket.write((password === undefined ? '' : command('AUTH', password)) + command('PING'));
    });
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('+PONG\r\n')) done(true);
      else if (reply.startsWith('-') || reply.includes('\r\n-')) done(false);
    });
    socket.once('end', () => {
      done(false);
    });
  });
}

export class RedisBed {
  readonly dir: string;
  readonly binary: string;
  readonly #options: RedisBedOptions;
  readonly #keep: boolean;
  #port = 0;
  #daemon: Daemon | undefined;
  #forget: (() => void) | undefined;
  #stopped = false;

  private constructor(dir: string, binary: string, options: RedisBedOptions) {
    this.dir = dir;
    this.binary = binary;
    this.#options = options;
    this.#keep = options.keepDir ?? process.env['PRINTO_TESTBED_KEEP'] === '1';
  }

  static async start(options: RedisBedOptions = {}): Promise<RedisBed> {
    const binary = findRedisServer();
    const keep = options.keepDir ?? process.env['PRINTO_TESTBED_KEEP'] === '1';
    const dir = createBedDir({
      baseDir: options.baseDir ?? process.env['TMPDIR'] ?? tmpdir(),
      name: options.name ?? 'redis',
      keep,
      // Redis runs as whoever runs the tests (it does not refuse root): the directory stays 0700.
      isRoot: false,
    });
    const bed = new RedisBed(dir, binary, options);
    try {
      mkdirSync(join(dir, 'data'), { mode: 0o700 });
      mkdirSync(join(dir, 'out'), { mode: 0o700 });
      for (let attempt = 1; ; attempt++) {
        try {
          await bed.#startServer(await freePort());
          break;
        } catch (error) {
          // Another process took the port between freePort() and the bind: try another.
          if (!/Address already in use/i.test(bed.logTail()) || attempt >= 5) throw error;
        }
      }
    } catch (error) {
      await bed.stop();
      throw error;
    }
    return bed;
  }

  get port(): number {
    return this.#port;
  }

  /** `redis://127.0.0.1:PORT`, or `redis://:PASSWORD@127.0.0.1:PORT` with a password. */
  get url(): string {
    const password = this.#options.password;
    const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
    return `redis://${auth}127.0.0.1:${this.#port}`;
  }

  /** True while the server process runs. */
  get running(): boolean {
    return this.#daemon !== undefined && this.#daemon.exitStatus() === undefined;
  }

  /** The PID of the running server (to check it changed across restart()). */
  get pid(): number | undefined {
    return this.running ? this.#daemon?.pid : undefined;
  }

  /** The last lines of the server's log. */
  logTail(lines = 30): string {
    return this.#daemon?.tail(lines) ?? '';
  }

  /** SIGKILL, at once: no shutdown, no save; clients see their connections drop. */
  async kill(): Promise<void> {
    const daemon = this.#daemon;
    if (daemon === undefined) return;
    daemon.killNow();
    await daemon.exited;
    await waitGroupGone(daemon.pid);
    this.#forget?.();
  }

  /** Starts the server again on the same port, after kill() (or stopping a running one first). */
  async restart(): Promise<void> {
    if (this.#stopped) throw new Error('This Redis bed was stopped.');
    if (this.running) await this.#stopServer();
    await this.#startServer(this.#port);
  }

  /** Stops the server and removes the directory (unless kept); safe to call more than once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#stopServer();
    this.#daemon = undefined;
    if (!this.#keep) await rm(this.dir, { recursive: true, force: true });
  }

  async #stopServer(): Promise<void> {
    const daemon = this.#daemon;
    if (daemon === undefined) return;
    // SIGTERM: redis-server closes its clients and exits (with no save points, without saving).
    await daemon.stop(2_000);
    this.#forget?.();
  }

  async #startServer(port: number): Promise<void> {
    const persist = this.#options.persist ?? false;
    const settings: Record<string, string | number> = {
      bind: '127.0.0.1',
      port,
      'protected-mode': 'yes',
      dir: join(this.dir, 'data'),
      daemonize: 'no',
      // Log to stdout, which spawnDaemon sends to out/redis.log.
      logfile: '',
      save: '',
      appendonly: persist ? 'yes' : 'no',
      ...(persist ? { appendfsync: 'always' } : {}),
      ...(this.#options.password === undefined ? {} : { requirepass: this.#options.password }),
      ...this.#options.settings,
    };
    const args: string[] = [];
    for (const [name, value] of Object.entries(settings)) args.push(`--${name}`, String(value));
    this.#port = port;
    const daemon = spawnDaemon('redis-server', this.binary, args, {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' },
      logFile: join(this.dir, 'out', 'redis.log'),
      cwd: this.dir,
    });
    this.#daemon = daemon;
    const forget = killOnExit(daemon);
    this.#forget = forget;
    try {
      await waitFor(
        async () => ((await redisAnswers(port, this.#options.password)) ? true : undefined),
        {
          what: `redis-server on 127.0.0.1:${port}`,
          timeoutMs: this.#options.startTimeoutMs ?? 15_000,
          abortIf: () =>
            daemon.exitStatus() === undefined
              ? undefined
              : `redis-server exited:\n${daemon.tail()}`,
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

export function startRedisBed(options: RedisBedOptions = {}): Promise<RedisBed> {
  return RedisBed.start(options);
}

/**
 * A real Secret Service for tests: a private D-Bus session bus and gnome-keyring on it, in a
 * temporary directory with its own HOME and XDG directories, stopped by PID. Nothing touches the
 * machine's own bus or keyrings.
 *
 * Why the keyring is used from child processes (`run`): @napi-rs/keyring links its own libdbus,
 * which reads DBUS_SESSION_BUS_ADDRESS once per process, at the first use, and keeps it. A test
 * process can therefore meet one bus at most; each situation (working, no bus, no daemon, locked)
 * gets a fresh `node test/testbed/keyring-client.ts` with the bed's environment.
 *
 * The bus has a configuration of our own, without service directories: the standard session
 * configuration would let D-Bus start the system's gnome-keyring by itself (activation), so a bed
 * "without a daemon" would grow one.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBedDir } from './bed-dir.ts';
import { canConnect } from './net.ts';
import { runChecked, runTool, spawnDaemon, waitFor } from './proc.ts';
import type { Daemon, RunResult } from './proc.ts';

const TOOLS = [
  ['dbus-daemon', 'dbus-daemon'],
  ['dbus-send', 'dbus-bin'],
  ['gnome-keyring-daemon', 'gnome-keyring'],
  ['secret-tool', 'libsecret-tools'],
] as const;
const INSTALL = 'apt-get install -y gnome-keyring dbus-x11 libsecret-tools';
const CLIENT = join(dirname(fileURLToPath(import.meta.url)), 'keyring-client.ts');
export const LOGIN_COLLECTION = '/org/freedesktop/secrets/collection/login';

export interface KeyringBedOptions {
  /** Start gnome-keyring on the bus (default true); false leaves a bus without a keyring. */
  readonly daemon?: boolean;
  readonly name?: string;
}

/** One operation for keyring-client.ts; see there. */
export type KeyringOp =
  | { readonly op: 'get'; readonly name: string }
  | { readonly op: 'set'; readonly name: string; readonly value: string }
  | { readonly op: 'delete'; readonly name: string }
  | { readonly op: 'status' }
  | { readonly op: 'load-device-credentials' }
  | {
      readonly op: 'save-device-credentials';
      readonly credentials: { readonly deviceId: string; readonly deviceSecret: string };
    }
  | { readonly op: 'master-key' };

export type KeyringOutcome =
  | { readonly ok: true; readonly value?: unknown }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly hint: string | null;
      /** The library's own message, when the error came from it. */
      readonly cause: string | null;
    };

function onPath(tool: string): boolean {
  return (process.env['PATH'] ?? '')
    .split(':')
    .some((dir) => dir !== '' && existsSync(join(dir, tool)));
}

/** Fails (never skips) when the packages are missing, naming them. */
export function checkKeyringTools(): void {
  const missing = TOOLS.filter(([tool]) => !onPath(tool));
  if (missing.length > 0) {
    throw new Error(
      `The keyring tests need ${missing.map(([tool, pkg]) => `${tool} (Debian package ${pkg})`).join(', ')}. ` +
        `Install them: \`${INSTALL}\` (README, "Prerequisites").`,
    );
  }
}

function busConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

/** Daemons not stopped yet, killed when the test process exits. */
const unstopped = new Set<Daemon>();
let exitHook = false;

/**
 * The environment of a process with no session bus at all: no DBUS_SESSION_BUS_ADDRESS, no
 * DISPLAY (no X11 autolaunch) and an empty XDG_RUNTIME_DIR (libdbus's other place to look).
 */
export function noBusEnv(runtimeDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: runtimeDir };
  delete env['DBUS_SESSION_BUS_ADDRESS'];
  delete env['DISPLAY'];
  delete env['WAYLAND_DISPLAY'];
  return env;
}

export class KeyringBed {
  readonly dir: string;
  readonly busAddress: string;
  /** For any process that should use this bed's bus and keyring. */
  readonly env: NodeJS.ProcessEnv;
  readonly #daemons: Daemon[] = [];

  private constructor(dir: string) {
    this.dir = dir;
    this.busAddress = `unix:path=${join(dir, 'bus')}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DBUS_SESSION_BUS_ADDRESS: this.busAddress,
      HOME: join(dir, 'home'),
      XDG_DATA_HOME: join(dir, 'home', 'data'),
      XDG_CONFIG_HOME: join(dir, 'home', 'config'),
      XDG_CACHE_HOME: join(dir, 'home', 'cache'),
      XDG_RUNTIME_DIR: join(dir, 'run'),
      LC_ALL: 'C',
      LANG: 'C',
    };
    delete env['DISPLAY'];
    delete env['WAYLAND_DISPLAY'];
    delete env['GNOME_KEYRING_CONTROL'];
    this.env = env;
  }

  static async start(options: KeyringBedOptions = {}): Promise<KeyringBed> {
    checkKeyringTools();
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const daemon of unstopped) daemon.killNow();
      });
    }
    const dir = createBedDir({
      baseDir: process.env['TMPDIR'] ?? tmpdir(),
      name: options.name ?? 'keyring',
      keep: false,
      isRoot: false,
    });
    const bed = new KeyringBed(dir);
    try {
      for (const sub of ['home/data', 'home/config', 'home/cache', 'run', 'out']) {
        await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
      }
      await bed.#startBus();
      if (options.daemon ?? true) await bed.#startKeyring();
    } catch (error) {
      await bed.stop();
      throw error;
    }
    return bed;
  }

  /** Runs the operations in order in one fresh process with `env` (default: this bed's). */
  async run(
    ops: readonly KeyringOp[],
    env: NodeJS.ProcessEnv = this.env,
  ): Promise<KeyringOutcome[]> {
    return runKeyringClient(ops, env);
  }

  /** `secret-tool ARGS` on this bed's bus. */
  secretTool(args: readonly string[], input?: string): Promise<RunResult> {
    if (input === undefined)
      return runTool('secret-tool', args, { env: this.env, timeoutMs: 10_000 });
    // secret-tool store reads the secret from stdin.
    return runTool('sh', ['-c', 'printf %s "$0" | secret-tool "$@"', input, ...args], {
      env: this.env,
      timeoutMs: 10_000,
    });
  }

  /** Locks the login collection through the Secret Service's own Lock method. */
  async lock(): Promise<void> {
    await this.#dbusSend(
      'org.freedesktop.Secret.Service.Lock',
      `array:objpath:${LOGIN_COLLECTION}`,
    );
    if (!(await this.isLocked()))
      throw new Error('gnome-keyring did not lock the login collection.');
  }

  async isLocked(): Promise<boolean> {
    const { stdout } = await runChecked(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.secrets',
        LOGIN_COLLECTION,
        'org.freedesktop.DBus.Properties.Get',
        'string:org.freedesktop.Secret.Collection',
        'string:Locked',
      ],
      { env: this.env, timeoutMs: 10_000 },
    );
    return stdout.includes('boolean true');
  }

  /** Stops the daemons by PID and removes the directory. */
  async stop(): Promise<void> {
    for (const daemon of this.#daemons.splice(0).reverse()) {
      // gnome-keyring takes its time over SIGTERM; its keyrings are thrown away with the directory.
      await daemon.stop(daemon.name === 'gnome-keyring-daemon' ? 300 : 2_000);
      unstopped.delete(daemon);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  #spawn(name: string, command: string, args: readonly string[]): Daemon {
    const daemon = spawnDaemon(name, command, args, {
      env: this.env,
      logFile: join(this.dir, 'out', `${name}.log`),
      cwd: this.dir,
    });
    this.#daemons.push(daemon);
    unstopped.add(daemon);
    return daemon;
  }

  async #startBus(): Promise<void> {
    const socket = join(this.dir, 'bus');
    const config = join(this.dir, 'bus.conf');
    writeFileSync(config, busConfig(socket), { mode: 0o600 });
    const bus = this.#spawn('dbus-daemon', 'dbus-daemon', [
      `--config-file=${config}`,
      '--nofork',
      '--nopidfile',
      '--nosyslog',
    ]);
    await waitFor(async () => ((await canConnect({ path: socket })) ? true : undefined), {
      what: 'the private D-Bus bus',
      timeoutMs: 10_000,
      abortIf: () => (bus.exitStatus() ? `dbus-daemon exited:\n${bus.tail()}` : undefined),
    });
  }

  async #startKeyring(): Promise<void> {
    // --unlock reads the login keyring's password from stdin until EOF; it creates the keyring
    // with that password on first start. The shell execs, so the PID stays the daemon's.
    const password = join(this.dir, 'password');
    writeFileSync(password, 'printo-test-password', { mode: 0o600 });
    const keyring = this.#spawn('gnome-keyring-daemon', 'sh', [
      '-c',
      'exec gnome-keyring-daemon --foreground --unlock --components=secrets < "$0"',
      password,
    ]);
    await waitFor(
      async () => {
        const alias = await runTool(
          'dbus-send',
          [
            '--session',
            '--print-reply',
            '--dest=org.freedesktop.secrets',
            '/org/freedesktop/secrets',
            'org.freedesktop.Secret.Service.ReadAlias',
            'string:default',
          ],
          { env: this.env, timeoutMs: 5_000 },
        );
        return alias.stdout.includes(LOGIN_COLLECTION) ? true : undefined;
      },
      {
        what: 'gnome-keyring to serve its login collection',
        timeoutMs: 15_000,
        abortIf: () =>
          keyring.exitStatus() ? `gnome-keyring-daemon exited:\n${keyring.tail()}` : undefined,
        diagnostics: () => keyring.tail(),
      },
    );
  }

  async #dbusSend(method: string, ...args: string[]): Promise<RunResult> {
    return runChecked(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.secrets',
        '/org/freedesktop/secrets',
        method,
        ...args,
      ],
      { env: this.env, timeoutMs: 10_000 },
    );
  }
}

export function startKeyringBed(options: KeyringBedOptions = {}): Promise<KeyringBed> {
  return KeyringBed.start(options);
}

/** Runs keyring-client.ts with `env`; its stdout is one JSON array of outcomes. */
export async function runKeyringClient(
  ops: readonly KeyringOp[],
  env: NodeJS.ProcessEnv,
): Promise<KeyringOutcome[]> {
  const result = await runTool(process.execPath, [CLIENT, JSON.stringify(ops)], {
    env,
    timeoutMs: 30_000,
  });
  if (result.code !== 0) {
    throw new Error(
      `keyring-client exited with ${String(result.code)}:\n${result.stderr}${result.stdout}`,
    );
  }
  return JSON.parse(result.stdout) as KeyringOutcome[];
}

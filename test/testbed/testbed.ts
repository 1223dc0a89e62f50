/**
 * A real CUPS on loopback for integration tests: a private D-Bus bus, a private cupsd and any
 * number of ippeveprinter virtual printers, all in one temporary directory, on ports chosen at run
 * time so that test files can each start their own bed in parallel.
 *
 *   const bed = await startTestbed({ name: 'queues' });
 *   const dev = await bed.addDevice({ name: 'laser' });
 *   await bed.addQueue({ name: 'office', device: dev, isDefault: true });
 *   await bed.raiseState('office', 'STATE: +media-jam');
 *   // ... run the code under test with bed.env ...
 *   await bed.stop();
 *
 * Works as root (cupsd then runs filters as `lp`) and as an ordinary user. Background and
 * gotchas: /work/shared/reference/printing.md §1.
 */
import {
  accessSync,
  constants,
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBedDir } from './bed-dir.ts';
import { cupsdConf, cupsdDirectories, cupsFilesConf, SNMP_CONF } from './cups-config.ts';
import type { CupsLogLevel } from './cups-config.ts';
import { expectedEffect } from './directives.ts';
import { jobStateName, printerStateName, stripSeverity } from './ipp-names.ts';
import type { JobState, PrinterState } from './ipp-names.ts';
import { levelsBySource, setMedia, setSupplies } from './ippeve-forms.ts';
import type { SupplyLevels, Tray, TrayState } from './ippeve-forms.ts';
import { Ipptool, keywords } from './ipptool.ts';
import type { IppGroup, IpptoolRequest } from './ipptool.ts';
import { canConnect, deadPort, freePort, startSilentListener } from './net.ts';
import type { SilentListener } from './net.ts';
import { runChecked, runTool, spawnDaemon, waitFor } from './proc.ts';
import type { Daemon, RunResult } from './proc.ts';

export type { JobState, PrinterState } from './ipp-names.ts';
export { CLASSIC_PPD_MODEL, stripSeverity } from './ipp-names.ts';
export type { SupplyLevels, Tray, TrayState } from './ippeve-forms.ts';
export type { SilentListener } from './net.ts';
export type { RunResult } from './proc.ts';

export interface TestbedOptions {
  /** Short label for the directory name (`printo-testbed-<name>-XXXXXX`). */
  readonly name?: string;
  /** Parent of the bed's directory; default os.tmpdir(). As root, `lp` must be able to enter it. */
  readonly baseDir?: string;
  /** cupsd's LogLevel; `info` (default) logs each job's fate, `debug` every filter line. */
  readonly logLevel?: CupsLogLevel;
  /** Keep the directory after stop() to read its logs; also PRINTO_TESTBED_KEEP=1. */
  readonly keepDir?: boolean;
  /** Deadline for each daemon to come up; default 15 s. */
  readonly startTimeoutMs?: number;
}

export interface DeviceOptions {
  /** ippeveprinter's service name, reported as printer-name and printer-info. */
  readonly name: string;
  /** printer-make-and-model is `${make} ${model}`; default "Printo" and "VirtualJet". */
  readonly make?: string;
  readonly model?: string;
  readonly location?: string;
  /** document-format-supported. The default has PDF for IPP Everywhere queues and PostScript for the classic PPD. */
  readonly formats?: readonly string[];
  /** Advertise two-sided printing (-2). */
  readonly duplex?: boolean;
  /** A colour device: cyan, magenta and yellow toner as well (-s 10,10). */
  readonly color?: boolean;
  /** Keep the printed documents in spoolDir (-k). */
  readonly keepFiles?: boolean;
}

/** A running ippeveprinter. */
export interface TestDevice {
  readonly name: string;
  readonly port: number;
  /** Device URI for a queue: `ipp://localhost:PORT/ipp/print`. */
  readonly uri: string;
  /** Its web pages (status, /supplies, /media): `http://127.0.0.1:PORT`. */
  readonly webUrl: string;
  readonly spoolDir: string;
  readonly pid: number;
}

/** `everywhere` builds the PPD from the device's IPP answer; anything else is a model from `lpinfo -m`. */
export type QueueDriver = 'everywhere' | (string & {});

export interface QueueOptions {
  /** Queue name: letters, digits, `_`, `-`, `.`. */
  readonly name: string;
  /**
   * Where jobs go. Omitted: a loopback port with nothing listening (device gone). A started
   * TestDevice makes addQueue wait until an IPP Everywhere queue has its PPD.
   */
  readonly device?: TestDevice | { readonly uri: string };
  /**
   * Default `everywhere`. cupsd builds that PPD in the background from the device's answer, so an
   * `everywhere` queue whose device does not answer stays a raw queue ("Local Raw Printer"); for
   * a queue whose device vanished later, use a PPD model or stopDevice().
   */
  readonly driver?: QueueDriver;
  /** printer-info (lpadmin -D). */
  readonly description?: string;
  /** printer-location (lpadmin -L). */
  readonly location?: string;
  /** Make it the server's default destination (lpadmin -d). */
  readonly isDefault?: boolean;
  /** printer-is-shared; CUPS's default is shared. */
  readonly shared?: boolean;
  /** Enabled and accepting jobs (lpadmin -E); default true. */
  readonly enabled?: boolean;
  /** More `lpadmin -o name=value` settings. */
  readonly options?: Readonly<Record<string, string>>;
}

export interface TestQueue {
  readonly name: string;
  /** `ipp://127.0.0.1:PORT/printers/NAME` on the bed's cupsd. */
  readonly uri: string;
  readonly deviceUri: string;
  readonly driver: QueueDriver;
}

export interface LpOptions {
  /** Job name; fake-print.sh reads directives from it (`STATE: +media-jam`, `SLEEP:5`, `FAIL`). */
  readonly title?: string;
  /** Hold the job (lp -H indefinite): pending-held, job-hold-until-specified. */
  readonly hold?: boolean;
  /** Document to print; default a one-line text file. */
  readonly file?: string;
  readonly copies?: number;
  /** More `lp -o name=value` options. */
  readonly options?: Readonly<Record<string, string>>;
}

export interface JobStatus {
  readonly id: number;
  readonly state: JobState;
  readonly reasons: readonly string[];
  readonly name: string;
  readonly printerUri: string;
  readonly user: string;
}

export interface QueueStatus {
  readonly name: string;
  readonly state: PrinterState;
  /** As CUPS reports them, suffixes included (`media-jam-report`). */
  readonly reasons: readonly string[];
  readonly message: string;
  readonly makeAndModel: string;
  readonly accepting: boolean;
  readonly shared: boolean;
  readonly info: string;
  readonly location: string;
  readonly deviceUri: string;
  readonly markerNames: readonly string[];
  readonly markerLevels: readonly number[];
}

export interface DeviceStatus {
  readonly state: PrinterState;
  readonly reasons: readonly string[];
  readonly message: string;
  /** Decoded printer-supply values (`index=2;class=…;type=toner;…;level=75;…`). */
  readonly supplies: readonly string[];
  /** Decoded printer-input-tray values (`type=…;level=250;…;name=main;`). */
  readonly trays: readonly string[];
}

interface Timeout {
  readonly timeoutMs?: number;
}

const FAKE_PRINT = fileURLToPath(new URL('./fake-print.sh', import.meta.url));
const DEFAULT_FORMATS = [
  'application/pdf',
  'application/postscript',
  'image/pwg-raster',
  'image/urf',
];
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;
const STOP_GRACE_MS = 3_000;
const RAW_MODEL = 'Local Raw Printer';
const PRINTER_ATTRIBUTES = [
  'printer-name',
  'printer-state',
  'printer-state-reasons',
  'printer-state-message',
  'printer-make-and-model',
  'printer-is-accepting-jobs',
  'printer-is-shared',
  'printer-info',
  'printer-location',
  'device-uri',
  'marker-names',
  'marker-levels',
] as const;

/** Synchronous clean-ups of the beds not stopped yet, for the process 'exit' hook. */
const unstopped = new Set<() => void>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that forgot stop(), or threw before it: no daemons outlive the process. Deaths by
  // signal are covered by the daemons' parent-death signal (see proc.ts).
  process.on('exit', () => {
    for (const cleanUp of unstopped) cleanUp();
  });
}

function checkName(kind: string, name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(
      `Invalid ${kind} name ${JSON.stringify(name)}: use letters, digits, '_', '-' or '.'.`,
    );
  }
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}

function numbers(value: unknown): readonly number[] {
  const list: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is number => typeof v === 'number');
}

function hexToText(value: unknown): readonly string[] {
  return keywords(value).map((hex) => Buffer.from(hex, 'hex').toString('utf8'));
}

function isBindFailure(text: string): boolean {
  return /in use|unable to bind|bind\(\)|could not bind|Unable to create .*listener/i.test(text);
}

/** Starts the bus and cupsd in a fresh temporary directory; see the module comment. */
export function startTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  return Testbed.start(options);
}

export class Testbed {
  /** The bed's private directory; everything cupsd, the bus and the printers write is in it. */
  readonly dir: string;
  /** cupsd's Unix socket. */
  readonly cupsSocket: string;
  readonly #options: TestbedOptions;
  readonly #isRoot: boolean;
  readonly #daemons: Daemon[] = [];
  readonly #devices = new Map<string, { readonly device: TestDevice; readonly daemon: Daemon }>();
  readonly #listeners: SilentListener[] = [];
  /** Model → a copy of the PPD of the first queue made with it (see #lpadminModel). */
  readonly #ppds = new Map<string, string>();
  readonly #ipptool: Ipptool;
  readonly #testPage: string;
  #cupsPort = 0;
  #stopping: Promise<void> | undefined;
  #adminChain: Promise<unknown> = Promise.resolve();

  readonly #cleanUpOnExit = (): void => {
    for (const daemon of this.#daemons) daemon.killNow();
    try {
      if (!this.#keep()) rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // Best effort while the process exits; the next bed sweeps it (bed-dir.ts).
    }
  };

  private constructor(options: TestbedOptions) {
    this.#options = options;
    this.#isRoot = process.getuid?.() === 0;
    this.dir = createBedDir({
      baseDir: options.baseDir ?? tmpdir(),
      name: options.name,
      keep: this.#keep(),
      isRoot: this.#isRoot,
    });
    this.cupsSocket = join(this.dir, 'cups.sock');
    this.#ipptool = new Ipptool(join(this.dir, 'ipptool'), this.#toolEnv());
    this.#testPage = join(this.dir, 'testpage.txt');
  }

  /** Same as startTestbed(). */
  static async start(options: TestbedOptions = {}): Promise<Testbed> {
    const bed = new Testbed(options);
    try {
      await bed.#start();
    } catch (error) {
      await bed.stop();
      throw error;
    }
    return bed;
  }

  /** cupsd's TCP port on 127.0.0.1. */
  get cupsPort(): number {
    return this.#cupsPort;
  }

  /** `ipp://127.0.0.1:PORT`: prefix of the queues' printer URIs (`/printers/NAME`) and job URIs. */
  get cupsUri(): string {
    return `ipp://127.0.0.1:${this.#cupsPort}`;
  }

  /**
   * Environment for CUPS tools and the code under test: CUPS_SERVER is the bed's Unix socket,
   * and a C locale so that CLI output is not translated. Merge it over process.env.
   */
  get env(): Readonly<Record<string, string>> {
    return { CUPS_SERVER: this.cupsSocket, LC_ALL: 'C', LANG: 'C', LANGUAGE: 'C' };
  }

  /** The same as env, but CUPS_SERVER is `127.0.0.1:PORT` (IPP over TCP instead of the socket). */
  get tcpEnv(): Readonly<Record<string, string>> {
    return { ...this.env, CUPS_SERVER: `127.0.0.1:${this.#cupsPort}` };
  }

  /** PIDs of every daemon this bed started (bus, cupsd, printers), stopped ones included. */
  pids(): readonly number[] {
    return this.#daemons.map((daemon) => daemon.pid);
  }

  /** The last lines of cupsd's ErrorLog. */
  errorLog(lines = 40): string {
    try {
      return readFileSync(join(this.dir, 'log', 'error_log'), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no ErrorLog)';
    }
  }

  #toolEnv(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.env };
  }

  #daemonEnv(): NodeJS.ProcessEnv {
    const bus = `unix:path=${join(this.dir, 'dbus.sock')}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LC_ALL: 'C',
      LANG: 'C',
      LANGUAGE: 'C',
      // ippeveprinter needs a system bus for DNS-SD even with `-r off`; cupsd gets the private bus
      // too so that its printer-added signals never reach the host's real one.
      DBUS_SYSTEM_BUS_ADDRESS: bus,
      DBUS_SESSION_BUS_ADDRESS: bus,
    };
    delete env['CUPS_SERVER'];
    return env;
  }

  #spawn(name: string, command: string, args: readonly string[]): Daemon {
    const daemon = spawnDaemon(name, command, args, {
      env: this.#daemonEnv(),
      logFile: join(this.dir, 'out', `${name}.log`),
      cwd: this.dir,
    });
    this.#daemons.push(daemon);
    return daemon;
  }

  #timeout(): number {
    return this.#options.startTimeoutMs ?? 15_000;
  }

  async #start(): Promise<void> {
    installExitHook();
    unstopped.add(this.#cleanUpOnExit);
    try {
      accessSync(FAKE_PRINT, constants.X_OK);
    } catch {
      throw new Error(`${FAKE_PRINT} is not executable: chmod +x it (git keeps the mode).`);
    }
    for (const sub of [
      ...cupsdDirectories(this.dir),
      join(this.dir, 'out'),
      join(this.dir, 'devices'),
    ]) {
      mkdirSync(sub, { recursive: true, mode: 0o755 });
    }
    writeFileSync(join(this.dir, 'snmp.conf'), SNMP_CONF, { mode: 0o644 });
    writeFileSync(this.#testPage, 'Printo Help test bed: test page.\n', { mode: 0o644 });
    // Both settle before a failure is reported, so that stop() sees every daemon started.
    const started = await Promise.allSettled([this.#startBus(), this.#startCupsd()]);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
  }

  async #startBus(): Promise<void> {
    const socket = join(this.dir, 'dbus.sock');
    const bus = this.#spawn('dbus-daemon', 'dbus-daemon', [
      '--session',
      `--address=unix:path=${socket}`,
      '--nofork',
      '--nopidfile',
    ]);
    await waitFor(async () => ((await canConnect({ path: socket })) ? true : undefined), {
      what: 'the private D-Bus bus',
      timeoutMs: this.#timeout(),
      abortIf: () => (bus.exitStatus() ? `dbus-daemon exited:\n${bus.tail()}` : undefined),
    });
  }

  async #startCupsd(): Promise<void> {
    const conf = join(this.dir, 'cupsd.conf');
    const files = join(this.dir, 'cups-files.conf');
    const user = this.#isRoot ? 'lp' : String(process.getuid?.() ?? '');
    const group = this.#isRoot ? 'lp' : String(process.getgid?.() ?? '');
    for (let attempt = 1; ; attempt++) {
      this.#cupsPort = await freePort();
      const layout = {
        dir: this.dir,
        port: this.#cupsPort,
        socket: this.cupsSocket,
        user,
        group,
        logLevel: this.#options.logLevel ?? 'info',
      };
      writeFileSync(conf, cupsdConf(layout), { mode: 0o644 });
      writeFileSync(files, cupsFilesConf(layout), { mode: 0o644 });
      const cupsd = this.#spawn('cupsd', 'cupsd', ['-f', '-c', conf, '-s', files]);
      const failure = (): string | undefined =>
        cupsd.exitStatus() === undefined
          ? undefined
          : `cupsd exited (${JSON.stringify(cupsd.exitStatus())}).\n` +
            `cupsd output:\n${cupsd.tail() || '(none)'}\nErrorLog:\n${this.errorLog()}`;
      try {
        await waitFor(
          async () =>
            (await canConnect({ path: this.cupsSocket })) &&
            (await canConnect({ port: this.#cupsPort }))
              ? true
              : undefined,
          {
            what: `cupsd on ${this.cupsSocket} and 127.0.0.1:${this.#cupsPort}`,
            timeoutMs: this.#timeout(),
            abortIf: failure,
            diagnostics: () => `cupsd output:\n${cupsd.tail()}\nErrorLog:\n${this.errorLog()}`,
          },
        );
        return;
      } catch (error) {
        const text = `${cupsd.tail()}\n${this.errorLog()}`;
        if (attempt >= 3 || cupsd.exitStatus() === undefined || !isBindFailure(text)) throw error;
        // Another process took the port between freePort() and cupsd's bind: pick another.
      }
    }
  }

  /** Starts an ippeveprinter and waits until it accepts connections. */
  async addDevice(options: DeviceOptions): Promise<TestDevice> {
    checkName('device', options.name);
    if (this.#devices.has(options.name))
      throw new Error(`Device ${options.name} already exists in this bed.`);
    const spoolDir = join(this.dir, 'devices', options.name);
    mkdirSync(spoolDir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const args = [
        // DNS-SD off; without it ippeveprinter 2.4.2 can die on an Avahi assertion.
        '-r',
        'off',
        // Both 127.0.0.1 and ::1; `-n 127.0.0.1` fails with "Unable to create IPv6 listener".
        '-n',
        'localhost',
        '-p',
        String(port),
        '-M',
        options.make ?? 'Printo',
        '-m',
        options.model ?? 'VirtualJet',
        '-f',
        (options.formats ?? DEFAULT_FORMATS).join(','),
        '-d',
        spoolDir,
        '-c',
        FAKE_PRINT,
        ...(options.location === undefined ? [] : ['-l', options.location]),
        ...(options.duplex === true ? ['-2'] : []),
        ...(options.color === true ? ['-s', '10,10'] : []),
        ...(options.keepFiles === true ? ['-k'] : []),
        options.name,
      ];
      const daemon = this.#spawn(`ippeveprinter-${options.name}`, 'ippeveprinter', args);
      try {
        await waitFor(async () => ((await canConnect({ port })) ? true : undefined), {
          what: `ippeveprinter ${options.name} on port ${port}`,
          timeoutMs: this.#timeout(),
          abortIf: () =>
            daemon.exitStatus() === undefined
              ? undefined
              : `ippeveprinter exited (${JSON.stringify(daemon.exitStatus())}):\n${daemon.tail()}`,
          diagnostics: () => daemon.tail(),
        });
      } catch (error) {
        if (attempt >= 3 || daemon.exitStatus() === undefined || !isBindFailure(daemon.tail()))
          throw error;
        continue;
      }
      const device: TestDevice = {
        name: options.name,
        port,
        uri: `ipp://localhost:${port}/ipp/print`,
        webUrl: `http://127.0.0.1:${port}`,
        spoolDir,
        pid: daemon.pid,
      };
      this.#devices.set(options.name, { device, daemon });
      return device;
    }
  }

  /** Stops a device as if it were unplugged: its queues keep pointing at a closed port. */
  async stopDevice(device: TestDevice): Promise<void> {
    const entry = this.#devices.get(device.name);
    if (entry === undefined) throw new Error(`Device ${device.name} is not part of this bed.`);
    await entry.daemon.stop(STOP_GRACE_MS);
  }

  #liveDevice(device: TestDevice | { readonly uri: string } | undefined): TestDevice | undefined {
    if (device === undefined || !('name' in device)) return undefined;
    const entry = this.#devices.get(device.name);
    return entry !== undefined && entry.daemon.exitStatus() === undefined
      ? entry.device
      : undefined;
  }

  /**
   * Reuses the PPD of the first queue made with a classic model for later queues with the same
   * model: cups-driverd compiles a drv:/// model on every `lpadmin -m`, 0.3 s each.
   */
  async #lpadminModel(name: string, model: string, common: readonly string[]): Promise<void> {
    const ppd = this.#ppds.get(model);
    if (ppd !== undefined) {
      await this.#lpadmin([...common, '-P', ppd]);
      return;
    }
    await this.#lpadmin([...common, '-m', model]);
    const copy = join(this.dir, 'ppd-cache', `${this.#ppds.size}.ppd`);
    try {
      mkdirSync(dirname(copy), { recursive: true });
      copyFileSync(join(this.dir, 'ppd', `${name}.ppd`), copy);
      this.#ppds.set(model, copy);
    } catch {
      // A model without a PPD (raw): nothing to reuse.
    }
  }

  async #lpadmin(args: readonly string[]): Promise<void> {
    try {
      await runChecked('lpadmin', args, { env: this.#toolEnv() });
    } catch (error) {
      // Seen about once in a hundred bed start-ups: cupsd answers the first PPD upload with
      // "Request Entity Too Large" while it is still settling. Once more, then give up.
      if (!(error instanceof Error) || !error.message.includes('Request Entity Too Large'))
        throw error;
      await runChecked('lpadmin', args, { env: this.#toolEnv() });
    }
  }

  /**
   * Creates (or modifies) a queue with lpadmin. Calls are serialized: cupsd 2.4.2 crashes when
   * IPP Everywhere queues are added while another one's PPD is being built (OpenPrinting/cups#466),
   * so do not run `lpadmin -m everywhere` in parallel through run() either.
   */
  addQueue(options: QueueOptions & Timeout): Promise<TestQueue> {
    const run = this.#adminChain.then(
      () => this.#addQueue(options),
      () => this.#addQueue(options),
    );
    this.#adminChain = run.catch(() => undefined);
    return run;
  }

  async #addQueue(options: QueueOptions & Timeout): Promise<TestQueue> {
    checkName('queue', options.name);
    const deviceUri = options.device?.uri ?? `ipp://127.0.0.1:${await deadPort()}/ipp/print`;
    const driver = options.driver ?? 'everywhere';
    const common = [
      '-p',
      options.name,
      // -E after -p enables the queue and accepts jobs; before -p it would mean encryption.
      ...(options.enabled === false ? [] : ['-E']),
      '-v',
      deviceUri,
      ...(options.description === undefined ? [] : ['-D', options.description]),
      ...(options.location === undefined ? [] : ['-L', options.location]),
      ...(options.shared === undefined
        ? []
        : ['-o', `printer-is-shared=${String(options.shared)}`]),
      ...Object.entries(options.options ?? {}).flatMap(([key, value]) => ['-o', `${key}=${value}`]),
    ];
    if (driver === 'everywhere') {
      const logStart = this.#errorLogSize();
      await this.#lpadmin([...common, '-m', 'everywhere']);
      if (this.#liveDevice(options.device) !== undefined) {
        await this.#waitForEverywherePpd(options.name, deviceUri, logStart, options.timeoutMs);
      }
    } else {
      await this.#lpadminModel(options.name, driver, common);
    }
    if (options.isDefault === true) await this.#lpadmin(['-d', options.name]);
    return {
      name: options.name,
      uri: `${this.cupsUri}/printers/${options.name}`,
      deviceUri,
      driver,
    };
  }

  #errorLogSize(): number {
    try {
      return statSync(join(this.dir, 'log', 'error_log')).size;
    } catch {
      return 0;
    }
  }

  /**
   * lpadmin returns at once; cupsd asks the device and builds the PPD in a background thread, and
   * until then the queue is raw (jobs would skip the filters). The ErrorLog says when the thread
   * is done; it is read from the file so that no IPP request reaches cupsd during the thread.
   */
  async #waitForEverywherePpd(
    name: string,
    deviceUri: string,
    logStart: number,
    timeoutMs: number | undefined,
  ): Promise<void> {
    const file = join(this.dir, 'log', 'error_log');
    const done = `Printer "${name}" is now available.`;
    await waitFor(
      () => {
        const log = readFileSync(file).subarray(logStart).toString('utf8');
        return log.includes(done) ? true : undefined;
      },
      {
        what: `queue ${name} to get its IPP Everywhere PPD from ${deviceUri}`,
        timeoutMs: timeoutMs ?? this.#timeout(),
        diagnostics: () => this.errorLog(),
      },
    );
    const queue = await this.queue(name);
    if (queue.makeAndModel === RAW_MODEL) {
      throw new Error(
        `Queue ${name} is still a raw queue after its PPD was built:\n${this.errorLog()}`,
      );
    }
  }

  /** Creates many queues, one after the other (see addQueue); about 10 ms each. */
  async addQueues(list: readonly (QueueOptions & Timeout)[]): Promise<readonly TestQueue[]> {
    if (list.filter((queue) => queue.isDefault === true).length > 1) {
      throw new Error('At most one queue can be the default.');
    }
    const results: TestQueue[] = [];
    for (const options of list) results.push(await this.addQueue(options));
    return results;
  }

  /** Submits a job with `lp` and returns its id. */
  async lp(queue: string, options: LpOptions = {}): Promise<number> {
    const args = [
      '-d',
      queue,
      ...(options.title === undefined ? [] : ['-t', options.title]),
      ...(options.hold === true ? ['-H', 'indefinite'] : []),
      ...(options.copies === undefined ? [] : ['-n', String(options.copies)]),
      ...Object.entries(options.options ?? {}).flatMap(([key, value]) => ['-o', `${key}=${value}`]),
      options.file ?? this.#testPage,
    ];
    const result = await runChecked('lp', args, { env: this.#toolEnv() });
    // LC_ALL=C: "request id is office-12 (1 file(s))".
    const id = /request id is .*-(\d+) \(/.exec(result.stdout)?.[1];
    if (id === undefined)
      throw new Error(`Could not read the job id from lp: ${result.stdout}${result.stderr}`);
    return Number(id);
  }

  async #query(uri: string, request: IpptoolRequest): Promise<IppGroup> {
    return this.#ipptool.query(uri, request);
  }

  /** A job's state over IPP (Get-Job-Attributes through ipptool). */
  async job(id: number): Promise<JobStatus> {
    const attrs = await this.#query(`${this.cupsUri}/jobs/${id}`, {
      operation: 'Get-Job-Attributes',
      target: 'job-uri',
      requested: [
        'job-id',
        'job-state',
        'job-state-reasons',
        'job-name',
        'job-printer-uri',
        'job-originating-user-name',
      ],
      group: 'job-attributes-tag',
    });
    return {
      id,
      state: jobStateName(num(attrs['job-state'])),
      reasons: keywords(attrs['job-state-reasons']),
      name: str(attrs['job-name']),
      printerUri: str(attrs['job-printer-uri']),
      user: str(attrs['job-originating-user-name']),
    };
  }

  /**
   * Waits until the job is in one of the given states (default: any final state: canceled,
   * aborted, completed). Fails early when it ends in another final state.
   */
  async waitForJob(
    id: number,
    {
      until = ['canceled', 'aborted', 'completed'],
      timeoutMs = 30_000,
    }: { readonly until?: readonly JobState[] } & Timeout = {},
  ): Promise<JobStatus> {
    let last: JobStatus | undefined;
    const final: readonly JobState[] = ['canceled', 'aborted', 'completed'];
    return waitFor(
      async () => {
        last = await this.job(id);
        if (until.includes(last.state)) return last;
        if (final.includes(last.state)) {
          throw new Error(
            `Job ${id} ended ${last.state} (${last.reasons.join(', ')}) instead of ${until.join('/')}.\n` +
              this.#jobLog(id),
          );
        }
        return undefined;
      },
      {
        what: `job ${id} to be ${until.join('/')}`,
        timeoutMs,
        diagnostics: () => `Last seen: ${JSON.stringify(last)}\n${this.#jobLog(id)}`,
      },
    );
  }

  #jobLog(id: number): string {
    const lines = this.errorLog(2000)
      .split('\n')
      .filter((line) => line.includes(`[Job ${id}]`));
    return lines.length > 0 ? `ErrorLog for job ${id}:\n${lines.slice(-20).join('\n')}` : '';
  }

  /**
   * Prints through a queue and waits until the job has finished in the expected state (default
   * completed). fake-print.sh's FAIL aborts the job on the device, but through a CUPS queue it
   * usually ends canceled ("canceled at printer") and now and then completed: the ipp backend
   * stops watching once the device is idle again (CUPS 2.4.2).
   */
  async printAndWait(
    queue: string,
    options: LpOptions & { readonly expect?: JobState | readonly JobState[] } & Timeout = {},
  ): Promise<JobStatus> {
    const id = await this.lp(queue, options);
    const expect = options.expect ?? 'completed';
    const until: readonly JobState[] = typeof expect === 'string' ? [expect] : expect;
    return this.waitForJob(
      id,
      options.timeoutMs === undefined ? { until } : { until, timeoutMs: options.timeoutMs },
    );
  }

  /** A queue's state over IPP (Get-Printer-Attributes through ipptool). */
  async queue(name: string): Promise<QueueStatus> {
    const attrs = await this.#query(`${this.cupsUri}/printers/${name}`, {
      operation: 'Get-Printer-Attributes',
      target: 'printer-uri',
      requested: PRINTER_ATTRIBUTES,
      group: 'printer-attributes-tag',
    });
    return {
      name: str(attrs['printer-name']),
      state: printerStateName(num(attrs['printer-state'])),
      reasons: keywords(attrs['printer-state-reasons']),
      message: str(attrs['printer-state-message']),
      makeAndModel: str(attrs['printer-make-and-model']),
      accepting: attrs['printer-is-accepting-jobs'] === true,
      shared: attrs['printer-is-shared'] === true,
      info: str(attrs['printer-info']),
      location: str(attrs['printer-location']),
      deviceUri: str(attrs['device-uri']),
      markerNames: keywords(attrs['marker-names']),
      markerLevels: numbers(attrs['marker-levels']),
    };
  }

  /** The virtual device's own state, asked directly (not through CUPS). */
  async deviceStatus(device: TestDevice): Promise<DeviceStatus> {
    const attrs = await this.#query(device.uri, {
      operation: 'Get-Printer-Attributes',
      target: 'printer-uri',
      requested: [
        'printer-state',
        'printer-state-reasons',
        'printer-state-message',
        'printer-supply',
        'printer-input-tray',
      ],
      group: 'printer-attributes-tag',
    });
    return {
      state: printerStateName(num(attrs['printer-state'])),
      reasons: keywords(attrs['printer-state-reasons']),
      message: str(attrs['printer-state-message']),
      supplies: hexToText(attrs['printer-supply']),
      trays: hexToText(attrs['printer-input-tray']),
    };
  }

  /** The last lines ippeveprinter wrote (requests, and `[Job N] Command ... exited with status 1`). */
  deviceLog(device: TestDevice, lines = 40): string {
    const entry = this.#devices.get(device.name);
    if (entry === undefined) throw new Error(`Device ${device.name} is not part of this bed.`);
    return entry.daemon.tail(lines);
  }

  /**
   * Waits until the virtual device is idle. A job canceled through CUPS is canceled on the device
   * at once, but the device stays busy (and refuses new jobs) until its print command has noticed.
   */
  async waitForDeviceIdle(
    device: TestDevice,
    { timeoutMs = 15_000 }: Timeout = {},
  ): Promise<DeviceStatus> {
    return waitFor(
      async () => {
        const status = await this.deviceStatus(device);
        return status.state === 'idle' ? status : undefined;
      },
      { what: `device ${device.name} to be idle`, timeoutMs },
    );
  }

  /**
   * Prints a job titled with fake-print.sh directives (`STATE: +media-jam`, `STATE: -toner-low`,
   * `STATE: none`, `ATTR: ...`, `;`-separated) and waits until the job has finished and the queue
   * shows the STATE changes: a CUPS queue copies its device's reasons only while a job passes.
   */
  async raiseState(
    queue: string,
    directives: string,
    { timeoutMs = 30_000 }: Timeout = {},
  ): Promise<QueueStatus> {
    const effect = expectedEffect(directives);
    await this.printAndWait(queue, { title: directives, expect: effect.jobStates, timeoutMs });
    let last: QueueStatus | undefined;
    return waitFor(
      async () => {
        last = await this.queue(queue);
        const have = new Set(last.reasons.map(stripSeverity));
        const ok =
          effect.present.every((keyword) => have.has(keyword)) &&
          !effect.absent.some((keyword) => have.has(keyword));
        return ok ? last : undefined;
      },
      {
        what: `queue ${queue} to show "${directives}"`,
        timeoutMs,
        diagnostics: () =>
          `Last seen reasons: ${last?.reasons.join(', ') ?? '?'}\n${this.errorLog()}`,
      },
    );
  }

  /**
   * Sets the device's supply levels through its web form. The device's printer-state-reasons
   * change at once; a CUPS queue shows them after its next job (printAndWait).
   */
  async setSupplies(device: TestDevice, levels: SupplyLevels): Promise<readonly number[]> {
    return setSupplies(device.webUrl, levels);
  }

  /**
   * Loads trays through the device's web form, e.g. `{ main: { level: 0 } }` → media-empty.
   * Trays not named keep their paper. Returns every tray as now set.
   */
  async setMedia(
    device: TestDevice,
    trays: Readonly<Record<string, Partial<TrayState>>>,
  ): Promise<readonly Tray[]> {
    const status = await this.deviceStatus(device);
    return setMedia(device.webUrl, trays, levelsBySource(status.trays));
  }

  /** Runs a CUPS command-line tool (lpstat, lpadmin, cancel, ipptool…) against this bed, C locale. */
  async run(
    command: string,
    args: readonly string[] = [],
    { timeoutMs = 30_000 }: Timeout = {},
  ): Promise<RunResult> {
    return runTool(command, args, { env: this.#toolEnv(), timeoutMs });
  }

  /** A TCP listener on 127.0.0.1 that accepts and never replies; closed by stop(). */
  async silentListener(): Promise<SilentListener> {
    const listener = await startSilentListener();
    this.#listeners.push(listener);
    return listener;
  }

  /** A loopback port with nothing listening. */
  async deadPort(): Promise<number> {
    return deadPort();
  }

  /**
   * Stops every daemon by PID (SIGTERM, SIGKILL after 3 s) and removes the directory.
   * Idempotent; concurrent calls share one tear-down.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await Promise.all(this.#listeners.map((listener) => listener.close()));
      await Promise.all(this.#daemons.map((daemon) => daemon.stop(STOP_GRACE_MS)));
      unstopped.delete(this.#cleanUpOnExit);
      if (!this.#keep()) await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return this.#stopping;
  }

  #keep(): boolean {
    return this.#options.keepDir === true || process.env['PRINTO_TESTBED_KEEP'] === '1';
  }
}

/**
 * Child processes for the test bed: long-running daemons that are stopped by PID, and one-shot
 * tools whose output is captured.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code, or null when the tool was killed by a signal (for example on time-out). */
  readonly code: number | null;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A daemon started in its own process group, with stdout and stderr going to a log file. */
export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves once the process has exited and been reaped; never rejects. */
  readonly exited: Promise<ExitStatus>;
  /** Set once the process has exited. */
  exitStatus(): ExitStatus | undefined;
  /** The last lines the daemon wrote to stdout/stderr. */
  tail(lines?: number): string;
  /**
   * SIGTERM to its process group, SIGKILL when it has not exited within graceMs; then SIGKILL to
   * whatever it started that is still running (its group, and its children in other groups).
   */
  stop(graceMs: number): Promise<void>;
  /** Synchronous SIGKILL to it and everything it started, for process 'exit' handlers. */
  killNow(): void;
}

/**
 * With PR_SET_PDEATHSIG the kernel signals the daemon when the test process dies, even by SIGKILL
 * (a crashed or killed Vitest worker), which no 'exit' handler can cover. util-linux ships
 * setpriv on every Debian; without it we still clean up on normal exits.
 */
const SETPRIV = '/usr/bin/setpriv';
const hasSetpriv = existsSync(SETPRIV);

/** An unprivileged account that a daemon or tool runs as (see unprivilegedUser). */
export interface UnixUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** setpriv's options that switch to user: its uid, its gid, no supplementary groups. */
function credentials(user: UnixUser | undefined): string[] {
  if (user === undefined) return [];
  if (!hasSetpriv) {
    throw new Error(
      `Cannot run anything as user ${user.name}: ${SETPRIV} (Debian package util-linux) is missing.`,
    );
  }
  return ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups'];
}

/** The argv that runs command as user (via setpriv), or as is when user is undefined. */
export function asUser(
  user: UnixUser | undefined,
  command: string,
  args: readonly string[],
): [string, string[]] {
  if (user === undefined) return [command, [...args]];
  return [SETPRIV, [...credentials(user), '--', command, ...args]];
}

/** A process as /proc shows it; `start` (clock ticks after boot) tells a reused PID apart. */
interface ProcessRef {
  readonly pid: number;
  readonly start: string;
}

function readStat(
  pid: number,
): { ppid: number; pgrp: number; state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ... starttime(22nd)": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      state: fields[0] ?? '',
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
      start: fields[19] ?? '',
    };
  } catch {
    return undefined;
  }
}

/**
 * The live descendants of pid. cupsd starts each job's filters and backend in a process group of
 * their own, so they escape a signal to cupsd's group and outlive cupsd by a moment.
 */
function descendants(pid: number): ProcessRef[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return []; // No /proc: only the process groups are swept.
  }
  const children = new Map<number, ProcessRef[]>();
  for (const entry of entries) {
    const stat = readStat(Number(entry));
    if (stat === undefined) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push({ pid: Number(entry), start: stat.start });
    children.set(stat.ppid, list);
  }
  const found: ProcessRef[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** Still running, and still the same process (zombies count as gone: nobody may reap them). */
function isRunning(ref: ProcessRef): boolean {
  const stat = readStat(ref.pid);
  return stat?.start === ref.start && !/^[ZX]/.test(stat.state);
}

/**
 * Whether a process exists and is not a zombie: where PID 1 does not reap orphans (containers),
 * a dead process can stay a zombie for good, and kill(pid, 0) would call it alive.
 */
export function isProcessAlive(pid: number): boolean {
  const stat = readStat(pid);
  if (stat !== undefined) return !/^[ZX]/.test(stat.state);
  if (existsSync('/proc/self/stat')) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function kill(ref: ProcessRef): void {
  try {
    if (isRunning(ref)) process.kill(ref.pid, 'SIGKILL');
  } catch {
    // Gone meanwhile.
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative PID: the daemon's process group, so the commands it forked (ippeveprinter's print
    // command and its `sleep`, cupsd's filters) go too.
    process.kill(-pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

export function spawnDaemon(
  name: string,
  command: string,
  args: readonly string[],
  options: {
    readonly env: NodeJS.ProcessEnv;
    readonly logFile: string;
    readonly cwd?: string;
    /** Run it as this (unprivileged) user; needs setpriv, and root to switch. */
    readonly user?: UnixUser;
    /** What the kernel sends it when the test process dies; default SIGTERM. */
    readonly deathSignal?: 'TERM' | 'INT' | 'KILL';
  },
): Daemon {
  // setpriv changes the credentials first and sets the death signal after (a change of user
  // would clear it), then execs: the PID stays the daemon's.
  const user = credentials(options.user);
  const fd = openSync(options.logFile, 'a');
  const [file, argv] = hasSetpriv
    ? [SETPRIV, [...user, '--pdeathsig', options.deathSignal ?? 'TERM', '--', command, ...args]]
    : [command, [...args]];
  let child;
  try {
    child = spawn(file, argv, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', fd, fd],
      // Own process group: stop() can signal everything the daemon started, and Ctrl-C in a
      // terminal reaches our handler rather than the daemons directly.
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    // The reason arrives later as an 'error' event, which must not go unhandled.
    child.once('error', () => undefined);
    throw new Error(`Could not start ${name} (${command}): is it installed and on PATH?`);
  }
  // Daemons must not keep a test process alive; the bed's exit hook kills leftovers.
  child.unref();

  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('error', () => {
      status ??= { code: null, signal: null };
      resolve(status);
    });
    child.once('exit', (code, signal) => {
      status = { code, signal };
      resolve(status);
    });
  });

  const tail = (lines = 30): string => {
    try {
      return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };

  const stop = async (graceMs: number): Promise<void> => {
    const family = status === undefined ? descendants(pid) : [];
    const deadline = Date.now() + graceMs;
    if (status === undefined) {
      signalGroup(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => {
          resolve('timeout');
        }, graceMs);
      });
      const outcome = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        signalGroup(pid, 'SIGKILL');
        await exited;
      }
    }
    // The leader is gone; anything left in its group (a print command mid-`sleep`) goes now.
    signalGroup(pid, 'SIGKILL');
    // Its children in other groups were told to stop by it; give them the rest of the grace.
    while (family.some(isRunning) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    family.forEach(kill);
  };

  return {
    name,
    pid,
    logFile: options.logFile,
    exited,
    exitStatus: () => status,
    tail,
    stop,
    killNow: () => {
      const family = descendants(pid);
      signalGroup(pid, 'SIGKILL');
      family.forEach(kill);
    },
  };
}

/** Runs a tool to completion and captures its output; kills it after timeoutMs. */
export function runTool(
  command: string,
  args: readonly string[],
  options: { readonly env: NodeJS.ProcessEnv; readonly timeoutMs?: number; readonly cwd?: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
      killSignal: 'SIGKILL',
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error) => {
      reject(new Error(`Could not run ${command}: ${error.message}`, { cause: error }));
    });
    child.once('close', (code) => {
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
      });
    });
  });
}

/** Like runTool, but a non-zero exit is an error that shows the command and its output. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: { readonly env: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): Promise<RunResult> {
  const result = await runTool(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${String(result.code)}:\n${result.stderr}${result.stdout}`.trimEnd(),
    );
  }
  return result;
}

export interface WaitOptions {
  /** What is being waited for, for the time-out message ("queue q1 to become ready"). */
  readonly what: string;
  readonly timeoutMs: number;
  /** Called on every round; a string aborts the wait at once (a daemon died, a job aborted). */
  readonly abortIf?: () => string | undefined;
  /** Extra context for the time-out error (the log tail, the last state seen). */
  readonly diagnostics?: () => string;
}

/**
 * Polls probe until it returns something other than undefined. The interval starts at 5 ms and
 * backs off to 50 ms: most conditions here are met within a few milliseconds.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let interval = 5;
  for (;;) {
    const aborted = options.abortIf?.();
    if (aborted !== undefined) {
      throw new Error(`Gave up waiting for ${options.what}: ${aborted}`);
    }
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      const extra = options.diagnostics?.() ?? '';
      throw new Error(
        `Timed out after ${options.timeoutMs} ms waiting for ${options.what}.${extra ? `\n${extra}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
    interval = Math.min(interval * 2, 50);
  }
}

/** Daemons not stopped yet, killed when the test process exits (see killOnExit). */
const leftovers = new Set<Daemon>();
let exitHookInstalled = false;

/**
 * Kills the daemon (SIGKILL, with all it started) if the test process exits before it is
 * stopped; returns the function that forgets it again once it has been stopped. (A test process
 * killed outright is covered by PR_SET_PDEATHSIG, see spawnDaemon.)
 */
export function killOnExit(daemon: Daemon): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const leftover of leftovers) leftover.killNow();
    });
  }
  leftovers.add(daemon);
  return () => {
    leftovers.delete(daemon);
  };
}

/**
 * Waits until no live process is left in process group pgid (a daemon's, see spawnDaemon): after
 * a SIGKILL the leader is reaped first, while its children may still be exiting (a PostgreSQL
 * backend still attached to the old server's shared memory makes a restarted server refuse to
 * start). Without /proc, returns at once.
 */
export async function waitGroupGone(pgid: number, timeoutMs = 5_000): Promise<void> {
  const alive = (): number[] => {
    let entries: string[];
    try {
      entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
    } catch {
      return [];
    }
    return entries.map(Number).filter((pid) => {
      const stat = readStat(pid);
      return stat?.pgrp === pgid && !/^[ZX]/.test(stat.state);
    });
  };
  await waitFor(() => (alive().length === 0 ? true : undefined), {
    what: `the processes of group ${pgid} to exit`,
    timeoutMs,
    diagnostics: () => `Still running: ${alive().join(', ')}`,
  });
}

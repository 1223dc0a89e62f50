/**
 * What the ClientServices tests share: a policy written where the Linux policy file source reads
 * it, a transcripts file in a temporary folder, ClientServices composed over the real parts, a
 * recorder of its events that the tests await (never a fixed sleep), and a WebSocket whose
 * outgoing frames a test can hold back for a moment.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { EventName, EventPayload } from '../../../src-shared/api/contract.ts';
import { createPolicyService } from '../../../src-main/policy/policy-sources.ts';
import type { PolicyService } from '../../../src-main/policy/effective.ts';
import type { PrinterSystem } from '../../../src-main/printers/printer-system.ts';
import type { SecretStore } from '../../../src-main/secrets/secret-store.ts';
import { createClientServices } from '../../../src-main/services/index.ts';
import type {
  ClientServicesHost,
  ClientServicesOptions,
} from '../../../src-main/services/index.ts';

export const WAIT_MS = 10_000;
export const DEVICE_NAME = 'WS-SERVICES-01';

const dirs: string[] = [];

export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `printo-services-${label}-`));
  dirs.push(dir);
  // The policy file's folder must be writable by its owner only (linux-policy-file.ts).
  chmodSync(dir, 0o755);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface PolicyFiles {
  readonly dir: string;
  readonly policyFilePath: string;
  readonly userSettingsPath: string;
  readonly transcriptsPath: string;
  readonly service: PolicyService;
  /** Rewrites the policy file (IT changed it); `service.load()` reads it again. */
  write(values: Record<string, unknown>): void;
}

/** Policy as IT sets it on Linux (a root-owned file, mode 644), and the user's settings file. */
export function policyFiles(values: Record<string, unknown>, label = 'policy'): PolicyFiles {
  const dir = tempDir(label);
  const policyFilePath = join(dir, 'policy.json');
  const write = (next: Record<string, unknown>): void => {
    writeFileSync(policyFilePath, JSON.stringify(next), { mode: 0o644 });
  };
  write(values);
  const userSettingsPath = join(dir, 'settings.json');
  return {
    dir,
    policyFilePath,
    userSettingsPath,
    transcriptsPath: join(dir, 'transcripts.sqlite'),
    service: createPolicyService({ platform: 'linux', policyFilePath, userSettingsPath }),
    write,
  };
}

export type ServicesOptions = Omit<
  ClientServicesOptions,
  'policy' | 'transcriptsPath' | 'shell'
> & {
  readonly files: PolicyFiles;
};

/** ClientServices over the given parts; failures in the background are collected, not lost. */
export async function services(
  options: ServicesOptions,
): Promise<{ host: ClientServicesHost; backgroundErrors: unknown[] }> {
  const backgroundErrors: unknown[] = [];
  const { files, ...rest } = options;
  const host = await createClientServices({
    deviceName: DEVICE_NAME,
    ...rest,
    policy: files.service,
    transcriptsPath: files.transcriptsPath,
    shell: 'terminal',
    onBackgroundError: (error) => {
      backgroundErrors.push(error);
      options.onBackgroundError?.(error);
    },
  });
  return { host, backgroundErrors };
}

/** Every payload of one event, in order; `next` awaits the first match after the last one taken. */
export class Recorder<E extends EventName> {
  readonly seen: EventPayload<E>[] = [];
  readonly #event: E;
  #cursor = 0;
  #waiters = new Set<() => boolean>();
  readonly stop: () => void;

  constructor(host: Pick<ClientServicesHost, 'on'>, event: E) {
    this.#event = event;
    this.stop = host.on(event, (payload) => {
      this.seen.push(payload);
      for (const waiter of [...this.#waiters]) if (waiter()) this.#waiters.delete(waiter);
    });
  }

  /** Skips what arrived so far: `next` looks only at what comes after. */
  skip(): void {
    this.#cursor = this.seen.length;
  }

  /** The first payload after the cursor that matches; waits for it up to `timeoutMs`. */
  next(
    match: (payload: EventPayload<E>) => boolean = () => true,
    what = 'an event',
    timeoutMs = WAIT_MS,
  ): Promise<EventPayload<E>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const index = this.seen.findIndex((p, i) => i >= this.#cursor && match(p));
        const payload = this.seen[index];
        if (payload === undefined) return false;
        this.#cursor = index + 1;
        clearTimeout(timer);
        resolve(payload);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `no ${this.#event} (${what}) within ${timeoutMs} ms; since the cursor: ${JSON.stringify(this.seen.slice(this.#cursor)).slice(0, 2_000)}`,
          ),
        );
      }, timeoutMs);
      if (!check()) this.#waiters.add(check);
    });
  }
}

/** Polls a condition (for state outside the services' events); fails with `what` at the deadline. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The client's WebSocket, with its outgoing frames held back while `hold` is on (sent in order on
 * `release`): a test can make the agent's request cross the client's revocation on the wire.
 */
export class HeldFrames {
  #holding = false;
  readonly #held: (() => void)[] = [];

  hold(): void {
    this.#holding = true;
  }

  release(): void {
    this.#holding = false;
    for (const send of this.#held.splice(0)) send();
  }

  /** A WebSocket class for ClientServicesOptions.WebSocketImpl. */
  socketClass(): typeof WebSocket {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const frames = this;
    class HeldWebSocket extends WebSocket {
      override send(...args: unknown[]): void {
        const send = (): void => {
          (super.send as (...a: unknown[]) => void).apply(this, args);
        };
        if (!frames.#holding) {
          send();
          return;
        }
        frames.#held.push(() => {
          if (this.readyState === WebSocket.OPEN) send();
        });
      }
    }
    return HeldWebSocket;
  }
}

/** Resolves with what `promise` rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<{ code?: unknown } & Error> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: unknown } & Error;
  }
  throw new Error('expected a rejection');
}

export type { PrinterSystem, SecretStore };

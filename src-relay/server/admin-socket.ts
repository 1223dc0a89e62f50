/**
 * The running relay's maintenance door: a Unix socket in the data directory (`admin.sock`, mode
 * 0600 in a 0700 directory, so only the relay's own user gets in) through which `printo-relay`
 * commands run against the live store while `serve` holds it. One process still owns the data:
 * the commands' store calls are carried out here, by the relay, one at a time, between its own.
 * Disabling an agent or resetting its password takes effect at once (its web sessions end, its
 * connections close), and so do changing its organisation scope (its connections close; it
 * reconnects with the new one) and revoking a device (its connections close).
 *
 * Wire format: one JSON object per line each way. Request `{"id":1,"method":"listAgents",
 * "args":[]}`; answer `{"id":1,"ok":true,"value":…}` or `{"id":1,"ok":false,"error":{"code",
 * "message","hint"}}`. Dates travel as `{"$date":"<ISO 8601>"}`. Only the port methods the commands
 * use (ADMIN_METHODS); password hashes are not sent.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { isPrintoError } from '../../src-shared/errors.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from './contracts.ts';
import { errorFields } from './logger.ts';

export const ADMIN_SOCKET = 'admin.sock';

/** The longest Unix socket path Linux takes (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH_BYTES = 107;
/** A request is a method name and a few small arguments. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * What the commands need, and no more: the session runtime's writes (sessions, chat, receipts)
 * and device credentials stay the relay's own.
 */
export const ADMIN_METHODS: readonly (keyof Store)[] = [
  'createOrg',
  'listOrgs',
  'addEnrollmentKey',
  'createAgent',
  'listDevices',
  'revokeDevice',
  'findAgentCredentials',
  'getAgent',
  'listAgents',
  'setAgentDisabled',
  'setAgentScope',
  'setAgentPassword',
  'getSession',
  'listSessions',
  'listChat',
  'listCorrections',
  'listConsentReceipts',
  'setLegalHold',
  'purge',
  'exportSession',
  'eraseSession',
];

export interface AdminRequest {
  readonly id: number;
  readonly method: string;
  readonly args: readonly unknown[];
}

export type AdminReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string; readonly hint?: string };
    };

/** JSON with Dates kept: `purge(now: Date, …)` is one of the calls. */
export function encodeAdmin(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, inner: unknown) {
    const original = this[key];
    return original instanceof Date ? { $date: original.toISOString() } : inner;
  });
}

export function decodeAdmin(line: string): unknown {
  return JSON.parse(line, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const date = (value as { $date?: unknown }).$date;
      if (keys.length === 1 && typeof date === 'string') return new Date(date);
    }
    return value;
  });
}

export function adminSocketPath(dataDir: string): string {
  return join(dataDir, ADMIN_SOCKET);
}

export interface AdminSocketOptions {
  readonly dataDir: string;
  readonly store: Store;
  readonly logger: Logger;
  /** An agent was disabled through the socket: end its web sessions, close its connections. */
  readonly onAgentDisabled: (agentId: string) => void;
  /** An agent's organisation scope changed: close its connections, which hold the old one. */
  readonly onAgentScopeChanged: (agentId: string) => void;
  /** An agent's password was reset through the socket: the same, so only the new one opens. */
  readonly onAgentPasswordReset: (agentId: string) => void;
  /** A device was revoked through the socket: close its connections. */
  readonly onDeviceRevoked: (deviceId: string) => void;
}

export interface AdminSocket {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Listens on DATA_DIR/admin.sock; null (and a warning) where a Unix socket cannot be had (a path
 * too long, Windows): the commands then need `serve` stopped, as before.
 */
export async function startAdminSocket(options: AdminSocketOptions): Promise<AdminSocket | null> {
  const path = adminSocketPath(options.dataDir);
  if (process.platform === 'win32' || Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    options.logger.warn('admin-socket.unavailable', { reason: 'path' });
    return null;
  }
  // A socket file left by a relay that died: this process holds the store's exclusive lock, so
  // no other relay is serving this directory.
  if (existsSync(path)) unlinkSync(path);
  const connections = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    serve(socket, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  options.logger.info('admin-socket.listening', {});
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of connections) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function serve(socket: Socket, options: AdminSocketOptions): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('error', () => {
    socket.destroy();
  });
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_REQUEST_BYTES) {
      socket.destroy();
      return;
    }
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      socket.write(`${encodeAdmin(answer(line, options))}\n`);
    }
  });
}

function answer(line: string, options: AdminSocketOptions): AdminReply {
  let request: AdminRequest;
  try {
    request = decodeAdmin(line) as AdminRequest;
  } catch {
    return { id: 0, ok: false, error: { code: 'admin-bad-request', message: 'Not JSON.' } };
  }
  const id = typeof request.id === 'number' ? request.id : 0;
  if (!ADMIN_METHODS.includes(request.method as keyof Store) || !Array.isArray(request.args)) {
    return {
      id,
      ok: false,
      error: { code: 'admin-bad-request', message: 'No such call.' },
    };
  }
  const method = request.method as keyof Store;
  options.logger.info('admin.call', { method });
  try {
    const target = options.store as unknown as Record<string, unknown>;
    const value: unknown = Reflect.apply(
      target[method] as (...args: readonly unknown[]) => unknown,
      options.store,
      request.args,
    );
    if (method === 'setAgentDisabled' && value === true && request.args[1] === true) {
      options.onAgentDisabled(String(request.args[0]));
    }
    if (method === 'setAgentScope' && value === true) {
      options.onAgentScopeChanged(String(request.args[0]));
    }
    if (method === 'setAgentPassword' && value === true) {
      options.onAgentPasswordReset(String(request.args[0]));
    }
    if (method === 'revokeDevice' && value === true) {
      options.onDeviceRevoked(String(request.args[0]));
    }
    if (method === 'findAgentCredentials' && value !== null && typeof value === 'object') {
      // The commands ask whether an account exists; its password hash stays here.
      return { id, ok: true, value: { ...value, passwordHash: '' } };
    }
    return { id, ok: true, value: value ?? null };
  } catch (error) {
    // The code says why (store-locked, store-disk-full…); the arguments stay out of the log.
    options.logger.warn('admin.call-failed', { method, ...errorFields(error) });
    return {
      id,
      ok: false,
      error: isPrintoError(error)
        ? {
            code: error.code,
            message: error.message,
            ...(error.hint === undefined ? {} : { hint: error.hint }),
          }
        : { code: 'store-failed', message: 'The relay could not carry out the call.' },
    };
  }
}

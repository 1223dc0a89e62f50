/** Loopback ports for the test bed: free ones, dead ones, and a listener that never answers. */
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(error);
    };
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`Unexpected listener address for ${host}:${port}`));
      } else {
        resolve(address.port);
      }
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

let ipv6Loopback: boolean | undefined;

async function hasIpv6Loopback(): Promise<boolean> {
  if (ipv6Loopback === undefined) {
    const probe = createServer();
    try {
      await listen(probe, 0, '::1');
      ipv6Loopback = true;
    } catch {
      ipv6Loopback = false;
    } finally {
      await close(probe);
    }
  }
  return ipv6Loopback;
}

/**
 * A port that is free on 127.0.0.1 and, where IPv6 is up, on ::1 too: ippeveprinter `-n localhost`
 * binds both and exits when either is taken. The port is released before it is returned, so
 * another process may take it first; callers retry their bring-up when the bind fails.
 */
export async function freePort(): Promise<number> {
  const dual = await hasIpv6Loopback();
  for (let attempt = 0; attempt < 20; attempt++) {
    const v4 = createServer();
    const port = await listen(v4, 0, '127.0.0.1');
    try {
      if (!dual) return port;
      const v6 = createServer();
      try {
        await listen(v6, port, '::1');
        return port;
      } catch {
        // Taken on ::1 only; try another.
      } finally {
        await close(v6);
      }
    } finally {
      await close(v4);
    }
  }
  throw new Error('Could not find a loopback port free on both 127.0.0.1 and ::1.');
}

/** True when something accepts a connection at the TCP port or Unix socket path. */
export function canConnect(
  target: { readonly port: number } | { readonly path: string },
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket =
      'path' in target
        ? createConnection({ path: target.path })
        : createConnection({ port: target.port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A TCP listener that accepts connections, reads whatever arrives and never replies. */
export interface SilentListener {
  readonly port: number;
  /** `ipp://127.0.0.1:PORT/ipp/print`: IPv4 on purpose, so a client cannot fall back elsewhere. */
  readonly uri: string;
  /** Connections accepted so far (to assert that a client really tried). */
  connections(): number;
  /** Drops open connections and stops listening; idempotent. */
  close(): Promise<void>;
}

export async function startSilentListener(): Promise<SilentListener> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    // Reading keeps the peer's writes from stalling on a full window: the client then waits on
    // the reply, which is the time-out under test.
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    socket.unref();
  });
  const port = await listen(server, 0, '127.0.0.1');
  // A forgotten listener must not keep the test process alive.
  server.unref();
  let closing: Promise<void> | undefined;
  return {
    port,
    uri: `ipp://127.0.0.1:${port}/ipp/print`,
    connections: () => accepted,
    close: () => {
      closing ??= (async () => {
        for (const socket of sockets) socket.destroy();
        await close(server);
      })();
      return closing;
    },
  };
}

/**
 * A loopback port with nothing listening: connections are refused at once. It was free a moment
 * ago; nothing stops another process from binding it later, which tests should tolerate.
 */
export async function deadPort(): Promise<number> {
  return freePort();
}

function procAddress(hex: string): string {
  // /proc/net/tcp{,6} print each 32-bit word of the address in host (little-endian) order.
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const group = hex.slice(word, word + 8).match(/../g) ?? [];
    bytes.push(...group.reverse().map((byte) => parseInt(byte, 16)));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  const full = groups.join(':');
  if (full === '0:0:0:0:0:0:0:0') return '::';
  if (full === '0:0:0:0:0:0:0:1') return '::1';
  return full;
}

/**
 * The local addresses on which some process of this network namespace listens for TCP on `port`
 * (from /proc/net/tcp and tcp6): `['127.0.0.1']` for a server bound to IPv4 loopback only,
 * `'0.0.0.0'` or `'::'` for one bound to every interface. Linux only.
 */
export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // No IPv6 in this kernel.
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (local === undefined || state !== '0A') continue; // 0A: LISTEN
      const [address = '', hexPort = ''] = local.split(':');
      if (parseInt(hexPort, 16) === port) found.push(procAddress(address));
    }
  }
  return found;
}

/**
 * Where the CUPS scheduler is, found the way the CUPS tools find it (cupsServer() in libcups):
 * `CUPS_SERVER`, then `ServerName` in ~/.cups/client.conf and /etc/cups/client.conf, then the
 * local domain socket, then localhost:631.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PrintoError } from '../../../src-shared/errors.ts';
import type { IppEndpoint } from '../ipp/transport.ts';

export interface CupsServer {
  readonly endpoint: IppEndpoint;
  /** Where the setting came from, for messages: `CUPS_SERVER`, a client.conf path, or `default`. */
  readonly source: string;
}

/** Domain sockets CUPS is built with: Debian/Fedora, older Linux, macOS. */
const DEFAULT_SOCKETS = [
  '/run/cups/cups.sock',
  '/var/run/cups/cups.sock',
  '/private/var/run/cupsd',
];

/**
 * Parses a CUPS server name: `/path/to/socket`, `host`, `host:port`, `[v6]:port`, each optionally
 * followed by `/version=1.1` (a libcups extension we accept and ignore).
 */
export function parseCupsServerName(value: string, source: string): IppEndpoint {
  const name = value.trim().replace(/\/version=[\d.]+$/, '');
  if (name === '') {
    throw new PrintoError('cups-server-invalid', `${source} is empty.`, {
      hint: 'Set it to host:port (e.g. localhost:631) or to the path of the CUPS socket.',
    });
  }
  if (name.startsWith('/')) return { kind: 'unix', socketPath: name, path: '/' };
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+))(?::(\d{1,5}))?$/.exec(name);
  const port = Number(match?.[3] ?? 631);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || port < 1 || port > 65535) {
    throw new PrintoError(
      'cups-server-invalid',
      `${source} is not a valid server: ${JSON.stringify(value)}.`,
      {
        hint: 'Use host, host:port, [IPv6]:port or an absolute socket path.',
      },
    );
  }
  return { kind: 'tcp', host, port, tls: false, path: '/' };
}

function serverNameFrom(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const match = /^\s*ServerName\s+(\S+)/i.exec(line);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

export function resolveCupsServer(
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
  home: string = homedir(),
): CupsServer {
  const fromEnv = env['CUPS_SERVER'];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { endpoint: parseCupsServerName(fromEnv, 'CUPS_SERVER'), source: 'CUPS_SERVER' };
  }
  const serverRoot = env['CUPS_SERVERROOT'] ?? '/etc/cups';
  for (const file of [join(home, '.cups', 'client.conf'), join(serverRoot, 'client.conf')]) {
    const name = serverNameFrom(file);
    if (name !== undefined) return { endpoint: parseCupsServerName(name, file), source: file };
  }
  const socket = DEFAULT_SOCKETS.find((path) => exists(path));
  if (socket !== undefined) {
    return { endpoint: { kind: 'unix', socketPath: socket, path: '/' }, source: 'default' };
  }
  return {
    endpoint: { kind: 'tcp', host: 'localhost', port: 631, tls: false, path: '/' },
    source: 'default',
  };
}

/**
 * The relay's address, checked once: TLS everywhere except loopback (remote-support.md: `wss`
 * only off loopback), no credentials in the URL, and the endpoints derived from it.
 */
import { isIP } from 'node:net';
import { PrintoError } from '../../src-shared/errors.ts';

export interface RelayEndpoints {
  /** `POST` here to enroll. */
  readonly enroll: URL;
  /** The desktop client's WebSocket endpoint. */
  readonly client: URL;
  /** The device's rights over the relay's copy of its sessions (`GET` the list; `…/{id}/…`). */
  readonly deviceSessions: URL;
}

function isLoopback(hostname: string): boolean {
  const bare =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const host = bare.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  // The URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  if (isIP(host) === 6) return host === '::1' || host.startsWith('::ffff:7f');
  return false;
}

/** Accepts `https:`/`wss:` anywhere and `http:`/`ws:` on loopback; a path prefix is kept. */
export function relayEndpoints(relayUrl: string): RelayEndpoints {
  let url: URL;
  try {
    url = new URL(relayUrl);
  } catch {
    throw new PrintoError(
      'relay-url-invalid',
      `The relay address ${JSON.stringify(relayUrl)} is not a URL.`,
      {
        hint: 'Use the form https://relay.example.com (ask your IT department for the address).',
      },
    );
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const plain = url.protocol === 'http:' || url.protocol === 'ws:';
  if (!secure && !plain) {
    throw new PrintoError(
      'relay-url-invalid',
      `The relay address must start with https:// (got ${url.protocol}//).`,
    );
  }
  if (plain && !isLoopback(url.hostname)) {
    throw new PrintoError(
      'relay-url-insecure',
      `Refusing to talk to ${url.host} without TLS: device credentials and chat would travel in clear text.`,
      {
        hint: `Use https://${url.host}${url.pathname === '/' ? '' : url.pathname}; plain http is only allowed to this computer (127.0.0.1, localhost).`,
      },
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new PrintoError(
      'relay-url-invalid',
      'The relay address must not contain a user name or password.',
      {
        hint: 'Credentials travel in the Authorization header, never in a URL (URLs end up in logs).',
      },
    );
  }
  const base = new URL(url.href);
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const http = new URL(base.href);
  http.protocol = secure ? 'https:' : 'http:';
  const ws = new URL(base.href);
  ws.protocol = secure ? 'wss:' : 'ws:';
  return {
    enroll: new URL('v1/enroll', http),
    client: new URL('v1/client', ws),
    deviceSessions: new URL('v1/device/sessions', http),
  };
}

/**
 * The way to the relay through a proxy (policy `proxy`, src-main/session/proxy.ts), on real parts:
 * a real relay on loopback and a real CONNECT proxy in front of it (the `proxy` package, which
 * tunnels for real), a proxy that refuses, a port where nothing listens, and a small SOCKS5
 * server. Each connection the client makes — enrolment, the session's WebSocket, the device's
 * rights requests — must be seen by the proxy, or not at all when NO_PROXY or `none` says so.
 */
import { Server, createServer } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createProxy } from 'proxy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../../src-main/session/enroll.ts';
import type { ProxyEnv, ProxySetting } from '../../src-main/session/proxy.ts';
import { RelayRights } from '../../src-main/session/relay-rights.ts';
import { SupportSession } from '../../src-main/session/session.ts';
import type { DeviceCredentials, SessionEnd } from '../../src-main/session/types.ts';
import { isPrintoError } from '../../src-shared/errors.ts';
import { removeTempDirs, startBed } from './relay/harness.ts';
import type { Bed } from './relay/harness.ts';

let bed: Bed;
let relayHost: string;
beforeAll(async () => {
  bed = await startBed();
  relayHost = new URL(bed.url).host;
});
afterAll(async () => {
  await bed.stop();
  removeTempDirs();
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function listen(server: Server | net.Server): Promise<string> {
  closers.push(
    () =>
      new Promise((resolve) => {
        if (server instanceof Server) server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  );
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

/** A real forwarding proxy (the `proxy` package); `connects` are the CONNECT targets it saw. */
async function connectProxy(
  options: { authenticate?: boolean } = {},
): Promise<{ url: string; connects: string[] }> {
  const connects: string[] = [];
  const server = createProxy(createServer());
  if (options.authenticate === true) server.authenticate = () => false;
  server.on('connect', (request: { url?: string }) => connects.push(request.url ?? ''));
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
  });
  closers.push(() => {
    // Tunnels are raw sockets the server no longer tracks as HTTP connections.
    for (const socket of sockets) socket.destroy();
    return Promise.resolve();
  });
  return { url: `http://${await listen(server)}`, connects };
}

/** A proxy that answers every CONNECT with `status`. */
async function refusingProxy(status: number): Promise<string> {
  const server = createServer();
  server.on('connect', (_request, socket: net.Socket) => {
    socket.end(`HTTP/1.1 ${status} Refused\r\ncontent-length: 0\r\n\r\n`);
  });
  return `http://${await listen(server)}`;
}

/** An address where nothing listens (a port just closed). */
async function deadAddress(): Promise<string> {
  const server = net.createServer();
  const address = await listen(server);
  await closers.pop()?.();
  return address;
}

/** A SOCKS5 server without authentication that really connects (RFC 1928, CONNECT only). */
async function socksProxy(): Promise<{ url: string; connects: string[] }> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.once('data', () => {
      client.write(Buffer.from([5, 0])); // no authentication
      client.once('data', (request: Buffer) => {
        const type = request[3];
        let host: string;
        let at: number;
        if (type === 1) {
          host = [...request.subarray(4, 8)].join('.');
          at = 8;
        } else if (type === 3) {
          const length = request[4] ?? 0;
          host = request.subarray(5, 5 + length).toString('latin1');
          at = 5 + length;
        } else {
          client.end(Buffer.from([5, 8, 0, 1, 0, 0, 0, 0, 0, 0]));
          return;
        }
        const port = request.readUInt16BE(at);
        connects.push(`${host}:${port}`);
        const upstream = net.connect(port, host, () => {
          client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
          upstream.pipe(client);
          client.pipe(upstream);
        });
        sockets.add(upstream);
        upstream.on('error', () => client.destroy());
      });
    });
  });
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    return Promise.resolve();
  });
  return { url: `socks5://${await listen(server)}`, connects };
}

const enrolVia = (proxy: ProxySetting, env: ProxyEnv): Promise<DeviceCredentials> =>
  enroll(
    bed.url,
    { enrollmentKey: bed.enrollmentKey, deviceName: 'WS-PROXIED' },
    { signal: AbortSignal.timeout(10_000), proxy, env },
  );

/** A session library that asks for help and reports how it ends. */
function session(
  credentials: DeviceCredentials,
  proxy: ProxySetting,
  env: ProxyEnv,
): { session: SupportSession; ends: SessionEnd[] } {
  const ends: SessionEnd[] = [];
  const support = new SupportSession({
    relayUrl: bed.url,
    credentials,
    deviceName: 'WS-PROXIED',
    proxy,
    env,
    backoff: { initialMs: 20, maxMs: 200 },
    random: () => 0,
    callbacks: {
      onConsentRequest: () => Promise.resolve({ granted: [], noticeShown: '' }),
      onDataRequest: () => Promise.reject(new Error('no data in this test')),
      onActionRequest: () => Promise.resolve({ outcome: 'declined' }),
      onEnded: (end) => ends.push(end),
    },
  });
  closers.push(() => support.end());
  return { session: support, ends };
}

describe('the relay connection through a proxy', () => {
  it('enrols, opens a session and asks for help, and uses the rights endpoints through a CONNECT proxy from the environment', async () => {
    const proxy = await connectProxy();
    const env = { HTTP_PROXY: proxy.url };
    const credentials = await enrolVia('system', env);
    expect(proxy.connects).toEqual([relayHost]);

    const { session: support } = session(credentials, 'system', env);
    // hello → welcome → help.request → help.queued, all over the tunnel.
    const queued = await support.askForHelp('The printer on floor 2 is offline');
    expect(queued.code).toMatch(/^\d{9}$/);
    expect(proxy.connects).toEqual([relayHost, relayHost]);
    await support.end();

    const rights = new RelayRights({ relayUrl: bed.url, credentials, proxy: 'system', env });
    const sessions = await rights.list();
    expect(sessions.map((s) => s.id)).toEqual([queued.sessionId]);
    expect(proxy.connects).toEqual([relayHost, relayHost, relayHost]);
  });

  it('uses a proxy URL from policy whatever the environment says, and ALL_PROXY under system', async () => {
    const proxy = await connectProxy();
    await enrolVia(proxy.url, {});
    expect(proxy.connects).toEqual([relayHost]);
    const other = await connectProxy();
    await enrolVia('system', { ALL_PROXY: other.url });
    expect(other.connects).toEqual([relayHost]);
  });

  it('goes direct when NO_PROXY names the relay, and under "none" whatever HTTPS_PROXY says', async () => {
    const proxy = await connectProxy();
    const credentials = await enrolVia('system', { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    await enrolVia('none', { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, ALL_PROXY: proxy.url });
    const { session: support } = session(credentials, 'none', {
      HTTP_PROXY: proxy.url,
      ALL_PROXY: proxy.url,
    });
    expect((await support.askForHelp('Direct')).code).toMatch(/^\d{9}$/);
    await support.end();
    const { session: bypassing } = session(credentials, 'system', {
      http_proxy: proxy.url,
      no_proxy: `localhost, ${relayHost}`,
    });
    expect((await bypassing.askForHelp('Bypassed')).code).toMatch(/^\d{9}$/);
    expect(proxy.connects).toEqual([]);
  });

  it('says proxy-auth-required when the proxy answers 407, for enrolment, the session and the rights requests', async () => {
    const proxy = await connectProxy({ authenticate: true });
    const credentials = await enrolVia('none', {});
    await expect(enrolVia(proxy.url, {})).rejects.toSatisfy(
      (error) =>
        isPrintoError(error, 'proxy-auth-required') &&
        error.message.includes(new URL(proxy.url).host) &&
        error.hint !== undefined,
    );
    const rights = new RelayRights({ relayUrl: bed.url, credentials, proxy: proxy.url });
    await expect(rights.list()).rejects.toSatisfy((error) =>
      isPrintoError(error, 'proxy-auth-required'),
    );
    // The session does not retry what will be refused again: it ends, and says why.
    const { session: support, ends } = session(credentials, proxy.url, {});
    await expect(support.askForHelp('Behind a strict proxy')).rejects.toSatisfy((error) =>
      isPrintoError(error, 'proxy-auth-required'),
    );
    expect(ends.map((end) => end.reason)).toEqual(['proxy-auth-required']);
    expect(proxy.connects).toEqual([relayHost, relayHost, relayHost]);
  });

  it('says proxy-refused for 403 and 502, and never shows the proxy’s password', async () => {
    const forbidding = await refusingProxy(403);
    const withPassword = new URL(forbidding);
    withPassword.username = 'alice';
    withPassword.password = 's3cret-pw';
    let caught: unknown;
    try {
      await enrolVia('system', { HTTP_PROXY: withPassword.href });
    } catch (error) {
      caught = error;
    }
    expect(isPrintoError(caught, 'proxy-refused')).toBe(true);
    expect(
      JSON.stringify([(caught as Error).message, (caught as { hint?: string }).hint]),
    ).not.toMatch(/s3cret|alice/);
    const gateway = await refusingProxy(502);
    await expect(enrolVia(gateway, {})).rejects.toSatisfy(
      (error) => isPrintoError(error, 'proxy-refused') && error.message.includes('502'),
    );
    const credentials = await enrolVia('none', {});
    const { session: support, ends } = session(credentials, forbidding, {});
    await expect(support.askForHelp('Forbidden')).rejects.toSatisfy((error) =>
      isPrintoError(error, 'proxy-refused'),
    );
    expect(ends.map((end) => end.reason)).toEqual(['proxy-refused']);
  });

  it('says proxy-unreachable when nothing answers at the proxy’s address', async () => {
    const dead = `http://${await deadAddress()}`;
    await expect(enrolVia(dead, {})).rejects.toSatisfy((error) =>
      isPrintoError(error, 'proxy-unreachable'),
    );
    const credentials = await enrolVia('none', {});
    const rights = new RelayRights({
      relayUrl: bed.url,
      credentials,
      proxy: 'system',
      env: { HTTP_PROXY: dead },
    });
    await expect(rights.list()).rejects.toSatisfy((error) =>
      isPrintoError(error, 'proxy-unreachable'),
    );
  });

  it('goes through a SOCKS5 proxy', async () => {
    const socks = await socksProxy();
    const credentials = await enrolVia(socks.url, {});
    const { session: support } = session(credentials, socks.url, {});
    expect((await support.askForHelp('Through SOCKS')).code).toMatch(/^\d{9}$/);
    await support.end();
    expect(socks.connects).toEqual([relayHost, relayHost]);
  });
});

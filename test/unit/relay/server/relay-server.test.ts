/**
 * startRelay with the memory store on loopback: addresses and the refusal to serve plain HTTP
 * off loopback (checked before anything is bound), TLS, the upgrade hook, the purge timer and
 * the order of a graceful stop.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PrintoError } from '../../../../src-shared/errors.ts';
import {
  RelayErrorCode,
  checkBindSecurity,
  isLoopbackHost,
  startRelay,
} from '../../../../src-relay/server/relay-server.ts';
import type { RelayOptions, RunningRelay } from '../../../../src-relay/server/relay-server.ts';
import { silentLogger } from '../../../../src-relay/server/logger.ts';
import { ManualClock } from '../../manual-clock.ts';
import { call } from './http-client.ts';
import { createMemoryStore } from './memory-store.ts';

const TLS_DIR = fileURLToPath(new URL('../../../fixtures/tls/', import.meta.url));
const RETENTION = { chatTranscriptDays: 90, consentReceiptDays: 730, sessionMetadataDays: 730 };

let relays: RunningRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.map((r) => r.stop({ reason: 'test-over' })));
  relays = [];
});

async function start(options: Partial<RelayOptions> = {}): Promise<RunningRelay> {
  const relay = await startRelay({
    store: createMemoryStore(),
    retention: RETENTION,
    port: 0,
    logger: silentLogger,
    ...options,
  });
  relays.push(relay);
  return relay;
}

/** Sends a raw WebSocket upgrade request and returns the status line. */
function rawUpgrade(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'GET /v1/client HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('close', () => {
      resolve(data.split('\r\n')[0] ?? '');
    });
    socket.on('error', reject);
  });
}

describe('binding', () => {
  it('knows loopback addresses', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackHost(host)).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'relay.example.com', '128.0.0.1']) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });

  it('refuses plain HTTP off loopback unless TLS or force', () => {
    expect(() => {
      checkBindSecurity({ host: '0.0.0.0', tls: false, force: false });
    }).toThrow(/Refusing to serve plain HTTP on 0\.0\.0\.0/);
    expect(() => {
      checkBindSecurity({ host: '0.0.0.0', tls: true, force: false });
    }).not.toThrow();
    expect(() => {
      checkBindSecurity({ host: '0.0.0.0', tls: false, force: true });
    }).not.toThrow();
    expect(() => {
      checkBindSecurity({ host: '127.0.0.1', tls: false, force: false });
    }).not.toThrow();
  });

  it('startRelay throws before binding anything off loopback without TLS', async () => {
    const store = createMemoryStore();
    const error: unknown = await startRelay({
      store,
      retention: RETENTION,
      host: '0.0.0.0',
      port: 0,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrintoError);
    expect((error as PrintoError).code).toBe(RelayErrorCode.InsecureBind);
    expect((error as PrintoError).hint).toContain('--tls-cert');
    expect(store.purges).toHaveLength(0); // nothing started
  });

  it('serves on 127.0.0.1 and a picked port by default, and says where', async () => {
    const relay = await start();
    expect(relay.port).toBeGreaterThan(0);
    expect(relay.url).toBe(`http://127.0.0.1:${relay.port}`);
    expect((await call(`${relay.url}/healthz`)).json).toEqual({ status: 'ok' });
    expect(relay.context.access.origins.isAllowed(`http://localhost:${relay.port}`)).toBe(true);
  });

  it("allows the public URL's origin and makes cookies Secure behind an https proxy", async () => {
    const relay = await start({ publicUrl: 'https://relay.example.com/' });
    expect(relay.url).toBe('https://relay.example.com');
    expect(relay.context.access.origins.isAllowed('https://relay.example.com')).toBe(true);
    const error: unknown = await start({ publicUrl: 'relay.example.com' }).catch((e: unknown) => e);
    expect((error as PrintoError).code).toBe(RelayErrorCode.BadAddress);
  });

  it('explains a port already in use', async () => {
    const first = await start();
    const error: unknown = await start({ port: first.port }).catch((e: unknown) => e);
    expect((error as PrintoError).code).toBe(RelayErrorCode.Listen);
    expect((error as PrintoError).hint).toContain('--port');
  });

  it('serves TLS 1.2+ with a certificate and key, and explains missing files', async () => {
    const relay = await start({
      tls: { certFile: `${TLS_DIR}localhost.crt`, keyFile: `${TLS_DIR}localhost.key` },
    });
    expect(relay.url).toBe(`https://127.0.0.1:${relay.port}`);
    const ca = readFileSync(`${TLS_DIR}localhost.crt`);
    expect((await call(`${relay.url}/healthz`, { ca })).status).toBe(200);
    const error: unknown = await start({
      tls: { certFile: `${TLS_DIR}missing.crt`, keyFile: `${TLS_DIR}localhost.key` },
    }).catch((e: unknown) => e);
    expect((error as PrintoError).code).toBe(RelayErrorCode.TlsFiles);
  });
});

describe('upgrades', () => {
  it('are refused with 404 when no session hub is attached', async () => {
    const relay = await start();
    expect(await rawUpgrade(relay.port)).toBe('HTTP/1.1 404 Not Found');
  });

  it('go to the onUpgrade hook', async () => {
    const relay = await start({
      onUpgrade: (_request, socket) => {
        socket.end('HTTP/1.1 418 I am a teapot\r\nConnection: close\r\n\r\n');
      },
    });
    expect(await rawUpgrade(relay.port)).toBe('HTTP/1.1 418 I am a teapot');
  });
});

describe('retention purge', () => {
  it('runs at start and then every interval with the clock and the configured periods', async () => {
    const store = createMemoryStore();
    const clock = new ManualClock();
    await start({ store, clock, purgeIntervalMs: 60_000 });
    expect(store.purges).toEqual([{ now: new Date(clock.now()), periods: RETENTION }]);
    clock.advance(59_999);
    expect(store.purges).toHaveLength(1);
    clock.advance(1);
    expect(store.purges).toHaveLength(2);
    expect(store.purges[1]?.now).toEqual(new Date(clock.now()));
  });

  it('logs counts only and survives a failing purge, saying why by its code', async () => {
    const lines: string[] = [];
    const store = createMemoryStore();
    store.purge = () => {
      throw new PrintoError('store-disk-full', 'The disk holding /srv/relay is full.');
    };
    const { createLogger } = await import('../../../../src-relay/server/logger.ts');
    await start({ store, logger: createLogger({ write: (l) => lines.push(l) }) });
    const failed = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['event'] === 'retention.purge-failed');
    expect(failed).toMatchObject({ errorName: 'PrintoError', errorCode: 'store-disk-full' });
    expect(lines.join('')).not.toContain('/srv/relay');
  });
});

describe('graceful stop', () => {
  it('turns healthz to 503, ends sessions, closes the server, then the store', async () => {
    const store = createMemoryStore();
    const order: string[] = [];
    let healthDuringShutdown = 0;
    const relay = await start({
      store,
      onShutdown: async (reason) => {
        order.push(`sessions:${reason}`);
        healthDuringShutdown = (await call(`${relay.url}/healthz`)).status;
        expect(await rawUpgrade(relay.port)).toBe('HTTP/1.1 503 Service Unavailable');
        expect(store.closed).toBe(false);
      },
    });
    const close = store.close.bind(store);
    store.close = () => {
      order.push('store');
      close();
    };
    await relay.stop({ reason: 'maintenance' });
    expect(healthDuringShutdown).toBe(503);
    expect(order).toEqual(['sessions:maintenance', 'store']);
    expect(store.closed).toBe(true);
    await expect(call(`${relay.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    await relay.stop(); // idempotent
    expect(order).toHaveLength(2);
  });

  it('does not wait forever for a hub that hangs', async () => {
    const store = createMemoryStore();
    const clock = new ManualClock();
    const relay = await start({
      store,
      clock,
      shutdownGraceMs: 50,
      onShutdown: () => new Promise(() => undefined),
    });
    const stopped = relay.stop();
    expect(clock.pending).toEqual([50]);
    clock.advance(50);
    await stopped;
    expect(store.closed).toBe(true);
  });
});

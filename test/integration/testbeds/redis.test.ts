/**
 * The Redis test bed (test/testbed/redis.ts): a private redis-server that later cluster tests
 * stand on. Keys with a time to live, a transaction and a script, publish/subscribe between two
 * connections, loopback only, a SIGKILL and a restart on the same port that clients survive, and
 * a clean stop.
 */
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
// node-redis (`@redis/client`, the core of the `redis` package without its Redis Stack module
// packages) rather than ioredis: it is the client Redis itself maintains and recommends (ioredis
// is in best-effort maintenance, and Redis's docs carry a guide for migrating off it); typed
// replies; pub/sub on a duplicate() connection that resubscribes after a reconnect; SET with
// EX/PX/NX for cluster-wide keys with a time to live; MULTI/EXEC and defineScript (EVALSHA with
// a fallback to EVAL) for atomic updates; a configurable reconnect strategy; and createCluster /
// createSentinel should the relay ever need them. No dependencies of its own.
import { createClient, defineScript } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConnect, listeningAddresses } from '../../testbed/net.ts';
import { waitFor } from '../../testbed/proc.ts';
import { findRedisServer, RedisBed } from '../../testbed/redis.ts';

/** Compare-and-delete: the shape of the relay's "release this code only if it is still mine". */
const releaseIfOwner = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT:
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
  parseCommand(parser, key: string, owner: string) {
    parser.pushKey(key);
    parser.push(owner);
  },
  transformReply: (reply: number) => reply,
});

function connect(url: string) {
  const client = createClient({
    url,
    scripts: { releaseIfOwner },
    // Tests kill the server on purpose: retry every 50 ms, not with the default back-off.
    socket: { reconnectStrategy: () => 50 },
  });
  const errors: Error[] = [];
  // node-redis emits connection errors as 'error' events; unhandled, they would end the process.
  client.on('error', (error: Error) => errors.push(error));
  return { client, errors };
}

describe('Redis test bed', () => {
  let bed: RedisBed;

  beforeAll(async () => {
    bed = await RedisBed.start({ name: 'redis-smoke' });
  });

  afterAll(async () => {
    await bed.stop();
  });

  it('keeps keys with a time to live, runs a transaction and a script', async () => {
    const { client } = connect(bed.url);
    await client.connect();
    try {
      expect(
        await client.set('code:123456', 'session-a', { expiration: { type: 'EX', value: 60 } }),
      ).toBe('OK');
      expect(await client.get('code:123456')).toBe('session-a');
      const ttl = await client.ttl('code:123456');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
      // NX: a code is handed out once.
      expect(await client.set('code:123456', 'session-b', { condition: 'NX' })).toBeNull();

      await client.set('ticket:t1', 'x', { expiration: { type: 'PX', value: 30 } });
      await waitFor(async () => ((await client.exists('ticket:t1')) === 0 ? true : undefined), {
        what: 'ticket:t1 to expire',
        timeoutMs: 5_000,
      });

      const replies = await client
        .multi()
        .incr('guesses:a')
        .incr('guesses:a')
        .pExpire('guesses:a', 60_000)
        .exec();
      expect(replies).toEqual([1, 2, 1]);

      expect(await client.releaseIfOwner('code:123456', 'session-b')).toBe(0);
      expect(await client.releaseIfOwner('code:123456', 'session-a')).toBe(1);
      expect(await client.get('code:123456')).toBeNull();
    } finally {
      client.destroy();
    }
  });

  it('carries a message from one connection to a subscriber on another', async () => {
    const { client: publisher } = connect(bed.url);
    await publisher.connect();
    const subscriber = publisher.duplicate();
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    try {
      const received: string[] = [];
      await subscriber.subscribe('node:b', (message) => received.push(message));
      expect(await publisher.publish('node:b', 'frame 1')).toBe(1);
      await waitFor(() => (received.length > 0 ? true : undefined), {
        what: 'the published message',
        timeoutMs: 5_000,
      });
      expect(received).toEqual(['frame 1']);
    } finally {
      subscriber.destroy();
      publisher.destroy();
    }
  });

  it('listens on 127.0.0.1 only, without persistence', async () => {
    expect(listeningAddresses(bed.port)).toEqual(['127.0.0.1']);
    expect(bed.port).not.toBe(6379);
    const { client } = connect(bed.url);
    await client.connect();
    try {
      expect(await client.configGet('save')).toEqual({ save: '' });
      expect(await client.configGet('appendonly')).toEqual({ appendonly: 'no' });
      expect(await client.configGet('bind')).toEqual({ bind: '127.0.0.1' });
    } finally {
      client.destroy();
    }
  });

  it('comes back on the same port after kill -9; clients reconnect and resubscribe', async () => {
    const { client, errors } = connect(bed.url);
    await client.connect();
    const subscriber = client.duplicate();
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    try {
      const received: string[] = [];
      await subscriber.subscribe('failover', (message) => received.push(message));
      await client.set('volatile', '1');
      const { port, pid } = bed;

      await bed.kill();
      expect(bed.running).toBe(false);
      expect(await canConnect({ port })).toBe(false);
      await waitFor(() => (errors.length > 0 ? true : undefined), {
        what: 'the client to notice the dead server',
        timeoutMs: 5_000,
      });

      await bed.restart();
      expect(bed.port).toBe(port);
      expect(bed.pid).not.toBe(pid);
      expect(await client.ping()).toBe('PONG');
      // No persistence: the new server starts empty.
      expect(await client.get('volatile')).toBeNull();
      // The subscriber resubscribes by itself once it is back.
      await waitFor(
        async () => {
          await client.publish('failover', 'after restart');
          return received.includes('after restart') ? true : undefined;
        },
        { what: 'the subscriber to be back', timeoutMs: 10_000 },
      );
    } finally {
      subscriber.destroy();
      client.destroy();
    }
  });

  it('with persist, keeps the data across kill -9; with a password, refuses clients without it', async () => {
    const kept = await RedisBed.start({
      name: 'redis-persist',
      persist: true,
      password: 's3cret/x',
    });
    try {
      expect(kept.url).toBe(`redis://:s3cret%2Fx@127.0.0.1:${kept.port}`);
      const { client } = connect(kept.url);
      await client.connect();
      await client.set('kept', 'yes');
      await kept.kill();
      await kept.restart();
      expect(await client.get('kept')).toBe('yes');
      client.destroy();

      const reply = await new Promise<string>((resolve, reject) => {
        const socket = createConnection({ port: kept.port, host: '127.0.0.1' });
        socket.once('error', reject);
        socket.once('connect', () => socket.write('PING\r\n'));
        socket.once('data', (chunk: Buffer) => {
          socket.destroy();
          resolve(chunk.toString());
        });
      });
      expect(reply).toMatch(/^-NOAUTH/);
    } finally {
      await kept.stop();
    }
  });

  it('stop() ends the server and removes its directory', async () => {
    const other = await RedisBed.start({ name: 'redis-stop' });
    const { dir, port } = other;
    expect(existsSync(dir)).toBe(true);
    await other.stop();
    expect(existsSync(dir)).toBe(false);
    expect(await canConnect({ port })).toBe(false);
    await other.stop(); // Idempotent.
  });

  it('names the Debian package when redis-server is missing', () => {
    const saved = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      expect(() => findRedisServer()).toThrow(/Debian package redis-server/);
    } finally {
      process.env['PATH'] = saved;
    }
  });
});

/**
 * Printo Relay's HTTP side for real: the relay with its SQLite store in a temporary data
 * directory on 127.0.0.1 (port 0), over HTTP and over TLS with the test certificate; and the
 * `printo-relay` command as a user runs it, in child processes.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PrintoError } from '../../src-shared/errors.ts';
import { SUBPROTOCOL } from '../../src-shared/protocol/v1.ts';
import { startRelayWithSessions } from '../../src-relay/server/compose.ts';
import type { FullRelay } from '../../src-relay/server/compose.ts';
import { createAgentAccount, createOrgWithKey } from '../../src-relay/server/identities.ts';
import { createLogger } from '../../src-relay/server/logger.ts';
import { RelayErrorCode, startRelay } from '../../src-relay/server/relay-server.ts';
import type { RelayOptions } from '../../src-relay/server/relay-server.ts';
import { DEFAULT_RELAY_RETENTION } from '../../src-relay/store/config.ts';
import { loadOrCreateMasterKey } from '../../src-relay/store/master-key.ts';
import { SqliteStore } from '../../src-relay/store/sqlite-store.ts';
import type { Store } from '../../src-relay/store/store.ts';
import { ManualClock } from '../unit/manual-clock.ts';
import { call, sessionCookie } from '../unit/relay/server/http-client.ts';
import { BIN, serve } from './relay/serve.ts';
import type { TestResponse } from '../unit/relay/server/http-client.ts';

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const CERT = join(TLS_DIR, 'localhost.crt');
const KEY = join(TLS_DIR, 'localhost.key');
const CA = readFileSync(CERT);
const PASSWORD = 'correct horse battery staple';
const NOW = '2026-11-25T09:00:00.000Z';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'printo-relay-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function openStore(dataDir: string): Store {
  return new SqliteStore({ dataDir, masterKey: loadOrCreateMasterKey(dataDir) });
}

// ---------------------------------------------------------------------------------------------
// In-process relay

interface Bed {
  readonly relay: FullRelay;
  readonly clock: ManualClock;
  readonly enrollmentKey: string;
  readonly origin: string;
  readonly logs: string[];
}

const relays: FullRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop({ reason: 'test-over' })));
});

async function startBed(options: Partial<RelayOptions> = {}): Promise<Bed> {
  const dataDir = tempDir();
  const store = openStore(dataDir);
  const { enrollmentKey } = createOrgWithKey(store, 'Acme', NOW);
  await createAgentAccount(
    store,
    { email: 'sam@example.com', name: 'Sam Support', role: 'agent', password: PASSWORD },
    NOW,
  );
  const clock = new ManualClock();
  const logs: string[] = [];
  const relay = await startRelayWithSessions({
    store,
    retention: DEFAULT_RELAY_RETENTION,
    port: 0,
    clock,
    logger: createLogger({ write: (line) => logs.push(line), level: 'debug' }),
    ...options,
  });
  relays.push(relay);
  return { relay, clock, enrollmentKey, origin: relay.url, logs };
}

const json = (url: string, body: unknown, headers: Record<string, string> = {}, ca?: Buffer) =>
  call(url, { method: 'POST', json: body, headers, ...(ca === undefined ? {} : { ca }) });

async function login(bed: Bed, password = PASSWORD, ca?: Buffer): Promise<TestResponse> {
  return json(
    `${bed.relay.url}/v1/agent/login`,
    { email: 'sam@example.com', password },
    { origin: bed.origin },
    ca,
  );
}

async function ticketFor(bed: Bed, cookie: string, ca?: Buffer): Promise<string> {
  const response = await call(`${bed.relay.url}/v1/agent/ticket`, {
    method: 'POST',
    headers: { cookie: `printo_session=${cookie}`, origin: bed.origin },
    ...(ca === undefined ? {} : { ca }),
  });
  expect(response.status).toBe(200);
  return (response.json as { ticket: string }).ticket;
}

/** Opens a WebSocket; resolves with the open socket or the HTTP status of the refusal. */
function openSocket(
  url: string,
  options: { origin?: string; headers?: Record<string, string>; ca?: Buffer } = {},
): Promise<{ status: number; socket?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, SUBPROTOCOL, {
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      perMessageDeflate: false,
    });
    socket.once('open', () => {
      resolve({ status: 101, socket });
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0 });
      response.resume();
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

const wsUrl = (relayUrl: string, path: string): string => relayUrl.replace(/^http/, 'ws') + path;

describe('relay over HTTP on loopback', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed();
    relays.splice(relays.indexOf(bed.relay), 1); // shared by this block; stopped in afterAll
  });
  afterAll(async () => {
    await bed.relay.stop({ reason: 'test-over' });
  });

  it('enrolls a device with a good key and refuses a bad one', async () => {
    const good = await json(`${bed.relay.url}/v1/enroll`, {
      enrollmentKey: bed.enrollmentKey,
      deviceName: 'WS-ACCOUNTS-07',
    });
    expect(good.status).toBe(201);
    const { deviceId, deviceSecret } = good.json as { deviceId: string; deviceSecret: string };
    const bad = await json(`${bed.relay.url}/v1/enroll`, {
      enrollmentKey: 'pek_not-a-key',
      deviceName: 'WS-ACCOUNTS-08',
    });
    expect(bad.status).toBe(401);
    expect(bad.json).toMatchObject({ error: { code: 'enrollment-key-invalid' } });

    // The device authenticates its WebSocket with the credentials, in a header.
    const basic = (secret: string) => ({
      authorization: `Basic ${Buffer.from(`${deviceId}:${secret}`).toString('base64')}`,
    });
    const ok = await openSocket(wsUrl(bed.relay.url, '/v1/client'), {
      headers: basic(deviceSecret),
    });
    expect(ok.status).toBe(101);
    ok.socket?.close();
    const wrong = await openSocket(wsUrl(bed.relay.url, '/v1/client'), {
      headers: basic(`${deviceSecret}x`),
    });
    expect(wrong.status).toBe(401);
  });

  it('logs an agent in with an HttpOnly, SameSite=Strict cookie (no Secure over plain HTTP)', async () => {
    const response = await login(bed);
    expect(response.status).toBe(204);
    const header = response.headers['set-cookie']?.[0] ?? '';
    expect(header).toMatch(
      /^printo_session=pws_[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=28800$/,
    );
    const me = await call(`${bed.relay.url}/v1/agent/me`, {
      headers: {
        cookie: `printo_session=${sessionCookie(response)}`,
        'sec-fetch-site': 'same-origin',
      },
    });
    expect(me.json).toMatchObject({ email: 'sam@example.com', role: 'agent' });

    const wrong = await login(bed, 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(bed.logs.join('')).not.toContain(PASSWORD);
    expect(bed.logs.join('')).not.toContain(sessionCookie(response));
  });

  it('opens the agent WebSocket with a ticket exactly once', async () => {
    const cookie = sessionCookie(await login(bed));
    const ticket = await ticketFor(bed, cookie);
    const url = wsUrl(bed.relay.url, `/v1/agent?ticket=${ticket}`);
    const first = await openSocket(url, { origin: bed.origin });
    expect(first.status).toBe(101);
    first.socket?.close();
    expect((await openSocket(url, { origin: bed.origin })).status).toBe(401);
  });

  it('refuses an expired ticket (30 s, on the relay clock)', async () => {
    const cookie = sessionCookie(await login(bed));
    const ticket = await ticketFor(bed, cookie);
    bed.clock.advance(30_000);
    const url = wsUrl(bed.relay.url, `/v1/agent?ticket=${ticket}`);
    expect((await openSocket(url, { origin: bed.origin })).status).toBe(401);
  });

  it('refuses a ticket from a foreign Origin, and a missing ticket', async () => {
    const cookie = sessionCookie(await login(bed));
    const ticket = await ticketFor(bed, cookie);
    const foreign = await openSocket(wsUrl(bed.relay.url, `/v1/agent?ticket=${ticket}`), {
      origin: 'https://evil.test',
    });
    expect(foreign.status).toBe(403);
    const none = await openSocket(wsUrl(bed.relay.url, '/v1/agent'), { origin: bed.origin });
    expect(none.status).toBe(401);
  });

  it('answers /healthz and counts refusals in /metrics', async () => {
    const health = await call(`${bed.relay.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
    const metrics = await call(`${bed.relay.url}/metrics`);
    expect(metrics.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(metrics.text).toMatch(
      /^printo_relay_rejections_total\{reason="auth-bad-ticket"\} [1-9]/m,
    );
    expect(metrics.text).toMatch(/^printo_relay_rejections_total\{reason="auth-bad-origin"\} 1$/m);
    expect(metrics.text).toMatch(/^printo_relay_rejections_total\{reason="enroll-bad-key"\} 1$/m);
    expect(metrics.text).toMatch(/^printo_relay_connections\{role="agent"\} \d+$/m);
    expect(metrics.text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });
});

describe('relay safety', () => {
  it('refuses a non-loopback address without TLS before binding or touching anything', async () => {
    const dataDir = tempDir();
    const store = openStore(dataDir);
    const error: unknown = await startRelay({
      store,
      retention: DEFAULT_RELAY_RETENTION,
      host: '0.0.0.0',
      port: 0,
    }).catch((e: unknown) => e);
    store.close();
    expect(error).toBeInstanceOf(PrintoError);
    expect((error as PrintoError).code).toBe(RelayErrorCode.InsecureBind);
  });

  it('serves HTTPS and WSS with TLS 1.2+ and marks the cookie Secure', async () => {
    const bed = await startBed({ tls: { certFile: CERT, keyFile: KEY } });
    expect(bed.relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(`${bed.relay.url}/healthz`, { ca: CA })).status).toBe(200);
    const response = await login(bed, PASSWORD, CA);
    expect(response.status).toBe(204);
    expect(response.headers['set-cookie']?.[0]?.split('; ')).toContain('Secure');
    const ticket = await ticketFor(bed, sessionCookie(response), CA);
    const agent = await openSocket(wsUrl(bed.relay.url, `/v1/agent?ticket=${ticket}`), {
      origin: bed.origin,
      ca: CA,
    });
    expect(agent.status).toBe(101);
    agent.socket?.close();

    // A TLS 1.1 client gets no connection.
    const port = bed.relay.port;
    const old = await new Promise<string>((resolve) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port,
        ca: CA,
        maxVersion: 'TLSv1.1',
        minVersion: 'TLSv1',
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', () => {
        resolve('refused');
      });
    });
    expect(old).toBe('refused');
  });

  it('ends connected sessions on a graceful stop, then closes', async () => {
    const bed = await startBed();
    const ticket = await ticketFor(bed, sessionCookie(await login(bed)));
    const agent = await openSocket(wsUrl(bed.relay.url, `/v1/agent?ticket=${ticket}`), {
      origin: bed.origin,
    });
    const closed = new Promise<number>((resolve) => agent.socket?.once('close', resolve));
    relays.splice(relays.indexOf(bed.relay), 1);
    await bed.relay.stop({ reason: 'maintenance' });
    expect(await closed).toBe(1001);
    await expect(call(`${bed.relay.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  });
});

// ---------------------------------------------------------------------------------------------
// The printo-relay command

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd, env: { ...process.env, PRINTO_RELAY_DATA: '' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

describe('printo-relay command', () => {
  it('orgs add prints an enrollment key once; orgs list shows the organisation', async () => {
    const dir = tempDir();
    const added = await cli(['--data-dir', dir, 'orgs', 'add', 'Acme Ltd']);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/Enrollment key \(shown only now\): pek_[\w-]{43}/);
    const list = await cli(['--data-dir', dir, 'orgs', 'list', '--json']);
    expect(list.code).toBe(0);
    const { orgs } = JSON.parse(list.stdout) as { orgs: { name: string }[] };
    expect(orgs.map((o) => o.name)).toEqual(['Acme Ltd']);
    expect(list.stdout).not.toContain('pek_');
  });

  it('agents add reads the password from stdin only, and the agent can log in', async () => {
    const dir = tempDir();
    const added = await cli(
      [
        '--data-dir',
        dir,
        'agents',
        'add',
        'Sam@Example.com',
        '--name',
        'Sam Support',
        '--password-stdin',
      ],
      { input: `${PASSWORD}\n` },
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Added agent Sam Support <sam@example.com>');
    const noTty = await cli([
      '--data-dir',
      dir,
      'agents',
      'add',
      'pat@example.com',
      '--name',
      'Pat',
    ]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--password-stdin');
    const short = await cli(
      ['--data-dir', dir, 'agents', 'add', 'pat@example.com', '--name', 'Pat', '--password-stdin'],
      { input: 'short\n' },
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 12 characters');
    await cli(
      ['--data-dir', dir, 'agents', 'add', 'pat@example.com', '--name', 'Pat', '--password-stdin'],
      { input: `${PASSWORD}\n` },
    );
    expect((await cli(['--data-dir', dir, 'agents', 'disable', 'pat@example.com'])).code).toBe(0);
    const list = JSON.parse(
      (await cli(['--data-dir', dir, 'agents', 'list', '--json'])).stdout,
    ) as {
      agents: { email: string; disabled: boolean }[];
    };
    expect(list.agents.map((a) => [a.email, a.disabled])).toEqual([
      ['sam@example.com', false],
      ['pat@example.com', true],
    ]);

    const relay = await serve(['--data-dir', dir]);
    try {
      expect(relay.stdout()).not.toContain('First start'); // agents exist already
      const loginAs = (email: string) =>
        json(`${relay.url}/v1/agent/login`, { email, password: PASSWORD }, { origin: relay.url });
      expect((await loginAs('sam@example.com')).status).toBe(204);
      expect((await loginAs('pat@example.com')).status).toBe(401);
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });

  it('serve creates a development org and admin on first start and prints them once', async () => {
    const home = tempDir(); // default data dir: ./printo-relay-data in the working directory
    const first = await serve([], home);
    let stdout = first.stdout();
    const key = /Enrollment key:\s+(pek_[\w-]+)/.exec(stdout)?.[1] ?? '';
    const email = /Admin email:\s+(\S+)/.exec(stdout)?.[1] ?? '';
    const password = /Admin password:\s+(\S+)/.exec(stdout)?.[1] ?? '';
    try {
      expect(stdout).toContain('First start');
      expect(key).not.toBe('');
      expect(password).not.toBe('');
      const enrolled = await json(`${first.url}/v1/enroll`, {
        enrollmentKey: key,
        deviceName: 'WS-1',
      });
      expect(enrolled.status).toBe(201);
      const admin = await json(
        `${first.url}/v1/agent/login`,
        { email, password },
        { origin: first.url },
      );
      expect(admin.status).toBe(204);
      const me = await call(`${first.url}/v1/agent/me`, {
        headers: { cookie: `printo_session=${sessionCookie(admin)}`, origin: first.url },
      });
      expect(me.json).toMatchObject({ role: 'admin' });
    } finally {
      expect(await first.stop()).toBe(0);
    }
    // Read once the relay has exited: its log lines travel on another pipe than the responses.
    expect(first.logs()).toContain('"event":"agent.logged-in"');
    expect(first.logs()).not.toContain(password);
    expect(first.logs()).not.toContain(key);
    stdout = first.stdout();
    expect(stdout).toContain('Stopped.');
    expect(existsSync(join(home, 'printo-relay-data', 'relay.sqlite'))).toBe(true);

    const second = await serve(['--data-dir', join(home, 'printo-relay-data')]);
    try {
      expect(second.stdout()).not.toContain('First start');
      expect(second.stdout()).not.toContain('password');
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('runs the other commands through a running serve; a disabled agent is cut off at once', async () => {
    const dir = tempDir();
    const relay = await serve(['--data-dir', dir]);
    let closeCode: Promise<number> | undefined;
    try {
      expect(statSync(join(dir, 'admin.sock')).mode & 0o777).toBe(0o600);
      const added = await cli(
        [
          '--data-dir',
          dir,
          'agents',
          'add',
          'sam@example.com',
          '--name',
          'Sam',
          '--password-stdin',
        ],
        { input: `${PASSWORD}\n` },
      );
      expect(added.code).toBe(0);

      // Sam logs in and opens the agent WebSocket on the running relay.
      const origin = relay.url;
      const loggedIn = await json(
        `${relay.url}/v1/agent/login`,
        { email: 'sam@example.com', password: PASSWORD },
        { origin },
      );
      expect(loggedIn.status).toBe(204);
      const cookie = `printo_session=${sessionCookie(loggedIn)}`;
      const ticket = await call(`${relay.url}/v1/agent/ticket`, {
        method: 'POST',
        headers: { cookie, origin },
      });
      const { ticket: value } = ticket.json as { ticket: string };
      const agent = await openSocket(wsUrl(relay.url, `/v1/agent?ticket=${value}`), { origin });
      expect(agent.status).toBe(101);
      closeCode = new Promise<number>((resolve) => agent.socket?.once('close', resolve));

      const disabled = await cli(['--data-dir', dir, 'agents', 'disable', 'sam@example.com']);
      expect(disabled.code).toBe(0);
      expect(await closeCode).toBe(4001);
      const me = await call(`${relay.url}/v1/agent/me`, { headers: { cookie, origin: relay.url } });
      expect(me.status).toBe(401);

      const list = await cli(['--data-dir', dir, '--json', 'agents', 'list']);
      expect(list.code).toBe(0);
      const { agents } = JSON.parse(list.stdout) as {
        agents: { email: string; disabled: boolean }[];
      };
      expect(agents.find((a) => a.email === 'sam@example.com')?.disabled).toBe(true);
      const purged = await cli(['--data-dir', dir, 'purge']);
      expect(purged.code).toBe(0);
      expect(purged.stdout).toContain('Purged 0 session(s)');
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    // Gone with the relay; the commands open the file themselves again.
    expect(existsSync(join(dir, 'admin.sock'))).toBe(false);
    expect((await cli(['--data-dir', dir, 'agents', 'list'])).code).toBe(0);
    expect(relay.logs()).toContain('"event":"agent.disconnected"');
    expect(relay.logs()).not.toContain('sam@example.com');
  });

  it('through a running serve, reset-password and devices revoke cut the agent and the device off at once', async () => {
    const dir = tempDir();
    const relay = await serve(['--data-dir', dir]);
    const run = (args: readonly string[], input?: string) =>
      cli(['--data-dir', dir, ...args], input === undefined ? {} : { input });
    try {
      const origin = relay.url;
      const key = /Enrollment key:\s+(pek_[\w-]+)/.exec(relay.stdout())?.[1] ?? '';
      const enrolled = await json(`${relay.url}/v1/enroll`, {
        enrollmentKey: key,
        deviceName: 'WS-1',
      });
      const { deviceId, deviceSecret } = enrolled.json as {
        deviceId: string;
        deviceSecret: string;
      };
      const basic = {
        authorization: `Basic ${Buffer.from(`${deviceId}:${deviceSecret}`).toString('base64')}`,
      };
      const client = await openSocket(wsUrl(relay.url, '/v1/client'), { headers: basic });
      expect(client.status).toBe(101);
      const clientClosed = new Promise<number>((resolve) => client.socket?.once('close', resolve));

      const added = await run(
        ['agents', 'add', 'sam@example.com', '--name', 'Sam', '--password-stdin'],
        `${PASSWORD}\n`,
      );
      expect(added.code).toBe(0);
      const loginAs = (password: string) =>
        json(`${relay.url}/v1/agent/login`, { email: 'sam@example.com', password }, { origin });
      const loggedIn = await loginAs(PASSWORD);
      const cookie = `printo_session=${sessionCookie(loggedIn)}`;
      const ticket = await call(`${relay.url}/v1/agent/ticket`, {
        method: 'POST',
        headers: { cookie, origin },
      });
      const { ticket: value } = ticket.json as { ticket: string };
      const agent = await openSocket(wsUrl(relay.url, `/v1/agent?ticket=${value}`), { origin });
      expect(agent.status).toBe(101);
      const agentClosed = new Promise<number>((resolve) => agent.socket?.once('close', resolve));

      const next = 'another long passphrase';
      const reset = await run(
        ['agents', 'reset-password', 'sam@example.com', '--password-stdin'],
        `${next}\n`,
      );
      expect(reset.code).toBe(0);
      expect(await agentClosed).toBe(4001);
      expect(
        (await call(`${relay.url}/v1/agent/me`, { headers: { cookie, origin: relay.url } })).status,
      ).toBe(401);
      expect((await loginAs(PASSWORD)).status).toBe(401);
      expect((await loginAs(next)).status).toBe(204);

      const revoked = await run(['devices', 'revoke', deviceId]);
      expect(revoked.code).toBe(0);
      expect(await clientClosed).toBe(4001);
      const again = await openSocket(wsUrl(relay.url, '/v1/client'), { headers: basic });
      expect(again.status).toBe(401);
      const listed = JSON.parse((await run(['--json', 'devices', 'list'])).stdout) as {
        devices: { id: string; revokedAt?: string }[];
      };
      expect(listed.devices).toEqual([expect.objectContaining({ id: deviceId })]);
      expect(listed.devices[0]?.revokedAt).toEqual(expect.any(String));
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    expect(relay.logs()).toContain('"event":"device.disconnected"');
  });

  it('a socket file left by a relay that died is ignored, then replaced', async () => {
    const dir = tempDir();
    expect((await cli(['--data-dir', dir, 'orgs', 'add', 'Acme'])).code).toBe(0);
    writeFileSync(join(dir, 'admin.sock'), '');
    expect((await cli(['--data-dir', dir, 'orgs', 'list'])).stdout).toContain('Acme');
    const relay = await serve(['--data-dir', dir]);
    try {
      expect(statSync(join(dir, 'admin.sock')).isSocket()).toBe(true);
      expect((await cli(['--data-dir', dir, 'orgs', 'list'])).stdout).toContain('Acme');
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });

  it('serve stops cleanly on a SIGTERM sent the moment it says it is listening', async () => {
    // A supervisor may stop it at once; the handler must be in place before the line is out.
    // Without that, most of these stops killed it outright on a two-core machine.
    const dir = tempDir();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const relay = await serve(['--data-dir', dir]);
      expect(await relay.stop()).toBe(0);
      expect(relay.stdout()).toContain('Stopped.');
    }
  });

  it('serve refuses 0.0.0.0 without TLS before creating anything, and half a TLS pair', async () => {
    const dir = join(tempDir(), 'data');
    const refused = await cli(['--data-dir', dir, 'serve', '--host', '0.0.0.0', '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Refusing to serve plain HTTP on 0.0.0.0');
    expect(refused.stderr).toContain('--tls-cert');
    expect(existsSync(dir)).toBe(false);
    const half = await cli(['--data-dir', dir, 'serve', '--tls-cert', CERT]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('both --tls-cert and --tls-key');
  });

  it('serve speaks TLS with a certificate and key', async () => {
    const dir = tempDir();
    const relay = await serve(['--data-dir', dir, '--tls-cert', CERT, '--tls-key', KEY]);
    try {
      expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect((await call(`${relay.url}/healthz`, { ca: CA })).json).toEqual({ status: 'ok' });
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });

  it('lists sessions and exports, holds, releases and erases a transcript', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    const { org } = createOrgWithKey(store, 'Acme', NOW);
    const device = store.createDevice(
      { orgId: org.id, name: 'WS-1', secretHash: 'x'.repeat(64) },
      NOW,
    );
    const sessionId = randomUUID();
    store.createSession(
      { id: sessionId, orgId: org.id, deviceId: device.id, description: 'Printer jams on tray 2' },
      NOW,
    );
    store.close();
    const relay = (...args: string[]) => cli(['--data-dir', dir, ...args]);

    const listed = await relay('sessions', 'list', '--json');
    expect(listed.code).toBe(0);
    const { sessions } = JSON.parse(listed.stdout) as { sessions: { id: string; state: string }[] };
    expect(sessions).toEqual([expect.objectContaining({ id: sessionId, state: 'waiting' })]);
    expect(listed.stdout).not.toContain('tray 2'); // the customer's words are not listed
    expect((await relay('sessions', 'list', '--state', 'ended', '--json')).stdout).toContain(
      '"sessions": []',
    );

    const out = join(dir, 'export.json');
    expect((await relay('transcripts', 'export', sessionId, '--out', out)).code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as {
      format: string;
      session: { id: string };
    };
    expect(exported.format).toBe('printo-relay/session-export/v1');
    expect(exported.session.id).toBe(sessionId);
    const again = await relay('transcripts', 'export', sessionId, '--out', out);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('never overwrite');

    expect((await relay('transcripts', 'hold', sessionId)).code).toBe(0);
    const refused = await relay('transcripts', 'erase', sessionId);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('legal hold');
    expect((await relay('transcripts', 'release', sessionId)).code).toBe(0);
    const erased = await relay('transcripts', 'erase', sessionId);
    expect(erased.code).toBe(0);
    expect(erased.stdout).toContain('Erased');
  });

  it('reports usage errors with exit code 2 and missing sessions with 1', async () => {
    const dir = tempDir();
    expect((await cli([])).code).toBe(2);
    expect((await cli(['--data-dir', dir, 'sessions', 'list', '--state', 'bogus'])).code).toBe(2);
    const missing = await cli([
      '--data-dir',
      dir,
      'transcripts',
      'hold',
      '6a0d2c4e-1111-4222-8333-944455556666',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No session');
    const purge = await cli(['--data-dir', dir, 'purge', '--json']);
    expect(purge.code).toBe(0);
    expect(JSON.parse(purge.stdout)).toMatchObject({ sessions: 0, heldBack: 0 });
  });
});

/**
 * The HTTP handler on a real loopback server, with the memory store and a fake clock: every
 * endpoint, every refusal, the cookie's attributes, tickets, limits and error bodies.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentAccess } from '../../../../src-relay/server/agent-access.ts';
import type { AgentAccess } from '../../../../src-relay/server/agent-access.ts';
import type { Metrics } from '../../../../src-relay/server/contracts.ts';
import { createHttpHandler } from '../../../../src-relay/server/http.ts';
import type { HttpDeps } from '../../../../src-relay/server/http.ts';
import { createLogger } from '../../../../src-relay/server/logger.ts';
import { createMetrics } from '../../../../src-relay/server/metrics.ts';
import {
  SecretPrefix,
  generateSecret,
  hashPassword,
  hashSecret,
  secretMatches,
} from '../../../../src-relay/server/passwords.ts';
import { ManualClock } from '../../manual-clock.ts';
import { call, sessionCookie } from './http-client.ts';
import type { TestResponse } from './http-client.ts';
import { FAST_SCRYPT, createMemoryStore } from './memory-store.ts';
import type { MemoryStore } from './memory-store.ts';

const NOW = '2026-11-25T09:00:00.000Z';
const PASSWORD = 'correct horse battery staple';

let server: Server;
let base: string;
let origin: string;
let clock: ManualClock;
let store: MemoryStore;
let access: AgentAccess;
let metrics: Metrics;
let logLines: string[];
let shuttingDown: boolean;
let enrollmentKey: string;
let agentId: string;

async function serve(overrides: Partial<HttpDeps> = {}): Promise<void> {
  server = createServer(
    createHttpHandler({
      store,
      clock,
      logger: createLogger({ write: (line) => logLines.push(line), level: 'debug' }),
      metrics,
      access,
      secureCookies: false,
      isShuttingDown: () => shuttingDown,
      ...overrides,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  origin = base;
  access.origins.allow([origin]);
}

beforeEach(async () => {
  clock = new ManualClock();
  store = createMemoryStore();
  access = createAgentAccess({ clock });
  metrics = createMetrics();
  logLines = [];
  shuttingDown = false;
  const org = store.createOrg('Acme', NOW);
  enrollmentKey = generateSecret(SecretPrefix.enrollmentKey);
  store.addEnrollmentKey(org.id, hashSecret(enrollmentKey), NOW);
  agentId = store.createAgent(
    {
      email: 'sam@example.com',
      name: 'Sam Support',
      role: 'agent',
      passwordHash: await hashPassword(PASSWORD, FAST_SCRYPT),
    },
    NOW,
  ).id;
  await serve();
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** What a browser sends on a same-origin GET, which carries no Origin header. */
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };
const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
  call(`${base}${path}`, { method: 'POST', json, headers });
const login = (email = 'sam@example.com', password = PASSWORD, headers = { origin }) =>
  post('/v1/agent/login', { email, password }, headers);
const errorCode = (response: TestResponse): unknown =>
  (response.json as { error?: { code?: unknown } } | undefined)?.error?.code;

describe('POST /v1/enroll', () => {
  it('exchanges a good key for a device id and secret; only its hash is stored', async () => {
    const response = await post('/v1/enroll', { enrollmentKey, deviceName: ' WS-ACCOUNTS-07 ' });
    expect(response.status).toBe(201);
    const { deviceId, deviceSecret } = response.json as { deviceId: string; deviceSecret: string };
    expect(deviceSecret).toMatch(/^pds_[A-Za-z0-9_-]{43}$/);
    const stored = store.findDeviceCredentials(deviceId);
    expect(stored?.device.name).toBe('WS-ACCOUNTS-07');
    expect(stored?.secretHash).not.toContain(deviceSecret);
    expect(secretMatches(deviceSecret, stored?.secretHash ?? '')).toBe(true);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(logLines.join('')).not.toContain(deviceSecret);
    expect(logLines.join('')).not.toContain(enrollmentKey);
  });

  it('answers 401 for a wrong key, 400 for a bad body, 415 for another type', async () => {
    const wrong = await post('/v1/enroll', { enrollmentKey: 'pek_wrong', deviceName: 'x' });
    expect(wrong.status).toBe(401);
    expect(errorCode(wrong)).toBe('enrollment-key-invalid');
    const missing = await post('/v1/enroll', { enrollmentKey });
    expect(missing.status).toBe(400);
    expect(wrong.json).toEqual({
      error: { code: 'enrollment-key-invalid', message: expect.any(String) as unknown },
    });
    expect((missing.json as { error: { message: string } }).error.message).toContain('deviceName');
    const broken = await call(`${base}/v1/enroll`, {
      body: '{"enrollmentKey":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(errorCode(broken)).toBe('bad-request');
    const form = await call(`${base}/v1/enroll`, {
      body: 'enrollmentKey=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });

  it('refuses a body over 16 KiB, declared or streamed', async () => {
    const big = await post('/v1/enroll', { enrollmentKey, deviceName: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect(errorCode(big)).toBe('payload-too-large');
    const chunked = await call(`${base}/v1/enroll`, {
      body: Buffer.alloc(20_000, 0x20),
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    expect(chunked.status).toBe(413);
  });

  it('limits wrong keys per source address; good keys cost nothing', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await post('/v1/enroll', { enrollmentKey, deviceName: `WS-${i}` })).status).toBe(201);
    }
    for (let i = 0; i < 10; i++) {
      expect(
        (await post('/v1/enroll', { enrollmentKey: `pek_${i}`, deviceName: 'x' })).status,
      ).toBe(401);
    }
    const limited = await post('/v1/enroll', { enrollmentKey, deviceName: 'x' });
    expect(limited.status).toBe(429);
    expect(errorCode(limited)).toBe('rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    clock.advance(60_000);
    expect((await post('/v1/enroll', { enrollmentKey, deviceName: 'x' })).status).toBe(201);
    expect(metrics.render()).toContain('printo_relay_rejections_total{reason="enroll-bad-key"} 10');
  });
});

describe('agent login, me, logout', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie on success', async () => {
    const response = await login();
    expect(response.status).toBe(204);
    const header = response.headers['set-cookie']?.[0] ?? '';
    expect(header).toMatch(/^printo_session=pws_[A-Za-z0-9_-]{43}; /);
    const attributes = header.split('; ').slice(1);
    expect(attributes).toEqual(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=28800']);
    expect(logLines.join('')).not.toContain(sessionCookie(response));
    expect(logLines.join('')).not.toContain(PASSWORD);
  });

  it('adds Secure when served over TLS', async () => {
    await new Promise((resolve) => server.close(resolve));
    await serve({ secureCookies: true });
    const header = (await login()).headers['set-cookie']?.[0] ?? '';
    expect(header.split('; ')).toContain('Secure');
  });

  it('matches emails case-insensitively', async () => {
    expect((await login('  Sam@Example.COM ')).status).toBe(204);
  });

  it('answers the same 401 for a wrong password, an unknown email and a disabled agent', async () => {
    const wrong = await login('sam@example.com', 'wrong password');
    const unknown = await login('nobody@example.com', PASSWORD);
    store.setAgentDisabled(agentId, true);
    const disabled = await login();
    for (const response of [wrong, unknown, disabled]) {
      expect(response.status).toBe(401);
      expect(response.json).toEqual(wrong.json);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  });

  it('requires an allowed Origin', async () => {
    expect((await login('sam@example.com', PASSWORD, {} as { origin: string })).status).toBe(403);
    const foreign = await login('sam@example.com', PASSWORD, { origin: 'https://evil.test' });
    expect(foreign.status).toBe(403);
    expect(errorCode(foreign)).toBe('origin-not-allowed');
  });

  it('throttles guesses per account and per address; a good login resets the account', async () => {
    for (let i = 0; i < 5; i++)
      expect((await login('sam@example.com', `guess ${i}`)).status).toBe(401);
    const limited = await login();
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    clock.advance(60_000);
    expect((await login()).status).toBe(204);
    expect((await login('sam@example.com', 'wrong again')).status).toBe(401);
    // Per address: many accounts from one address.
    clock.advance(10 * 60_000);
    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) {
      status = (await login(`user${i}@example.com`, 'x')).status;
    }
    expect(status).toBe(429);
    // Up to 25 logins at full scrypt cost: CPU work, not a wait, which a busy machine stretches.
  }, 60_000);

  it('GET /v1/agent/me says who is logged in; logout ends the session', async () => {
    const cookie = `printo_session=${sessionCookie(await login())}`;
    const me = await call(`${base}/v1/agent/me`, { headers: { cookie, ...SAME_ORIGIN } });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({
      id: agentId,
      email: 'sam@example.com',
      name: 'Sam Support',
      role: 'agent',
    });
    // A same-origin GET carries no Origin, but the browser's Fetch Metadata; a foreign Origin,
    // a cross-site request, or neither header (not a browser page of ours) is refused.
    for (const headers of [
      { origin: 'https://evil.test' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      {},
    ]) {
      const refused = await call(`${base}/v1/agent/me`, { headers: { cookie, ...headers } });
      expect(refused.status).toBe(403);
      expect(errorCode(refused)).toBe('origin-not-allowed');
    }
    expect((await call(`${base}/v1/agent/me`, { headers: { cookie, origin } })).status).toBe(200);

    const logout = await call(`${base}/v1/agent/logout`, {
      method: 'POST',
      headers: { cookie, origin },
    });
    expect(logout.status).toBe(204);
    expect(logout.headers['set-cookie']?.[0]).toMatch(/^printo_session=; .*Max-Age=0/);
    expect(
      (await call(`${base}/v1/agent/me`, { headers: { cookie, ...SAME_ORIGIN } })).status,
    ).toBe(401);
  });

  it('expires the session after its lifetime', async () => {
    const cookie = `printo_session=${sessionCookie(await login())}`;
    clock.advance(8 * 60 * 60_000);
    const me = await call(`${base}/v1/agent/me`, { headers: { cookie, ...SAME_ORIGIN } });
    expect(me.status).toBe(401);
    expect(errorCode(me)).toBe('not-logged-in');
  });

  it('accepts the real cookie among planted ones of the same name', async () => {
    const token = sessionCookie(await login());
    const cookie = `printo_session=pws_planted; other=1; printo_session=${token}`;
    expect(
      (await call(`${base}/v1/agent/me`, { headers: { cookie, ...SAME_ORIGIN } })).status,
    ).toBe(200);
  });
});

describe('POST /v1/agent/ticket', () => {
  it('gives a single-use ticket valid for 30 seconds to a logged-in agent', async () => {
    const cookie = `printo_session=${sessionCookie(await login())}`;
    const response = await call(`${base}/v1/agent/ticket`, {
      method: 'POST',
      headers: { cookie, origin },
    });
    expect(response.status).toBe(200);
    const { ticket, expiresAt } = response.json as { ticket: string; expiresAt: string };
    expect(ticket).toMatch(/^pat_/);
    expect(Date.parse(expiresAt)).toBe(clock.now() + 30_000);
    expect(access.tickets.consume(ticket)).toMatchObject({ agentId, origin });
    expect(access.tickets.consume(ticket)).toBeNull();
  });

  it('requires the cookie, an allowed Origin and an enabled agent', async () => {
    const cookie = `printo_session=${sessionCookie(await login())}`;
    const url = `${base}/v1/agent/ticket`;
    expect((await call(url, { method: 'POST', headers: { origin } })).status).toBe(401);
    expect((await call(url, { method: 'POST', headers: { cookie } })).status).toBe(403);
    expect(
      (await call(url, { method: 'POST', headers: { cookie, origin: 'https://evil.test' } }))
        .status,
    ).toBe(403);
    store.setAgentDisabled(agentId, true);
    const disabled = await call(url, { method: 'POST', headers: { cookie, origin } });
    expect(disabled.status).toBe(403);
    expect(errorCode(disabled)).toBe('agent-disabled');
    store.setAgentDisabled(agentId, false);
    // The session was ended when the disabled agent used it.
    expect((await call(url, { method: 'POST', headers: { cookie, origin } })).status).toBe(401);
  });
});

describe('health, metrics and everything else', () => {
  it('/healthz is ok, then 503 while shutting down', async () => {
    const ok = await call(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ status: 'ok' });
    shuttingDown = true;
    expect((await call(`${base}/healthz`)).status).toBe(503);
  });

  it('/metrics serves the Prometheus text', async () => {
    await post('/v1/enroll', { enrollmentKey: 'pek_wrong', deviceName: 'x' });
    const response = await call(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.text).toContain('printo_relay_rejections_total{reason="enroll-bad-key"} 1');
    expect(response.text).toContain('process_resident_memory_bytes ');
  });

  it('answers 404 for unknown paths and 405 with Allow for a wrong method', async () => {
    for (const path of ['/', '/v1', '/v1/agent', '/v1/enroll/x', '/constructor', '/__proto__']) {
      const response = await call(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(errorCode(response)).toBe('not-found');
    }
    const wrong = await call(`${base}/v1/enroll`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect((await call(`${base}/healthz`, { method: 'DELETE' })).status).toBe(405);
  });

  it('answers 500 without details when something unexpected fails', async () => {
    store.findOrgByEnrollmentKeyHash = () => {
      throw new Error('database is locked at /secret/path');
    };
    const response = await post('/v1/enroll', { enrollmentKey, deviceName: 'x' });
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ error: { code: 'internal', message: 'Internal error.' } });
    expect(response.text).not.toContain('/secret/path');
    expect(logLines.join('')).not.toContain('/secret/path');
    expect(logLines.join('')).toContain('"event":"http.internal-error"');
  });

  it('sends no CORS headers and forbids framing and sniffing', async () => {
    const response = await call(`${base}/healthz`, { headers: { origin: 'https://evil.test' } });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});

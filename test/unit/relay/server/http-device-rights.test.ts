/**
 * The device's rights over the relay's copy of its sessions (docs/protocol.md §2): the HTTP
 * handler on a loopback server with the memory store. Only the device's own sessions, HTTP Basic
 * as its WebSocket, revoked devices refused, every request recorded by ids and outcome.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DeviceSessionListResponseSchema,
  HttpErrorBodySchema,
  SessionExportResponseSchema,
} from '../../../../src-shared/protocol/http.ts';
import { createAgentAccess } from '../../../../src-relay/server/agent-access.ts';
import { createHttpHandler } from '../../../../src-relay/server/http.ts';
import { createLogger } from '../../../../src-relay/server/logger.ts';
import { createMetrics } from '../../../../src-relay/server/metrics.ts';
import {
  SecretPrefix,
  generateSecret,
  hashSecret,
} from '../../../../src-relay/server/passwords.ts';
import { ManualClock } from '../../manual-clock.ts';
import { call } from './http-client.ts';
import type { TestResponse } from './http-client.ts';
import { createMemoryStore } from './memory-store.ts';
import type { MemoryStore } from './memory-store.ts';

const NOW = '2026-11-25T09:00:00.000Z';

let server: Server;
let base: string;
let store: MemoryStore;
let logLines: string[];
let orgId: string;

interface TestDevice {
  readonly id: string;
  readonly secret: string;
  readonly auth: Record<string, string>;
}

function device(name = 'WS-ACCOUNTS-07'): TestDevice {
  const secret = generateSecret(SecretPrefix.deviceSecret);
  const { id } = store.createDevice({ orgId, name, secretHash: hashSecret(secret) }, NOW);
  const basic = Buffer.from(`${id}:${secret}`).toString('base64');
  return { id, secret, auth: { authorization: `Basic ${basic}` } };
}

/** An ended session of `owner` with one client message and one agent message. */
function session(
  owner: TestDevice,
  text = 'My card 4111 is stuck',
): {
  id: string;
  clientMessageId: string;
  agentMessageId: string;
} {
  const id = randomUUID();
  store.createSession({ id, orgId, deviceId: owner.id, description: 'Tray 2 jams' }, NOW);
  store.updateSession(id, { state: 'ended', endedAt: NOW, grantedScopes: ['chat'] });
  const clientMessageId = randomUUID();
  const agentMessageId = randomUUID();
  store.appendChats([
    {
      sessionId: id,
      messageId: clientMessageId,
      seq: 1,
      from: 'client',
      senderName: 'WS',
      text,
      redacted: false,
      at: NOW,
    },
    {
      sessionId: id,
      messageId: agentMessageId,
      seq: 2,
      from: 'agent',
      senderName: 'Sam',
      text: 'On it',
      redacted: false,
      at: NOW,
    },
  ]);
  return { id, clientMessageId, agentMessageId };
}

beforeEach(async () => {
  store = createMemoryStore();
  logLines = [];
  const clock = new ManualClock();
  orgId = store.createOrg('Acme', NOW).id;
  server = createServer(
    createHttpHandler({
      store,
      clock,
      logger: createLogger({ write: (line) => logLines.push(line), level: 'debug' }),
      metrics: createMetrics(),
      access: createAgentAccess({ clock }),
      secureCookies: false,
      isShuttingDown: () => false,
      limits: { rightsPerDevice: { capacity: 8, refillMs: 60_000 } },
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, headers: Record<string, string>) =>
  call(`${base}${path}`, { method: 'GET', headers });
const post = (path: string, headers: Record<string, string>, json?: unknown) =>
  call(`${base}${path}`, { method: 'POST', headers, ...(json === undefined ? {} : { json }) });
const errorCode = (response: TestResponse): string =>
  HttpErrorBodySchema.parse(response.json).error.code;

describe('GET /v1/device/sessions', () => {
  it('lists this device’s sessions with their flags, never another device’s', async () => {
    const mine = device();
    const other = device('WS-OTHER');
    const own = session(mine);
    session(other);
    store.setLegalHold(own.id, true);
    const response = await get('/v1/device/sessions', mine.auth);
    expect(response.status).toBe(200);
    const { sessions } = DeviceSessionListResponseSchema.parse(response.json);
    expect(sessions.map((s) => s.id)).toEqual([own.id]);
    expect(sessions[0]).toMatchObject({
      state: 'ended',
      grantedScopes: ['chat'],
      legalHold: true,
      restricted: false,
      objected: false,
      agentName: null,
    });
    expect(store.rightsRequests).toEqual([
      { right: 'access', deviceId: mine.id, sessionId: null, outcome: 'done' },
    ]);
  });

  it('answers 401 for missing or wrong credentials and for a revoked device', async () => {
    const mine = device();
    expect((await get('/v1/device/sessions', {})).status).toBe(401);
    const wrong = Buffer.from(`${mine.id}:pds_wrong`).toString('base64');
    const bad = await get('/v1/device/sessions', { authorization: `Basic ${wrong}` });
    expect(bad.status).toBe(401);
    expect(errorCode(bad)).toBe('device-auth-failed');
    expect(bad.headers['www-authenticate']).toContain('Basic');
    store.revokeDevice(mine.id, NOW);
    const revoked = await get('/v1/device/sessions', mine.auth);
    expect(revoked.status).toBe(401);
    expect(errorCode(revoked)).toBe('device-auth-failed');
    expect(logLines.join('')).not.toContain(mine.secret);
  });

  it('is limited per device', async () => {
    const mine = device();
    const other = device('WS-OTHER');
    for (let i = 0; i < 8; i += 1) {
      expect((await get('/v1/device/sessions', mine.auth)).status).toBe(200);
    }
    const limited = await get('/v1/device/sessions', mine.auth);
    expect(limited.status).toBe(429);
    expect(errorCode(limited)).toBe('rate-limited');
    expect((await get('/v1/device/sessions', other.auth)).status).toBe(200);
  });
});

describe('the rights over one session', () => {
  it('exports the device’s own session; another device’s is 404 and recorded', async () => {
    const mine = device();
    const other = device('WS-OTHER');
    const own = session(mine);
    const foreign = session(other);
    const response = await get(`/v1/device/sessions/${own.id}/export`, mine.auth);
    expect(response.status).toBe(200);
    const exported = SessionExportResponseSchema.parse(response.json);
    expect(exported.session.id).toBe(own.id);
    expect(exported.transcript).toHaveLength(2);
    for (const action of ['erasure', 'restriction', 'objection']) {
      const refused = await post(`/v1/device/sessions/${foreign.id}/${action}`, mine.auth);
      expect(refused.status).toBe(404);
      expect(errorCode(refused)).toBe('not-found');
    }
    const notMine = await get(`/v1/device/sessions/${foreign.id}/export`, mine.auth);
    expect(notMine.status).toBe(404);
    const rectify = await post(`/v1/device/sessions/${foreign.id}/rectification`, mine.auth, {
      messageId: foreign.clientMessageId,
      text: 'not mine',
    });
    expect(rectify.status).toBe(404);
    expect(store.listCorrections(foreign.id)).toEqual([]);
    expect(store.getSession(foreign.id)?.restrictedAt).toBeUndefined();
    expect(store.rightsRequests.filter((r) => r.outcome === 'not-found')).toHaveLength(5);
    expect(store.rightsRequests.map((r) => r.right)).toEqual([
      'access',
      'erasure',
      'restriction',
      'objection',
      'access',
      'rectification',
    ]);
  });

  it('erases an ended session, refuses under legal hold (409 session-on-hold) and an open one', async () => {
    const mine = device();
    const held = session(mine);
    store.setLegalHold(held.id, true);
    const refused = await post(`/v1/device/sessions/${held.id}/erasure`, mine.auth);
    expect(refused.status).toBe(409);
    expect(errorCode(refused)).toBe('session-on-hold');
    expect(HttpErrorBodySchema.parse(refused.json).error.message).toMatch(/legal hold/);
    expect(store.listChat(held.id)).toHaveLength(2);
    expect(store.erasures).toEqual([
      { sessionId: held.id, actor: `client:${mine.id}`, outcome: 'refused' },
    ]);
    expect(store.rightsRequests.at(-1)).toEqual({
      right: 'erasure',
      deviceId: mine.id,
      sessionId: held.id,
      outcome: 'legal-hold',
    });

    const open = session(mine);
    store.updateSession(open.id, { state: 'active', endedAt: null });
    const busy = await post(`/v1/device/sessions/${open.id}/erasure`, mine.auth);
    expect(busy.status).toBe(409);
    expect(errorCode(busy)).toBe('session-open');

    const free = session(mine);
    const erased = await post(`/v1/device/sessions/${free.id}/erasure`, mine.auth);
    expect(erased.status).toBe(200);
    expect(erased.json).toEqual({ sessionId: free.id, erasedAt: NOW });
    expect(store.listChat(free.id)).toEqual([]);
    expect(store.rightsRequests.at(-1)?.outcome).toBe('done');
  });

  it('records a restriction and an objection once, shown in the listing and the export', async () => {
    const mine = device();
    const own = session(mine);
    const restricted = await post(`/v1/device/sessions/${own.id}/restriction`, mine.auth);
    expect(restricted.status).toBe(200);
    expect(restricted.json).toEqual({ sessionId: own.id, right: 'restriction', at: NOW });
    const objected = await post(`/v1/device/sessions/${own.id}/objection`, mine.auth);
    expect(objected.json).toEqual({ sessionId: own.id, right: 'objection', at: NOW });
    const again = await post(`/v1/device/sessions/${own.id}/restriction`, mine.auth);
    expect(again.status).toBe(200);
    const { sessions } = DeviceSessionListResponseSchema.parse(
      (await get('/v1/device/sessions', mine.auth)).json,
    );
    expect(sessions[0]).toMatchObject({
      restricted: true,
      restrictedAt: NOW,
      objected: true,
      objectedAt: NOW,
    });
    const exported = SessionExportResponseSchema.parse(
      (await get(`/v1/device/sessions/${own.id}/export`, mine.auth)).json,
    );
    expect(exported.session).toMatchObject({ restrictedAt: NOW, objectedAt: NOW });
  });

  it('appends a correction to the device’s own message; the original stays', async () => {
    const mine = device();
    const own = session(mine, 'The printer is on floor 3');
    const response = await post(`/v1/device/sessions/${own.id}/rectification`, mine.auth, {
      messageId: own.clientMessageId,
      text: 'The printer is on floor 4',
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      sessionId: own.id,
      correctsMessageId: own.clientMessageId,
      text: 'The printer is on floor 4',
    });
    const exported = SessionExportResponseSchema.parse(
      (await get(`/v1/device/sessions/${own.id}/export`, mine.auth)).json,
    );
    expect(exported.transcript[0]?.text).toBe('The printer is on floor 3');
    expect(exported.corrections).toEqual([
      expect.objectContaining({ correctsMessageId: own.clientMessageId }),
    ]);

    const agents = await post(`/v1/device/sessions/${own.id}/rectification`, mine.auth, {
      messageId: own.agentMessageId,
      text: 'the agent’s words are not mine to correct',
    });
    expect(agents.status).toBe(404);
    expect(errorCode(agents)).toBe('message-not-found');
    const empty = await post(`/v1/device/sessions/${own.id}/rectification`, mine.auth, {
      messageId: own.clientMessageId,
      text: '  ',
    });
    expect(empty.status).toBe(400);
    const erased = await post(`/v1/device/sessions/${own.id}/erasure`, mine.auth);
    expect(erased.status).toBe(200);
    const gone = await post(`/v1/device/sessions/${own.id}/rectification`, mine.auth, {
      messageId: own.clientMessageId,
      text: 'too late',
    });
    expect(gone.status).toBe(409);
    expect(errorCode(gone)).toBe('transcript-deleted');
    // Ids and outcomes only: no text of any correction reaches the audit records or the log.
    expect(JSON.stringify(store.rightsRequests)).not.toContain('floor');
    expect(logLines.join('')).not.toContain('floor');
  });

  it('answers 405 for a wrong method and 401 before anything else', async () => {
    const mine = device();
    const own = session(mine);
    const wrong = await get(`/v1/device/sessions/${own.id}/erasure`, mine.auth);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    const anonymous = await post(`/v1/device/sessions/${own.id}/erasure`, {});
    expect(anonymous.status).toBe(401);
    expect(store.listChat(own.id)).toHaveLength(2);
  });
});

/**
 * The device's rights over the relay's copy, end to end: a real relay on loopback with its SQLite
 * store, a device enrolled through POST /v1/enroll, a session with chat over the client
 * WebSocket, then the /v1/device/sessions endpoints with the device's own Basic credentials.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enroll } from '../../src-main/session/enroll.ts';
import type { DeviceCredentials } from '../../src-main/session/types.ts';
import {
  DeviceSessionListResponseSchema,
  HttpErrorBodySchema,
  SessionExportResponseSchema,
} from '../../src-shared/protocol/http.ts';
import { SqliteStore } from '../../src-relay/store/sqlite-store.ts';
import { call, sessionCookie } from '../unit/relay/server/http-client.ts';
import type { TestResponse } from '../unit/relay/server/http-client.ts';
import { AGENT_EMAIL, PASSWORD, removeTempDirs, startBed } from './relay/harness.ts';
import type { Bed } from './relay/harness.ts';
import { endedSession } from './relay/ended-session.ts';

afterAll(() => {
  removeTempDirs();
});

let bed: Bed;
beforeEach(async () => {
  bed = await startBed();
});
afterEach(async () => {
  await bed.stop();
});

const enrolled = (deviceName = 'WS-ACCOUNTS-07'): Promise<DeviceCredentials> =>
  enroll(
    bed.url,
    { enrollmentKey: bed.enrollmentKey, deviceName },
    { signal: AbortSignal.timeout(10_000) },
  );

const basic = (credentials: DeviceCredentials): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${credentials.deviceId}:${credentials.deviceSecret}`).toString('base64')}`,
});

const get = (path: string, credentials: DeviceCredentials) =>
  call(`${bed.url}${path}`, { method: 'GET', headers: basic(credentials) });
const post = (path: string, credentials: DeviceCredentials, json?: unknown) =>
  call(`${bed.url}${path}`, {
    method: 'POST',
    headers: basic(credentials),
    ...(json === undefined ? {} : { json }),
  });
const errorCode = (response: TestResponse): string =>
  HttpErrorBodySchema.parse(response.json).error.code;

const ended = (credentials: DeviceCredentials, text: string) =>
  endedSession(bed, credentials, text);

function auditOf(sessionId: string): { action: string; detail: Record<string, unknown> }[] {
  const store = bed.store;
  if (!(store instanceof SqliteStore)) throw new Error('the bed’s store is SQLite');
  return store
    .listAuditLog()
    .filter((entry) => entry.detail['sessionId'] === sessionId)
    .map((entry) => ({ action: entry.action, detail: entry.detail }));
}

describe('the device’s rights over the relay’s copy', () => {
  it('lists and exports only the device’s own sessions; another device gets 404', async () => {
    const mine = await enrolled();
    const theirs = await enrolled('WS-OTHER');
    const own = await ended(mine, 'The printer on floor 3 jams');
    const foreign = await ended(theirs, 'Not yours to read');

    const listed = await get('/v1/device/sessions', mine);
    expect(listed.status).toBe(200);
    const { sessions } = DeviceSessionListResponseSchema.parse(listed.json);
    expect(sessions.map((s) => s.id)).toEqual([own.sessionId]);
    expect(sessions[0]).toMatchObject({
      state: 'ended',
      grantedScopes: ['chat'],
      legalHold: false,
      restricted: false,
      objected: false,
    });
    expect(sessions[0]?.agentName).toEqual(expect.any(String));

    const exported = await get(`/v1/device/sessions/${own.sessionId}/export`, mine);
    expect(exported.status).toBe(200);
    const body = SessionExportResponseSchema.parse(exported.json);
    // The schema is the whole export: nothing the relay sends is outside it (parsing drops
    // unknown keys, so an equal result means there were none).
    expect(body).toEqual(exported.json);
    expect(body.consentReceipts[0]).toMatchObject({ noticeEcho: 'matched' });
    expect(body.consentReceipts[0]?.noticeDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(body.transcript.map((m) => m.text)).toContain('The printer on floor 3 jams');

    const refused = await get(`/v1/device/sessions/${foreign.sessionId}/export`, mine);
    expect(refused.status).toBe(404);
    expect(errorCode(refused)).toBe('not-found');
    expect(refused.text).not.toContain('Not yours');
    const erase = await post(`/v1/device/sessions/${foreign.sessionId}/erasure`, mine);
    expect(erase.status).toBe(404);
    expect(bed.store.listChat(foreign.sessionId)).toHaveLength(1);
    expect(auditOf(foreign.sessionId).map((e) => e.detail['outcome'])).toContain('not-found');
  });

  it('erases now, or refuses under a legal hold with session-on-hold and records the request', async () => {
    const mine = await enrolled();
    const held = await ended(mine, 'Keep me');
    bed.store.setLegalHold(held.sessionId, true, new Date(bed.clock.now()).toISOString());
    const refused = await post(`/v1/device/sessions/${held.sessionId}/erasure`, mine);
    expect(refused.status).toBe(409);
    expect(errorCode(refused)).toBe('session-on-hold');
    expect(HttpErrorBodySchema.parse(refused.json).error.message).toMatch(/legal hold/);
    expect(bed.store.listChat(held.sessionId)).toHaveLength(1);
    const entries = auditOf(held.sessionId);
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['erase-refused', 'rights-request']),
    );
    expect(entries.find((e) => e.action === 'rights-request')?.detail).toEqual({
      right: 'erasure',
      deviceId: mine.deviceId,
      sessionId: held.sessionId,
      outcome: 'legal-hold',
    });
    expect(JSON.stringify(entries)).not.toContain('Keep me');

    bed.store.setLegalHold(held.sessionId, false, new Date(bed.clock.now()).toISOString());
    const erased = await post(`/v1/device/sessions/${held.sessionId}/erasure`, mine);
    expect(erased.status).toBe(200);
    expect(bed.store.listChat(held.sessionId)).toEqual([]);
    expect(bed.store.getSession(held.sessionId)?.erasedAt).toEqual(expect.any(String));
    const listed = DeviceSessionListResponseSchema.parse(
      (await get('/v1/device/sessions', mine)).json,
    );
    expect(listed.sessions[0]?.erasedAt).toEqual(expect.any(String));
  });

  it('records restriction and objection, and appends a correction keeping the original', async () => {
    const mine = await enrolled();
    const own = await ended(mine, 'The printer is on floor 3');
    expect((await post(`/v1/device/sessions/${own.sessionId}/restriction`, mine)).status).toBe(200);
    expect((await post(`/v1/device/sessions/${own.sessionId}/objection`, mine)).status).toBe(200);
    // Restricted: the agent who served the session can no longer take a copy of it.
    const login = await call(`${bed.url}/v1/agent/login`, {
      method: 'POST',
      json: { email: AGENT_EMAIL, password: PASSWORD },
      headers: { origin: bed.url },
    });
    const agentExport = await call(`${bed.url}/v1/agent/sessions/${own.sessionId}/export`, {
      headers: { cookie: `printo_session=${sessionCookie(login)}`, origin: bed.url },
    });
    expect(agentExport.status).toBe(409);
    expect(agentExport.json).toMatchObject({ error: { code: 'session-restricted' } });
    const corrected = await post(`/v1/device/sessions/${own.sessionId}/rectification`, mine, {
      messageId: own.messageId,
      text: 'It is on floor 4, card 4111 1111 1111 1111',
    });
    expect(corrected.status).toBe(201);
    const listed = DeviceSessionListResponseSchema.parse(
      (await get('/v1/device/sessions', mine)).json,
    );
    expect(listed.sessions[0]).toMatchObject({ restricted: true, objected: true });
    const body = SessionExportResponseSchema.parse(
      (await get(`/v1/device/sessions/${own.sessionId}/export`, mine)).json,
    );
    expect(body.session.restrictedAt).toEqual(expect.any(String));
    expect(body.session.objectedAt).toEqual(expect.any(String));
    expect(body.transcript.find((m) => m.messageId === own.messageId)?.text).toBe(
      'The printer is on floor 3',
    );
    expect(body.corrections).toEqual([
      expect.objectContaining({
        correctsMessageId: own.messageId,
        text: 'It is on floor 4, card 411111******1111',
        redacted: true,
      }),
    ]);
    expect(JSON.stringify(auditOf(own.sessionId))).not.toContain('floor');
  });

  it('refuses wrong credentials and a revoked device with 401', async () => {
    const mine = await enrolled();
    const wrong = await get('/v1/device/sessions', { ...mine, deviceSecret: 'pds_wrong' });
    expect(wrong.status).toBe(401);
    expect(errorCode(wrong)).toBe('device-auth-failed');
    expect((await get('/v1/device/sessions', mine)).status).toBe(200);
    bed.store.revokeDevice(mine.deviceId, new Date(bed.clock.now()).toISOString());
    const revoked = await get('/v1/device/sessions', mine);
    expect(revoked.status).toBe(401);
    expect(errorCode(revoked)).toBe('device-auth-failed');
  });
});

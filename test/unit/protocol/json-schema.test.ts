/**
 * docs/printo-support.v1.schema.json is current, and it says what the relay does: every frame of
 * a real session through the hub (a real SQLite store) validates against it, with Ajv, a
 * validator that knows nothing of zod — as a client in another language would use it.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src-relay/server/logger.ts';
import { startRelayWithSessions } from '../../../src-relay/server/compose.ts';
import { createAgentAccount, createOrgWithKey } from '../../../src-relay/server/identities.ts';
import { RelayRetentionConfigSchema } from '../../../src-relay/store/config.ts';
import { renderProtocolSchema, SCHEMA_FILE } from '../../../scripts/write-protocol-schema.ts';
import { activeChatSession, newHub, turn } from '../relay/sessions/hub-harness.ts';
import { newStore, seedSession, seedWorld } from '../relay/store/fixture.ts';
import { diagnostics, jobs, printers } from '../session/fixtures.ts';

function validators() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
  ajv.addSchema(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object, 'protocol');
  const get = (def: string) => {
    const validate = ajv.getSchema(`protocol#/$defs/${def}`);
    if (validate === undefined) throw new Error(`no ${def} in the schema`);
    return (frame: unknown): string[] =>
      validate(frame) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
  return {
    http: get,
    envelope: get('Envelope'),
    client: get('ClientMessage'),
    agent: get('AgentMessage'),
    toClient: get('RelayToClientMessage'),
    toAgent: get('RelayToAgentMessage'),
  };
}

const body = (frame: { type: string; payload: unknown }) => ({
  type: frame.type,
  payload: frame.payload,
});

describe('the protocol JSON Schema', () => {
  it('is current: docs/printo-support.v1.schema.json is what `npm run docs:schema` writes', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await renderProtocolSchema());
  });

  it('accepts every frame of a real session, both ways', async () => {
    const check = validators();
    const { store } = newStore();
    const world = seedWorld(store);
    const hub = newHub(store);
    const { client, agent } = activeChatSession(hub, world, ['chat', 'printers.read', 'actions']);
    const last = (frames: typeof client.frames, type: string) =>
      frames.filter((f) => f.type === type).at(-1)?.payload ?? {};
    agent.send('chat.send', { text: 'Hello, card 4111 1111 1111 1111 is not needed.' });
    client.send('chat.send', { text: 'Thanks!' });
    await turn();
    agent.send('queue.list', {});
    agent.send('data.request', { kind: 'printers' });
    client.send('data.response', {
      requestId: last(client.frames, 'data.request')['requestId'],
      data: printers(),
    });
    agent.send('data.request', { kind: 'diagnostics' }); // not granted: an error
    agent.send('action.propose', { action: { id: 'resume-queue', printer: 'Floor2' } });
    const requestId = last(client.frames, 'action.request')['requestId'];
    client.send('action.response', { requestId, outcome: 'approved' });
    client.send('action.response', { requestId, outcome: 'done', message: 'Queue resumed.' });
    client.send('consent.revoke', { scopes: ['actions'] });
    client.send('session.end', { reason: 'problem solved' });

    const directions = [
      [client.sent, check.client],
      [agent.sent, check.agent],
      [client.frames, check.toClient],
      [agent.frames, check.toAgent],
    ] as const;
    for (const [frames, message] of directions) {
      for (const frame of frames) {
        expect(check.envelope(frame), frame.type).toEqual([]);
        expect(message(body(frame)), frame.type).toEqual([]);
      }
    }
    // Every message type the relay sends was among them.
    const toClient = new Set(client.frames.map((f) => f.type));
    const toAgent = new Set(agent.frames.map((f) => f.type));
    expect([...toClient].sort()).toEqual(
      ['welcome', 'help.queued', 'consent.request', 'consent.state', 'chat.message']
        .concat(['data.request', 'action.request', 'session.ended', 'ack'])
        .sort(),
    );
    expect([...toAgent].sort()).toEqual(
      ['welcome', 'queue.snapshot', 'session.joined', 'consent.state', 'chat.message']
        .concat(['request.accepted', 'data.response', 'action.response', 'session.ended', 'error'])
        .sort(),
    );
  });

  it('accepts the data a client sends: printers, jobs and a diagnostics report', () => {
    const check = validators();
    for (const data of [printers(), jobs(), diagnostics()]) {
      expect(
        check.client({
          type: 'data.response',
          payload: { requestId: '6f1c2b1e-8d4a-4c3b-9e2f-0a1b2c3d4e5f', data },
        }),
        data.kind,
      ).toEqual([]);
    }
  });

  it('refuses what the relay refuses: unknown types, extra fields, over-long chat', () => {
    const check = validators();
    expect(check.client({ type: 'chat.send', payload: { text: 'x'.repeat(4001) } })).not.toEqual(
      [],
    );
    expect(check.client({ type: 'chat.send', payload: { text: '' } })).not.toEqual([]);
    expect(check.client({ type: 'printers.dump', payload: {} })).not.toEqual([]);
    expect(
      check.agent({ type: 'consent.answer', payload: { requestId: 'r', granted: [] } }),
    ).not.toEqual([]);
    expect(
      check.client({ type: 'help.request', payload: { description: 'jam', extra: true } }),
    ).not.toEqual([]);
    expect(
      check.envelope({ v: 2, type: 'hello', id: 'x', seq: 0, ack: 0, ts: '', payload: {} }),
    ).not.toEqual([]);
  });

  it('describes the HTTP bodies the relay really sends and takes', async () => {
    const check = validators();
    const { store } = newStore();
    const now = new Date().toISOString();
    const { enrollmentKey } = createOrgWithKey(store, 'Acme', now);
    const password = 'correct horse battery staple';
    const email = 'sam@printogens.example';
    await createAgentAccount(store, { email, name: 'Sam Support', role: 'agent', password }, now, {
      N: 1024,
      r: 8,
      p: 1,
    });
    const relay = await startRelayWithSessions({
      store,
      retention: RelayRetentionConfigSchema.parse({}),
      port: 0,
      logger: silentLogger,
    });
    try {
      const origin = new URL(relay.url).origin;
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${relay.url}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: origin, ...headers },
          body: JSON.stringify(body),
        });
      const enrollBody = { enrollmentKey, deviceName: 'WS-ACCOUNTS-07' };
      expect(check.http('EnrollRequest')(enrollBody)).toEqual([]);
      const enrolled = await post('/v1/enroll', enrollBody);
      expect(enrolled.status).toBe(201);
      expect(check.http('EnrollResponse')(await enrolled.json())).toEqual([]);

      const refused = await post('/v1/enroll', { enrollmentKey: 'pek_wrong', deviceName: 'X' });
      expect(refused.status).toBe(401);
      expect(check.http('HttpError')(await refused.json())).toEqual([]);

      const loginBody = { email, password };
      expect(check.http('LoginRequest')(loginBody)).toEqual([]);
      const login = await post('/v1/agent/login', loginBody);
      expect(login.status).toBe(204);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const me = await fetch(`${relay.url}/v1/agent/me`, {
        headers: { Cookie: cookie, Origin: origin },
      });
      expect(check.http('AgentMeResponse')(await me.json())).toEqual([]);
      const ticket = await post('/v1/agent/ticket', undefined, { Cookie: cookie });
      expect(ticket.status).toBe(200);
      expect(check.http('TicketResponse')(await ticket.json())).toEqual([]);
      const health = await fetch(`${relay.url}/healthz`);
      expect(check.http('HealthResponse')(await health.json())).toEqual([]);
    } finally {
      await relay.stop({ reason: 'test done' });
    }
  });
  it('describes the session export an agent downloads', async () => {
    const check = validators();
    const { store } = newStore();
    const world = seedWorld(store); // its agent is the session's agent
    // Now, not the fixture's date: the relay purges on start, by the system clock.
    const session = seedSession(store, world, { createdAt: new Date().toISOString() });
    const agent = await createAgentAccount(
      store,
      {
        email: 'kim@printogens.example',
        name: 'Kim',
        role: 'admin',
        password: 'correct horse battery staple',
      },
      new Date().toISOString(),
      { N: 1024, r: 8, p: 1 },
    );
    const relay = await startRelayWithSessions({
      store,
      retention: RelayRetentionConfigSchema.parse({}),
      port: 0,
      logger: silentLogger,
    });
    try {
      const origin = new URL(relay.url).origin;
      const login = await fetch(`${relay.url}/v1/agent/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: origin },
        body: JSON.stringify({ email: agent.email, password: 'correct horse battery staple' }),
      });
      expect(login.status).toBe(204);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const exported = await fetch(`${relay.url}/v1/agent/sessions/${session.id}/export`, {
        headers: { Cookie: cookie, Origin: relay.url },
      });
      expect(exported.status).toBe(200);
      const body = (await exported.json()) as { transcript: unknown[] };
      expect(body.transcript).toHaveLength(2);
      expect(check.http('SessionExportResponse')(body)).toEqual([]);
    } finally {
      await relay.stop({ reason: 'test done' });
    }
  });
});

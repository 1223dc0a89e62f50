/**
 * Support sessions end to end (issue 4, Tests): the real relay (HTTP, SQLite store in a temporary
 * data directory, session hub, WebSocket gateway) on 127.0.0.1; the desktop side through the
 * real session library (`enroll`, `SupportSession`); the agent side as raw protocol frames over
 * `ws` (the Agent Console comes in a later issue). The relay runs on a manual clock: time-outs
 * fire when a test moves it on, so nothing here waits for real time.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src-shared/protocol/frames.ts';
import { ALL_SCOPES, LIMITS, SUBPROTOCOL } from '../../src-shared/protocol/v1.ts';
import type { Scope } from '../../src-shared/protocol/v1.ts';
import { transcriptNotice } from '../../src-relay/server/compose.ts';
import { formatSessionCode } from '../../src-relay/sessions/codes.ts';
import { DEFAULT_RELAY_RETENTION } from '../../src-relay/store/config.ts';
import { STORE_FILE } from '../../src-relay/store/sqlite-store.ts';
import { call } from '../unit/relay/server/http-client.ts';
import {
  AGENT_NAME,
  AgentSocket,
  CONSENT_TIMEOUT_MS,
  DEVICE_NAME,
  agentTickets,
  greetedAgent,
  newClient,
  removeTempDirs,
  seedDataDir,
  startBed,
  tempDir,
  until,
  wsUrl,
} from './relay/harness.ts';
import type { Bed, ClientOptions, ClientProbe } from './relay/harness.ts';

afterAll(() => {
  removeTempDirs();
});

const DAY = 24 * 60 * 60_000;
const CHAT_DAYS = DEFAULT_RELAY_RETENTION.chatTranscriptDays;
const NOTICE = transcriptNotice(CHAT_DAYS, DEFAULT_RELAY_RETENTION.consentReceiptDays);

/** A client that asked for help, and an agent that joined by code and got `grant`. */
async function activeSession(
  bed: Bed,
  grant: readonly Scope[],
  options: ClientOptions = {},
): Promise<{ client: ClientProbe; agent: AgentSocket; sessionId: string; agentToken: string }> {
  const client = await bed.client({ ...options, grant });
  const queued = await client.session.askForHelp('Tray 2 jams on every job');
  const agent = await bed.agent();
  const joined = await agent.join({ code: queued.code });
  await agent.next('consent.state');
  await client.waitForState('active');
  return { client, agent, sessionId: queued.sessionId, agentToken: joined.payload.resumeToken };
}

/** Types of the frames a client got since `mark`, without the relay's bare acknowledgements. */
function typesSince(client: ClientProbe, mark: number): string[] {
  return client
    .since(mark)
    .map((f) => f.type)
    .filter((t) => t !== 'ack');
}

/** Tries a WebSocket upgrade; the HTTP status of a refusal, or 101 when a WebSocket opened. */
function upgrade(
  url: string,
  options: { origin?: string; protocol?: string; headers?: Record<string, string> } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocol ?? SUBPROTOCOL, {
      perMessageDeflate: false,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    });
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      socket.terminate();
      resolve(response.statusCode ?? 0);
    });
    socket.once('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------

describe('a support session through the relay', () => {
  let bed: Bed;
  /** Every chat text sent in this block: none of it may ever reach the relay's logs. */
  const said: string[] = [];

  beforeAll(async () => {
    // The relay's clock moves only when a test says so: without a big bucket the chat would
    // never refill.
    bed = await startBed({ hub: { chatRate: { burst: 2_000, perSecond: 1_000 } } });
  });
  afterAll(async () => {
    await bed.stop();
  });

  const clientSays = (client: ClientProbe, text: string): string => {
    said.push(text);
    return client.session.sendChat(text);
  };
  const agentSays = (agent: AgentSocket, text: string) => {
    said.push(text);
    return agent.chat(text);
  };

  it('runs a whole session: enroll, ask, join by code, narrowed grant, chat, data, actions, end', async () => {
    const granted: Scope[] = ['chat', 'printers.read', 'actions'];
    const client = await bed.client({
      grant: granted,
      actions: (action) => (action.id === 'print-test-page' ? 'approve' : 'decline'),
    });
    const { deviceId } = client.credentials;
    expect(bed.store.findDeviceCredentials(deviceId)?.device.name).toBe(DEVICE_NAME);

    const queued = await client.session.askForHelp('Tray 2 jams on every job');
    expect(queued.code).toMatch(/^\d{9}$/);
    expect(queued.notice).toEqual(NOTICE);
    expect(client.session.state).toBe('waiting');
    expect(bed.store.getSession(queued.sessionId)).toMatchObject({ state: 'waiting', deviceId });

    // The user reads the code out as `123 456 789`; the agent types it like that.
    const agent = await bed.agent();
    const joined = await agent.join({ code: formatSessionCode(queued.code) });
    expect(joined.payload).toMatchObject({
      sessionId: queued.sessionId,
      description: 'Tray 2 jams on every job',
      deviceName: DEVICE_NAME,
      requested: ALL_SCOPES,
    });
    expect((await agent.next('consent.state')).payload.granted).toEqual(granted);
    await client.waitForState('active');
    expect(client.consents).toHaveLength(1);
    expect(client.consents[0]?.request).toMatchObject({
      agent: { id: agent.agentId, name: AGENT_NAME },
      scopes: ALL_SCOPES,
      notice: NOTICE,
    });
    expect(client.session.grantedScopes).toEqual(granted);

    // Chat both ways. The sender gets its own message back: the relay's copy gives the order.
    const clientRef = clientSays(client, 'The paper jams in tray 2 every time');
    const fromClient = await agent.next('chat.message');
    expect(fromClient.payload.ref).toBeUndefined(); // only the sender's copy names its frame
    expect(fromClient.payload).toMatchObject({
      from: 'client',
      name: DEVICE_NAME,
      text: 'The paper jams in tray 2 every time',
      redacted: false,
    });
    const fromAgent = await agentSays(agent, 'Let me look at your printers');
    expect(fromAgent.payload).toMatchObject({ from: 'agent', name: AGENT_NAME, redacted: false });
    expect(fromAgent.seq).toBeGreaterThan(fromClient.seq);
    await until(() => client.chats.length === 2, 'both chat messages at the client');
    expect(client.chats.map((m) => [m.from, m.messageId, m.text, m.ref])).toEqual([
      ['client', fromClient.payload.messageId, 'The paper jams in tray 2 every time', clientRef],
      ['agent', fromAgent.payload.messageId, 'Let me look at your printers', undefined],
    ]);

    // A data request, answered through the client's handler and redacted to the grant.
    const dataRef = agent.send({ type: 'data.request', payload: { kind: 'printers' } });
    const accepted = await agent.next('request.accepted', (f) => f.payload.ref === dataRef);
    const data = await agent.next(
      'data.response',
      (f) => f.payload.requestId === accepted.payload.requestId,
    );
    expect(client.dataCalls).toEqual(['printers']);
    const printers = data.payload.data?.kind === 'printers' ? data.payload.data.printers : [];
    expect(printers.map((p) => p.name)).toEqual(['Floor2']);
    // `device.identifiers` was not granted: the printer's address does not leave the computer.
    expect(JSON.stringify(printers)).not.toContain('192.0.2.7');

    // Two proposed actions: one approved (its result follows), one declined.
    const approveRef = agent.send({
      type: 'action.propose',
      payload: { action: { id: 'print-test-page', printer: 'Floor2' } },
    });
    const first = await agent.next('request.accepted', (f) => f.payload.ref === approveRef);
    const forFirst = (f: { payload: { requestId: string } }) =>
      f.payload.requestId === first.payload.requestId;
    expect((await agent.next('action.response', forFirst)).payload.outcome).toBe('approved');
    expect((await agent.next('action.response', forFirst)).payload).toMatchObject({
      outcome: 'done',
      message: 'Done.',
    });
    const declineRef = agent.send({
      type: 'action.propose',
      payload: { action: { id: 'resume-queue', printer: 'Floor2' } },
    });
    const second = await agent.next('request.accepted', (f) => f.payload.ref === declineRef);
    const declined = await agent.next(
      'action.response',
      (f) => f.payload.requestId === second.payload.requestId,
    );
    expect(declined.payload).toMatchObject({ outcome: 'declined', message: 'Not now.' });
    expect(client.actionCalls).toEqual([
      { id: 'print-test-page', printer: 'Floor2' },
      { id: 'resume-queue', printer: 'Floor2' },
    ]);

    // The user ends it: both sides are told.
    await client.session.end('Problem solved');
    expect(client.ends).toEqual([{ reason: 'ended-by-client', message: 'You ended the session.' }]);
    expect((await agent.next('session.ended')).payload.reason).toBe('ended-by-client');
    expect(client.frames.map((f) => f.type)).toContain('session.ended');

    const stored = bed.store.getSession(queued.sessionId);
    expect(stored).toMatchObject({
      state: 'ended',
      endReason: 'ended-by-client',
      agentId: agent.agentId,
      grantedScopes: granted,
    });
    expect(stored?.endedAt).toBe(new Date(bed.clock.now()).toISOString());
    const receipts = bed.store.listConsentReceipts(queued.sessionId);
    expect(receipts.map((r) => [r.kind, r.actor, r.scopes])).toEqual([
      ['grant', `client:${deviceId}`, granted],
      ['end', `client:${deviceId}`, granted],
    ]);
    expect(receipts[0]?.notice).toBe(NOTICE.text);
    expect(bed.store.listChat(queued.sessionId).map((m) => [m.seq, m.from, m.text])).toEqual([
      [1, 'client', 'The paper jams in tray 2 every time'],
      [2, 'agent', 'Let me look at your printers'],
    ]);
    // Nothing went wrong on the way: no error frame for either side, every relay frame valid.
    expect(client.relayErrors).toEqual([]);
    expect(agent.frames.filter((f) => f.type === 'error')).toEqual([]);
    expect(agent.violations).toEqual([]);
    expect(client.violations).toEqual([]);
  });

  it('lets an agent take a session from the queue, and tells the client when the agent ends it', async () => {
    const client = await bed.client({ grant: ALL_SCOPES });
    const queued = await client.session.askForHelp('Scanning to email stopped working');
    const agent = await bed.agent();
    // On connecting, and again on queue.list, the agent sees the waiting session.
    const entry = {
      sessionId: queued.sessionId,
      description: 'Scanning to email stopped working',
      deviceName: DEVICE_NAME,
      since: new Date(bed.clock.now()).toISOString(),
    };
    expect((await agent.next('queue.snapshot')).payload.sessions).toContainEqual(entry);
    agent.send({ type: 'queue.list', payload: {} });
    expect((await agent.next('queue.snapshot')).payload.sessions).toContainEqual(entry);

    await agent.join({ sessionId: queued.sessionId });
    expect((await agent.next('consent.state')).payload.granted).toEqual(ALL_SCOPES);
    await client.waitForState('active');

    // Taken: it has left the queue, and nobody else can join it.
    const other = await bed.agent();
    const snapshot = await other.next('queue.snapshot');
    expect(snapshot.payload.sessions.map((s) => s.sessionId)).not.toContain(queued.sessionId);
    const ref = other.send({ type: 'session.join', payload: { sessionId: queued.sessionId } });
    expect((await other.errorFor(ref)).payload.code).toBe('wrong-state');
    await other.close();

    agent.send({ type: 'session.end', payload: { reason: 'Fixed' } });
    expect((await agent.next('session.ended')).payload.reason).toBe('ended-by-agent');
    expect((await client.waitForEnd()).reason).toBe('ended-by-agent');
    expect(bed.store.getSession(queued.sessionId)).toMatchObject({ endReason: 'ended-by-agent' });
    const receipts = bed.store.listConsentReceipts(queued.sessionId);
    expect(receipts.map((r) => [r.kind, r.actor])).toEqual([
      ['grant', `client:${client.credentials.deviceId}`],
      ['end', `agent:${agent.agentId}`],
    ]);
  });

  it('forwards nothing from the agent before consent, and ends the session when the user denies', async () => {
    const client = await bed.client({ grant: 'later' });
    const queued = await client.session.askForHelp('Printer offline');
    const agent = await bed.agent();
    await agent.join({ code: queued.code });
    await until(() => client.consents.length === 1, 'the consent prompt');
    expect(client.session.state).toBe('consent-pending');

    const mark = client.frames.length;
    const refs = [
      agent.send({ type: 'chat.send', payload: { text: 'Hello, can you hear me?' } }),
      agent.send({ type: 'data.request', payload: { kind: 'printers' } }),
      agent.send({
        type: 'action.propose',
        payload: { action: { id: 'print-test-page', printer: 'Floor2' } },
      }),
    ];
    for (const ref of refs) expect((await agent.errorFor(ref)).payload.code).toBe('not-allowed');

    client.consents[0]?.answer([]);
    expect((await agent.next('session.ended')).payload.reason).toBe('consent-denied');
    expect(await client.waitForEnd()).toEqual({
      reason: 'consent-denied',
      message: 'You denied access.',
    });
    await until(() => typesSince(client, mark).includes('session.ended'), 'the relay’s end');
    expect(typesSince(client, mark)).toEqual(['session.ended']);
    expect(client.chats).toEqual([]);
    expect(client.dataCalls).toEqual([]);
    expect(client.actionCalls).toEqual([]);

    expect(bed.store.getSession(queued.sessionId)).toMatchObject({
      state: 'ended',
      endReason: 'consent-denied',
      grantedScopes: [],
    });
    const receipts = bed.store.listConsentReceipts(queued.sessionId);
    expect(receipts.map((r) => [r.kind, r.actor, r.scopes, r.notice])).toEqual([
      ['deny', `client:${client.credentials.deviceId}`, ALL_SCOPES, NOTICE.text],
    ]);
  });

  it('treats no answer within the consent time-out as a denial', async () => {
    const client = await bed.client({ grant: 'later' });
    const queued = await client.session.askForHelp('Printer offline');
    const agent = await bed.agent();
    await agent.join({ code: queued.code });
    await until(() => client.consents.length === 1, 'the consent prompt');
    const prompt = client.consents[0]?.request;
    expect(prompt?.expiresAt).toBe(new Date(bed.clock.now() + CONSENT_TIMEOUT_MS).toISOString());

    // The user never answers; the relay's time-out comes.
    bed.clock.advance(CONSENT_TIMEOUT_MS);
    expect((await agent.next('session.ended')).payload.reason).toBe('consent-timed-out');
    expect((await client.waitForEnd()).reason).toBe('consent-timed-out');
    // The prompt is closed on the user's screen.
    expect(prompt?.signal.aborted).toBe(true);
    expect(client.session.grantedScopes).toEqual([]);

    expect(bed.store.getSession(queued.sessionId)).toMatchObject({
      endReason: 'consent-timed-out',
    });
    const receipts = bed.store.listConsentReceipts(queued.sessionId);
    expect(receipts.map((r) => [r.kind, r.actor, r.scopes, r.notice])).toEqual([
      ['timeout', 'relay', ALL_SCOPES, NOTICE.text],
    ]);
  });

  it('refuses a revoked scope at once: the next request gets an error and nothing reaches the client', async () => {
    const { client, agent, sessionId } = await activeSession(bed, ['chat', 'printers.read']);
    const before = agent.send({ type: 'data.request', payload: { kind: 'printers' } });
    const accepted = await agent.next('request.accepted', (f) => f.payload.ref === before);
    await agent.next('data.response', (f) => f.payload.requestId === accepted.payload.requestId);
    expect(client.dataCalls).toEqual(['printers']);

    client.session.revoke(['printers.read']);
    expect(client.session.grantedScopes).toEqual(['chat']);
    expect((await agent.next('consent.state')).payload.granted).toEqual(['chat']);

    const mark = client.frames.length;
    for (const kind of ['printers', 'jobs'] as const) {
      const ref = agent.send({ type: 'data.request', payload: { kind } });
      const error = await agent.errorFor(ref);
      expect(error.payload).toMatchObject({ code: 'scope-not-granted' });
      expect(error.payload.message).toContain('printers.read');
    }
    // Frames to the client keep their order: once this chat is there, anything sent before is.
    await agentSays(agent, 'Fine, I will not look at the printers');
    await until(() => client.chats.length === 1, 'the agent’s chat');
    expect(typesSince(client, mark).filter((t) => t !== 'consent.state')).toEqual(['chat.message']);
    expect(client.dataCalls).toEqual(['printers']);

    const receipts = bed.store.listConsentReceipts(sessionId);
    expect(receipts.map((r) => [r.kind, r.scopes])).toEqual([
      ['grant', ['chat', 'printers.read']],
      ['revoke', ['printers.read']],
    ]);
    expect(bed.store.getSession(sessionId)?.grantedScopes).toEqual(['chat']);
  });

  it('refuses at the relay what the user did not grant; the client never sees it', async () => {
    const { client, agent } = await activeSession(bed, ['chat', 'printers.read'], {
      actions: () => 'approve',
    });
    const mark = client.frames.length;
    const actionRef = agent.send({
      type: 'action.propose',
      payload: { action: { id: 'cancel-jobs', printer: 'Floor2', jobIds: [42] } },
    });
    const actionError = await agent.errorFor(actionRef);
    expect(actionError.payload.code).toBe('scope-not-granted');
    expect(actionError.payload.message).toContain('actions');
    const dataRef = agent.send({ type: 'data.request', payload: { kind: 'diagnostics' } });
    expect((await agent.errorFor(dataRef)).payload.code).toBe('scope-not-granted');

    await agentSays(agent, 'I can only read your printer list then');
    await until(() => client.chats.length === 1, 'the agent’s chat');
    expect(typesSince(client, mark)).toEqual(['chat.message']);
    expect(client.actionCalls).toEqual([]);
    expect(client.dataCalls).toEqual([]);
  });

  it('refuses at the client a request the relay let through just before a revocation reached it', async () => {
    // The relay's check passes (the grant still holds there), but the user has revoked the
    // scope by the time the request arrives: the library refuses it on its own.
    const { client, agent } = await activeSession(bed, ['chat', 'printers.read']);
    const socket = client.sockets.at(-1);
    socket?.pause(); // the request waits, unread, in the client's socket
    const mark = agent.frames.length;
    const ref = agent.send({ type: 'data.request', payload: { kind: 'printers' } });
    const accepted = await agent.next('request.accepted', (f) => f.payload.ref === ref);
    client.session.revoke(['printers.read']);
    expect((await agent.next('consent.state')).payload.granted).toEqual(['chat']);
    socket?.resume();

    await until(() => client.refused.length === 1, 'the client’s own refusal');
    expect(client.refused).toEqual([
      {
        requestId: accepted.payload.requestId,
        type: 'data.request',
        missingScope: 'printers.read',
      },
    ]);
    expect(client.dataCalls).toEqual([]);
    // The client's answer to the relay is an error, which the relay does not pass on either.
    clientSays(client, 'I changed my mind about the printer list');
    await agent.next('chat.message', (m) => m.payload.from === 'client');
    expect(
      agent
        .since(mark)
        .map((f) => f.type)
        .filter((t) => t !== 'ack'),
    ).toEqual(['request.accepted', 'consent.state', 'chat.message']);
  });

  it('closes a connection after malformed frames (1008) or an oversize one (1009); other sessions carry on', async () => {
    const good = await activeSession(bed, ['chat']);
    const noisy = await activeSession(bed, ['chat']);
    const bad = noisy.agent;
    const meta = () => ({
      id: randomUUID(),
      seq: 0,
      ack: bad.lastSeq,
      ts: new Date().toISOString(),
    });
    const mark = bad.frames.length;
    bad.raw('this is not JSON');
    bad.raw(JSON.stringify({ v: 1, type: 'chat.send', payload: {} }));
    bad.raw(encodeFrame({ type: 'printer.format', payload: {} }, meta()));
    bad.raw(encodeFrame({ type: 'chat.send', payload: { text: '' } }, meta()));
    const errorCodes = () =>
      bad.since(mark).flatMap((f) => (f.type === 'error' ? [f.payload.code] : []));
    await until(() => errorCodes().length === 4, 'an error frame for each');
    expect(bad.closeCode).toBeNull(); // four are tolerated
    bad.raw('{');
    expect((await bad.closed).code).toBe(1008);
    expect(errorCodes()).toEqual([
      'bad-json',
      'bad-frame',
      expect.stringMatching(/^(unknown-type|bad-frame)$/),
      'bad-frame',
      'bad-json',
    ]);

    const big = await bed.agent();
    big.raw(JSON.stringify({ padding: 'x'.repeat(LIMITS.maxFrameBytes + 1_000) }));
    expect((await big.closed).code).toBe(1009);

    // Nobody else noticed: the other session chats on, both ways.
    clientSays(good.client, 'Are you still there?');
    await good.agent.next('chat.message', (m) => m.payload.text === 'Are you still there?');
    await agentSays(good.agent, 'Yes, still here');
    await until(() => good.client.chats.length === 2, 'the other session’s chat');
    expect(good.agent.closeCode).toBeNull();
    expect(good.client.session.state).toBe('active');
    // Even the noisy agent's own session is not over: its agent may come back and resume.
    expect(noisy.client.session.state).toBe('active');
    expect(noisy.client.ends).toEqual([]);
    const metrics = await call(`${bed.url}/metrics`);
    expect(metrics.text).toMatch(/^printo_relay_rejections_total\{reason="bad-json"\} 2$/m);
  });

  // zod 4 reports an unmatched discriminator at ["type"]; the relay must still say unknown-type.
  it('answers an unknown message type with unknown-type', async () => {
    const agent = await bed.agent();
    const id = randomUUID();
    agent.raw(
      encodeFrame(
        { type: 'printer.format', payload: {} },
        { id, seq: 1, ack: agent.lastSeq, ts: new Date().toISOString() },
      ),
    );
    const error = await agent.next('error', (e) => e.payload.ref === id);
    await agent.close();
    expect(error.payload.code).toBe('unknown-type');
  });

  it('refuses a wrong Origin and a missing ticket at the upgrade, before any WebSocket exists', async () => {
    const ticket = await bed.ticket();
    const agentUrl = wsUrl(bed.url, `/v1/agent?ticket=${ticket}`);
    expect(await upgrade(agentUrl, { origin: 'https://evil.example' })).toBe(403);
    // The ticket was burnt by the attempt: it does not work from the right page either.
    expect(await upgrade(agentUrl, { origin: bed.url })).toBe(401);
    expect(await upgrade(wsUrl(bed.url, '/v1/agent'), { origin: bed.url })).toBe(401);
    expect(await upgrade(wsUrl(bed.url, '/v1/client'))).toBe(401);
    const fresh = wsUrl(bed.url, `/v1/agent?ticket=${await bed.ticket()}`);
    expect(await upgrade(fresh, { origin: bed.url, protocol: 'printo-support.v0' })).toBe(400);
    const metrics = await call(`${bed.url}/metrics`);
    expect(metrics.text).toMatch(/^printo_relay_rejections_total\{reason="auth-bad-origin"\} 1$/m);
    expect(metrics.text).toMatch(/^printo_relay_rejections_total\{reason="auth-no-ticket"\} 1$/m);
  });

  it('resumes after the client’s TCP socket is destroyed mid-chat: 1,000 messages, none lost or repeated, in order', async () => {
    const { client, agent, sessionId } = await activeSession(bed, ['chat']);
    const total = 1_000;
    const texts = Array.from({ length: total }, (_, i) => `Chat line ${i + 1} of ${total}`);
    said.push(...texts);
    let fromAgent = 0;
    let cutAt = 0;
    client.onChat = (message) => {
      if (message.from !== 'agent') return;
      fromAgent += 1;
      if (fromAgent === 300) {
        cutAt = fromAgent;
        client.tcpSocket().destroy();
      }
    };
    // In batches, as a person (or a console) would: the drop falls in the middle of the flow.
    for (let start = 0; start < total; start += 100) {
      for (const text of texts.slice(start, start + 100)) {
        agent.send({ type: 'chat.send', payload: { text } });
      }
      const last = texts[start + 99];
      await agent.next('chat.message', (m) => m.payload.text === last, 10_000);
    }
    await until(
      () => client.chats.filter((m) => m.from === 'agent').length >= total,
      'all 1,000 messages at the client',
      15_000,
    );

    const received = client.chats.filter((m) => m.from === 'agent');
    expect(received.map((m) => m.text)).toEqual(texts);
    expect(new Set(received.map((m) => m.messageId)).size).toBe(total);
    expect(cutAt).toBe(300);
    // It really was cut and resumed: a second connection, welcomed back into the session, was
    // replayed what the first one missed.
    expect(client.sockets.length).toBe(2);
    const [firstConnection = [], secondConnection = []] = client.framesBySocket;
    const welcome = secondConnection[0];
    expect(welcome?.type === 'welcome' ? welcome.payload.resumed?.sessionId : null).toBe(sessionId);
    expect(firstConnection.filter((f) => f.type === 'chat.message').length).toBeLessThan(total);
    expect(secondConnection.some((f) => f.type === 'chat.message')).toBe(true);
    expect(client.states).toContain('reconnecting');
    expect(client.session.state).toBe('active');
    // No second consent prompt, and the agent never noticed.
    expect(client.consents).toHaveLength(1);
    expect(agent.closeCode).toBeNull();
    expect(agent.frames.some((f) => f.type === 'session.ended')).toBe(false);
    expect(bed.store.listChat(sessionId).map((m) => m.text)).toEqual(texts);
  });

  it('masks card numbers before they are stored, logged or forwarded, and tells the sender', async () => {
    const { client, agent, sessionId } = await activeSession(bed, ['chat']);
    clientSays(client, 'my card is 4111 1111 1111 1111');
    const copy = await agent.next('chat.message', (m) => m.payload.from === 'client');
    expect(copy.payload).toMatchObject({ text: 'my card is 411111******1111', redacted: true });
    await until(() => client.chats.length === 1, 'the client’s echo');
    expect(client.chats[0]).toMatchObject({
      from: 'client',
      text: 'my card is 411111******1111',
      redacted: true,
    });
    const echo = await agentSays(agent, 'Please never send 5555-5555-5555-4444 here');
    expect(echo.payload).toMatchObject({
      text: 'Please never send 555555******4444 here',
      redacted: true,
    });
    await until(() => client.chats.length === 2, 'the agent’s message');
    expect(client.chats[1]?.text).toBe('Please never send 555555******4444 here');

    const pans = [
      '4111 1111 1111 1111',
      '4111111111111111',
      '5555-5555-5555-4444',
      '5555555555554444',
    ];
    const exported = JSON.stringify(
      bed.store.exportSession(sessionId, new Date(bed.clock.now()).toISOString()),
    );
    expect(exported).toContain('my card is 411111******1111');
    for (const pan of pans) expect(exported).not.toContain(pan);
    expect(bed.store.listChat(sessionId).map((m) => m.redacted)).toEqual([true, true]);
    // At rest the transcript is encrypted besides: neither the words nor the number are in the file.
    for (const file of [STORE_FILE, `${STORE_FILE}-wal`]) {
      const path = join(bed.dataDir, file);
      if (!existsSync(path)) continue;
      const bytes = readFileSync(path);
      for (const needle of [...pans, 'my card is']) expect(bytes.includes(needle)).toBe(false);
    }
    // The logs hold no card number and no message text at all: not of this test, not of any
    // other in this block (1,000 resumed messages included), masked or not.
    const logs = bed.logs.join('');
    expect(logs).toContain('"event":"session.created"');
    for (const pan of pans) expect(logs).not.toContain(pan);
    for (const text of [...said, 'my card is 411111******1111', '411111******1111']) {
      expect(logs).not.toContain(text);
    }
    // Nor the users' descriptions of their problems, nor a device secret.
    for (const text of ['Tray 2 jams', 'Scanning to email', 'Printer offline']) {
      expect(logs).not.toContain(text);
    }
    expect(logs).not.toContain(client.credentials.deviceSecret);
  });
});

// ---------------------------------------------------------------------------------------------

describe('session codes', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed();
  });
  afterAll(async () => {
    await bed.stop();
  });

  /** The code with its last digit changed: wrong, and certainly not another live session's. */
  const nearMiss = (code: string, by = 1): string =>
    code.slice(0, 8) + String((Number(code.slice(8)) + by) % 10);

  it('refuses a wrong code, and ends the session when its code expires unanswered', async () => {
    const client = await bed.client();
    const queued = await client.session.askForHelp('Printer offline');
    const agent = await bed.agent();
    const wrong = agent.send({ type: 'session.join', payload: { code: nearMiss(queued.code) } });
    const error = await agent.errorFor(wrong);
    expect(error.payload.code).toBe('code-invalid');
    expect(error.payload.message).toContain('Check the 9 digits');

    // Ten minutes later nobody has joined: the code has expired, and with it the request.
    bed.clock.advance(LIMITS.codeTtlMs);
    expect(await client.waitForEnd()).toMatchObject({ reason: 'code-expired' });
    expect(bed.store.getSession(queued.sessionId)).toMatchObject({
      state: 'ended',
      endReason: 'code-expired',
    });
    // An agent who types it now is told it expired (and is not charged a wrong guess).
    const late = agent.send({ type: 'session.join', payload: { code: queued.code } });
    expect((await agent.errorFor(late)).payload.code).toBe('code-expired');
    expect(client.consents).toEqual([]);
    agent.send({ type: 'queue.list', payload: {} });
    const snapshot = await agent.next('queue.snapshot');
    expect(snapshot.payload.sessions.map((s) => s.sessionId)).not.toContain(queued.sessionId);
  });

  it('refuses an expired code even before the relay has ended its session', async () => {
    const client = await bed.client();
    const queued = await client.session.askForHelp('Printer offline');
    // The code has expired, and the relay's timer that ends the session is late.
    bed.clock.jump(LIMITS.codeTtlMs);
    const agent = await bed.agent();
    const ref = agent.send({ type: 'session.join', payload: { code: queued.code } });
    expect((await agent.errorFor(ref)).payload.code).toBe('code-expired');
    expect(client.consents).toEqual([]);
  });

  it('throttles code guessing: the 21st wrong code in an hour is refused, and says why', async () => {
    bed.clock.advance(60 * 60_000); // a fresh hour: earlier wrong codes no longer count
    const client = await bed.client();
    const queued = await client.session.askForHelp('Printer offline');
    const agent = await bed.agent();
    for (let i = 1; i <= 20; i += 1) {
      const guess = String((Number(queued.code) + i * 7_919) % 1e9).padStart(9, '0');
      const ref = agent.send({ type: 'session.join', payload: { code: guess } });
      expect((await agent.errorFor(ref)).payload.code).toBe('code-invalid');
    }
    const ref = agent.send({ type: 'session.join', payload: { code: nearMiss(queued.code) } });
    const refused = await agent.errorFor(ref);
    expect(refused.payload.code).toBe('too-many-guesses');
    expect(refused.payload.message).toMatch(/guessing cannot work/);
    expect(refused.payload.message).toMatch(/try again in 60 minutes/);
    // While blocked, even the right code does not get through, from a new connection either.
    const again = await bed.agent();
    const right = again.send({ type: 'session.join', payload: { code: queued.code } });
    expect((await again.errorFor(right)).payload.code).toBe('too-many-guesses');
    expect(client.consents).toEqual([]);
    expect(client.session.state).toBe('waiting');
    // The logs never hold a code, wrong or right.
    expect(bed.logs.join('')).not.toContain(queued.code);
  });
});

// ---------------------------------------------------------------------------------------------

const BIN = fileURLToPath(new URL('../../bin/printo-relay', import.meta.url));

/** `printo-relay serve` in a child process, to be killed like a crash. */
function serveInChild(
  dataDir: string,
): Promise<{ url: string; port: number; kill: () => Promise<void> }> {
  const env: Record<string, string | undefined> = { ...process.env, PRINTO_RELAY_DATA: '' };
  delete env['PRINTO_RELAY_MASTER_KEY'];
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  let stdout = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start: ${stdout}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening on (\S+)/.exec(stdout)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({
        url,
        port: Number(new URL(url).port),
        kill: () => {
          child.kill('SIGKILL');
          return exited;
        },
      });
    });
  });
}

describe('a relay restart', () => {
  it('ends sessions with relay-shutdown on a graceful stop (1001); they stay ended and cannot be resumed', async () => {
    const dataDir = tempDir();
    const enrollmentKey = await seedDataDir(dataDir);
    const first = await startBed({ dataDir, enrollmentKey });
    const { client, agent, sessionId, agentToken } = await activeSession(first, ['chat']);
    client.session.sendChat('Before the restart');
    await agent.next('chat.message');

    await first.relay.stop({ reason: 'maintenance' });
    expect((await agent.next('session.ended')).payload.reason).toBe('relay-shutdown');
    expect((await agent.closed).code).toBe(1001);
    expect((await client.waitForEnd()).reason).toBe('relay-shutdown');
    await until(() => client.closeCodes.length === 1, 'the client’s close');
    expect(client.closeCodes).toEqual([1001]);

    const second = await startBed({ dataDir, enrollmentKey });
    try {
      expect(second.store.getSession(sessionId)).toMatchObject({
        state: 'ended',
        endReason: 'relay-shutdown',
      });
      expect(second.store.listConsentReceipts(sessionId).map((r) => [r.kind, r.actor])).toEqual([
        ['grant', `client:${client.credentials.deviceId}`],
        ['end', 'relay'],
      ]);
      expect(second.store.listChat(sessionId).map((m) => m.text)).toEqual(['Before the restart']);
      // The agent's resume token meant something to the old relay only.
      const back = await AgentSocket.open(second.url, await second.ticket(), second.url);
      back.control({
        type: 'hello',
        payload: { resume: { sessionId, token: agentToken, lastSeq: agent.lastSeq } },
      });
      expect((await back.closed).code).toBe(4006);
    } finally {
      await second.stop();
    }
  });

  it('ends sessions a crash left open as relay-restart, keeps what was stored, and refuses the client’s resume (4006)', async () => {
    const dataDir = tempDir();
    const enrollmentKey = await seedDataDir(dataDir);
    const crashing = await serveInChild(dataDir);
    const ticket = agentTickets(crashing.url);
    const client = await newClient(crashing.url, enrollmentKey, { grant: ['chat'] });
    const waiting = await newClient(crashing.url, enrollmentKey);
    let second: Bed | undefined;
    try {
      const queued = await client.session.askForHelp('Tray 2 jams on every job');
      const left = await waiting.session.askForHelp('Nobody will answer this one in time');
      const agent = await greetedAgent(crashing.url, ticket);
      await agent.join({ code: queued.code });
      await client.waitForState('active');
      client.session.sendChat('Before the crash');
      await agent.next('chat.message');

      await crashing.kill();
      await client.waitForState('reconnecting');
      expect((await agent.closed).code).toBe(1006);

      // The relay comes back on the same address; the client's resume finds nothing to resume.
      second = await startBed({ dataDir, enrollmentKey, port: crashing.port });
      expect(await client.waitForEnd()).toMatchObject({
        reason: 'resume-rejected',
        closeCode: 4006,
      });
      expect(client.consents).toHaveLength(1);
      for (const id of [queued.sessionId, left.sessionId]) {
        expect(second.store.getSession(id)).toMatchObject({
          state: 'ended',
          endReason: 'relay-restart',
        });
      }
      expect(second.store.listChat(queued.sessionId).map((m) => m.text)).toEqual([
        'Before the crash',
      ]);
      expect((await waiting.waitForEnd()).reason).toBe('resume-rejected');
    } finally {
      await client.session.end();
      await waiting.session.end();
      await crashing.kill();
      await second?.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('retention on the relay’s store', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed();
  });
  afterAll(async () => {
    await bed.stop();
  });

  it('purges transcripts past their period on the relay’s clock, except those on legal hold', async () => {
    const ended: string[] = [];
    for (const words of ['First problem, on hold', 'Second problem, not held']) {
      const { client, agent, sessionId } = await activeSession(bed, ['chat']);
      client.session.sendChat(words);
      await agent.next('chat.message');
      await agent.chat(`Answer to: ${words}`);
      await client.session.end();
      ended.push(sessionId);
    }
    const [held = '', unheld = ''] = ended;
    expect(bed.store.setLegalHold(held, true)).toBe(true);

    // One day before the period ends nothing goes (the relay's hourly purge is late: it runs
    // here, when asked).
    bed.clock.jump((CHAT_DAYS - 1) * DAY);
    expect(bed.relay.purgeNow()).toMatchObject({ chatMessages: 0, heldBack: 0 });
    expect(bed.store.listChat(unheld)).toHaveLength(2);

    // Two days on, the relay's hourly purge has removed the transcript not on hold by itself.
    const purges = (): Record<string, unknown>[] =>
      bed.logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line['event'] === 'retention.purged' && line['chatMessages'] !== 0);
    expect(purges()).toEqual([]);
    bed.clock.advance(2 * DAY);
    expect(purges()).toMatchObject([
      { sessions: 0, chatMessages: 2, consentReceipts: 0, heldBack: 1 },
    ]);
    const purgedAt = String(purges()[0]?.['time']);
    expect(bed.relay.purgeNow()).toEqual({
      sessions: 0,
      chatMessages: 0,
      consentReceipts: 0,
      heldBack: 1,
    });
    expect(bed.store.listChat(held).map((m) => m.text)).toEqual([
      'First problem, on hold',
      'Answer to: First problem, on hold',
    ]);
    expect(bed.store.getSession(held)?.transcriptDeletedAt).toBeUndefined();
    expect(bed.store.listChat(unheld)).toEqual([]);
    expect(bed.store.getSession(unheld)).toMatchObject({
      description: '',
      transcriptDeletedAt: purgedAt,
    });
    // The proof of consent outlives the transcript (730 days).
    expect(bed.store.listConsentReceipts(unheld).map((r) => r.kind)).toEqual(['grant', 'end']);
    const exported = bed.store.exportSession(unheld, new Date(bed.clock.now()).toISOString());
    expect(exported?.transcript).toEqual([]);

    // Released, the held transcript goes at the next purge.
    bed.store.setLegalHold(held, false);
    expect(bed.relay.purgeNow()).toMatchObject({ chatMessages: 2, heldBack: 0 });
    expect(bed.store.listChat(held)).toEqual([]);
  });
});

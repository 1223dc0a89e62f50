/**
 * The relay as the second line of privacy, tested with a client that does none of the first:
 * a raw WebSocket client, as an independent implementation (or a broken one) would be. Whatever
 * it sends, card numbers never reach the agent, identifiers outside the grant never reach the
 * agent, answers that do not match their request are refused, and a consent answer only counts
 * for the notice the relay showed. Also: an agent's logout or expired web session closes its
 * connections, and a peer of another protocol version is told so.
 */
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enroll } from '../../src-main/session/enroll.ts';
import type { Job } from '../../src-shared/model/job.ts';
import { encodeFrame } from '../../src-shared/protocol/frames.ts';
import { ALL_SCOPES } from '../../src-shared/protocol/v1.ts';
import type { Scope } from '../../src-shared/protocol/v1.ts';
import { transcriptNotice } from '../../src-relay/server/compose.ts';
import { DEFAULT_RELAY_RETENTION } from '../../src-relay/store/config.ts';
import { makePrinter } from '../unit/make-printer.ts';
import { call, sessionCookie } from '../unit/relay/server/http-client.ts';
import {
  AGENT_EMAIL,
  AgentSocket,
  PASSWORD,
  RawClientSocket,
  removeTempDirs,
  startBed,
} from './relay/harness.ts';
import type { Bed } from './relay/harness.ts';

afterAll(() => {
  removeTempDirs();
});

const NOTICE = transcriptNotice(
  DEFAULT_RELAY_RETENTION.chatTranscriptDays,
  DEFAULT_RELAY_RETENTION.consentReceiptDays,
);
const PAN = '4111 1111 1111 1111';
const MASKED = '411111******1111';

let bed: Bed;
beforeEach(async () => {
  bed = await startBed();
});
afterEach(async () => {
  await bed.stop();
});

async function rawClient(deviceName = 'WS-ACCOUNTS-07'): Promise<RawClientSocket> {
  const credentials = await enroll(
    bed.url,
    { enrollmentKey: bed.enrollmentKey, deviceName },
    { signal: AbortSignal.timeout(10_000) },
  );
  const client = await RawClientSocket.open(bed.url, credentials);
  client.control({ type: 'hello', payload: {} });
  await client.next('welcome');
  return client;
}

/** A raw client asks for help, an agent joins by code; the client answers consent as told. */
async function joined(
  options: { deviceName?: string; description?: string } = {},
): Promise<{ client: RawClientSocket; agent: AgentSocket; requestId: string }> {
  const client = await rawClient(options.deviceName);
  client.send({
    type: 'help.request',
    payload: { description: options.description ?? 'Tray 2 jams' },
  });
  const queued = await client.next('help.queued');
  const agent = await bed.agent();
  await agent.join({ code: queued.payload.code });
  const request = await client.next('consent.request');
  return { client, agent, requestId: request.payload.requestId };
}

async function active(
  grant: readonly Scope[],
  options: { deviceName?: string; description?: string } = {},
): Promise<{ client: RawClientSocket; agent: AgentSocket }> {
  const { client, agent, requestId } = await joined(options);
  client.send({
    type: 'consent.answer',
    payload: { requestId, granted: [...grant], noticeShown: NOTICE.text },
  });
  await agent.next('consent.state');
  await client.next('consent.state');
  return { client, agent };
}

/** The agent asks; the raw client receives the request and answers with `answer`. */
async function ask(
  client: RawClientSocket,
  agent: AgentSocket,
  request: { kind: 'printers' | 'jobs' | 'diagnostics'; printers?: string[] },
): Promise<string> {
  agent.send({ type: 'data.request', payload: request });
  await agent.next('request.accepted');
  return (await client.next('data.request')).payload.requestId;
}

function joinedSessionId(agent: AgentSocket): string {
  for (const frame of agent.frames)
    if (frame.type === 'session.joined') return frame.payload.sessionId;
  throw new Error('the agent has not joined');
}

/** A frame that proves the relay has handled everything the agent was sent before it. */
async function sync(agent: AgentSocket): Promise<void> {
  const text = `sync ${randomUUID()}`;
  await agent.chat(text);
}

const job = (over: Partial<Job> & { id: number; printer: string }): Job => ({
  name: 'Q3 budget.xlsx',
  owner: 'alice',
  sizeBytes: 1024,
  pages: 2,
  pagesCompleted: 0,
  state: 'pending',
  reasons: [],
  createdAt: null,
  processingAt: null,
  completedAt: null,
  ...over,
});

describe('card numbers crossing the relay outside chat', () => {
  it('are masked in the queue, the join, chat names, payloads and echoed errors', async () => {
    const { client, agent, requestId } = await joined({
      deviceName: `WS ${PAN}`,
      description: `Charge card ${PAN} for the toner`,
    });
    // The session left the queue when the agent joined; a second waiting one shows the masking.
    const second = await rawClient(`Desk ${PAN}`);
    second.send({ type: 'help.request', payload: { description: `my card ${PAN}` } });
    await second.next('help.queued');
    const watcher = await bed.agent();
    const snapshot = await watcher.next('queue.snapshot');
    const entry = snapshot.payload.sessions.find((s) => s.description.startsWith('my card'));
    expect(entry).toMatchObject({ description: `my card ${MASKED}`, deviceName: `Desk ${MASKED}` });

    const joinedFrame = agent.frames.find((f) => f.type === 'session.joined');
    expect(joinedFrame?.payload).toMatchObject({
      description: `Charge card ${MASKED} for the toner`,
      deviceName: `WS ${MASKED}`,
    });
    client.send({
      type: 'consent.answer',
      payload: { requestId, granted: [...ALL_SCOPES], noticeShown: NOTICE.text },
    });
    await agent.next('consent.state');
    client.send({ type: 'chat.send', payload: { text: 'hello' } });
    const chat = await agent.next('chat.message', (m) => m.payload.from === 'client');
    expect(chat.payload.name).toBe(`WS ${MASKED}`);

    // Free text in a data answer and in an action's result message.
    const dataRequest = await ask(client, agent, { kind: 'printers' });
    client.send({
      type: 'data.response',
      payload: {
        requestId: dataRequest,
        data: {
          kind: 'printers',
          printers: [makePrinter({ name: 'Office', location: `Desk of card ${PAN}` })],
        },
      },
    });
    const data = await agent.next('data.response');
    expect(JSON.stringify(data.payload)).toContain(`Desk of card ${MASKED}`);
    agent.send({
      type: 'action.propose',
      payload: { action: { id: 'print-test-page', printer: 'Office' } },
    });
    const action = await client.next('action.request');
    client.send({
      type: 'action.response',
      payload: {
        requestId: action.payload.requestId,
        outcome: 'failed',
        message: `Billing said card ${PAN} is declined`,
      },
    });
    const result = await agent.next('action.response');
    expect(result.payload.message).toBe(`Billing said card ${MASKED} is declined`);

    // An error that quotes the frame: an unknown message type made of a card number.
    const ref = randomUUID();
    agent.raw(
      encodeFrame(
        { type: '4111111111111111', payload: {} },
        { id: ref, seq: 0, ack: agent.lastSeq, ts: new Date().toISOString() },
      ),
    );
    const error = await agent.errorFor(ref);
    expect(error.payload.code).toBe('unknown-type');
    expect(error.payload.message).not.toContain('4111111111111111');

    // And nothing the relay stored or logged has it either.
    const everything = [
      ...agent.frames,
      ...watcher.frames,
      ...bed.store.listSessions().map((s) => s.description),
      bed.logs.join(''),
    ].map((x) => JSON.stringify(x));
    for (const text of everything) {
      expect(text).not.toContain('4111111111111111');
      expect(text).not.toContain(PAN);
    }
    await watcher.close();
  });
});

describe('identifiers in free text without device.identifiers', () => {
  it('are replaced in printers, jobs and action messages before the agent sees them', async () => {
    const { client, agent } = await active(['chat', 'printers.read', 'jobs.metadata', 'actions']);
    const printersRequest = await ask(client, agent, { kind: 'printers' });
    client.send({
      type: 'data.response',
      payload: {
        requestId: printersRequest,
        data: {
          kind: 'printers',
          printers: [
            makePrinter({
              name: 'Floor2',
              description: 'Printer at prn-fl2.corp.example.com',
              location: 'Floor 2 (office-hp.local), near 10.1.2.3',
              makeAndModel: 'HP LaserJet Pro M404dn SN:CNB3K12345',
              stateMessage: 'Unable to connect to 192.0.2.7 (fe80::1ff:fe23:4567:890a)',
              connection: { uri: 'ipp://192.0.2.7:631/ipp/print', port: null },
              supplies: [
                {
                  name: 'Black Toner CF259A serial VNB3R12345',
                  kind: 'toner',
                  color: '#000000',
                  level: 40,
                  status: 'ok',
                },
              ],
            }),
          ],
        },
      },
    });
    const printers = await agent.next('data.response');
    const text = JSON.stringify(printers.payload);
    for (const leak of [
      'prn-fl2.corp.example.com',
      'office-hp.local',
      '10.1.2.3',
      '192.0.2.7',
      'fe80::1ff:fe23:4567:890a',
      'CNB3K12345',
      'VNB3R12345',
    ]) {
      expect(text).not.toContain(leak);
    }
    expect(text).toContain('Floor 2 ([device identifier]), near [device identifier]');
    expect(text).toContain('HP LaserJet Pro M404dn SN:[device identifier]');
    expect(text).toContain('"name":"Floor2"');

    // Jobs: names and owners granted here (jobs.metadata), identifiers inside them are not.
    const jobsRequest = await ask(client, agent, { kind: 'jobs' });
    client.send({
      type: 'data.response',
      payload: {
        requestId: jobsRequest,
        data: {
          kind: 'jobs',
          jobs: [job({ id: 7, printer: 'Floor2', name: 'scan from 192.0.2.44.pdf' })],
        },
      },
    });
    const jobs = await agent.next('data.response');
    expect(JSON.stringify(jobs.payload)).toContain('scan from [device identifier].pdf');
    expect(JSON.stringify(jobs.payload)).toContain('"owner":"alice"');

    agent.send({
      type: 'action.propose',
      payload: { action: { id: 'print-test-page', printer: 'Floor2' } },
    });
    const action = await client.next('action.request');
    client.send({
      type: 'action.response',
      payload: {
        requestId: action.payload.requestId,
        outcome: 'done',
        message: 'Test page sent to ipp://192.0.2.7/ipp/print',
      },
    });
    const result = await agent.next('action.response');
    expect(result.payload.message).toBe('Test page sent to ipp://[device identifier]/ipp/print');
  });

  it('redacts job details with the documented form when jobs.metadata is not granted', async () => {
    const { client, agent } = await active(['chat', 'printers.read']);
    const requestId = await ask(client, agent, { kind: 'jobs' });
    client.send({
      type: 'data.response',
      payload: {
        requestId,
        data: { kind: 'jobs', jobs: [job({ id: 7, printer: 'Floor2' })] },
      },
    });
    const jobs = await agent.next('data.response');
    expect(jobs.payload.data).toMatchObject({
      kind: 'jobs',
      jobs: [{ id: 7, name: '[job details]', owner: '[job details]' }],
    });
  });
});

describe('answers that do not match their request', () => {
  it('are refused with answer-mismatch and never forwarded; a right answer still goes through', async () => {
    const { client, agent } = await active(['chat', 'printers.read', 'actions']);
    const mark = agent.frames.length;
    const requestId = await ask(client, agent, { kind: 'printers', printers: ['Office'] });
    // Another kind than asked.
    const wrongKind = client.send({
      type: 'data.response',
      payload: { requestId, data: { kind: 'jobs', jobs: [job({ id: 1, printer: 'Office' })] } },
    });
    // A printer the request did not name.
    const stray = client.send({
      type: 'data.response',
      payload: {
        requestId,
        data: {
          kind: 'printers',
          printers: [makePrinter({ name: 'Office' }), makePrinter({ name: 'Payroll' })],
        },
      },
    });
    // An action's answer to a data request.
    const wrongType = client.send({
      type: 'action.response',
      payload: { requestId, outcome: 'done' },
    });
    for (const ref of [wrongKind, stray, wrongType]) {
      const error = await client.next('error', (e) => e.payload.ref === ref);
      expect(error.payload.code).toBe('answer-mismatch');
    }
    await sync(agent);
    expect(
      agent.since(mark).filter((f) => f.type === 'data.response' || f.type === 'action.response'),
    ).toEqual([]);

    client.send({
      type: 'data.response',
      payload: {
        requestId,
        data: { kind: 'printers', printers: [makePrinter({ name: 'Office' })] },
      },
    });
    const answer = await agent.next('data.response');
    expect(answer.payload.data).toMatchObject({ kind: 'printers', printers: [{ name: 'Office' }] });

    // An action's result about another printer than the action's.
    agent.send({
      type: 'action.propose',
      payload: { action: { id: 'resume-queue', printer: 'Office' } },
    });
    const action = await client.next('action.request');
    const foreign = client.send({
      type: 'action.response',
      payload: {
        requestId: action.payload.requestId,
        outcome: 'done',
        data: { kind: 'printers', printers: [makePrinter({ name: 'Payroll' })] },
      },
    });
    expect((await client.next('error', (e) => e.payload.ref === foreign)).payload.code).toBe(
      'answer-mismatch',
    );
  });
});

describe('consent receipts', () => {
  it('record the relay’s notice with its digest, and refuse a grant whose echo differs', async () => {
    const { client, agent, requestId } = await joined();
    const sessionId = joinedSessionId(agent);
    const ref = client.send({
      type: 'consent.answer',
      payload: {
        requestId,
        granted: ['chat', 'printers.read'],
        noticeShown: 'Nothing is recorded.',
      },
    });
    const error = await client.next('error', (e) => e.payload.ref === ref);
    expect(error.payload.code).toBe('notice-mismatch');
    const ended = await agent.next('session.ended');
    expect(ended.payload.reason).toBe('consent-denied');
    expect(agent.frames.some((f) => f.type === 'consent.state')).toBe(false);
    const digest = `sha256:${createHash('sha256').update(NOTICE.text).digest('hex')}`;
    expect(bed.store.listConsentReceipts(sessionId)).toMatchObject([
      {
        kind: 'deny',
        notice: NOTICE.text,
        noticeDigest: digest,
        noticeEcho: 'mismatched',
        scopes: ['chat', 'printers.read'],
      },
    ]);

    // A matching echo grants, and its receipt says so — with the relay's own notice.
    const second = await active(['chat']);
    const secondId = joinedSessionId(second.agent);
    second.client.send({ type: 'consent.revoke', payload: { scopes: ['chat'] } });
    await second.agent.next('consent.state');
    expect(bed.store.listConsentReceipts(secondId)).toMatchObject([
      { kind: 'grant', notice: NOTICE.text, noticeDigest: digest, noticeEcho: 'matched' },
      { kind: 'revoke', notice: NOTICE.text, noticeDigest: digest, noticeEcho: null },
    ]);
  });
});

describe('an agent’s web session', () => {
  async function loggedIn(): Promise<{ cookie: string; agent: AgentSocket }> {
    const login = await call(`${bed.url}/v1/agent/login`, {
      method: 'POST',
      json: { email: AGENT_EMAIL, password: PASSWORD },
      headers: { origin: bed.url },
    });
    const cookie = `printo_session=${sessionCookie(login)}`;
    const ticket = await call(`${bed.url}/v1/agent/ticket`, {
      method: 'POST',
      headers: { cookie, origin: bed.url },
    });
    const agent = await AgentSocket.open(
      bed.url,
      (ticket.json as { ticket: string }).ticket,
      bed.url,
    );
    agent.control({ type: 'hello', payload: {} });
    await agent.next('welcome');
    return { cookie, agent };
  }

  it('closes its WebSockets with 4001 on logout', async () => {
    const { cookie, agent } = await loggedIn();
    const other = await loggedIn();
    const logout = await call(`${bed.url}/v1/agent/logout`, {
      method: 'POST',
      headers: { cookie, origin: bed.url },
    });
    expect(logout.status).toBe(204);
    expect((await agent.closed).code).toBe(4001);
    // Another login of the same agent is another web session: it stays.
    expect(other.agent.closeCode).toBeNull();
    await other.agent.close();
  });

  it('closes its WebSockets with 4001 when it expires', async () => {
    const { agent } = await loggedIn();
    bed.clock.advance(8 * 60 * 60_000);
    bed.relay.context.access.webSessions.sweep();
    expect((await agent.closed).code).toBe(4001);
  });
});

describe('protocol versions', () => {
  it('tells a peer of another version so and closes with 4007', async () => {
    const client = await rawClient();
    client.raw(
      JSON.stringify({
        v: 2,
        type: 'hello',
        id: randomUUID(),
        seq: 0,
        ack: 0,
        ts: new Date().toISOString(),
        payload: {},
      }),
    );
    const error = await client.next('error');
    expect(error.payload.code).toBe('unsupported-version');
    expect((await client.closed).code).toBe(4007);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { SupportSession } from '../../../src-main/session/session.ts';
import type {
  ActionContext,
  ActionResult,
  ChatMessage,
  ConsentAnswer,
  ConsentRequest,
  SessionEnd,
  SessionHandlers,
  SessionState,
} from '../../../src-main/session/types.ts';
import { isPrintoError } from '../../../src-shared/errors.ts';
import { ALL_SCOPES, CloseCode, SUBPROTOCOL } from '../../../src-shared/protocol/v1.ts';
import type { Scope } from '../../../src-shared/protocol/v1.ts';
import { AGENT, NOTICE, RESUME_TOKEN, SESSION_ID, grants, handlers } from './fixtures.ts';
import { ManualClock } from '../manual-clock.ts';
import { CREDENTIALS, ScriptedRelay } from './scripted-relay.ts';
import type { RelayPeer } from './scripted-relay.ts';

const REQUEST_ID = '0b8a4f6e-2d1c-4e3f-8a9b-7c6d5e4f3a21';
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

interface Harness {
  relay: ScriptedRelay;
  clock: ManualClock;
  session: SupportSession;
  states: SessionState[];
  chats: ChatMessage[];
  ends: SessionEnd[];
  consent: { asked: ConsentRequest[] };
  calls: ReturnType<typeof handlers>['calls'];
}

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});

async function harness(options: {
  onConsentRequest?: (request: ConsentRequest) => Promise<ConsentAnswer>;
  granted?: readonly Scope[];
  decide?: Parameters<typeof handlers>[0];
  onActionRequest?: SessionHandlers['onActionRequest'];
  credentials?: typeof CREDENTIALS;
  /** How far the relay's clock is ahead of this computer's (negative: behind). */
  relayClockOffsetMs?: number;
}): Promise<Harness> {
  const clock = new ManualClock();
  const relay = await ScriptedRelay.start(() => clock.now() + (options.relayClockOffsetMs ?? 0));
  const consent = grants(options.granted ?? ['chat']);
  const work = handlers(options.decide);
  const states: SessionState[] = [];
  const chats: ChatMessage[] = [];
  const ends: SessionEnd[] = [];
  const session = new SupportSession({
    relayUrl: relay.url,
    credentials: options.credentials ?? CREDENTIALS,
    deviceName: 'WS-ACCOUNTS-07',
    clock,
    // No jitter: back-off delays are exactly 1 s, 1.5 s, 2.25 s…
    random: () => 0,
    callbacks: {
      onConsentRequest: options.onConsentRequest ?? consent.handler,
      onDataRequest: work.onDataRequest,
      onActionRequest: options.onActionRequest ?? work.onActionRequest,
      onChat: (message) => chats.push(message),
      onState: (state) => states.push(state),
      onEnded: (end) => ends.push(end),
    },
  });
  running.push(async () => {
    const ended = session.end();
    // The end waits up to 5 s (on this clock) for the relay to confirm.
    clock.advance(5_000);
    await ended;
    await relay.stop();
  });
  return { relay, clock, session, states, chats, ends, consent, calls: work.calls };
}

/** hello → welcome → help.request → help.queued. */
async function queue(h: Harness): Promise<RelayPeer> {
  const asked = h.session.askForHelp('  The office printer prints blank pages  ');
  const peer = await h.relay.connection(0);
  const hello = await peer.expect('hello');
  expect(hello.seq).toBe(0);
  expect(hello.payload).toEqual({});
  peer.welcome();
  const request = await peer.expect('help.request');
  expect(request.seq).toBe(1);
  expect(request.payload.description).toBe('The office printer prints blank pages');
  const relayNow = h.relay.clock();
  peer.send({
    type: 'help.queued',
    payload: {
      sessionId: SESSION_ID,
      code: '482913057',
      expiresAt: new Date(relayNow + 600_000).toISOString(),
      resumeToken: RESUME_TOKEN,
      notice: NOTICE,
    },
  });
  await expect(asked).resolves.toEqual({
    sessionId: SESSION_ID,
    code: '482913057',
    expiresAt: new Date(relayNow + 600_000).toISOString(),
    // Ten minutes from now on this computer's clock, whatever the relay's says.
    validUntil: h.clock.now() + 600_000,
    notice: NOTICE,
  });
  expect(h.session.state).toBe('waiting');
  return peer;
}

/**
 * Lets time pass on a live connection the way it does against the relay, which pings every
 * 20 s (the client drops a relay that stays silent for two heartbeats).
 */
async function passTime(h: Harness, peer: RelayPeer, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 15_000) {
    const pong = new Promise((resolve) => peer.socket.once('pong', resolve));
    peer.socket.ping();
    await pong;
    h.clock.advance(Math.min(left, 15_000));
  }
}

function requestConsent(h: Harness, peer: RelayPeer, scopes: readonly Scope[] = ALL_SCOPES): void {
  peer.send({
    type: 'consent.request',
    payload: {
      requestId: REQUEST_ID,
      agent: AGENT,
      scopes: [...scopes],
      notice: NOTICE,
      expiresAt: new Date(h.clock.now() + 60_000).toISOString(),
    },
  });
}

/** Up to an active session with what the user grants. */
async function activate(h: Harness, scopes: readonly Scope[] = ALL_SCOPES): Promise<RelayPeer> {
  const peer = await queue(h);
  requestConsent(h, peer, scopes);
  const answer = await peer.expect('consent.answer');
  peer.send({ type: 'consent.state', payload: { granted: answer.payload.granted } });
  expect(h.session.state).toBe('active');
  return peer;
}

describe('SupportSession, clocks', () => {
  it('counts the code’s ten minutes on this computer’s clock when the relay’s is a week behind', async () => {
    const h = await harness({ relayClockOffsetMs: -7 * 24 * 3_600_000 });
    // queue() checks validUntil against this computer's clock.
    await queue(h);
    expect(h.session.queued?.validUntil).toBe(h.clock.now() + 600_000);
  });
});

describe('SupportSession, one whole session against a scripted relay', () => {
  it('asks, gets consent narrowed, answers inside the grant, refuses outside it, chats, revokes and ends', async () => {
    const h = await harness({ granted: ['chat', 'printers.read', 'actions', 'jobs.metadata'] });
    const refused: unknown[] = [];
    h.session.on('refused', (r) => refused.push(r));
    const peer = await queue(h);

    // The upgrade: credentials in the header, nothing in the URL, our subprotocol, no deflate.
    const basic = Buffer.from(`${CREDENTIALS.deviceId}:${CREDENTIALS.deviceSecret}`).toString(
      'base64',
    );
    expect(peer.headers.authorization).toBe(`Basic ${basic}`);
    expect(peer.url).toBe('/v1/client');
    expect(peer.socket.protocol).toBe(SUBPROTOCOL);
    expect(peer.headers['sec-websocket-extensions']).toBeUndefined();

    // help.queued (relay seq 1) is acknowledged.
    const ack = await peer.next({ acks: true });
    expect(ack).toMatchObject({ type: 'ack', seq: 0, ack: 1 });

    // The agent asks for every scope except jobs.metadata; the user grants fewer (and tries
    // jobs.metadata, which was not asked for and is dropped).
    requestConsent(h, peer, [
      'chat',
      'printers.read',
      'diagnostics.read',
      'device.identifiers',
      'actions',
    ]);
    const answer = await peer.expect('consent.answer');
    expect(answer.payload).toEqual({
      requestId: REQUEST_ID,
      granted: ['chat', 'printers.read', 'actions'],
      noticeShown: NOTICE.text,
    });
    expect(h.consent.asked[0]).toMatchObject({ agent: AGENT, notice: NOTICE });
    expect(h.session.state).toBe('active');

    // A relay that claims more than the user granted does not widen the local grant.
    peer.send({
      type: 'consent.state',
      payload: { granted: ['chat', 'printers.read', 'diagnostics.read', 'actions'] },
    });

    // Inside the grant: printers, redacted to the grant (no device.identifiers).
    peer.send({ type: 'data.request', payload: { requestId: uuid(1), kind: 'printers' } });
    const printersResponse = await peer.expect('data.response');
    expect(h.calls.data).toEqual([
      { kind: 'printers', scopes: ['chat', 'printers.read', 'actions'] },
    ]);
    const data = printersResponse.payload.data;
    if (data?.kind !== 'printers') throw new Error('expected printers');
    expect(data.printers[0]?.connection).toEqual({
      uri: '[device identifier]',
      port: '[device identifier]',
    });
    expect(data.printers[0]?.description).toBe('Floor 2 copier at [device identifier]');
    expect(data.printers[0]?.stateMessage).toBe(
      'Unable to connect to [device identifier] ([device identifier]) at 10:30:45',
    );
    expect(data.printers[1]?.connection.uri).toBe('[device identifier]');
    expect(JSON.stringify(data)).not.toMatch(/192\.0\.2\.7|D4J190800123|corp\.example/);

    // Jobs: names and owners replaced (no jobs.metadata), nulls stay null.
    peer.send({ type: 'data.request', payload: { requestId: uuid(2), kind: 'jobs' } });
    const jobsResponse = await peer.expect('data.response');
    expect(jobsResponse.payload.data).toMatchObject({
      kind: 'jobs',
      jobs: [
        { id: 42, name: '[job details]', owner: '[job details]' },
        { id: 43, name: null, owner: null },
      ],
    });

    // Outside the grant (diagnostics.read was not granted, whatever the relay said): refused
    // here, and the handler never hears of it.
    peer.send({ type: 'data.request', payload: { requestId: uuid(3), kind: 'diagnostics' } });
    const refusedResponse = await peer.expect('data.response');
    expect(refusedResponse.payload).toEqual({
      requestId: uuid(3),
      error: 'Refused by the client: the user has not granted "diagnostics.read".',
    });
    expect(h.calls.data).toHaveLength(2);
    expect(refused).toEqual([
      { requestId: uuid(3), type: 'data.request', missingScope: 'diagnostics.read' },
    ]);

    // An action the user approves: approved first, then the result.
    peer.send({
      type: 'action.request',
      payload: { requestId: uuid(4), action: { id: 'resume-queue', printer: 'Floor2' } },
    });
    expect((await peer.expect('action.response')).payload).toEqual({
      requestId: uuid(4),
      outcome: 'approved',
    });
    expect((await peer.expect('action.response')).payload).toEqual({
      requestId: uuid(4),
      outcome: 'done',
      message: 'resume-queue done',
    });

    // Chat both ways.
    peer.send({
      type: 'chat.message',
      payload: {
        messageId: uuid(5),
        from: 'agent',
        name: AGENT.name,
        text: 'Hello, I am looking at Floor2.',
        at: new Date(h.clock.now()).toISOString(),
        redacted: false,
      },
    });
    await vi.waitFor(() => {
      expect(h.chats.map((c) => c.text)).toEqual(['Hello, I am looking at Floor2.']);
    });
    h.session.sendChat('Thanks!');
    expect((await peer.expect('chat.send')).payload).toEqual({ text: 'Thanks!' });

    // Revoke printers.read: the next printers request is refused locally.
    h.session.revoke(['printers.read']);
    expect(h.session.grantedScopes).toEqual(['chat', 'actions']);
    expect((await peer.expect('consent.revoke')).payload).toEqual({ scopes: ['printers.read'] });
    peer.send({ type: 'data.request', payload: { requestId: uuid(6), kind: 'printers' } });
    expect((await peer.expect('data.response')).payload.error).toMatch(/printers\.read/);
    expect(h.calls.data).toHaveLength(2);

    // End: told to the relay, confirmed, closed.
    const ended = h.session.end('Problem solved');
    expect(h.session.state).toBe('ended');
    expect((await peer.expect('session.end')).payload).toEqual({ reason: 'Problem solved' });
    peer.send({
      type: 'session.ended',
      payload: { reason: 'ended-by-client', message: 'The user ended the session.' },
    });
    await ended;
    await vi.waitFor(() => {
      expect(peer.closed?.code).toBe(1000);
    });
    expect(h.ends).toEqual([{ reason: 'ended-by-client', message: 'You ended the session.' }]);
    expect(h.states).toEqual(['connecting', 'waiting', 'consent-pending', 'active', 'ended']);
  });

  it('declines a proposed action the user declines, without approving it first', async () => {
    const h = await harness({ granted: ['chat', 'actions'], decide: () => 'decline' });
    const peer = await activate(h, ['chat', 'actions']);
    peer.send({
      type: 'action.request',
      payload: {
        requestId: uuid(1),
        action: { id: 'cancel-jobs', printer: 'Floor2', jobIds: [42] },
      },
    });
    expect((await peer.expect('action.response')).payload).toEqual({
      requestId: uuid(1),
      outcome: 'declined',
    });
    expect(h.calls.actions).toEqual([{ id: 'cancel-jobs', printer: 'Floor2', jobIds: [42] }]);
    expect(peer.unread).toEqual([]);
  });

  it('refuses actions and data the relay let through without the scope; no handler is called', async () => {
    const h = await harness({ granted: ['chat'] });
    const peer = await activate(h, ALL_SCOPES);
    expect(h.session.grantedScopes).toEqual(['chat']);
    peer.send({
      type: 'action.request',
      payload: { requestId: uuid(1), action: { id: 'print-test-page', printer: 'Floor2' } },
    });
    expect((await peer.expect('action.response')).payload).toEqual({
      requestId: uuid(1),
      outcome: 'declined',
      message: 'Refused by the client: the user has not granted "actions".',
    });
    peer.send({ type: 'data.request', payload: { requestId: uuid(2), kind: 'printers' } });
    expect((await peer.expect('data.response')).payload.error).toMatch(/printers\.read/);
    expect(h.calls).toEqual({ data: [], actions: [] });
  });

  it('sends the diagnostics report as the shareable report for the grant', async () => {
    const h = await harness({ granted: ['chat', 'diagnostics.read'] });
    const peer = await activate(h, ALL_SCOPES);
    peer.send({ type: 'data.request', payload: { requestId: uuid(1), kind: 'diagnostics' } });
    const response = await peer.expect('data.response');
    const data = response.payload.data;
    if (data?.kind !== 'diagnostics') throw new Error('expected diagnostics');
    expect(data.report.host.name).toBe('[device identifier]');
    expect(data.report.sharing).toEqual({ scopes: [] });
    expect(JSON.stringify(data)).not.toMatch(/CNB7K12345|192\.0\.2\.7|WS-ACCOUNTS-07/);
  });

  it('denies when the consent handler does not answer before the deadline', async () => {
    let promptSignal: AbortSignal | undefined;
    const h = await harness({
      onConsentRequest: (request) => {
        promptSignal = request.signal;
        return new Promise(() => undefined);
      },
    });
    const peer = await queue(h);
    requestConsent(h, peer);
    await vi.waitFor(() => {
      expect(h.session.state).toBe('consent-pending');
    });
    await passTime(h, peer, 59_999);
    expect(peer.unread).toEqual([]);
    expect(promptSignal?.aborted).toBe(false);
    h.clock.advance(1);
    const answer = await peer.expect('consent.answer');
    expect(answer.payload).toEqual({
      requestId: REQUEST_ID,
      granted: [],
      noticeShown: NOTICE.text,
    });
    expect(promptSignal?.aborted).toBe(true);
    expect(h.session.state).toBe('ended');
    expect(h.ends).toEqual([
      {
        reason: 'consent-timed-out',
        message: 'No answer was given in time, so access was denied.',
      },
    ]);
    // The relay confirms; the client closes and does not come back.
    peer.send({
      type: 'session.ended',
      payload: { reason: 'consent-timed-out', message: 'No answer in time.' },
    });
    await vi.waitFor(() => {
      expect(peer.closed).not.toBeNull();
    });
    // Ended: no timer is left that could reconnect, and none fires as time passes.
    expect(h.session.state).toBe('ended');
    expect(h.clock.pending).toEqual([]);
    expect(h.clock.advance(120_000)).toBe(0);
    expect(h.relay.peers).toHaveLength(1);
  });

  it('ends with the relay’s reason when the user denies', async () => {
    const h = await harness({ granted: [] });
    const peer = await queue(h);
    requestConsent(h, peer);
    expect((await peer.expect('consent.answer')).payload.granted).toEqual([]);
    expect(h.ends[0]?.reason).toBe('consent-denied');
    peer.close(CloseCode.normal, 'consent denied');
    await vi.waitFor(() => {
      expect(peer.closed?.code).toBe(CloseCode.normal);
    });
    expect(h.session.state).toBe('ended');
  });
});

describe('SupportSession, reconnect and resume', () => {
  it('resumes after the socket is destroyed mid-chat: backoff, lastSeq, resend, no duplicates, no new prompt', async () => {
    const h = await harness({ granted: ['chat'] });
    const first = await activate(h, ['chat']);
    // Relay seqs so far: help.queued 1, consent.request 2, consent.state 3.
    const chat = (n: number, text: string) =>
      first.send({
        type: 'chat.message',
        payload: {
          messageId: uuid(100 + n),
          from: 'agent',
          name: AGENT.name,
          text,
          at: new Date(h.clock.now()).toISOString(),
          redacted: false,
        },
      });
    const agentMessage = chat(1, 'Can you see the error light?');
    await vi.waitFor(() => {
      expect(h.chats).toHaveLength(1);
    });
    h.session.sendChat('Yes, it blinks orange.');
    const one = await first.expect('chat.send');
    expect(one.seq).toBe(3); // help.request 1, consent.answer 2
    expect(one.ack).toBe(4);

    // The socket dies before the relay acknowledged "one"; the user keeps typing.
    first.destroy();
    await vi.waitFor(() => {
      expect(h.session.state).toBe('reconnecting');
    });
    h.session.sendChat('Now it is steady.');

    // Back-off: nothing before 1 s (the retry is the only timer, and it has not fired), then a
    // new connection.
    expect(h.clock.pending).toEqual([1_000]);
    expect(h.clock.advance(999)).toBe(0);
    expect(h.clock.pending).toEqual([1]);
    expect(h.relay.peers).toHaveLength(1);
    h.clock.advance(1);
    const second = await h.relay.connection(1);
    const hello = await second.expect('hello');
    expect(hello.payload).toEqual({
      resume: { sessionId: SESSION_ID, token: RESUME_TOKEN, lastSeq: 4 },
    });
    expect(second.headers.authorization).toBe(first.headers.authorization);

    // The relay only had up to seq 2: "one" (seq 3) and "two" (seq 4) come again, in order,
    // "one" with its original id.
    second.welcome({ sessionId: SESSION_ID, lastSeq: 2 });
    const again = await second.expect('chat.send');
    expect(again).toMatchObject({
      id: one.id,
      seq: 3,
      payload: { text: 'Yes, it blinks orange.' },
    });
    const two = await second.expect('chat.send');
    expect(two).toMatchObject({ seq: 4, payload: { text: 'Now it is steady.' } });
    expect(h.session.state).toBe('active');

    // The relay replays its own frame 4 (already handled) and a copy with a new seq but the
    // same id: both ignored. Then a new message gets through.
    second.send(
      {
        type: 'chat.message',
        payload: {
          messageId: uuid(101),
          from: 'agent',
          name: AGENT.name,
          text: 'Can you see the error light?',
          at: new Date(h.clock.now()).toISOString(),
          redacted: false,
        },
      },
      { seq: agentMessage.seq, id: agentMessage.id },
    );
    h.relay.relaySeq = 4;
    second.send(
      {
        type: 'chat.message',
        payload: {
          messageId: uuid(101),
          from: 'agent',
          name: AGENT.name,
          text: 'Can you see the error light?',
          at: new Date(h.clock.now()).toISOString(),
          redacted: false,
        },
      },
      { id: agentMessage.id },
    );
    second.send({
      type: 'chat.message',
      payload: {
        messageId: uuid(102),
        from: 'agent',
        name: AGENT.name,
        text: 'Good, it is fixed.',
        at: new Date(h.clock.now()).toISOString(),
        redacted: false,
      },
    });
    await vi.waitFor(() => {
      expect(h.chats.map((c) => c.text)).toEqual([
        'Can you see the error light?',
        'Good, it is fixed.',
      ]);
    });
    // Acknowledged up to the last one; the user was asked for consent once only.
    await vi.waitFor(() => {
      expect(second.frames.at(-1)).toMatchObject({ type: 'ack', ack: 6 });
    });
    expect(h.consent.asked).toHaveLength(1);
    expect(h.states).toEqual([
      'connecting',
      'waiting',
      'consent-pending',
      'active',
      'reconnecting',
      'active',
    ]);
  });

  it('backs off 1 s, 1.5 s, 2.25 s… while the relay fails, then ends when the resume window has passed', async () => {
    const h = await harness({ granted: ['chat'] });
    const first = await activate(h, ['chat']);
    h.relay.refuseWith = 502;
    first.destroy();
    await vi.waitFor(() => {
      expect(h.session.state).toBe('reconnecting');
    });
    const attempts: number[] = [];
    let elapsed = 0;
    // Each failed attempt schedules the next, until the resume window has passed.
    for (let i = 0; i < 20; i += 1) {
      await vi.waitFor(() => {
        expect(h.clock.pending.length > 0 || h.session.state === 'ended').toBe(true);
      });
      if (h.session.state === 'ended') break;
      expect(h.clock.pending).toHaveLength(1);
      const delay = h.clock.pending[0] ?? 0;
      attempts.push(delay);
      elapsed += delay;
      expect(h.clock.advance(delay)).toBe(1);
    }
    expect(attempts).toEqual([1_000, 1_500, 2_250, 3_375, 5_063, 7_594, 11_391, 17_086, 25_629]);
    expect(elapsed).toBeGreaterThanOrEqual(60_000);
    expect(h.relay.peers).toHaveLength(1);
    expect(h.ends).toEqual([
      {
        reason: 'resume-window-expired',
        message:
          'The connection to the support relay was lost for too long; the session has ended.',
      },
    ]);
  });

  it.each([
    [CloseCode.normal, 'closed-by-relay'],
    [CloseCode.authFailed, 'auth-failed'],
    [CloseCode.resumeRejected, 'resume-rejected'],
    [CloseCode.unsupportedVersion, 'unsupported-version'],
    [CloseCode.replaced, 'replaced'],
  ] as const)('does not reconnect after close code %i', async (code, reason) => {
    const h = await harness({ granted: ['chat'] });
    const peer = await activate(h, ['chat']);
    peer.close(code, 'fatal');
    await vi.waitFor(() => {
      expect(h.session.state).toBe('ended');
    });
    expect(h.ends).toMatchObject([{ reason, closeCode: code }]);
    // Nothing is left that could reconnect: no timer armed, none fires as time passes.
    expect(h.clock.pending).toEqual([]);
    expect(h.clock.advance(120_000)).toBe(0);
    expect(h.relay.peers).toHaveLength(1);
  });

  it.each([
    CloseCode.goingAway,
    1011, // not sent by the relay, but a proxy in front of it may
    CloseCode.tryAgainLater,
    CloseCode.rateLimited,
  ])('reconnects and resumes after close code %i', async (code) => {
    const h = await harness({ granted: ['chat'] });
    const peer = await activate(h, ['chat']);
    peer.close(code, 'retry');
    await vi.waitFor(() => {
      expect(h.session.state).toBe('reconnecting');
    });
    expect(h.clock.pending.length).toBe(1);
    const delay = h.clock.pending[0] ?? 0;
    // 1013 and 4005 ask for a longer pause.
    expect(delay).toBe(
      code === CloseCode.rateLimited || code === CloseCode.tryAgainLater ? 10_000 : 1_000,
    );
    h.clock.advance(delay);
    const next = await h.relay.connection(1);
    expect((await next.expect('hello')).payload.resume?.sessionId).toBe(SESSION_ID);
  });

  it('gives up at once when the relay refuses the credentials (HTTP 401 on the upgrade)', async () => {
    const h = await harness({
      credentials: { deviceId: CREDENTIALS.deviceId, deviceSecret: 'wrong-secret' },
    });
    const asked = h.session.askForHelp('Printer offline');
    await expect(asked).rejects.toSatisfy((error) => isPrintoError(error, 'auth-failed'));
    expect(h.session.state).toBe('ended');
    expect(h.clock.pending).toEqual([]);
  });
});

describe('SupportSession, many messages across a drop', () => {
  it('delivers 1,000 relay messages once each, in order, and loses none of its own', async () => {
    const h = await harness({ granted: ['chat'] });
    const first = await activate(h, ['chat']);
    // Relay seqs 1–3 are help.queued, consent.request, consent.state; chat i has seq 3 + i.
    const sendChat = (peer: RelayPeer, i: number): void => {
      peer.send(
        {
          type: 'chat.message',
          payload: {
            messageId: uuid(10_000 + i),
            from: 'agent',
            name: AGENT.name,
            text: `message ${i}`,
            at: new Date(h.clock.now()).toISOString(),
            redacted: false,
          },
        },
        { seq: 3 + i, id: uuid(20_000 + i) },
      );
    };
    for (let i = 1; i <= 600; i += 1) sendChat(first, i);
    for (let i = 1; i <= 50; i += 1) h.session.sendChat(`reply ${i}`);
    await vi.waitFor(() => {
      expect(h.chats.length).toBeGreaterThan(100);
    });
    first.destroy();
    await vi.waitFor(() => {
      expect(h.session.state).toBe('reconnecting');
    });
    const handled = h.chats.length;
    h.clock.advance(1_000);
    const second = await h.relay.connection(1);
    const hello = await second.expect('hello');
    expect(hello.payload.resume?.lastSeq).toBe(3 + handled);
    // The relay says it has the client's frames up to seq 22 (help.request, consent.answer and
    // 20 replies), then replays with an overlap of 50 frames the client already handled.
    second.welcome({ sessionId: SESSION_ID, lastSeq: 22 });
    for (let i = Math.max(1, handled - 50); i <= 1_000; i += 1) sendChat(second, i);
    await vi.waitFor(() => {
      expect(h.chats).toHaveLength(1_000);
    });
    expect(h.chats.map((c) => c.text)).toEqual(
      Array.from({ length: 1_000 }, (_, i) => `message ${i + 1}`),
    );
    // Every reply reached the relay: by seq, once each, in order.
    const bySeq = new Map<number, string>();
    for (const frame of [...first.frames, ...second.frames]) {
      if (frame.type === 'chat.send') bySeq.set(frame.seq, frame.payload.text);
    }
    expect([...bySeq.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text)).toEqual(
      Array.from({ length: 50 }, (_, i) => `reply ${i + 1}`),
    );
    const resent = second.frames.filter((f) => f.type === 'chat.send').map((f) => f.seq);
    expect(resent).toEqual(Array.from({ length: 30 }, (_, i) => 23 + i));
  });
});

describe('SupportSession, edges', () => {
  it('stops an action whose scope is revoked while the user is still deciding', async () => {
    let context: ActionContext | undefined;
    let settle: ((result: ActionResult) => void) | undefined;
    const h = await harness({
      granted: ['chat', 'actions'],
      onActionRequest: (_action, given) =>
        new Promise((resolve) => {
          context = given;
          settle = resolve;
        }),
    });
    const peer = await activate(h, ['chat', 'actions']);
    peer.send({
      type: 'action.request',
      payload: { requestId: uuid(1), action: { id: 'print-test-page', printer: 'Floor2' } },
    });
    await vi.waitFor(() => {
      expect(context).toBeDefined();
    });
    h.session.revoke(['actions']);
    expect(context?.signal.aborted).toBe(true);
    // The user clicks "Allow" a moment too late: the library says no, nothing is approved.
    expect(context?.approve()).toBe(false);
    settle?.({ outcome: 'declined' });
    expect((await peer.expect('consent.revoke')).payload.scopes).toEqual(['actions']);
    expect((await peer.expect('action.response')).payload).toEqual({
      requestId: uuid(1),
      outcome: 'declined',
    });
  });

  it('scrubs identifiers from an action’s result message without device.identifiers', async () => {
    const h = await harness({
      granted: ['chat', 'actions'],
      onActionRequest: (_action, given) => {
        given.approve();
        return Promise.resolve({
          outcome: 'done',
          message: 'Test page sent to ipp://prn-floor2.corp.example/ipp/print (192.0.2.7)',
        });
      },
    });
    const peer = await activate(h, ['chat', 'actions']);
    peer.send({
      type: 'action.request',
      payload: { requestId: uuid(1), action: { id: 'print-test-page', printer: 'Floor2' } },
    });
    expect((await peer.expect('action.response')).payload.outcome).toBe('approved');
    expect((await peer.expect('action.response')).payload).toEqual({
      requestId: uuid(1),
      outcome: 'done',
      message: 'Test page sent to ipp://[device identifier]/ipp/print ([device identifier])',
    });
  });

  it('answers for the named printers only, whatever the handler collected', async () => {
    const h = await harness({ granted: ['chat', 'printers.read', 'diagnostics.read'] });
    const peer = await activate(h, ['chat', 'printers.read', 'diagnostics.read']);
    const only = ['Label'];
    peer.send({
      type: 'data.request',
      payload: { requestId: uuid(1), kind: 'printers', printers: only },
    });
    const printers = (await peer.expect('data.response')).payload.data;
    if (printers?.kind !== 'printers') throw new Error('expected printers');
    expect(printers.printers.map((p) => p.name)).toEqual(['Label']);

    // Jobs of other queues stay here too (the fixture's jobs are all on Floor2).
    peer.send({
      type: 'data.request',
      payload: { requestId: uuid(2), kind: 'jobs', printers: only },
    });
    expect((await peer.expect('data.response')).payload.data).toEqual({ kind: 'jobs', jobs: [] });

    // A report keeps the computer's own checks; its verdict is that of what is left.
    peer.send({
      type: 'data.request',
      payload: { requestId: uuid(3), kind: 'diagnostics', printers: only },
    });
    const report = (await peer.expect('data.response')).payload.data;
    if (report?.kind !== 'diagnostics') throw new Error('expected diagnostics');
    expect(report.report.printers).toEqual([]);
    expect(report.report.results.map((r) => r.checkId)).toEqual(['print-service']);
    expect(report.report.verdict).toBe('pass');

    // The handler was told, so that it can collect less.
    expect(h.calls.data.map((c) => c.printers)).toEqual([only, only, only]);
  });

  it('narrows to the relay’s consent.state and refuses what it took away', async () => {
    const h = await harness({ granted: ['chat', 'printers.read'] });
    const peer = await activate(h, ['chat', 'printers.read']);
    const grants: (readonly Scope[])[] = [];
    h.session.on('grant', (granted) => grants.push(granted));
    peer.send({ type: 'consent.state', payload: { granted: ['chat'] } });
    peer.send({ type: 'data.request', payload: { requestId: uuid(1), kind: 'printers' } });
    expect((await peer.expect('data.response')).payload.error).toMatch(/printers\.read/);
    expect(h.calls.data).toEqual([]);
    expect(grants).toEqual([['chat']]);
  });

  it('calls no handler for what the relay sends after the user ended the session', async () => {
    const h = await harness({ granted: ALL_SCOPES });
    const peer = await activate(h);
    const ended = h.session.end();
    await peer.expect('session.end');
    peer.send({ type: 'data.request', payload: { requestId: uuid(1), kind: 'printers' } });
    peer.send({
      type: 'action.request',
      payload: { requestId: uuid(2), action: { id: 'resume-queue', printer: 'Floor2' } },
    });
    peer.send({
      type: 'session.ended',
      payload: { reason: 'ended-by-client', message: 'The user ended the session.' },
    });
    await ended;
    expect(h.calls).toEqual({ data: [], actions: [] });
    expect(peer.unread).toEqual([]);
    expect(() => {
      h.session.sendChat('still there?');
    }).toThrow(expect.objectContaining({ code: 'session-not-active' }));
  });

  it('refuses to chat before consent and without the chat scope', async () => {
    const h = await harness({ granted: ['printers.read'] });
    const peer = await queue(h);
    expect(() => {
      h.session.sendChat('hello?');
    }).toThrow(expect.objectContaining({ code: 'session-not-active' }));
    requestConsent(h, peer);
    await peer.expect('consent.answer');
    expect(() => {
      h.session.sendChat('hello?');
    }).toThrow(expect.objectContaining({ code: 'chat-not-granted' }));
    // And an agent's chat does not reach the UI either.
    peer.send({
      type: 'chat.message',
      payload: {
        messageId: uuid(9),
        from: 'agent',
        name: AGENT.name,
        text: 'hi',
        at: new Date(h.clock.now()).toISOString(),
        redacted: false,
      },
    });
    peer.send({ type: 'data.request', payload: { requestId: uuid(1), kind: 'printers' } });
    await peer.expect('data.response');
    expect(h.chats).toEqual([]);
  });

  it('rejects askForHelp when the relay answers the request with an error', async () => {
    const h = await harness({});
    const asked = h.session.askForHelp('Printer offline');
    const peer = await h.relay.connection(0);
    await peer.expect('hello');
    peer.welcome();
    const request = await peer.expect('help.request');
    peer.send({
      type: 'error',
      payload: { code: 'rate-limited', message: 'Too many requests.', ref: request.id },
    });
    await expect(asked).rejects.toSatisfy(
      (error) => isPrintoError(error, 'help-refused') && error.message === 'Too many requests.',
    );
    expect(h.session.ended).toEqual({ reason: 'help-refused', message: 'Too many requests.' });
  });

  it('asks again on a fresh connection when the first one drops before the session is queued', async () => {
    const h = await harness({});
    const asked = h.session.askForHelp('Printer offline');
    const first = await h.relay.connection(0);
    await first.expect('hello');
    first.welcome();
    await first.expect('help.request');
    first.destroy();
    await vi.waitFor(() => {
      expect(h.clock.pending).toEqual([1_000]);
    });
    expect(h.session.state).toBe('reconnecting');
    h.clock.advance(1_000);
    const second = await h.relay.connection(1);
    h.relay.relaySeq = 0;
    expect((await second.expect('hello')).payload).toEqual({});
    second.welcome();
    const again = await second.expect('help.request');
    expect(again.seq).toBe(1);
    second.send({
      type: 'help.queued',
      payload: {
        sessionId: SESSION_ID,
        code: '482913057',
        expiresAt: new Date(h.clock.now() + 600_000).toISOString(),
        resumeToken: RESUME_TOKEN,
        notice: NOTICE,
      },
    });
    await expect(asked).resolves.toMatchObject({ sessionId: SESSION_ID });
  });

  it('ends when the relay welcomes a resume without resuming', async () => {
    const h = await harness({ granted: ['chat'] });
    const first = await activate(h, ['chat']);
    first.destroy();
    await vi.waitFor(() => {
      expect(h.session.state).toBe('reconnecting');
    });
    h.clock.advance(1_000);
    const second = await h.relay.connection(1);
    await second.expect('hello');
    second.welcome();
    await vi.waitFor(() => {
      expect(h.session.state).toBe('ended');
    });
    expect(h.ends).toMatchObject([{ reason: 'resume-rejected' }]);
  });
});

/**
 * ClientServices' support part on real parts: the relay on 127.0.0.1 (SQLite in a temporary data
 * directory, an organisation with its enrollment key, an agent speaking raw frames over ws), a
 * private cupsd with ippeveprinter devices behind the CUPS adapter, policy read from a policy file,
 * and the user's own copy in a real SQLite file. Everything goes through `call`, as a front end
 * does; what the agent saw is read off its own WebSocket.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSessionCode } from '../../../src-shared/api/words.ts';
import type { SupportSnapshot } from '../../../src-shared/api/contract.ts';
import { PrintoError } from '../../../src-shared/errors.ts';
import { ExportSchema } from '../../../src-shared/model/transcript.ts';
import { ALL_SCOPES } from '../../../src-shared/protocol/v1.ts';
import type { Scope } from '../../../src-shared/protocol/v1.ts';
import { CupsPrinterSystem } from '../../../src-main/printers/cups/cups-printer-system.ts';
import { parseCupsServerName } from '../../../src-main/printers/cups/server.ts';
import { loadDeviceCredentials } from '../../../src-main/secrets/device-credentials.ts';
import { MemorySecretStore } from '../../../src-main/secrets/memory-store.ts';
import type { ClientServicesHost } from '../../../src-main/services/index.ts';
import { PURGE_INTERVAL_MS } from '../../../src-main/services/local-copy.ts';
import { noticeDigest } from '../../../src-main/transcripts/store.ts';
import { startTestbed } from '../../testbed/testbed.ts';
import type { Testbed } from '../../testbed/testbed.ts';
import { ManualClock } from '../../unit/manual-clock.ts';
import { AGENT_NAME, removeTempDirs as removeRelayDirs, startBed } from '../relay/harness.ts';
import type { AgentSocket, Bed } from '../relay/harness.ts';
import {
  DEVICE_NAME,
  HeldFrames,
  Recorder,
  policyFiles,
  rejection,
  removeTempDirs,
  services,
  until,
} from './harness.ts';

const DAY = 24 * 60 * 60_000;
const ALLOWED: Scope[] = ['chat', 'printers.read', 'diagnostics.read', 'actions'];

let cups: Testbed;
let system: CupsPrinterSystem;
let relay: Bed;
/** Hosts a test did not close itself (a failed assertion): closed after all. */
const open = new Set<ClientServicesHost>();
const agents: AgentSocket[] = [];

beforeAll(async () => {
  [cups, relay] = await Promise.all([
    startTestbed({ name: 'services-support' }),
    // The relay's clock moves only when a test says so: without a big bucket the chat would
    // never refill.
    startBed({ hub: { chatRate: { burst: 2_000, perSecond: 1_000 } } }),
  ]);
  const device = await cups.addDevice({ name: 'office-dev', make: 'Acme', model: 'Laser 5' });
  await cups.addQueues([
    { name: 'Office', device, isDefault: true },
    { name: 'Lab', device },
  ]);
  system = new CupsPrinterSystem({
    server: { endpoint: parseCupsServerName(cups.cupsSocket, 'test'), source: 'test' },
    deviceQuery: false,
  });
});

afterAll(async () => {
  for (const host of open) await host.close('test over');
  for (const agent of agents) await agent.close();
  system.close();
  await relay.stop();
  await cups.stop();
  removeRelayDirs();
  removeTempDirs();
});

async function start(
  options: Omit<Parameters<typeof services>[0], 'system'>,
): Promise<Awaited<ReturnType<typeof services>>> {
  const made = await services({ system, ...options });
  open.add(made.host);
  return made;
}

async function close(host: ClientServicesHost, reason?: string): Promise<void> {
  await host.close(reason);
  open.delete(host);
}

async function agentJoins(code: string): Promise<AgentSocket> {
  const agent = await relay.agent();
  agents.push(agent);
  // The user reads the code out as `123 456 789`.
  await agent.join({ code: formatSessionCode(code) });
  return agent;
}

/** Asks, lets an agent join, and grants `grant`: an active session. */
async function activeSession(
  host: ClientServicesHost,
  grant: Scope[],
): Promise<{ agent: AgentSocket; asked: SupportSnapshot }> {
  const changed = new Recorder(host, 'support.changed');
  const asked = await host.call('support.ask', { description: 'The Office printer stopped' });
  const agent = await agentJoins(asked.code ?? '');
  const pending = await changed.next((s) => s.consent !== null, 'the consent request');
  await host.call('support.answerConsent', {
    requestId: pending.consent?.requestId ?? '',
    granted: grant,
  });
  await agent.next('consent.state');
  changed.stop();
  return { agent, asked };
}

// ---------------------------------------------------------------------------------------------

describe('enrolment', () => {
  it('says not enrolled until support.enroll, then names the device the relay knows', async () => {
    const files = policyFiles({ relayUrl: relay.url });
    const secrets = new MemorySecretStore();
    const { host } = await start({ files, secrets });

    expect(await host.call('support.enrolment', {})).toEqual({
      enrolled: false,
      relayUrl: relay.url,
      deviceId: null,
      supportEnabled: true,
      keyring: { available: true, code: null, message: null },
    });
    expect((await rejection(host.call('support.enroll', {}))).code).toBe('enroll-key-missing');
    expect((await rejection(host.call('support.enroll', { key: 'pek_not-the-key' }))).code).toBe(
      'enroll-key-rejected',
    );
    // The policy sets the relay: another one is refused before anything is sent.
    expect(
      (
        await rejection(
          host.call('support.enroll', { relayUrl: 'http://127.0.0.1:9', key: relay.enrollmentKey }),
        )
      ).code,
    ).toBe('setting-locked');
    expect(await loadDeviceCredentials(secrets)).toBeNull();

    const after = await host.call('support.enroll', { key: relay.enrollmentKey, name: 'WS-NAMED' });
    expect(after).toMatchObject({ enrolled: true, relayUrl: relay.url, supportEnabled: true });
    expect(after.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(relay.store.findDeviceCredentials(after.deviceId ?? '')?.device.name).toBe('WS-NAMED');
    const stored = await loadDeviceCredentials(secrets);
    expect(stored).toMatchObject({ deviceId: after.deviceId, relayUrl: relay.url });
    expect(await host.call('support.enrolment', {})).toEqual(after);
    await close(host);
  });

  it('enrols on first need with the policy’s key when the user asks for help', async () => {
    const files = policyFiles({ relayUrl: relay.url, enrollmentKey: relay.enrollmentKey });
    const secrets = new MemorySecretStore();
    const { host } = await start({ files, secrets });
    expect((await host.call('support.enrolment', {})).enrolled).toBe(false);

    const asked = await host.call('support.ask', { description: 'Nothing prints' });
    expect(asked).toMatchObject({ state: 'waiting', granted: [], consent: null, ended: null });
    expect(asked.code).toMatch(/^\d{9}$/);
    const enrolment = await host.call('support.enrolment', {});
    expect(enrolment.enrolled).toBe(true);
    expect(relay.store.findDeviceCredentials(enrolment.deviceId ?? '')?.device.name).toBe(
      DEVICE_NAME,
    );
    expect(relay.store.getSession(asked.sessionId ?? '')).toMatchObject({
      state: 'waiting',
      deviceId: enrolment.deviceId,
    });

    // One session at a time.
    const busy = await rejection(host.call('support.ask', { description: 'Again' }));
    expect(busy.code).toBe('support-busy');
    const ended = await host.call('support.end', {});
    expect(ended.state).toBe('ended');
    // Ended: a new request may start, with the same credentials.
    const again = await host.call('support.ask', { description: 'Still nothing prints' });
    expect(again.sessionId).not.toBe(asked.sessionId);
    expect((await host.call('support.enrolment', {})).deviceId).toBe(enrolment.deviceId);
    await close(host);
  });

  it('refuses a second ask that comes while the first is still connecting', async () => {
    const files = policyFiles({ relayUrl: relay.url, enrollmentKey: relay.enrollmentKey });
    const { host } = await start({ files, secrets: new MemorySecretStore() });
    const outcomes = await Promise.allSettled([
      host.call('support.ask', { description: 'First' }),
      host.call('support.ask', { description: 'Second' }),
    ]);
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected.map((o) => (o.reason as { code?: unknown }).code)).toEqual(['support-busy']);
    // Only one session was created on the relay.
    const deviceId = (await host.call('support.enrolment', {})).deviceId ?? '';
    const snapshot = await host.call('support.snapshot', {});
    expect(snapshot.state).toBe('waiting');
    expect(relay.store.getSession(snapshot.sessionId ?? '')?.deviceId).toBe(deviceId);
    await close(host);
  });

  it('says not-enrolled without a key, and support-disabled when policy turns support off', async () => {
    const noKey = policyFiles({ relayUrl: relay.url });
    const first = await start({ files: noKey, secrets: new MemorySecretStore() });
    expect((await rejection(first.host.call('support.ask', { description: 'Help' }))).code).toBe(
      'not-enrolled',
    );
    expect((await first.host.call('support.snapshot', {})).state).toBe('idle');
    await close(first.host);

    const noRelay = policyFiles({});
    const second = await start({ files: noRelay, secrets: new MemorySecretStore() });
    expect((await rejection(second.host.call('support.ask', { description: 'Help' }))).code).toBe(
      'not-enrolled',
    );
    expect((await rejection(second.host.call('support.enroll', { key: 'pek_x' }))).code).toBe(
      'not-enrolled',
    );
    await close(second.host);

    const off = policyFiles({
      supportEnabled: false,
      relayUrl: relay.url,
      enrollmentKey: relay.enrollmentKey,
    });
    const secrets = new MemorySecretStore();
    const third = await start({ files: off, secrets });
    const disabled = await rejection(third.host.call('support.ask', { description: 'Help' }));
    expect(disabled).toMatchObject({ code: 'support-disabled' });
    expect((disabled as unknown as { hint: string | null }).hint).toContain('supportEnabled');
    expect((await third.host.call('support.enrolment', {})).supportEnabled).toBe(false);
    // Nothing was enrolled on the way.
    expect(await loadDeviceCredentials(secrets)).toBeNull();
    await close(third.host);
  });
});

// ---------------------------------------------------------------------------------------------

describe('a whole support session through call()', () => {
  it('asks, consents within policy, chats, shares, acts, revokes, ends — and keeps the user’s copy', async () => {
    const files = policyFiles({
      relayUrl: relay.url,
      enrollmentKey: relay.enrollmentKey,
      allowedScopes: ALLOWED,
    });
    const secrets = new MemorySecretStore();
    const held = new HeldFrames();
    const { host, backgroundErrors } = await start({
      files,
      secrets,
      WebSocketImpl: held.socketClass(),
    });
    const changed = new Recorder(host, 'support.changed');
    const chats = new Recorder(host, 'support.chat');
    const activity = new Recorder(host, 'support.activity');
    await cups.run('cupsdisable', ['Office']);
    expect((await cups.queue('Office')).state).toBe('stopped');

    // Ask: the code and the notice, and whether this computer keeps a copy, before any agent.
    const asked = await host.call('support.ask', { description: '  The Office printer stopped  ' });
    expect(asked).toMatchObject({
      state: 'waiting',
      agent: null,
      consent: null,
      actions: [],
      localCopy: { kept: true, reason: null },
    });
    expect(asked.code).toMatch(/^\d{9}$/);
    expect(asked.notice?.retentionDays).toBeGreaterThan(0);
    expect(asked.notice?.text).toContain(String(asked.notice?.retentionDays));
    expect(await changed.next((s) => s.code === asked.code, 'the code')).toMatchObject({
      sessionId: asked.sessionId,
      notice: asked.notice,
    });

    // The agent joins and asks for everything; policy lets the user grant only ALLOWED.
    const agent = await agentJoins(asked.code ?? '');
    const before = Date.now();
    const pending = await changed.next((s) => s.consent !== null, 'the consent request');
    expect(pending.state).toBe('consent-pending');
    const consent = pending.consent;
    if (consent === null) throw new Error('unreachable');
    expect(consent).toMatchObject({
      agent: { id: agent.agentId, name: AGENT_NAME },
      scopes: ALL_SCOPES,
      grantable: ALLOWED,
      notice: asked.notice,
    });
    // The deadline on this computer's clock: policy's 60 s at most, not in the past.
    const expiresAt = Date.parse(consent.expiresAt);
    expect(expiresAt).toBeGreaterThan(before);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);

    const notAllowed = await rejection(
      host.call('support.answerConsent', {
        requestId: consent.requestId,
        granted: ['chat', 'jobs.metadata'],
      }),
    );
    expect(notAllowed.code).toBe('scope-not-allowed');
    expect(notAllowed.message).toContain('jobs.metadata');
    expect((await host.call('support.snapshot', {})).consent?.requestId).toBe(consent.requestId);
    expect(
      (
        await rejection(
          host.call('support.answerConsent', { requestId: 'not-this-one', granted: ['chat'] }),
        )
      ).code,
    ).toBe('consent-not-pending');

    // Grant less than policy allows: no diagnostics.
    const grant: Scope[] = ['chat', 'printers.read', 'actions'];
    const answered = await host.call('support.answerConsent', {
      requestId: consent.requestId,
      granted: grant,
    });
    expect(answered.consent).toBeNull();
    expect((await agent.next('consent.state')).payload.granted).toEqual(grant);
    const active = await changed.next((s) => s.state === 'active', 'active');
    expect(active).toMatchObject({
      granted: grant,
      agent: { id: agent.agentId, name: AGENT_NAME },
      consent: null,
    });

    // Chat both ways; a card number never leaves unmasked.
    const { ref } = await host.call('support.chat', {
      text: 'The card 4111 1111 1111 1111 is on the printer',
    });
    const atAgent = await agent.next('chat.message', (m) => m.payload.from === 'client');
    expect(atAgent.payload.text).not.toContain('4111 1111 1111 1111');
    expect(atAgent.payload.redacted).toBe(true);
    const mine = await chats.next((m) => m.from === 'client', 'my own message back');
    expect(mine).toMatchObject({ ref, redacted: true, text: atAgent.payload.text });
    await agent.chat('Let me look at your printers');
    expect(await chats.next((m) => m.from === 'agent', 'the agent’s message')).toMatchObject({
      name: AGENT_NAME,
      text: 'Let me look at your printers',
    });

    // Data: the printers are answered; diagnostics were not granted, so the relay refuses them.
    const printersRef = agent.send({ type: 'data.request', payload: { kind: 'printers' } });
    const printersRequest = await agent.next(
      'request.accepted',
      (f) => f.payload.ref === printersRef,
    );
    const printersAnswer = await agent.next(
      'data.response',
      (f) => f.payload.requestId === printersRequest.payload.requestId,
    );
    const shared =
      printersAnswer.payload.data?.kind === 'printers' ? printersAnswer.payload.data.printers : [];
    expect(shared.map((p) => p.name).sort()).toEqual(['Lab', 'Office']);
    const diagnosticsRef = agent.send({ type: 'data.request', payload: { kind: 'diagnostics' } });
    expect((await agent.errorFor(diagnosticsRef)).payload.code).toBe('scope-not-granted');

    // A proposed action: resume the paused queue; the user approves, CUPS really resumes it.
    const resumeRef = agent.send({
      type: 'action.propose',
      payload: { action: { id: 'resume-queue', printer: 'Office' } },
    });
    const resume = await agent.next('request.accepted', (f) => f.payload.ref === resumeRef);
    const proposed = await changed.next((s) => s.actions.length === 1, 'the proposed action');
    expect(proposed.actions).toEqual([
      {
        requestId: resume.payload.requestId,
        action: { id: 'resume-queue', printer: 'Office' },
        title: 'Resume the printer Office',
      },
    ]);
    expect(
      await host.call('support.answerAction', {
        requestId: resume.payload.requestId,
        approve: true,
      }),
    ).toEqual({ ok: true });
    const forResume = (f: { payload: { requestId: string } }): boolean =>
      f.payload.requestId === resume.payload.requestId;
    expect((await agent.next('action.response', forResume)).payload.outcome).toBe('approved');
    expect((await agent.next('action.response', forResume)).payload.outcome).toBe('done');
    expect((await cups.queue('Office')).state).not.toBe('stopped');
    expect((await host.call('support.snapshot', {})).actions).toEqual([]);
    expect(
      (
        await rejection(
          host.call('support.answerAction', { requestId: resume.payload.requestId, approve: true }),
        )
      ).code,
    ).toBe('action-not-pending');

    // Another one, declined: nothing is printed.
    const testPageRef = agent.send({
      type: 'action.propose',
      payload: { action: { id: 'print-test-page', printer: 'Lab' } },
    });
    const testPage = await agent.next('request.accepted', (f) => f.payload.ref === testPageRef);
    await changed.next((s) => s.actions.length === 1, 'the second proposal');
    await host.call('support.answerAction', {
      requestId: testPage.payload.requestId,
      approve: false,
    });
    expect(
      (
        await agent.next(
          'action.response',
          (f) => f.payload.requestId === testPage.payload.requestId,
        )
      ).payload.outcome,
    ).toBe('declined');
    expect(await system.listJobs('Lab', { which: 'all' })).toEqual([]);

    // Revoke printers.read. The agent's request crosses the revocation on the wire: the relay
    // forwards it, and this computer refuses it itself.
    held.hold();
    const revoked = await host.call('support.revoke', { scopes: ['printers.read'] });
    expect(revoked.granted).toEqual(['chat', 'actions']);
    const lateRef = agent.send({ type: 'data.request', payload: { kind: 'printers' } });
    const late = await agent.next('request.accepted', (f) => f.payload.ref === lateRef);
    const refusal = await activity.next((a) => a.type === 'refused', 'the local refusal');
    expect(refusal).toMatchObject({
      requestId: late.payload.requestId,
      request: 'data.request',
      missingScope: 'printers.read',
    });
    const lateSent = await activity.next(
      (a) => a.type === 'data.sent' && a.payload.requestId === late.payload.requestId,
      'the refusal sent',
    );
    // Only the refusal left this computer, no data.
    const refusalSent = lateSent.type === 'data.sent' ? lateSent.payload : null;
    expect(refusalSent?.data).toBeUndefined();
    expect(refusalSent?.error).toContain('printers.read');
    held.release();
    // The relay applies the revocation first and then withholds the late answer from the agent.
    expect((await agent.next('consent.state')).payload.granted).toEqual(['chat', 'actions']);

    // The user ends it; the agent is told.
    const ended = await host.call('support.end', { reason: 'Fixed, thanks' });
    expect(ended).toMatchObject({
      state: 'ended',
      granted: [],
      actions: [],
      ended: { reason: 'ended-by-client' },
    });
    expect((await agent.next('session.ended')).payload.reason).toBe('ended-by-client');

    // The user's own copy, right after the end.
    const sessionId = asked.sessionId ?? '';
    expect((await host.call('transcripts.list', {})).map((s) => s.sessionId)).toEqual([sessionId]);
    const view = await host.call('transcripts.view', { sessionId });
    expect(view).toMatchObject({
      sessionId,
      description: 'The Office printer stopped',
      agent: { id: agent.agentId, name: AGENT_NAME },
      end: { reason: 'ended-by-client' },
      flags: { restricted: false, objected: false },
    });
    expect(view.chat.map((m) => [m.from, m.text, m.redacted])).toEqual([
      ['client', atAgent.payload.text, true],
      ['agent', 'Let me look at your printers', false],
    ]);
    const noticeText = asked.notice?.text ?? '';
    expect(view.consent.map((c) => [c.decision, c.scopes])).toEqual([
      ['granted', grant],
      ['revoked', ['printers.read']],
    ]);
    expect(view.consent[0]).toMatchObject({
      agent: { id: agent.agentId, name: AGENT_NAME },
      notice: {
        text: noticeText,
        retentionDays: asked.notice?.retentionDays,
        digest: noticeDigest(noticeText),
      },
    });
    // What was shared is exactly what the agent received, plus the refusal the relay withheld.
    const received = agent.frames.filter((f) => f.type === 'data.response').map((f) => f.payload);
    expect(received.map((r) => r.requestId)).toEqual([printersRequest.payload.requestId]);
    expect(view.dataShared.map((d) => d.sent)).toEqual([...received, refusalSent]);
    expect(view.dataShared.map((d) => d.kind)).toEqual(['printers', 'printers']);
    expect(view.actions.map((a) => [a.action.id, a.answers.map((x) => x.answer.outcome)])).toEqual([
      ['resume-queue', ['approved', 'done']],
      ['print-test-page', ['declined']],
    ]);
    const actionAnswers = agent.frames
      .filter((f) => f.type === 'action.response')
      .map((f) => f.payload);
    expect(view.actions.flatMap((a) => a.answers.map((x) => x.answer))).toEqual(actionAnswers);

    const exported = await host.call('transcripts.export', {});
    expect(ExportSchema.safeParse(exported).success).toBe(true);
    expect(exported.sessions).toEqual([view]);
    const one = await host.call('transcripts.export', { ref: { type: 'session', sessionId } });
    expect(ExportSchema.parse(one).sessions).toEqual([view]);

    // The activity feed: what was asked, what left, what was refused, proposed and answered.
    const feed = await host.call('support.activity', {});
    expect(feed).toEqual(activity.seen);
    expect(feed.map((a) => (a.type === 'consent' ? `consent:${a.decision}` : a.type))).toEqual([
      'consent:granted',
      'data.requested',
      'data.sent',
      'action.proposed',
      'action.answered',
      'action.answered',
      'action.proposed',
      'action.answered',
      'consent:revoked',
      'data.requested',
      'refused',
      'data.sent',
    ]);
    const sent = feed.flatMap((a) => (a.type === 'data.sent' ? [a.payload] : []));
    expect(sent).toEqual([...received, refusalSent]);
    expect((await host.call('support.chatHistory', {})).map((m) => m.text)).toEqual(
      view.chat.map((m) => m.text),
    );
    expect(backgroundErrors).toEqual([]);
    await close(host);
  });

  it('ends a running session on close(), with a reason the agent sees and the copy keeps', async () => {
    const files = policyFiles({ relayUrl: relay.url, enrollmentKey: relay.enrollmentKey });
    const secrets = new MemorySecretStore();
    const { host, backgroundErrors } = await start({ files, secrets });
    const { agent, asked } = await activeSession(host, ['chat']);
    await close(host, 'The app was closed.');
    expect((await agent.next('session.ended')).payload).toMatchObject({
      reason: 'ended-by-client',
    });
    expect(relay.store.getSession(asked.sessionId ?? '')).toMatchObject({
      state: 'ended',
      endReason: 'ended-by-client',
    });
    expect(backgroundErrors).toEqual([]);

    // The next start finds the session in the user's copy, ended.
    const { host: next } = await start({ files, secrets });
    const view = await next.call('transcripts.view', { sessionId: asked.sessionId ?? '' });
    expect(view.end).toMatchObject({ reason: 'ended-by-client' });
    expect(view.consent.map((c) => c.decision)).toEqual(['granted']);
    await close(next);
  });
});

describe('the session’s other endings', () => {
  it('counts the consent deadline on this computer’s clock, and denies when it passes', async () => {
    const files = policyFiles({
      relayUrl: relay.url,
      enrollmentKey: relay.enrollmentKey,
      consentTimeoutSeconds: 30,
    });
    const clock = new ManualClock();
    const { host } = await start({ files, secrets: new MemorySecretStore(), clock });
    const changed = new Recorder(host, 'support.changed');
    const activity = new Recorder(host, 'support.activity');
    const asked = await host.call('support.ask', { description: 'Nobody answers' });
    const agent = await agentJoins(asked.code ?? '');
    const pending = await changed.next((s) => s.consent !== null, 'the consent request');
    // Policy's 30 s (sooner than the relay's 45 s), from this computer's clock.
    expect(pending.consent?.expiresAt).toBe(new Date(clock.now() + 30_000).toISOString());

    clock.advance(29_999);
    expect((await host.call('support.snapshot', {})).consent).not.toBeNull();
    clock.advance(1);
    const ended = await changed.next((s) => s.state === 'ended', 'the end');
    expect(ended).toMatchObject({ consent: null, granted: [] });
    expect(ended.ended?.reason).toBe('consent-timed-out');
    expect(await activity.next((a) => a.type === 'consent')).toMatchObject({
      decision: 'timed-out',
      scopes: [],
    });
    expect((await agent.next('session.ended')).payload.reason).toBe('consent-denied');
    await until(
      async () =>
        (await host.call('transcripts.view', { sessionId: asked.sessionId ?? '' })).end !== null,
      'the end in the copy',
    );
    const view = await host.call('transcripts.view', { sessionId: asked.sessionId ?? '' });
    expect(view.consent).toMatchObject([{ decision: 'timed-out', scopes: [] }]);
    expect(view.consent[0]?.agent).toEqual({ id: agent.agentId, name: AGENT_NAME });
    await close(host);
  });

  it('withdraws a proposed action when the agent ends the session', async () => {
    const files = policyFiles({ relayUrl: relay.url, enrollmentKey: relay.enrollmentKey });
    const { host } = await start({ files, secrets: new MemorySecretStore() });
    const { agent, asked } = await activeSession(host, ['chat', 'actions']);
    const changed = new Recorder(host, 'support.changed');
    agent.send({
      type: 'action.propose',
      payload: { action: { id: 'cancel-jobs', printer: 'Lab', jobIds: [1, 2] } },
    });
    const proposed = await changed.next((s) => s.actions.length === 1, 'the proposal');
    expect(proposed.actions[0]?.title).toBe('Cancel 2 jobs on Lab');
    agent.send({ type: 'session.end', payload: { reason: 'Out of time' } });
    const ended = await changed.next((s) => s.state === 'ended', 'the end');
    expect(ended).toMatchObject({ actions: [], ended: { reason: 'ended-by-agent' } });
    expect(
      (
        await rejection(
          host.call('support.answerAction', {
            requestId: proposed.actions[0]?.requestId ?? '',
            approve: true,
          }),
        )
      ).code,
    ).toBe('action-not-pending');
    expect((await rejection(host.call('support.chat', { text: 'Still there?' }))).code).toBe(
      'session-not-active',
    );
    await until(
      async () =>
        (await host.call('transcripts.view', { sessionId: asked.sessionId ?? '' })).end !== null,
      'the end in the copy',
    );
    const view = await host.call('transcripts.view', { sessionId: asked.sessionId ?? '' });
    expect(view.end?.reason).toBe('ended-by-agent');
    expect(view.actions.map((a) => [a.action.id, a.answers])).toEqual([['cancel-jobs', []]]);
    await close(host);
  });

  it('withdraws a proposed action when the user revokes `actions`', async () => {
    const files = policyFiles({ relayUrl: relay.url, enrollmentKey: relay.enrollmentKey });
    const { host } = await start({ files, secrets: new MemorySecretStore() });
    const { agent } = await activeSession(host, ['chat', 'actions']);
    const changed = new Recorder(host, 'support.changed');
    const ref = agent.send({
      type: 'action.propose',
      payload: { action: { id: 'print-test-page', printer: 'Lab' } },
    });
    const accepted = await agent.next('request.accepted', (f) => f.payload.ref === ref);
    await changed.next((s) => s.actions.length === 1, 'the proposal');
    const revoked = await host.call('support.revoke', { scopes: ['actions'] });
    expect(revoked).toMatchObject({ state: 'active', granted: ['chat'], actions: [] });
    expect(
      (
        await agent.next(
          'action.response',
          (f) => f.payload.requestId === accepted.payload.requestId,
        )
      ).payload.outcome,
    ).toBe('declined');
    expect(await system.listJobs('Lab', { which: 'all' })).toEqual([]);
    await host.call('support.end', {});
    await close(host);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the local copy', () => {
  it('says before consent that nothing is kept when the keyring is unusable, and writes nothing', async () => {
    const files = policyFiles({ relayUrl: relay.url, enrollmentKey: relay.enrollmentKey });
    const secrets = new MemorySecretStore();
    secrets.failWith(
      new PrintoError('keyring-unavailable', 'The OS keyring is not available.', {
        hint: 'Start the keyring.',
      }),
    );
    const { host } = await start({ files, secrets });
    const changed = new Recorder(host, 'support.changed');

    const asked = await host.call('support.ask', { description: 'No keyring here' });
    expect(asked.localCopy.kept).toBe(false);
    expect(asked.localCopy.reason).toContain('The OS keyring is not available.');
    expect(asked.localCopy.reason).toContain('will not be kept');
    const agent = await agentJoins(asked.code ?? '');
    const pending = await changed.next((s) => s.consent !== null, 'the consent request');
    // Every snapshot up to the consent request said so.
    for (const snapshot of changed.seen) expect(snapshot.localCopy).toEqual(asked.localCopy);
    expect(pending.localCopy.kept).toBe(false);

    // The session itself works (credentials live in this process only).
    await host.call('support.answerConsent', {
      requestId: pending.consent?.requestId ?? '',
      granted: ['chat'],
    });
    await agent.next('consent.state');
    await host.call('support.chat', { text: 'Hello' });
    await agent.next('chat.message', (m) => m.payload.from === 'client');
    expect(await host.call('support.enrolment', {})).toMatchObject({
      enrolled: true,
      keyring: { available: false, code: 'keyring-unavailable' },
    });
    const run = await host.call('diagnostics.run', { runId: 'no-keyring', printers: ['Office'] });
    expect(run.reportId).toBeNull();
    await host.call('support.end', {});
    await close(host);

    expect(existsSync(files.transcriptsPath)).toBe(false);
    expect(secrets.snapshot()).toEqual({});
  });

  it('keeps nothing when policy turns the copy off, and says so first', async () => {
    const files = policyFiles({
      relayUrl: relay.url,
      enrollmentKey: relay.enrollmentKey,
      allowLocalTranscript: false,
    });
    const secrets = new MemorySecretStore();
    const { host } = await start({ files, secrets });
    const { agent, asked } = await activeSession(host, ['chat']);
    expect(asked.localCopy).toEqual({
      kept: false,
      reason: expect.stringContaining('administrator') as string,
    });
    await host.call('support.chat', { text: 'Is this kept?' });
    await agent.next('chat.message', (m) => m.payload.from === 'client');
    await host.call('support.end', {});
    expect((await host.call('diagnostics.run', { runId: 'off' })).reportId).toBeNull();
    expect(await host.call('transcripts.list', {})).toEqual([]);
    await close(host);
    expect(existsSync(files.transcriptsPath)).toBe(false);
  });

  it('gives the user their rights over a kept session: correct, restrict, erase', async () => {
    const files = policyFiles({ relayUrl: relay.url, enrollmentKey: relay.enrollmentKey });
    const { host } = await start({ files, secrets: new MemorySecretStore() });
    const { agent, asked } = await activeSession(host, ['chat']);
    const chats = new Recorder(host, 'support.chat');
    await host.call('support.chat', { text: 'My name is Alise' });
    const mine = await chats.next((m) => m.from === 'client', 'my message');
    await agent.next('chat.message', (m) => m.payload.from === 'client');
    await host.call('support.end', {});
    const sessionId = asked.sessionId ?? '';
    const ref = { type: 'session' as const, sessionId };

    await host.call('transcripts.correct', {
      sessionId,
      messageId: mine.messageId,
      text: 'My name is Alice',
    });
    await host.call('transcripts.setFlags', { ref, flags: { restricted: true } });
    const view = await host.call('transcripts.view', { sessionId });
    expect(view.flags).toEqual({ restricted: true, objected: false });
    expect(view.chat[0]).toMatchObject({
      text: 'My name is Alise',
      corrected: true,
      corrections: [{ text: 'My name is Alice' }],
    });
    expect(
      (
        await rejection(
          host.call('transcripts.correct', {
            sessionId,
            messageId: 'no-such-message',
            text: 'x',
          }),
        )
      ).code,
    ).toBe('transcripts-not-found');

    expect(await host.call('transcripts.erase', { ref })).toEqual({ sessions: 1, reports: 0 });
    expect(await host.call('transcripts.list', {})).toEqual([]);
    expect((await rejection(host.call('transcripts.view', { sessionId }))).code).toBe(
      'transcripts-not-found',
    );
    await close(host);
  });

  it('purges past retention every hour, on an injected clock', async () => {
    const files = policyFiles({
      relayUrl: relay.url,
      enrollmentKey: relay.enrollmentKey,
      transcriptRetentionDays: 1,
    });
    const clock = new ManualClock();
    const { host, backgroundErrors } = await start({
      files,
      secrets: new MemorySecretStore(),
      clock,
    });
    const { agent, asked } = await activeSession(host, ['chat']);
    await host.call('support.end', {});
    await agent.next('session.ended');
    const sessionId = asked.sessionId ?? '';
    expect((await host.call('transcripts.list', {})).map((s) => s.sessionId)).toEqual([sessionId]);
    // The hourly purge is armed.
    expect(clock.pending).toContain(PURGE_INTERVAL_MS);

    // Past the day of retention, the next hourly purge removes it.
    clock.advance(3 * DAY);
    await until(
      async () => (await host.call('transcripts.list', {})).length === 0,
      'the hourly purge',
    );
    await expect(host.call('transcripts.view', { sessionId })).rejects.toMatchObject({
      code: 'transcripts-not-found',
    });
    // And it keeps purging every hour.
    expect(clock.pending).toContain(PURGE_INTERVAL_MS);
    expect(backgroundErrors).toEqual([]);
    await close(host);
  });

  it('purges past retention when it opens', async () => {
    const files = policyFiles({
      relayUrl: relay.url,
      enrollmentKey: relay.enrollmentKey,
      transcriptRetentionDays: 1,
    });
    const secrets = new MemorySecretStore();
    const first = await start({ files, secrets, clock: new ManualClock() });
    const { agent, asked } = await activeSession(first.host, ['chat']);
    await first.host.call('support.end', {});
    await agent.next('session.ended');
    await close(first.host);
    const sessionId = asked.sessionId ?? '';

    // Within retention, the next start still has it…
    const soon = await start({
      files,
      secrets,
      clock: new ManualClock(Date.parse('2026-11-25T12:00:00.000Z')),
    });
    expect((await soon.host.call('transcripts.list', {})).map((s) => s.sessionId)).toEqual([
      sessionId,
    ]);
    await close(soon.host);
    // …past it, the start purges it before anything is shown.
    const later = await start({
      files,
      secrets,
      clock: new ManualClock(Date.parse('2026-11-28T10:00:00.000Z')),
    });
    expect(await later.host.call('transcripts.list', {})).toEqual([]);
    expect(await later.host.call('transcripts.export', {})).toMatchObject({ sessions: [] });
    await close(later.host);
  });
});

describe('the relay’s copy, through relayCopy.*', () => {
  it('lists, restricts, objects, corrects and exports this computer’s sessions; erasure waits for a legal hold', async () => {
    const files = policyFiles({ relayUrl: relay.url, enrollmentKey: relay.enrollmentKey });
    const secrets = new MemorySecretStore();
    const { host } = await start({ files, secrets });
    // Nothing there before this computer enrolled.
    expect((await rejection(host.call('relayCopy.list', {}))).code).toBe('not-enrolled');

    const { agent, asked } = await activeSession(host, ['chat']);
    const sessionId = asked.sessionId ?? '';
    const mine = new Recorder(host, 'support.chat');
    const { ref } = await host.call('support.chat', { text: 'Tray 2 is emtpy' });
    const own = await mine.next((m) => m.ref === ref, 'the user’s own message back');
    mine.stop();
    await host.call('support.end', {});
    await agent.next('session.ended');

    const listed = await host.call('relayCopy.list', {});
    expect(listed.sessions.map((x) => x.id)).toContain(sessionId);
    expect(await host.call('relayCopy.right', { sessionId, right: 'restriction' })).toMatchObject({
      sessionId,
      right: 'restriction',
    });
    await host.call('relayCopy.right', { sessionId, right: 'objection' });
    await host.call('relayCopy.correct', {
      sessionId,
      messageId: own.messageId,
      text: 'Tray 2 is empty',
    });
    const exported = await host.call('relayCopy.export', { sessionId });
    expect(exported.session.id).toBe(sessionId);
    expect(exported.corrections.map((c) => c.text)).toEqual(['Tray 2 is empty']);
    const after = (await host.call('relayCopy.list', {})).sessions.find((x) => x.id === sessionId);
    expect(after).toMatchObject({ restricted: true, objected: true });

    relay.store.setLegalHold(sessionId, true, new Date(relay.clock.now()).toISOString());
    const held = await rejection(host.call('relayCopy.erase', { sessionId }));
    expect(held.code).toBe('session-on-hold');
    expect(relay.store.getSession(sessionId)?.erasedAt ?? null).toBeNull();
    relay.store.setLegalHold(sessionId, false, new Date(relay.clock.now()).toISOString());
    expect((await host.call('relayCopy.erase', { sessionId })).sessionId).toBe(sessionId);
    expect(relay.store.getSession(sessionId)?.erasedAt).toBeTruthy();
    await close(host);
  });
});

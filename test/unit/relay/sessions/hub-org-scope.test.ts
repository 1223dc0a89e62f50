/**
 * Organisation scope in the hub: an agent sees, joins and resumes only sessions of organisations
 * it serves, and another organisation's session or code looks exactly like one that does not
 * exist (a wrong code still costs a guess, so codes cannot be probed across organisations).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../../src-relay/server/metrics.ts';
import { silentLogger } from '../../../../src-relay/server/logger.ts';
import { SessionHub } from '../../../../src-relay/sessions/hub.ts';
import type { AgentScope } from '../../../../src-relay/store/store.ts';
import { CloseCode } from '../../../../src-shared/protocol/v1.ts';
import { T0, newStore } from '../store/fixture.ts';
import { ManualClock } from '../../manual-clock.ts';
import { peer } from './hub-harness.ts';
import type { Frame } from './hub-harness.ts';

const CODE_TTL_MS = 600_000;

/** Organisations A and B, each with a device that asked for help; time moves on demand. */
function twoOrganisations() {
  const { store } = newStore();
  const clock = new ManualClock(Date.parse(T0));
  const hub = new SessionHub({
    store,
    clock,
    logger: silentLogger,
    metrics: createMetrics(),
    notice: { text: 'Recorded for 90 days.', retentionDays: 90 },
    codeTtlMs: CODE_TTL_MS,
  });
  const org = (name: string) => {
    const created = store.createOrg(name, T0);
    const device = store.createDevice(
      { orgId: created.id, name: `${name}-WS`, secretHash: 'sh' },
      T0,
    );
    const client = peer('client');
    client.bind(
      hub.attach(client.connection, {
        role: 'client',
        client: { deviceId: device.id, orgId: created.id, deviceName: device.name },
      }),
    );
    client.send('hello', {});
    client.send('help.request', { description: `${name} printer jams` });
    const queued = client.frames.find((f) => f.type === 'help.queued')?.payload ?? {};
    return {
      orgId: created.id,
      client,
      sessionId: String(queued['sessionId']),
      code: String(queued['code']),
    };
  };
  const a = org('Acme');
  const b = org('Beta');
  let agents = 0;
  const agent = (scope: AgentScope, agentId?: string) => {
    const id =
      agentId ??
      store.createAgent(
        {
          email: `agent${String((agents += 1))}@printogens.example`,
          name: 'Agent',
          role: 'agent',
          passwordHash: 'ph',
          scope,
        },
        T0,
      ).id;
    const connection = peer('agent');
    connection.bind(
      hub.attach(connection.connection, {
        role: 'agent',
        agent: { agentId: id, name: 'Agent', role: 'agent', webSessionId: 'web-1', scope },
      }),
    );
    return { ...connection, agentId: id };
  };
  return {
    hub,
    store,
    a,
    b,
    agent,
    advance: (ms: number) => clock.advance(ms),
  };
}

const queued = (frames: Frame[]): string[] => {
  const snapshot = frames.filter((f) => f.type === 'queue.snapshot').at(-1);
  const sessions = (snapshot?.payload['sessions'] ?? []) as { sessionId: string }[];
  return sessions.map((s) => s.sessionId);
};

/** The error answering the agent's last frame. */
const lastError = (agent: { frames: Frame[]; sent: Frame[] }) => {
  const ref = agent.sent.at(-1)?.['id'];
  const error = agent.frames.find((f) => f.type === 'error' && f.payload['ref'] === ref);
  return error === undefined
    ? undefined
    : { code: error.payload['code'], message: error.payload['message'] };
};

function join(agent: ReturnType<ReturnType<typeof twoOrganisations>['agent']>, target: object) {
  agent.send('session.join', target);
  return lastError(agent);
}

describe('session hub: organisation scope', () => {
  const scopeOf = (who: 'customer' | 'provider', orgA: string): AgentScope =>
    who === 'customer' ? { kind: 'customer', orgId: orgA } : { kind: 'provider', orgs: [orgA] };

  it.each(['customer', 'provider'] as const)(
    'a %s agent of A sees and joins only A’s sessions',
    (who) => {
      const { a, b, agent } = twoOrganisations();
      const scope = scopeOf(who, a.orgId);
      const alice = agent(scope);
      alice.send('hello', {});
      expect(queued(alice.frames)).toEqual([a.sessionId]);
      alice.send('queue.list', {});
      expect(queued(alice.frames)).toEqual([a.sessionId]);

      // B's session by id: the answer to a session that does not exist, word for word.
      const unknown = join(alice, { sessionId: randomUUID() });
      expect(unknown?.code).toBe('no-session');
      expect(join(alice, { sessionId: b.sessionId })).toEqual(unknown);
      // B's code: the answer to a wrong code, word for word.
      const wrong = join(alice, { code: '000 000 000' });
      expect(wrong?.code).toBe('code-invalid');
      expect(join(alice, { code: b.code })).toEqual(wrong);

      // Nothing reached B's client; A's session can still be joined.
      expect(b.client.frames.some((f) => f.type === 'consent.request')).toBe(false);
      alice.send('session.join', { code: a.code });
      expect(alice.frames.some((f) => f.type === 'session.joined')).toBe(true);
      expect(a.client.frames.some((f) => f.type === 'consent.request')).toBe(true);
    },
  );

  it('counts another organisation’s code against the guess budget', () => {
    const { a, b, agent } = twoOrganisations();
    const alice = agent({ kind: 'customer', orgId: a.orgId });
    alice.send('hello', {});
    for (let i = 0; i < 20; i += 1)
      expect(join(alice, { code: b.code })?.code).toBe('code-invalid');
    // The budget is spent: even A's own code waits now.
    expect(join(alice, { code: a.code })?.code).toBe('too-many-guesses');
  });

  it('answers another organisation’s expired code as a wrong one, not as expired', () => {
    const { a, b, agent, advance } = twoOrganisations();
    advance(CODE_TTL_MS); // both codes expire; they are remembered a while to say so
    const provider = agent({ kind: 'provider', orgs: 'all' });
    const alice = agent({ kind: 'customer', orgId: a.orgId });
    provider.send('hello', {});
    alice.send('hello', {});
    expect(join(provider, { code: b.code })?.code).toBe('code-expired');
    expect(join(alice, { code: a.code })?.code).toBe('code-expired');
    expect(join(alice, { code: b.code })?.code).toBe('code-invalid');
  });

  it('a provider serving all sees both organisations and joins either', () => {
    const { a, b, agent } = twoOrganisations();
    const sam = agent({ kind: 'provider', orgs: 'all' });
    sam.send('hello', {});
    expect(queued(sam.frames).sort()).toEqual([a.sessionId, b.sessionId].sort());
    sam.send('session.join', { sessionId: b.sessionId });
    expect(sam.frames.find((f) => f.type === 'session.joined')?.payload['sessionId']).toBe(
      b.sessionId,
    );
  });

  it('a scope change closes the agent’s connections (4008); it cannot resume outside the new one', () => {
    const { hub, store, a, b, agent } = twoOrganisations();
    const sam = agent({ kind: 'provider', orgs: 'all' });
    sam.send('hello', {});
    sam.send('session.join', { sessionId: b.sessionId });
    const token = sam.frames.find((f) => f.type === 'session.joined')?.payload['resumeToken'];

    store.setAgentScope(sam.agentId, { kind: 'provider', orgs: [a.orgId] });
    expect(hub.disconnectAgent(sam.agentId, 'scope-changed')).toBe(1);
    expect(sam.closes).toEqual([{ code: CloseCode.scopeChanged, reason: 'agent scope changed' }]);

    // Back with a connection that carries the new scope: B's session is not its to resume.
    const again = agent({ kind: 'provider', orgs: [a.orgId] }, sam.agentId);
    again.send('hello', { resume: { sessionId: b.sessionId, token, lastSeq: 0 } });
    expect(again.closes.map((c) => c.code)).toEqual([CloseCode.resumeRejected]);
    // With its old scope the same resume would have been accepted.
    const old = agent({ kind: 'provider', orgs: 'all' }, sam.agentId);
    old.send('hello', { resume: { sessionId: b.sessionId, token, lastSeq: 0 } });
    expect(old.closes).toEqual([]);
    expect(old.frames.find((f) => f.type === 'welcome')?.payload['resumed']).toMatchObject({
      sessionId: b.sessionId,
    });
  });
});

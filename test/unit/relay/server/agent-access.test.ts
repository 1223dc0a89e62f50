import { describe, expect, it } from 'vitest';
import {
  createOriginPolicy,
  createTicketTable,
  createWebSessions,
} from '../../../../src-relay/server/agent-access.ts';
import { ManualClock } from '../../manual-clock.ts';

const ORIGIN = 'https://relay.example.com';

describe('tickets', () => {
  it('are good once, for 30 seconds, and remember who and from which origin', () => {
    const clock = new ManualClock();
    const tickets = createTicketTable(clock);
    const { ticket, expiresAt } = tickets.issue('agent-1', ORIGIN, 'web-1');
    expect(ticket).toMatch(/^pat_/);
    expect(expiresAt).toBe(clock.now() + 30_000);
    expect(tickets.consume(ticket)).toEqual({
      agentId: 'agent-1',
      webSessionId: 'web-1',
      origin: ORIGIN,
      expiresAt,
    });
    expect(tickets.consume(ticket)).toBeNull();
  });

  it('expire, and an expired one is removed when presented', () => {
    const clock = new ManualClock();
    const tickets = createTicketTable(clock);
    const { ticket } = tickets.issue('agent-1', ORIGIN, 'web-1');
    clock.advance(30_000);
    expect(tickets.consume(ticket)).toBeNull();
    expect(tickets.size).toBe(0);
  });

  it('forget abandoned ones', () => {
    const clock = new ManualClock();
    const tickets = createTicketTable(clock);
    for (let i = 0; i < 50; i++) tickets.issue('agent-1', ORIGIN, 'web-1');
    clock.advance(120_000);
    tickets.issue('agent-1', ORIGIN, 'web-1');
    expect(tickets.size).toBe(1);
  });
});

describe('web sessions', () => {
  it('map a cookie token to an agent until they expire', () => {
    const clock = new ManualClock();
    const sessions = createWebSessions(clock, 60_000);
    const { token, expiresAt, id } = sessions.create('agent-1');
    expect(token).toMatch(/^pws_/);
    expect(id).not.toContain(token);
    expect(sessions.get(token)).toEqual({ id, agentId: 'agent-1', expiresAt });
    expect(sessions.get('pws_forged')).toBeNull();
    clock.advance(60_000);
    expect(sessions.get(token)).toBeNull();
  });

  it('end on logout and all of an agent at once', () => {
    const clock = new ManualClock();
    const sessions = createWebSessions(clock);
    const a = sessions.create('agent-1');
    const b = sessions.create('agent-1');
    const c = sessions.create('agent-2');
    sessions.delete(a.token);
    expect(sessions.get(a.token)).toBeNull();
    sessions.deleteAgent('agent-1');
    expect(sessions.get(b.token)).toBeNull();
    expect(sessions.get(c.token)).not.toBeNull();
  });

  it('tell their listeners how each one ended: logout, account change, expiry', () => {
    const clock = new ManualClock();
    const sessions = createWebSessions(clock, 60_000);
    const ended: string[] = [];
    sessions.onEnd((session, why) => ended.push(`${session.agentId}:${why}`));
    const a = sessions.create('agent-1');
    sessions.create('agent-2');
    const c = sessions.create('agent-3');
    sessions.delete(a.token);
    sessions.delete(a.token);
    sessions.deleteAgent('agent-2');
    expect(sessions.isLive(c.id)).toBe(true);
    clock.advance(60_000);
    sessions.sweep();
    expect(ended).toEqual(['agent-1:logged-out', 'agent-2:account-changed', 'agent-3:expired']);
    expect(sessions.isLive(c.id)).toBe(false);
    expect(sessions.size).toBe(0);
  });
});

describe('origin policy', () => {
  it('allows exactly the listed origins, in the form browsers send', () => {
    const policy = createOriginPolicy(['https://Relay.Example.com/', 'http://127.0.0.1:4280']);
    expect(policy.isAllowed('https://relay.example.com')).toBe(true);
    expect(policy.isAllowed('http://127.0.0.1:4280')).toBe(true);
    for (const origin of [
      undefined,
      'null',
      '',
      'http://relay.example.com',
      'https://relay.example.com:8443',
      'https://relay.example.com.evil.test',
      'https://evil.test',
      'http://127.0.0.1:4281',
      'https://relay.example.com/path',
    ]) {
      expect(policy.isAllowed(origin)).toBe(false);
    }
    expect(() => {
      policy.allow(['ftp://x']);
    }).toThrow(/Not an http\(s\) origin/);
  });
});

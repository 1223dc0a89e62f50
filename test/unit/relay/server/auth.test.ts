import type { IncomingMessage } from 'node:http';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAgentAccess } from '../../../../src-relay/server/agent-access.ts';
import type { AgentAccess } from '../../../../src-relay/server/agent-access.ts';
import {
  AuthReason,
  createUpgradeAuthenticator,
  parseBasicAuthorization,
} from '../../../../src-relay/server/auth.ts';
import type { UpgradeAuthenticator } from '../../../../src-relay/server/contracts.ts';
import {
  SecretPrefix,
  generateSecret,
  hashSecret,
} from '../../../../src-relay/server/passwords.ts';
import { ManualClock } from '../../manual-clock.ts';
import { createMemoryStore } from './memory-store.ts';
import type { MemoryStore } from './memory-store.ts';

const ORIGIN = 'https://relay.example.com';
const NOW = '2026-11-25T09:00:00.000Z';

/** Only the headers matter to the authenticator. */
function upgrade(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const agentUrl = (ticket?: string): URL =>
  new URL(`/v1/agent${ticket === undefined ? '' : `?ticket=${ticket}`}`, ORIGIN);

let clock: ManualClock;
let store: MemoryStore;
let access: AgentAccess;
let auth: UpgradeAuthenticator;

beforeEach(() => {
  clock = new ManualClock();
  store = createMemoryStore();
  access = createAgentAccess({ clock, allowedOrigins: [ORIGIN] });
  auth = createUpgradeAuthenticator({ store, access });
});

describe('client upgrade', () => {
  it('accepts the device id and secret in a Basic header', async () => {
    const org = store.createOrg('Acme', NOW);
    const secret = generateSecret(SecretPrefix.deviceSecret);
    const device = store.createDevice(
      { orgId: org.id, name: 'WS-07', secretHash: hashSecret(secret) },
      NOW,
    );
    await expect(
      auth.client(upgrade({ authorization: basic(device.id, secret) })),
    ).resolves.toEqual({
      ok: true,
      identity: { deviceId: device.id, orgId: org.id, deviceName: 'WS-07' },
    });
    await expect(
      auth.client(upgrade({ authorization: basic(device.id, `${secret}x`) })),
    ).resolves.toEqual({ ok: false, status: 401, reason: AuthReason.badCredentials });
    await expect(
      auth.client(upgrade({ authorization: basic('unknown-device', secret) })),
    ).resolves.toEqual({ ok: false, status: 401, reason: AuthReason.badCredentials });
  });

  it('refuses a revoked device (401), but only to the holder of its secret', async () => {
    const org = store.createOrg('Acme', NOW);
    const secret = generateSecret(SecretPrefix.deviceSecret);
    const device = store.createDevice(
      { orgId: org.id, name: 'WS-07', secretHash: hashSecret(secret) },
      NOW,
    );
    expect(store.revokeDevice(device.id, NOW)).toBe(true);
    await expect(
      auth.client(upgrade({ authorization: basic(device.id, secret) })),
    ).resolves.toEqual({ ok: false, status: 401, reason: AuthReason.deviceRevoked });
    await expect(
      auth.client(upgrade({ authorization: basic(device.id, `${secret}x`) })),
    ).resolves.toEqual({ ok: false, status: 401, reason: AuthReason.badCredentials });
  });

  it('refuses a missing or malformed header', async () => {
    for (const authorization of [undefined, 'Bearer x', 'Basic', 'Basic !!!', basic('', 'x')]) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      await expect(auth.client(upgrade(headers))).resolves.toEqual({
        ok: false,
        status: 401,
        reason: AuthReason.noCredentials,
      });
    }
  });

  it('parses Basic credentials whose secret contains a colon', () => {
    expect(parseBasicAuthorization(basic('id', 'a:b'))).toEqual({ user: 'id', password: 'a:b' });
  });
});

describe('names crossing the relay', () => {
  it('are masked in the identities built for a connection, whatever the store holds', async () => {
    const org = store.createOrg('Acme', NOW);
    const secret = generateSecret(SecretPrefix.deviceSecret);
    // Written straight to the store, as an older relay could have.
    const device = store.createDevice(
      { orgId: org.id, name: 'WS 4111 1111 1111 1111', secretHash: hashSecret(secret) },
      NOW,
    );
    await expect(
      auth.client(upgrade({ authorization: basic(device.id, secret) })),
    ).resolves.toMatchObject({ identity: { deviceName: 'WS 411111******1111' } });
    const a = store.createAgent(
      { email: 'pan@example.com', name: 'Sam 5555555555554444', role: 'agent', passwordHash: 'x' },
      NOW,
    );
    const { ticket } = access.tickets.issue(a.id, ORIGIN, access.webSessions.create(a.id).id);
    await expect(auth.agent(upgrade({ origin: ORIGIN }), agentUrl(ticket))).resolves.toMatchObject({
      identity: { name: 'Sam 555555******4444' },
    });
  });
});

describe('agent upgrade', () => {
  const agent = () =>
    store.createAgent(
      { email: 'sam@example.com', name: 'Sam', role: 'agent', passwordHash: 'x' },
      NOW,
    );

  it('gives the connection the agent’s organisation scope as it is now', async () => {
    const a = agent();
    store.setAgentScope(a.id, { kind: 'customer', orgId: 'org-a' });
    const { ticket } = access.tickets.issue(a.id, ORIGIN, access.webSessions.create(a.id).id);
    const result = await auth.agent(upgrade({ origin: ORIGIN }), agentUrl(ticket));
    expect(result).toMatchObject({
      ok: true,
      identity: { agentId: a.id, scope: { kind: 'customer', orgId: 'org-a' } },
    });
  });

  it('accepts a fresh ticket once, from the origin that asked for it', async () => {
    const a = agent();
    const web = access.webSessions.create(a.id);
    const { ticket } = access.tickets.issue(a.id, ORIGIN, web.id);
    await expect(auth.agent(upgrade({ origin: ORIGIN }), agentUrl(ticket))).resolves.toEqual({
      ok: true,
      identity: {
        agentId: a.id,
        name: 'Sam',
        role: 'agent',
        webSessionId: web.id,
        scope: { kind: 'provider', orgs: 'all' },
      },
    });
    await expect(auth.agent(upgrade({ origin: ORIGIN }), agentUrl(ticket))).resolves.toEqual({
      ok: false,
      status: 401,
      reason: AuthReason.badTicket,
    });
  });

  it('refuses a missing, unknown or expired ticket', async () => {
    const a = agent();
    await expect(auth.agent(upgrade({ origin: ORIGIN }), agentUrl())).resolves.toMatchObject({
      status: 401,
      reason: AuthReason.noTicket,
    });
    await expect(
      auth.agent(upgrade({ origin: ORIGIN }), agentUrl('pat_forged')),
    ).resolves.toMatchObject({ status: 401, reason: AuthReason.badTicket });
    const { ticket } = access.tickets.issue(a.id, ORIGIN, access.webSessions.create(a.id).id);
    clock.advance(30_001);
    await expect(auth.agent(upgrade({ origin: ORIGIN }), agentUrl(ticket))).resolves.toMatchObject({
      status: 401,
      reason: AuthReason.badTicket,
    });
  });

  it('refuses a foreign or missing Origin, and burns the ticket', async () => {
    const a = agent();
    for (const headers of [{ origin: 'https://evil.test' }, {}]) {
      const { ticket } = access.tickets.issue(a.id, ORIGIN, access.webSessions.create(a.id).id);
      await expect(auth.agent(upgrade(headers), agentUrl(ticket))).resolves.toEqual({
        ok: false,
        status: 403,
        reason: AuthReason.badOrigin,
      });
      await expect(
        auth.agent(upgrade({ origin: ORIGIN }), agentUrl(ticket)),
      ).resolves.toMatchObject({ reason: AuthReason.badTicket });
    }
  });

  it('refuses a ticket whose web session has ended since (logout before the WebSocket)', async () => {
    const a = agent();
    const web = access.webSessions.create(a.id);
    const { ticket } = access.tickets.issue(a.id, ORIGIN, web.id);
    access.webSessions.delete(web.token);
    await expect(auth.agent(upgrade({ origin: ORIGIN }), agentUrl(ticket))).resolves.toEqual({
      ok: false,
      status: 401,
      reason: AuthReason.badTicket,
    });
  });

  it('refuses a ticket used from another allowed origin than the one that asked', async () => {
    const other = 'http://127.0.0.1:4280';
    access.origins.allow([other]);
    const a = agent();
    const { ticket } = access.tickets.issue(a.id, ORIGIN, access.webSessions.create(a.id).id);
    await expect(auth.agent(upgrade({ origin: other }), agentUrl(ticket))).resolves.toMatchObject({
      status: 403,
      reason: AuthReason.badOrigin,
    });
  });

  it('refuses an agent disabled after the ticket was issued', async () => {
    const a = agent();
    const { ticket } = access.tickets.issue(a.id, ORIGIN, access.webSessions.create(a.id).id);
    store.setAgentDisabled(a.id, true);
    await expect(auth.agent(upgrade({ origin: ORIGIN }), agentUrl(ticket))).resolves.toEqual({
      ok: false,
      status: 403,
      reason: AuthReason.agentDisabled,
    });
  });
});

/**
 * Organisation scope on a real relay (HTTP, SQLite store, hub, WebSocket gateway on 127.0.0.1)
 * with two organisations, each with a device waiting for help: an agent of Acme — a customer
 * agent or a provider agent serving Acme only — neither sees Beta's waiting session, nor joins it
 * by id or by code, nor exports its transcript; a provider serving all does all of that.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentAccount, createOrgWithKey } from '../../src-relay/server/identities.ts';
import { SqliteStore } from '../../src-relay/store/sqlite-store.ts';
import type { AgentScope } from '../../src-relay/store/store.ts';
import { call, sessionCookie } from '../unit/relay/server/http-client.ts';
import type { TestResponse } from '../unit/relay/server/http-client.ts';
import {
  AGENT_EMAIL,
  PASSWORD,
  greetedAgent,
  newClient,
  removeTempDirs,
  startBed,
} from './relay/harness.ts';
import type { AgentSocket, Bed, ClientProbe } from './relay/harness.ts';

const NOW = '2026-11-25T09:00:00.000Z';
const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };

afterAll(() => {
  removeTempDirs();
});

interface World {
  readonly bed: Bed;
  readonly acme: { orgId: string; sessionId: string; code: string };
  readonly beta: { orgId: string; sessionId: string; code: string; client: ClientProbe };
  /** Adds an agent with this scope and role; returns its email. */
  addAgent(scope: AgentScope, role?: 'agent' | 'admin'): Promise<string>;
}

let world: World;

beforeEach(async () => {
  const bed = await startBed();
  const acmeId = bed.store.listOrgs().find((o) => o.name === 'Acme')?.id ?? '';
  const beta = createOrgWithKey(bed.store, 'Beta', NOW);
  const acmeClient = await bed.client({ grant: ['chat'] });
  const acmeHelp = await acmeClient.session.askForHelp('Acme: tray 2 jams');
  const betaClient = await newClient(bed.url, beta.enrollmentKey, { grant: ['chat'] });
  const betaHelp = await betaClient.session.askForHelp('Beta: prints blank pages');
  world = {
    bed,
    acme: { orgId: acmeId, sessionId: acmeHelp.sessionId, code: acmeHelp.code },
    beta: {
      orgId: beta.org.id,
      sessionId: betaHelp.sessionId,
      code: betaHelp.code,
      client: betaClient,
    },
    async addAgent(scope, role = 'agent') {
      const email = `${randomUUID().slice(0, 8)}@example.com`;
      await createAgentAccount(
        bed.store,
        { email, name: 'Scoped Agent', role, password: PASSWORD, scope },
        NOW,
        TEST_SCRYPT,
      );
      return email;
    },
  };
});

afterEach(async () => {
  await world.beta.client.session.end();
  await world.bed.stop();
});

/** Logs `email` in: its cookie, an agent WebSocket (greeted), and its session exports. */
async function loginAs(email: string): Promise<{
  agent: AgentSocket;
  exportOf: (sessionId: string, headers?: Record<string, string>) => Promise<TestResponse>;
}> {
  const url = world.bed.url;
  const origin = url;
  const login = await call(`${url}/v1/agent/login`, {
    method: 'POST',
    json: { email, password: PASSWORD },
    headers: { origin },
  });
  expect(login.status).toBe(204);
  const cookie = `printo_session=${sessionCookie(login)}`;
  const ticket = async () => {
    const issued = await call(`${url}/v1/agent/ticket`, {
      method: 'POST',
      headers: { cookie, origin },
    });
    return (issued.json as { ticket: string }).ticket;
  };
  return {
    agent: await greetedAgent(url, ticket),
    exportOf: (sessionId, headers = {}) =>
      call(`${url}/v1/agent/sessions/${sessionId}/export`, {
        headers: { cookie, 'sec-fetch-site': 'same-origin', ...headers },
      }),
  };
}

const queueOf = async (agent: AgentSocket): Promise<string[]> =>
  (await agent.next('queue.snapshot')).payload.sessions.map((s) => s.sessionId).sort();

const exportAudits = (bed: Bed) => {
  if (!(bed.store instanceof SqliteStore)) throw new Error('the bed runs on SQLite');
  return bed.store.listAuditLog().filter((entry) => entry.action === 'export');
};

describe('organisation scope on a real relay', () => {
  it.each([
    ['a customer agent of Acme (admin)', 'customer'],
    ['a provider agent serving Acme only (admin)', 'provider'],
  ] as const)('%s does not see, join or export Beta’s session', async (_name, kind) => {
    const { bed, acme, beta } = world;
    const scope: AgentScope =
      kind === 'customer'
        ? { kind: 'customer', orgId: acme.orgId }
        : { kind: 'provider', orgs: [acme.orgId] };
    // An admin: the role that may export any session of the organisations it serves.
    const { agent, exportOf } = await loginAs(await world.addAgent(scope, 'admin'));

    expect(await queueOf(agent)).toEqual([acme.sessionId]);
    agent.send({ type: 'queue.list', payload: {} });
    expect(await queueOf(agent)).toEqual([acme.sessionId]);

    const byId = await agent.errorFor(
      agent.send({ type: 'session.join', payload: { sessionId: beta.sessionId } }),
    );
    const missing = await agent.errorFor(
      agent.send({ type: 'session.join', payload: { sessionId: randomUUID() } }),
    );
    expect(byId.payload.code).toBe('no-session');
    expect(byId.payload.message).toBe(missing.payload.message);

    const byCode = await agent.errorFor(
      agent.send({ type: 'session.join', payload: { code: beta.code } }),
    );
    const wrong = await agent.errorFor(
      agent.send({ type: 'session.join', payload: { code: '000000000' } }),
    );
    expect(byCode.payload.code).toBe('code-invalid');
    expect(byCode.payload.message).toBe(wrong.payload.message);
    expect(beta.client.frames.some((f) => f.type === 'consent.request')).toBe(false);

    const foreign = await exportOf(beta.sessionId);
    const none = await exportOf(randomUUID());
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual(none.json);
    expect(foreign.json).toEqual({ error: { code: 'not-found', message: 'No such session.' } });
    // Its own organisation's session: exported, and audited with ids only.
    const own = await exportOf(acme.sessionId);
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({ session: { id: acme.sessionId, orgId: acme.orgId } });
    expect(exportAudits(bed).map((e) => e.detail)).toEqual([
      { sessionId: acme.sessionId, actor: `agent:${agent.agentId}` },
    ]);
    await agent.close();
  });

  it('a provider serving all sees both, joins Beta’s session and exports it as its agent', async () => {
    const { bed, acme, beta } = world;
    const { agent, exportOf } = await loginAs(AGENT_EMAIL); // the seeded agent: provider, all
    expect(await queueOf(agent)).toEqual([acme.sessionId, beta.sessionId].sort());
    await agent.join({ code: beta.code });
    await agent.next('consent.state');
    await agent.chat('Hello from Printo Gens');

    const exported = await exportOf(beta.sessionId);
    expect(exported.status).toBe(200);
    expect(exported.json).toMatchObject({
      format: 'printo-relay/session-export/v1',
      session: { id: beta.sessionId, orgId: beta.orgId, agentId: agent.agentId },
      transcript: [{ from: 'agent', text: 'Hello from Printo Gens' }],
    });
    // Not an admin, and not Acme's session's agent: as if there were no such session.
    expect((await exportOf(acme.sessionId)).status).toBe(404);
    // The cookie endpoint's Origin rule: a foreign Origin is refused before anything is read.
    const foreignOrigin = await exportOf(beta.sessionId, { origin: 'https://evil.example' });
    expect(foreignOrigin.status).toBe(403);
    expect(
      (
        await call(`${bed.url}/v1/agent/sessions/${beta.sessionId}/export`, {
          headers: { origin: bed.url },
        })
      ).json,
    ).toMatchObject({ error: { code: 'not-logged-in' } });
    expect(exportAudits(bed).map((e) => e.detail)).toEqual([
      { sessionId: beta.sessionId, actor: `agent:${agent.agentId}` },
    ]);
    await agent.close();
  });
});

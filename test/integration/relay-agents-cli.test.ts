/**
 * `printo-relay agents` and organisations: a customer organisation's agent (`agents add --org`),
 * a provider's served organisations (`agents orgs`), the scope in `agents list` — on the data
 * directory itself and through a running `serve` (a child process), where a scope change closes
 * the agent's connections at once. The commands run in this process (`runRelayCli`), as
 * `bin/printo-relay` runs them: a child process each would only add start-up time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runRelayCli } from '../../src-relay/cli/printo-relay.ts';
import { loadOrCreateMasterKey } from '../../src-relay/store/master-key.ts';
import { SqliteStore } from '../../src-relay/store/sqlite-store.ts';
import { call, sessionCookie } from '../unit/relay/server/http-client.ts';
import { serve } from './relay/serve.ts';
import { AgentSocket } from './relay/harness.ts';

const PASSWORD = 'correct horse battery staple';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'printo-relay-agents-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(args: readonly string[], options: { input?: string } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runRelayCli(
    args,
    {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      stdin: Readable.from(options.input === undefined ? [] : [options.input]),
      promptOutput: { write: () => true },
    },
    { env: {} },
  );
  return { code, stdout, stderr };
}

interface ListedAgent {
  email: string;
  scope: unknown;
}

async function listed(dir: string): Promise<ListedAgent[]> {
  const list = await cli(['--data-dir', dir, '--json', 'agents', 'list']);
  expect(list.code).toBe(0);
  return (JSON.parse(list.stdout) as { agents: ListedAgent[] }).agents;
}

async function orgIds(dir: string): Promise<Record<string, string>> {
  const list = await cli(['--data-dir', dir, '--json', 'orgs', 'list']);
  const { orgs } = JSON.parse(list.stdout) as { orgs: { id: string; name: string }[] };
  return Object.fromEntries(orgs.map((o) => [o.name, o.id]));
}

const addAgent = (dir: string, email: string, ...more: string[]) =>
  cli(
    ['--data-dir', dir, 'agents', 'add', email, '--name', 'Someone', '--password-stdin', ...more],
    {
      input: `${PASSWORD}\n`,
    },
  );

describe('printo-relay agents and organisations', () => {
  it('adds customer and provider agents, sets a provider’s organisations, lists every scope', async () => {
    const dir = tempDir();
    expect((await cli(['--data-dir', dir, 'orgs', 'add', 'Acme'])).code).toBe(0);
    expect((await cli(['--data-dir', dir, 'orgs', 'add', 'Beta'])).code).toBe(0);
    const ids = await orgIds(dir);
    const acme = ids['Acme'] ?? '';
    const beta = ids['Beta'] ?? '';

    const customer = await addAgent(dir, 'it@acme.example', '--org', 'Acme');
    expect(customer.code).toBe(0);
    expect(customer.stdout).toContain('customer: Acme');
    const provider = await addAgent(dir, 'sam@printogens.example');
    expect(provider.stdout).toContain('provider: all');
    // An unknown organisation is refused before any password is read, and nothing is added.
    const unknown = await cli([
      '--data-dir',
      dir,
      'agents',
      'add',
      'x@acme.example',
      '--name',
      'X',
      '--org',
      'Nope',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No organisation "Nope"');

    const limited = await cli([
      '--data-dir',
      dir,
      'agents',
      'orgs',
      'sam@printogens.example',
      'Beta',
      acme,
    ]);
    expect(limited.code).toBe(0);
    expect(limited.stdout).toMatch(
      /sam@printogens\.example is now provider: (Acme, Beta|Beta, Acme)\./,
    );
    expect(await listed(dir)).toEqual([
      expect.objectContaining({
        email: 'it@acme.example',
        scope: { kind: 'customer', orgId: acme },
      }),
      expect.objectContaining({
        email: 'sam@printogens.example',
        scope: { kind: 'provider', orgs: [acme, beta].sort() },
      }),
    ]);
    const table = await cli(['--data-dir', dir, 'agents', 'list']);
    expect(table.stdout).toMatch(/SCOPE/);
    expect(table.stdout).toMatch(/it@acme\.example .* customer: Acme/);

    const all = await cli([
      '--data-dir',
      dir,
      '--json',
      'agents',
      'orgs',
      'sam@printogens.example',
      '--all',
    ]);
    expect(JSON.parse(all.stdout)).toMatchObject({
      ok: true,
      scope: { kind: 'provider', orgs: 'all' },
    });
    expect((await listed(dir))[1]?.scope).toEqual({ kind: 'provider', orgs: 'all' });
  });

  it('refuses served organisations for a customer agent, and unclear arguments', async () => {
    const dir = tempDir();
    await cli(['--data-dir', dir, 'orgs', 'add', 'Acme']);
    await cli(['--data-dir', dir, 'orgs', 'add', 'Beta']);
    await addAgent(dir, 'it@acme.example', '--org', 'Acme');
    await addAgent(dir, 'sam@printogens.example');
    const before = await listed(dir);

    const customer = await cli(['--data-dir', dir, 'agents', 'orgs', 'it@acme.example', 'Beta']);
    expect(customer.code).toBe(1);
    expect(customer.stderr).toContain(
      'it@acme.example is an agent of the customer organisation Acme: it serves that organisation only',
    );
    expect(customer.stderr).toContain('(agent-not-provider)');
    const asJson = await cli([
      '--data-dir',
      dir,
      '--json',
      'agents',
      'orgs',
      'it@acme.example',
      '--all',
    ]);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'agent-not-provider' } });

    const neither = await cli(['--data-dir', dir, 'agents', 'orgs', 'sam@printogens.example']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--all for every one');
    const both = await cli([
      '--data-dir',
      dir,
      'agents',
      'orgs',
      'sam@printogens.example',
      'Acme',
      '--all',
    ]);
    expect(both.code).toBe(2);
    const unknown = await cli([
      '--data-dir',
      dir,
      'agents',
      'orgs',
      'sam@printogens.example',
      'Acme',
      'Nope',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No organisation "Nope"');
    expect(await listed(dir)).toEqual(before);
  });

  it('through a running serve: a scope change closes the agent’s WebSocket (4008) at once', async () => {
    const dir = tempDir();
    const relay = await serve(['--data-dir', dir]);
    try {
      expect((await cli(['--data-dir', dir, 'orgs', 'add', 'Acme'])).code).toBe(0);
      expect((await addAgent(dir, 'sam@printogens.example')).code).toBe(0);
      const origin = relay.url;
      const login = await call(`${relay.url}/v1/agent/login`, {
        method: 'POST',
        json: { email: 'sam@printogens.example', password: PASSWORD },
        headers: { origin },
      });
      expect(login.status).toBe(204);
      const cookie = `printo_session=${sessionCookie(login)}`;
      const ticket = async () => {
        const issued = await call(`${relay.url}/v1/agent/ticket`, {
          method: 'POST',
          headers: { cookie, origin },
        });
        return (issued.json as { ticket: string }).ticket;
      };
      const agent = await AgentSocket.open(relay.url, await ticket(), origin);

      const changed = await cli([
        '--data-dir',
        dir,
        'agents',
        'orgs',
        'sam@printogens.example',
        'Acme',
      ]);
      expect(changed.code).toBe(0);
      expect((await agent.closed).code).toBe(4008);
      // Its web session stays: it reconnects under the new scope.
      const again = await AgentSocket.open(relay.url, await ticket(), origin);
      await again.close();
      expect((await listed(dir))[1]?.scope).toMatchObject({
        kind: 'provider',
        orgs: [expect.any(String)],
      });
      const refused = await cli(['--data-dir', dir, 'agents', 'orgs', 'admin@relay.local', 'Nope']);
      expect(refused.code).toBe(1);
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    expect(relay.logs()).toContain('"why":"scope-changed"');
  });

  it('through a running serve, an operator’s export still works (no agent id to audit)', async () => {
    const dir = tempDir();
    const store = new SqliteStore({ dataDir: dir, masterKey: loadOrCreateMasterKey(dir) });
    const now = new Date().toISOString(); // serve purges by the system clock when it starts
    const org = store.createOrg('Acme', now);
    const device = store.createDevice({ orgId: org.id, name: 'WS-1', secretHash: 'x' }, now);
    const sessionId = randomUUID();
    store.createSession(
      { id: sessionId, orgId: org.id, deviceId: device.id, description: 'Jam' },
      now,
    );
    store.close();
    const relay = await serve(['--data-dir', dir]);
    try {
      const exported = await cli(['--data-dir', dir, 'transcripts', 'export', sessionId]);
      expect(exported.stderr).toBe('');
      expect(exported.code).toBe(0);
      expect(JSON.parse(exported.stdout)).toMatchObject({ session: { id: sessionId } });
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });
});

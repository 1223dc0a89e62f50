/**
 * The running relay's admin socket with a real SQLite store: the calls the commands need work,
 * everything else is refused, secrets stay in, and a disabled agent is reported at once.
 */
import { connect } from 'node:net';
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeAdmin,
  encodeAdmin,
  startAdminSocket,
} from '../../../../src-relay/server/admin-socket.ts';
import type { AdminReply, AdminSocket } from '../../../../src-relay/server/admin-socket.ts';
import { silentLogger } from '../../../../src-relay/server/logger.ts';
import { RemoteStore } from '../../../../src-relay/cli/remote-store.ts';
import { isPrintoError } from '../../../../src-shared/errors.ts';
import { T0, newStore, seedSession, seedWorld } from '../store/fixture.ts';

const open: AdminSocket[] = [];
afterEach(async () => {
  for (const socket of open.splice(0)) await socket.close();
});

async function setUp() {
  const { store, dir } = newStore();
  const world = seedWorld(store);
  const disabled: string[] = [];
  const rescoped: string[] = [];
  const reset: string[] = [];
  const revoked: string[] = [];
  const admin = await startAdminSocket({
    dataDir: dir,
    store,
    logger: silentLogger,
    onAgentDisabled: (id) => disabled.push(id),
    onAgentScopeChanged: (id) => rescoped.push(id),
    onAgentPasswordReset: (id) => reset.push(id),
    onDeviceRevoked: (id) => revoked.push(id),
  });
  if (admin === null) throw new Error('no admin socket');
  open.push(admin);
  return { store, dir, world, admin, disabled, rescoped, reset, revoked };
}

/** Raw lines, as any client on the socket could send them. */
function exchange(path: string, lines: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const answers: string[] = [];
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(lines.map((l) => `${l}\n`).join(''));
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      answers.push(...parts);
      if (answers.length === lines.length) {
        socket.end();
        resolve(answers);
      }
    });
  });
}

describe('admin socket', () => {
  it('is the relay user’s only (0600), and carries out the commands’ calls on the live store', async () => {
    const { store, world, admin, disabled } = await setUp();
    expect(statSync(admin.path).mode & 0o777).toBe(0o600);
    const session = seedSession(store, world, { endedAt: T0 });
    const calls: [string, unknown[]][] = [
      ['listAgents', []],
      ['setLegalHold', [session.id, true, T0]],
      // A Date crosses the socket as a Date: the purge runs, and holds the session back.
      [
        'purge',
        [
          new Date(Date.parse(T0) + 1000 * 86_400_000),
          { chatTranscriptDays: 1, consentReceiptDays: 1, sessionMetadataDays: 1 },
        ],
      ],
      ['setAgentDisabled', [world.agentId, true]],
      ['setAgentDisabled', [world.agentId, true]],
      ['createOrg', ['', T0]],
    ];
    const answers = (
      await exchange(
        admin.path,
        calls.map(([method, args], i) => encodeAdmin({ id: i + 1, method, args })),
      )
    ).map((line) => decodeAdmin(line) as AdminReply);
    expect(answers.map((a) => a.id)).toEqual([1, 2, 3, 4, 5, 6]);
    const [agents, hold, purge, , , bad] = answers;
    expect(agents).toMatchObject({ ok: true, value: [{ email: 'alice@printogens.example' }] });
    expect(hold).toMatchObject({ ok: true, value: true });
    expect(store.getSession(session.id)?.legalHold).toBe(true);
    expect(purge).toMatchObject({ ok: true, value: { heldBack: 1 } });
    // Each disable is reported to the relay, which ends the agent's sessions; twice is harmless.
    expect(disabled).toEqual([world.agentId, world.agentId]);
    expect(store.getAgent(world.agentId)?.disabled).toBe(true);
    // Store errors keep their code.
    expect(bad).toMatchObject({ ok: false, error: { code: 'store-invalid-input' } });
  });

  it('changes an agent’s scope on the live store and reports it, so its connections close', async () => {
    const { store, world, admin, rescoped } = await setUp();
    // (A RemoteStore cannot be used here: it waits on this thread, which answers the socket.)
    const answers = (
      await exchange(admin.path, [
        encodeAdmin({
          id: 1,
          method: 'setAgentScope',
          args: [world.agentId, { kind: 'provider', orgs: [world.orgId] }],
        }),
        encodeAdmin({
          id: 2,
          method: 'setAgentScope',
          args: ['no-such-agent', { kind: 'provider', orgs: 'all' }],
        }),
      ])
    ).map((line) => decodeAdmin(line) as AdminReply);
    expect(answers).toEqual([
      { id: 1, ok: true, value: true },
      { id: 2, ok: true, value: false },
    ]);
    expect(store.getAgent(world.agentId)?.scope).toEqual({ kind: 'provider', orgs: [world.orgId] });
    expect(rescoped).toEqual([world.agentId]);
  });

  it('resets a password on the live store and reports it, so the relay cuts the agent off', async () => {
    const { store, world, admin, reset, disabled } = await setUp();
    const answers = (
      await exchange(admin.path, [
        encodeAdmin({ id: 1, method: 'setAgentPassword', args: [world.agentId, 'new-hash'] }),
        encodeAdmin({ id: 2, method: 'setAgentPassword', args: ['no-such-agent', 'new-hash'] }),
      ])
    ).map((line) => decodeAdmin(line) as AdminReply);
    expect(answers).toMatchObject([
      { id: 1, ok: true, value: true },
      { id: 2, ok: true, value: false },
    ]);
    expect(store.findAgentCredentials('alice@printogens.example')?.passwordHash).toBe('new-hash');
    expect(reset).toEqual([world.agentId]);
    expect(disabled).toEqual([]);
  });

  it('lists and revokes devices on the live store, and reports a revocation at once', async () => {
    const { store, world, admin, revoked } = await setUp();
    const answers = (
      await exchange(admin.path, [
        encodeAdmin({ id: 1, method: 'listDevices', args: [{ orgId: world.orgId }] }),
        encodeAdmin({ id: 2, method: 'revokeDevice', args: [world.deviceId, T0] }),
        encodeAdmin({ id: 3, method: 'revokeDevice', args: ['no-such-device', T0] }),
      ])
    ).map((line) => decodeAdmin(line) as AdminReply);
    expect(answers).toMatchObject([
      { id: 1, ok: true, value: [{ id: world.deviceId, name: 'WS-ACCOUNTS-07' }] },
      { id: 2, ok: true, value: true },
      { id: 3, ok: true, value: false },
    ]);
    // Secret hashes stay in: the listing carries none.
    expect(JSON.stringify(answers[0])).not.toContain('secret');
    expect(store.findDeviceCredentials(world.deviceId)?.device.revokedAt).toBe(T0);
    expect(revoked).toEqual([world.deviceId]);
  });

  it('refuses what the commands do not need, bad JSON, and keeps password hashes in', async () => {
    const { admin } = await setUp();
    const answers = await exchange(admin.path, [
      JSON.stringify({ id: 1, method: 'appendChat', args: [{}] }),
      JSON.stringify({ id: 2, method: 'findDeviceCredentials', args: ['x'] }),
      JSON.stringify({ id: 3, method: 'close', args: [] }),
      JSON.stringify({ id: 4, method: 'constructor', args: [] }),
      'not json',
      JSON.stringify({ id: 6, method: 'findAgentCredentials', args: ['alice@printogens.example'] }),
    ]);
    const parsed = answers.map((a) => JSON.parse(a) as Record<string, unknown>);
    for (const refused of parsed.slice(0, 5)) {
      expect(refused).toMatchObject({ ok: false, error: { code: 'admin-bad-request' } });
    }
    expect(parsed[5]).toMatchObject({ id: 6, ok: true, value: { passwordHash: '' } });
    expect(answers[5]).not.toContain('ph'); // the fixture's hash
  });

  it('a RemoteStore where nothing answers says so with a stable code', () => {
    let code = '';
    try {
      new RemoteStore('/nonexistent/admin.sock').close();
    } catch (error) {
      code = isPrintoError(error) ? error.code : 'other';
    }
    expect(code).toBe('store-remote-unavailable');
  });
});

/**
 * Agents' organisation scope in the SQLite store (migration 5): provider agents serve every
 * organisation or a listed set, customer agents their home organisation only.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { isPrintoError } from '../../../../src-shared/errors.ts';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../../../src-relay/store/migrations.ts';
import { STORE_FILE } from '../../../../src-relay/store/sqlite-store.ts';
import { T0, newStore, openStore, seedSession, seedWorld, tempDir, withRawDb } from './fixture.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isPrintoError(error)) return error.code;
    throw error;
  }
  throw new Error('expected an error');
}

const agentInput = (email: string) => ({
  email,
  name: email.split('@')[0] ?? email,
  role: 'agent' as const,
  passwordHash: 'ph',
});

describe('agent scope', () => {
  it('makes a provider agent serving all by default, or a customer agent of one organisation', () => {
    const { store, dir, key } = newStore();
    const acme = store.createOrg('Acme', T0);
    const beta = store.createOrg('Beta', T0);
    const provider = store.createAgent(agentInput('p@printogens.example'), T0);
    const customer = store.createAgent(
      { ...agentInput('it@acme.example'), scope: { kind: 'customer', orgId: acme.id } },
      T0,
    );
    const limited = store.createAgent(
      {
        ...agentInput('l@printogens.example'),
        scope: { kind: 'provider', orgs: [beta.id, acme.id, beta.id] },
      },
      T0,
    );
    expect(provider.scope).toEqual({ kind: 'provider', orgs: 'all' });
    expect(customer.scope).toEqual({ kind: 'customer', orgId: acme.id });
    // Each organisation once, in a stable order.
    const both = [acme.id, beta.id].sort();
    expect(limited.scope).toEqual({ kind: 'provider', orgs: both });
    store.close();
    const again = openStore(dir, key);
    expect(again.listAgents().map((a) => [a.email, a.scope])).toEqual([
      ['it@acme.example', { kind: 'customer', orgId: acme.id }],
      ['l@printogens.example', { kind: 'provider', orgs: both }],
      ['p@printogens.example', { kind: 'provider', orgs: 'all' }],
    ]);
    expect(again.findAgentCredentials('it@acme.example')?.agent.scope).toEqual(customer.scope);
    expect(again.getAgent(limited.id)?.scope).toEqual(limited.scope);
  });

  it('sets a scope, all or nothing; refuses unknown organisations and an empty list', () => {
    const { store } = newStore();
    const acme = store.createOrg('Acme', T0);
    const beta = store.createOrg('Beta', T0);
    const agent = store.createAgent(agentInput('p@printogens.example'), T0);
    expect(store.setAgentScope(agent.id, { kind: 'provider', orgs: [acme.id] })).toBe(true);
    expect(store.getAgent(agent.id)?.scope).toEqual({ kind: 'provider', orgs: [acme.id] });
    expect(store.setAgentScope(agent.id, { kind: 'provider', orgs: [beta.id] })).toBe(true);
    expect(store.getAgent(agent.id)?.scope).toEqual({ kind: 'provider', orgs: [beta.id] });

    // An unknown organisation anywhere in the list: nothing changes.
    expect(
      codeOf(() => store.setAgentScope(agent.id, { kind: 'provider', orgs: [acme.id, 'nope'] })),
    ).toBe('store-not-found');
    // "No organisations" is not read as "all of them".
    expect(codeOf(() => store.setAgentScope(agent.id, { kind: 'provider', orgs: [] }))).toBe(
      'store-invalid-input',
    );
    expect(codeOf(() => store.setAgentScope(agent.id, { kind: 'customer', orgId: 'nope' }))).toBe(
      'store-not-found',
    );
    expect(store.getAgent(agent.id)?.scope).toEqual({ kind: 'provider', orgs: [beta.id] });
    expect(
      codeOf(() =>
        store.createAgent(
          { ...agentInput('x@printogens.example'), scope: { kind: 'customer', orgId: 'nope' } },
          T0,
        ),
      ),
    ).toBe('store-not-found');
    expect(store.findAgentCredentials('x@printogens.example')).toBeNull();

    expect(store.setAgentScope(agent.id, { kind: 'provider', orgs: 'all' })).toBe(true);
    expect(store.getAgent(agent.id)?.scope).toEqual({ kind: 'provider', orgs: 'all' });
    expect(store.setAgentScope('no-such-agent', { kind: 'provider', orgs: 'all' })).toBe(false);
  });

  it('leaves a provider whose listed organisation is gone serving none, not all', () => {
    const { store, dir, key } = newStore();
    const gone = store.createOrg('Gone Ltd', T0);
    const agent = store.createAgent(
      { ...agentInput('p@printogens.example'), scope: { kind: 'provider', orgs: [gone.id] } },
      T0,
    );
    store.close();
    withRawDb(dir, (db) => {
      db.exec('PRAGMA foreign_keys = ON');
      db.prepare('DELETE FROM orgs WHERE id = ?').run(gone.id);
    });
    expect(openStore(dir, key).getAgent(agent.id)?.scope).toEqual({ kind: 'provider', orgs: [] });
  });

  it('upgrades a version-2 file: its agents become providers serving every organisation', () => {
    const dir = tempDir();
    const { store: source, key } = newStore();
    source.close();
    const db = new DatabaseSync(join(dir, STORE_FILE));
    try {
      migrate(
        db,
        STORE_FILE,
        T0,
        MIGRATIONS.filter((m) => m.version <= 2),
      );
      db.exec(`
        INSERT INTO orgs VALUES ('org-1', 'Acme', '${T0}');
        INSERT INTO agents (id, email, name, role, password_hash, disabled, created_at)
          VALUES ('agent-1', 'sam@printogens.example', 'Sam', 'admin', 'ph', 0, '${T0}'),
                 ('agent-2', 'kim@printogens.example', 'Kim', 'agent', 'ph', 1, '${T0}');
      `);
    } finally {
      db.close();
    }
    const upgraded = openStore(dir, key);
    expect(upgraded.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(upgraded.listAgents()).toEqual([
      expect.objectContaining({
        id: 'agent-2',
        role: 'agent',
        disabled: true,
        scope: { kind: 'provider', orgs: 'all' },
      }),
      expect.objectContaining({
        id: 'agent-1',
        role: 'admin',
        disabled: false,
        scope: { kind: 'provider', orgs: 'all' },
      }),
    ]);
    expect(upgraded.setAgentScope('agent-2', { kind: 'customer', orgId: 'org-1' })).toBe(true);
    expect(upgraded.getAgent('agent-2')?.scope).toEqual({ kind: 'customer', orgId: 'org-1' });
  });

  it('names who exported a session in the audit entry, when it was an agent (ids only)', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    const session = seedSession(store, world);
    store.exportSession(session.id, T0, `agent:${world.agentId}`);
    expect(store.listAuditLog().at(-1)).toMatchObject({
      action: 'export',
      detail: { sessionId: session.id, actor: `agent:${world.agentId}` },
    });
    store.exportSession(session.id, T0);
    expect(store.listAuditLog().at(-1)?.detail).toEqual({ sessionId: session.id });
  });
});

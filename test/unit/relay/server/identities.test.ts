import { describe, expect, it } from 'vitest';
import { isPrintoError } from '../../../../src-shared/errors.ts';
import {
  IdentityErrorCode,
  bootstrapFirstStart,
  createAgentAccount,
  createOrgWithKey,
  findAgentByEmail,
  findOrg,
  issueEnrollmentKey,
} from '../../../../src-relay/server/identities.ts';
import { hashSecret, verifyPassword } from '../../../../src-relay/server/passwords.ts';
import { FAST_SCRYPT, createMemoryStore } from './memory-store.ts';

const NOW = '2026-11-25T09:00:00.000Z';
const PASSWORD = 'correct horse battery staple';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isPrintoError(error) ? error.code : undefined;
}

describe('organisations and enrollment keys', () => {
  it('store only the hash of each key', () => {
    const store = createMemoryStore();
    const { org, enrollmentKey } = createOrgWithKey(store, '  Acme Ltd ', NOW);
    expect(org.name).toBe('Acme Ltd');
    expect(store.findOrgByEnrollmentKeyHash(hashSecret(enrollmentKey))?.id).toBe(org.id);
    const second = issueEnrollmentKey(store, org.id, NOW);
    expect(second).not.toBe(enrollmentKey);
    expect(store.findOrgByEnrollmentKeyHash(hashSecret(second))?.id).toBe(org.id);
    expect(findOrg(store, 'Acme Ltd').id).toBe(org.id);
    expect(findOrg(store, org.id).id).toBe(org.id);
    expect(() => findOrg(store, 'Nope')).toThrow(/No organisation "Nope"/);
    expect(() => createOrgWithKey(store, '   ', NOW)).toThrow(/name/);
  });
});

describe('agent accounts', () => {
  it('normalise the email and store a scrypt hash of the password', async () => {
    const store = createMemoryStore();
    const agent = await createAgentAccount(
      store,
      { email: ' Sam@Example.COM ', name: 'Sam', role: 'admin', password: PASSWORD },
      NOW,
      FAST_SCRYPT,
    );
    expect(agent).toMatchObject({ email: 'sam@example.com', role: 'admin', disabled: false });
    const stored = store.findAgentCredentials('sam@example.com');
    expect(stored?.passwordHash.startsWith('scrypt$')).toBe(true);
    await expect(verifyPassword(PASSWORD, stored?.passwordHash ?? '')).resolves.toBe(true);
    expect(findAgentByEmail(store, 'SAM@example.com').id).toBe(agent.id);
  });

  it('refuse a bad email, a short password and a taken email', async () => {
    const store = createMemoryStore();
    const add = (email: string, password = PASSWORD) =>
      createAgentAccount(store, { email, name: 'X', role: 'agent', password }, NOW, FAST_SCRYPT);
    expect(await codeOf(add('not-an-email'))).toBe(IdentityErrorCode.Invalid);
    expect(await codeOf(add('a@example.com', 'elevenchars'))).toBe(IdentityErrorCode.Invalid);
    await add('a@example.com');
    expect(await codeOf(add('A@example.com'))).toBe(IdentityErrorCode.EmailTaken);
    expect(() => findAgentByEmail(store, 'b@example.com')).toThrow(/No agent/);
  });
});

describe('first start', () => {
  it('creates a development organisation and an admin once, on an empty store only', async () => {
    const store = createMemoryStore();
    const first = await bootstrapFirstStart(store, NOW);
    expect(first).not.toBeNull();
    expect(first?.admin.role).toBe('admin');
    expect(first?.password.length).toBeGreaterThanOrEqual(24);
    await expect(
      verifyPassword(
        first?.password ?? '',
        store.findAgentCredentials(first?.admin.email ?? '')?.passwordHash ?? '',
      ),
    ).resolves.toBe(true);
    expect(store.findOrgByEnrollmentKeyHash(hashSecret(first?.enrollmentKey ?? ''))?.name).toBe(
      'Development',
    );
    await expect(bootstrapFirstStart(store, NOW)).resolves.toBeNull();

    const withAgent = createMemoryStore();
    await createAgentAccount(
      withAgent,
      { email: 'a@example.com', name: 'A', role: 'admin', password: PASSWORD },
      NOW,
      FAST_SCRYPT,
    );
    await expect(bootstrapFirstStart(withAgent, NOW)).resolves.toBeNull();
  });
});

/**
 * Creating organisations, enrollment keys and agent accounts: the few rules they carry (email
 * form, password length, hashing) in one place for the CLI now and an admin API later.
 * Secrets are returned once to the caller and never stored or logged in clear.
 */
import { z } from 'zod';
import { PrintoError } from '../../src-shared/errors.ts';
import type { Agent, AgentRole, AgentScope, Org, Store } from '../store/store.ts';
import { maskFreeText } from '../sessions/inbound.ts';
import { normalizeEmail } from './http.ts';
import { SecretPrefix, generateSecret, hashPassword, hashSecret } from './passwords.ts';
import type { ScryptParams } from './passwords.ts';

export const IdentityErrorCode = {
  Invalid: 'identity.invalid',
  EmailTaken: 'identity.email-taken',
  NoSuchAgent: 'identity.no-such-agent',
  NoSuchOrg: 'identity.no-such-org',
  /** A customer organisation's agent serves that organisation only. */
  NotProvider: 'agent-not-provider',
} as const;

/** Long passphrases beat complexity rules (NIST SP 800-63B §5.1.1): a length floor only. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

export const AgentRoleSchema = z.enum(['agent', 'admin']);
const EmailSchema = z.email().max(254);
const NameSchema = z.string().trim().min(1).max(100);

function invalid(message: string, hint?: string): PrintoError {
  return new PrintoError(
    IdentityErrorCode.Invalid,
    message,
    hint === undefined ? undefined : { hint },
  );
}

export function checkPassword(password: string): void {
  // UTF-16 units: an emoji counts twice, which only errs on the generous side of a floor.
  const length = password.length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw invalid(
      `The password is too short: at least ${MIN_PASSWORD_LENGTH} characters.`,
      'A few unrelated words make a long password that is easy to type.',
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw invalid(`The password is too long: at most ${MAX_PASSWORD_LENGTH} characters.`);
  }
}

/** A new organisation and its first enrollment key (shown once; only its hash is stored). */
export function createOrgWithKey(
  store: Store,
  name: string,
  now: string,
): { org: Org; enrollmentKey: string } {
  const parsed = NameSchema.safeParse(name);
  if (!parsed.success) throw invalid('An organisation needs a name of 1 to 100 characters.');
  const org = store.createOrg(parsed.data, now);
  return { org, enrollmentKey: issueEnrollmentKey(store, org.id, now) };
}

/** Another enrollment key for an existing organisation. */
export function issueEnrollmentKey(store: Store, orgId: string, now: string): string {
  const key = generateSecret(SecretPrefix.enrollmentKey);
  store.addEnrollmentKey(orgId, hashSecret(key), now);
  return key;
}

/** An organisation by id or by exact name. */
export function findOrg(store: Store, idOrName: string): Org {
  const orgs = store.listOrgs();
  const org = orgs.find((o) => o.id === idOrName) ?? orgs.find((o) => o.name === idOrName);
  if (org === undefined) {
    throw new PrintoError(
      IdentityErrorCode.NoSuchOrg,
      `No organisation ${JSON.stringify(idOrName)}.`,
      {
        hint: 'List them with `printo-relay orgs list`.',
      },
    );
  }
  return org;
}

export async function createAgentAccount(
  store: Store,
  input: { email: string; name: string; role: AgentRole; password: string; scope?: AgentScope },
  now: string,
  scrypt?: ScryptParams,
): Promise<Agent> {
  const email = normalizeEmail(input.email);
  if (!EmailSchema.safeParse(email).success) {
    throw invalid(`Not an email address: ${JSON.stringify(input.email)}.`);
  }
  const name = NameSchema.safeParse(input.name);
  if (!name.success) throw invalid('An agent needs a display name of 1 to 100 characters.');
  checkPassword(input.password);
  if (store.findAgentCredentials(email) !== null) {
    throw new PrintoError(
      IdentityErrorCode.EmailTaken,
      `An agent with email ${email} exists already.`,
      {
        hint: 'Each agent has one account; list them with `printo-relay agents list`.',
      },
    );
  }
  const passwordHash = await hashPassword(input.password, scrypt);
  // The name is shown to users in the consent prompt and on chat: masked where it enters.
  return store.createAgent(
    {
      email,
      name: maskFreeText(name.data),
      role: input.role,
      passwordHash,
      ...(input.scope === undefined ? {} : { scope: input.scope }),
    },
    now,
  );
}

export function findAgentByEmail(store: Store, email: string): Agent {
  const found = store.findAgentCredentials(normalizeEmail(email));
  if (found === null) {
    throw new PrintoError(
      IdentityErrorCode.NoSuchAgent,
      `No agent with email ${normalizeEmail(email)}.`,
      {
        hint: 'List them with `printo-relay agents list`.',
      },
    );
  }
  return found.agent;
}

/**
 * Sets which organisations a provider agent serves: all of them, or the given ones (ids or
 * names). Refused for a customer organisation's agent, which serves its own organisation only.
 * A running relay closes the agent's connections, which hold the old scope.
 */
export function setProviderOrgs(
  store: Store,
  email: string,
  orgs: 'all' | readonly string[],
): Agent {
  const agent = findAgentByEmail(store, email);
  const current = agent.scope;
  if (current.kind === 'customer') {
    const home = store.listOrgs().find((o) => o.id === current.orgId);
    throw new PrintoError(
      IdentityErrorCode.NotProvider,
      `${agent.email} is an agent of the customer organisation ${home?.name ?? current.orgId}: it serves that organisation only, and cannot be given others.`,
      {
        hint:
          'Served organisations are for provider agents (Printo Gens staff), added without ' +
          '--org: printo-relay agents add EMAIL --name NAME',
      },
    );
  }
  const scope: AgentScope =
    orgs === 'all'
      ? { kind: 'provider', orgs: 'all' }
      : { kind: 'provider', orgs: [...new Set(orgs.map((org) => findOrg(store, org).id))] };
  store.setAgentScope(agent.id, scope);
  return { ...agent, scope };
}

/**
 * On first start (no organisation and no agent yet): a development organisation with an
 * enrollment key, and an admin agent with a random password. Null when not a first start.
 */
export async function bootstrapFirstStart(
  store: Store,
  now: string,
): Promise<{ org: Org; enrollmentKey: string; admin: Agent; password: string } | null> {
  if (store.listOrgs().length > 0 || store.listAgents().length > 0) return null;
  const { org, enrollmentKey } = createOrgWithKey(store, 'Development', now);
  const password = generateSecret('', 18);
  const admin = await createAgentAccount(
    store,
    { email: 'admin@relay.local', name: 'Relay administrator', role: 'admin', password },
    now,
  );
  return { org, enrollmentKey, admin, password };
}

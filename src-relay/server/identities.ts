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
  Invalid: 'account-invalid',
  EmailTaken: 'email-taken',
  NoSuchAgent: 'no-such-agent',
  NoSuchOrg: 'no-such-org',
  /** A customer organisation's agent serves that organisation only. */
  NotProvider: 'agent-not-provider',
  OrgNameTaken: 'org-name-taken',
  OrgNameAmbiguous: 'org-name-ambiguous',
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

/** Names compared as people read them: "Acme Ltd" and "acme ltd" are the same organisation. */
const sameName = (a: string, b: string): boolean =>
  a.trim().normalize('NFC').toLowerCase() === b.trim().normalize('NFC').toLowerCase();

/**
 * A new organisation and its first enrollment key (shown once; only its hash is stored). A name
 * already in use is refused unless `allowDuplicateName`: two organisations of one name would
 * give devices enrolled with the wrong key and an `orgs key NAME` that cannot tell them apart.
 */
export function createOrgWithKey(
  store: Store,
  name: string,
  now: string,
  options: { allowDuplicateName?: boolean } = {},
): { org: Org; enrollmentKey: string } {
  const parsed = NameSchema.safeParse(name);
  if (!parsed.success) throw invalid('An organisation needs a name of 1 to 100 characters.');
  const existing = store.listOrgs().find((o) => sameName(o.name, parsed.data));
  if (existing !== undefined && options.allowDuplicateName !== true) {
    throw new PrintoError(
      IdentityErrorCode.OrgNameTaken,
      `An organisation named ${JSON.stringify(existing.name)} exists already (${existing.id}); nothing was added.`,
      {
        hint:
          `For another enrollment key of it: printo-relay orgs key ${existing.id}. ` +
          'For a second organisation of the same name: add --allow-duplicate-name.',
      },
    );
  }
  const org = store.createOrg(parsed.data, now);
  return { org, enrollmentKey: issueEnrollmentKey(store, org.id, now) };
}

/** Another enrollment key for an existing organisation. */
export function issueEnrollmentKey(store: Store, orgId: string, now: string): string {
  const key = generateSecret(SecretPrefix.enrollmentKey);
  store.addEnrollmentKey(orgId, hashSecret(key), now);
  return key;
}

/** An organisation by id or by exact name; a name that several share is refused. */
export function findOrg(store: Store, idOrName: string): Org {
  const orgs = store.listOrgs();
  const byId = orgs.find((o) => o.id === idOrName);
  if (byId !== undefined) return byId;
  const named = orgs.filter((o) => o.name === idOrName);
  if (named.length > 1) {
    throw new PrintoError(
      IdentityErrorCode.OrgNameAmbiguous,
      `${named.length} organisations are named ${JSON.stringify(idOrName)}: ${named.map((o) => o.id).join(', ')}.`,
      { hint: 'Give the id of the one you mean (printo-relay orgs list).' },
    );
  }
  const org = named[0];
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

/**
 * A new password for an existing agent (same length rules as a new account). Whoever holds the
 * old one is cut off by the caller: a running relay ends the agent's web sessions and
 * connections (admin socket), as when it is disabled.
 */
export async function resetAgentPassword(
  store: Store,
  email: string,
  password: string,
  scrypt?: ScryptParams,
): Promise<Agent> {
  const agent = findAgentByEmail(store, email);
  checkPassword(password);
  const passwordHash = await hashPassword(password, scrypt);
  if (!store.setAgentPassword(agent.id, passwordHash)) throw noSuchAgent(agent.email);
  return agent;
}

function noSuchAgent(email: string): PrintoError {
  return new PrintoError(IdentityErrorCode.NoSuchAgent, `No agent with email ${email}.`, {
    hint: 'List them with `printo-relay agents list`.',
  });
}

export function findAgentByEmail(store: Store, email: string): Agent {
  const found = store.findAgentCredentials(normalizeEmail(email));
  if (found === null) throw noSuchAgent(normalizeEmail(email));
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

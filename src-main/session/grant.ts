/**
 * The client's copy of the consent grant, enforced here as well as at the relay (ARCHITECTURE.md,
 * Consent: "the relay and the client both enforce the grant"). The user's answer is the upper
 * bound: the relay's `consent.state` may narrow it but never widen it, so a relay bug or a
 * compromised relay cannot give an agent more than the user clicked.
 */
import { ALL_SCOPES } from '../../src-shared/protocol/v1.ts';
import type { DataKind, Scope } from '../../src-shared/protocol/v1.ts';

/** The scope that lets an agent read each kind of data. */
export const READ_SCOPE: Readonly<Record<DataKind, Scope>> = {
  printers: 'printers.read',
  jobs: 'printers.read',
  diagnostics: 'diagnostics.read',
};

/** Proposing actions needs this scope; each action is still approved by the user. */
export const ACTION_SCOPE: Scope = 'actions';

/** Scopes in their canonical order, without duplicates. */
export function canonical(scopes: Iterable<Scope>): Scope[] {
  const set = new Set(scopes);
  return ALL_SCOPES.filter((scope) => set.has(scope));
}

export class Grant {
  private scopes = new Set<Scope>();

  get list(): Scope[] {
    return canonical(this.scopes);
  }

  has(scope: Scope): boolean {
    return this.scopes.has(scope);
  }

  /** The user's answer to a request: only what was asked for can be granted. */
  answer(requested: readonly Scope[], granted: readonly Scope[]): Scope[] {
    const asked = new Set(requested);
    this.scopes = new Set(granted.filter((scope) => asked.has(scope)));
    return this.list;
  }

  /** The relay's view of the grant: kept only where it agrees with the user's. */
  narrowTo(relayScopes: readonly Scope[]): void {
    const relay = new Set(relayScopes);
    this.scopes = new Set([...this.scopes].filter((scope) => relay.has(scope)));
  }

  revoke(scopes: readonly Scope[]): void {
    for (const scope of scopes) this.scopes.delete(scope);
  }

  clear(): void {
    this.scopes.clear();
  }
}

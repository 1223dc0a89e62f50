/**
 * A SecretStore in memory, for tests of the code above the port. `failWith` makes every call
 * reject as a broken keyring would (a PrintoError with one of the keyring codes).
 */
import { checkSecretName } from './secret-store.ts';
import type { SecretStore } from './secret-store.ts';

export class MemorySecretStore implements SecretStore {
  readonly #values = new Map<string, string>();
  #failure: Error | undefined;

  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [name, value] of Object.entries(initial)) this.#values.set(name, value);
  }

  /** Every later call rejects with `error` (undefined: works again). */
  failWith(error: Error | undefined): void {
    this.#failure = error;
  }

  /** What is stored, for assertions. */
  snapshot(): Record<string, string> {
    return Object.fromEntries(this.#values);
  }

  get(name: string): Promise<string | null> {
    return this.#run(name, () => this.#values.get(name) ?? null);
  }

  set(name: string, value: string): Promise<void> {
    return this.#run(name, () => {
      this.#values.set(name, value);
    });
  }

  delete(name: string): Promise<boolean> {
    return this.#run(name, () => this.#values.delete(name));
  }

  async #run<T>(name: string, action: () => T): Promise<T> {
    checkSecretName(name);
    // Like the real keyring, an answer never arrives in the same tick.
    await Promise.resolve();
    if (this.#failure !== undefined) throw this.#failure;
    return action();
  }
}

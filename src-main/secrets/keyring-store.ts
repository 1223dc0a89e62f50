/**
 * The SecretStore over the OS keyring, through @napi-rs/keyring (keyring-rs): Windows Credential
 * Manager, macOS Keychain, the Secret Service (gnome-keyring, KWallet, KeePassXC) on Linux. Each
 * secret is one item: service `com.printogens.help`, account (`username`) the secret's name.
 *
 * Linux facts found against a real gnome-keyring (test/integration/secrets/keyring-store.test.ts):
 * - Left to itself the library silently falls back to the kernel keyring when there is no
 *   Secret Service; that keyring lives in memory and is gone after a reboot, which would lose the
 *   transcript master key. The store is therefore pinned to the Secret Service: no keyring is an
 *   error the app can show, not a key that quietly disappears.
 * - The library links its own libdbus, which reads DBUS_SESSION_BUS_ADDRESS (or, without it,
 *   $XDG_RUNTIME_DIR/bus) once per process, at the first use, and keeps the answer: setting
 *   process.env before the first use works, changing it afterwards does nothing. A process that
 *   started without a bus must be restarted to use one (the tests use one child process per
 *   situation).
 * - Opening an item talks to the bus synchronously (connect, open a Secret Service session), so
 *   entries are made once per name and kept; reads and writes run off the main thread.
 */
import { AsyncEntry } from '@napi-rs/keyring';
import { keyringError } from './keyring-errors.ts';
import type { KeyringOperation } from './keyring-errors.ts';
import { checkSecretName, SECRET_SERVICE } from './secret-store.ts';
import type { SecretStore } from './secret-store.ts';

export class KeyringSecretStore implements SecretStore {
  readonly #service: string;
  readonly #entries = new Map<string, AsyncEntry>();

  /** `service` is for tests that must not touch the app's own items. */
  constructor(options: { readonly service?: string } = {}) {
    this.#service = options.service ?? SECRET_SERVICE;
  }

  async get(name: string): Promise<string | null> {
    const entry = this.#entry(name, 'read');
    try {
      return await entry.getPassword();
    } catch (error) {
      throw keyringError(error, { operation: 'read', name });
    }
  }

  async set(name: string, value: string): Promise<void> {
    const entry = this.#entry(name, 'write');
    try {
      await entry.setPassword(value);
    } catch (error) {
      throw keyringError(error, { operation: 'write', name, value });
    }
  }

  async delete(name: string): Promise<boolean> {
    const entry = this.#entry(name, 'delete');
    try {
      return await entry.deleteCredential();
    } catch (error) {
      throw keyringError(error, { operation: 'delete', name });
    }
  }

  #entry(name: string, operation: KeyringOperation): AsyncEntry {
    checkSecretName(name);
    let entry = this.#entries.get(name);
    if (entry === undefined) {
      try {
        // Ignored outside Linux; on Linux, no silent fall-back to the kernel keyring (above).
        entry = new AsyncEntry(this.#service, name, { linux: { store: 'secret-service' } });
      } catch (error) {
        throw keyringError(error, { operation, name });
      }
      this.#entries.set(name, entry);
    }
    return entry;
  }
}

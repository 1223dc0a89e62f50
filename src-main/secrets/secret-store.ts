/**
 * The SecretStore port: a few named secrets of Printo Help, kept in the OS keyring under the
 * service `com.printogens.help` (Windows Credential Manager, macOS Keychain, the Secret Service
 * on Linux). Device credentials and the transcript master key live there and nowhere else.
 *
 * Every method may reject with a PrintoError whose code says why the keyring cannot be used
 * (`keyring-no-dbus`, `keyring-unavailable`, `keyring-locked`, `keyring-failed`); a value is
 * never part of an error.
 */
export const SECRET_SERVICE = 'com.printogens.help';

/** Names are short kebab-case words: they show up in keyring managers as the account. */
export const SECRET_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface SecretStore {
  /** The secret, or null when there is none by that name. */
  get(name: string): Promise<string | null>;
  /** Creates or replaces the secret. */
  set(name: string, value: string): Promise<void>;
  /** Removes the secret; false when there was none. */
  delete(name: string): Promise<boolean>;
}

/** A bad name is a bug in the caller, not something a user can act on. */
export function checkSecretName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new TypeError(`Invalid secret name ${JSON.stringify(name)}: use kebab-case.`);
  }
}

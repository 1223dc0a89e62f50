/**
 * Whether the OS keyring can be used, asked before a support session so that the app can tell the
 * user, before they consent, that the local transcript will not be kept without one (issue 9:
 * "Without a usable keyring, support sessions still work; the local transcript is then not kept,
 * and the user is told so before consenting").
 */
import { isPrintoError } from '../../src-shared/errors.ts';
import type { SecretStore } from './secret-store.ts';

export type SecretStoreStatus =
  | { readonly usable: true }
  | {
      readonly usable: false;
      /** `keyring-no-dbus`, `keyring-unavailable`, `keyring-locked` or `keyring-failed`. */
      readonly code: string;
      readonly message: string;
      readonly hint: string | undefined;
    };

/** The item the probe writes and removes again. */
export const PROBE_SECRET = 'keyring-probe';

/**
 * Writes a throw-away item, reads it back and removes it; never throws. A read alone would not
 * do: a locked gnome-keyring answers "nothing there" for an item it does not hold and refuses
 * only writes, so a keyring that cannot keep the transcript master key would pass as usable.
 */
export async function secretStoreStatus(store: SecretStore): Promise<SecretStoreStatus> {
  const value = `probe-${crypto.randomUUID()}`;
  try {
    await store.set(PROBE_SECRET, value);
    const read = await store.get(PROBE_SECRET);
    await store.delete(PROBE_SECRET);
    if (read !== value) {
      return {
        usable: false,
        code: 'keyring-failed',
        message: 'The OS keyring did not give back what Printo Help stored in it.',
        hint: 'Check that the OS keyring works, then try again.',
      };
    }
    return { usable: true };
  } catch (error) {
    if (isPrintoError(error)) {
      return { usable: false, code: error.code, message: error.message, hint: error.hint };
    }
    return {
      usable: false,
      code: 'keyring-failed',
      message: `The OS keyring failed: ${error instanceof Error ? error.message : String(error)}`,
      hint: undefined,
    };
  }
}

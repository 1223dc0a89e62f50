/**
 * This computer's credentials from enrolment (src-main/session/enroll.ts), kept in the OS keyring
 * as the JSON of the relay's answer and nowhere else.
 */
import { z } from 'zod';
import { PrintoError } from '../../src-shared/errors.ts';
import { EnrollResponseSchema } from '../../src-shared/protocol/http.ts';
import type { DeviceCredentials } from '../session/types.ts';
import type { SecretStore } from './secret-store.ts';

export const DEVICE_CREDENTIALS_SECRET = 'device-credentials';

/**
 * What is stored: the relay's answer to enrolment (a device id and secret), and the relay that
 * gave it — credentials are good for that relay only (absent in what earlier versions stored).
 */
const StoredDeviceCredentialsSchema = EnrollResponseSchema.extend({
  relayUrl: z.string().optional(),
});

export interface StoredDeviceCredentials extends DeviceCredentials {
  /** The relay these credentials were issued by; undefined when an earlier version enrolled. */
  readonly relayUrl?: string | undefined;
}

/** The credentials, or null when this computer has not been enrolled (or they were removed). */
export async function loadDeviceCredentials(
  store: SecretStore,
): Promise<StoredDeviceCredentials | null> {
  const raw = await store.get(DEVICE_CREDENTIALS_SECRET);
  if (raw === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw corrupt();
  }
  const parsed = StoredDeviceCredentialsSchema.safeParse(json);
  if (!parsed.success) throw corrupt();
  return {
    deviceId: parsed.data.deviceId,
    deviceSecret: parsed.data.deviceSecret,
    ...(parsed.data.relayUrl === undefined ? {} : { relayUrl: parsed.data.relayUrl }),
  };
}

export async function saveDeviceCredentials(
  store: SecretStore,
  credentials: DeviceCredentials,
  relayUrl?: string,
): Promise<void> {
  // Checked before writing: what cannot be read back must not replace working credentials.
  const parsed = StoredDeviceCredentialsSchema.safeParse(credentials);
  if (!parsed.success) {
    throw new TypeError('Device credentials need a device id without a colon and a secret.');
  }
  await store.set(
    DEVICE_CREDENTIALS_SECRET,
    JSON.stringify({
      deviceId: parsed.data.deviceId,
      deviceSecret: parsed.data.deviceSecret,
      ...(relayUrl === undefined ? {} : { relayUrl }),
    }),
  );
}

/** Forgets this computer's enrolment; false when there was none. */
export function deleteDeviceCredentials(store: SecretStore): Promise<boolean> {
  return store.delete(DEVICE_CREDENTIALS_SECRET);
}

/** Never quotes the stored value: it may be most of a secret. */
function corrupt(): PrintoError {
  return new PrintoError(
    'secret-corrupt',
    `The device credentials in the OS keyring (“${DEVICE_CREDENTIALS_SECRET}”) are not in the form Printo Help writes.`,
    { hint: 'Enrol this computer again: that replaces them.' },
  );
}

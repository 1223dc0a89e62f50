/**
 * This computer's credentials from enrolment (src-main/session/enroll.ts), kept in the OS keyring
 * as the JSON of the relay's answer and nowhere else.
 */
import { PrintoError } from '../../src-shared/errors.ts';
import { EnrollResponseSchema } from '../../src-shared/protocol/http.ts';
import type { DeviceCredentials } from '../session/types.ts';
import type { SecretStore } from './secret-store.ts';

export const DEVICE_CREDENTIALS_SECRET = 'device-credentials';

/** What is stored: the relay's answer to enrolment, as it answered (a device id and secret). */
const StoredDeviceCredentialsSchema = EnrollResponseSchema;

/** The credentials, or null when this computer has not been enrolled (or they were removed). */
export async function loadDeviceCredentials(store: SecretStore): Promise<DeviceCredentials | null> {
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
  return { deviceId: parsed.data.deviceId, deviceSecret: parsed.data.deviceSecret };
}

export async function saveDeviceCredentials(
  store: SecretStore,
  credentials: DeviceCredentials,
): Promise<void> {
  // Checked before writing: what cannot be read back must not replace working credentials.
  const parsed = StoredDeviceCredentialsSchema.safeParse(credentials);
  if (!parsed.success) {
    throw new TypeError('Device credentials need a device id without a colon and a secret.');
  }
  await store.set(
    DEVICE_CREDENTIALS_SECRET,
    JSON.stringify({ deviceId: parsed.data.deviceId, deviceSecret: parsed.data.deviceSecret }),
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

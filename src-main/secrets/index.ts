/** Printo Help's secrets in the OS keyring: the port, its adapters and the typed secrets. */
export { SECRET_SERVICE, type SecretStore } from './secret-store.ts';
export { KeyringSecretStore } from './keyring-store.ts';
export { MemorySecretStore } from './memory-store.ts';
export { secretStoreStatus, type SecretStoreStatus } from './status.ts';
export {
  deleteDeviceCredentials,
  loadDeviceCredentials,
  saveDeviceCredentials,
} from './device-credentials.ts';
export {
  loadOrCreateTranscriptMasterKey,
  loadTranscriptMasterKey,
  TRANSCRIPT_MASTER_KEY_BYTES,
} from './transcript-master-key.ts';
export type { KeyringErrorCode } from './keyring-errors.ts';

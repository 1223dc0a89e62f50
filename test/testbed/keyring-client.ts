/**
 * Runs SecretStore operations with the real OS keyring adapter in this process and prints the
 * outcomes as one JSON array: `node test/testbed/keyring-client.ts '[{"op":"get","name":"x"}]'`.
 * A process of its own because the keyring library meets one D-Bus bus per process (keyring.ts).
 */
import { isPrintoError } from '../../src-shared/errors.ts';
import {
  KeyringSecretStore,
  loadDeviceCredentials,
  loadOrCreateTranscriptMasterKey,
  saveDeviceCredentials,
  secretStoreStatus,
} from '../../src-main/secrets/index.ts';
import type { KeyringOp, KeyringOutcome } from './keyring.ts';

const store = new KeyringSecretStore();

async function perform(op: KeyringOp): Promise<unknown> {
  switch (op.op) {
    case 'get':
      return store.get(op.name);
    case 'set':
      return store.set(op.name, op.value);
    case 'delete':
      return store.delete(op.name);
    case 'status':
      return secretStoreStatus(store);
    case 'load-device-credentials':
      return loadDeviceCredentials(store);
    case 'save-device-credentials':
      return saveDeviceCredentials(store, op.credentials);
    case 'master-key':
      return (await loadOrCreateTranscriptMasterKey(store)).toString('base64');
  }
}

const ops = JSON.parse(process.argv[2] ?? '[]') as KeyringOp[];
const outcomes: KeyringOutcome[] = [];
for (const op of ops) {
  try {
    const value = await perform(op);
    outcomes.push(value === undefined ? { ok: true } : { ok: true, value });
  } catch (error) {
    if (!isPrintoError(error)) throw error;
    outcomes.push({
      ok: false,
      code: error.code,
      message: error.message,
      hint: error.hint ?? null,
      cause: error.cause instanceof Error ? error.cause.message : null,
    });
  }
}
process.stdout.write(`${JSON.stringify(outcomes)}\n`);

/**
 * `printo-help enroll`: trade the organisation's enrollment key for this computer's own
 * credentials, once, and keep them in the OS keyring (nowhere else). The relay and the key come
 * from the command line, or from policy (`relayUrl`, `enrollmentKey`) where IT set them.
 */
import { hostname } from 'node:os';
import { PrintoError } from '../../src-shared/errors.ts';
import { UsageError } from '../../src-shared/errors.ts';
import { createPolicyService } from '../policy/policy-sources.ts';
import type { CreatePolicyServiceOptions } from '../policy/policy-sources.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { loadDeviceCredentials, saveDeviceCredentials } from '../secrets/device-credentials.ts';
import { enroll } from '../session/enroll.ts';

export interface EnrollCommandOptions {
  readonly relay: string | undefined;
  readonly key: string | undefined;
  readonly keyStdin: boolean;
  readonly name: string | undefined;
  readonly force: boolean;
  readonly json: boolean;
  readonly timeoutMs: number;
  readonly stdout: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly secrets: SecretStore;
  readonly policy?: CreatePolicyServiceOptions | undefined;
  /** Where a `system` proxy is read from (HTTPS_PROXY, NO_PROXY); default process.env. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

export async function runEnroll(options: EnrollCommandOptions): Promise<void> {
  if (options.key !== undefined && options.keyStdin) {
    throw new UsageError(
      'Give the enrollment key once: --key or --key-stdin.',
      'conflicting-option',
    );
  }
  const policy = (await createPolicyService(options.policy).load()).values;
  const relayUrl = options.relay ?? policy.relayUrl ?? null;
  if (relayUrl === null) {
    throw new UsageError(
      'Which relay? Give --relay URL (your IT administrator has it), or set relayUrl by policy.',
      'missing-mandatory-option-value',
    );
  }
  const key = options.keyStdin
    ? (await options.readStdin()).trim()
    : (options.key ?? policy.enrollmentKey ?? null);
  if (key === null || key === '') {
    throw new UsageError(
      'Which organisation? Give the enrollment key with --key-stdin (or --key KEY), or set enrollmentKey by policy.',
      'missing-mandatory-option-value',
    );
  }
  // Before the relay is asked: an enrolled computer keeps its identity unless told otherwise.
  const existing = await loadDeviceCredentials(options.secrets);
  if (existing !== null && !options.force) {
    throw new PrintoError(
      'already-enrolled',
      `This computer is already enrolled (device ${existing.deviceId}).`,
      { hint: 'To enrol it again as a new device, add --force.' },
    );
  }
  const deviceName = options.name ?? hostname();
  const credentials = await enroll(
    relayUrl,
    { enrollmentKey: key, deviceName },
    // Through the proxy policy says (`system`: the environment's variables).
    { signal: AbortSignal.timeout(options.timeoutMs), proxy: policy.proxy, env: options.env },
  );
  await saveDeviceCredentials(options.secrets, credentials, relayUrl);
  // The device secret is never printed: it went to the keyring only.
  options.stdout(
    options.json
      ? `${JSON.stringify({ enrolled: true, deviceId: credentials.deviceId, deviceName, relayUrl })}\n`
      : `Enrolled ${deviceName} with ${relayUrl} as device ${credentials.deviceId}; its credentials are in the OS keyring.\n`,
  );
}

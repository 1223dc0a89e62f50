/**
 * ClientServices with this computer's real parts: the print system, policy from the OS's
 * sources, the OS keyring, the transcript store in the user's data folder. The terminal front end
 * and the browser shell start here; the Electron composition root does the same with its paths.
 */
import { hostname } from 'node:os';
import { createPolicyService } from '../policy/policy-sources.ts';
import type { CreatePolicyServiceOptions } from '../policy/policy-sources.ts';
import type { PrinterSystem } from '../printers/printer-system.ts';
import { KeyringSecretStore } from '../secrets/keyring-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { defaultTranscriptsPath } from '../transcripts/path.ts';
import { createClientServices } from './index.ts';
import type { ClientServicesHost, ClientServicesOptions } from './index.ts';

export interface OpenClientServicesOptions {
  readonly shell: ClientServicesOptions['shell'];
  readonly system: PrinterSystem;
  /** Where policy is read (tests point it at their own files); default this OS's sources. */
  readonly policy?: CreatePolicyServiceOptions | undefined;
  /** Default: the OS keyring. */
  readonly secrets?: SecretStore | undefined;
  /** Default: the user's data folder (defaultTranscriptsPath). */
  readonly transcriptsPath?: string | undefined;
  readonly onBackgroundError?: (error: unknown) => void;
}

export function openClientServices(
  options: OpenClientServicesOptions,
): Promise<ClientServicesHost> {
  return createClientServices({
    shell: options.shell,
    system: options.system,
    policy: createPolicyService(options.policy),
    secrets: options.secrets ?? new KeyringSecretStore(),
    transcriptsPath: options.transcriptsPath ?? defaultTranscriptsPath(),
    deviceName: hostname(),
    ...(options.onBackgroundError === undefined
      ? {}
      : { onBackgroundError: options.onBackgroundError }),
  });
}

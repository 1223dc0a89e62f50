/**
 * Which policy sources this OS has, and the service over them. The composition root and the
 * command line both call `createPolicyService`; tests build sources themselves.
 */
import os from 'node:os';
import { childProcessRunner, type CommandRunner } from './command-runner.ts';
import { PolicyService } from './effective.ts';
import { PolicyFileSource } from './linux-policy-file.ts';
import { ManagedPreferencesSource } from './macos-managed-preferences.ts';
import type { PolicyLogger, PolicySource } from './source.ts';
import { defaultUserSettingsPath, UserSettingsSource } from './user-settings.ts';
import { WindowsRegistrySource } from './windows-registry.ts';

export interface PolicySourcesOptions {
  readonly platform?: NodeJS.Platform;
  /** Runs reg.exe and plutil; default a child process without a shell. */
  readonly run?: CommandRunner;
  /** Linux: default /etc/printo-help/policy.json. */
  readonly policyFilePath?: string;
  /** macOS: default /Library/Managed Preferences. */
  readonly managedPreferencesDir?: string;
  /** macOS: whose managed preferences; default the current login name. */
  readonly userName?: string;
}

/** The policy sources of a platform (not the user's settings). Another OS: none. */
export function policySourcesFor(options: PolicySourcesOptions = {}): PolicySource[] {
  const platform = options.platform ?? process.platform;
  const run = options.run ?? childProcessRunner();
  switch (platform) {
    case 'win32':
      return [
        new WindowsRegistrySource({ kind: 'machine-policy', run }),
        new WindowsRegistrySource({ kind: 'user-policy', run }),
        new WindowsRegistrySource({ kind: 'installer', run }),
      ];
    case 'darwin': {
      const directory = options.managedPreferencesDir;
      const common = { run, ...(directory === undefined ? {} : { directory }) };
      return [
        // As on Windows, what is set for the computer wins over what is set for the user.
        new ManagedPreferencesSource({ scope: 'machine', ...common }),
        new ManagedPreferencesSource({
          scope: 'user',
          userName: options.userName ?? os.userInfo().username,
          ...common,
        }),
      ];
    }
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return [
        new PolicyFileSource(
          options.policyFilePath === undefined ? {} : { path: options.policyFilePath },
        ),
      ];
    default:
      return [];
  }
}

export interface CreatePolicyServiceOptions extends PolicySourcesOptions {
  /** Default: the user-data folder of this OS (defaultUserSettingsPath). */
  readonly userSettingsPath?: string;
  readonly logger?: PolicyLogger;
  readonly now?: () => number;
}

export function createPolicyService(options: CreatePolicyServiceOptions = {}): PolicyService {
  return new PolicyService({
    sources: policySourcesFor(options),
    userSettings: new UserSettingsSource({
      path:
        options.userSettingsPath ?? defaultUserSettingsPath(options.platform ?? process.platform),
    }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

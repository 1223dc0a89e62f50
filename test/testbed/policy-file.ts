/**
 * Policy as IT sets it on Linux, in a test's own folder: `/etc/printo-help/policy.json`'s stand-in
 * (mode 644 in a folder only its owner may write, as linux-policy-file.ts demands) and the user's
 * settings file beside it. The result is what `createPolicyService` and `printo-help`'s
 * `deps.policy` take.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LinuxPolicy {
  readonly platform: 'linux';
  readonly policyFilePath: string;
  readonly userSettingsPath: string;
}

export function linuxPolicy(dir: string, values: Record<string, unknown> = {}): LinuxPolicy {
  chmodSync(dir, 0o755);
  const policyFilePath = join(dir, 'policy.json');
  writeFileSync(policyFilePath, JSON.stringify(values), { mode: 0o644 });
  return { platform: 'linux', policyFilePath, userSettingsPath: join(dir, 'settings.json') };
}

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src-main/cli/printo-help.ts';
import { EffectivePolicyReportSchema } from '../../../src-shared/model/policy.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A policy file as IT would leave it (root's, 0644, in a root-owned 0755 folder) and settings. */
function files(policy: unknown): { policyFilePath: string; userSettingsPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'printo-policy-cli-'));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  const policyFilePath = join(dir, 'policy.json');
  writeFileSync(policyFilePath, JSON.stringify(policy), { mode: 0o644 });
  const userSettingsPath = join(dir, 'settings.json');
  writeFileSync(userSettingsPath, JSON.stringify({ startAtLogin: true }), { mode: 0o600 });
  return { policyFilePath, userSettingsPath };
}

async function run(argv: string[], policy: unknown): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(
    argv,
    { stdout: (t) => (out += t), stderr: (t) => (out += t), color: false },
    { policy: { platform: 'linux', ...files(policy) } },
  );
  return { code, out };
}

describe('printo-help policy', () => {
  it('shows each value with its source and lock, as a table and as JSON', async () => {
    const policy = { relayUrl: 'https://relay.corp.example', supportEnabled: false };
    const table = await run(['policy'], policy);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/relayUrl\s+https:\/\/relay\.corp\.example\s+policy file\s+locked/);
    expect(table.out).toMatch(/startAtLogin\s+true\s+user setting/);

    const json = await run(['--json', 'policy'], policy);
    expect(json.code).toBe(0);
    const report = EffectivePolicyReportSchema.parse(JSON.parse(json.out));
    expect(report.entries.find((e) => e.key === 'supportEnabled')).toMatchObject({
      value: false,
      source: 'policy-file',
      locked: true,
    });
    expect(report.entries.find((e) => e.key === 'startAtLogin')).toMatchObject({
      value: true,
      source: 'user',
      locked: false,
    });
  });
});

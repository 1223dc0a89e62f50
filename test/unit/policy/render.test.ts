import { describe, expect, it } from 'vitest';
import { PolicyService } from '../../../src-main/policy/effective.ts';
import { policyCommand } from '../../../src-main/policy/render.ts';
import { UserSettingsSource } from '../../../src-main/policy/user-settings.ts';
import { EffectivePolicyReportSchema } from '../../../src-shared/model/policy.ts';
import { StaticSource } from './fakes.ts';

function service(): PolicyService {
  const failing = new StaticSource('installer', {});
  failing.next = new Error('reg.exe was not found');
  return new PolicyService({
    sources: [
      new StaticSource('machine-policy', {
        relayUrl: 'https://relay.corp.example',
        enrollmentKey: 'ek_7Hq2mVx9Lr4TnB8c',
        consentTimeoutSeconds: 5,
        colour: 'blue',
      }),
      failing,
    ],
    userSettings: new UserSettingsSource({ path: '/nonexistent/printo-help-test/settings.json' }),
  });
}

describe('policyCommand', () => {
  it('prints every key with its value, source and lock, then rejections and sources', async () => {
    const text = await policyCommand({ json: false, color: false, service: service() });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^SETTING\s+VALUE\s+SOURCE\s+LOCKED$/);
    expect(lines.find((l) => l.startsWith('relayUrl'))).toMatch(
      /^relayUrl\s+https:\/\/relay\.corp\.example\s+machine policy\s+locked$/,
    );
    expect(lines.find((l) => l.startsWith('consentTimeoutSeconds'))).toMatch(
      /^consentTimeoutSeconds\s+60\s+default$/,
    );
    expect(lines.find((l) => l.startsWith('allowedScopes'))).toContain(
      'chat, printers.read, diagnostics.read',
    );
    expect(text).toContain('(hidden, ends in nB8c)');
    expect(text).not.toContain('ek_7Hq2mVx9Lr4TnB8c');
    expect(text).toContain(
      'consentTimeoutSeconds = 5 from machine policy (test:machine-policy): consentTimeoutSeconds must be at least 15 seconds [invalid-value]',
    );
    expect(text).toContain(
      'colour = blue from machine policy (test:machine-policy): colour is not a setting of this version of Printo Help [unknown-key]',
    );
    expect(text).toContain(
      'installer (test:installer): read failed, not used: reg.exe was not found [policy-read-failed]',
    );
    expect(text).toContain(
      'user setting (/nonexistent/printo-help-test/settings.json): nothing set',
    );
  });

  it('prints the same as JSON for scripts', async () => {
    const report = EffectivePolicyReportSchema.parse(
      JSON.parse(await policyCommand({ json: true, color: false, service: service() })),
    );
    expect(report.entries.find((e) => e.key === 'relayUrl')).toMatchObject({
      value: 'https://relay.corp.example',
      source: 'machine-policy',
      location: 'test:machine-policy',
      locked: true,
    });
    expect(report.entries.find((e) => e.key === 'consentTimeoutSeconds')?.rejected).toMatchObject([
      { source: 'machine-policy', value: 5, code: 'invalid-value' },
    ]);
    expect(report.unknown).toMatchObject([{ key: 'colour', code: 'unknown-key' }]);
    expect(report.sources.map((s) => [s.source, s.state])).toEqual([
      ['machine-policy', 'read'],
      ['user', 'absent'],
      ['installer', 'failed'],
    ]);
    expect(JSON.stringify(report)).not.toContain('ek_7Hq2mVx9Lr4TnB8c');
  });
});

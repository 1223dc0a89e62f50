import type { ErrorCode } from '../../../src-shared/error-codes.ts';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolicyService } from '../../../src-main/policy/effective.ts';
import { PolicyFileSource } from '../../../src-main/policy/linux-policy-file.ts';
import { createPolicyService, policySourcesFor } from '../../../src-main/policy/policy-sources.ts';
import { UserSettingsSource } from '../../../src-main/policy/user-settings.ts';
import { WINDOWS_POLICY_KEYS } from '../../../src-main/policy/windows-registry.ts';
import { isPrintoError } from '../../../src-shared/errors.ts';
import {
  EffectivePolicyReportSchema,
  POLICY_DEFAULTS,
  POLICY_SOURCE_KINDS,
  type EffectivePolicyEntry,
  type PolicyKey,
  type PolicySourceKind,
} from '../../../src-shared/model/policy.ts';
import { fixture, output, RecordingLogger, recordedRunner, StaticSource } from './fakes.ts';

let dir: string;
let settingsPath: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'printo-effective-'));
  settingsPath = path.join(dir, 'Printo Help', 'settings.json');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function entryOf(service: PolicyService, name: PolicyKey): EffectivePolicyEntry {
  const entry = service.current().report.entries.find((e) => e.key === name);
  if (entry === undefined) throw new Error(`no entry for ${name}`);
  return entry;
}

function writeSettings(values: Record<string, unknown>): void {
  mkdirSync(path.dirname(settingsPath), { recursive: true });
  writeFileSync(settingsPath, JSON.stringify(values));
}

const POLICY_KINDS = POLICY_SOURCE_KINDS.filter((k) => k !== 'user' && k !== 'default');

describe('precedence', () => {
  it('is machine policy, user policy, managed preferences, policy file, user, installer, default', () => {
    expect(POLICY_SOURCE_KINDS).toEqual([
      'machine-policy',
      'user-policy',
      'managed-preferences',
      'policy-file',
      'user',
      'installer',
      'default',
    ]);
  });

  it('takes each value from the highest source that sets it, across every source', async () => {
    writeSettings({ consentTimeoutSeconds: 45 });
    const sources = POLICY_KINDS.map(
      (kind) =>
        new StaticSource(kind, { consentTimeoutSeconds: 20 + POLICY_SOURCE_KINDS.indexOf(kind) }),
    );
    const service = new PolicyService({
      sources: [...sources].reverse(),
      userSettings: new UserSettingsSource({ path: settingsPath }),
    });
    const expected: [PolicySourceKind, number, boolean][] = [
      ['machine-policy', 20, true],
      ['user-policy', 21, true],
      ['managed-preferences', 22, true],
      ['policy-file', 23, true],
      ['user', 45, false],
      ['installer', 25, false],
    ];
    for (const [kind, value, locked] of expected) {
      await service.load();
      expect(entryOf(service, 'consentTimeoutSeconds')).toMatchObject({
        source: kind,
        value,
        locked,
      });
      expect(service.current().values.consentTimeoutSeconds).toBe(value);
      // Take this source away: the next one down shows.
      if (kind === 'user') rmSync(settingsPath);
      else {
        const source = sources.find((s) => s.kind === kind);
        if (source !== undefined) source.next = { values: {}, rejected: [] };
      }
    }
    await service.load();
    expect(entryOf(service, 'consentTimeoutSeconds')).toMatchObject({
      source: 'default',
      value: 60,
      locked: false,
      location: null,
    });
  });

  it('lists what a higher source overrides', async () => {
    const service = new PolicyService({
      sources: [
        new StaticSource('installer', { startAtLogin: true }),
        new StaticSource('machine-policy', { startAtLogin: false }),
      ],
      userSettings: new UserSettingsSource({ path: settingsPath }),
    });
    await service.load();
    expect(entryOf(service, 'startAtLogin')).toMatchObject({
      value: false,
      source: 'machine-policy',
      superseded: [{ source: 'installer', location: 'test:installer', value: true }],
    });
  });

  it('resolves the recorded Windows registry of all three keys with the user settings', async () => {
    writeSettings({
      proxy: 'none',
      showTrayIcon: false,
      relayUrl: 'https://relay.mine.example',
      supportEnabled: false,
    });
    const run = recordedRunner(
      {
        [WINDOWS_POLICY_KEYS['machine-policy']]: output(fixture('windows/hklm-policies.txt')),
        [WINDOWS_POLICY_KEYS['user-policy']]: output(fixture('windows/hkcu-policies.txt')),
        [WINDOWS_POLICY_KEYS.installer]: output(fixture('windows/hklm-installer.txt')),
      },
      (args) => args[1] ?? '',
    );
    const logger = new RecordingLogger();
    const service = createPolicyService({
      platform: 'win32',
      run,
      userSettingsPath: settingsPath,
      logger,
    });
    const { values, report } = await service.load();
    expect(EffectivePolicyReportSchema.parse(report)).toEqual(report);
    expect(values).toMatchObject({
      relayUrl: 'https://relay.corp.example',
      enrollmentKey: 'ek_7Hq2mVx9Lr4TnB8c',
      allowedScopes: ['chat', 'printers.read', 'diagnostics.read'],
      consentTimeoutSeconds: 120, // machine policy beats user policy's 90
      startAtLogin: true, // user policy beats the installer's 0
      proxy: 'http://proxy.corp.example:3128', // user policy beats the user's "none"
      showTrayIcon: false, // machine policy's 2 is rejected; the user's false beats the installer's 1
      diagnosticsTimeoutSeconds: 3, // REG_SZ rejected: default
      diagnosticReportRetentionDays: 14, // installer
      supportEnabled: true,
    });
    const relay = entryOf(service, 'relayUrl');
    expect(relay).toMatchObject({ source: 'machine-policy', locked: true });
    expect(relay.rejected.map((r) => [r.source, r.code])).toEqual([
      ['user-policy', 'machine-only'],
      ['user', 'user-change-not-allowed'],
    ]);
    expect(entryOf(service, 'showTrayIcon').rejected).toMatchObject([
      {
        source: 'machine-policy',
        code: 'invalid-value',
        value: 2,
        reason: 'showTrayIcon must be true or false (1 or 0 in the registry)',
      },
    ]);
    expect(entryOf(service, 'diagnosticsTimeoutSeconds').rejected).toMatchObject([
      { code: 'wrong-type' },
    ]);
    expect(entryOf(service, 'supportEnabled').rejected).toMatchObject([
      { source: 'user', code: 'not-user-settable' },
    ]);
    // Secrets are masked in the report, in clear in the values.
    expect(entryOf(service, 'enrollmentKey').value).toBe('(hidden, ends in nB8c)');
    expect(report.unknown.map((r) => [r.key, r.source, r.code])).toEqual([
      ['legacyPrintMode', 'machine-policy', 'unknown-key'],
      ['InstallDir', 'installer', 'unknown-key'],
    ]);
    // Every rejection is logged once, with its reason and never the value.
    const rejectedLogs = logger.events.filter((e) => e.event === 'policy.rejected');
    expect(rejectedLogs).toHaveLength(7);
    expect(JSON.stringify(logger.events)).not.toContain('ek_7Hq2mVx9Lr4TnB8c');
    await service.load();
    expect(logger.events.filter((e) => e.event === 'policy.rejected')).toHaveLength(7);
  });

  it('rejects machine-only keys from the user-level managed preferences', async () => {
    const service = new PolicyService({
      sources: [
        new StaticSource(
          'managed-preferences',
          { enrollmentKey: 'ek_user_level_key_0000', startAtLogin: true },
          'user',
        ),
      ],
      userSettings: new UserSettingsSource({ path: settingsPath }),
    });
    const { values } = await service.load();
    expect(values.enrollmentKey).toBeNull();
    expect(values.startAtLogin).toBe(true);
    expect(entryOf(service, 'enrollmentKey').rejected).toMatchObject([
      { code: 'machine-only', value: '(hidden, ends in 0000)' },
    ]);
  });

  it('picks the sources of each OS', () => {
    expect(
      policySourcesFor({ platform: 'win32', run: recordedRunner({}, () => '') }).map((s) => [
        s.kind,
        s.scope,
      ]),
    ).toEqual([
      ['machine-policy', 'machine'],
      ['user-policy', 'user'],
      ['installer', 'machine'],
    ]);
    expect(
      policySourcesFor({ platform: 'darwin', userName: 'ada' }).map((s) => [
        s.kind,
        s.scope,
        s.location,
      ]),
    ).toEqual([
      ['managed-preferences', 'machine', '/Library/Managed Preferences/com.printogens.help.plist'],
      ['managed-preferences', 'user', '/Library/Managed Preferences/ada/com.printogens.help.plist'],
    ]);
    expect(policySourcesFor({ platform: 'linux' }).map((s) => [s.kind, s.location])).toEqual([
      ['policy-file', '/etc/printo-help/policy.json'],
    ]);
  });
});

describe('failures', () => {
  it('keeps the last good read of a source whose read fails, and says so', async () => {
    const machine = new StaticSource('machine-policy', { supportEnabled: false });
    const logger = new RecordingLogger();
    let now = 1_000;
    const service = new PolicyService({
      sources: [machine],
      userSettings: new UserSettingsSource({ path: settingsPath }),
      logger,
      now: () => now,
    });
    await service.load();
    now = 2_000;
    machine.next = new Error('reg.exe was not found');
    const { values, report } = await service.load();
    expect(values.supportEnabled).toBe(false);
    expect(entryOf(service, 'supportEnabled')).toMatchObject({
      source: 'machine-policy',
      locked: true,
    });
    expect(report.sources[0]).toMatchObject({
      state: 'stale',
      readAt: 1_000,
      error: { code: 'policy-read-failed', message: 'reg.exe was not found' },
    });
    expect(logger.events).toContainEqual({
      event: 'policy.read-failed',
      fields: {
        source: 'machine-policy',
        location: 'test:machine-policy',
        code: 'policy-read-failed',
        message: 'reg.exe was not found',
        keptLastGood: true,
      },
    });
    // Still failing: still the same last good read.
    expect((await service.load()).values.supportEnabled).toBe(false);
    // A source that says "nothing set" is believed: the policy is gone.
    machine.next = { values: {}, rejected: [] };
    expect((await service.load()).values.supportEnabled).toBe(true);
  });

  it('uses nothing of a source that never read well, and the next source instead', async () => {
    const machine = new StaticSource('machine-policy', {});
    machine.next = new Error('boom');
    const service = new PolicyService({
      sources: [machine, new StaticSource('installer', { startAtLogin: true })],
      userSettings: new UserSettingsSource({ path: settingsPath }),
    });
    const { values, report } = await service.load();
    expect(values.startAtLogin).toBe(true);
    expect(report.sources[0]).toMatchObject({ state: 'failed', readAt: null });
  });

  it('keeps the last good policy file when it becomes world-writable', async () => {
    const folder = path.join(dir, 'etc');
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(folder, 0o755);
    const file = path.join(folder, 'policy.json');
    writeFileSync(file, '{"supportEnabled": false}', { mode: 0o644 });
    chmodSync(file, 0o644);
    const uid = process.getuid?.() ?? 0;
    const service = new PolicyService({
      sources: [new PolicyFileSource({ path: file, trustedOwners: [uid] })],
      userSettings: new UserSettingsSource({ path: settingsPath }),
    });
    expect((await service.load()).values.supportEnabled).toBe(false);
    writeFileSync(file, '{"supportEnabled": true}');
    chmodSync(file, 0o666);
    const { values, report } = await service.load();
    expect(values.supportEnabled).toBe(false);
    expect(report.sources[0]).toMatchObject({
      state: 'stale',
      error: { code: 'policy-untrusted' },
    });
  });
});

describe('user settings', () => {
  function service(...sources: StaticSource[]): PolicyService {
    return new PolicyService({
      sources,
      userSettings: new UserSettingsSource({ path: settingsPath }),
    });
  }
  const refusedWith = (code: ErrorCode) => (e: unknown) => isPrintoError(e, code);

  it('writes a valid value atomically and shows it as the user setting', async () => {
    const policy = service(new StaticSource('installer', { consentTimeoutSeconds: 30 }));
    await policy.load();
    const { values } = await policy.setUserSetting('consentTimeoutSeconds', 180);
    expect(values.consentTimeoutSeconds).toBe(180);
    expect(entryOf(policy, 'consentTimeoutSeconds')).toMatchObject({
      source: 'user',
      locked: false,
      location: settingsPath,
    });
    expect(JSON.parse(readFileSync(settingsPath, 'utf8'))).toEqual({ consentTimeoutSeconds: 180 });
    expect(readdirSync(path.dirname(settingsPath))).toEqual(['settings.json']); // no temporary left
    // Cleared: back to the installer's value.
    expect(
      (await policy.clearUserSetting('consentTimeoutSeconds')).values.consentTimeoutSeconds,
    ).toBe(30);
  });

  it('refuses a key locked by a policy source with setting-locked, and writes nothing', async () => {
    const policy = service(new StaticSource('user-policy', { startAtLogin: false }));
    await policy.load();
    await expect(policy.setUserSetting('startAtLogin', true)).rejects.toSatisfy(
      (e) =>
        isPrintoError(e, 'setting-locked') &&
        e.message ===
          'startAtLogin cannot be changed: it is set by user-policy (test:user-policy).',
    );
    expect(() => readFileSync(settingsPath)).toThrow();
  });

  it('sees a lock that appeared since the last load', async () => {
    const machine = new StaticSource('machine-policy', {});
    const policy = service(machine);
    await policy.load();
    machine.next = { values: { proxy: 'none' }, rejected: [] };
    await expect(policy.setUserSetting('proxy', 'system')).rejects.toSatisfy(
      refusedWith('setting-locked'),
    );
  });

  it('refuses the relay address when admins do not allow changing it', async () => {
    const policy = service(
      new StaticSource('installer', {
        relayUrl: 'https://relay.corp.example',
        allowUserRelayChange: false,
      }),
    );
    await policy.load();
    expect(entryOf(policy, 'relayUrl')).toMatchObject({ source: 'installer', locked: true });
    await expect(policy.setUserSetting('relayUrl', 'https://relay.evil.example')).rejects.toSatisfy(
      refusedWith('setting-locked'),
    );
  });

  it('lets the user override an installer default that is not locked', async () => {
    const policy = service(
      new StaticSource('installer', { relayUrl: 'https://relay.corp.example' }),
    );
    await policy.load();
    expect(entryOf(policy, 'relayUrl').locked).toBe(false);
    const { values } = await policy.setUserSetting('relayUrl', '  http://127.0.0.1:4280  ');
    expect(values.relayUrl).toBe('http://127.0.0.1:4280');
  });

  it('refuses invalid values, unknown keys and keys only admins set', async () => {
    const policy = service();
    await policy.load();
    await expect(policy.setUserSetting('consentTimeoutSeconds', 5)).rejects.toSatisfy(
      (e) =>
        isPrintoError(e, 'setting-invalid') &&
        e.message === 'consentTimeoutSeconds must be at least 15 seconds.',
    );
    await expect(policy.setUserSetting('relayUrl', 'http://relay.corp.example')).rejects.toSatisfy(
      refusedWith('setting-invalid'),
    );
    await expect(policy.setUserSetting('colour', 'blue')).rejects.toSatisfy(
      refusedWith('setting-unknown'),
    );
    await expect(policy.setUserSetting('allowedScopes', ['chat'])).rejects.toSatisfy(
      refusedWith('setting-admin-only'),
    );
    await expect(policy.setUserSetting('telemetryEnabled', true)).rejects.toSatisfy(
      refusedWith('setting-admin-only'),
    );
  });

  it('keeps keys it does not know and refuses to overwrite a file it cannot read', async () => {
    writeSettings({ futureKey: { nested: 1 } });
    const policy = service();
    await policy.load();
    await policy.setUserSetting('startAtLogin', true);
    expect(JSON.parse(readFileSync(settingsPath, 'utf8'))).toEqual({
      futureKey: { nested: 1 },
      startAtLogin: true,
    });
    writeFileSync(settingsPath, '{"startAtLogin": tru');
    const { values, report } = await policy.load();
    expect(values.startAtLogin).toBe(true); // last good read
    expect(report.sources.at(-1)).toMatchObject({
      source: 'user',
      state: 'stale',
      error: { code: 'settings-unavailable' },
    });
    await expect(policy.setUserSetting('showTrayIcon', false)).rejects.toSatisfy(
      refusedWith('settings-unavailable'),
    );
    expect(readFileSync(settingsPath, 'utf8')).toBe('{"startAtLogin": tru');
  });

  it('serialises concurrent changes so that none is lost', async () => {
    const policy = service();
    await policy.load();
    await Promise.all([
      policy.setUserSetting('startAtLogin', true),
      policy.setUserSetting('showTrayIcon', false),
      policy.setUserSetting('proxy', 'none'),
    ]);
    expect(JSON.parse(readFileSync(settingsPath, 'utf8'))).toEqual({
      startAtLogin: true,
      showTrayIcon: false,
      proxy: 'none',
    });
  });

  it('has built-in defaults before the first load', () => {
    expect(service().current().values).toEqual(POLICY_DEFAULTS);
  });
});

import { describe, expect, it } from 'vitest';
import {
  parseRegQuery,
  WINDOWS_POLICY_KEYS,
  WindowsRegistrySource,
} from '../../../src-main/policy/windows-registry.ts';
import { isPrintoError } from '../../../src-shared/errors.ts';
import { fixture, output, recordedRunner } from './fakes.ts';

const byKey = (args: readonly string[]) => args[1] ?? '';

describe('reg query output', () => {
  it('parses REG_SZ, REG_DWORD and REG_MULTI_SZ lines and skips the key and subkey lines', () => {
    const values = parseRegQuery(fixture('windows/hklm-policies.txt').toString('latin1'));
    expect(values.map((v) => v.name)).toContain('relayUrl');
    expect(values).toContainEqual({ name: 'supportEnabled', type: 'REG_DWORD', data: '0x1' });
    expect(values).toContainEqual({
      name: 'allowedScopes',
      type: 'REG_MULTI_SZ',
      data: 'chat\\0printers.read\\0diagnostics.read',
    });
    expect(values.some((v) => v.name.includes('HKEY_'))).toBe(false);
    expect(values).toHaveLength(10);
  });

  it('keeps spaces inside names and data, and an empty value', () => {
    expect(
      parseRegQuery(
        '    Install Dir    REG_SZ    C:\\Program Files\\Printo Help\r\n    empty    REG_SZ    \r\n',
      ),
    ).toEqual([
      { name: 'Install Dir', type: 'REG_SZ', data: 'C:\\Program Files\\Printo Help' },
      { name: 'empty', type: 'REG_SZ', data: '' },
    ]);
  });
});

describe('WindowsRegistrySource', () => {
  it('reads machine policy with registry types translated and wrong types rejected', async () => {
    const run = recordedRunner(
      { [WINDOWS_POLICY_KEYS['machine-policy']]: output(fixture('windows/hklm-policies.txt')) },
      byKey,
    );
    const source = new WindowsRegistrySource({ kind: 'machine-policy', run });
    const result = await source.read();
    expect(run.calls[0]).toEqual({
      file: 'reg.exe',
      args: ['query', 'HKLM\\SOFTWARE\\Policies\\PrintoGens\\PrintoHelp', '/reg:64'],
    });
    expect(source.scope).toBe('machine');
    expect(result.values).toEqual({
      relayUrl: 'https://relay.corp.example',
      enrollmentKey: 'ek_7Hq2mVx9Lr4TnB8c',
      supportEnabled: true,
      allowedScopes: ['chat', 'printers.read', 'diagnostics.read'],
      consentTimeoutSeconds: 120,
      allowUserRelayChange: false,
      // Registry names are compared without case and reported by their canonical name.
      telemetryEnabled: false,
      // 2 is neither on nor off: left for the schema to reject with its message.
      showTrayIcon: 2,
      legacyPrintMode: 'yes',
    });
    expect(result.rejected).toEqual([
      {
        key: 'diagnosticsTimeoutSeconds',
        value: '5',
        code: 'wrong-type',
        reason: 'must be a REG_DWORD value, not REG_SZ',
      },
    ]);
  });

  it('reads user policy (HKCU) as a user-scoped source and the installer defaults as machine-scoped', async () => {
    const run = recordedRunner(
      {
        [WINDOWS_POLICY_KEYS['user-policy']]: output(fixture('windows/hkcu-policies.txt')),
        [WINDOWS_POLICY_KEYS.installer]: output(fixture('windows/hklm-installer.txt')),
      },
      byKey,
    );
    const user = new WindowsRegistrySource({ kind: 'user-policy', run });
    expect(user.scope).toBe('user');
    expect((await user.read()).values).toEqual({
      relayUrl: 'https://relay.other.example',
      consentTimeoutSeconds: 90,
      startAtLogin: true,
      proxy: 'http://proxy.corp.example:3128',
    });
    const installer = new WindowsRegistrySource({ kind: 'installer', run });
    expect(installer.location).toBe('HKLM\\SOFTWARE\\PrintoGens\\PrintoHelp');
    expect((await installer.read()).values).toMatchObject({
      startAtLogin: false,
      diagnosticReportRetentionDays: 14,
      InstallDir: 'C:\\Program Files\\Printo Help',
    });
  });

  it('takes a missing key as nothing configured', async () => {
    const run = recordedRunner(
      {
        [WINDOWS_POLICY_KEYS['machine-policy']]: output(
          '',
          1,
          fixture('windows/not-found.stderr.txt'),
        ),
      },
      byKey,
    );
    const result = await new WindowsRegistrySource({ kind: 'machine-policy', run }).read();
    expect(result).toEqual({ values: {}, rejected: [] });
  });

  it.each([
    ['registry tools disabled by policy', 'windows/access-disabled.stderr.txt'],
    ['a message in another language', 'windows/not-found-de.stderr.txt'],
  ])('fails on any other error (%s), so that the last good read is kept', async (_, file) => {
    const run = recordedRunner(
      { [WINDOWS_POLICY_KEYS['machine-policy']]: output('', 1, fixture(file)) },
      byKey,
    );
    const read = new WindowsRegistrySource({ kind: 'machine-policy', run }).read();
    await expect(read).rejects.toSatisfy((e) => isPrintoError(e, 'policy-read-failed'));
  });

  it('fails when reg.exe cannot run', async () => {
    const run = recordedRunner({}, byKey);
    await expect(new WindowsRegistrySource({ kind: 'installer', run }).read()).rejects.toThrow();
  });
});

/**
 * `printo-help enroll` against a real relay on loopback: the key from the command line, standard
 * input or policy; the credentials in the secret store only (the real OS keyring in the last
 * test), never printed; an enrolled computer keeps its identity unless told otherwise.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { linuxPolicy } from '../testbed/policy-file.ts';
import type { LinuxPolicy } from '../testbed/policy-file.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src-main/cli/printo-help.ts';
import { MemorySecretStore } from '../../src-main/secrets/memory-store.ts';
import { loadDeviceCredentials } from '../../src-main/secrets/device-credentials.ts';
import { startKeyringBed } from '../testbed/keyring.ts';
import type { KeyringBed } from '../testbed/keyring.ts';
import { removeTempDirs, startBed } from './relay/harness.ts';
import type { Bed } from './relay/harness.ts';

const BIN = fileURLToPath(new URL('../../bin/printo-help', import.meta.url));

let bed: Bed;
const dirs: string[] = [];
beforeAll(async () => {
  bed = await startBed();
});
afterAll(async () => {
  await bed.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  removeTempDirs();
});

/** Policy as IT would set it on Linux (a root-owned file), and an empty user settings file. */
function policy(values: Record<string, unknown> = {}): LinuxPolicy {
  const dir = mkdtempSync(join(tmpdir(), 'printo-enroll-'));
  dirs.push(dir);
  return linuxPolicy(dir, values);
}

async function enrollCli(
  argv: string[],
  deps: Parameters<typeof runCli>[2],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(
    ['enroll', ...argv],
    { stdout: (t) => (out += t), stderr: (t) => (err += t), color: false },
    deps,
  );
  return { code, out, err };
}

describe('printo-help enroll', () => {
  it('enrols with the key on standard input, keeps the credentials in the secret store only', async () => {
    const secrets = new MemorySecretStore();
    const result = await enrollCli(['--relay', bed.url, '--key-stdin', '--name', 'WS-ENROL-01'], {
      secrets,
      readStdin: () => Promise.resolve(`${bed.enrollmentKey}\n`),
      policy: policy(),
    });
    expect(result).toMatchObject({ code: 0, err: '' });
    const stored = await loadDeviceCredentials(secrets);
    expect(stored?.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.out).toContain(`as device ${stored?.deviceId ?? ''}`);
    expect(result.out).not.toContain(stored?.deviceSecret ?? 'no secret');
    expect(bed.store.findDeviceCredentials(stored?.deviceId ?? '')?.device.name).toBe(
      'WS-ENROL-01',
    );

    // Enrolled already: refused, nothing changes; --force enrols a new device.
    const again = await enrollCli(['--relay', bed.url, '--key', bed.enrollmentKey], {
      secrets,
      policy: policy(),
    });
    expect(again.code).toBe(1);
    expect(again.err).toContain('(already-enrolled)');
    expect((await loadDeviceCredentials(secrets))?.deviceId).toBe(stored?.deviceId);
    const forced = await enrollCli(
      ['--relay', bed.url, '--key', bed.enrollmentKey, '--force', '--json'],
      { secrets, policy: policy() },
    );
    expect(forced.code).toBe(0);
    const json = JSON.parse(forced.out) as { deviceId: string; relayUrl: string };
    expect(json.deviceId).not.toBe(stored?.deviceId);
    expect(json.relayUrl).toBe(bed.url);
    expect((await loadDeviceCredentials(secrets))?.deviceId).toBe(json.deviceId);
  });

  it('takes the relay and the key from policy, and stores nothing for a wrong key', async () => {
    const secrets = new MemorySecretStore();
    const fromPolicy = await enrollCli([], {
      secrets,
      policy: policy({ relayUrl: bed.url, enrollmentKey: bed.enrollmentKey }),
    });
    expect(fromPolicy.code).toBe(0);
    expect(await loadDeviceCredentials(secrets)).not.toBeNull();

    const empty = new MemorySecretStore();
    const wrong = await enrollCli(['--relay', bed.url, '--key', 'pek_not-the-key'], {
      secrets: empty,
      policy: policy(),
    });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('(enroll-key-rejected)');
    expect(await loadDeviceCredentials(empty)).toBeNull();

    const noRelay = await enrollCli(['--key', 'pek_x'], { secrets: empty, policy: policy() });
    expect(noRelay.code).toBe(2);
    expect(noRelay.err).toContain('--relay');
  });

  describe('with the real OS keyring', () => {
    let keyring: KeyringBed;
    beforeAll(async () => {
      keyring = await startKeyringBed({ name: 'enroll-cli' });
    });
    afterAll(async () => {
      await keyring.stop();
    });

    it('puts the credentials in gnome-keyring, where the app finds them', async () => {
      const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [BIN, '--json', 'enroll', '--relay', bed.url, '--key-stdin', '--name', 'WS-KEYRING'],
          { env: keyring.env, timeout: 30_000 },
          (error, stdout, stderr) => {
            resolve({
              code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
              stdout,
              stderr,
            });
          },
        );
        child.stdin?.end(bed.enrollmentKey);
      });
      expect(out).toMatchObject({ code: 0, stderr: '' });
      const { deviceId } = JSON.parse(out.stdout) as { deviceId: string };
      const [loaded] = await keyring.run([{ op: 'load-device-credentials' }]);
      expect(loaded).toMatchObject({ ok: true, value: { deviceId } });
    });
  });
});

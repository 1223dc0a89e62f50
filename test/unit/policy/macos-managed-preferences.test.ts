import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManagedPreferencesSource } from '../../../src-main/policy/macos-managed-preferences.ts';
import { isPrintoError } from '../../../src-shared/errors.ts';
import { fixture, output, recordedRunner } from './fakes.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'printo-mp-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const fixturePath = (name: string) =>
  path.join(import.meta.dirname, '../../fixtures/policy/macos', name);
const lastArg = (args: readonly string[]) => args.at(-1) ?? '';

/** Lays the recorded profiles out as macOS does; plutil's answers are recorded too. */
function install(): { machine: string; user: string } {
  const machine = path.join(dir, 'com.printogens.help.plist');
  const user = path.join(dir, 'ada', 'com.printogens.help.plist');
  mkdirSync(path.dirname(user));
  copyFileSync(fixturePath('com.printogens.help.plist'), machine);
  copyFileSync(fixturePath('user-com.printogens.help.plist'), user);
  return { machine, user };
}

describe('ManagedPreferencesSource', () => {
  it('converts the computer profile with plutil and keeps the plist types', async () => {
    const files = install();
    const run = recordedRunner(
      { [files.machine]: output(fixture('macos/com.printogens.help.plutil.json')) },
      lastArg,
    );
    const source = new ManagedPreferencesSource({ scope: 'machine', run, directory: dir });
    const result = await source.read();
    expect(run.calls[0]).toEqual({
      file: '/usr/bin/plutil',
      args: ['-convert', 'json', '-o', '-', files.machine],
    });
    expect(result.values).toEqual({
      allowedScopes: ['chat', 'printers.read'],
      consentTimeoutSeconds: 120,
      enrollmentKey: 'ek_7Hq2mVx9Lr4TnB8c',
      relayUrl: 'https://relay.corp.example',
      // A <string> where a <true/> belongs stays a string: the schema rejects it.
      showTrayIcon: 'yes',
      supportEnabled: true,
      telemetryEnabled: false,
    });
  });

  it("reads the user's profile from the user's folder as a user-scoped source", async () => {
    const files = install();
    const run = recordedRunner(
      { [files.user]: output(fixture('macos/user-com.printogens.help.plutil.json')) },
      lastArg,
    );
    const source = new ManagedPreferencesSource({
      scope: 'user',
      userName: 'ada',
      run,
      directory: dir,
    });
    expect(source.scope).toBe('user');
    expect(source.location).toBe(files.user);
    expect((await source.read()).values).toEqual({
      consentTimeoutSeconds: 200,
      enrollmentKey: 'ek_user_level_key_0000',
      startAtLogin: true,
    });
  });

  it('takes no profile as nothing managed, without running plutil', async () => {
    const run = recordedRunner({}, lastArg);
    const result = await new ManagedPreferencesSource({
      scope: 'machine',
      run,
      directory: dir,
    }).read();
    expect(result).toEqual({ values: {}, rejected: [] });
    expect(run.calls).toHaveLength(0);
  });

  it('fails when plutil cannot convert the profile', async () => {
    const files = install();
    const run = recordedRunner(
      { [files.machine]: output('', 1, fixture('macos/plutil-date.stderr.txt')) },
      lastArg,
    );
    const read = new ManagedPreferencesSource({ scope: 'machine', run, directory: dir }).read();
    await expect(read).rejects.toSatisfy(
      (e) => isPrintoError(e, 'policy-read-failed') && e.message.includes('invalid object'),
    );
  });

  it('fails on output that is not a dictionary', async () => {
    const files = install();
    const run = recordedRunner({ [files.machine]: output('["chat"]\n') }, lastArg);
    const read = new ManagedPreferencesSource({ scope: 'machine', run, directory: dir }).read();
    await expect(read).rejects.toSatisfy((e) => isPrintoError(e, 'policy-malformed'));
  });
});

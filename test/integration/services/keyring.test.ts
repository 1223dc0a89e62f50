/**
 * ClientServices with the real OS keyring: gnome-keyring on a private D-Bus bus, used from child
 * processes (the keyring library meets one bus per process). The device credentials and the
 * transcript master key land in the keyring, the next start finds what was kept; with the keyring
 * locked, support still works and the user is told that nothing is kept.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSCRIPT_MASTER_KEY_SECRET } from '../../../src-main/secrets/transcript-master-key.ts';
import { startKeyringBed } from '../../testbed/keyring.ts';
import type { KeyringBed } from '../../testbed/keyring.ts';
import { startTestbed } from '../../testbed/testbed.ts';
import type { Testbed } from '../../testbed/testbed.ts';
import { removeTempDirs as removeRelayDirs, startBed } from '../relay/harness.ts';
import type { Bed } from '../relay/harness.ts';
import type { ChildStep } from './keyring-child.ts';
import { policyFiles, removeTempDirs } from './harness.ts';

const CHILD = fileURLToPath(new URL('./keyring-child.ts', import.meta.url));

let keyring: KeyringBed;
let cups: Testbed;
let relay: Bed;

beforeAll(async () => {
  [keyring, cups, relay] = await Promise.all([
    startKeyringBed({ name: 'services-keyring' }),
    startTestbed({ name: 'services-keyring' }),
    startBed(),
  ]);
  const device = await cups.addDevice({ name: 'key-dev' });
  await cups.addQueues([{ name: 'Keyed', device }]);
});

afterAll(async () => {
  await relay.stop();
  await Promise.all([keyring.stop(), cups.stop()]);
  removeRelayDirs();
  removeTempDirs();
});

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

interface ChildOutput {
  readonly steps: Outcome[];
  readonly backgroundErrors: string[];
}

function child(dir: string, steps: ChildStep[]): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CHILD, JSON.stringify({ dir, cupsSocket: cups.cupsSocket, steps })],
      { env: keyring.env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`the child failed: ${error.message}\n${stderr}`));
          return;
        }
        resolve(JSON.parse(stdout) as ChildOutput);
      },
    );
  });
}

function value(outcome: Outcome | undefined): unknown {
  if (outcome?.ok !== true) throw new Error(`the step failed: ${JSON.stringify(outcome)}`);
  return outcome.value;
}

describe('ClientServices with gnome-keyring', () => {
  it('keeps credentials and the master key in the keyring, and the next start finds the copy', async () => {
    const files = policyFiles(
      { relayUrl: relay.url, enrollmentKey: relay.enrollmentKey },
      'keyring',
    );
    const first = await child(files.dir, ['enrolment', 'ask-and-end', 'enrolment', 'diagnose']);
    expect(first.backgroundErrors).toEqual([]);
    const [before, askAndEnd, after, diagnose] = first.steps;
    expect(value(before)).toMatchObject({
      enrolled: false,
      keyring: { available: true, code: null },
    });
    const { asked } = value(askAndEnd) as { asked: { sessionId: string; localCopy: unknown } };
    expect(asked.localCopy).toEqual({ kept: true, reason: null });
    // Enrolled on first need, with the policy's key.
    const enrolled = value(after) as { enrolled: boolean; deviceId: string };
    expect(enrolled.enrolled).toBe(true);
    const reportId = value(diagnose) as string | null;
    expect(reportId).not.toBeNull();

    // In the keyring, as another client of the Secret Service sees it.
    const [credentials, masterKey] = await keyring.run([
      { op: 'load-device-credentials' },
      { op: 'get', name: TRANSCRIPT_MASTER_KEY_SECRET },
    ]);
    expect(credentials).toMatchObject({ ok: true, value: { deviceId: enrolled.deviceId } });
    expect(masterKey).toMatchObject({ ok: true, value: expect.any(String) as string });
    expect(relay.store.findDeviceCredentials(enrolled.deviceId)?.device.name).toBe(
      'WS-KEYRING-SERVICES',
    );

    // A new process: same device, the session and the report are there.
    const second = await child(files.dir, ['enrolment', 'transcripts', 'reports']);
    const [enrolment, transcripts, reports] = second.steps;
    expect(value(enrolment)).toMatchObject({ enrolled: true, deviceId: enrolled.deviceId });
    expect(value(transcripts)).toEqual([asked.sessionId]);
    expect(value(reports)).toEqual([reportId]);
    expect(second.backgroundErrors).toEqual([]);
  });

  it('with the keyring locked: support works, and the user is told nothing is kept', async () => {
    const files = policyFiles(
      { relayUrl: relay.url, enrollmentKey: relay.enrollmentKey },
      'keyring-locked',
    );
    await keyring.lock();
    const locked = await child(files.dir, ['enrolment', 'ask-and-end']);
    const [enrolment, askAndEnd] = locked.steps;
    expect(value(enrolment)).toMatchObject({
      keyring: { available: false, code: 'keyring-locked' },
    });
    const { asked } = value(askAndEnd) as {
      asked: { localCopy: { kept: boolean; reason: string } };
    };
    expect(asked.localCopy.kept).toBe(false);
    expect(asked.localCopy.reason).toMatch(/locked/);
    expect(asked.localCopy.reason).toContain('will not be kept');
    expect(locked.backgroundErrors).toEqual([]);
  });
});

/**
 * The OS keyring adapter against a real gnome-keyring on a private D-Bus bus (test/testbed/
 * keyring.ts), in each situation the app can meet on Linux: working, no session bus, a bus without
 * a keyring, a locked keyring. Each run is a fresh process (the library meets one bus per process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noBusEnv, runKeyringClient, startKeyringBed } from '../../testbed/keyring.ts';
import type { KeyringBed, KeyringOutcome } from '../../testbed/keyring.ts';

const SERVICE = 'com.printogens.help';

/** The attributes secret-tool prints (on stderr) for each item found. */
function attributes(stderr: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of stderr.matchAll(/^attribute\.(\w+) = (.*)$/gm)) {
    found[match[1] ?? ''] = match[2] ?? '';
  }
  return found;
}

function failure(outcome: KeyringOutcome | undefined): Extract<KeyringOutcome, { ok: false }> {
  if (outcome?.ok !== false) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('KeyringSecretStore with gnome-keyring', () => {
  let bed: KeyringBed;
  beforeAll(async () => {
    bed = await startKeyringBed({ name: 'keyring-ok' });
  });
  afterAll(async () => {
    await bed.stop();
  });

  it('stores, overwrites, reads and deletes a secret; a missing one is null', async () => {
    const value = 'pässwörd with spaces, "quotes" and a newline\n';
    const outcomes = await bed.run([
      { op: 'get', name: 'round-trip' },
      { op: 'set', name: 'round-trip', value: 'first' },
      { op: 'set', name: 'round-trip', value },
      { op: 'get', name: 'round-trip' },
    ]);
    expect(outcomes).toEqual([
      { ok: true, value: null },
      { ok: true },
      { ok: true },
      { ok: true, value },
    ]);

    // In the keyring itself, one item, under our service and the secret's name.
    const lookup = await bed.secretTool(['lookup', 'service', SERVICE, 'username', 'round-trip']);
    expect(lookup.stdout).toBe(value);
    const search = await bed.secretTool([
      'search',
      '--all',
      'service',
      SERVICE,
      'username',
      'round-trip',
    ]);
    expect(search.stdout.match(/^\[/gm)).toHaveLength(1);
    expect(search.stdout).toContain('label = keyring:round-trip@com.printogens.help');
    expect(attributes(search.stderr)).toEqual({ service: SERVICE, username: 'round-trip' });

    // Another process (the next start of the app) finds it; deleting twice: true, then false.
    expect(
      await bed.run([
        { op: 'get', name: 'round-trip' },
        { op: 'delete', name: 'round-trip' },
        { op: 'delete', name: 'round-trip' },
        { op: 'get', name: 'round-trip' },
      ]),
    ).toEqual([
      { ok: true, value },
      { ok: true, value: true },
      { ok: true, value: false },
      { ok: true, value: null },
    ]);
    const gone = await bed.secretTool([
      'search',
      '--all',
      'service',
      SERVICE,
      'username',
      'round-trip',
    ]);
    expect(gone.stdout).toBe('');
  });

  it('reads what another Secret Service client stored under the same service and name', async () => {
    const stored = await bed.secretTool(
      ['store', '--label=by secret-tool', 'service', SERVICE, 'username', 'from-tool'],
      'written-by-secret-tool',
    );
    expect(stored.code).toBe(0);
    expect(await bed.run([{ op: 'get', name: 'from-tool' }])).toEqual([
      { ok: true, value: 'written-by-secret-tool' },
    ]);
  });

  it('keeps the device credentials as JSON and the transcript master key as 32 bytes of base64', async () => {
    const credentials = { deviceId: 'dev_42', deviceSecret: 's3cret-from-the-relay' };
    const [saved, loaded, key] = await bed.run([
      { op: 'save-device-credentials', credentials },
      { op: 'load-device-credentials' },
      { op: 'master-key' },
    ]);
    expect(saved).toEqual({ ok: true });
    expect(loaded).toEqual({ ok: true, value: credentials });
    const inKeyring = await bed.secretTool([
      'lookup',
      'service',
      SERVICE,
      'username',
      'device-credentials',
    ]);
    expect(JSON.parse(inKeyring.stdout)).toEqual(credentials);

    if (key?.ok !== true || typeof key.value !== 'string') throw new Error(JSON.stringify(key));
    expect(Buffer.from(key.value, 'base64')).toHaveLength(32);
    const keyInKeyring = await bed.secretTool([
      'lookup',
      'service',
      SERVICE,
      'username',
      'transcript-master-key',
    ]);
    expect(keyInKeyring.stdout).toBe(key.value);
    // The next process gets the same key, not a new one.
    expect(await bed.run([{ op: 'master-key' }])).toEqual([{ ok: true, value: key.value }]);
  });

  it('reports a damaged value as secret-corrupt without quoting it, and leaves it alone', async () => {
    await bed.secretTool(
      ['store', '--label=x', 'service', SERVICE, 'username', 'device-credentials'],
      '{"deviceId":"a:b"',
    );
    await bed.secretTool(
      ['store', '--label=x', 'service', SERVICE, 'username', 'transcript-master-key'],
      'not-a-key',
    );
    const [credentials, key] = await bed.run([
      { op: 'load-device-credentials' },
      { op: 'master-key' },
    ]);
    for (const outcome of [failure(credentials), failure(key)]) {
      expect(outcome.code).toBe('secret-corrupt');
      expect(outcome.message).not.toContain('a:b');
      expect(outcome.message).not.toContain('not-a-key');
    }
    const still = await bed.secretTool([
      'lookup',
      'service',
      SERVICE,
      'username',
      'transcript-master-key',
    ]);
    expect(still.stdout).toBe('not-a-key');
    await bed.run([
      { op: 'delete', name: 'device-credentials' },
      { op: 'delete', name: 'transcript-master-key' },
    ]);
  });

  it('says the keyring is usable, and leaves no probe item behind', async () => {
    expect(await bed.run([{ op: 'status' }])).toEqual([{ ok: true, value: { usable: true } }]);
    const probe = await bed.secretTool([
      'search',
      '--all',
      'service',
      SERVICE,
      'username',
      'keyring-probe',
    ]);
    expect(probe.stdout).toBe('');
  });
});

describe('KeyringSecretStore with a locked keyring', () => {
  let bed: KeyringBed;
  beforeAll(async () => {
    bed = await startKeyringBed({ name: 'keyring-locked' });
    await bed.run([{ op: 'set', name: 'kept', value: 'locked-away' }]);
    await bed.lock();
  });
  afterAll(async () => {
    await bed.stop();
  });

  it('fails with keyring-locked for reads, writes and deletes, and the status says so', async () => {
    const [status, get, set, remove, missing] = await bed.run([
      { op: 'status' },
      { op: 'get', name: 'kept' },
      { op: 'set', name: 'kept', value: 'new-value' },
      { op: 'delete', name: 'kept' },
      // A locked gnome-keyring answers "no such item" for what it does not hold.
      { op: 'get', name: 'never-stored' },
    ]);
    expect(status).toMatchObject({ ok: true, value: { usable: false, code: 'keyring-locked' } });
    for (const outcome of [get, set, remove].map(failure)) {
      expect(outcome.code).toBe('keyring-locked');
      expect(outcome.cause).toBe(
        "Couldn't access platform storage: Secret Service: unlock prompt was dismissed",
      );
      expect(outcome.message).toMatch(/the keyring is locked/);
      expect(outcome.hint).toMatch(/Unlock/);
      expect(outcome.message).not.toContain('new-value');
    }
    expect(missing).toEqual({ ok: true, value: null });
    // Nothing changed in the keyring.
    expect(await bed.isLocked()).toBe(true);
  });
});

describe('KeyringSecretStore without a keyring daemon', () => {
  let bed: KeyringBed;
  beforeAll(async () => {
    bed = await startKeyringBed({ name: 'keyring-none', daemon: false });
  });
  afterAll(async () => {
    await bed.stop();
  });

  it('fails with keyring-unavailable, and the status says so', async () => {
    const [status, get, set] = await bed.run([
      { op: 'status' },
      { op: 'get', name: 'anything' },
      { op: 'set', name: 'anything', value: 'x' },
    ]);
    expect(status).toMatchObject({
      ok: true,
      value: { usable: false, code: 'keyring-unavailable' },
    });
    for (const outcome of [get, set].map(failure)) {
      expect(outcome.code).toBe('keyring-unavailable');
      expect(outcome.cause).toBe(
        'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
      );
      expect(outcome.hint).toMatch(/gnome-keyring/);
    }
  });
});

describe('KeyringSecretStore without a D-Bus session bus', () => {
  let runtimeDir: string;
  beforeAll(() => {
    runtimeDir = mkdtempSync(join(tmpdir(), 'printo-keyring-nobus-'));
  });
  afterAll(() => {
    rmSync(runtimeDir, { recursive: true, force: true });
  });

  const X11_DISABLED =
    'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead';

  it.each([
    ['no DBUS_SESSION_BUS_ADDRESS and no DISPLAY', {}, X11_DISABLED],
    // The bundled libdbus has no X11 autolaunch: a DISPLAY does not help.
    ['no DBUS_SESSION_BUS_ADDRESS, DISPLAY set', { DISPLAY: ':99' }, X11_DISABLED],
    [
      'an address whose bus is gone',
      { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/printo/bus' },
      'Platform failure: DBus error: Failed to connect to socket /nonexistent/printo/bus: No such file or directory',
    ],
  ])('fails with keyring-no-dbus: %s', async (_, extra, cause) => {
    const env = { ...noBusEnv(runtimeDir), ...extra };
    const [status, get, set] = await runKeyringClient(
      [
        { op: 'status' },
        { op: 'get', name: 'anything' },
        { op: 'set', name: 'anything', value: 'x' },
      ],
      env,
    );
    expect(status).toMatchObject({ ok: true, value: { usable: false, code: 'keyring-no-dbus' } });
    for (const outcome of [get, set].map(failure)) {
      expect(outcome.code).toBe('keyring-no-dbus');
      expect(outcome.cause).toBe(cause);
      expect(outcome.hint).toMatch(/DBUS_SESSION_BUS_ADDRESS/);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { classifyKeyringError, keyringError } from '../../../src-main/secrets/keyring-errors.ts';

/** As @napi-rs/keyring 2.1 nests them: "Platform failure: …" caused by "DBus error: …" and so on. */
function libraryError(outer: string, ...inner: string[]): Error {
  const cause = inner.length === 0 ? undefined : libraryError(inner[0] ?? '', ...inner.slice(1));
  return new Error(outer, cause === undefined ? undefined : { cause });
}

describe('classifyKeyringError', () => {
  it.each([
    // Observed from the library (test/integration/secrets/keyring-store.test.ts).
    [
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
      'keyring-no-dbus',
    ],
    [
      'Platform failure: DBus error: Failed to connect to socket /run/user/1000/bus: No such file or directory',
      'keyring-no-dbus',
    ],
    [
      'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
      'keyring-unavailable',
    ],
    [
      "Couldn't access platform storage: Secret Service: unlock prompt was dismissed",
      'keyring-locked',
    ],
    // The system libdbus and gnome-keyring, as secret-tool and other clients report them.
    ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'keyring-no-dbus'],
    [
      'org.freedesktop.Secret.Error.IsLocked: Cannot create an item in a locked collection',
      'keyring-locked',
    ],
    [
      'org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object',
      'keyring-locked',
    ],
    ['Platform failure: something nobody has seen', 'keyring-failed'],
  ])('%s → %s', (text, code) => {
    expect(classifyKeyringError(text)).toBe(code);
  });
});

describe('keyringError', () => {
  it('looks through the causes and keeps the outermost message', () => {
    const error = keyringError(
      libraryError(
        'Platform failure: DBus error: oops',
        'DBus error: The name org.freedesktop.secrets was not provided by any .service files',
      ),
      { operation: 'read', name: 'device-credentials' },
    );
    expect(error.code).toBe('keyring-unavailable');
    expect(error.message).toMatch(/^Cannot read “device-credentials” in the OS keyring/);
    expect(error.hint).toMatch(/gnome-keyring/);
  });

  it('never quotes the value being written, nor keeps an error that holds it as the cause', () => {
    const error = keyringError(new Error('Platform failure: refused to store hunter2-secret'), {
      operation: 'write',
      name: 'transcript-master-key',
      value: 'hunter2-secret',
    });
    expect(error.code).toBe('keyring-failed');
    expect(error.message).toBe(
      'Cannot store “transcript-master-key” in the OS keyring: Platform failure: refused to store [secret].',
    );
    expect(error.cause).toBeUndefined();
  });

  it('says what to do for each situation', () => {
    const codes = [
      'Using X11 for dbus-daemon autolaunch was disabled at compile time',
      'The name org.freedesktop.secrets was not provided by any .service files',
      'Secret Service: unlock prompt was dismissed',
      'anything else',
    ].map((text) => keyringError(new Error(text), { operation: 'delete', name: 'x' }));
    expect(codes.map((e) => e.code)).toEqual([
      'keyring-no-dbus',
      'keyring-unavailable',
      'keyring-locked',
      'keyring-failed',
    ]);
    for (const error of codes) expect(error.hint).toBeTruthy();
  });
});

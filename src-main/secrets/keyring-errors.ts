/**
 * What the OS keyring's failures mean for a person, with stable codes. The messages matched here
 * are the ones @napi-rs/keyring 2.1 gives on Linux (its statically linked libdbus, through the
 * Secret Service store), reproduced against a real gnome-keyring in
 * test/integration/secrets/keyring-store.test.ts; the system libdbus's wording (secret-tool, other
 * clients) and gnome-keyring's own D-Bus errors are matched too.
 */
import { PrintoError } from '../../src-shared/errors.ts';

export type KeyringErrorCode =
  'keyring-no-dbus' | 'keyring-unavailable' | 'keyring-locked' | 'keyring-failed';

export type KeyringOperation = 'read' | 'write' | 'delete';

const NO_DBUS = [
  // No DBUS_SESSION_BUS_ADDRESS: the bundled libdbus is built without X11 autolaunch.
  /Using X11 for dbus-daemon autolaunch was disabled/i,
  // The same situation through the system's libdbus, without $DISPLAY or with a dead X server.
  /Cannot autolaunch D-Bus without X11/i,
  /dbus-launch --autolaunch/i,
  // DBUS_SESSION_BUS_ADDRESS names a bus that is gone (a stale address after logout).
  /Failed to connect to socket/i,
  /Connection refused/i,
];

const UNAVAILABLE = [
  // A bus, but nothing there owns the Secret Service name and nothing can be activated for it.
  /The name org\.freedesktop\.secrets was not provided by any \.service files/i,
  /org\.freedesktop\.DBus\.Error\.ServiceUnknown/i,
  /org\.freedesktop\.DBus\.Error\.NameHasNoOwner/i,
  // A .service file exists but the keyring daemon it starts fails.
  /Could not activate|Process org\.freedesktop\.secrets exited/i,
];

const LOCKED = [
  // The library asks the Secret Service to unlock the collection first; with no one to answer
  // the prompt (or the user pressing Cancel) the prompt is dismissed.
  /unlock prompt was dismissed/i,
  // gnome-keyring to a client that writes without unlocking first.
  /Cannot create an item in a locked collection/i,
  /org\.freedesktop\.Secret\.Error\.IsLocked/i,
  /Cannot get secret of a locked object/i,
];

/** The messages of an error and of its causes, outermost first, one per line. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(typeof current === 'string' ? current : JSON.stringify(current));
      break;
    }
  }
  return parts.join('\n');
}

export function classifyKeyringError(text: string): KeyringErrorCode {
  if (NO_DBUS.some((re) => re.test(text))) return 'keyring-no-dbus';
  if (UNAVAILABLE.some((re) => re.test(text))) return 'keyring-unavailable';
  if (LOCKED.some((re) => re.test(text))) return 'keyring-locked';
  return 'keyring-failed';
}

const DOING: Record<KeyringOperation, string> = {
  read: 'read',
  write: 'store',
  delete: 'delete',
};

/**
 * The PrintoError for a failure of the keyring library while working on the secret `name`.
 * `value`, when given (a write), is cut out of anything quoted from the library.
 */
export function keyringError(
  error: unknown,
  context: { readonly operation: KeyringOperation; readonly name: string; readonly value?: string },
): PrintoError {
  const text = errorText(error);
  const secret = context.value !== undefined && context.value !== '' ? context.value : undefined;
  const leaks = secret !== undefined && text.includes(secret);
  const said = (text.split('\n')[0] ?? '')
    .split(secret ?? '\u0000')
    .join('[secret]')
    .slice(0, 300);
  // The library's error rides along for debugging, unless it somehow holds the value.
  const cause = leaks ? undefined : error;
  const what = `Cannot ${DOING[context.operation]} “${context.name}” in the OS keyring`;
  const code = classifyKeyringError(text);
  switch (code) {
    case 'keyring-no-dbus':
      return new PrintoError(
        code,
        `${what}: there is no D-Bus session bus, through which the keyring (Secret Service) is reached (${said}).`,
        {
          hint: 'Start Printo Help from a desktop session, where DBUS_SESSION_BUS_ADDRESS is set; on a machine without one, run it under `dbus-run-session` with a keyring daemon such as gnome-keyring. Then restart Printo Help: the bus is looked up once per process.',
          cause,
        },
      );
    case 'keyring-unavailable':
      return new PrintoError(
        code,
        `${what}: no keyring service answers on the D-Bus session bus (nothing provides org.freedesktop.secrets).`,
        {
          hint: 'Install and start a Secret Service keyring: gnome-keyring (`apt-get install gnome-keyring`), KWallet or KeePassXC with its Secret Service integration; then try again.',
          cause,
        },
      );
    case 'keyring-locked':
      return new PrintoError(code, `${what}: the keyring is locked (${said}).`, {
        hint: 'Unlock your keyring (log in to the desktop with your password, or unlock the “Login” keyring in Passwords and Keys), then try again.',
        cause,
      });
    case 'keyring-failed':
      return new PrintoError(code, `${what}: ${said || 'the keyring gave no reason'}.`, {
        hint: 'Check that the OS keyring works (it may be full, damaged or refusing this app), then try again.',
        cause,
      });
  }
}

/**
 * The user's own settings: one JSON object in the app's user-data folder (the folder Electron's
 * `app.getPath('userData')` names, so the app and the command line share it). Below every policy
 * source; above the installer's defaults.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PrintoError } from '../../src-shared/errors.ts';
import { PolicyErrorCode, type PolicyReadResult, type PolicySource } from './source.ts';

const PRODUCT_FOLDER = 'Printo Help';
const FILE_NAME = 'settings.json';

/** Where the user's settings live on each OS, as Electron's userData folder. */
export function defaultUserSettingsPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') {
    const appData = env['APPDATA'] ?? path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, PRODUCT_FOLDER, FILE_NAME);
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', PRODUCT_FOLDER, FILE_NAME);
  }
  const config = env['XDG_CONFIG_HOME'];
  const base =
    config !== undefined && path.isAbsolute(config) ? config : path.join(home, '.config');
  return path.join(base, PRODUCT_FOLDER, FILE_NAME);
}

function unavailable(file: string, why: string, cause?: unknown): PrintoError {
  return new PrintoError(
    PolicyErrorCode.settingsUnavailable,
    `Cannot use the settings file ${file}: ${why}.`,
    {
      hint: 'Fix or remove the file; Printo Help does not overwrite settings it cannot read.',
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/**
 * The user settings file as a policy source. No file: nothing set. Rejects with
 * `settings-unavailable` when it exists but cannot be read or is not a JSON object; the last
 * good read is then kept, and `write` refuses to touch it.
 */
export class UserSettingsSource implements PolicySource {
  readonly kind = 'user' as const;
  readonly scope = 'user' as const;
  readonly location: string;

  constructor(options: { readonly path?: string } = {}) {
    this.location = options.path ?? defaultUserSettingsPath();
  }

  async read(): Promise<PolicyReadResult> {
    return { values: await this.#readObject(), rejected: [] };
  }

  /**
   * Sets one key (`undefined` removes it) and writes the file atomically: a temporary file in
   * the same folder, flushed, then renamed over the old one, so a crash leaves the old file or
   * the new one, never half of one. Keys this version does not know are kept as they were (a
   * newer version may have written them). Does not validate: the caller does.
   */
  async write(name: string, value: unknown): Promise<void> {
    const current = await this.#readObject();
    const next = Object.fromEntries(Object.entries(current).filter(([k]) => k !== name));
    if (value !== undefined) next[name] = value;
    const folder = path.dirname(this.location);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const temporary = path.join(
      folder,
      `.${path.basename(this.location)}.${randomBytes(6).toString('hex')}.tmp`,
    );
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(next, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.location);
    } catch (error) {
      await rm(temporary, { force: true });
      throw unavailable(this.location, (error as Error).message, error);
    }
  }

  async #readObject(): Promise<Record<string, unknown>> {
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw unavailable(this.location, (error as Error).message, error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw unavailable(this.location, `it is not valid JSON (${(error as Error).message})`, error);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw unavailable(this.location, 'it does not hold a JSON object');
    }
    return parsed as Record<string, unknown>;
  }
}

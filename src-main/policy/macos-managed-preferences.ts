/**
 * macOS: values forced by a configuration profile (MDM) for the domain `com.printogens.help`.
 * macOS writes them to /Library/Managed Preferences/com.printogens.help.plist (for the computer)
 * and /Library/Managed Preferences/<user>/com.printogens.help.plist (for one user), a folder
 * only root can write. We read those files rather than `defaults read`, which merges in the
 * user's own, unmanaged, preferences and would turn them into locks.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PrintoError } from '../../src-shared/errors.ts';
import type { CommandRunner } from './command-runner.ts';
import { PolicyErrorCode, type PolicyReadResult, type PolicySource } from './source.ts';

export const MACOS_DOMAIN = 'com.printogens.help';
export const MANAGED_PREFERENCES_DIR = '/Library/Managed Preferences';

export interface ManagedPreferencesSourceOptions {
  /** `machine`: the computer's profile; `user`: the profile of `userName`. */
  readonly scope: 'machine' | 'user';
  readonly run: CommandRunner;
  /** Default /Library/Managed Preferences; tests point it at a folder of fixtures. */
  readonly directory?: string;
  /** Needed for the `user` scope: the login name (`os.userInfo().username`). */
  readonly userName?: string;
  readonly plutil?: string;
}

/**
 * One managed-preferences file as a policy source. No file: nothing is managed. Rejects with
 * `policy-read-failed` when the file exists but cannot be read or converted (plutil cannot
 * convert a profile that holds a date or data value to JSON; no key of ours is either), and
 * with `policy-malformed` when it does not hold a dictionary; the last good read is then kept.
 */
export class ManagedPreferencesSource implements PolicySource {
  readonly kind = 'managed-preferences' as const;
  readonly location: string;
  readonly scope: 'machine' | 'user';
  readonly #run: CommandRunner;
  readonly #plutil: string;

  constructor(options: ManagedPreferencesSourceOptions) {
    const directory = options.directory ?? MANAGED_PREFERENCES_DIR;
    if (options.scope === 'user' && (options.userName === undefined || options.userName === '')) {
      throw new TypeError('The user scope of managed preferences needs a user name.');
    }
    this.scope = options.scope;
    this.location =
      options.scope === 'machine'
        ? path.join(directory, `${MACOS_DOMAIN}.plist`)
        : path.join(directory, options.userName ?? '', `${MACOS_DOMAIN}.plist`);
    this.#run = options.run;
    this.#plutil = options.plutil ?? '/usr/bin/plutil';
  }

  async read(signal?: AbortSignal): Promise<PolicyReadResult> {
    try {
      await stat(this.location);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { values: {}, rejected: [] };
      throw new PrintoError(
        PolicyErrorCode.readFailed,
        `Cannot read ${this.location}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const result = await this.#run(
      this.#plutil,
      ['-convert', 'json', '-o', '-', this.location],
      signal === undefined ? {} : { signal },
    );
    if (result.exitCode !== 0) {
      const detail = (result.stderr.toString('utf8') || result.stdout.toString('utf8')).trim();
      throw new PrintoError(
        PolicyErrorCode.readFailed,
        `Cannot read ${this.location}: plutil exited with ${String(result.exitCode)}${detail === '' ? '' : ` (${detail})`}.`,
        {
          hint: 'Check the configuration profile: every value must be a string, number, boolean or array of strings.',
        },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.stdout.toString('utf8'));
    } catch (error) {
      throw new PrintoError(
        PolicyErrorCode.malformed,
        `Cannot read ${this.location}: plutil did not print JSON.`,
        { cause: error },
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new PrintoError(
        PolicyErrorCode.malformed,
        `${this.location} does not hold a dictionary of preferences.`,
      );
    }
    return { values: parsed as Record<string, unknown>, rejected: [] };
  }
}

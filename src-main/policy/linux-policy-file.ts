/**
 * Linux: /etc/printo-help/policy.json, as Chrome reads /etc/opt/chrome/policies/managed and VS
 * Code /etc/vscode/policy.json. A policy that anyone but root could have written is no policy:
 * the file must be root's, a regular file reached without following a link, writable by its
 * owner only, in a folder that is root's and writable by root only (or anyone could swap it).
 */
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import { PrintoError } from '../../src-shared/errors.ts';
import { PolicyErrorCode, type PolicyReadResult, type PolicySource } from './source.ts';

export const LINUX_POLICY_FILE = '/etc/printo-help/policy.json';
const MAX_BYTES = 1024 * 1024;

export interface PolicyFileSourceOptions {
  /** Default /etc/printo-help/policy.json; tests use a temporary folder. */
  readonly path?: string;
  /** Owners trusted to write policy; default root only. Tests add their own uid. */
  readonly trustedOwners?: readonly number[];
}

function untrusted(file: string, why: string): PrintoError {
  return new PrintoError(PolicyErrorCode.untrusted, `Refusing the policy file ${file}: ${why}.`, {
    hint: `As root: chown root:root ${file} && chmod 644 ${file} (and the same owner, mode 755, for its folder).`,
  });
}

/**
 * The policy file as a policy source. No file (or no folder): nothing is configured. Rejects
 * with `policy-untrusted` when the file is a link, not a regular file, not owned by root, or
 * writable by group or others (or its folder is), with `policy-malformed` when it is not a JSON
 * object, and with `policy-read-failed` when it cannot be read; the last good read is then kept.
 */
export class PolicyFileSource implements PolicySource {
  readonly kind = 'policy-file' as const;
  readonly scope = 'machine' as const;
  readonly location: string;
  readonly #trustedOwners: readonly number[];

  constructor(options: PolicyFileSourceOptions = {}) {
    this.location = options.path ?? LINUX_POLICY_FILE;
    this.#trustedOwners = options.trustedOwners ?? [0];
  }

  async read(): Promise<PolicyReadResult> {
    const file = this.location;
    const text = await this.#readTrusted(file);
    if (text === undefined) return { values: {}, rejected: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new PrintoError(
        PolicyErrorCode.malformed,
        `The policy file ${file} is not valid JSON: ${(error as Error).message}.`,
        { hint: 'Fix the file (jq . FILE shows where); until then the last good policy is kept.' },
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new PrintoError(
        PolicyErrorCode.malformed,
        `The policy file ${file} must hold one JSON object of settings.`,
        { hint: 'For example {"relayUrl": "https://relay.example.com"} (docs/deployment.md).' },
      );
    }
    return { values: parsed as Record<string, unknown>, rejected: [] };
  }

  /** The file's text, or undefined when there is none. */
  async #readTrusted(file: string): Promise<string | undefined> {
    const folder = path.dirname(file);
    try {
      const info = await lstat(folder);
      if (!info.isDirectory()) throw untrusted(file, `its folder ${folder} is not a folder`);
      this.#checkOwnerAndMode(file, `its folder ${folder}`, info.uid, info.mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#failure(file, error);
    }
    let handle;
    try {
      // O_NOFOLLOW: a link is refused (ELOOP), not followed; O_NONBLOCK: a FIFO cannot hang us.
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP') throw untrusted(file, 'it is a symbolic link');
      throw this.#failure(file, error);
    }
    try {
      // Checked on the open file, not the path: what we read is what we checked.
      const info = await handle.stat();
      if (!info.isFile()) throw untrusted(file, 'it is not a regular file');
      this.#checkOwnerAndMode(file, 'it', info.uid, info.mode);
      if (info.size > MAX_BYTES) {
        throw new PrintoError(
          PolicyErrorCode.malformed,
          `The policy file ${file} is larger than ${MAX_BYTES} bytes.`,
        );
      }
      return await handle.readFile({ encoding: 'utf8' });
    } catch (error) {
      throw this.#failure(file, error);
    } finally {
      await handle.close();
    }
  }

  #checkOwnerAndMode(file: string, what: string, uid: number, mode: number): void {
    if (!this.#trustedOwners.includes(uid)) {
      throw untrusted(file, `${what} is owned by uid ${uid}, not by root`);
    }
    if ((mode & 0o022) !== 0) {
      const who =
        (mode & 0o020) !== 0 && (mode & 0o002) !== 0
          ? 'group and others'
          : (mode & 0o002) !== 0
            ? 'others'
            : 'its group';
      throw untrusted(
        file,
        `${what} is writable by ${who} (mode ${(mode & 0o777).toString(8).padStart(3, '0')})`,
      );
    }
  }

  #failure(file: string, error: unknown): PrintoError {
    if (error instanceof PrintoError) return error;
    return new PrintoError(
      PolicyErrorCode.readFailed,
      `Cannot read the policy file ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Windows: machine policy (HKLM\SOFTWARE\Policies\PrintoGens\PrintoHelp, written by Group Policy
 * or Intune from our ADMX), user policy (the same path under HKCU) and installer defaults
 * (HKLM\SOFTWARE\PrintoGens\PrintoHelp, written by the MSI from its public properties), each read
 * with `reg query`. reg.exe is part of every Windows and needs no PowerShell (which application
 * control may block); its output is parsed here and tested against recorded output.
 */
import { PrintoError } from '../../src-shared/errors.ts';
import {
  isPolicyKey,
  POLICY_KEYS,
  policyKeyInfo,
  type PolicyKey,
  type PolicySourceKind,
} from '../../src-shared/model/policy.ts';
import type { CommandRunner } from './command-runner.ts';
import {
  PolicyErrorCode,
  type PolicyReadResult,
  type PolicySource,
  type SourceRejection,
} from './source.ts';

export const WINDOWS_POLICY_KEYS = {
  'machine-policy': 'HKLM\\SOFTWARE\\Policies\\PrintoGens\\PrintoHelp',
  'user-policy': 'HKCU\\SOFTWARE\\Policies\\PrintoGens\\PrintoHelp',
  installer: 'HKLM\\SOFTWARE\\PrintoGens\\PrintoHelp',
} as const;
export type WindowsSourceKind = keyof typeof WINDOWS_POLICY_KEYS;

/** One value as `reg query` prints it: `    name    REG_TYPE    data`. */
export interface RegistryValue {
  readonly name: string;
  readonly type: string;
  /** As printed: REG_DWORD as `0x1`, REG_MULTI_SZ with `\0` between the strings. */
  readonly data: string;
}

// Four spaces separate the columns; a name may itself contain spaces, the type never does.
const VALUE_LINE = /^ {4}(.+?) {4}(REG_[A-Z_0-9]+)(?: {4}(.*))?$/;

/** The values of the one key `reg query KEY` lists; subkey lines are skipped. */
export function parseRegQuery(output: string): RegistryValue[] {
  const values: RegistryValue[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = VALUE_LINE.exec(line);
    if (match === null) continue;
    const [, name = '', type = '', data = ''] = match;
    values.push({ name, type, data });
  }
  return values;
}

type Translated = { readonly ok: true; readonly value: unknown } | SourceRejectionResult;
interface SourceRejectionResult {
  readonly ok: false;
  readonly rejection: SourceRejection;
}

const CANONICAL = new Map(POLICY_KEYS.map((name) => [name.toLowerCase(), name]));

function wrongType(name: string, value: RegistryValue, expected: string): SourceRejectionResult {
  return {
    ok: false,
    rejection: {
      key: name,
      value: value.data,
      code: 'wrong-type',
      reason: `must be a ${expected} value, not ${value.type}`,
    },
  };
}

function dword(data: string): number | undefined {
  return /^0x[0-9a-f]{1,8}$/i.test(data) ? Number.parseInt(data.slice(2), 16) : undefined;
}

/** The registry's types to JSON's, by the kind the schema gives the key. */
export function translateRegistryValue(name: PolicyKey, value: RegistryValue): Translated {
  const { kind } = policyKeyInfo(name);
  switch (kind) {
    case 'boolean': {
      const number = value.type === 'REG_DWORD' ? dword(value.data) : undefined;
      if (number === undefined) return wrongType(name, value, 'REG_DWORD (0 or 1)');
      // 2 is neither: the schema says why.
      return { ok: true, value: number === 0 ? false : number === 1 ? true : number };
    }
    case 'integer': {
      const number = value.type === 'REG_DWORD' ? dword(value.data) : undefined;
      if (number === undefined) return wrongType(name, value, 'REG_DWORD');
      return { ok: true, value: number };
    }
    case 'string':
      if (value.type !== 'REG_SZ') return wrongType(name, value, 'REG_SZ');
      return { ok: true, value: value.data };
    case 'list':
      // reg.exe prints the strings joined by the two characters `\0`; a string that contains
      // them cannot be told apart, which no scope name does. An empty list prints nothing.
      if (value.type !== 'REG_MULTI_SZ') return wrongType(name, value, 'REG_MULTI_SZ');
      return { ok: true, value: value.data === '' ? [] : value.data.split('\\0') };
  }
}

/** reg.exe's answer for a key that does not exist (exit code 1). Its text is localised. */
const NOT_FOUND = /unable to find the specified registry key/i;

export interface WindowsRegistrySourceOptions {
  readonly kind: WindowsSourceKind;
  readonly run: CommandRunner;
  /** Default `reg.exe` (found in System32 through PATH). */
  readonly regExe?: string;
}

/**
 * One registry key as a policy source. A key that does not exist is nothing configured. Rejects
 * with `policy-read-failed` when reg.exe cannot run (removed, blocked by "Prevent access to
 * registry editing tools" or AppLocker) or fails otherwise — including a missing key on a
 * Windows whose reg.exe speaks another language than English, whose message we cannot
 * recognise: the last good read is then kept, and a first read yields nothing, as a missing key.
 */
export class WindowsRegistrySource implements PolicySource {
  readonly kind: PolicySourceKind;
  readonly location: string;
  readonly scope: 'machine' | 'user';
  readonly #run: CommandRunner;
  readonly #regExe: string;

  constructor(options: WindowsRegistrySourceOptions) {
    this.kind = options.kind;
    this.location = WINDOWS_POLICY_KEYS[options.kind];
    this.scope = options.kind === 'user-policy' ? 'user' : 'machine';
    this.#run = options.run;
    this.#regExe = options.regExe ?? 'reg.exe';
  }

  async read(signal?: AbortSignal): Promise<PolicyReadResult> {
    // /reg:64: the 64-bit view, where a 64-bit MSI writes, whatever this process's bitness.
    const result = await this.#run(
      this.#regExe,
      ['query', this.location, '/reg:64'],
      signal === undefined ? {} : { signal },
    );
    // reg.exe writes in the console's OEM code page; every value we accept is ASCII.
    const stdout = result.stdout.toString('latin1');
    const stderr = result.stderr.toString('latin1').trim();
    if (result.exitCode !== 0) {
      if (result.exitCode === 1 && NOT_FOUND.test(stderr)) return { values: {}, rejected: [] };
      throw new PrintoError(
        PolicyErrorCode.readFailed,
        `Cannot read ${this.location}: reg.exe exited with ${String(result.exitCode)}${stderr === '' ? '' : ` (${stderr})`}.`,
        {
          hint: 'Check that reg.exe may run for this user (Group Policy "Prevent access to registry editing tools", AppLocker).',
        },
      );
    }
    const values: Record<string, unknown> = {};
    const rejected: SourceRejection[] = [];
    for (const value of parseRegQuery(stdout)) {
      const name = CANONICAL.get(value.name.toLowerCase()) ?? value.name;
      if (!isPolicyKey(name)) {
        values[name] = value.data;
        continue;
      }
      const translated = translateRegistryValue(name, value);
      if (translated.ok) values[name] = translated.value;
      else rejected.push(translated.rejection);
    }
    return { values, rejected };
  }
}

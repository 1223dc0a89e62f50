/**
 * The PolicySource port: one adapter per place an admin (or the user) can put configuration.
 * Adapters only read and translate their format (registry types, plist types, JSON); the rules
 * that hold for every source — the schema, unknown keys, machine-only keys, the last good read
 * kept on failure — live once, above the port, in effective.ts.
 */
import type { PolicyRejection, PolicySourceKind } from '../../src-shared/model/policy.ts';

/** A value an adapter could not translate (a REG_SZ where a REG_DWORD belongs). */
export type SourceRejection = Omit<PolicyRejection, 'source' | 'location'>;

export interface PolicyReadResult {
  /**
   * Values by key name as found, translated to JSON types (a REG_DWORD 1 of a boolean key is
   * `true`) but not yet checked: the caller validates every source with the same schema.
   * Empty when nothing is configured there (no registry key, no file): that is not a failure.
   */
  readonly values: Readonly<Record<string, unknown>>;
  readonly rejected: readonly SourceRejection[];
}

export interface PolicySource {
  readonly kind: PolicySourceKind;
  /** Where it reads, for people: a registry path, a file, a preferences domain. */
  readonly location: string;
  /** `machine`: computer-wide, may set machine-only keys; `user`: one user's. */
  readonly scope: 'machine' | 'user';
  /**
   * Reads the source now. Resolves with what is configured (possibly nothing). Rejects with a
   * PrintoError (stable code, message saying why) when the source exists but cannot be read or
   * is not to be trusted; the caller then keeps the last good read of this source.
   */
  read(signal?: AbortSignal): Promise<PolicyReadResult>;
}

/** Where rejections and failures are reported. Fields never hold secret values. */
export interface PolicyLogger {
  warn(event: string, fields?: Readonly<Record<string, string | number | boolean | null>>): void;
}

export const silentPolicyLogger: PolicyLogger = {
  warn: () => undefined,
};

/** Stable codes of PrintoErrors from policy sources and settings. */
export const PolicyErrorCode = {
  /** The OS tool (reg.exe, plutil) could not run or failed. */
  readFailed: 'policy-read-failed',
  /** The file or tool output is not what it must be (malformed JSON, not an object). */
  malformed: 'policy-malformed',
  /** The policy file is not trustworthy: a link, not root's, writable by others. */
  untrusted: 'policy-untrusted',
  /** setUserSetting on a key a policy source sets. */
  settingLocked: 'setting-locked',
  settingUnknown: 'setting-unknown',
  settingAdminOnly: 'setting-admin-only',
  settingInvalid: 'setting-invalid',
  /** The user settings file cannot be read or written. */
  settingsUnavailable: 'settings-unavailable',
} as const;

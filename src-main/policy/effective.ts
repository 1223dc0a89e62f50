/**
 * The effective configuration: every key's value with the source it came from and whether it is
 * locked. The rules that hold for every source live here, once: each value is checked with the
 * key's schema, unknown keys and machine-only keys from a user's source are rejected with a
 * logged reason (the next source's value is used instead), and a source whose read fails keeps
 * its last good read.
 */
import { PrintoError } from '../../src-shared/errors.ts';
import {
  displayPolicyValue,
  isLockingSource,
  isPolicyKey,
  POLICY_DEFAULTS,
  POLICY_KEYS,
  POLICY_SOURCE_KINDS,
  policyKeyInfo,
  policyValueSchema,
  type EffectivePolicyEntry,
  type EffectivePolicyReport,
  type Policy,
  type PolicyKey,
  type PolicyRejection,
  type PolicySourceKind,
  type PolicySourceStatus,
} from '../../src-shared/model/policy.ts';
import {
  PolicyErrorCode,
  silentPolicyLogger,
  type PolicyLogger,
  type PolicyReadResult,
  type PolicySource,
} from './source.ts';
import type { UserSettingsSource } from './user-settings.ts';

export interface EffectiveConfiguration {
  /** The values to run with. Secrets in clear: never show or log this object as is. */
  readonly values: Readonly<Policy>;
  /** For people and front ends: the same values with their sources, secrets masked. */
  readonly report: EffectivePolicyReport;
}

/** One source's latest read as the resolver sees it. */
export interface SourceReading {
  readonly source: Pick<PolicySource, 'kind' | 'location' | 'scope'>;
  readonly status: PolicySourceStatus;
  /** The values in use: this read's, or the last good one's when it failed. */
  readonly result: PolicyReadResult | undefined;
}

interface Candidate {
  readonly source: PolicySourceKind;
  readonly location: string;
  readonly value: unknown;
}

function precedence(kind: PolicySourceKind): number {
  return POLICY_SOURCE_KINDS.indexOf(kind);
}

/** Readings from highest precedence to lowest; sources of one kind keep their given order. */
export function byPrecedence<T extends { readonly source: { readonly kind: PolicySourceKind } }>(
  readings: readonly T[],
): T[] {
  return readings
    .map((reading, index) => ({ reading, index }))
    .sort(
      (a, b) =>
        precedence(a.reading.source.kind) - precedence(b.reading.source.kind) || a.index - b.index,
    )
    .map(({ reading }) => reading);
}

function issueText(error: {
  issues: readonly { message: string; path: readonly PropertyKey[] }[];
}): string {
  return error.issues
    .map((issue) =>
      issue.path.length === 0
        ? issue.message
        : `${issue.path.map(String).join('.')}: ${issue.message}`,
    )
    .join('; ');
}

/** Checks one value read from `reading` for `name`: the parsed value, or why it is rejected. */
function check(
  reading: SourceReading,
  name: string,
  raw: unknown,
): { ok: true; value: unknown } | { ok: false; rejection: PolicyRejection } {
  const { kind: source, location, scope } = reading.source;
  const reject = (code: PolicyRejection['code'], reason: string) => ({
    ok: false as const,
    rejection: { key: name, source, location, value: displayPolicyValue(name, raw), code, reason },
  });
  if (!isPolicyKey(name)) {
    return reject('unknown-key', `${name} is not a setting of this version of Printo Help`);
  }
  const info = policyKeyInfo(name);
  // User settings are governed by userSettable alone: a user may pick a relay (if admins allow).
  if (info.machineOnly && scope === 'user' && source !== 'user') {
    return reject(
      'machine-only',
      `${name} applies to the whole computer: set it in a computer-wide source`,
    );
  }
  if (source === 'user' && !info.userSettable) {
    return reject('not-user-settable', `${name} can only be set by an administrator`);
  }
  const parsed = policyValueSchema(name).safeParse(raw);
  if (!parsed.success) return reject('invalid-value', `${name} ${issueText(parsed.error)}`);
  return { ok: true, value: parsed.data };
}

/**
 * Resolves readings (any order) into the effective configuration. Pure: the same readings give
 * the same result. Rejections are returned, not logged; PolicyService logs them.
 */
export function resolvePolicy(readings: readonly SourceReading[]): EffectiveConfiguration {
  const ordered = byPrecedence(readings);
  const candidates = new Map<PolicyKey, Candidate[]>(POLICY_KEYS.map((name) => [name, []]));
  const rejectedByKey = new Map<PolicyKey, PolicyRejection[]>(
    POLICY_KEYS.map((name) => [name, []]),
  );
  const unknown: PolicyRejection[] = [];

  for (const reading of ordered) {
    if (reading.result === undefined) continue;
    const { kind: source, location } = reading.source;
    for (const rejection of reading.result.rejected) {
      const full = {
        ...rejection,
        source,
        location,
        value: displayPolicyValue(rejection.key, rejection.value),
      };
      if (isPolicyKey(rejection.key)) rejectedByKey.get(rejection.key)?.push(full);
      else unknown.push(full);
    }
    for (const [name, raw] of Object.entries(reading.result.values)) {
      const checked = check(reading, name, raw);
      if (!checked.ok) {
        if (isPolicyKey(name)) rejectedByKey.get(name)?.push(checked.rejection);
        else unknown.push(checked.rejection);
        continue;
      }
      if (isPolicyKey(name)) candidates.get(name)?.push({ source, location, value: checked.value });
    }
  }

  const winner = (name: PolicyKey): Candidate | undefined => candidates.get(name)?.[0];
  const relayChangeAllowed =
    (winner('allowUserRelayChange')?.value ?? POLICY_DEFAULTS.allowUserRelayChange) === true;
  if (!relayChangeAllowed) {
    // A relay the user chose is not used when admins say users may not choose one.
    const relay = candidates.get('relayUrl') ?? [];
    for (const candidate of relay.filter((c) => c.source === 'user')) {
      rejectedByKey.get('relayUrl')?.push({
        key: 'relayUrl',
        source: candidate.source,
        location: candidate.location,
        value: candidate.value,
        code: 'user-change-not-allowed',
        reason: 'relayUrl set by the user is not used: allowUserRelayChange is off',
      });
    }
    candidates.set(
      'relayUrl',
      relay.filter((c) => c.source !== 'user'),
    );
  }

  const values: Record<string, unknown> = {};
  const entries: EffectivePolicyEntry[] = [];
  for (const name of POLICY_KEYS) {
    const [first, ...rest] = candidates.get(name) ?? [];
    const chosen = first ?? {
      source: 'default' as const,
      location: null,
      value: POLICY_DEFAULTS[name],
    };
    values[name] = chosen.value;
    entries.push({
      key: name,
      value: displayPolicyValue(name, chosen.value),
      source: chosen.source,
      location: chosen.location,
      locked: isLockingSource(chosen.source) || (name === 'relayUrl' && !relayChangeAllowed),
      superseded: rest.map((c) => ({ ...c, value: displayPolicyValue(name, c.value) })),
      rejected: rejectedByKey.get(name) ?? [],
    });
  }
  return {
    values: values as Policy,
    report: { entries, sources: ordered.map((r) => r.status), unknown },
  };
}

export interface PolicyServiceOptions {
  /** The policy sources of this OS (policy-sources.ts), in any order. */
  readonly sources: readonly PolicySource[];
  readonly userSettings: UserSettingsSource;
  readonly logger?: PolicyLogger;
  /** Milliseconds since the epoch; injected so that tests can tell reads apart. */
  readonly now?: () => number;
}

interface ReadState {
  readonly status: PolicySourceStatus;
  readonly result: PolicyReadResult | undefined;
}

/**
 * Reads every source, keeps the last good read of each, resolves the effective configuration
 * and changes the user's settings. `load()` again re-reads (on start, and when a front end or
 * a Group Policy refresh asks).
 */
export class PolicyService {
  readonly #sources: readonly PolicySource[];
  readonly #userSettings: UserSettingsSource;
  readonly #logger: PolicyLogger;
  readonly #now: () => number;
  readonly #states = new Map<PolicySource, ReadState>();
  #current: EffectiveConfiguration | undefined;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(options: PolicyServiceOptions) {
    this.#sources = [...options.sources, options.userSettings];
    this.#userSettings = options.userSettings;
    this.#logger = options.logger ?? silentPolicyLogger;
    this.#now = options.now ?? Date.now;
  }

  /** Reads every source now (concurrently) and resolves. Never rejects for a source's failure. */
  async load(signal?: AbortSignal): Promise<EffectiveConfiguration> {
    await Promise.all(this.#sources.map((source) => this.#read(source, signal)));
    return this.#resolve();
  }

  /** The configuration of the last `load()`; built-in defaults before the first. */
  current(): EffectiveConfiguration {
    return this.#current ?? resolvePolicy([]);
  }

  /**
   * Sets a user setting and returns the new configuration. Refuses (PrintoError) an unknown key
   * (`setting-unknown`), a key users may not set (`setting-admin-only`), a key a policy source
   * locks (`setting-locked`), an invalid value (`setting-invalid`), and a settings file it cannot
   * read or write (`settings-unavailable`); nothing is written then.
   */
  setUserSetting(name: string, value: unknown): Promise<EffectiveConfiguration> {
    const next = this.#writes.then(() => this.#set(name, value));
    this.#writes = next.catch(() => undefined);
    return next;
  }

  /** Removes a user setting: the value falls back to the installer's or the built-in default. */
  clearUserSetting(name: string): Promise<EffectiveConfiguration> {
    return this.setUserSetting(name, undefined);
  }

  async #set(name: string, value: unknown): Promise<EffectiveConfiguration> {
    if (!isPolicyKey(name)) {
      throw new PrintoError(PolicyErrorCode.settingUnknown, `There is no setting called ${name}.`, {
        hint: `Settings: ${POLICY_KEYS.filter((k) => policyKeyInfo(k).userSettable).join(', ')}.`,
      });
    }
    if (!policyKeyInfo(name).userSettable) {
      throw new PrintoError(
        PolicyErrorCode.settingAdminOnly,
        `${name} can only be set by an administrator.`,
        { hint: 'Ask your IT department; docs/deployment.md says where admins set it.' },
      );
    }
    // Locks as they are now, not as they were at the last load.
    await this.#read(
      this.#sources.filter((s) => s !== this.#userSettings),
      undefined,
    );
    const entry = this.#resolve().report.entries.find((e) => e.key === name);
    if (entry?.locked === true) {
      const why = isLockingSource(entry.source)
        ? `it is set by ${entry.source}${entry.location === null ? '' : ` (${entry.location})`}`
        : 'your administrator does not allow changing the relay (allowUserRelayChange is off)';
      throw new PrintoError(PolicyErrorCode.settingLocked, `${name} cannot be changed: ${why}.`, {
        hint: 'Ask your IT department to change it.',
      });
    }
    let stored: unknown = undefined;
    if (value !== undefined) {
      const parsed = policyValueSchema(name).safeParse(value);
      if (!parsed.success) {
        throw new PrintoError(
          PolicyErrorCode.settingInvalid,
          `${name} ${issueText(parsed.error)}.`,
        );
      }
      stored = parsed.data;
    }
    await this.#userSettings.write(name, stored);
    await this.#read(this.#userSettings, undefined);
    return this.#resolve();
  }

  async #read(
    which: PolicySource | readonly PolicySource[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (Array.isArray(which)) {
      await Promise.all((which as readonly PolicySource[]).map((s) => this.#read(s, signal)));
      return;
    }
    const source = which as PolicySource;
    const base = { source: source.kind, location: source.location };
    try {
      const result = await source.read(signal);
      const empty = Object.keys(result.values).length === 0 && result.rejected.length === 0;
      this.#states.set(source, {
        status: { ...base, state: empty ? 'absent' : 'read', readAt: this.#now(), error: null },
        result,
      });
    } catch (error) {
      if (signal?.aborted === true) throw error;
      const code = error instanceof PrintoError ? error.code : PolicyErrorCode.readFailed;
      const message = error instanceof Error ? error.message : String(error);
      const previous = this.#states.get(source);
      // The last good read stays in use: a policy that vanished because a read failed would
      // unlock what admins locked.
      const lastGood =
        previous?.status.state === 'read' || previous?.status.state === 'stale'
          ? previous
          : undefined;
      this.#logger.warn('policy.read-failed', {
        source: source.kind,
        location: source.location,
        code,
        message,
        keptLastGood: lastGood !== undefined,
      });
      this.#states.set(source, {
        status: {
          ...base,
          state: lastGood === undefined ? 'failed' : 'stale',
          readAt: lastGood?.status.readAt ?? null,
          error: { code, message },
        },
        result: lastGood?.result,
      });
    }
  }

  #resolve(): EffectiveConfiguration {
    const readings: SourceReading[] = this.#sources.map((source) => {
      const state = this.#states.get(source);
      return {
        source,
        status: state?.status ?? {
          source: source.kind,
          location: source.location,
          state: 'failed',
          readAt: null,
          error: { code: PolicyErrorCode.readFailed, message: 'not read yet' },
        },
        result: state?.result,
      };
    });
    const resolved = resolvePolicy(readings);
    const previous = this.#current;
    this.#current = resolved;
    // Log each rejection once, not at every re-read.
    const seen = new Set(
      previous === undefined ? [] : allRejections(previous.report).map(rejectionId),
    );
    for (const rejection of allRejections(resolved.report)) {
      if (seen.has(rejectionId(rejection))) continue;
      this.#logger.warn('policy.rejected', {
        key: rejection.key,
        source: rejection.source,
        location: rejection.location,
        code: rejection.code,
        reason: rejection.reason,
      });
    }
    return resolved;
  }
}

function allRejections(report: EffectivePolicyReport): PolicyRejection[] {
  return [...report.entries.flatMap((e) => e.rejected), ...report.unknown];
}

function rejectionId(r: PolicyRejection): string {
  return JSON.stringify([r.key, r.source, r.location, r.code, r.value]);
}

/**
 * What an IT admin can set for Printo Help, and what a user may change: one zod schema per key
 * with its default, its description (the text of the ADMX/ADML templates and of
 * docs/deployment.md) and where it may be set. The effective configuration the client runs with
 * is resolved in src-main/policy; this file also holds its shape, so a front end can show which
 * values are locked.
 *
 * Key names are the same everywhere: a registry value name (compared without case, as Windows
 * does), a managed-preferences key on macOS and a property of /etc/printo-help/policy.json.
 */
import { z } from 'zod';
import { RETENTION_RULES } from '../privacy/retention.ts';
import { ALL_SCOPES, ScopeSchema } from '../protocol/v1.ts';

/**
 * How a key is stored in the registry and in a configuration profile: `boolean` is a REG_DWORD
 * 0/1 and a plist `<true/>`/`<false/>`; `integer` a REG_DWORD and an `<integer>`; `string` a
 * REG_SZ and a `<string>`; `list` a REG_MULTI_SZ and an `<array>` of strings.
 */
export type PolicyValueKind = 'boolean' | 'integer' | 'string' | 'list';

interface KeyDefinition<S extends z.ZodType> {
  readonly schema: S;
  readonly default: z.output<S>;
  readonly kind: PolicyValueKind;
  /** One or two sentences for admins: what it does, what the values mean, what unset means. */
  readonly description: string;
  /**
   * Only a computer-wide source may set it (machine policy, installer defaults, the policy file,
   * the computer's managed preferences): a value from user policy or a user's managed
   * preferences is rejected. For what belongs to the computer, not to whoever logs in: its
   * enrolment, its relay. (Whether the user's own settings may hold it is `userSettable`.)
   */
  readonly machineOnly: boolean;
  /** The user may change it in the app's settings, unless a policy source locks it. */
  readonly userSettable: boolean;
  /** A secret: shown masked, never logged. */
  readonly sensitive?: boolean;
}

function key<S extends z.ZodType>(definition: KeyDefinition<S>): KeyDefinition<S> {
  return definition;
}

const LOOPBACK_HOST =
  /^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)*\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
// scheme://[userinfo@]host[:port][path][?query][#fragment], by pattern: src-shared has no URL class.
const URL_PARTS =
  /^([a-z][a-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?(\[[0-9a-f:.]+\]|[^:/?#[\]\s]+)(?::(\d{1,5}))?([/?#]\S*)?$/i;

interface UrlParts {
  readonly scheme: string;
  readonly userinfo: string | undefined;
  readonly host: string;
  readonly port: string | undefined;
}

function urlParts(text: string): UrlParts | undefined {
  const match = URL_PARTS.exec(text);
  if (match === null) return undefined;
  const [, scheme = '', userinfo, host = '', port] = match;
  return { scheme: scheme.toLowerCase(), userinfo, host, port };
}

function checkPort(parts: UrlParts, ctx: z.RefinementCtx): void {
  if (parts.port !== undefined && (Number(parts.port) < 1 || Number(parts.port) > 65_535)) {
    ctx.addIssue({ code: 'custom', message: `port ${parts.port} is out of range (1–65535)` });
  }
}

/** `https://` anywhere; `http://` only to this computer (the relay in development). */
export const RelayUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .superRefine((text, ctx) => {
    const parts = urlParts(text);
    if (parts === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'not a URL; use the form https://relay.example.com',
      });
      return;
    }
    if (parts.scheme !== 'https' && parts.scheme !== 'http') {
      ctx.addIssue({
        code: 'custom',
        message: `must start with https:// (got ${parts.scheme}://)`,
      });
    } else if (parts.scheme === 'http' && !LOOPBACK_HOST.test(parts.host)) {
      ctx.addIssue({
        code: 'custom',
        message: `http:// is only allowed to this computer (localhost, 127.0.0.1, [::1]); use https://${parts.host}`,
      });
    }
    if (parts.userinfo !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password' });
    }
    checkPort(parts, ctx);
  });

const PROXY_SCHEMES = ['http', 'https', 'socks4', 'socks5'];

/**
 * `system` (the proxy environment variables: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY), `none`
 * (direct), or a proxy URL (src-main/session/proxy.ts).
 */
export const ProxySchema = z
  .string()
  .trim()
  .max(2048)
  .superRefine((text, ctx) => {
    if (text === 'system' || text === 'none') return;
    const parts = urlParts(text);
    if (parts === undefined || !PROXY_SCHEMES.includes(parts.scheme)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be "system", "none" or a proxy URL (${PROXY_SCHEMES.map((s) => `${s}://`).join(', ')}host:port)`,
      });
      return;
    }
    if (parts.userinfo !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'must not contain a user name or password (proxy authentication uses the system’s)',
      });
    }
    checkPort(parts, ctx);
  });

function wholeNumber(what: string, min: number, max: number) {
  return z
    .number({ error: `must be a number of ${what}` })
    .int({ error: `must be a whole number of ${what}` })
    .min(min, { error: `must be at least ${min} ${what}` })
    .max(max, { error: `must be at most ${max} ${what}` });
}

/** A key that exists so admins can see the feature is off: only `false` is accepted. */
function alwaysOff(feature: string) {
  return z.literal(false, {
    error: `only false is accepted: Printo Help has no ${feature}`,
  });
}

const BOOLEAN = z.boolean({ error: 'must be true or false (1 or 0 in the registry)' });

const DEFINITIONS = {
  supportEnabled: key({
    schema: BOOLEAN,
    default: true,
    kind: 'boolean',
    description:
      'Whether users can ask for remote support. Off: no support session can start and the Get help button is hidden; printers, queues and diagnostics still work.',
    machineOnly: false,
    userSettable: false,
  }),
  relayUrl: key({
    schema: RelayUrlSchema.nullable(),
    default: null,
    kind: 'string',
    description:
      'The address of the Printo Relay that support sessions go through, such as https://relay.example.com (https://, or http:// to this computer only). Not set: support cannot start until one is configured.',
    machineOnly: true,
    userSettable: true,
  }),
  enrollmentKey: key({
    schema: z.string().trim().min(1).max(256).nullable(),
    default: null,
    kind: 'string',
    description:
      "The organisation's enrollment key: traded once with the relay for this computer's own credentials, which are kept in the OS keyring. Not set: the user is asked for it.",
    machineOnly: true,
    userSettable: false,
    sensitive: true,
  }),
  allowUserRelayChange: key({
    schema: BOOLEAN,
    default: true,
    kind: 'boolean',
    description:
      'Whether users may change the relay address in the settings. Off: only the relay configured by policy or the installer is used. A relay address set by policy is always locked.',
    machineOnly: true,
    userSettable: false,
  }),
  allowedScopes: key({
    schema: z
      .array(ScopeSchema, { error: `must be a list of scopes (${ALL_SCOPES.join(', ')})` })
      .min(1, { error: 'must name at least one scope (to turn support off, use supportEnabled)' })
      .refine((scopes) => new Set(scopes).size === scopes.length, {
        error: 'must not name a scope twice',
      }),
    default: [...ALL_SCOPES],
    kind: 'list',
    description: `The most an agent can be granted in a session on this computer (${ALL_SCOPES.join(', ')}). The user may narrow it further at each consent prompt; a scope not listed is never granted.`,
    machineOnly: false,
    userSettable: false,
  }),
  consentTimeoutSeconds: key({
    schema: wholeNumber('seconds', 15, 300),
    default: 60,
    kind: 'integer',
    description:
      'Seconds the consent prompt waits for an answer before it counts as a denial (15–300). Users may lengthen it for themselves, e.g. when they use a screen reader.',
    machineOnly: false,
    userSettable: true,
  }),
  transcriptRetentionDays: key({
    schema: wholeNumber('days', 1, RETENTION_RULES.chatTranscript.maxDays).nullable(),
    default: null,
    kind: 'integer',
    description: `Days a local copy of a chat transcript is kept after its session ends (1–${RETENTION_RULES.chatTranscript.maxDays}). Not set: the period the relay's transcript notice states. Never longer than that notice says.`,
    machineOnly: false,
    userSettable: false,
  }),
  diagnosticReportRetentionDays: key({
    schema: wholeNumber('days', 1, RETENTION_RULES.diagnosticReport.maxDays),
    default: RETENTION_RULES.diagnosticReport.defaultDays,
    kind: 'integer',
    description: `Days a diagnostic report is kept on this computer (1–${RETENTION_RULES.diagnosticReport.maxDays}).`,
    machineOnly: false,
    userSettable: false,
  }),
  allowLocalTranscript: key({
    schema: BOOLEAN,
    default: true,
    kind: 'boolean',
    description:
      'Whether an encrypted copy of chat transcripts is kept on this computer. Off: the transcript lives only on the relay, under its retention.',
    machineOnly: false,
    userSettable: false,
  }),
  diagnosticsTimeoutSeconds: key({
    schema: wholeNumber('seconds', 1, 60),
    default: 3,
    kind: 'integer',
    description:
      'Seconds each network check of the diagnostics (a printer, its device address) may take before it is reported as not answering (1–60).',
    machineOnly: false,
    userSettable: false,
  }),
  proxy: key({
    schema: ProxySchema,
    default: 'system',
    kind: 'string',
    description:
      'How to reach the relay: "system" (the proxy environment variables HTTPS_PROXY, ALL_PROXY and NO_PROXY, on every OS), "none" (direct), or a proxy such as http://proxy.example.com:3128 or socks5://proxy.example.com:1080.',
    machineOnly: false,
    userSettable: true,
  }),
  startAtLogin: key({
    schema: BOOLEAN,
    default: false,
    kind: 'boolean',
    description: 'Whether Printo Help starts when the user logs in.',
    machineOnly: false,
    userSettable: true,
  }),
  showTrayIcon: key({
    schema: BOOLEAN,
    default: true,
    kind: 'boolean',
    description:
      'Whether Printo Help shows an icon in the notification area (Windows, Linux) or the menu bar (macOS).',
    machineOnly: false,
    userSettable: true,
  }),
  autoUpdate: key({
    schema: alwaysOff('auto-updater: managed installs are updated by IT'),
    default: false,
    kind: 'boolean',
    description:
      'Always off: Printo Help has no auto-updater; IT updates it with the installer. Listed so that admins can see it is off.',
    machineOnly: true,
    userSettable: false,
  }),
  telemetryEnabled: key({
    schema: alwaysOff('telemetry: it sends nothing about its use to anyone'),
    default: false,
    kind: 'boolean',
    description:
      'Always off: Printo Help has no telemetry. Listed so that admins can see it is off.',
    machineOnly: false,
    userSettable: false,
  }),
} as const;

type Definitions = typeof DEFINITIONS;
export type PolicyKey = keyof Definitions;

/** Every key, in the order the policy page and the templates list them. */
export const POLICY_KEYS = Object.keys(DEFINITIONS) as PolicyKey[];
export const PolicyKeySchema = z.enum(POLICY_KEYS as [PolicyKey, ...PolicyKey[]]);

export interface PolicyKeyInfo {
  readonly key: PolicyKey;
  readonly kind: PolicyValueKind;
  readonly description: string;
  readonly machineOnly: boolean;
  readonly userSettable: boolean;
  readonly sensitive: boolean;
  readonly default: unknown;
}

export function policyKeyInfo(name: PolicyKey): PolicyKeyInfo {
  const definition: KeyDefinition<z.ZodType> = DEFINITIONS[name];
  return {
    key: name,
    kind: definition.kind,
    description: definition.description,
    machineOnly: definition.machineOnly,
    userSettable: definition.userSettable,
    sensitive: definition.sensitive ?? false,
    default: definition.default,
  };
}

export function isPolicyKey(name: string): name is PolicyKey {
  return Object.hasOwn(DEFINITIONS, name);
}

type Shape = { [K in PolicyKey]: Definitions[K]['schema'] };

/** The whole configuration: every key present. Types come from here (STYLE 8). */
export const PolicySchema = z.strictObject(
  Object.fromEntries(
    POLICY_KEYS.map((name) => [
      name,
      DEFINITIONS[name].schema.meta({
        description: DEFINITIONS[name].description,
        default: DEFINITIONS[name].default,
      }),
    ]),
  ) as unknown as Shape,
);
export type Policy = z.output<typeof PolicySchema>;

/**
 * What a policy file or profile holds: any subset of the keys. Unknown keys are refused here;
 * src-main/policy rejects them one by one instead, so one typo does not void a whole file.
 */
export const PartialPolicySchema = PolicySchema.partial();
export type PartialPolicy = z.output<typeof PartialPolicySchema>;

export const POLICY_DEFAULTS: Readonly<Policy> = Object.freeze(
  Object.fromEntries(POLICY_KEYS.map((name) => [name, DEFINITIONS[name].default])) as Policy,
);

/** The schema of one key's value. */
export function policyValueSchema<K extends PolicyKey>(name: K): Definitions[K]['schema'] {
  return DEFINITIONS[name].schema;
}

/** How a secret shows on the policy page and in logs: set or not, and its last 4 characters. */
export function displayPolicyValue(name: string, value: unknown): unknown {
  if (!isPolicyKey(name) || DEFINITIONS[name].sensitive !== true) return value;
  if (typeof value !== 'string') return value === null || value === undefined ? value : '(hidden)';
  return value.length <= 8 ? '(hidden)' : `(hidden, ends in ${value.slice(-4)})`;
}

// —— The effective configuration: each value with where it came from ——

/**
 * Where a value came from, highest precedence first: Windows machine policy (HKLM\SOFTWARE\Policies)
 * and user policy (HKCU\…\Policies), macOS managed preferences (configuration profiles), the Linux
 * policy file, the user's own settings, the installer's defaults (HKLM\SOFTWARE\PrintoGens), the
 * built-in defaults.
 */
export const POLICY_SOURCE_KINDS = [
  'machine-policy',
  'user-policy',
  'managed-preferences',
  'policy-file',
  'user',
  'installer',
  'default',
] as const;
export const PolicySourceKindSchema = z.enum(POLICY_SOURCE_KINDS);
export type PolicySourceKind = z.infer<typeof PolicySourceKindSchema>;

/** Policy sources lock what they set: the user cannot change it. */
export function isLockingSource(source: PolicySourceKind): boolean {
  return (
    source === 'machine-policy' ||
    source === 'user-policy' ||
    source === 'managed-preferences' ||
    source === 'policy-file'
  );
}

/** Why a value was not used. Stable: scripts and the UI switch on it. */
export const PolicyRejectionCodeSchema = z.enum([
  /** The value does not pass the key's schema. */
  'invalid-value',
  /** Not a key of this version of Printo Help (a typo, or a newer version's key). */
  'unknown-key',
  /** The registry value or plist entry has the wrong type (REG_SZ where REG_DWORD is needed). */
  'wrong-type',
  /** A machine-only key set by user policy or a user's managed preferences. */
  'machine-only',
  /** A key users may not set, found in the user settings file. */
  'not-user-settable',
  /** A user's relay address while allowUserRelayChange is off. */
  'user-change-not-allowed',
]);
export type PolicyRejectionCode = z.infer<typeof PolicyRejectionCodeSchema>;

export const PolicyRejectionSchema = z.object({
  key: z.string(),
  source: PolicySourceKindSchema,
  /** The registry key, file or domain it was read from. */
  location: z.string(),
  /** As read (secrets masked). */
  value: z.unknown(),
  code: PolicyRejectionCodeSchema,
  reason: z.string(),
});
export type PolicyRejection = z.infer<typeof PolicyRejectionSchema>;

export const EffectivePolicyEntrySchema = z.object({
  key: PolicyKeySchema,
  /** Secrets masked. */
  value: z.unknown(),
  source: PolicySourceKindSchema,
  location: z.string().nullable(),
  /** Set by a policy source: the user cannot change it. */
  locked: z.boolean(),
  /** Valid values from lower sources that this one overrides. */
  superseded: z.array(
    z.object({ source: PolicySourceKindSchema, location: z.string(), value: z.unknown() }),
  ),
  rejected: z.array(PolicyRejectionSchema),
});
export type EffectivePolicyEntry = z.infer<typeof EffectivePolicyEntrySchema>;

export const PolicySourceStatusSchema = z.object({
  source: PolicySourceKindSchema,
  location: z.string(),
  /**
   * `read`: values in use were read now; `absent`: nothing configured there; `failed`: the read
   * failed and there is no earlier good read; `stale`: the read failed, the last good values
   * (read at `readAt`) are still in use.
   */
  state: z.enum(['read', 'absent', 'failed', 'stale']),
  readAt: z.number().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type PolicySourceStatus = z.infer<typeof PolicySourceStatusSchema>;

/** What `printo-help policy --json` prints and the settings UI receives. */
export const EffectivePolicyReportSchema = z.object({
  entries: z.array(EffectivePolicyEntrySchema),
  sources: z.array(PolicySourceStatusSchema),
  /** Keys this version does not know, per source. */
  unknown: z.array(PolicyRejectionSchema),
});
export type EffectivePolicyReport = z.infer<typeof EffectivePolicyReportSchema>;

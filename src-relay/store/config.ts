/**
 * The `retention` section of the relay's configuration (`DATA_DIR/config.json`, read by
 * `printo-relay serve`; docs/privacy.md, Configuring the periods):
 *
 *   { "retention": { "chatTranscriptDays": 90, "consentReceiptDays": 730, "sessionMetadataDays": 730 } }
 *
 * Every key is optional and defaults to the company default (src-shared/privacy/retention.ts).
 * Unknown keys are refused, at the top and inside `retention`, with the key they probably meant:
 * a misspelt key must not silently leave the default in force.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PrintoError } from '../../src-shared/errors.ts';
import {
  DEFAULT_RETENTION,
  retentionDaysSchema,
  retentionOrderIssues,
} from '../../src-shared/privacy/retention.ts';
import { StoreErrorCode } from './errors.ts';
import type { RetentionPeriods } from './store.ts';

/** The relay's periods: it keeps transcripts, receipts and session rows, not diagnostic reports. */
export const RelayRetentionConfigSchema = z
  .strictObject({
    chatTranscriptDays: retentionDaysSchema('chatTranscript').default(
      DEFAULT_RETENTION.chatTranscriptDays,
    ),
    consentReceiptDays: retentionDaysSchema('consentReceipt').default(
      DEFAULT_RETENTION.consentReceiptDays,
    ),
    sessionMetadataDays: retentionDaysSchema('sessionMetadata').default(
      DEFAULT_RETENTION.sessionMetadataDays,
    ),
  })
  .superRefine((periods, ctx) => {
    for (const message of retentionOrderIssues(periods)) ctx.addIssue({ code: 'custom', message });
  });
export type RelayRetentionConfig = z.infer<typeof RelayRetentionConfigSchema>;

export const DEFAULT_RELAY_RETENTION: RetentionPeriods = Object.freeze({
  chatTranscriptDays: DEFAULT_RETENTION.chatTranscriptDays,
  consentReceiptDays: DEFAULT_RETENTION.consentReceiptDays,
  sessionMetadataDays: DEFAULT_RETENTION.sessionMetadataDays,
});

/** How often `printo-relay serve` purges what expired (docs/privacy.md, Purge). */
export const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export const CONFIG_FILE = 'config.json';
/** The keys config.json may have at its top. */
const CONFIG_KEYS: readonly string[] = ['retention'];
const RETENTION_KEYS: readonly (keyof RetentionPeriods)[] = [
  'chatTranscriptDays',
  'consentReceiptDays',
  'sessionMetadataDays',
];

export const ConfigErrorCode = {
  /** config.json is not JSON, not an object, or has a key the relay does not know. */
  invalid: 'config-invalid',
} as const;

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known key `name` was probably meant to be (case and a few typos forgiven), if any. */
export function closestKey(name: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(name.toLowerCase(), key.toLowerCase());
    if (best === undefined || distance < best.distance) best = { key, distance };
  }
  const allowed = Math.max(2, Math.floor(name.length / 3));
  return best !== undefined && best.distance <= allowed ? best.key : undefined;
}

function unknownKey(where: string, key: string, known: readonly string[]): string {
  const meant = closestKey(key, known);
  return meant === undefined
    ? `${where}${JSON.stringify(key)} is not a known key (known: ${known.join(', ')})`
    : `${where}${JSON.stringify(key)} is not a known key: did you mean "${meant}"?`;
}

/**
 * The retention periods from the `retention` value of config.json (`undefined` when the key is
 * absent: all defaults). Throws a `retention-invalid` PrintoError that names every problem.
 */
export function parseRetentionConfig(value: unknown, source = 'config.json'): RetentionPeriods {
  const result = RelayRetentionConfigSchema.safeParse(value ?? {});
  if (result.success) return Object.freeze(result.data);
  const problems = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => unknownKey('retention.', key, RETENTION_KEYS));
    }
    return [
      issue.path.length > 0 ? `retention.${issue.path.join('.')}: ${issue.message}` : issue.message,
    ];
  });
  throw new PrintoError(
    StoreErrorCode.retentionInvalid,
    `Invalid retention periods in ${source}: ${problems.join('; ')}.`,
    {
      hint:
        'Fix the "retention" object (keys chatTranscriptDays, consentReceiptDays, ' +
        'sessionMetadataDays; whole days) or remove it to use the defaults. See docs/privacy.md.',
    },
  );
}

/** Where a period in force came from: the company default, or config.json. */
export type RetentionSource = 'default' | 'config.json';

export interface RelayConfig {
  /** DATA_DIR/config.json, whether or not it exists. */
  readonly path: string;
  readonly retention: RetentionPeriods;
  readonly retentionSources: Readonly<Record<keyof RetentionPeriods, RetentionSource>>;
}

/**
 * DATA_DIR/config.json (all defaults when there is no file). Throws `config-invalid` for a file
 * that is not a JSON object or has an unknown key, `retention-invalid` for bad periods; each
 * message names the file and the key.
 */
export function loadRelayConfig(dataDir: string): RelayConfig {
  const path = join(dataDir, CONFIG_FILE);
  let config: unknown = {};
  if (existsSync(path)) {
    try {
      config = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new PrintoError(ConfigErrorCode.invalid, `Cannot read ${path} as JSON.`, {
        hint: 'Fix the file or remove it to use the defaults.',
        cause: error,
      });
    }
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new PrintoError(ConfigErrorCode.invalid, `${path} is not a JSON object.`, {
      hint: 'It holds one object, e.g. {"retention": {"chatTranscriptDays": 90}}. See docs/privacy.md.',
    });
  }
  const unknown = Object.keys(config).filter((key) => !CONFIG_KEYS.includes(key));
  if (unknown.length > 0) {
    throw new PrintoError(
      ConfigErrorCode.invalid,
      `Unknown key in ${path}: ${unknown.map((key) => unknownKey('', key, CONFIG_KEYS)).join('; ')}.`,
      { hint: `The keys are: ${CONFIG_KEYS.join(', ')}. See docs/privacy.md.` },
    );
  }
  const section = (config as Record<string, unknown>)['retention'];
  const retention = parseRetentionConfig(section, path);
  const given = (key: string): boolean =>
    typeof section === 'object' && section !== null && Object.hasOwn(section, key);
  const retentionSources = Object.fromEntries(
    RETENTION_KEYS.map((key) => [key, given(key) ? 'config.json' : 'default']),
  ) as Record<keyof RetentionPeriods, RetentionSource>;
  return { path, retention, retentionSources };
}

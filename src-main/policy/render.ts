/**
 * The effective configuration for people and scripts, as Chrome's chrome://policy shows it:
 * each key with its value, source and lock, then what was rejected and why, then each source's
 * state. `printo-help policy [--json]` is `policyCommand`.
 */
import Table from 'cli-table3';
import pc from 'picocolors';
import type {
  EffectivePolicyReport,
  PolicyRejection,
  PolicySourceKind,
  PolicySourceStatus,
} from '../../src-shared/model/policy.ts';
import type { PolicyService } from './effective.ts';
import { createPolicyService, type CreatePolicyServiceOptions } from './policy-sources.ts';

const SOURCE_LABELS: Readonly<Record<PolicySourceKind, string>> = {
  'machine-policy': 'machine policy',
  'user-policy': 'user policy',
  'managed-preferences': 'managed preferences',
  'policy-file': 'policy file',
  user: 'user setting',
  installer: 'installer',
  default: 'default',
};

export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '(not set)';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(String).join(', ');
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function bareTable(head: string[], color: boolean): Table.Table {
  const c = pc.createColors(color);
  const none = '';
  return new Table({
    head: head.map((h) => c.bold(h)),
    chars: {
      top: none,
      'top-mid': none,
      'top-left': none,
      'top-right': none,
      bottom: none,
      'bottom-mid': none,
      'bottom-left': none,
      'bottom-right': none,
      left: none,
      'left-mid': none,
      mid: none,
      'mid-mid': none,
      right: none,
      'right-mid': none,
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    wordWrap: false,
  });
}

function rejectionLine(r: PolicyRejection): string {
  return `${r.key} = ${valueText(r.value)} from ${SOURCE_LABELS[r.source]} (${r.location}): ${r.reason} [${r.code}]`;
}

function sourceLine(s: PolicySourceStatus): string {
  const state =
    s.state === 'read'
      ? 'read'
      : s.state === 'absent'
        ? 'nothing set'
        : s.state === 'stale'
          ? `read failed, using the values read at ${new Date(s.readAt ?? 0).toISOString()}`
          : 'read failed, not used';
  const error = s.error === null ? '' : `: ${s.error.message} [${s.error.code}]`;
  return `${SOURCE_LABELS[s.source]} (${s.location}): ${state}${error}`;
}

/** The policy page for a terminal: a table of keys, then rejections, then the sources. */
export function formatPolicyReport(
  report: EffectivePolicyReport,
  options: { readonly color: boolean },
): string {
  const c = pc.createColors(options.color);
  const table = bareTable(['SETTING', 'VALUE', 'SOURCE', 'LOCKED'], options.color);
  for (const entry of report.entries) {
    const source = SOURCE_LABELS[entry.source];
    table.push([
      entry.key,
      valueText(entry.value),
      entry.source === 'default' ? c.dim(source) : source,
      entry.locked ? c.yellow('locked') : '',
    ]);
  }
  // No padding after the last column: lines stay clean to copy and to compare.
  const lines = [
    table
      .toString()
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n'),
  ];
  const rejected = [...report.entries.flatMap((e) => e.rejected), ...report.unknown];
  if (rejected.length > 0) {
    lines.push('', c.bold(c.red('Rejected (the next source’s value is used instead):')));
    for (const r of rejected) lines.push(`  ${rejectionLine(r)}`);
  }
  const superseded = report.entries.flatMap((e) =>
    e.superseded.map(
      (s) => `${e.key} = ${valueText(s.value)} from ${SOURCE_LABELS[s.source]} (${s.location})`,
    ),
  );
  if (superseded.length > 0) {
    lines.push('', c.bold('Overridden by a higher source:'));
    for (const line of superseded) lines.push(`  ${line}`);
  }
  lines.push('', c.bold('Sources, highest first:'));
  for (const s of report.sources) {
    const line = `  ${sourceLine(s)}`;
    lines.push(s.state === 'failed' || s.state === 'stale' ? c.red(line) : line);
  }
  lines.push(`  ${SOURCE_LABELS.default}: built in`);
  return `${lines.join('\n')}\n`;
}

/** The policy page for scripts: EffectivePolicyReportSchema (src-shared/model/policy.ts). */
export function policyReportJson(report: EffectivePolicyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export interface PolicyCommandOptions extends CreatePolicyServiceOptions {
  readonly json: boolean;
  /** Colours in the table (a terminal without NO_COLOR). */
  readonly color: boolean;
  /** Default: the sources of this OS (createPolicyService). */
  readonly service?: PolicyService;
}

/**
 * What `printo-help policy [--json]` prints: reads every source once and renders the effective
 * configuration. Never rejects for a source that cannot be read: the page says so.
 */
export async function policyCommand(options: PolicyCommandOptions): Promise<string> {
  const service = options.service ?? createPolicyService(options);
  const { report } = await service.load();
  return options.json ? policyReportJson(report) : formatPolicyReport(report, options);
}

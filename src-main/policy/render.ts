/**
 * The effective configuration for people and scripts, as Chrome's chrome://policy shows it:
 * each key with its value, source and lock, then what was rejected and why, then each source's
 * state. `printo-help policy [--json]` is `policyCommand`.
 */
import pc from 'picocolors';
import type {
  EffectivePolicyReport,
  PolicyRejection,
  PolicySourceKind,
  PolicySourceStatus,
} from '../../src-shared/model/policy.ts';
import { loadWidthsFor, renderTable } from '../../src-shared/text/table.ts';
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
  options: { readonly color: boolean; readonly columns?: number | undefined },
): string {
  const c = pc.createColors(options.color);
  const rows = report.entries.map((entry) => {
    const source = SOURCE_LABELS[entry.source];
    return [
      entry.key,
      valueText(entry.value),
      entry.source === 'default' ? { text: source, paint: c.dim } : source,
      entry.locked ? { text: 'locked', paint: c.yellow } : '',
    ];
  });
  const lines = [
    renderTable(
      [
        { header: 'SETTING' },
        { header: 'VALUE', overflow: 'wrap', shrink: true },
        { header: 'SOURCE' },
        { header: 'LOCKED' },
      ],
      rows,
      {
        paintHeader: c.bold,
        ...(options.columns === undefined ? {} : { width: options.columns }),
      },
    ).trimEnd(),
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
  /** The terminal's width; unlimited when undefined (a pipe, a file). */
  readonly columns?: number | undefined;
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
  if (options.json) return policyReportJson(report);
  await loadWidthsFor([JSON.stringify(report)]);
  return formatPolicyReport(report, options);
}

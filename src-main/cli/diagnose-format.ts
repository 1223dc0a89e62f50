/** Terminal rendering of diagnostics: a live progress line, then the report, problems first. */
import pc from 'picocolors';
import type {
  CheckResult,
  CheckStatus,
  DiagnosticsReport,
  FixAction,
} from '../../src-shared/model/diagnostics.ts';
import type { ProgressEvent } from '../diagnostics/runner.ts';
import { truncate } from '../../src-shared/text/table.ts';

type Colors = ReturnType<typeof pc.createColors>;

const MARK: Readonly<Record<CheckStatus, string>> = {
  fail: '✗',
  error: '!',
  warn: '▲',
  pass: '✓',
  skip: '-',
};

function paintStatus(c: Colors, status: CheckStatus, text: string): string {
  switch (status) {
    case 'fail':
    case 'error':
      return c.red(text);
    case 'warn':
      return c.yellow(text);
    case 'pass':
      return c.green(text);
    case 'skip':
      return c.dim(text);
  }
}

/** The printo-help command that does what a fix action does, for people at a terminal. */
export function actionCommand(action: FixAction): string {
  const quote = (s: string): string =>
    /^[\w.@%+=:,/-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
  switch (action.id) {
    case 'resume-queue':
      return `printo-help resume ${quote(action.printer)}`;
    case 'release-job':
      return `printo-help release-job ${quote(action.printer)} ${action.jobId}`;
    case 'print-test-page':
      return `printo-help test-page ${quote(action.printer)}`;
    case 'cancel-jobs':
      return action.jobIds
        .map((id) => `printo-help cancel-job ${quote(action.printer)} ${id}`)
        .join('; ');
  }
}

/** Fixes already printed for a printer: two checks that share one are told it once. */
type SeenFixes = Set<string>;

function problem(c: Colors, result: CheckResult, seen: SeenFixes): string[] {
  const where = result.printer ?? 'This computer';
  const lines = [
    `${paintStatus(c, result.status, MARK[result.status])} ${c.bold(where)} · ${result.title}`,
    `  ${result.summary}`,
  ];
  if (result.details !== null && result.details !== '') {
    for (const line of result.details.split('\n')) lines.push(c.dim(`  ${line}`));
  }
  for (const fix of result.fixes) {
    const key = `${result.printer ?? ''}\u0000${JSON.stringify(fix)}`;
    if (seen.has(key)) {
      lines.push(`  ${c.bold('What to do:')} ${fix.title} ${c.dim('(as above)')}`);
      continue;
    }
    seen.add(key);
    lines.push(`  ${c.bold('What to do:')} ${fix.title}`);
    fix.steps.forEach((step, i) => {
      lines.push(`    ${i + 1}. ${step}`);
    });
    if (fix.action !== undefined)
      lines.push(`    ${c.cyan('Printo Help can do it:')} ${actionCommand(fix.action)}`);
    if (fix.command !== undefined) lines.push(`    ${c.dim('For IT:')} ${fix.command}`);
  }
  return lines;
}

export function renderReport(report: DiagnosticsReport, color: boolean): string {
  const c = pc.createColors(color);
  const count = (status: CheckStatus): number =>
    report.results.filter((r) => r.status === status).length;
  const failed = count('fail') + count('error');
  const warned = count('warn');
  const head =
    failed === 0 && warned === 0
      ? c.green('No problems found.')
      : [
          failed > 0 ? c.red(`${failed} problem${failed === 1 ? '' : 's'}`) : '',
          warned > 0 ? c.yellow(`${warned} warning${warned === 1 ? '' : 's'}`) : '',
        ]
          .filter(Boolean)
          .join(', ');
  const lines = [
    `${c.bold('Printo Help diagnostics')}: ${head} ${c.dim(`(${report.results.length} checks in ${(report.durationMs / 1000).toFixed(1)} s)`)}`,
    '',
  ];
  const problems = report.results.filter(
    (r) => r.status === 'fail' || r.status === 'error' || r.status === 'warn',
  );
  const seen: SeenFixes = new Set();
  for (const result of problems) lines.push(...problem(c, result, seen), '');

  const passed = report.results.filter((r) => r.status === 'pass');
  if (passed.length > 0) {
    lines.push(c.bold('Passed'));
    const groups = new Map<string, string[]>();
    for (const result of passed) {
      const key = result.printer ?? 'This computer';
      groups.set(key, [...(groups.get(key) ?? []), result.title]);
    }
    for (const [where, titles] of groups)
      lines.push(`  ${c.green(MARK.pass)} ${where}: ${titles.join(', ')}`);
  }
  const skipped = report.results.filter((r) => r.status === 'skip');
  if (skipped.length > 0) {
    lines.push(
      c.dim(
        `Not applicable: ${skipped.length} check${skipped.length === 1 ? '' : 's'} (see --json for why).`,
      ),
    );
  }
  return lines.join('\n');
}

/**
 * The live progress line of a diagnostics run: a bar, the count, and what it is waiting on now
 * (the check still running that started first, with its printer), not what just finished.
 * Returns a function that takes each event and gives the line to draw (null: nothing to draw).
 */
export function progressReporter(
  color: boolean,
  columns?: number,
  width = 24,
): (event: ProgressEvent) => string | null {
  const c = pc.createColors(color);
  // Insertion order is start order: the first entry is the one waited on longest.
  const running = new Map<string, string>();
  const label = (title: string, printer: string | null): string =>
    printer === null ? title : `${printer} · ${title}`;
  return (event) => {
    if (event.type === 'started') return null;
    if (event.type === 'check-started') {
      running.set(
        `${event.checkId}\u0000${event.printer ?? ''}`,
        label(event.title, event.printer),
      );
    } else {
      running.delete(`${event.result.checkId}\u0000${event.result.printer ?? ''}`);
    }
    const total = Math.max(1, event.total);
    const filled = Math.min(width, Math.round((event.done / total) * width));
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const [first] = running.values();
    const waiting =
      first === undefined
        ? ''
        : ` waiting on ${first}${running.size > 1 ? ` (+${running.size - 1} more)` : ''}`;
    const count = ` ${event.done}/${event.total}`;
    // One line, or the next redraw (carriage return) would leave the wrapped part behind.
    const room = columns === undefined ? Infinity : columns - 1 - width - count.length;
    return `${c.cyan(bar)}${count}${c.dim(room === Infinity ? waiting : truncate(waiting, Math.max(0, room)))}`;
  };
}

/** `printo-help diagnose`: loaded only when that command runs (the checks are most of the code). */
import { UsageError } from '../../src-shared/errors.ts';
import { SensitiveScopeSchema } from '../../src-shared/model/diagnostics.ts';
import type { SensitiveScope } from '../../src-shared/model/diagnostics.ts';
import { shareableReport } from '../../src-shared/privacy/share-report.ts';
import type { Check } from '../diagnostics/check.ts';
import { allChecks } from '../diagnostics/checks/index.ts';
import { createDiagnosticsEnvironment } from '../diagnostics/environment.ts';
import { runDiagnostics } from '../diagnostics/runner.ts';
import type { PrinterSystem } from '../printers/printer-system.ts';
import { loadWideWidths } from '../../src-shared/text/table.ts';
import { progressReporter, renderReport } from './diagnose-format.ts';
import type { CliIo } from './io.ts';

/** `--share device.identifiers,jobs.metadata`, or `none` for the most private form. */
export function parseScopes(value: string): SensitiveScope[] {
  if (value.trim() === 'none') return [];
  const scopes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = scopes.filter((s) => !SensitiveScopeSchema.safeParse(s).success);
  if (bad.length > 0 || scopes.length === 0) {
    throw new UsageError(
      `--share takes ${SensitiveScopeSchema.options.join(', ')} (comma-separated) or none, not ${JSON.stringify(value)}.`,
      'share-scopes-invalid',
    );
  }
  return scopes as SensitiveScope[];
}

/** Runs the checks, prints the report and returns the exit code (see printo-help's help). */
export async function runDiagnose(options: {
  readonly names: readonly string[];
  readonly share: string | undefined;
  readonly timeoutMs: number | undefined;
  readonly json: boolean;
  readonly io: CliIo;
  readonly system: PrinterSystem;
  readonly checks?: readonly Check[];
  readonly now?: () => number;
}): Promise<number> {
  const { io, names, timeoutMs } = options;
  // Printer names and messages in any script, on the progress line and in the report.
  await loadWideWidths();
  const scopes = options.share === undefined ? undefined : parseScopes(options.share);
  const env = createDiagnosticsEnvironment(
    options.system,
    options.now === undefined ? {} : { now: options.now },
  );
  const write = (value: unknown): void => {
    io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  };
  const showProgress = io.progress === true && !options.json && scopes === undefined;
  const progress = { drawn: false, line: progressReporter(io.color, io.stderrColumns) };
  const report = await runDiagnostics(env, options.checks ?? allChecks, {
    ...(names.length === 0 ? {} : { printers: names }),
    ...(timeoutMs === undefined ? {} : { networkTimeoutMs: timeoutMs }),
    ...(showProgress
      ? {
          onProgress: (event) => {
            const line = progress.line(event);
            if (line === null) return;
            io.stderr(`\r\u001b[2K${line}`);
            progress.drawn = true;
          },
        }
      : {}),
  });
  if (progress.drawn) io.stderr('\r\u001b[2K');
  if (scopes !== undefined) write(shareableReport(report, scopes));
  else if (options.json) write(report);
  else io.stdout(`${renderReport(report, io.color)}\n`);
  const serviceDown = report.results.some(
    (r) => r.checkId === 'print-service' && r.status === 'fail',
  );
  // Exit codes as printo-help's ExitCode: 3 no print service, 1 a check failed, 0 otherwise.
  return serviceDown
    ? 3
    : report.results.some((r) => r.status === 'fail' || r.status === 'error')
      ? 1
      : 0;
}

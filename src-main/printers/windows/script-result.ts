import { PrintoError } from '../../../src-shared/errors.ts';
import { PrinterSystemErrorCode } from '../printer-system.ts';
import type { PowerShellResult, PowerShellRunner, RunOptions } from './powershell-runner.ts';
import {
  ScriptErrorSchema,
  ScriptOutputSchemas,
  type ScriptArgs,
  type ScriptError,
  type ScriptOutput,
  type WindowsScript,
} from './schemas.ts';

/** What a script was asked to act on, for messages a person can act on. */
export interface ScriptContext {
  readonly printer?: string;
  readonly jobId?: number;
}

/** HRESULTs the scripts report (FACILITY_WIN32 0x8007xxxx wraps a Win32 error code). */
const HResult = {
  /** RPC_S_SERVER_UNAVAILABLE: "The spooler service is not reachable". */
  RpcServerUnavailable: '0x800706BA',
  AccessDenied: '0x80070005',
  /** ERROR_INVALID_PRINTER_NAME. */
  InvalidPrinterName: '0x80070709',
  /** ERROR_PRINTER_NOT_FOUND. */
  PrinterNotFound: '0x80070BC4',
} as const;

const SPOOLER_HINT =
  'Start the Print Spooler service: Services > Print Spooler > Start, or `Start-Service Spooler` in an administrator PowerShell. If it stops again, a printer driver may be crashing it.';

function describe(script: WindowsScript, context: ScriptContext): string {
  const printer = context.printer === undefined ? 'the printer' : `"${context.printer}"`;
  const job = `job ${context.jobId ?? '?'} on ${printer}`;
  switch (script) {
    case 'list-printers':
      return context.printer === undefined ? 'list the printers' : `read printer ${printer}`;
    case 'list-jobs':
      return context.printer === undefined ? 'list the print jobs' : `list the jobs of ${printer}`;
    case 'spooler-status':
      return 'read the Print Spooler service status';
    case 'cancel-job':
      return `cancel ${job}`;
    case 'hold-job':
      return `hold ${job}`;
    case 'release-job':
      return `release ${job}`;
    case 'pause-printer':
      return `pause ${printer}`;
    case 'resume-printer':
      return `resume ${printer}`;
    case 'print-test-page':
      return `print a test page on ${printer}`;
    case 'printer-driver':
      return `read the driver of ${printer}`;
    case 'point-and-print':
      return 'read the Point and Print policy';
    case 'spool-space':
      return 'read the free space of the spool folder';
  }
}

/** The PrintoError for a script's own error document. */
export function scriptFailure(
  script: WindowsScript,
  error: ScriptError,
  context: ScriptContext,
): PrintoError {
  const hresult = error.hresult?.toUpperCase().replace(/^0X/, '0x') ?? null;
  const action = describe(script, context);
  const printer = context.printer === undefined ? 'that printer' : `"${context.printer}"`;

  if (hresult === HResult.RpcServerUnavailable) {
    return new PrintoError(
      PrinterSystemErrorCode.Unreachable,
      `Cannot ${action}: the Windows Print Spooler service is not running or not answering.`,
      { hint: SPOOLER_HINT },
    );
  }
  if (
    error.id === 'PrinterNotFound' ||
    hresult === HResult.InvalidPrinterName ||
    hresult === HResult.PrinterNotFound
  ) {
    return new PrintoError(
      PrinterSystemErrorCode.PrinterNotFound,
      `There is no printer named ${printer} on this computer.`,
      { hint: 'List the printers to see their exact names.' },
    );
  }
  if (error.id === 'JobNotFound') {
    return new PrintoError(
      PrinterSystemErrorCode.JobNotFound,
      `Job ${context.jobId ?? '?'} is not in the queue of ${printer}.`,
      { hint: 'It may have finished or been cancelled already; list the jobs again.' },
    );
  }
  if (error.id === 'ActionNotPossible') {
    return new PrintoError(
      PrinterSystemErrorCode.NotPossible,
      `Cannot ${action}: ${error.message}`,
    );
  }
  if (hresult === HResult.AccessDenied || error.category === 'PermissionDenied') {
    return new PrintoError(
      PrinterSystemErrorCode.NotAuthorized,
      `Windows refused to ${action}: access denied.`,
      {
        hint: "Managing other people's jobs or pausing a printer needs the Manage Printers or Manage Documents permission; ask IT.",
      },
    );
  }
  return new PrintoError(
    PrinterSystemErrorCode.Failed,
    `Cannot ${action}: ${error.message}${hresult === null ? '' : ` (${hresult})`}`,
  );
}

export function badResponse(script: WindowsScript, detail: string, cause?: unknown): PrintoError {
  return new PrintoError(
    PrinterSystemErrorCode.BadResponse,
    `Unexpected output from ${script}.ps1: ${detail}.`,
    {
      hint: 'Printo Help could not read what Windows answered. Send the diagnostic report to support.',
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * Reads a finished run: the script's error document becomes the matching PrintoError; anything
 * that is not the expected JSON becomes print-service-bad-response naming the script. Never
 * throws anything but a PrintoError.
 */
export function readScriptResult<S extends WindowsScript>(
  script: S,
  result: PowerShellResult,
  context: ScriptContext = {},
): ScriptOutput<S> {
  const text = result.stdout.trim();
  let document: unknown;
  let parsed = false;
  if (text !== '') {
    try {
      document = JSON.parse(text);
      parsed = true;
    } catch {
      parsed = false;
    }
  }

  if (parsed) {
    const failure = ScriptErrorSchema.safeParse(document);
    if (failure.success) throw scriptFailure(script, failure.data.error, context);
  }

  if (result.exitCode !== 0) {
    if (!parsed && text === '') {
      // PowerShell failed before the script could answer: a policy that forbids unsigned
      // scripts, a missing script file, a crash. Its own words are on stderr.
      const signed = /digitally signed|execution polic/i.test(result.stderr);
      const said = excerpt(result.stderr);
      throw new PrintoError(
        PrinterSystemErrorCode.Failed,
        `PowerShell could not run ${script}.ps1 (exit code ${result.exitCode ?? 'none'}): ${said === '' ? 'no message' : said}`,
        {
          hint: signed
            ? 'A PowerShell execution policy set by Group Policy blocks the scripts of Printo Help; ask IT to allow them.'
            : 'Reinstalling Printo Help may restore missing files.',
        },
      );
    }
    throw badResponse(
      script,
      `exit code ${result.exitCode ?? 'none'} without an error report (${excerpt(result.stdout, 120)})`,
    );
  }

  if (text === '') throw badResponse(script, 'it printed nothing');
  if (!parsed) throw badResponse(script, `not JSON (${excerpt(text, 120)})`);

  const output = ScriptOutputSchemas[script].safeParse(document);
  if (!output.success) {
    const [issue] = output.error.issues;
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    throw badResponse(script, `${where}${issue?.message ?? 'invalid'}`, output.error);
  }
  return output.data as ScriptOutput<S>;
}

/**
 * Runs a script and reads its answer. Rejects with a PrintoError, or with the signal's reason
 * when aborted.
 */
export async function runScript<S extends WindowsScript>(
  runner: PowerShellRunner,
  script: S,
  args: ScriptArgs<S>,
  context: ScriptContext = {},
  options: { readonly signal?: AbortSignal | undefined } = {},
): Promise<ScriptOutput<S>> {
  const runOptions: RunOptions = options.signal === undefined ? {} : { signal: options.signal };
  const result = await runner.run(script, args, runOptions);
  return readScriptResult(script, result, context);
}

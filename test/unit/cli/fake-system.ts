import { PrintoError } from '../../../src-shared/errors.ts';
import type { Job } from '../../../src-shared/model/job.ts';
import type { Printer } from '../../../src-shared/model/printer.ts';
import type { PrinterSystem } from '../../../src-main/printers/printer-system.ts';
import { PrinterSystemErrorCode } from '../../../src-main/printers/printer-system.ts';
import { runCli } from '../../../src-main/cli/printo-help.ts';
import { makePrinter } from '../make-printer.ts';

/** A PrinterSystem in memory that records every action it is asked for. */
export function fakeSystem(
  printers: readonly Printer[],
  jobs: readonly Job[] = [],
): PrinterSystem & { readonly actions: string[] } {
  const actions: string[] = [];
  const find = (name: string): Printer => {
    const printer = printers.find((p) => p.name === name);
    if (printer === undefined) {
      throw new PrintoError(PrinterSystemErrorCode.PrinterNotFound, `No printer ${name}.`);
    }
    return printer;
  };
  const record = (what: string): Promise<void> =>
    Promise.resolve().then(() => {
      actions.push(what);
    });
  const jobAct =
    (what: string) =>
    (printer: string, jobId: number): Promise<void> => {
      find(printer);
      return record(`${what} ${printer} ${jobId}`);
    };
  const queueAct =
    (what: string) =>
    (printer: string): Promise<void> => {
      find(printer);
      return record(`${what} ${printer}`);
    };
  return {
    kind: 'cups',
    endpoint: 'memory',
    actions,
    listPrinters: () => Promise.resolve([...printers]),
    getPrinter: (name) => Promise.resolve().then(() => find(name)),
    listJobs: (printer) =>
      Promise.resolve(jobs.filter((j) => printer === undefined || j.printer === printer)),
    cancelJob: jobAct('cancel'),
    holdJob: jobAct('hold'),
    releaseJob: jobAct('release'),
    pausePrinter: queueAct('pause'),
    resumePrinter: queueAct('resume'),
    printTestPage: (printer) => queueAct('test-page')(printer).then(() => ({ jobId: 1 })),
    watch: () => Promise.reject(new Error('The CLI does not watch.')),
  };
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs printo-help in-process against `system`, colourless, at `columns` wide. */
export async function runWith(
  system: PrinterSystem,
  argv: readonly string[],
  columns?: number,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      color: false,
      ...(columns === undefined ? {} : { columns }),
    },
    { createSystem: () => system },
  );
  return { code, stdout, stderr };
}

export { makePrinter };

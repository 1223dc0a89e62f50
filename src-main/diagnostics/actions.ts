/**
 * The fixes the app performs itself, through PrinterSystem, once the user approved them. Anything
 * else (restart the spooler, reinstall a driver) is steps and a command for a person.
 */
import type { FixAction } from '../../src-shared/model/diagnostics.ts';
import type { CallOptions, PrinterSystem } from '../printers/printer-system.ts';

export interface ActionOutcome {
  readonly action: FixAction;
  /** What happened, in plain language. */
  readonly message: string;
  /** Jobs that could not be cancelled (already finished, gone), when some could. */
  readonly failures: readonly { readonly jobId: number; readonly error: string }[];
}

export async function performFixAction(
  system: PrinterSystem,
  action: FixAction,
  options: CallOptions = {},
): Promise<ActionOutcome> {
  switch (action.id) {
    case 'resume-queue':
      await system.resumePrinter(action.printer, options);
      return { action, message: `${action.printer} is resumed.`, failures: [] };
    case 'release-job':
      await system.releaseJob(action.printer, action.jobId, options);
      return {
        action,
        message: `Job ${action.jobId} on ${action.printer} is released.`,
        failures: [],
      };
    case 'print-test-page': {
      const { jobId } = await system.printTestPage(action.printer, options);
      return {
        action,
        message: `A test page is on its way to ${action.printer} (job ${jobId}).`,
        failures: [],
      };
    }
    case 'cancel-jobs': {
      const failures: { jobId: number; error: string }[] = [];
      let firstError: unknown;
      for (const jobId of action.jobIds) {
        try {
          await system.cancelJob(action.printer, jobId, options);
        } catch (error) {
          firstError ??= error;
          failures.push({ jobId, error: error instanceof Error ? error.message : String(error) });
        }
      }
      const cancelled = action.jobIds.length - failures.length;
      // Nothing done at all: that is a failure of the action, with the print system's own error.
      if (cancelled === 0) throw firstError;
      return {
        action,
        message: `${cancelled} job${cancelled === 1 ? '' : 's'} on ${action.printer} cancelled.`,
        failures,
      };
    }
  }
}

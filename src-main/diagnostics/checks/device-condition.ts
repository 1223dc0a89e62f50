import type { Evidence, Fix } from '../../../src-shared/model/diagnostics.ts';
import { explainPrinterReason } from '../../../src-shared/printing/knowledge.ts';
import { splitReasonSuffix } from '../../../src-shared/printing/state-reasons.ts';
import type { PrinterCheck } from '../check.ts';
import { askDevice } from './device.ts';

/** Handled by queue-ready, which can resume the queue. */
const QUEUE_REASONS = new Set(['paused', 'moving-to-paused']);

export const deviceConditionCheck: PrinterCheck = {
  id: 'device-condition',
  title: 'Printer condition',
  description:
    'Every problem the printer and its queue report (paper, toner, doors, jams…), explained, with what to do about it.',
  os: ['linux', 'darwin', 'win32'],
  scope: 'printer',
  network: true,
  async run(context, printer) {
    // The queue only learns the device's reasons while a job passes through it: ask the device
    // too when it speaks IPP, and merge.
    const answer = await askDevice(context, printer);
    const fromDevice = 'attributes' in answer ? answer.attributes.reasons : [];
    const raws = new Map<string, string>();
    for (const raw of [...printer.reasons.map((r) => r.raw), ...fromDevice]) {
      const [base] = splitReasonSuffix(raw);
      if (base === 'none' || QUEUE_REASONS.has(base) || raws.has(base)) continue;
      raws.set(base, raw);
    }
    // For diagnostics a reported condition is judged on its own, not capped by the queue
    // state: a jam on an idle printer still stops the next job.
    const explained = [...raws.values()].map((raw) => explainPrinterReason(raw, 'stopped'));
    const actionable = explained.filter((e) => e.severity !== 'report');
    if (actionable.length === 0) {
      return [
        {
          status: 'pass',
          summary: 'The printer reports no problems.',
          evidence: [{ label: 'Reasons', value: explained.map((e) => e.raw) }],
        },
      ];
    }
    const errors = actionable.filter((e) => e.severity === 'error');
    const fixes: Fix[] = [];
    for (const item of actionable) {
      if (item.fix === null || fixes.some((f) => f.title === item.fix?.title)) continue;
      fixes.push({
        title: item.fix.title,
        steps: [...item.fix.steps],
        ...(item.fix.command === undefined
          ? {}
          : { command: item.fix.command.replaceAll('<printer>', printer.name) }),
      });
    }
    const evidence: Evidence[] = [
      { label: 'Reported by the queue', value: printer.reasons.map((r) => r.raw) },
      { label: 'Reported by the printer', value: [...fromDevice] },
    ];
    return [
      {
        status: errors.length > 0 ? 'fail' : 'warn',
        summary: `${actionable.map((e) => e.title).join(', ')}.`,
        details: actionable.map((e) => `${e.title}: ${e.meaning}`).join('\n'),
        evidence,
        fixes,
      },
    ];
  },
};

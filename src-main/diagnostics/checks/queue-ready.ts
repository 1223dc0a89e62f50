import type { Fix } from '../../../src-shared/model/diagnostics.ts';
import type { PrinterCheck } from '../check.ts';

export const queueReadyCheck: PrinterCheck = {
  id: 'queue-ready',
  title: 'Queue ready',
  description: 'The print queue is not paused or stopped, and it accepts new jobs.',
  os: ['linux', 'darwin', 'win32'],
  scope: 'printer',
  network: false,
  run({ env }, printer) {
    const paused = printer.reasons.some((r) => r.keyword === 'paused');
    const fixes: Fix[] = [];
    const problems: string[] = [];
    if (printer.state === 'stopped') {
      problems.push(paused ? 'the queue is paused' : 'the queue is stopped');
      fixes.push({
        title: 'Resume the queue',
        steps: [
          'Choose "Resume" to let waiting jobs print.',
          "If the queue stops again at once, look at the printer's own problems below; if an administrator paused it on purpose, ask IT first.",
        ],
        action: { id: 'resume-queue', printer: printer.name },
        ...(env.system.kind === 'cups' ? { command: `cupsenable ${printer.name}` } : {}),
      });
    }
    if (!printer.acceptingJobs) {
      problems.push('it refuses new jobs');
      fixes.push({
        title: 'Let the queue accept jobs again',
        steps: [
          'Ask IT: the queue was set to reject new jobs, usually on purpose (maintenance or retirement).',
        ],
        ...(env.system.kind === 'cups' ? { command: `cupsaccept ${printer.name}` } : {}),
      });
    }
    if (problems.length === 0) {
      return Promise.resolve([{ status: 'pass', summary: 'The queue is ready and accepts jobs.' }]);
    }
    const waiting = printer.jobCount;
    return Promise.resolve([
      {
        status: 'fail',
        summary: `Nothing prints: ${problems.join(' and ')}.${waiting > 0 ? ` ${waiting} job${waiting === 1 ? ' is' : 's are'} waiting.` : ''}`,
        details: printer.stateMessage,
        evidence: [
          { label: 'Queue state', value: printer.state },
          { label: 'Accepting jobs', value: printer.acceptingJobs },
          { label: 'Waiting jobs', value: waiting },
        ],
        fixes,
      },
    ]);
  },
};

/**
 * The plain words every front end shows for the contract's values: what each scope lets the agent
 * do (the consent prompt), what a proposed action will do (the approval prompt), and a session
 * code as people read it. One catalogue, so the terminal and the desktop UI say the same thing.
 */
import type { ProposedAction, Scope } from '../protocol/v1.ts';

export const SCOPE_WORDS: Readonly<Record<Scope, { title: string; explanation: string }>> = {
  chat: { title: 'Chat', explanation: 'Send you messages and read yours.' },
  'printers.read': {
    title: 'See your printers',
    explanation: 'Names, models, status and queues of the printers on this computer.',
  },
  'diagnostics.read': {
    title: 'See the diagnostic report',
    explanation: 'What the printer checks found on this computer.',
  },
  'device.identifiers': {
    title: 'See device identifiers',
    explanation: 'Serial numbers, IP addresses and host names of your printers (hidden otherwise).',
  },
  'jobs.metadata': {
    title: 'See document names',
    explanation: 'Names and owners of print jobs (hidden otherwise).',
  },
  actions: {
    title: 'Propose fixes',
    explanation: 'Suggest actions such as resuming a queue; you approve each one when it arrives.',
  },
};

function jobs(ids: readonly number[]): string {
  return ids.length === 1 ? `job ${String(ids[0])}` : `${String(ids.length)} jobs`;
}

/** What an action proposed by the agent will do, as a question's subject. */
export function describeAction(action: ProposedAction): string {
  switch (action.id) {
    case 'resume-queue':
      return `Resume the printer ${action.printer}`;
    case 'cancel-jobs':
      return `Cancel ${jobs(action.jobIds)} on ${action.printer}`;
    case 'release-job':
      return `Release held job ${String(action.jobId)} on ${action.printer}`;
    case 'print-test-page':
      return `Print a test page on ${action.printer}`;
    case 'run-diagnostics':
      return action.printers === undefined || action.printers.length === 0
        ? 'Run the printer diagnostics'
        : `Run the printer diagnostics for ${action.printers.join(', ')}`;
  }
}

/** `123456789` → `123 456 789`, as the code is read out on the phone. */
export function formatSessionCode(code: string): string {
  return /^\d{9}$/.test(code) ? `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}` : code;
}

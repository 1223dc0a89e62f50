import type { Evidence, Fix } from '../../../src-shared/model/diagnostics.ts';
import type { Job } from '../../../src-shared/model/job.ts';
import type { Printer } from '../../../src-shared/model/printer.ts';
import { explainJobReason } from '../../../src-shared/printing/knowledge.ts';
import type { CheckOutcome, PrinterCheck } from '../check.ts';

/** Failed jobs older than this are history, not a current problem. */
const RECENT_FAILURE_MS = 24 * 60 * 60_000;
/** How many jobs a fix names one by one; more are summarised. */
const MAX_LISTED = 5;

/** Why this queue cannot print right now, or null when it can. */
function blockedBecause(printer: Printer): string | null {
  if (printer.state === 'stopped') {
    return printer.reasons.some((r) => r.keyword === 'paused')
      ? 'the queue is paused'
      : 'the queue is stopped';
  }
  const error = printer.reasons.find((r) => r.severity === 'error');
  if (error !== undefined) return 'the printer reports a problem';
  return null;
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} minute${m === 1 ? '' : 's'}`;
  return `${Math.round(m / 60)} hours`;
}

function jobEvidence(jobs: readonly Job[]): Evidence[] {
  return [
    { label: 'Jobs', value: jobs.map((j) => String(j.id)) },
    { label: 'Documents', value: jobs.map((j) => j.name ?? ''), sensitive: 'jobs.metadata' },
    {
      label: 'Owners',
      value: [...new Set(jobs.map((j) => j.owner ?? ''))],
      sensitive: 'jobs.metadata',
    },
  ];
}

function age(job: Job, now: number): number {
  const created = job.createdAt === null ? Number.NaN : Date.parse(job.createdAt);
  return Number.isNaN(created) ? 0 : Math.max(0, now - created);
}

export const stuckJobsCheck: PrinterCheck = {
  id: 'stuck-jobs',
  title: 'Stuck and held jobs',
  description:
    'Jobs waiting longer than the threshold while the printer cannot print, held jobs and why, and jobs that failed recently.',
  os: ['linux', 'darwin', 'win32'],
  scope: 'printer',
  network: false,
  run({ env, facts, stuckJobAfterMs }, printer) {
    const now = env.now();
    const jobs = facts.jobs.filter((j) => j.printer === printer.name);
    const outcomes: CheckOutcome[] = [];

    const blocked = blockedBecause(printer);
    const waiting = jobs.filter(
      (j) => j.state === 'pending' || j.state === 'processing' || j.state === 'processing-stopped',
    );
    const stuck = waiting.filter((j) => age(j, now) >= stuckJobAfterMs);
    if (
      stuck.length > 0 &&
      (blocked !== null || stuck.some((j) => j.state === 'processing-stopped'))
    ) {
      const oldest = Math.max(...stuck.map((j) => age(j, now)));
      const fixes: Fix[] = [];
      if (printer.state === 'stopped') {
        fixes.push({
          title: 'Resume the queue',
          steps: ['Choose "Resume": the waiting jobs then print in order.'],
          action: { id: 'resume-queue', printer: printer.name },
        });
      }
      fixes.push({
        title: 'Cancel the stuck jobs',
        steps: [
          'If the documents are no longer needed, cancel them; then print again what you still need.',
          'If new jobs get stuck too, the printer needs attention first (see its other findings).',
        ],
        action: {
          id: 'cancel-jobs',
          printer: printer.name,
          jobIds: stuck.slice(0, 50).map((j) => j.id),
        },
      });
      outcomes.push({
        status: 'fail',
        summary: `${stuck.length} job${stuck.length === 1 ? ' has' : 's have'} been waiting for up to ${minutes(oldest)} because ${blocked ?? 'the printer stopped while printing'}.`,
        evidence: jobEvidence(stuck),
        fixes,
      });
    } else if (waiting.length > 0 && blocked !== null) {
      outcomes.push({
        status: 'warn',
        summary: `${waiting.length} job${waiting.length === 1 ? ' is' : 's are'} waiting because ${blocked}.`,
        evidence: jobEvidence(waiting),
      });
    }

    const held = jobs.filter((j) => j.state === 'pending-held');
    if (held.length > 0) {
      const reasons = [...new Set(held.flatMap((j) => j.reasons))].filter((r) => r !== 'none');
      const explained = reasons.map((r) => explainJobReason(r));
      outcomes.push({
        status: 'warn',
        summary: `${held.length} job${held.length === 1 ? ' is' : 's are'} held and will not print until released.`,
        details: explained.map((e) => e.meaning).join('\n') || null,
        evidence: [...jobEvidence(held), { label: 'Reasons', value: reasons }],
        fixes: [
          ...held.slice(0, MAX_LISTED).map((job): Fix => ({
            title: `Release job ${job.id}`,
            steps: [
              'Release the job if you still want it printed.',
              ...explained.flatMap((e) => (e.fix === null ? [] : e.fix.steps)).slice(0, 2),
            ],
            action: { id: 'release-job', printer: printer.name, jobId: job.id },
          })),
        ],
      });
    }

    const failed = facts.completedJobs.filter(
      (j) =>
        j.printer === printer.name &&
        j.state === 'aborted' &&
        (j.completedAt === null || now - Date.parse(j.completedAt) <= RECENT_FAILURE_MS),
    );
    if (failed.length > 0) {
      const reasons = [...new Set(failed.flatMap((j) => j.reasons))].filter((r) => r !== 'none');
      const explained = reasons.map((r) => explainJobReason(r));
      outcomes.push({
        status: 'warn',
        summary: `${failed.length} job${failed.length === 1 ? '' : 's'} failed in the last day and did not print.`,
        details: explained.map((e) => e.meaning).join('\n') || null,
        evidence: [...jobEvidence(failed), { label: 'Reasons', value: reasons }],
        fixes: [
          ...explained.flatMap((e) =>
            e.fix === null ? [] : [{ title: e.fix.title, steps: [...e.fix.steps] }],
          ),
          {
            title: 'Print a test page',
            steps: ['Print a test page to see whether printing works again.'],
            action: { id: 'print-test-page', printer: printer.name },
          },
        ],
      });
    }

    if (outcomes.length === 0) {
      outcomes.push({
        status: 'pass',
        summary:
          jobs.length === 0
            ? 'No jobs are waiting.'
            : `${jobs.length} job${jobs.length === 1 ? ' is' : 's are'} in the queue; none is stuck.`,
      });
    }
    return Promise.resolve(outcomes);
  },
};

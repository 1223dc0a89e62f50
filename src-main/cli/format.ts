/** Terminal rendering for printo-help: tables people can read, with colour only on a terminal. */
import pc from 'picocolors';
import type { Job } from '../../src-shared/model/job.ts';
import type { Printer, Supply } from '../../src-shared/model/printer.ts';
import {
  jobStatusLabel,
  printerStatus,
  stateMessageWorthShowing,
} from '../../src-shared/printing/labels.ts';
import type { PrinterStatus } from '../../src-shared/printing/labels.ts';
import { loadWidthsFor, renderTable } from '../../src-shared/text/table.ts';

export interface Style {
  readonly color: boolean;
  /** Terminal width the tables fit in; none for a pipe or a file. */
  readonly columns?: number;
}

type Colors = ReturnType<typeof pc.createColors>;

function painter(style: Style, pick: (colors: Colors) => (text: string) => string) {
  const colors = pc.createColors(style.color);
  return (text: string): string => pick(colors)(text);
}

function tableOptions(style: Style): { width?: number; paintHeader: (text: string) => string } {
  return {
    ...(style.columns === undefined ? {} : { width: style.columns }),
    paintHeader: painter(style, (c) => c.bold),
  };
}

function supplyText(supply: Supply): string {
  const level = supply.level === null ? '?' : `${supply.level}%`;
  const note =
    supply.status === 'empty'
      ? supply.kind === 'waste'
        ? ' full'
        : ' empty'
      : supply.status === 'low'
        ? supply.kind === 'waste'
          ? ' almost full'
          : ' low'
        : '';
  return `${supply.name} ${level}${note}`;
}

function toneColor(tone: PrinterStatus['tone']): (colors: Colors) => (text: string) => string {
  return tone === 'error' ? (c) => c.red : tone === 'warning' ? (c) => c.yellow : (c) => c.green;
}

export async function printersTable(printers: readonly Printer[], style: Style): Promise<string> {
  await loadWidthsFor([JSON.stringify(printers)]);
  if (printers.length === 0) return 'No printers are set up on this computer.';
  const rows = printers.map((printer) => {
    const status = printerStatus(printer);
    return [
      printer.isDefault ? `${printer.name} (default)` : printer.name,
      { text: status.label, paint: painter(style, toneColor(status.tone)) },
      status.problems.join(', '),
      String(printer.jobCount),
      printer.supplies.map(supplyText).join(', '),
      printer.location ?? '',
      printer.driver ?? '',
    ];
  });
  const table = renderTable(
    [
      { header: 'PRINTER', shrink: false },
      { header: 'STATUS', minWidth: 10, overflow: 'wrap' },
      { header: 'PROBLEMS', overflow: 'wrap', minWidth: 12 },
      { header: 'JOBS', shrink: false, align: 'right' },
      { header: 'SUPPLIES', overflow: 'wrap', minWidth: 14 },
      { header: 'LOCATION' },
      { header: 'DRIVER' },
    ],
    rows,
    tableOptions(style),
  );
  const dim = painter(style, (c) => c.dim);
  const messages = printers.flatMap((p) => {
    const message = stateMessageWorthShowing(p);
    return message === null ? [] : [dim(`${p.name}: ${message}`)];
  });
  return [table, ...messages].join('\n');
}

function bytes(size: number | null): string {
  if (size === null) return '';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${Math.round(size / 1024)} KiB`;
  return `${(size / 1024 / 1024).toFixed(1)} MiB`;
}

function when(iso: string | null): string {
  if (iso === null) return '';
  const date = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * Pages of a job: CUPS counts the pages printed so far (job-impressions-completed) but knows the
 * total (job-impressions) only when the submitting program stated it.
 */
export function pagesText(job: Pick<Job, 'pages' | 'pagesCompleted'>): string {
  const done = job.pagesCompleted ?? 0;
  if (job.pages !== null && job.pages > 0)
    return done > 0 ? `${done} of ${job.pages}` : String(job.pages);
  return done > 0 ? `${done} printed` : '';
}

export async function jobsTable(jobs: readonly Job[], style: Style): Promise<string> {
  await loadWidthsFor([JSON.stringify(jobs)]);
  if (jobs.length === 0) return 'No jobs.';
  const attention = painter(style, (c) => c.yellow);
  return renderTable(
    [
      { header: 'JOB', shrink: false, align: 'right' },
      { header: 'PRINTER', shrink: false },
      { header: 'STATE', overflow: 'wrap', minWidth: 10 },
      { header: 'NAME', minWidth: 10 },
      { header: 'OWNER' },
      { header: 'SIZE', shrink: false, align: 'right' },
      { header: 'PAGES', shrink: false },
      { header: 'SUBMITTED', shrink: false },
    ],
    jobs.map((job) => {
      const state = jobStatusLabel(job);
      return [
        String(job.id),
        job.printer,
        job.state === 'pending-held' || job.state === 'aborted'
          ? { text: state, paint: attention }
          : state,
        job.name ?? '',
        job.owner ?? '',
        bytes(job.sizeBytes),
        pagesText(job),
        when(job.createdAt),
      ];
    }),
    tableOptions(style),
  );
}

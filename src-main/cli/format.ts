/** Terminal rendering for printo-help: tables people can read, with colour only on a terminal. */
import Table from 'cli-table3';
import pc from 'picocolors';
import type { Job } from '../../src-shared/model/job.ts';
import type { Printer, Supply } from '../../src-shared/model/printer.ts';
import { jobStateLabel, printerStatusLabel } from '../../src-shared/printing/labels.ts';

export interface Style {
  readonly color: boolean;
}

function paint(
  style: Style,
  pick: (colors: Colors) => (text: string) => string,
  text: string,
): string {
  return pick(pc.createColors(style.color))(text);
}
type Colors = ReturnType<typeof pc.createColors>;

function table(head: string[], style: Style): Table.Table {
  return new Table({
    head: head.map((h) => paint(style, (c) => c.bold, h)),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    wordWrap: false,
  });
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

function statusColor(printer: Printer): (colors: Colors) => (text: string) => string {
  if (printer.state === 'stopped' || printer.reasons.some((r) => r.severity === 'error')) {
    return (c) => c.red;
  }
  if (printer.reasons.some((r) => r.severity === 'warning') || !printer.acceptingJobs) {
    return (c) => c.yellow;
  }
  return (c) => c.green;
}

export function printersTable(printers: readonly Printer[], style: Style): string {
  if (printers.length === 0) return 'No printers are set up on this computer.';
  const out = table(['PRINTER', 'STATUS', 'JOBS', 'SUPPLIES', 'LOCATION', 'DRIVER'], style);
  for (const printer of printers) {
    out.push([
      printer.isDefault
        ? `${printer.name} ${paint(style, (c) => c.dim, '(default)')}`
        : printer.name,
      paint(style, statusColor(printer), printerStatusLabel(printer)),
      String(printer.jobCount),
      printer.supplies.map(supplyText).join(', '),
      printer.location ?? '',
      printer.driver ?? '',
    ]);
  }
  const messages = printers
    .filter((p) => p.stateMessage !== null && p.state !== 'idle')
    .map((p) => `${p.name}: ${p.stateMessage ?? ''}`);
  return [out.toString(), ...messages.map((m) => paint(style, (c) => c.dim, m))].join('\n');
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

export function jobsTable(jobs: readonly Job[], style: Style): string {
  if (jobs.length === 0) return 'No jobs.';
  const out = table(
    ['JOB', 'PRINTER', 'STATE', 'NAME', 'OWNER', 'SIZE', 'PAGES', 'SUBMITTED'],
    style,
  );
  for (const job of jobs) {
    const reasons = job.reasons.filter((r) => r !== 'none' && r !== 'job-printing');
    const state = jobStateLabel(job.state) + (reasons.length > 0 ? ` (${reasons.join(', ')})` : '');
    out.push([
      String(job.id),
      job.printer,
      job.state === 'pending-held' || job.state === 'aborted'
        ? paint(style, (c) => c.yellow, state)
        : state,
      job.name ?? '',
      job.owner ?? '',
      bytes(job.sizeBytes),
      job.pages === null ? '' : String(job.pages),
      when(job.createdAt),
    ]);
  }
  return out.toString();
}

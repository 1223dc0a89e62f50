import { z } from 'zod';
import type { JobState } from '../model/job.ts';
import type { PrinterState } from '../model/printer.ts';

/*
 * Windows spooler → IPP crosswalk. Every Windows status source is a number (a bit mask or an
 * enumeration); these pure functions turn them into IPP printer-state-reasons keywords,
 * printer-state and job-state so the rest of the app sees one model (reference/printing.md §3).
 */

/** PRINTER_STATUS_* bits (winspool.h; MS-RPRN §2.2.3.12), also reported by MSFT_Printer.PrinterStatus. */
export const PrinterStatusBit = {
  Paused: 0x1,
  Error: 0x2,
  PendingDeletion: 0x4,
  PaperJam: 0x8,
  PaperOut: 0x10,
  ManualFeed: 0x20,
  PaperProblem: 0x40,
  Offline: 0x80,
  IoActive: 0x100,
  Busy: 0x200,
  Printing: 0x400,
  OutputBinFull: 0x800,
  NotAvailable: 0x1000,
  Waiting: 0x2000,
  Processing: 0x4000,
  Initializing: 0x8000,
  WarmingUp: 0x10000,
  TonerLow: 0x20000,
  NoToner: 0x40000,
  PagePunt: 0x80000,
  UserIntervention: 0x100000,
  OutOfMemory: 0x200000,
  DoorOpen: 0x400000,
  ServerUnknown: 0x800000,
  PowerSave: 0x1000000,
} as const;

/** PRINTER_ATTRIBUTE_* bits, as in Win32_Printer.Attributes. */
export const PrinterAttributeBit = {
  Queued: 0x1,
  Direct: 0x2,
  Default: 0x4,
  Shared: 0x8,
  Network: 0x10,
  Hidden: 0x20,
  Local: 0x40,
  EnableDevq: 0x80,
  KeepPrintedJobs: 0x100,
  DoCompleteFirst: 0x200,
  WorkOffline: 0x400,
  EnableBidi: 0x800,
  RawOnly: 0x1000,
  Published: 0x2000,
} as const;

/** JOB_STATUS_* bits (winspool.h), as in MSFT_PrintJob.JobStatus. A mask: several bits at once. */
export const JobStatusBit = {
  Paused: 0x1,
  Error: 0x2,
  Deleting: 0x4,
  Spooling: 0x8,
  Printing: 0x10,
  Offline: 0x20,
  PaperOut: 0x40,
  Printed: 0x80,
  Deleted: 0x100,
  BlockedDevq: 0x200,
  UserIntervention: 0x400,
  Restart: 0x800,
  Complete: 0x1000,
  Retained: 0x2000,
  RenderingLocally: 0x4000,
} as const;

/** Win32_Printer.PrinterStatus (CIM_Printer). 3 "Idle" may only mean the driver reports nothing. */
export const Win32PrinterStatus = {
  Other: 1,
  Unknown: 2,
  Idle: 3,
  Printing: 4,
  Warmup: 5,
  StoppedPrinting: 6,
  Offline: 7,
} as const;

/** Win32_Printer.ExtendedPrinterStatus. */
export const ExtendedPrinterStatus = {
  Other: 1,
  Unknown: 2,
  Idle: 3,
  Printing: 4,
  WarmingUp: 5,
  StoppedPrinting: 6,
  Offline: 7,
  Paused: 8,
  Error: 9,
  Busy: 10,
  NotAvailable: 11,
  Waiting: 12,
  Processing: 13,
  Initialization: 14,
  PowerSave: 15,
  PendingDeletion: 16,
  IoActive: 17,
  ManualFeed: 18,
} as const;

/** Win32_Printer.DetectedErrorState. */
export const DetectedErrorState = {
  Unknown: 0,
  Other: 1,
  NoError: 2,
  LowPaper: 3,
  NoPaper: 4,
  LowToner: 5,
  NoToner: 6,
  DoorOpen: 7,
  Jammed: 8,
  Offline: 9,
  ServiceRequested: 10,
  OutputBinFull: 11,
} as const;

/** True when `bit` is set in `mask`. Masks are uint32; `>>> 0` keeps bit 31 positive. */
export function hasBit(mask: number, bit: number): boolean {
  return (mask & bit) >>> 0 !== 0;
}

/** PRINTER_STATUS bit → IPP keyword, in bit order (reference §3 crosswalk). */
const PRINTER_STATUS_REASONS: readonly (readonly [number, string])[] = [
  [PrinterStatusBit.Paused, 'paused'],
  [PrinterStatusBit.Error, 'other'],
  [PrinterStatusBit.PaperJam, 'media-jam'],
  [PrinterStatusBit.PaperOut, 'media-empty'],
  [PrinterStatusBit.ManualFeed, 'media-needed'],
  [PrinterStatusBit.PaperProblem, 'media-needed'],
  [PrinterStatusBit.Offline, 'offline'],
  [PrinterStatusBit.OutputBinFull, 'output-area-full'],
  [PrinterStatusBit.NotAvailable, 'offline'],
  [PrinterStatusBit.TonerLow, 'toner-low'],
  [PrinterStatusBit.NoToner, 'toner-empty'],
  [PrinterStatusBit.PagePunt, 'interpreter-resource-unavailable'],
  [PrinterStatusBit.UserIntervention, 'other'],
  [PrinterStatusBit.OutOfMemory, 'spool-area-full'],
  [PrinterStatusBit.DoorOpen, 'door-open'],
];

/** IPP keywords for a PRINTER_STATUS mask; duplicates removed, order stable. */
export function printerStatusReasons(mask: number): string[] {
  const reasons: string[] = [];
  for (const [bit, keyword] of PRINTER_STATUS_REASONS) {
    if (hasBit(mask, bit) && !reasons.includes(keyword)) reasons.push(keyword);
  }
  return reasons;
}

/** Win32_Printer.Attributes: only WORK_OFFLINE ("Use Printer Offline") says anything about state. */
export function attributesReasons(attributes: number): string[] {
  return hasBit(attributes, PrinterAttributeBit.WorkOffline) ? ['offline'] : [];
}

const DETECTED_ERROR_STATE_REASONS: Readonly<Partial<Record<number, string>>> = {
  [DetectedErrorState.LowPaper]: 'media-low',
  [DetectedErrorState.NoPaper]: 'media-empty',
  [DetectedErrorState.LowToner]: 'toner-low',
  [DetectedErrorState.NoToner]: 'toner-empty',
  [DetectedErrorState.DoorOpen]: 'door-open',
  [DetectedErrorState.Jammed]: 'media-jam',
  [DetectedErrorState.Offline]: 'offline',
  [DetectedErrorState.ServiceRequested]: 'other',
  [DetectedErrorState.OutputBinFull]: 'output-area-full',
};

/** IPP keyword for Win32_Printer.DetectedErrorState; null for Unknown, Other and No Error. */
export function detectedErrorStateReason(value: number): string | null {
  return DETECTED_ERROR_STATE_REASONS[value] ?? null;
}

const EXTENDED_STATUS_REASONS: Readonly<Partial<Record<number, string>>> = {
  [ExtendedPrinterStatus.StoppedPrinting]: 'other',
  [ExtendedPrinterStatus.Offline]: 'offline',
  [ExtendedPrinterStatus.Paused]: 'paused',
  [ExtendedPrinterStatus.Error]: 'other',
  [ExtendedPrinterStatus.NotAvailable]: 'offline',
  [ExtendedPrinterStatus.ManualFeed]: 'media-needed',
};

/**
 * IPP keywords for Win32_Printer.PrinterStatus / ExtendedPrinterStatus, read the same way as the
 * PRINTER_STATUS bits they summarise (Offline, Paused, Not Available, Manual Feed, Error).
 */
export function win32StatusReasons(
  printerStatus: number | null,
  extendedPrinterStatus: number | null,
): string[] {
  const reasons: string[] = [];
  const add = (keyword: string | undefined): void => {
    if (keyword !== undefined && !reasons.includes(keyword)) reasons.push(keyword);
  };
  if (printerStatus === Win32PrinterStatus.Offline) add('offline');
  if (printerStatus === Win32PrinterStatus.StoppedPrinting) add('other');
  if (extendedPrinterStatus !== null) add(EXTENDED_STATUS_REASONS[extendedPrinterStatus]);
  return reasons;
}

/** Everything Windows says about one printer's condition, as read by the list-printers script. */
export const WindowsPrinterConditionSchema = z.object({
  /** MSFT_Printer.PrinterStatus: PRINTER_STATUS bits, 0 = normal. */
  printerStatus: z.number().int().min(0),
  /** The Win32_Printer fields are null when Win32_Printer had no entry for the queue. */
  win32PrinterStatus: z.number().int().nullable(),
  extendedPrinterStatus: z.number().int().nullable(),
  detectedErrorState: z.number().int().nullable(),
  attributes: z.number().int().min(0).nullable(),
  workOffline: z.boolean().nullable(),
});
export type WindowsPrinterCondition = z.infer<typeof WindowsPrinterConditionSchema>;

/** Reasons that mean the queue cannot print until someone acts: they make the state `stopped`. */
const STOPPING_REASONS: ReadonlySet<string> = new Set([
  'paused',
  'offline',
  'other',
  'media-jam',
  'media-empty',
  'media-needed',
  'toner-empty',
  'door-open',
  'output-area-full',
]);

const PROCESSING_BITS =
  PrinterStatusBit.Printing |
  PrinterStatusBit.Processing |
  PrinterStatusBit.Busy |
  PrinterStatusBit.IoActive |
  PrinterStatusBit.WarmingUp |
  PrinterStatusBit.Initializing;

const PROCESSING_EXTENDED: ReadonlySet<number> = new Set([
  ExtendedPrinterStatus.Printing,
  ExtendedPrinterStatus.WarmingUp,
  ExtendedPrinterStatus.Busy,
  ExtendedPrinterStatus.Processing,
  ExtendedPrinterStatus.Initialization,
  ExtendedPrinterStatus.IoActive,
]);

/**
 * Raw IPP keywords (no suffix) for a printer, from every source combined. `other` is dropped when
 * a specific problem explains the same condition: Windows tends to set ERROR next to PAPER_JAM.
 */
export function windowsPrinterReasons(condition: WindowsPrinterCondition): string[] {
  const all = [
    ...printerStatusReasons(condition.printerStatus),
    ...(condition.workOffline === true ? ['offline'] : []),
    ...(condition.attributes === null ? [] : attributesReasons(condition.attributes)),
    ...win32StatusReasons(condition.win32PrinterStatus, condition.extendedPrinterStatus),
  ];
  const detected =
    condition.detectedErrorState === null
      ? null
      : detectedErrorStateReason(condition.detectedErrorState);
  if (detected !== null) all.push(detected);

  const unique = [...new Set(all)];
  const specific = unique.filter((keyword) => keyword !== 'other' && keyword !== 'paused');
  return specific.length > 0 ? unique.filter((keyword) => keyword !== 'other') : unique;
}

/**
 * printer-state for a Windows queue. Offline counts as stopped: the spooler keeps jobs in the
 * queue and sends nothing while "Use Printer Offline" is set or the port monitor reports offline.
 */
export function windowsPrinterState(condition: WindowsPrinterCondition): PrinterState {
  if (windowsPrinterReasons(condition).some((keyword) => STOPPING_REASONS.has(keyword))) {
    return 'stopped';
  }
  const win32Busy =
    condition.win32PrinterStatus === Win32PrinterStatus.Printing ||
    condition.win32PrinterStatus === Win32PrinterStatus.Warmup ||
    (condition.extendedPrinterStatus !== null &&
      PROCESSING_EXTENDED.has(condition.extendedPrinterStatus));
  if (hasBit(condition.printerStatus, PROCESSING_BITS) || win32Busy) return 'processing';

  // A connection whose print server does not answer, or a driver that reports nothing at all.
  const win32Unknown =
    condition.win32PrinterStatus === Win32PrinterStatus.Unknown &&
    (condition.extendedPrinterStatus === null ||
      condition.extendedPrinterStatus === ExtendedPrinterStatus.Unknown);
  if (hasBit(condition.printerStatus, PrinterStatusBit.ServerUnknown) || win32Unknown) {
    return 'unknown';
  }
  return 'idle';
}

/** A queue being deleted refuses new jobs; a paused or offline queue still accepts and keeps them. */
export function windowsAcceptingJobs(condition: WindowsPrinterCondition): boolean {
  return !(
    hasBit(condition.printerStatus, PrinterStatusBit.PendingDeletion) ||
    condition.extendedPrinterStatus === ExtendedPrinterStatus.PendingDeletion
  );
}

const JOB_STOPPED_BITS =
  JobStatusBit.Error | JobStatusBit.Offline | JobStatusBit.PaperOut | JobStatusBit.UserIntervention;

/**
 * job-state for a JobStatus mask. Precedence: printed/complete/retained beat deleting (the spooler
 * deletes printed jobs as routine clean-up); BLOCKED_DEVQ ("the driver cannot print the job") is
 * final; a paused job is held; ERROR/OFFLINE/PAPEROUT on a job that is printing or failed is
 * stopped (Windows keeps it in the queue and retries, so it is not final); SPOOLING is still
 * arriving; 0 is waiting its turn.
 */
export function jobStatusToState(mask: number): JobState {
  if (hasBit(mask, JobStatusBit.Printed | JobStatusBit.Complete | JobStatusBit.Retained)) {
    return 'completed';
  }
  if (hasBit(mask, JobStatusBit.Deleted | JobStatusBit.Deleting)) return 'canceled';
  if (hasBit(mask, JobStatusBit.BlockedDevq)) return 'aborted';
  if (hasBit(mask, JobStatusBit.Paused)) {
    return hasBit(mask, JobStatusBit.Printing) ? 'processing-stopped' : 'pending-held';
  }
  if (hasBit(mask, JOB_STOPPED_BITS)) {
    return hasBit(mask, JobStatusBit.Printing | JobStatusBit.Error)
      ? 'processing-stopped'
      : 'pending';
  }
  if (hasBit(mask, JobStatusBit.Printing)) return 'processing';
  return 'pending';
}

/** IPP job-state-reasons (RFC 8011 §5.3.8, PWG 5100.x) for a JobStatus mask. */
export function jobStatusReasons(mask: number): string[] {
  const reasons: string[] = [];
  const add = (keyword: string): void => {
    if (!reasons.includes(keyword)) reasons.push(keyword);
  };
  const state = jobStatusToState(mask);
  if (state === 'completed') {
    // COMPLETE alone: Windows has sent every byte; the device may still be printing it.
    add(
      hasBit(mask, JobStatusBit.Printed | JobStatusBit.Retained)
        ? 'job-completed-successfully'
        : 'queued-in-device',
    );
    return reasons;
  }
  if (hasBit(mask, JobStatusBit.Deleting)) add('processing-to-stop-point');
  if (hasBit(mask, JobStatusBit.BlockedDevq)) {
    add('document-unprintable-error');
    add('aborted-by-system');
  }
  if (hasBit(mask, JobStatusBit.Paused)) {
    add(state === 'pending-held' ? 'job-hold-until-specified' : 'job-suspended');
  }
  if (state === 'processing-stopped' || state === 'pending') {
    if (hasBit(mask, JOB_STOPPED_BITS)) add('printer-stopped');
  }
  if (hasBit(mask, JobStatusBit.Spooling)) add('job-incoming');
  if (hasBit(mask, JobStatusBit.Printing)) add('job-printing');
  return reasons;
}

/** ServiceControllerStatus, as `[int](Get-Service Spooler).Status` prints it. */
const SERVICE_STATUS = [
  'stopped',
  'start-pending',
  'stop-pending',
  'running',
  'continue-pending',
  'pause-pending',
  'paused',
] as const;
export const ServiceStatusSchema = z.enum([...SERVICE_STATUS, 'unknown']);
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

const SERVICE_START_TYPE: Readonly<Partial<Record<number, ServiceStartType>>> = {
  0: 'boot',
  1: 'system',
  2: 'automatic',
  3: 'manual',
  4: 'disabled',
};
export const ServiceStartTypeSchema = z.enum([
  'boot',
  'system',
  'automatic',
  'manual',
  'disabled',
  'unknown',
]);
export type ServiceStartType = z.infer<typeof ServiceStartTypeSchema>;

/** Get-Service Status: 1 Stopped … 4 Running … 7 Paused. */
export function serviceStatusName(value: number): ServiceStatus {
  return SERVICE_STATUS[value - 1] ?? 'unknown';
}

/** Get-Service StartType: 2 Automatic, 3 Manual, 4 Disabled. */
export function serviceStartTypeName(value: number): ServiceStartType {
  return SERVICE_START_TYPE[value] ?? 'unknown';
}

/** The Print Spooler service, normalised (for diagnostics). */
export const SpoolerStatusSchema = z.object({
  status: ServiceStatusSchema,
  startType: ServiceStartTypeSchema,
  running: z.boolean(),
});
export type SpoolerStatus = z.infer<typeof SpoolerStatusSchema>;

/** A printer's driver, normalised from Get-PrinterDriver (for diagnostics). */
export const WindowsDriverSchema = z.object({
  name: z.string().min(1),
  manufacturer: z.string().nullable(),
  /** 3 = v3 (vendor) driver, 4 = v4 driver; class drivers are v4. */
  majorVersion: z.number().int().nullable(),
  /** `major.minor.build.revision`, unpacked from DriverVersion inside PowerShell. */
  version: z.string().nullable(),
  date: z.iso.datetime({ offset: true }).nullable(),
  isPackageAware: z.boolean().nullable(),
  environment: z.string().nullable(),
  infPath: z.string().nullable(),
  provider: z.string().nullable(),
});
export type WindowsDriver = z.infer<typeof WindowsDriverSchema>;

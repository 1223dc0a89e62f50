/**
 * CUPS IPP attributes → the normalised printer and job model. Pure functions: whatever the
 * scheduler sends (a broken or hostile one included) becomes a valid model or a PrintoError.
 */
import { PrintoError } from '../../../src-shared/errors.ts';
import { JobSchema, JobStateSchema } from '../../../src-shared/model/job.ts';
import type { Job } from '../../../src-shared/model/job.ts';
import { PrinterSchema, PrinterStateSchema } from '../../../src-shared/model/printer.ts';
import type { Printer, Supply } from '../../../src-shared/model/printer.ts';
import { normaliseReasons } from '../../../src-shared/printing/state-reasons.ts';
import { suppliesFromMarkers } from '../../../src-shared/printing/supplies.ts';
import type { IppAttributes } from '../ipp/attributes.ts';
import { PrinterSystemErrorCode } from '../printer-system.ts';

/** CUPS printer-type bits (cups.h, cups_ptype_e). */
const CUPS_PRINTER_CLASS = 0x0001;
const CUPS_PRINTER_DEFAULT = 0x20000;

/** Supply levels as CUPS (and IPP Everywhere devices) report them (CUPS marker-* extension). */
export const MARKER_ATTRIBUTES = [
  'marker-names',
  'marker-types',
  'marker-colors',
  'marker-levels',
  'marker-low-levels',
  'marker-high-levels',
] as const;

/** Supplies from the marker-* attributes of a queue's or a device's printer group. */
export function suppliesFromMarkerAttributes(group: IppAttributes): Supply[] {
  return suppliesFromMarkers({
    names: group.strings('marker-names'),
    types: group.strings('marker-types'),
    colors: group.strings('marker-colors'),
    levels: group.integers('marker-levels'),
    lowLevels: group.integers('marker-low-levels'),
    highLevels: group.integers('marker-high-levels'),
  });
}

export const PRINTER_ATTRIBUTES = [
  'printer-name',
  'printer-info',
  'printer-location',
  'printer-make-and-model',
  'device-uri',
  'printer-uri-supported',
  'printer-type',
  'printer-is-shared',
  'printer-state',
  'printer-state-reasons',
  'printer-state-message',
  'printer-is-accepting-jobs',
  'queued-job-count',
  ...MARKER_ATTRIBUTES,
] as const;

export const JOB_ATTRIBUTES = [
  'job-id',
  'job-printer-uri',
  'job-name',
  'job-originating-user-name',
  'job-k-octets',
  'job-impressions',
  'job-impressions-completed',
  'job-state',
  'job-state-reasons',
  'time-at-creation',
  'time-at-processing',
  'time-at-completed',
] as const;

/** Largest time CUPS can mean (time_t in seconds within what Date represents). */
const MAX_EPOCH_SECONDS = 8.64e12;

/** CUPS reports times as seconds since the epoch (time-at-*); 0 means "not yet". */
function epochSeconds(value: number | undefined): string | null {
  return value === undefined || value <= 0 || value > MAX_EPOCH_SECONDS
    ? null
    : new Date(value * 1000).toISOString();
}

function count(value: number | undefined): number | null {
  return value === undefined || value < 0 ? null : value;
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value;
}

/** `Acme Laser 1 - IPP Everywhere` → `Acme Laser 1`: the device part of a PPD nickname. */
function deviceModelOf(makeAndModel: string | null): string | null {
  if (makeAndModel === null) return null;
  return makeAndModel.replace(/\s+-\s+IPP Everywhere.*$/i, '').replace(/,\s*driverless.*$/i, '');
}

/** `ipp://localhost/printers/Office` → `Office`. */
export function queueNameFromUri(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const match = /\/(?:printers|classes)\/([^/?#]+)$/.exec(uri);
  if (match?.[1] === undefined) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

function badResponse(endpoint: string, what: string): PrintoError {
  return new PrintoError(PrinterSystemErrorCode.BadResponse, `CUPS at ${endpoint} sent ${what}.`, {
    hint: 'The print service may be damaged or not CUPS; restarting it may help.',
  });
}

export function printerFromAttributes(group: IppAttributes, endpoint: string): Printer {
  const type = group.integer('printer-type') ?? 0;
  const state = PrinterStateSchema.catch('unknown').parse(group.enumName('printer-state'));
  const driver = nonEmpty(group.string('printer-make-and-model'));
  const name =
    nonEmpty(group.string('printer-name')) ??
    queueNameFromUri(group.string('printer-uri-supported'));
  if (name === undefined) throw badResponse(endpoint, 'a queue without a name');
  const parsed = PrinterSchema.safeParse({
    name,
    description: nonEmpty(group.string('printer-info')),
    location: nonEmpty(group.string('printer-location')),
    makeAndModel: deviceModelOf(driver),
    driver: (type & CUPS_PRINTER_CLASS) !== 0 ? 'printer class' : driver,
    connection: { uri: nonEmpty(group.string('device-uri')), port: null },
    isDefault: (type & CUPS_PRINTER_DEFAULT) !== 0,
    isShared: group.boolean('printer-is-shared') ?? false,
    state,
    reasons: normaliseReasons(group.strings('printer-state-reasons'), state),
    stateMessage: nonEmpty(group.string('printer-state-message')),
    supplies: suppliesFromMarkerAttributes(group),
    acceptingJobs: group.boolean('printer-is-accepting-jobs') ?? true,
    jobCount: Math.max(0, group.integer('queued-job-count') ?? 0),
  });
  if (!parsed.success) throw badResponse(endpoint, `an unusable description of ${name}`);
  return parsed.data;
}

/**
 * One job group → a Job, or undefined for a group without a usable id (a trailing empty group,
 * or a job CUPS hides from this user).
 */
export function jobFromAttributes(
  group: IppAttributes,
  printer: string | undefined,
  endpoint: string,
): Job | undefined {
  const id = group.integer('job-id');
  if (id === undefined || id <= 0) return undefined;
  const kOctets = count(group.integer('job-k-octets'));
  const parsed = JobSchema.safeParse({
    id,
    printer: queueNameFromUri(group.string('job-printer-uri')) ?? printer ?? 'unknown',
    name: nonEmpty(group.string('job-name')),
    owner: nonEmpty(group.string('job-originating-user-name')),
    sizeBytes: kOctets === null ? null : kOctets * 1024,
    pages: count(group.integer('job-impressions')),
    pagesCompleted: count(group.integer('job-impressions-completed')),
    // An unknown job-state (a future IPP value) still means the job is not finished.
    state: JobStateSchema.catch('pending').parse(group.enumName('job-state')),
    reasons: group.strings('job-state-reasons').filter((reason) => reason !== 'none'),
    createdAt: epochSeconds(group.integer('time-at-creation')),
    processingAt: epochSeconds(group.integer('time-at-processing')),
    completedAt: epochSeconds(group.integer('time-at-completed')),
  });
  if (!parsed.success) throw badResponse(endpoint, `an unusable description of job ${id}`);
  return parsed.data;
}

import { z } from 'zod';
import {
  ServiceStartTypeSchema,
  ServiceStatusSchema,
  serviceStartTypeName,
  serviceStatusName,
} from '../../../src-shared/printing/windows.ts';

/*
 * What the scripts in resources/windows take and print. Outputs are read as both Windows
 * PowerShell 5.1 and PowerShell 7 write them: 5.1 dates are `\/Date(ms)\/` and 7 dates ISO 8601;
 * one object may stand where an array is expected (pipeline unrolling); CIM properties the
 * provider leaves empty arrive as null.
 */

// ---------------------------------------------------------------------------------------------
// Inputs: one JSON object per script, passed as data (PRINTO_ARGS), never on the command line.

const printerName = z.string().min(1);
const jobId = z.number().int().positive().max(0xffffffff);

export const ScriptArgsSchemas = {
  'list-printers': z.strictObject({ name: printerName.optional() }),
  'list-jobs': z.strictObject({ printer: printerName.optional() }),
  'spooler-status': z.strictObject({}),
  'cancel-job': z.strictObject({ printer: printerName, jobId }),
  'hold-job': z.strictObject({ printer: printerName, jobId }),
  'release-job': z.strictObject({ printer: printerName, jobId }),
  'pause-printer': z.strictObject({ printer: printerName }),
  'resume-printer': z.strictObject({ printer: printerName }),
  'print-test-page': z.strictObject({ printer: printerName }),
  'printer-driver': z.strictObject({ printer: printerName }),
  'point-and-print': z.strictObject({}),
  'spool-space': z.strictObject({}),
} as const;

export type WindowsScript = keyof typeof ScriptArgsSchemas;
export type ScriptArgs<S extends WindowsScript> = z.input<(typeof ScriptArgsSchemas)[S]>;
export const WINDOWS_SCRIPTS = Object.keys(ScriptArgsSchemas) as readonly WindowsScript[];

// ---------------------------------------------------------------------------------------------
// Dates

const PS51_DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

/** Earlier than this, a CIM date is DateTime.MinValue or the FILETIME epoch: "not set". */
const EARLIEST_REAL_DATE = Date.UTC(1980, 0, 1);

function isoToEpoch(match: RegExpExecArray): number | undefined {
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const zone = match[8];
  // Date.UTC rolls 31 February over into March: such a date was never real.
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (zone === undefined) {
    // A DateTime of kind Local or Unspecified: PowerShell ran on this machine, so read it in the
    // local zone of this process.
    return new Date(year, month - 1, day, hour, minute, second, millis).getTime();
  }
  const offset =
    zone === 'Z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
}

/**
 * A date as PowerShell serialised it → ISO 8601 in UTC; null when it means "not set";
 * undefined when it is not a date at all.
 */
export function parsePowerShellDate(text: string): string | null | undefined {
  const ps51 = PS51_DATE.exec(text);
  const iso = ps51 === null ? ISO_DATE.exec(text) : null;
  const ms = ps51 !== null ? Number(ps51[1]) : iso !== null ? isoToEpoch(iso) : undefined;
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  return ms < EARLIEST_REAL_DATE ? null : new Date(ms).toISOString();
}

/** CIM datetime `yyyymmddHHMMSS.mmmmmmsUUU` (UUU: offset in minutes); `*` marks a field not given. */
const DMTF_DATE =
  /^(\d{4})(\d{2})(\d{2})(\d{2}|\*{2})(\d{2}|\*{2})(\d{2}|\*{2})\.(\d{6}|\*{6})([+-])(\d{3}|\*{3})$/;

/**
 * A CIM datetime as WMI writes it (`20230801000000.******+000`, Win32_PnPSignedDriver.DriverDate)
 * → ISO 8601 in UTC; null when it means "not set"; undefined when it is not one.
 */
export function parseDmtfDate(text: string): string | null | undefined {
  const match = DMTF_DATE.exec(text);
  if (match === null) return undefined;
  const field = (index: number): number => {
    const value = match[index] ?? '';
    return value.startsWith('*') ? 0 : Number(value);
  };
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map(field) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Math.floor(field(7) / 1000);
  const offset = (match[8] === '-' ? -1 : 1) * field(9);
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
  return ms < EARLIEST_REAL_DATE ? null : new Date(ms).toISOString();
}

const psDate = z
  .union([
    z.string(),
    // Windows PowerShell 5.1 wraps a DateTime that carries ETS notes as { value, DisplayHint }.
    z.object({ value: z.string() }).transform((wrapped) => wrapped.value),
  ])
  .nullish()
  .transform((value, ctx) => {
    if (value === null || value === undefined) return null;
    const parsed = parsePowerShellDate(value);
    if (parsed === undefined) {
      ctx.issues.push({ code: 'custom', message: `not a PowerShell date: ${value}`, input: value });
      return z.NEVER;
    }
    return parsed;
  });

/** A CIM datetime in its DMTF text, or a DateTime as either PowerShell edition serialises it. */
const cimDate = z
  .string()
  .nullish()
  .transform((value, ctx) => {
    if (value === null || value === undefined) return null;
    const dmtf = parseDmtfDate(value);
    const parsed = dmtf === undefined ? parsePowerShellDate(value) : dmtf;
    if (parsed === undefined) {
      ctx.issues.push({ code: 'custom', message: `not a CIM date: ${value}`, input: value });
      return z.NEVER;
    }
    return parsed;
  });

// ---------------------------------------------------------------------------------------------
// Building blocks

const text = z
  .string()
  .nullish()
  .transform((value) => value ?? null);
const int = z
  .number()
  .int()
  .nullish()
  .transform((value) => value ?? null);
const bool = z
  .boolean()
  .nullish()
  .transform((value) => value ?? null);

/**
 * Windows PowerShell 5.1 prints an array that carries ETS members as `{"value":[...],"Count":n}`
 * (PowerShell/PowerShell#3153, #5579): unwrap it.
 */
function unwrapEtsArray(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const wrapped = value as { value?: unknown };
  return keys.length === 2 && keys.includes('Count') && Array.isArray(wrapped.value)
    ? wrapped.value
    : value;
}

/** An array, whether PowerShell printed an array, one object, or null for "nothing". */
function psArray<T extends z.ZodType>(item: T) {
  return z.preprocess((raw): unknown[] => {
    const value = unwrapEtsArray(raw);
    return value === null ? [] : Array.isArray(value) ? (value as unknown[]) : [value];
  }, z.array(item));
}

/** Exactly one record, whether printed as `[ {...} ]` or `{...}`. */
function psSingle<T extends z.ZodType>(item: T) {
  return psArray(item).transform((items, ctx) => {
    const [first] = items;
    if (first === undefined || items.length !== 1) {
      ctx.issues.push({
        code: 'custom',
        message: `expected one record, got ${items.length}`,
        input: items,
      });
      return z.NEVER;
    }
    return first;
  });
}

/** `Running` / `StartPending` (enum names) → `running` / `start-pending`. */
function kebab(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Outputs

export const ScriptErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    /** `0x800706BA` style; from FullyQualifiedErrorId ("HRESULT 0x800706ba,Get-Printer") or the exception. */
    hresult: text,
    /** ErrorCategory name, e.g. `PermissionDenied`, `ObjectNotFound`. */
    category: text,
    /** FullyQualifiedErrorId; the scripts' own failures use `PrinterNotFound`, `JobNotFound`, `ActionNotPossible`. */
    id: text,
  }),
});
export type ScriptError = z.infer<typeof ScriptErrorSchema>['error'];

export const Win32PrinterRecordSchema = z.object({
  Default: bool,
  WorkOffline: bool,
  Attributes: int,
  PrinterStatus: int,
  ExtendedPrinterStatus: int,
  DetectedErrorState: int,
  ExtendedDetectedErrorState: int,
  Status: text,
});

export const PortRecordSchema = z.object({
  Name: z.string(),
  Description: text,
  PortMonitor: text,
  PrinterHostAddress: text,
  PortNumber: int,
  /** 1 RAW, 2 LPR (Standard TCP/IP port). */
  Protocol: int,
  LprQueueName: text,
  /** WSD ports: the device's web-services endpoint. */
  DeviceURL: text,
  SNMPEnabled: bool,
});
export type PortRecord = z.infer<typeof PortRecordSchema>;

export const DriverRecordSchema = z.object({
  Name: z.string().min(1),
  Manufacturer: text,
  MajorVersion: int,
  /** Unpacked to `a.b.c.d` by the script: the packed uint64 does not survive a JS number. */
  DriverVersion: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+$/)
    .nullish()
    .transform((value) => value ?? null),
  Date: psDate,
  IsPackageAware: bool,
  PrinterEnvironment: text,
  InfPath: text,
  Provider: text,
});
export type DriverRecord = z.infer<typeof DriverRecordSchema>;

export const PrinterRecordSchema = z.object({
  Name: z.string().min(1),
  ComputerName: text,
  /** 0 local queue, 1 connection to a shared printer on a print server. */
  Type: int,
  DriverName: text,
  PortName: text,
  Shared: bool,
  ShareName: text,
  Published: bool,
  Location: text,
  Comment: text,
  /** PRINTER_STATUS bits; 0 = normal. */
  PrinterStatus: z
    .number()
    .int()
    .min(0)
    .nullish()
    .transform((value) => value ?? 0),
  JobCount: int,
  KeepPrintedJobs: bool,
  Datatype: text,
  PrintProcessor: text,
  RenderingMode: int,
  Win32: Win32PrinterRecordSchema.nullish().transform((value) => value ?? null),
  Port: PortRecordSchema.nullish().transform((value) => value ?? null),
  Driver: DriverRecordSchema.nullish().transform((value) => value ?? null),
});
export type PrinterRecord = z.infer<typeof PrinterRecordSchema>;

export const JobRecordSchema = z.object({
  Id: z.number().int().positive(),
  PrinterName: z.string().min(1),
  ComputerName: text,
  DocumentName: text,
  UserName: text,
  /** JOB_STATUS bits. */
  JobStatus: z.number().int().min(0),
  Position: int,
  Size: z
    .number()
    .int()
    .min(0)
    .nullish()
    .transform((value) => value ?? null),
  TotalPages: int,
  PagesPrinted: int,
  Priority: int,
  Datatype: text,
  SubmittedTime: psDate,
});
export type JobRecord = z.infer<typeof JobRecordSchema>;

const serviceStatus = z.union([
  z.number().int().transform(serviceStatusName),
  z.string().transform((name) => ServiceStatusSchema.catch('unknown').parse(kebab(name))),
]);
const serviceStartType = z.union([
  z.number().int().transform(serviceStartTypeName),
  z.string().transform((name) => ServiceStartTypeSchema.catch('unknown').parse(kebab(name))),
]);

export const SpoolerRecordSchema = z.object({
  Name: text,
  Status: serviceStatus,
  StartType: serviceStartType,
});

/** How printer-driver.ps1 found the Win32_PnPSignedDriver entry of a driver. */
export const SignatureMatchSchema = z.enum(['DeviceName', 'InfName']);

/** Win32_PnPSignedDriver fields of the Plug and Play device that uses a printer driver. */
export const DriverSignatureRecordSchema = z.object({
  MatchedBy: SignatureMatchSchema,
  DeviceName: text,
  InfName: text,
  IsSigned: bool,
  Signer: text,
  DriverDate: cimDate,
  DriverProviderName: text,
  DriverVersion: text,
});
export type DriverSignatureRecord = z.infer<typeof DriverSignatureRecordSchema>;

export const DriverDetailsRecordSchema = DriverRecordSchema.extend({
  /** Null when no Plug and Play device uses the driver (a queue on a TCP/IP port). */
  Signature: DriverSignatureRecordSchema.nullish().transform((value) => value ?? null),
});
export type DriverDetailsRecord = z.infer<typeof DriverDetailsRecordSchema>;

export const PrinterDriverRecordSchema = z.object({
  Printer: z.string().min(1),
  DriverName: text,
  /** Null when Get-PrinterDriver does not list the printer's driver. */
  Driver: DriverDetailsRecordSchema.nullish().transform((value) => value ?? null),
});
export type PrinterDriverRecord = z.infer<typeof PrinterDriverRecordSchema>;

/**
 * A policy value Windows reads as a DWORD. Text of digits counts as its number (Group Policy
 * Preferences can write REG_SZ by mistake): reporting what an administrator meant errs on the
 * side of a warning. Anything else is "not set".
 */
const registryNumber = z
  .union([z.number().int().min(0), z.string()])
  .nullish()
  .transform((value) => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') return value;
    const digits = value.trim();
    return /^\d{1,10}$/.test(digits) ? Number(digits) : null;
  });
const registryText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value) => {
    if (value === null || value === undefined) return null;
    const textValue = String(value).trim();
    return textValue === '' ? null : textValue;
  });

/** point-and-print.ps1: each value null when not set. */
export const PointAndPrintRecordSchema = z.object({
  RestrictDriverInstallationToAdministrators: registryNumber,
  NoWarningNoElevationOnInstall: registryNumber,
  UpdatePromptSettings: registryNumber,
  Restricted: registryNumber,
  TrustedServers: registryNumber,
  /** Semicolon-separated fully qualified server names. */
  ServerList: registryText,
  InForest: registryNumber,
  PackagePointAndPrintOnly: registryNumber,
  PackagePointAndPrintServerList: registryNumber,
  /** Null when the ListofServers key does not exist. One server may arrive as a bare string. */
  PackagePointAndPrintServers: z
    .preprocess((raw) => {
      const value = unwrapEtsArray(raw);
      return typeof value === 'string' ? [value] : value;
    }, z.array(z.string()).nullish())
    .transform((value) => value ?? null),
  RpcAuthnLevelPrivacyEnabled: registryNumber,
});
export type PointAndPrintRecord = z.infer<typeof PointAndPrintRecordSchema>;

const bytes = z.number().int().min(0);

/** spool-space.ps1 */
export const SpoolSpaceRecordSchema = z.object({
  Path: z.string().min(1),
  /** True when DefaultSpoolDirectory names the folder, false for the built-in default. */
  Configured: z.boolean(),
  Drive: text,
  FreeBytes: bytes,
  TotalBytes: bytes,
});
export type SpoolSpaceRecord = z.infer<typeof SpoolSpaceRecordSchema>;

const okRecord = z.object({ ok: z.literal(true) });

/** Output schema of each script. */
export const ScriptOutputSchemas = {
  'list-printers': psArray(PrinterRecordSchema),
  'list-jobs': psArray(JobRecordSchema),
  'spooler-status': psSingle(SpoolerRecordSchema),
  'cancel-job': psSingle(okRecord),
  'hold-job': psSingle(okRecord),
  'release-job': psSingle(okRecord),
  'pause-printer': psSingle(okRecord),
  'resume-printer': psSingle(okRecord),
  /** jobId is null when the test page left the queue before the script saw it. */
  'print-test-page': psSingle(
    okRecord.extend({
      jobId: z
        .number()
        .int()
        .positive()
        .nullish()
        .transform((value) => value ?? null),
    }),
  ),
  'printer-driver': psSingle(PrinterDriverRecordSchema),
  'point-and-print': psSingle(PointAndPrintRecordSchema),
  'spool-space': psSingle(SpoolSpaceRecordSchema),
} as const satisfies Record<WindowsScript, z.ZodType>;

export type ScriptOutput<S extends WindowsScript> = z.output<(typeof ScriptOutputSchemas)[S]>;

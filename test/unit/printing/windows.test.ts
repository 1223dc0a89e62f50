import { describe, expect, it } from 'vitest';
import {
  DetectedErrorState,
  ExtendedPrinterStatus,
  JobStatusBit,
  PrinterAttributeBit,
  PrinterStatusBit,
  Win32PrinterStatus,
  attributesReasons,
  detectedErrorStateReason,
  hasBit,
  jobStatusReasons,
  jobStatusToState,
  serviceStartTypeName,
  serviceStatusName,
  win32StatusReasons,
  windowsAcceptingJobs,
  windowsPrinterReasons,
  windowsPrinterState,
  printerStatusReasons,
  type WindowsPrinterCondition,
} from '../../../src-shared/printing/windows.ts';

const normal: WindowsPrinterCondition = {
  printerStatus: 0,
  win32PrinterStatus: Win32PrinterStatus.Idle,
  extendedPrinterStatus: ExtendedPrinterStatus.Idle,
  detectedErrorState: DetectedErrorState.NoError,
  attributes: PrinterAttributeBit.Local,
  workOffline: false,
};
const condition = (overrides: Partial<WindowsPrinterCondition>): WindowsPrinterCondition => ({
  ...normal,
  ...overrides,
});

describe('bit values (winspool.h, reference §3)', () => {
  it('are the documented PRINTER_STATUS, attribute and JOB_STATUS bits', () => {
    expect(PrinterStatusBit).toMatchObject({
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
    });
    expect(PrinterAttributeBit.WorkOffline).toBe(0x400);
    expect(PrinterAttributeBit.Default).toBe(0x4);
    expect(JobStatusBit).toMatchObject({
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
    });
  });

  it('hasBit tests every bit of a uint32 mask, bit 31 included', () => {
    expect(hasBit(0x80000000, 0x80000000)).toBe(true);
    expect(hasBit(0xffffffff, 0x1)).toBe(true);
    expect(hasBit(0x6, 0x1)).toBe(false);
  });
});

describe('printerStatusReasons: one PRINTER_STATUS bit at a time', () => {
  it.each([
    ['Paused', ['paused']],
    ['Error', ['other']],
    ['PendingDeletion', []],
    ['PaperJam', ['media-jam']],
    ['PaperOut', ['media-empty']],
    ['ManualFeed', ['media-needed']],
    ['PaperProblem', ['media-needed']],
    ['Offline', ['offline']],
    ['IoActive', []],
    ['Busy', []],
    ['Printing', []],
    ['OutputBinFull', ['output-area-full']],
    ['NotAvailable', ['offline']],
    ['Waiting', []],
    ['Processing', []],
    ['Initializing', []],
    ['WarmingUp', []],
    ['TonerLow', ['toner-low']],
    ['NoToner', ['toner-empty']],
    ['PagePunt', ['interpreter-resource-unavailable']],
    ['UserIntervention', ['other']],
    ['OutOfMemory', ['spool-area-full']],
    ['DoorOpen', ['door-open']],
    ['ServerUnknown', []],
    ['PowerSave', []],
  ] as const)('%s → %j', (bit, reasons) => {
    expect(printerStatusReasons(PrinterStatusBit[bit])).toEqual(reasons);
  });

  it('reads a mask of several bits, each keyword once', () => {
    expect(printerStatusReasons(0)).toEqual([]);
    expect(
      printerStatusReasons(
        PrinterStatusBit.PaperJam | PrinterStatusBit.Error | PrinterStatusBit.DoorOpen,
      ),
    ).toEqual(['other', 'media-jam', 'door-open']);
    expect(printerStatusReasons(PrinterStatusBit.Offline | PrinterStatusBit.NotAvailable)).toEqual([
      'offline',
    ]);
  });
});

describe('attributesReasons', () => {
  it('reads WORK_OFFLINE (0x400) and nothing else', () => {
    expect(attributesReasons(PrinterAttributeBit.WorkOffline)).toEqual(['offline']);
    expect(attributesReasons(0x3fff & ~PrinterAttributeBit.WorkOffline)).toEqual([]);
  });
});

describe('detectedErrorStateReason', () => {
  it.each([
    [DetectedErrorState.Unknown, null],
    [DetectedErrorState.Other, null],
    [DetectedErrorState.NoError, null],
    [DetectedErrorState.LowPaper, 'media-low'],
    [DetectedErrorState.NoPaper, 'media-empty'],
    [DetectedErrorState.LowToner, 'toner-low'],
    [DetectedErrorState.NoToner, 'toner-empty'],
    [DetectedErrorState.DoorOpen, 'door-open'],
    [DetectedErrorState.Jammed, 'media-jam'],
    [DetectedErrorState.Offline, 'offline'],
    [DetectedErrorState.ServiceRequested, 'other'],
    [DetectedErrorState.OutputBinFull, 'output-area-full'],
    [42, null],
  ])('%i → %s', (value, reason) => {
    expect(detectedErrorStateReason(value)).toBe(reason);
  });
});

describe('win32StatusReasons', () => {
  it('reads Offline from PrinterStatus and Offline, Paused, Not Available, Manual Feed, Error from ExtendedPrinterStatus', () => {
    expect(win32StatusReasons(Win32PrinterStatus.Offline, null)).toEqual(['offline']);
    expect(win32StatusReasons(Win32PrinterStatus.StoppedPrinting, null)).toEqual(['other']);
    expect(win32StatusReasons(null, ExtendedPrinterStatus.Offline)).toEqual(['offline']);
    expect(win32StatusReasons(null, ExtendedPrinterStatus.Paused)).toEqual(['paused']);
    expect(win32StatusReasons(null, ExtendedPrinterStatus.NotAvailable)).toEqual(['offline']);
    expect(win32StatusReasons(null, ExtendedPrinterStatus.ManualFeed)).toEqual(['media-needed']);
    expect(win32StatusReasons(null, ExtendedPrinterStatus.Error)).toEqual(['other']);
    expect(win32StatusReasons(Win32PrinterStatus.Offline, ExtendedPrinterStatus.Offline)).toEqual([
      'offline',
    ]);
    for (const quiet of [1, 2, 3, 4, 5, 10, 12, 13, 14, 15, 16, 17]) {
      expect(win32StatusReasons(Win32PrinterStatus.Idle, quiet)).toEqual([]);
    }
  });
});

describe('windowsPrinterReasons and windowsPrinterState', () => {
  it('a normal printer is idle with no reasons and accepts jobs', () => {
    expect(windowsPrinterReasons(normal)).toEqual([]);
    expect(windowsPrinterState(normal)).toBe('idle');
    expect(windowsAcceptingJobs(normal)).toBe(true);
  });

  it('WorkOffline alone (Status 0, the USB monitor case) is offline and stopped', () => {
    const usb = condition({ workOffline: true, attributes: 0xe40 });
    expect(windowsPrinterReasons(usb)).toEqual(['offline']);
    expect(windowsPrinterState(usb)).toBe('stopped');
    expect(windowsPrinterState(condition({ attributes: PrinterAttributeBit.WorkOffline }))).toBe(
      'stopped',
    );
  });

  it('a paused queue is stopped with paused, and still accepts jobs', () => {
    const paused = condition({ printerStatus: PrinterStatusBit.Paused });
    expect(windowsPrinterReasons(paused)).toEqual(['paused']);
    expect(windowsPrinterState(paused)).toBe('stopped');
    expect(windowsAcceptingJobs(paused)).toBe(true);
    expect(
      windowsPrinterState(condition({ extendedPrinterStatus: ExtendedPrinterStatus.Paused })),
    ).toBe('stopped');
  });

  it('drops "other" when a specific problem explains it, keeps it otherwise', () => {
    const jam = condition({
      printerStatus: PrinterStatusBit.Error | PrinterStatusBit.PaperJam,
      extendedPrinterStatus: ExtendedPrinterStatus.Error,
      detectedErrorState: DetectedErrorState.Jammed,
    });
    expect(windowsPrinterReasons(jam)).toEqual(['media-jam']);
    expect(windowsPrinterState(jam)).toBe('stopped');
    expect(windowsPrinterReasons(condition({ printerStatus: PrinterStatusBit.Error }))).toEqual([
      'other',
    ]);
    expect(
      windowsPrinterReasons(
        condition({ printerStatus: PrinterStatusBit.Paused | PrinterStatusBit.Error }),
      ),
    ).toEqual(['paused', 'other']);
  });

  it('warnings such as toner-low, media-low, spool-area-full do not stop the printer', () => {
    for (const c of [
      condition({ printerStatus: PrinterStatusBit.TonerLow }),
      condition({ detectedErrorState: DetectedErrorState.LowPaper }),
      condition({ printerStatus: PrinterStatusBit.OutOfMemory }),
      condition({ printerStatus: PrinterStatusBit.PagePunt }),
    ]) {
      expect(windowsPrinterState(c)).toBe('idle');
    }
  });

  it.each([
    'PaperJam',
    'PaperOut',
    'ManualFeed',
    'PaperProblem',
    'Offline',
    'OutputBinFull',
    'NotAvailable',
    'NoToner',
    'UserIntervention',
    'DoorOpen',
    'Error',
  ] as const)('%s stops the printer', (bit) => {
    expect(windowsPrinterState(condition({ printerStatus: PrinterStatusBit[bit] }))).toBe(
      'stopped',
    );
  });

  it.each(['Printing', 'Processing', 'Busy', 'IoActive', 'WarmingUp', 'Initializing'] as const)(
    '%s means processing',
    (bit) => {
      expect(windowsPrinterState(condition({ printerStatus: PrinterStatusBit[bit] }))).toBe(
        'processing',
      );
    },
  );

  it('reads processing from Win32 PrinterStatus / ExtendedPrinterStatus too', () => {
    expect(
      windowsPrinterState(condition({ win32PrinterStatus: Win32PrinterStatus.Printing })),
    ).toBe('processing');
    expect(
      windowsPrinterState(condition({ extendedPrinterStatus: ExtendedPrinterStatus.Processing })),
    ).toBe('processing');
  });

  it('a stop wins over printing', () => {
    expect(
      windowsPrinterState(
        condition({ printerStatus: PrinterStatusBit.Printing | PrinterStatusBit.PaperOut }),
      ),
    ).toBe('stopped');
  });

  it('unknown when the server is unknown or Win32 knows nothing', () => {
    expect(windowsPrinterState(condition({ printerStatus: PrinterStatusBit.ServerUnknown }))).toBe(
      'unknown',
    );
    expect(
      windowsPrinterState(
        condition({
          win32PrinterStatus: Win32PrinterStatus.Unknown,
          extendedPrinterStatus: ExtendedPrinterStatus.Unknown,
        }),
      ),
    ).toBe('unknown');
  });

  it('without any Win32_Printer data, MSFT_Printer status alone decides', () => {
    const bare = {
      printerStatus: 0,
      win32PrinterStatus: null,
      extendedPrinterStatus: null,
      detectedErrorState: null,
      attributes: null,
      workOffline: null,
    };
    expect(windowsPrinterState(bare)).toBe('idle');
    expect(windowsPrinterReasons({ ...bare, printerStatus: PrinterStatusBit.NoToner })).toEqual([
      'toner-empty',
    ]);
  });

  it('a queue pending deletion does not accept jobs', () => {
    expect(
      windowsAcceptingJobs(condition({ printerStatus: PrinterStatusBit.PendingDeletion })),
    ).toBe(false);
    expect(
      windowsAcceptingJobs(
        condition({ extendedPrinterStatus: ExtendedPrinterStatus.PendingDeletion }),
      ),
    ).toBe(false);
  });
});

describe('jobStatusToState and jobStatusReasons: JOB_STATUS bit by bit', () => {
  it.each([
    [0, 'pending', []],
    ['Paused', 'pending-held', ['job-hold-until-specified']],
    ['Error', 'processing-stopped', ['printer-stopped']],
    ['Deleting', 'canceled', ['processing-to-stop-point']],
    ['Spooling', 'pending', ['job-incoming']],
    ['Printing', 'processing', ['job-printing']],
    ['Offline', 'pending', ['printer-stopped']],
    ['PaperOut', 'pending', ['printer-stopped']],
    ['Printed', 'completed', ['job-completed-successfully']],
    ['Deleted', 'canceled', []],
    ['BlockedDevq', 'aborted', ['document-unprintable-error', 'aborted-by-system']],
    ['UserIntervention', 'pending', ['printer-stopped']],
    ['Restart', 'pending', []],
    ['Complete', 'completed', ['queued-in-device']],
    ['Retained', 'completed', ['job-completed-successfully']],
    ['RenderingLocally', 'pending', []],
  ] as const)('%s → %s %j', (bit, state, reasons) => {
    const mask = bit === 0 ? 0 : JobStatusBit[bit];
    expect(jobStatusToState(mask)).toBe(state);
    expect(jobStatusReasons(mask)).toEqual(reasons);
  });

  it('reads the combinations Windows really shows', () => {
    const { Error, Printing, Paused, Spooling, Printed, Retained, Deleting, Offline, Complete } =
      JobStatusBit;
    // "Error - Printing": the device stopped mid-job; Windows keeps and retries it.
    expect(jobStatusToState(Error | Printing)).toBe('processing-stopped');
    expect(jobStatusReasons(Error | Printing)).toEqual(['printer-stopped', 'job-printing']);
    // "Offline - Printing".
    expect(jobStatusToState(Offline | Printing)).toBe('processing-stopped');
    // "Spooling - Printing": printing starts before spooling ends.
    expect(jobStatusToState(Spooling | Printing)).toBe('processing');
    expect(jobStatusReasons(Spooling | Printing)).toEqual(['job-incoming', 'job-printing']);
    // Paused mid-print.
    expect(jobStatusToState(Paused | Printing)).toBe('processing-stopped');
    expect(jobStatusReasons(Paused | Printing)).toEqual(['job-suspended', 'job-printing']);
    // Printed and kept (KeepPrintedJobs).
    expect(jobStatusToState(Printed | Retained)).toBe('completed');
    expect(jobStatusReasons(Printed | Retained)).toEqual(['job-completed-successfully']);
    // Routine clean-up of a printed job is not a cancellation.
    expect(jobStatusToState(Printed | Deleting)).toBe('completed');
    expect(jobStatusToState(Complete | Deleting)).toBe('completed');
    // Cancelled while printing.
    expect(jobStatusToState(Deleting | Printing)).toBe('canceled');
    expect(jobStatusReasons(Deleting | Printing)).toEqual([
      'processing-to-stop-point',
      'job-printing',
    ]);
    // A held job in an offline queue stays held.
    expect(jobStatusToState(Paused | Offline)).toBe('pending-held');
  });
});

describe('service enumerations', () => {
  it('names Get-Service Status values', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 0, 8].map(serviceStatusName)).toEqual([
      'stopped',
      'start-pending',
      'stop-pending',
      'running',
      'continue-pending',
      'pause-pending',
      'paused',
      'unknown',
      'unknown',
    ]);
  });

  it('names Get-Service StartType values', () => {
    expect([2, 3, 4, 0, 1, 9].map(serviceStartTypeName)).toEqual([
      'automatic',
      'manual',
      'disabled',
      'boot',
      'system',
      'unknown',
    ]);
  });
});

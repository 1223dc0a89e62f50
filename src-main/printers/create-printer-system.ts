import { CupsPrinterSystem } from './cups/cups-printer-system.ts';
import type { PrinterSystem } from './printer-system.ts';

export interface CreatePrinterSystemOptions {
  /** Per-request time-out in milliseconds. */
  readonly timeoutMs?: number;
  readonly platform?: NodeJS.Platform;
}

/** The print system of this computer: the Windows spooler on Windows, CUPS elsewhere. */
export function createPrinterSystem(
  options: CreatePrinterSystemOptions = {},
): PrinterSystem & { close?: () => void } {
  return new CupsPrinterSystem(
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
}

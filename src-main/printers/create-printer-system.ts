import { fileURLToPath } from 'node:url';
import { CupsPrinterSystem } from './cups/cups-printer-system.ts';
import { DEFAULT_DEVICE_QUERY_TIMEOUT_MS } from './cups/device-query.ts';
import type { PrinterSystem } from './printer-system.ts';
import {
  ChildProcessPowerShellRunner,
  windowsScriptDirectory,
} from './windows/powershell-runner.ts';
import { WindowsPrinterSystem } from './windows/windows-printer-system.ts';

export interface CreatePrinterSystemOptions {
  /** Per-request time-out in milliseconds. */
  readonly timeoutMs?: number;
  readonly platform?: NodeJS.Platform;
  /**
   * CUPS: also ask each queue's IPP device for its supplies and whether it answers (default
   * true). Diagnostics turns it off: its checks probe the devices themselves.
   */
  readonly queryDevices?: boolean;
  /** Electron's `process.resourcesPath` in the packaged app; undefined when run from the repository. */
  readonly resourcesPath?: string;
}

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The print system of this computer: the Windows spooler on Windows, CUPS elsewhere. */
export function createPrinterSystem(
  options: CreatePrinterSystemOptions = {},
): PrinterSystem & { close?: () => void } {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  if ((options.platform ?? process.platform) === 'win32') {
    const runner = new ChildProcessPowerShellRunner({
      scriptDirectory: windowsScriptDirectory({
        resourcesPath: options.resourcesPath,
        repositoryRoot,
      }),
      ...timeout,
    });
    return new WindowsPrinterSystem({ runner });
  }
  return new CupsPrinterSystem({
    ...timeout,
    ...(options.queryDevices === false
      ? { deviceQuery: false }
      : options.timeoutMs === undefined
        ? {}
        : {
            deviceQuery: {
              timeoutMs: Math.min(options.timeoutMs, DEFAULT_DEVICE_QUERY_TIMEOUT_MS),
            },
          }),
  });
}

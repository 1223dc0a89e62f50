import { fileURLToPath } from 'node:url';
import type { PrinterSystem } from './printer-system.ts';

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

/**
 * The print system of this computer: the Windows spooler on Windows, CUPS elsewhere. Only that
 * adapter is loaded (the other one's code and schemas cost a command-line tool's start-up).
 */
export async function createPrinterSystem(
  options: CreatePrinterSystemOptions = {},
): Promise<PrinterSystem & { close?: () => void }> {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  if ((options.platform ?? process.platform) === 'win32') {
    const [{ ChildProcessPowerShellRunner, windowsScriptDirectory }, { WindowsPrinterSystem }] =
      await Promise.all([
        import('./windows/powershell-runner.ts'),
        import('./windows/windows-printer-system.ts'),
      ]);
    const runner = new ChildProcessPowerShellRunner({
      scriptDirectory: windowsScriptDirectory({
        resourcesPath: options.resourcesPath,
        repositoryRoot,
      }),
      ...timeout,
    });
    return new WindowsPrinterSystem({ runner });
  }
  const [{ CupsPrinterSystem }, { DEFAULT_DEVICE_QUERY_TIMEOUT_MS }] = await Promise.all([
    import('./cups/cups-printer-system.ts'),
    import('./cups/device-query.ts'),
  ]);
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

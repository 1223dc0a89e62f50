/**
 * The DiagnosticsEnvironment of this computer: the print system, and the OS-specific sources the
 * checks read (spool space; on Windows the spooler, drivers and Point and Print policy).
 */
import { readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { PrintoError } from '../../src-shared/errors.ts';
import type { PrinterSystem } from '../printers/printer-system.ts';
import { WindowsPrinterSystem } from '../printers/windows/windows-printer-system.ts';
import { PowerShellDiagnosticsSource, windowsSpoolSpace } from './windows/index.ts';
import type {
  DiagnosticsEnvironment,
  DiagnosticsOs,
  SpoolSpace,
  WindowsDiagnosticsSource,
} from './check.ts';

/** Where a local CUPS spools jobs: RequestRoot in cups-files.conf (cupsd.conf before CUPS 1.6). */
export async function cupsRequestRoot(
  serverRoot = process.env['CUPS_SERVERROOT'] ?? '/etc/cups',
): Promise<string> {
  for (const file of ['cups-files.conf', 'cupsd.conf']) {
    try {
      const text = await readFile(join(serverRoot, file), 'utf8');
      const match = /^\s*RequestRoot\s+(\S+)/im.exec(text);
      if (match?.[1] !== undefined) return match[1];
    } catch {
      // Not readable (permissions) or absent: the compiled-in default applies.
    }
  }
  return process.platform === 'darwin' ? '/private/var/spool/cups' : '/var/spool/cups';
}

export async function diskSpace(path: string): Promise<SpoolSpace> {
  try {
    const stats = await statfs(path);
    return { path, freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
  } catch (error) {
    throw new PrintoError('spool-space-unknown', `Cannot read the free space of ${path}.`, {
      cause: error,
    });
  }
}

function currentOs(): DiagnosticsOs {
  return process.platform === 'win32'
    ? 'win32'
    : process.platform === 'darwin'
      ? 'darwin'
      : 'linux';
}

export function createDiagnosticsEnvironment(
  system: PrinterSystem & { readonly isLocal?: boolean },
  options: {
    readonly os?: DiagnosticsOs;
    readonly windows?: WindowsDiagnosticsSource;
    readonly spoolSpace?: DiagnosticsEnvironment['spoolSpace'];
    readonly now?: () => number;
  } = {},
): DiagnosticsEnvironment {
  const os = options.os ?? currentOs();
  const onWindows = system instanceof WindowsPrinterSystem ? system : undefined;
  const windows =
    options.windows ??
    (onWindows === undefined
      ? undefined
      : new PowerShellDiagnosticsSource({ runner: onWindows.runner, system: onWindows }));
  const localSpool =
    onWindows !== undefined
      ? windowsSpoolSpace(onWindows.runner)
      : system.kind === 'cups' && system.isLocal === true
        ? async (): Promise<SpoolSpace> => diskSpace(await cupsRequestRoot())
        : undefined;
  const spoolSpace = options.spoolSpace ?? localSpool;
  return {
    os,
    system,
    now: options.now ?? Date.now,
    ...(windows === undefined ? {} : { windows }),
    ...(spoolSpace === undefined ? {} : { spoolSpace }),
  };
}

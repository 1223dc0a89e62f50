import type { Check } from '../check.ts';
import { driverCheck } from './driver.ts';
import { pointAndPrintCheck } from './point-and-print.ts';
import { spoolerCheck } from './spooler.ts';

export { PowerShellDiagnosticsSource, windowsSpoolSpace } from './source.ts';

/** The Windows-only checks (the common ones live in ../checks). */
export const windowsChecks: readonly Check[] = [spoolerCheck, pointAndPrintCheck, driverCheck];

import type { Check } from '../check.ts';
import { windowsChecks } from '../windows/index.ts';
import { deviceConditionCheck } from './device-condition.ts';
import { deviceIppCheck, deviceReachableCheck } from './device.ts';
import { documentFormatsCheck, driverKindCheck, driverMatchCheck } from './driver.ts';
import { stuckJobsCheck } from './jobs.ts';
import { printServiceCheck, printersPresentCheck } from './print-service.ts';
import { queueReadyCheck } from './queue-ready.ts';
import { spoolSpaceCheck } from './spool-space.ts';
import { suppliesCheck } from './supplies.ts';

/** The checks that apply on every OS or on CUPS (the Windows-only ones live in ../windows). */
export const commonChecks: readonly Check[] = [
  printServiceCheck,
  printersPresentCheck,
  queueReadyCheck,
  deviceReachableCheck,
  deviceIppCheck,
  deviceConditionCheck,
  suppliesCheck,
  stuckJobsCheck,
  driverMatchCheck,
  driverKindCheck,
  documentFormatsCheck,
  spoolSpaceCheck,
];

/** Every check; the runner keeps those whose `os` includes this computer's. */
export const allChecks: readonly Check[] = [...commonChecks, ...windowsChecks];

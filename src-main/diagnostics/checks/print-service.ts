import { isPrintoError } from '../../../src-shared/errors.ts';
import type { Fix } from '../../../src-shared/model/diagnostics.ts';
import type { DiagnosticsOs, SystemCheck } from '../check.ts';

const START_FIX: Readonly<Record<DiagnosticsOs, Fix>> = {
  linux: {
    title: 'Start the print service (CUPS)',
    steps: [
      'Restart the computer; the print service starts with it.',
      'If that does not help, ask IT to start CUPS and make it start at boot.',
    ],
    command: 'sudo systemctl enable --now cups',
  },
  darwin: {
    title: 'Restart the print service',
    steps: [
      'Restart the Mac; the print service starts with it.',
      'If that does not help, contact IT.',
    ],
    command: 'sudo launchctl kickstart -k system/org.cups.cupsd',
  },
  win32: {
    title: 'Start the Print Spooler',
    steps: [
      'Restart the computer; the Print Spooler starts with it.',
      'If that does not help, ask IT to start the Print Spooler service.',
    ],
    command: 'Start-Service -Name Spooler',
  },
};

export const printServiceCheck: SystemCheck = {
  id: 'print-service',
  title: 'Print service running',
  description:
    "The computer's print service answers: the CUPS scheduler on Linux and macOS, the Print Spooler on Windows.",
  os: ['linux', 'darwin', 'win32'],
  scope: 'system',
  network: false,
  run({ env, facts }) {
    const name = env.system.kind === 'cups' ? 'The print service (CUPS)' : 'The Print Spooler';
    const error = facts.printServiceError;
    if (error === null) {
      return Promise.resolve([
        {
          status: 'pass',
          summary: `${name} is running.`,
          evidence: [{ label: 'Print service', value: env.system.endpoint }],
        },
      ]);
    }
    const hint = isPrintoError(error) ? error.hint : undefined;
    return Promise.resolve([
      {
        status: 'fail',
        summary: `${name} is not answering, so nothing can print.`,
        details: [error.message, hint].filter((s) => s !== undefined).join(' '),
        evidence: [
          { label: 'Print service', value: env.system.endpoint },
          { label: 'Error', value: isPrintoError(error) ? error.code : error.name },
        ],
        fixes: [START_FIX[env.os]],
      },
    ]);
  },
};

export const printersPresentCheck: SystemCheck = {
  id: 'printers-present',
  title: 'Printers set up',
  description: 'At least one printer is set up, and one of them is the default.',
  os: ['linux', 'darwin', 'win32'],
  scope: 'system',
  network: false,
  run({ env, facts }) {
    const printers = facts.printers;
    if (printers === null) {
      return Promise.resolve([
        { status: 'skip', summary: 'Not checked: the print service is not answering.' },
      ]);
    }
    if (printers.length === 0) {
      return Promise.resolve([
        {
          status: 'fail',
          summary: 'No printers are set up on this computer.',
          fixes: [
            {
              title: 'Add the printer',
              steps:
                env.os === 'win32'
                  ? [
                      'Open Settings > Bluetooth & devices > Printers & scanners.',
                      'Choose "Add device" and pick the printer.',
                    ]
                  : [
                      "Open the system's printer settings.",
                      'Add the printer; choose the "driverless" or "IPP Everywhere" option when offered.',
                    ],
            },
          ],
        },
      ]);
    }
    const defaultPrinter = printers.find((p) => p.isDefault);
    if (defaultPrinter === undefined) {
      return Promise.resolve([
        {
          status: 'warn',
          summary: `${printers.length} printer${printers.length === 1 ? ' is' : 's are'} set up, but none is the default: programs may ask every time, or print nowhere.`,
          evidence: [{ label: 'Printers', value: printers.map((p) => p.name) }],
          fixes: [
            {
              title: 'Choose a default printer',
              steps:
                env.os === 'win32'
                  ? [
                      'Open Settings > Bluetooth & devices > Printers & scanners.',
                      'Pick the printer you use most and choose "Set as default".',
                    ]
                  : [
                      "Open the system's printer settings.",
                      'Pick the printer you use most and make it the default.',
                    ],
              ...(env.os === 'win32'
                ? {}
                : { command: `lpadmin -d ${printers[0]?.name ?? 'PRINTER'}` }),
            },
          ],
        },
      ]);
    }
    return Promise.resolve([
      {
        status: 'pass',
        summary: `${printers.length} printer${printers.length === 1 ? ' is' : 's are'} set up; the default is ${defaultPrinter.name}.`,
        evidence: [
          { label: 'Printers', value: printers.map((p) => p.name) },
          { label: 'Default', value: defaultPrinter.name },
        ],
      },
    ]);
  },
};

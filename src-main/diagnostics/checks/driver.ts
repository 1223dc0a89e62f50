import type { Evidence, Fix } from '../../../src-shared/model/diagnostics.ts';
import type { Printer } from '../../../src-shared/model/printer.ts';
import type { DeviceAttributes, PrinterCheck } from '../check.ts';
import { askDevice } from './device.ts';

/** CUPS names the PPD it generates for a driverless queue "<model> - IPP Everywhere". */
export function isDriverless(driver: string | null): boolean {
  return driver !== null && /IPP Everywhere|driverless|AirPrint/i.test(driver);
}

export function isRaw(driver: string | null): boolean {
  return driver !== null && /^Local Raw Printer$|^Raw Queue/i.test(driver);
}

export function isGeneric(driver: string | null): boolean {
  return driver !== null && /^Generic\b|\bGeneric (PostScript|PCL|Text)/i.test(driver);
}

const WORD = /[a-z]+|\d+/g;
/** Words that say nothing about which model a driver is for. */
const NOISE = new Set([
  'printer',
  'series',
  'driver',
  'foomatic',
  'postscript',
  'ps',
  'pcl',
  'pcl5',
  'pcl6',
  'cups',
  'gutenprint',
  'hpcups',
  'hpijs',
  'recommended',
  'en',
  'v',
  'the',
  'for',
  'with',
  'mfp',
  'mf',
  'inc',
]);

function modelWords(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).filter((w) => !NOISE.has(w));
}

/**
 * Whether a driver name is for the device's model: every distinctive word of the model's name
 * (digits included: "M404" and "9000" matter most) appears in the driver's name. Manufacturer
 * names alone do not count.
 */
export function driverMatchesModel(driver: string, model: string): boolean {
  const driverWords = new Set(modelWords(driver));
  const words = modelWords(model);
  const significant = words.filter((w) => /\d/.test(w));
  const required = significant.length > 0 ? significant : words.slice(1);
  return required.length > 0 && required.every((w) => driverWords.has(w));
}

/** IPP Everywhere or AirPrint: the device can print without a model-specific driver. */
export function supportsDriverless(device: DeviceAttributes): boolean {
  const formats = new Set(device.documentFormats.map((f) => f.toLowerCase()));
  return (
    formats.has('image/pwg-raster') ||
    formats.has('image/urf') ||
    device.ippFeatures.some((f) => f === 'ipp-everywhere' || f.startsWith('airprint'))
  );
}

function driverEvidence(printer: Printer, device: DeviceAttributes | null): Evidence[] {
  const model = device?.makeAndModel ?? null;
  return [
    { label: 'Driver', value: printer.driver },
    ...(model === null ? [] : [{ label: 'Printer model', value: model }]),
  ];
}

function driverlessFix(printer: Printer, uri: string | null): Fix[] {
  return [
    {
      title: 'Use the driverless (IPP Everywhere) setup',
      steps: [
        'Ask IT to set the printer up again, choosing "IPP Everywhere" or "driverless" as the driver.',
        'Print a test page afterwards.',
      ],
      command: `lpadmin -p ${printer.name} -E -v ${uri ?? 'ipp://PRINTER/ipp/print'} -m everywhere`,
    },
  ];
}

export const driverMatchCheck: PrinterCheck = {
  id: 'driver-match',
  title: 'Driver matches printer',
  description:
    "The queue's driver is made for the model the printer says it is; generic, raw and mismatched drivers are flagged.",
  os: ['linux', 'darwin'],
  scope: 'printer',
  network: true,
  async run(context, printer) {
    if (printer.driver === null)
      return [{ status: 'skip', summary: 'The queue does not say which driver it uses.' }];
    if (isDriverless(printer.driver)) {
      return [
        {
          status: 'pass',
          summary: 'The queue is driverless: its settings come from the printer itself.',
          evidence: driverEvidence(printer, null),
        },
      ];
    }
    const answer = await askDevice(context, printer);
    const device = 'attributes' in answer ? answer.attributes : null;
    const evidence = driverEvidence(printer, device);
    if (isRaw(printer.driver)) {
      return [
        {
          status: 'warn',
          summary:
            'The queue sends documents to the printer without a driver ("raw"): only programs that produce the printer\'s own language print correctly.',
          evidence,
          fixes:
            device !== null && supportsDriverless(device)
              ? driverlessFix(printer, printer.connection.uri)
              : [
                  {
                    title: 'Install the right driver',
                    steps: ['Ask IT to set the queue up with a driver for this printer model.'],
                  },
                ],
        },
      ];
    }
    const model = device?.makeAndModel ?? null;
    if (device === null || model === null) {
      if (isGeneric(printer.driver)) {
        return [
          {
            status: 'warn',
            summary:
              'The queue uses a generic driver: printing works, but trays, duplex and finishing options may be missing.',
            evidence,
          },
        ];
      }
      return [
        {
          status: 'skip',
          summary:
            'The printer could not be asked its model, so the driver was not compared with it.',
          evidence,
        },
      ];
    }
    if (driverMatchesModel(printer.driver, model)) {
      return [
        {
          status: 'pass',
          summary: `The driver is made for this printer (${model}).`,
          evidence,
        },
      ];
    }
    const generic = isGeneric(printer.driver);
    return [
      {
        status: generic ? 'warn' : 'fail',
        summary: generic
          ? `The queue uses a generic driver for this printer (${model}): options such as trays and duplex may be missing.`
          : `The queue's driver is for another printer model: the printer says it is "${model}". Pages may come out garbled or not at all.`,
        evidence,
        fixes: supportsDriverless(device)
          ? driverlessFix(printer, printer.connection.uri)
          : [
              {
                title: 'Install the driver for this model',
                steps: [`Ask IT to set the queue up with the driver for this model (${model}).`],
              },
            ],
      },
    ];
  },
};

export const driverKindCheck: PrinterCheck = {
  id: 'driver-kind',
  title: 'Driver type',
  description:
    'A classic (PPD) driver is used where the printer supports driverless printing (IPP Everywhere / AirPrint), which CUPS recommends instead.',
  os: ['linux', 'darwin'],
  scope: 'printer',
  network: true,
  async run(context, printer) {
    if (isDriverless(printer.driver)) {
      return [
        {
          status: 'pass',
          summary: 'The queue is driverless (IPP Everywhere).',
          evidence: driverEvidence(printer, null),
        },
      ];
    }
    const answer = await askDevice(context, printer);
    if (!('attributes' in answer)) {
      return [
        {
          status: 'skip',
          summary: 'The printer could not be asked whether it supports driverless printing.',
        },
      ];
    }
    const device = answer.attributes;
    if (!supportsDriverless(device)) {
      return [
        {
          status: 'pass',
          summary:
            'The printer does not support driverless printing, so a classic driver is the right choice.',
          evidence: driverEvidence(printer, device),
        },
      ];
    }
    return [
      {
        status: 'warn',
        summary:
          'The queue uses a classic driver, but the printer supports driverless printing: printer drivers are deprecated in CUPS and the driverless setup is more reliable.',
        evidence: [
          ...driverEvidence(printer, device),
          { label: 'Printer formats', value: [...device.documentFormats] },
        ],
        fixes: driverlessFix(printer, printer.connection.uri),
      },
    ];
  },
};

const DRIVERLESS_FORMATS = ['application/pdf', 'image/pwg-raster', 'image/urf'];

export const documentFormatsCheck: PrinterCheck = {
  id: 'document-formats',
  title: 'Document formats',
  description:
    "A driverless queue's printer accepts one of the formats driverless printing sends: PDF, PWG raster or Apple raster (URF).",
  os: ['linux', 'darwin'],
  scope: 'printer',
  network: true,
  async run(context, printer) {
    if (!isDriverless(printer.driver)) {
      return [{ status: 'skip', summary: 'Only for driverless queues.' }];
    }
    const answer = await askDevice(context, printer);
    if (!('attributes' in answer)) {
      return [
        { status: 'skip', summary: 'The printer could not be asked which formats it accepts.' },
      ];
    }
    const formats = answer.attributes.documentFormats.map((f) => f.toLowerCase());
    const usable = DRIVERLESS_FORMATS.filter((f) => formats.includes(f));
    const evidence: Evidence[] = [
      { label: 'Printer formats', value: [...answer.attributes.documentFormats] },
    ];
    if (usable.length === 0) {
      return [
        {
          status: 'fail',
          summary:
            'The printer accepts none of the formats driverless printing sends (PDF, PWG raster, URF): jobs will fail.',
          evidence,
          fixes: [
            {
              title: 'Use a driver for this model',
              steps: [
                "Ask IT to set the queue up with the manufacturer's driver for this printer instead of the driverless setup.",
              ],
            },
          ],
        },
      ];
    }
    return [{ status: 'pass', summary: `The printer accepts ${usable.join(', ')}.`, evidence }];
  },
};

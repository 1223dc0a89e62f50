import type { Evidence, Fix } from '../../../src-shared/model/diagnostics.ts';
import type { Supply } from '../../../src-shared/model/printer.ts';
import { parsePrinterSupply } from '../../../src-shared/printing/supplies.ts';
import type { PrinterCheck } from '../check.ts';
import { askDevice } from './device.ts';

function describe(supply: Supply): string {
  const level = supply.level === null ? '' : ` (${supply.level}%)`;
  if (supply.kind === 'waste') {
    return `${supply.name} ${supply.status === 'empty' ? 'is full' : 'is almost full'}${level}`;
  }
  return `${supply.name} ${supply.status === 'empty' ? 'is empty' : 'is low'}${level}`;
}

function fixFor(supply: Supply): Fix {
  if (supply.kind === 'waste') {
    return {
      title: `Replace the ${supply.name}`,
      steps: [
        'Order a new waste container if there is no spare.',
        "Replace it as the printer's display or manual shows.",
      ],
    };
  }
  return supply.status === 'empty'
    ? {
        title: `Replace the ${supply.name}`,
        steps: [
          'Take a new cartridge from stock, or order one.',
          "Replace it as the printer's display or manual shows.",
        ],
      }
    : {
        title: `Order a ${supply.name}`,
        steps: ['Order a replacement now so that it is there when this one runs out.'],
      };
}

export const suppliesCheck: PrinterCheck = {
  id: 'supplies',
  title: 'Toner and ink',
  description:
    'Toner, ink and waste containers that are low, empty or full, from the queue (marker-*) or the printer (printer-supply).',
  os: ['linux', 'darwin', 'win32'],
  scope: 'printer',
  network: true,
  async run(context, printer) {
    // The device's own levels are current; the queue's are as of the last job.
    const answer = await askDevice(context, printer);
    const fromDevice =
      'attributes' in answer
        ? answer.attributes.supplies.map((s) =>
            parsePrinterSupply(s.value, s.description ?? undefined),
          )
        : [];
    const supplies = fromDevice.length > 0 ? fromDevice : printer.supplies;
    if (supplies.length === 0) {
      return [{ status: 'skip', summary: 'The printer does not report its supply levels.' }];
    }
    const evidence: Evidence[] = supplies.map((s) => ({
      label: s.name,
      value: s.level === null ? s.status : `${s.level}%`,
    }));
    const empty = supplies.filter((s) => s.status === 'empty');
    const low = supplies.filter((s) => s.status === 'low');
    if (empty.length === 0 && low.length === 0) {
      return [{ status: 'pass', summary: 'Toner, ink and waste levels are fine.', evidence }];
    }
    return [
      {
        status: empty.length > 0 ? 'fail' : 'warn',
        summary: `${[...empty, ...low].map(describe).join('; ')}.`,
        evidence,
        fixes: [...empty, ...low].map(fixFor),
      },
    ];
  },
};

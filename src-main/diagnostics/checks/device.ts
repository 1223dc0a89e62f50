import { isPrintoError } from '../../../src-shared/errors.ts';
import type { Evidence, Fix } from '../../../src-shared/model/diagnostics.ts';
import type { Printer } from '../../../src-shared/model/printer.ts';
import type { CheckContext, CheckOutcome, DeviceAttributes, PrinterCheck } from '../check.ts';
import { ProbeErrorCode } from '../device-probe.ts';
import { deviceAddress } from './device-address.ts';

const POWER_FIX: Fix = {
  title: 'Check that the printer is on and on the network',
  steps: [
    'Check that the printer is switched on and not showing an error on its display.',
    "Check its network cable or Wi-Fi; print a configuration page from the printer's menu to see its address.",
    'If the address on that page differs from the one the queue uses, ask IT to update the queue (or give the printer a fixed address).',
  ],
};

export function addressEvidence(host: string, port: number): Evidence {
  return { label: 'Printer address', value: `${host}:${port}`, sensitive: 'device.identifiers' };
}

function skip(reason: string): CheckOutcome[] {
  return [{ status: 'skip', summary: reason }];
}

export const deviceReachableCheck: PrinterCheck = {
  id: 'device-reachable',
  title: 'Printer reachable',
  description:
    'A network connection can be opened to the printer the queue sends jobs to (IPP 631, raw socket 9100, LPD 515).',
  os: ['linux', 'darwin', 'win32'],
  scope: 'printer',
  network: true,
  async run({ device, signal, timeoutMs }, printer) {
    const address = deviceAddress(printer.connection.uri);
    if (address.kind !== 'tcp') return skip(address.reason);
    const evidence = [
      addressEvidence(address.host, address.port),
      { label: 'Connection', value: address.scheme },
    ];
    try {
      await device.connect(address.host, address.port, signal);
      return [{ status: 'pass', summary: 'The printer accepts network connections.', evidence }];
    } catch (error) {
      const code = isPrintoError(error) ? error.code : '';
      const summary =
        code === ProbeErrorCode.Refused
          ? "The printer's address answers, but nothing there accepts print jobs: the printer may be off, or another device now has its address."
          : code === ProbeErrorCode.Timeout
            ? `The printer did not answer within ${timeoutMs / 1000} s: it may be off, asleep or disconnected.`
            : 'The printer cannot be reached on the network.';
      return [
        {
          status: 'fail',
          summary,
          details: error instanceof Error ? error.message : String(error),
          evidence,
          fixes: [POWER_FIX],
        },
      ];
    }
  },
};

/** The device's own answer for a queue, or why there is none. Shared by the checks below. */
export async function askDevice(
  context: CheckContext,
  printer: Printer,
): Promise<{ attributes: DeviceAttributes } | { skip: string } | { error: unknown }> {
  const address = deviceAddress(printer.connection.uri);
  if (address.kind !== 'tcp') return { skip: address.reason };
  if (address.ippUri === null) {
    return {
      skip: `The printer is reached over ${address.scheme}, which cannot be asked about its state.`,
    };
  }
  try {
    return { attributes: await context.device.printerAttributes(address.ippUri, context.signal) };
  } catch (error) {
    return { error };
  }
}

const STOPPED_AT_DEVICE: Fix = {
  title: 'Look at the printer',
  steps: [
    'Go to the printer and read its display: it reports a problem that stops it.',
    'Clear the problem (paper, toner, a door), then print again.',
  ],
};

export const deviceIppCheck: PrinterCheck = {
  id: 'device-ipp',
  title: 'Printer answers',
  description:
    'For IPP printers: the printer itself answers a status request, and what it says matches what the queue claims (a queue can say "ready" while its printer is off).',
  os: ['linux', 'darwin', 'win32'],
  scope: 'printer',
  network: true,
  async run(context, printer) {
    const answer = await askDevice(context, printer);
    if ('skip' in answer) return skip(answer.skip);
    const address = deviceAddress(printer.connection.uri);
    const where = address.kind === 'tcp' ? [addressEvidence(address.host, address.port)] : [];
    if ('error' in answer) {
      const code = isPrintoError(answer.error) ? answer.error.code : '';
      if (code === 'ipp-unreachable') {
        // Nothing listens there at all: device-reachable says so, with its fix.
        return skip('Not asked: the printer cannot be reached (see "Printer reachable").');
      }
      const claim =
        printer.state === 'stopped'
          ? ''
          : ` The queue still says "${printer.state === 'idle' ? 'ready' : 'printing'}": jobs will wait without an error.`;
      const summary =
        code === 'ipp-timeout'
          ? `The printer accepts connections but did not answer a status request within ${context.timeoutMs / 1000} s.${claim}`
          : code === 'ipp-tls-untrusted'
            ? 'The printer answers with a security certificate this computer does not trust yet.'
            : `The printer does not answer status requests.${claim}`;
      return [
        {
          status: code === 'ipp-tls-untrusted' ? 'warn' : 'fail',
          summary,
          details: answer.error instanceof Error ? answer.error.message : String(answer.error),
          evidence: where,
          fixes:
            code === 'ipp-tls-untrusted'
              ? [
                  {
                    title: "Confirm the printer's certificate",
                    steps: [
                      "Ask IT to compare the fingerprint in the details with the one on the printer's own status page.",
                      'If they match, the printer can be trusted; if not, another device may be answering at this address.',
                    ],
                  },
                ]
              : [
                  {
                    ...POWER_FIX,
                    steps: [
                      'Switch the printer off and on again, and wait until it is ready.',
                      ...POWER_FIX.steps.slice(1),
                    ],
                  },
                ],
        },
      ];
    }
    const device = answer.attributes;
    const evidence: Evidence[] = [
      ...where,
      { label: 'Printer says', value: device.state },
      { label: 'Printer reasons', value: [...device.reasons] },
      { label: 'Queue says', value: printer.state },
      ...(device.makeAndModel === null ? [] : [{ label: 'Model', value: device.makeAndModel }]),
      ...(device.serialNumber === null
        ? []
        : [
            {
              label: 'Serial number',
              value: device.serialNumber,
              sensitive: 'device.identifiers' as const,
            },
          ]),
      ...(device.uuid === null
        ? []
        : [
            { label: 'Printer UUID', value: device.uuid, sensitive: 'device.identifiers' as const },
          ]),
    ];
    if (device.state === 'stopped' && printer.state !== 'stopped') {
      return [
        {
          status: 'warn',
          summary: 'The printer itself says it is stopped, while the queue says it is ready.',
          details: device.stateMessage,
          evidence,
          fixes: [STOPPED_AT_DEVICE],
        },
      ];
    }
    return [
      {
        status: 'pass',
        summary: `The printer answers and says it is ${device.state === 'idle' ? 'ready' : device.state}.`,
        evidence,
      },
    ];
  },
};

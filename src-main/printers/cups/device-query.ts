/**
 * What a queue's device says about itself, asked over IPP at the queue's device-uri. CUPS keeps
 * marker-* levels only after a job has gone through its ipp backend, and it reports an idle queue
 * as idle whether or not anything answers at the device (it notices only when a job fails), so
 * `printers` asks the device itself, briefly: its supplies and whether it answers at all.
 */
import { isPrintoError } from '../../../src-shared/errors.ts';
import type { Supply } from '../../../src-shared/model/printer.ts';
import { parsePrinterSupply } from '../../../src-shared/printing/supplies.ts';
import { IppClient } from '../ipp/client.ts';
import { IppTransportErrorCode } from '../ipp/transport.ts';
import type { IppTransport } from '../ipp/transport.ts';
import { MARKER_ATTRIBUTES, suppliesFromMarkerAttributes } from './mapping.ts';

/** A device on the local network answers in milliseconds; one that does not is not waited for. */
export const DEFAULT_DEVICE_QUERY_TIMEOUT_MS = 1_500;

const DEVICE_ATTRIBUTES = [
  'printer-supply',
  'printer-supply-description',
  ...MARKER_ATTRIBUTES,
] as const;

export interface DeviceFacts {
  /**
   * False when nothing accepts connections at the device (refused, no route, unknown host);
   * null when that is not known (a time-out, TLS or IPP trouble: it may be busy or strict).
   */
  readonly reachable: boolean | null;
  readonly supplies: readonly Supply[];
}

/** Only network IPP devices are asked: usb://, socket://, lpd:// and the rest do not speak IPP. */
export function isIppDeviceUri(uri: string | null): uri is string {
  return uri !== null && /^ipps?:\/\/[^/]/i.test(uri);
}

export async function queryDevice(
  uri: string,
  transport: IppTransport,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<DeviceFacts> {
  try {
    const client = IppClient.forUri(uri, { transport });
    const response = await client.getPrinterAttributes(
      uri,
      { requestedAttributes: DEVICE_ATTRIBUTES },
      {
        timeoutMs: options.timeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
    );
    const group = response.printers()[0];
    if (group === undefined) return { reachable: true, supplies: [] };
    // PWG 5100.13 printer-supply first (what IPP Everywhere devices report); CUPS-style
    // marker-* from devices that report those instead.
    const decoder = new TextDecoder();
    const descriptions = group.strings('printer-supply-description');
    const supplies = group
      .octets('printer-supply')
      .map((bytes, i) => parsePrinterSupply(decoder.decode(bytes), descriptions[i]));
    return {
      reachable: true,
      supplies: supplies.length > 0 ? supplies : suppliesFromMarkerAttributes(group),
    };
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    const gone = isPrintoError(error, IppTransportErrorCode.Unreachable);
    return { reachable: gone ? false : null, supplies: [] };
  }
}

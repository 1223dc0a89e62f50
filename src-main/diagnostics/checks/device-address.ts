/**
 * Where a queue's device listens, from its device URI (CUPS) or synthesised port URI (Windows).
 * Only addresses a TCP probe can test are returned; the rest say why they cannot be probed.
 */
export type DeviceAddress =
  | {
      readonly kind: 'tcp';
      readonly scheme: string;
      readonly host: string;
      readonly port: number;
      /** An ipp/ipps/http(s) URI the device answers IPP on. */
      readonly ippUri: string | null;
    }
  | { readonly kind: 'not-network'; readonly reason: string };

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  ipp: 631,
  ipps: 631,
  http: 80,
  https: 443,
  socket: 9100,
  lpd: 515,
};

const NOT_NETWORK: Readonly<Record<string, string>> = {
  usb: 'The printer is connected by USB: there is no network address to test.',
  parallel: 'The printer is connected to a parallel port: there is no network address to test.',
  serial: 'The printer is connected to a serial port: there is no network address to test.',
  dnssd:
    'The queue finds the printer by name on the local network (DNS-SD/Bonjour), not by a fixed address.',
  mdns: 'The queue finds the printer by name on the local network (mDNS), not by a fixed address.',
  file: 'The queue prints to a file on this computer.',
  'cups-pdf': 'The queue creates PDF files on this computer.',
  implicitclass: 'The queue is a CUPS-made group of printers, not one device.',
  ippusbxd: 'The printer is connected by USB (IPP over USB).',
};

export function deviceAddress(uri: string | null): DeviceAddress {
  if (uri === null || uri.trim() === '') {
    return {
      kind: 'not-network',
      reason: 'The print system does not say where this queue sends jobs.',
    };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? '';
  const known = NOT_NETWORK[scheme];
  if (known !== undefined) return { kind: 'not-network', reason: known };
  const defaultPort = DEFAULT_PORTS[scheme];
  if (defaultPort === undefined) {
    return {
      kind: 'not-network',
      reason: `The queue uses a "${scheme || 'unknown'}" connection, which Printo Help cannot test over the network.`,
    };
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { kind: 'not-network', reason: "The queue's device address is not a valid URI." };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '')
    return { kind: 'not-network', reason: "The queue's device address has no host." };
  const isIpp = scheme === 'ipp' || scheme === 'ipps' || scheme === 'http' || scheme === 'https';
  return {
    kind: 'tcp',
    scheme,
    host,
    port: url.port === '' ? defaultPort : Number(url.port),
    ippUri: isIpp ? uri : null,
  };
}

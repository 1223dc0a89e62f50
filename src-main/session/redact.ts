/**
 * What leaves this computer for the granted scopes (ARCHITECTURE.md, Consent): identifiers only
 * with `device.identifiers`, document names and owners only with `jobs.metadata`. Doing it here
 * means the data never leaves the machine; the relay applies the same shared rule again.
 *
 * The shared rule (src-shared/privacy/redact-data.ts) blanks a printer's connection fields. A
 * printer's free text can name the same host ("Unable to locate printer-floor2.corp.example"),
 * so on top of it the client replaces those identifiers, and anything shaped like an address,
 * in the description, location and state message.
 */
import type { Printer } from '../../src-shared/model/printer.ts';
import { redactData as redactForScopes } from '../../src-shared/privacy/redact-data.ts';
import { REDACTED } from '../../src-shared/privacy/share-report.ts';
import type { Scope } from '../../src-shared/protocol/v1.ts';
import type { Data } from './types.ts';

const ID = REDACTED['device.identifiers'];

// Identifier shapes that turn up in free text such as a CUPS state message ("Unable to connect
// to 192.0.2.7"). Same idea as the second layer of shareableReport.
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
// Eight groups, or a compressed form with "::" (so that a time like 10:30:45 is left alone).
const IPV6 =
  /(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])|(?<![\w:])(?:[0-9a-f]{1,4}:){0,6}(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{0,4}(?![\w:])/gi;
const MAC = /\b[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}\b/gi;
const URI_HOST = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^/\s@]*@)?(\[[^\]]+\]|[^/\s:?#]+)/gi;

/** Schemes whose "host" is a maker or a bus, not an address (`usb://HP/LaserJet?serial=…`). */
const LOCAL_SCHEMES = new Set(['usb', 'file', 'parallel', 'serial', 'hp', 'hpfax', 'cups-pdf']);
/** Windows ports that name a local device, not a host. */
const LOCAL_PORT = /^(?:usb\d+|lpt\d+:?|com\d+:?|file:?|portprompt:?|nul:?|xps.*|pdf.*)$/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The identifiers a printer's own connection gives away (its host, its serial number, its
 * Windows port address): replaced wherever they appear in the printer's text as well, as the
 * first layer of shareableReport does with values a check marked sensitive.
 */
function identifiersOf(printer: Printer): string[] {
  const found = new Set<string>();
  const { uri, port } = printer.connection;
  if (uri !== null) {
    try {
      const url = new URL(uri);
      const scheme = url.protocol.slice(0, -1).toLowerCase();
      const host = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, ''));
      if (!LOCAL_SCHEMES.has(scheme) && host !== '') found.add(host);
      const serial = url.searchParams.get('serial');
      if (serial !== null && serial !== '') found.add(serial);
    } catch {
      // Not a URL: the shared rule blanks the field; the shape patterns still apply to text.
    }
  }
  if (port !== null && !LOCAL_PORT.test(port.trim())) {
    found.add(port.trim());
    const address = /^IP_(.+)$/i.exec(port.trim())?.[1];
    if (address !== undefined) found.add(address);
  }
  // Longest first, so that "printer.example.com" goes before "printer"; short values would eat
  // ordinary words.
  return [...found].filter((value) => value.length >= 3).sort((a, b) => b.length - a.length);
}

function scrubber(secrets: readonly string[]): (text: string | null) => string | null {
  const patterns = secrets.map((value) => {
    const start = /^\w/.test(value) ? '(?<![\\w])' : '';
    const end = /\w$/.test(value) ? '(?![\\w])' : '';
    return new RegExp(`${start}${escapeRegExp(value)}${end}`, 'gi');
  });
  return (text) => {
    if (text === null) return null;
    let out = text;
    for (const pattern of patterns) out = out.replace(pattern, ID);
    return (
      out
        .replace(URI_HOST, (_match, scheme: string) => `${scheme}${ID}`)
        .replace(IPV4, ID)
        // A bare "::" (as in PowerShell `[Type]::Member`) is not an address.
        .replace(IPV6, (match) => (match.length > 2 ? ID : match))
        .replace(MAC, ID)
    );
  };
}

/** The queue name is kept: it is the handle every proposed action takes. */
function scrubPrinterText(redacted: Printer, original: Printer): Printer {
  const scrub = scrubber(identifiersOf(original));
  return {
    ...redacted,
    description: scrub(redacted.description),
    location: scrub(redacted.location),
    stateMessage: scrub(redacted.stateMessage),
  };
}

export function redactData(data: Data, granted: readonly Scope[]): Data {
  const redacted = redactForScopes(data, granted);
  if (data.kind !== 'printers' || redacted.kind !== 'printers') return redacted;
  if (granted.includes('device.identifiers')) return redacted;
  return {
    kind: 'printers',
    printers: redacted.printers.map((printer, index) => {
      const original = data.printers[index];
      return original === undefined ? printer : scrubPrinterText(printer, original);
    }),
  };
}

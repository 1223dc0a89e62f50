/**
 * Identifiers in free text (ARCHITECTURE.md, Consent: serial numbers, IP addresses and host names
 * only with `device.identifiers`). Structured fields are blanked by their own rule; this is the
 * rule for text, where printers put identifiers in surprising places: a CUPS state message
 * ("Unable to connect to 192.0.2.7"), a location ("Floor 2, prn-fl2.corp.example"), a
 * make-and-model string with the serial number in it ("HP LaserJet M404 SN:CNB3K12345").
 *
 * One rule for the client's shareable report, what the session library sends, and the relay's
 * second pass: two layers.
 * 1. Known values — a printer's own host, serial and port, values a diagnostic check marked
 *    sensitive — replaced wherever they appear, case-insensitively, as whole words.
 * 2. Shapes: URIs (the host; the scheme and path stay, so "ipp://[device identifier]/ipp/print"
 *    still says how the printer is reached), UNC paths, IPv4 and IPv6 addresses, MAC addresses,
 *    host names (FQDNs of three labels or more, or any name under an internal suffix such as
 *    `.local` or `.corp`), and serial numbers (after a label such as "SN:" or "Serial No.", or
 *    a bare token of 8–20 upper-case letters and digits with at least four digits and two
 *    letters, the shape of every vendor's serial and of no model name we know of).
 * Two-label public domains ("mopria.org" in a fix step) are not hosts of this network and stay.
 */
import type { SensitiveScope } from '../model/diagnostics.ts';

/** The replacement forms, documented in docs/protocol.md. */
export const REDACTED = {
  'device.identifiers': '[device identifier]',
  'jobs.metadata': '[job details]',
} as const satisfies Record<SensitiveScope, string>;

const ID = REDACTED['device.identifiers'];

// scheme://[user@]host → keep the scheme, drop the credentials and the host.
const URI_HOST = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^/\s@]*@)?(\[[^\]\s]+\]|[^/\s:?#@\]]+)/gi;
/** Schemes whose "host" is a maker or a bus, not an address (`usb://HP/LaserJet?serial=…`). */
const LOCAL_SCHEMES = new Set(['usb', 'file', 'parallel', 'serial', 'hp', 'hpfax', 'cups-pdf']);
// \\server\share (Windows shared printers and ports).
const UNC = /\\\\[A-Za-z0-9._-]+/g;
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
// Eight groups, or a compressed form with "::" (so that a time like 10:30:45 is left alone).
const IPV6 =
  /(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])|(?<![\w:])(?:[0-9a-f]{1,4}:){0,6}(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{0,4}(?![\w:])/gi;
const MAC = /\b[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}\b/gi;
const HOST =
  /(?<![\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9](?![\w-]|\.[a-z0-9])/gi;
/** Suffixes only ever used inside a network (RFC 6762, RFC 8375, common practice). */
const INTERNAL_SUFFIXES = new Set([
  'local',
  'lan',
  'home',
  'corp',
  'internal',
  'intranet',
  'localdomain',
  'private',
  'example',
  'test',
  'invalid',
]);
// The value must hold a digit: "the serial number on the back" is prose, not a serial.
const SERIAL_LABELLED =
  /\b(S\/N|SN|Serial(?:[ \t]*(?:No\.?|Number|#))?)(?![A-Za-z0-9])([ \t]*[:#=]?[ \t]*)(?=[A-Za-z0-9-]*\d)([A-Za-z0-9][A-Za-z0-9-]{3,})/gi;
const SERIAL_TOKEN = /\b[A-Z0-9]{8,20}\b/g;

function looksLikeSerial(token: string): boolean {
  let digits = 0;
  let letters = 0;
  for (const char of token) {
    if (char >= '0' && char <= '9') digits += 1;
    else letters += 1;
  }
  return digits >= 4 && letters >= 2;
}

/** File names look like host names ("Q3.budget.xlsx"): their extensions are not suffixes. */
const FILE_EXTENSIONS = new Set([
  'pdf',
  'ps',
  'txt',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'ppt',
  'pptx',
  'odt',
  'ods',
  'rtf',
  'csv',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'tif',
  'tiff',
  'ppd',
  'gz',
  'zip',
  'conf',
  'log',
  'html',
  'htm',
  'xml',
  'json',
  'exe',
  'dll',
  'ini',
  'inf',
  'cab',
  'msi',
  'ps1',
]);

function isHostName(candidate: string): boolean {
  const labels = candidate.toLowerCase().split('.');
  const last = labels[labels.length - 1] ?? '';
  if (FILE_EXTENSIONS.has(last)) return false;
  return labels.length >= 3 || INTERNAL_SUFFIXES.has(last);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces identifier shapes (layer 2) in one text. */
export function scrubIdentifierShapes(text: string): string {
  return text
    .replace(URI_HOST, (match, scheme: string) =>
      LOCAL_SCHEMES.has(scheme.slice(0, -3).toLowerCase()) ? match : `${scheme}${ID}`,
    )
    .replace(UNC, `\\\\${ID}`)
    .replace(IPV4, ID)
    .replace(IPV6, (match) => (match.length > 2 ? ID : match))
    .replace(MAC, ID)
    .replace(HOST, (match) => (isHostName(match) ? ID : match))
    .replace(
      SERIAL_LABELLED,
      (_match, label: string, separator: string) => `${label}${separator}${ID}`,
    )
    .replace(SERIAL_TOKEN, (match) => (looksLikeSerial(match) ? ID : match));
}

export interface KnownValue {
  readonly value: string;
  readonly replacement: string;
}

/**
 * A function that scrubs one text: known values first (longest first, so that
 * "printer.example.com" goes before "printer"), then, unless identifiers are allowed, the shapes.
 * Values shorter than 3 characters are only replaced when they are the whole text: as substrings
 * they would eat ordinary words.
 */
export function textScrubber(
  known: readonly KnownValue[],
  allowIdentifiers: boolean,
): (text: string) => string {
  const sorted = known
    .map((k) => ({ value: k.value.trim(), replacement: k.replacement }))
    .filter((k) => k.value !== '')
    .sort((a, b) => b.value.length - a.value.length);
  const patterns = sorted
    .filter((k) => k.value.length >= 3)
    .map((k) => {
      const start = /^\w/.test(k.value) ? '(?<![\\w])' : '';
      const end = /\w$/.test(k.value) ? '(?![\\w])' : '';
      return {
        pattern: new RegExp(`${start}${escapeRegExp(k.value)}${end}`, 'gi'),
        replacement: k.replacement,
      };
    });
  const exact = new Map(sorted.map((k) => [k.value.toLowerCase(), k.replacement]));
  return (text) => {
    const whole = exact.get(text.trim().toLowerCase());
    if (whole !== undefined) return whole;
    let out = text;
    for (const { pattern, replacement } of patterns) out = out.replace(pattern, replacement);
    return allowIdentifiers ? out : scrubIdentifierShapes(out);
  };
}

/** Every string inside a JSON value, scrubbed; keys and non-strings are kept. */
export function mapStrings<T>(value: T, scrub: (text: string) => string): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => mapStrings(item, scrub)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapStrings(item, scrub)]),
    ) as T;
  }
  return value;
}

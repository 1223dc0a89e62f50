import type { SensitiveScope } from '../model/diagnostics.ts';
import type { Job } from '../model/job.ts';
import type { Printer } from '../model/printer.ts';
import type { Scope } from '../protocol/v1.ts';
import { REDACTED, textScrubber, type KnownValue } from './free-text.ts';
import { shareableReport } from './share-report.ts';
import type { z } from 'zod';
import type { DataSchema } from '../protocol/v1.ts';

type Data = z.infer<typeof DataSchema>;

const ID = REDACTED['device.identifiers'];

/** Windows ports that name a local device, not a host. */
const LOCAL_PORT = /^(?:usb\d+|lpt\d+:?|com\d+:?|file:?|portprompt:?|nul:?|xps.*|pdf.*)$/i;
/** Schemes whose "host" is a maker or a bus, not an address (`usb://HP/LaserJet?serial=…`). */
const LOCAL_SCHEMES = new Set(['usb', 'file', 'parallel', 'serial', 'hp', 'hpfax', 'cups-pdf']);

/** `scheme://[user@]host[:port]…` → scheme, host. */
const URI_PARTS = /^([a-z][a-z0-9+.-]*):\/\/(?:[^/@?#]*@)?(\[[^\]]+\]|[^/:?#]+)/i;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The identifiers a printer's own connection gives away (its host, its serial number, its
 * Windows port address): replaced wherever they appear in the printer's text as well.
 */
function identifiersOf(printer: Printer): KnownValue[] {
  const found = new Set<string>();
  const { uri, port } = printer.connection;
  if (uri !== null) {
    // By pattern, not `new URL`: src-shared has neither DOM nor Node types, and a device URI
    // that is not a valid URL still names its host.
    const match = URI_PARTS.exec(uri);
    const scheme = match?.[1]?.toLowerCase();
    const host = match?.[2]?.replace(/^\[|\]$/g, '');
    if (scheme !== undefined && host !== undefined && host !== '' && !LOCAL_SCHEMES.has(scheme))
      found.add(safeDecode(host));
    const serial = /[?&]serial=([^&#]+)/i.exec(uri)?.[1];
    if (serial !== undefined) found.add(safeDecode(serial));
  }
  if (port !== null && !LOCAL_PORT.test(port.trim())) {
    found.add(port.trim());
    const address = /^IP_(.+)$/i.exec(port.trim())?.[1];
    if (address !== undefined) found.add(address);
  }
  return [...found].map((value) => ({ value, replacement: ID }));
}

/**
 * Without `device.identifiers`: the connection blanked, and every free text of the printer
 * scrubbed. The queue name is kept: it is the handle every proposed action takes.
 */
function redactPrinter(printer: Printer): Printer {
  const scrub = textScrubber(identifiersOf(printer), false);
  const scrubOrNull = (text: string | null): string | null => (text === null ? null : scrub(text));
  return {
    ...printer,
    description: scrubOrNull(printer.description),
    location: scrubOrNull(printer.location),
    makeAndModel: scrubOrNull(printer.makeAndModel),
    driver: scrubOrNull(printer.driver),
    stateMessage: scrubOrNull(printer.stateMessage),
    connection: {
      uri: printer.connection.uri === null ? null : ID,
      port: printer.connection.port === null ? null : ID,
    },
    supplies: printer.supplies.map((supply) => ({ ...supply, name: scrub(supply.name) })),
  };
}

function redactJob(job: Job, metadata: boolean, identifiers: boolean): Job {
  if (!metadata) {
    return {
      ...job,
      name: job.name === null ? null : REDACTED['jobs.metadata'],
      owner: job.owner === null ? null : REDACTED['jobs.metadata'],
    };
  }
  if (identifiers) return job;
  const scrub = textScrubber([], false);
  return {
    ...job,
    name: job.name === null ? null : scrub(job.name),
    owner: job.owner === null ? null : scrub(job.owner),
  };
}

/**
 * What an agent may see of data the client sends, for the scopes the user granted: device
 * identifiers only with `device.identifiers` (structured fields blanked, free text scrubbed:
 * free-text.ts), document names and owners only with `jobs.metadata`. Applied by the client
 * before sending and again by the relay before forwarding.
 */
export function redactData(data: Data, granted: readonly Scope[]): Data {
  const sensitive: SensitiveScope[] = granted.filter(
    (s): s is SensitiveScope => s === 'device.identifiers' || s === 'jobs.metadata',
  );
  const ids = sensitive.includes('device.identifiers');
  const jobs = sensitive.includes('jobs.metadata');
  switch (data.kind) {
    case 'diagnostics':
      return { kind: 'diagnostics', report: shareableReport(data.report, sensitive) };
    case 'printers':
      return {
        kind: 'printers',
        printers: ids ? data.printers : data.printers.map(redactPrinter),
      };
    case 'jobs':
      return { kind: 'jobs', jobs: data.jobs.map((job) => redactJob(job, jobs, ids)) };
  }
}

/**
 * A free text that travels beside the data (an action's result message, a data request's error
 * message) scrubbed for the same grant: "Test page sent to 192.0.2.7" names the printer's host.
 */
export function redactText(text: string, granted: readonly Scope[]): string {
  return granted.includes('device.identifiers') ? text : textScrubber([], false)(text);
}

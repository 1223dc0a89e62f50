/**
 * Our IPP decoder against ipptool, the CUPS project's reference client, for the same requests to
 * the same real servers (a private cupsd and an ippeveprinter, reference/printing.md §1).
 *
 * For every exchange of test/fixtures/ipp/capture.ts, our IppClient sends the request and ipptool
 * sends the equivalent one from a .test file. ipptool's `-tv` report prints every response
 * attribute as `name (syntax) = value`, rendered by libcups' ippAttributeString(); `-j` tells
 * which group each attribute is in. Our decoded message is rendered the same way here, and the
 * two lists must be equal line for line: same attributes, same groups in the same order, same
 * syntax label (`1setOf keyword`, `enum`, `collection`, `no-value`…) and the same value text.
 * A mis-decoded date, enum, 1setOf or nested collection shows up as a differing line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src-main/printers/ipp/codec.ts';
import { Operation, statusName } from '../../src-main/printers/ipp/constants.ts';
import type { IppAttribute, IppMessage, IppValue } from '../../src-main/printers/ipp/types.ts';
import {
  DEVICE_LOCATION,
  HELD_JOB_TITLE,
  RecordingTransport,
  exchanges,
  startScenario,
} from '../fixtures/ipp/capture.ts';
import type { Scenario } from '../fixtures/ipp/capture.ts';

// ---------------------------------------------------------------------------------------------
// Rendering our values the way libcups 2.4.2 ippAttributeString() does (cups/ipp-support.c),
// checked against the installed libcups: strings escape `\`, `"` and `[` with a backslash and
// append `[language]` for the WithLanguage types; octetStrings escape `\` and white space with a
// backslash and write other non-printable bytes (everything outside ASCII 0x20–0x7E) as `\ooo`;
// dateTime is the sender's local time with `Z` for a zero offset, else `±hhmm`, deciseconds
// dropped; resolutions are `600dpi` or `600x300dpcm`; ranges `1-999`; values of a 1setOf are
// joined with `,` and a collection is `{member=value member=value}`.

function enumText(value: Extract<IppValue, { tag: 'enum' }>): string {
  return value.name ?? `${value.value}`;
}

function escapeString(text: string): string {
  return text.replace(/[\\"[]/g, (c) => `\\${c}`);
}

function octetText(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (byte === 0x5c || byte === 0x20 || (byte >= 0x09 && byte <= 0x0d)) out += `\\${char}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += char;
  }
  return out;
}

const two = (n: number): string => String(n).padStart(2, '0');

function dateText({ date, utcOffsetMinutes }: { date: Date; utcOffsetMinutes: number }): string {
  const local = new Date(date.getTime() + utcOffsetMinutes * 60_000);
  const fields =
    `${String(local.getUTCFullYear()).padStart(4, '0')}-${two(local.getUTCMonth() + 1)}-` +
    `${two(local.getUTCDate())}T${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:` +
    two(local.getUTCSeconds());
  if (utcOffsetMinutes === 0) return `${fields}Z`;
  const offset = Math.abs(utcOffsetMinutes);
  return `${fields}${utcOffsetMinutes < 0 ? '-' : '+'}${two(Math.floor(offset / 60))}${two(offset % 60)}`;
}

function valueText(value: IppValue): string {
  switch (value.tag) {
    case 'integer':
      return `${value.value}`;
    case 'boolean':
      return value.value ? 'true' : 'false';
    case 'enum':
      return enumText(value);
    case 'octetString':
      return octetText(value.value);
    case 'dateTime':
      return dateText(value.value);
    case 'resolution': {
      const { x, y, units } = value.value;
      const unit = units === 'dpi' ? 'dpi' : 'dpcm';
      return x === y ? `${x}${unit}` : `${x}x${y}${unit}`;
    }
    case 'rangeOfInteger':
      return `${value.value.lower}-${value.value.upper}`;
    case 'collection':
      return `{${value.value.map((member) => `${member.name}=${attributeText(member)}`).join(' ')}}`;
    case 'textWithLanguage':
    case 'nameWithLanguage':
      return `${escapeString(value.value)}[${value.language}]`;
    case 'textWithoutLanguage':
    case 'nameWithoutLanguage':
    case 'keyword':
    case 'uri':
    case 'uriScheme':
    case 'charset':
    case 'naturalLanguage':
    case 'mimeMediaType':
      return escapeString(value.value);
    case 'unsupported':
    case 'unknown':
    case 'noValue':
    case 'notSettable':
    case 'deleteAttribute':
    case 'adminDefine':
    case 'other':
      return tagLabel(value);
  }
}

function attributeText(attribute: IppAttribute): string {
  return attribute.values.map((value) => valueText(value)).join(',');
}

/** ippTagString(): the syntax label ipptool prints. */
function tagLabel(value: IppValue): string {
  switch (value.tag) {
    case 'noValue':
      return 'no-value';
    case 'notSettable':
      return 'not-settable';
    case 'deleteAttribute':
      return 'delete-attribute';
    case 'adminDefine':
      return 'admin-define';
    case 'other':
      return `0x${value.code.toString(16).padStart(2, '0')}`;
    default:
      return value.tag;
  }
}

function syntaxLabel(attribute: IppAttribute): string {
  const first = attribute.values[0];
  if (first === undefined) return '(no values)';
  return `${attribute.values.length > 1 ? '1setOf ' : ''}${tagLabel(first)}`;
}

// ---------------------------------------------------------------------------------------------
// Both sides as comparable lines.

interface Line {
  /** Position of the attribute's group in the message, and its tag (`printer`, `job`…). */
  readonly group: string;
  readonly name: string;
  readonly syntax: string;
  readonly value: string;
}

function ourLines(message: IppMessage): Line[] {
  return message.groups.flatMap((group, index) =>
    group.attributes.map((attribute) => ({
      group: `${index}:${group.tag}`,
      name: attribute.name,
      syntax: syntaxLabel(attribute),
      value: attributeText(attribute),
    })),
  );
}

const ATTRIBUTE_LINE = /^ {8}(\S+) \(([^)]+)\) = (.*)$/;

/** A response line of ipptool's report, or the mark it prints between two groups of one kind. */
type ReportLine = Omit<Line, 'group'> | 'separator';

interface IpptoolReport {
  readonly operation: string;
  readonly request: readonly Omit<Line, 'group'>[];
  readonly receivedBytes: number;
  readonly status: string;
  readonly response: readonly ReportLine[];
}

function parseLine(line: string): Omit<Line, 'group'> | undefined {
  const match = ATTRIBUTE_LINE.exec(line);
  if (match === null) return undefined;
  const [, name = '', syntax = '', value = ''] = match;
  return { name, syntax, value };
}

/** Reads ipptool's `-tv` report of one test (see `man ipptool`). */
function parseTextReport(stdout: string): IpptoolReport {
  const lines = stdout.split('\n');
  const operation = /^ {4}(\S+):$/.exec(lines[1] ?? '')?.[1];
  const resultAt = lines.findIndex((line) => /^ {4}\S.*\[(PASS|FAIL)\]$/.test(line));
  const received = /^ {8}RECEIVED: (\d+) bytes in response$/.exec(lines[resultAt + 1] ?? '');
  const status = /^ {8}status-code = (\S+) /.exec(lines[resultAt + 2] ?? '');
  if (operation === undefined || resultAt < 0 || received === null || status === null) {
    throw new Error(`Unexpected ipptool report:\n${stdout}`);
  }
  const request = lines.slice(2, resultAt).map((line) => {
    const parsed = parseLine(line);
    if (parsed === undefined) throw new Error(`Unexpected request line from ipptool: ${line}`);
    return parsed;
  });
  const response: ReportLine[] = [];
  for (const line of lines.slice(resultAt + 3)) {
    if (!line.startsWith('        ')) break;
    // libcups keeps two consecutive groups with the same tag apart with a nameless attribute.
    if (line === '        -- separator --') {
      response.push('separator');
      continue;
    }
    const parsed = parseLine(line);
    if (parsed === undefined) throw new Error(`Unexpected response line from ipptool: ${line}`);
    response.push(parsed);
  }
  return {
    operation,
    request,
    receivedBytes: Number(received[1]),
    status: status[1] ?? '',
    response,
  };
}

const GROUP_TAGS: Readonly<Record<string, string>> = {
  'operation-attributes-tag': 'operation',
  'job-attributes-tag': 'job',
  'printer-attributes-tag': 'printer',
  'unsupported-attributes-tag': 'unsupported',
};

/**
 * The group tag of each response attribute, in order, from ipptool's `-j` report. Its JSON is not
 * always valid (CUPS 2.4.2 writes `"name",` for out-of-band values) and it merges consecutive
 * groups with the same tag, but each run of groups starts with a `"group-tag"` line and every
 * attribute starts a line at the same indentation.
 */
function parseJsonGroups(stdout: string): { tag: string; name: string }[] {
  const out: { tag: string; name: string }[] = [];
  let tag: string | undefined;
  for (const line of stdout.split('\n')) {
    const groupTag = /^ {8}"group-tag": "([a-z-]+)",?$/.exec(line)?.[1];
    if (groupTag !== undefined) {
      tag = GROUP_TAGS[groupTag] ?? groupTag;
      continue;
    }
    const name = /^ {8}"([^"]+)"/.exec(line)?.[1];
    if (name !== undefined) {
      if (tag === undefined) throw new Error(`ipptool -j: attribute ${name} before any group`);
      out.push({ tag, name });
    }
  }
  return out;
}

/**
 * ipptool's response lines with their groups: `-j` gives each attribute's group tag, and a new
 * group starts where the tag changes or where `-tv` printed a separator.
 */
function theirLines(report: readonly ReportLine[], tags: readonly { tag: string }[]): Line[] {
  const out: Line[] = [];
  let index = -1;
  let previous: string | undefined;
  let separated = false;
  for (const line of report) {
    if (line === 'separator') {
      separated = true;
      continue;
    }
    const tag = tags[out.length]?.tag ?? '?';
    if (tag !== previous || separated) index += 1;
    previous = tag;
    separated = false;
    out.push({ group: `${index}:${tag}`, ...line });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Attributes whose value changes from one request to the next. They are still compared by name,
// group and syntax; their values must agree within a tolerance instead of exactly.
const TOLERANCE_SECONDS = 10;
const CLOCK_VALUES: ReadonlyMap<string, string> = new Map([
  // The server's clock at the moment it answered (dateTime).
  ['printer-current-time', 'dateTime'],
  // Seconds on the server's clock (cupsd: since the epoch; ippeveprinter: since it started),
  // taken when it answered.
  ['printer-up-time', 'integer'],
  // The same clock, repeated in every job (RFC 8011 §5.3.14.4).
  ['job-printer-up-time', 'integer'],
]);
// Everything else is compared exactly, including the other time stamps: printer-state-change-*,
// printer-config-change-*, time-at-creation and date-time-at-creation record when something
// happened, and nothing happens to the printers or jobs while the requests run.

function clockSeconds(kind: string, text: string): number {
  if (kind === 'integer') return Number(text);
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(Z|[+-]\d{4})$/.exec(text);
  if (match === null) return Number.NaN;
  const iso = `${match.slice(1, 4).join('-')}T${match.slice(4, 7).join(':')}`;
  const zone =
    match[7] === 'Z' ? 'Z' : `${match[7]?.slice(0, 3) ?? ''}:${match[7]?.slice(3) ?? ''}`;
  return Date.parse(`${iso}${zone}`) / 1000;
}

function masked<T extends Omit<Line, 'group'>>(lines: readonly T[]): T[] {
  return lines.map((line) => (CLOCK_VALUES.has(line.name) ? { ...line, value: '<clock>' } : line));
}

function asText(line: Omit<Line, 'group'> & { group?: string }): string {
  return `${line.group === undefined ? '' : `[${line.group}] `}${line.name} (${line.syntax}) = ${line.value}`;
}

// ---------------------------------------------------------------------------------------------
// The ipptool requests equivalent to our client's (same operation attributes in the same order).

const HEADER = [
  'GROUP operation-attributes-tag',
  'ATTR charset attributes-charset utf-8',
  'ATTR naturalLanguage attributes-natural-language en',
];

function ipptoolTest(operation: string, attributes: readonly string[]): string {
  return [
    '{',
    `  NAME "${operation}"`,
    `  OPERATION ${operation}`,
    '  VERSION 2.0',
    ...[...HEADER, ...attributes].map((line) => `  ${line}`),
    '  STATUS successful-ok',
    '}',
    '',
  ].join('\n');
}

/** The ipptool test file for each exchange of capture.ts, by fixture name. */
function ipptoolRequest(fixture: string, scenario: Scenario): string {
  switch (fixture) {
    case 'ippeveprinter-get-printer-attributes.bin':
      return ipptoolTest('Get-Printer-Attributes', [
        'ATTR uri printer-uri $uri',
        'ATTR name requesting-user-name $user',
        'ATTR keyword requested-attributes all,media-col-database',
      ]);
    case 'cupsd-cups-get-printers.bin':
      return ipptoolTest('CUPS-Get-Printers', ['ATTR name requesting-user-name $user']);
    case 'cupsd-get-jobs.bin':
      return ipptoolTest('Get-Jobs', [
        'ATTR uri printer-uri $uri',
        'ATTR name requesting-user-name $user',
        'ATTR keyword which-jobs not-completed',
        'ATTR keyword requested-attributes all',
      ]);
    case 'cupsd-get-job-attributes.bin':
      return ipptoolTest('Get-Job-Attributes', [
        'ATTR uri printer-uri $uri',
        `ATTR integer job-id ${scenario.heldJobId}`,
        'ATTR name requesting-user-name $user',
      ]);
    case 'cupsd-cups-get-default.bin':
      return ipptoolTest('CUPS-Get-Default', ['ATTR name requesting-user-name $user']);
    default:
      throw new Error(`No ipptool request for ${fixture}`);
  }
}

// ---------------------------------------------------------------------------------------------

let scenario: Scenario;
const transport = new RecordingTransport();
const workDir = mkdtempSync(join(tmpdir(), 'printo-ipptool-'));

beforeAll(async () => {
  scenario = await startScenario('ipptool-crosscheck');
});

afterAll(async () => {
  transport.close();
  rmSync(workDir, { recursive: true, force: true });
  // Unset when startScenario() failed; it has stopped its bed then.
  await (scenario as Scenario | undefined)?.bed.stop();
});

async function ipptool(args: readonly string[], uri: string, file: string): Promise<string> {
  const result = await scenario.bed.run('ipptool', [...args, '-T', '10', uri, file]);
  if (result.code !== 0) {
    throw new Error(
      `ipptool ${args.join(' ')} failed (${String(result.code)}):\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Sends the exchange both ways and compares; returns our decoded message for extra checks. */
async function crossCheck(fixture: string): Promise<IppMessage> {
  const exchange = exchanges(scenario).find((e) => e.fixture === fixture);
  if (exchange === undefined) throw new Error(`No exchange ${fixture} in capture.ts`);
  const file = join(workDir, fixture.replace(/\.bin$/, '.test'));
  writeFileSync(file, ipptoolRequest(fixture, scenario));

  const response = await exchange.send(transport);
  const wire = transport.last();
  const text = parseTextReport(await ipptool(['-tv'], exchange.ipptoolUri, file));
  const tags = parseJsonGroups(await ipptool(['-j'], exchange.ipptoolUri, file));

  // The same request: ipptool prints what it sent, we decode what our client sent.
  const request = decodeMessage(wire.request);
  const operationName = Object.entries(Operation).find(([, code]) => code === request.code)?.[0];
  expect(text.operation).toBe(operationName);
  expect(
    ourLines(request).map(({ name, syntax, value }) => asText({ name, syntax, value })),
  ).toEqual(text.request.map(asText));

  // The same response.
  const message = decodeMessage(wire.response);
  expect(message).toEqual(response.message);
  expect(statusName(message.code)).toBe(text.status);
  // The two answers differ only in clock values of fixed size, so they have the same length.
  expect(wire.response.length).toBe(text.receivedBytes);

  const theirs = theirLines(text.response, tags);
  expect(
    tags.map((t) => t.name),
    'ipptool -tv and -j list the same attributes',
  ).toEqual(theirs.map((line) => line.name));
  const ours = ourLines(message);
  expect(ours.length, 'number of attributes').toBe(theirs.length);
  expect(masked(ours).map(asText)).toEqual(masked(theirs).map(asText));

  for (const [i, line] of ours.entries()) {
    const kind = CLOCK_VALUES.get(line.name);
    const their = theirs[i];
    if (kind === undefined || their === undefined) continue;
    const difference = Math.abs(clockSeconds(kind, line.value) - clockSeconds(kind, their.value));
    expect(
      difference,
      `${line.name}: ours ${line.value}, ipptool ${their.value}`,
    ).toBeLessThanOrEqual(TOLERANCE_SECONDS);
  }
  return message;
}

describe('our IPP decoder agrees with ipptool', () => {
  it('Get-Printer-Attributes all,media-col-database from ippeveprinter', async () => {
    const message = await crossCheck('ippeveprinter-get-printer-attributes.bin');
    const printer = message.groups.find((g) => g.tag === 'printer');
    const names = printer?.attributes.map((a) => a.name) ?? [];
    // The comparison covered the collection-heavy attributes this exchange is about.
    expect(names).toEqual(expect.arrayContaining(['media-col-database', 'media-col-ready']));
    expect(printer?.attributes.find((a) => a.name === 'printer-location')?.values).toEqual([
      { tag: 'textWithoutLanguage', value: DEVICE_LOCATION },
    ]);
  });

  it('CUPS-Get-Printers from cupsd: three queues, one group each', async () => {
    const message = await crossCheck('cupsd-cups-get-printers.bin');
    expect(message.groups.map((g) => g.tag)).toEqual([
      'operation',
      'printer',
      'printer',
      'printer',
    ]);
  });

  it('Get-Jobs on a paused queue: a pending and a held job', async () => {
    const message = await crossCheck('cupsd-get-jobs.bin');
    const states = message.groups
      .filter((g) => g.tag === 'job')
      .map((g) => g.attributes.find((a) => a.name === 'job-state')?.values[0]);
    expect(states).toEqual([
      { tag: 'enum', value: 3, name: 'pending' },
      { tag: 'enum', value: 4, name: 'pending-held' },
    ]);
  });

  it('Get-Job-Attributes of the held job', async () => {
    const message = await crossCheck('cupsd-get-job-attributes.bin');
    const job = message.groups.find((g) => g.tag === 'job');
    expect(job?.attributes.find((a) => a.name === 'job-name')?.values).toEqual([
      { tag: 'nameWithoutLanguage', value: HELD_JOB_TITLE },
    ]);
  });

  it('CUPS-Get-Default from cupsd', async () => {
    const message = await crossCheck('cupsd-cups-get-default.bin');
    const printer = message.groups.find((g) => g.tag === 'printer');
    expect(printer?.attributes.find((a) => a.name === 'printer-name')?.values).toEqual([
      { tag: 'nameWithoutLanguage', value: 'Everywhere' },
    ]);
  });
});

/**
 * RFC 8010 encoder and decoder.
 *
 * Written here rather than taken from npm: `ipp` (last change 2019, engines node<4) decodes
 * dateTime months off by one, returns a value or an array depending on the count and has no CUPS
 * operations; `ipp-encoder` flattens collections and leaves enums numeric. See ARCHITECTURE.md.
 *
 * The decoder treats its input as hostile: every read is bounds-checked, value lengths must fit
 * their tag, collections nest to a fixed depth, and the number of attributes is capped, so a
 * truncated, oversized or malformed message yields an `IppDecodeError`, never a crash, a hang or
 * memory out of proportion to the input.
 */
import { PrintoError } from '../../../src-shared/errors.ts';
import { DelimiterTag, GROUP_BY_TAG, ValueTag } from './constants.ts';
import type { GroupName } from './constants.ts';
import { enumName } from './enums.ts';
import type {
  IppAttribute,
  IppDateTime,
  IppMessage,
  IppOutOfBandTag,
  IppStringTag,
  IppValue,
} from './types.ts';

export const IPP_MALFORMED = 'ipp-malformed';

export class IppDecodeError extends PrintoError {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(IPP_MALFORMED, `Malformed IPP message at byte ${offset}: ${message}`, {
      hint: 'The printer or print service sent a response that does not follow RFC 8010.',
    });
    this.name = 'IppDecodeError';
    this.offset = offset;
  }
}

export interface DecodeLimits {
  /** Deepest nesting of collections (media-col inside media-col-database is depth 2). */
  readonly maxCollectionDepth: number;
  /** Total values in the message, across all attributes and collection members. */
  readonly maxValues: number;
}

// A CUPS server with 1,000 queues answers CUPS-Get-Printers with ~100,000 values; an
// ippeveprinter's full Get-Printer-Attributes (media-col-database included) has a few thousand.
export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxCollectionDepth: 16, maxValues: 500_000 };

const STRING_TAGS: ReadonlyMap<number, IppStringTag> = new Map([
  [ValueTag.textWithoutLanguage, 'textWithoutLanguage'],
  [ValueTag.nameWithoutLanguage, 'nameWithoutLanguage'],
  [ValueTag.keyword, 'keyword'],
  [ValueTag.uri, 'uri'],
  [ValueTag.uriScheme, 'uriScheme'],
  [ValueTag.charset, 'charset'],
  [ValueTag.naturalLanguage, 'naturalLanguage'],
  [ValueTag.mimeMediaType, 'mimeMediaType'],
]);

const OUT_OF_BAND_TAGS: ReadonlyMap<number, IppOutOfBandTag> = new Map([
  [ValueTag.unsupported, 'unsupported'],
  [ValueTag.unknown, 'unknown'],
  [ValueTag.noValue, 'noValue'],
  [ValueTag.notSettable, 'notSettable'],
  [ValueTag.deleteAttribute, 'deleteAttribute'],
  [ValueTag.adminDefine, 'adminDefine'],
]);

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

class Reader {
  private readonly view: DataView;
  offset = 0;
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  private need(count: number, what: string): void {
    if (count > this.remaining) {
      throw new IppDecodeError(
        `truncated: ${what} needs ${count} bytes, ${this.remaining} left`,
        this.offset,
      );
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.offset++);
  }

  u16(what: string): number {
    this.need(2, what);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  i32(what: string): number {
    this.need(4, what);
    const value = this.view.getInt32(this.offset);
    this.offset += 4;
    return value;
  }

  take(count: number, what: string): Uint8Array {
    this.need(count, what);
    const slice = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }
}

function decodeDateTime(bytes: Uint8Array, offset: number): IppDateTime {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const year = view.getUint16(0);
  const [month, day, hour, minute, second, deci, direction, offHours, offMinutes] = [
    ...bytes.subarray(2),
  ] as [number, number, number, number, number, number, number, number, number];
  const sign = direction === 0x2b ? 1 : direction === 0x2d ? -1 : 0;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    minute > 59 ||
    second > 60 ||
    deci > 9 ||
    sign === 0 ||
    offHours > 14 ||
    offMinutes > 59
  ) {
    throw new IppDecodeError('dateTime value out of range', offset);
  }
  const utcOffsetMinutes = sign * (offHours * 60 + offMinutes);
  // RFC 2579: the fields are local time at the given offset from UTC. Date.UTC months are 0-based.
  const local = Date.UTC(year, month - 1, day, hour, minute, second, deci * 100);
  return { date: new Date(local - utcOffsetMinutes * 60_000), utcOffsetMinutes };
}

function fixedLength(expected: number, actual: number, tag: string, offset: number): void {
  if (actual !== expected) {
    throw new IppDecodeError(`${tag} value must be ${expected} bytes, got ${actual}`, offset);
  }
}

/** Decodes one value that is not a collection delimiter. */
function decodeSimpleValue(
  tag: number,
  bytes: Uint8Array,
  attributeName: string,
  offset: number,
): IppValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stringTag = STRING_TAGS.get(tag);
  if (stringTag !== undefined) return { tag: stringTag, value: utf8.decode(bytes) };
  const outOfBand = OUT_OF_BAND_TAGS.get(tag);
  if (outOfBand !== undefined) return { tag: outOfBand, value: null };
  switch (tag) {
    case ValueTag.integer:
      fixedLength(4, bytes.length, 'integer', offset);
      return { tag: 'integer', value: view.getInt32(0) };
    case ValueTag.boolean:
      fixedLength(1, bytes.length, 'boolean', offset);
      return { tag: 'boolean', value: view.getUint8(0) !== 0 };
    case ValueTag.enum: {
      fixedLength(4, bytes.length, 'enum', offset);
      const value = view.getInt32(0);
      return { tag: 'enum', value, name: enumName(attributeName, value) };
    }
    case ValueTag.octetString:
      return { tag: 'octetString', value: bytes.slice() };
    case ValueTag.dateTime:
      fixedLength(11, bytes.length, 'dateTime', offset);
      return { tag: 'dateTime', value: decodeDateTime(bytes, offset) };
    case ValueTag.resolution: {
      fixedLength(9, bytes.length, 'resolution', offset);
      const unitsCode = view.getInt8(8);
      const units = unitsCode === 3 ? 'dpi' : unitsCode === 4 ? 'dpcm' : unitsCode;
      return { tag: 'resolution', value: { x: view.getInt32(0), y: view.getInt32(4), units } };
    }
    case ValueTag.rangeOfInteger:
      fixedLength(8, bytes.length, 'rangeOfInteger', offset);
      return { tag: 'rangeOfInteger', value: { lower: view.getInt32(0), upper: view.getInt32(4) } };
    case ValueTag.textWithLanguage:
    case ValueTag.nameWithLanguage: {
      const kind = tag === ValueTag.textWithLanguage ? 'textWithLanguage' : 'nameWithLanguage';
      if (bytes.length < 4) throw new IppDecodeError(`${kind} value too short`, offset);
      const languageLength = view.getUint16(0);
      if (2 + languageLength + 2 > bytes.length) {
        throw new IppDecodeError(`${kind} language length overruns the value`, offset);
      }
      const textLength = view.getUint16(2 + languageLength);
      if (2 + languageLength + 2 + textLength !== bytes.length) {
        throw new IppDecodeError(`${kind} lengths do not add up to the value length`, offset);
      }
      return {
        tag: kind,
        language: utf8.decode(bytes.subarray(2, 2 + languageLength)),
        value: utf8.decode(bytes.subarray(4 + languageLength)),
      };
    }
    default:
      return { tag: 'other', code: tag, value: bytes.slice() };
  }
}

interface MutableAttribute {
  name: string;
  values: IppValue[];
}

/** State of one open collection while its members are read. */
interface OpenCollection {
  readonly members: MutableAttribute[];
  /** The attribute (or member) whose value list receives the collection when it closes. */
  readonly owner: MutableAttribute;
  /** Member that receives the next values; set by memberAttrName. */
  current: MutableAttribute | undefined;
}

/**
 * Decodes a complete IPP message (request or response). Bytes after end-of-attributes are the
 * document data. Throws `IppDecodeError` for anything that is not a well-formed message.
 */
export function decodeMessage(
  input: Uint8Array,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): IppMessage {
  const reader = new Reader(input);
  const major = reader.u8('version-number');
  const minor = reader.u8('version-number');
  const code = reader.u16('operation-id/status-code');
  const requestId = reader.i32('request-id');
  if (major < 1 || major > 2) {
    throw new IppDecodeError(`unsupported IPP version ${major}.${minor}`, 0);
  }

  const groups: { tag: GroupName; attributes: MutableAttribute[] }[] = [];
  let group: (typeof groups)[number] | undefined;
  let attribute: MutableAttribute | undefined;
  const stack: OpenCollection[] = [];
  let valueCount = 0;

  for (;;) {
    const tagOffset = reader.offset;
    const tag = reader.u8('tag');

    if (tag === DelimiterTag.endOfAttributes) {
      if (stack.length > 0) {
        throw new IppDecodeError('end-of-attributes inside an open collection', tagOffset);
      }
      break;
    }
    if (tag < 0x10) {
      if (stack.length > 0) {
        throw new IppDecodeError('attribute group starts inside an open collection', tagOffset);
      }
      const groupName = GROUP_BY_TAG.get(tag);
      if (groupName === undefined) {
        throw new IppDecodeError(`unknown delimiter tag 0x${tag.toString(16)}`, tagOffset);
      }
      group = { tag: groupName, attributes: [] };
      groups.push(group);
      attribute = undefined;
      continue;
    }
    if (group === undefined) {
      throw new IppDecodeError('attribute before any attribute group', tagOffset);
    }

    let valueTag = tag;
    const nameLength = reader.u16('name-length');
    const name = utf8.decode(reader.take(nameLength, 'name'));
    const valueLength = reader.u16('value-length');
    const valueOffset = reader.offset;
    let valueBytes = reader.take(valueLength, 'value');
    if (valueTag === ValueTag.extension) {
      // RFC 8010 §3.5.2: the real tag is the first four bytes of the value.
      if (valueBytes.length < 4) throw new IppDecodeError('extension tag too short', valueOffset);
      const view = new DataView(valueBytes.buffer, valueBytes.byteOffset, 4);
      const extended = view.getInt32(0);
      if (extended < 0) throw new IppDecodeError('extension tag out of range', valueOffset);
      valueTag = extended;
      valueBytes = valueBytes.subarray(4);
    }

    if (++valueCount > limits.maxValues) {
      throw new IppDecodeError(`more than ${limits.maxValues} values`, tagOffset);
    }

    const open = stack.at(-1);
    if (open !== undefined) {
      // Inside a collection: RFC 8010 §3.1.6. Member names come as memberAttrName values and
      // every value inside has a zero-length name.
      if (nameLength !== 0) {
        throw new IppDecodeError('a value inside a collection has a name', tagOffset);
      }
      if (valueTag === ValueTag.memberAttrName) {
        if (valueBytes.length === 0) throw new IppDecodeError('empty member name', valueOffset);
        open.current = { name: utf8.decode(valueBytes), values: [] };
        open.members.push(open.current);
        continue;
      }
      if (valueTag === ValueTag.endCollection) {
        if (valueBytes.length !== 0) {
          throw new IppDecodeError('endCollection with a value', valueOffset);
        }
        stack.pop();
        open.owner.values.push({ tag: 'collection', value: open.members });
        continue;
      }
      const member = open.current;
      if (member === undefined) {
        throw new IppDecodeError('collection value before any member name', tagOffset);
      }
      if (valueTag === ValueTag.begCollection) {
        if (stack.length >= limits.maxCollectionDepth) {
          throw new IppDecodeError(
            `collections nested deeper than ${limits.maxCollectionDepth}`,
            tagOffset,
          );
        }
        stack.push({ members: [], owner: member, current: undefined });
        continue;
      }
      member.values.push(decodeSimpleValue(valueTag, valueBytes, member.name, valueOffset));
      continue;
    }

    if (valueTag === ValueTag.memberAttrName || valueTag === ValueTag.endCollection) {
      throw new IppDecodeError('collection delimiter outside a collection', tagOffset);
    }
    if (nameLength === 0) {
      // An additional value of the previous attribute (1setOf).
      if (attribute === undefined) {
        throw new IppDecodeError('additional value without an attribute', tagOffset);
      }
    } else {
      attribute = { name, values: [] };
      group.attributes.push(attribute);
    }
    if (valueTag === ValueTag.begCollection) {
      // The begCollection value is normally empty; RFC 8010 allows and ignores a value.
      stack.push({ members: [], owner: attribute, current: undefined });
      continue;
    }
    attribute.values.push(decodeSimpleValue(valueTag, valueBytes, attribute.name, valueOffset));
  }

  return {
    version: { major, minor },
    code,
    requestId,
    groups,
    data: input.subarray(reader.offset),
  };
}

// ---------------------------------------------------------------------------------------------
// Encoding

class Writer {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.ensure(1);
    this.view.setUint8(this.length, value);
    this.length += 1;
  }

  u16(value: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
  }

  i32(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, value);
    this.length += 4;
  }

  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

export class IppEncodeError extends PrintoError {
  constructor(message: string) {
    super('ipp-encode', message);
    this.name = 'IppEncodeError';
  }
}

const TAG_CODES: Readonly<Record<Exclude<IppValue['tag'], 'other' | 'collection'>, number>> = {
  integer: ValueTag.integer,
  boolean: ValueTag.boolean,
  enum: ValueTag.enum,
  octetString: ValueTag.octetString,
  dateTime: ValueTag.dateTime,
  resolution: ValueTag.resolution,
  rangeOfInteger: ValueTag.rangeOfInteger,
  textWithLanguage: ValueTag.textWithLanguage,
  nameWithLanguage: ValueTag.nameWithLanguage,
  textWithoutLanguage: ValueTag.textWithoutLanguage,
  nameWithoutLanguage: ValueTag.nameWithoutLanguage,
  keyword: ValueTag.keyword,
  uri: ValueTag.uri,
  uriScheme: ValueTag.uriScheme,
  charset: ValueTag.charset,
  naturalLanguage: ValueTag.naturalLanguage,
  mimeMediaType: ValueTag.mimeMediaType,
  unsupported: ValueTag.unsupported,
  unknown: ValueTag.unknown,
  noValue: ValueTag.noValue,
  notSettable: ValueTag.notSettable,
  deleteAttribute: ValueTag.deleteAttribute,
  adminDefine: ValueTag.adminDefine,
};

const MAX_FIELD = 0xffff;

function checkedBytes(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length > MAX_FIELD) {
    throw new IppEncodeError(`${what} is ${bytes.length} bytes; IPP allows at most ${MAX_FIELD}`);
  }
  return bytes;
}

function encodeDateTime({ date, utcOffsetMinutes }: IppDateTime): Uint8Array {
  if (Number.isNaN(date.getTime())) throw new IppEncodeError('dateTime is an invalid Date');
  const local = new Date(date.getTime() + utcOffsetMinutes * 60_000);
  const out = new Uint8Array(11);
  const view = new DataView(out.buffer);
  const offset = Math.abs(utcOffsetMinutes);
  view.setUint16(0, local.getUTCFullYear());
  out.set(
    [
      local.getUTCMonth() + 1,
      local.getUTCDate(),
      local.getUTCHours(),
      local.getUTCMinutes(),
      local.getUTCSeconds(),
      Math.floor(local.getUTCMilliseconds() / 100),
      utcOffsetMinutes < 0 ? 0x2d : 0x2b,
      Math.floor(offset / 60),
      offset % 60,
    ],
    2,
  );
  return out;
}

function int32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new IppEncodeError(`${what}: ${value} is not a 32-bit signed integer`);
  }
  return value;
}

function valueBytes(value: Exclude<IppValue, { tag: 'collection' }>, name: string): Uint8Array {
  switch (value.tag) {
    case 'integer':
    case 'enum': {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, int32(value.value, name));
      return out;
    }
    case 'boolean':
      return Uint8Array.of(value.value ? 1 : 0);
    case 'octetString':
    case 'other':
      return value.value;
    case 'dateTime':
      return encodeDateTime(value.value);
    case 'resolution': {
      const out = new Uint8Array(9);
      const view = new DataView(out.buffer);
      view.setInt32(0, int32(value.value.x, name));
      view.setInt32(4, int32(value.value.y, name));
      const { units } = value.value;
      view.setInt8(8, units === 'dpi' ? 3 : units === 'dpcm' ? 4 : units);
      return out;
    }
    case 'rangeOfInteger': {
      const out = new Uint8Array(8);
      const view = new DataView(out.buffer);
      view.setInt32(0, int32(value.value.lower, name));
      view.setInt32(4, int32(value.value.upper, name));
      return out;
    }
    case 'textWithLanguage':
    case 'nameWithLanguage': {
      const language = checkedBytes(utf8Encoder.encode(value.language), `${name} language`);
      const text = checkedBytes(utf8Encoder.encode(value.value), `${name} value`);
      const out = new Uint8Array(4 + language.length + text.length);
      const view = new DataView(out.buffer);
      view.setUint16(0, language.length);
      out.set(language, 2);
      view.setUint16(2 + language.length, text.length);
      out.set(text, 4 + language.length);
      return out;
    }
    case 'unsupported':
    case 'unknown':
    case 'noValue':
    case 'notSettable':
    case 'deleteAttribute':
    case 'adminDefine':
      return new Uint8Array(0);
    case 'textWithoutLanguage':
    case 'nameWithoutLanguage':
    case 'keyword':
    case 'uri':
    case 'uriScheme':
    case 'charset':
    case 'naturalLanguage':
    case 'mimeMediaType':
      return utf8Encoder.encode(value.value);
  }
}

function writeField(
  writer: Writer,
  tag: number,
  name: string,
  bytes: Uint8Array,
  extension = false,
): void {
  const nameBytes = checkedBytes(utf8Encoder.encode(name), 'attribute name');
  if (extension) {
    writer.u8(ValueTag.extension);
    writer.u16(nameBytes.length);
    writer.bytes(nameBytes);
    if (bytes.length + 4 > MAX_FIELD) throw new IppEncodeError(`value of ${name} is too long`);
    writer.u16(bytes.length + 4);
    writer.i32(tag);
    writer.bytes(bytes);
    return;
  }
  writer.u8(tag);
  writer.u16(nameBytes.length);
  writer.bytes(nameBytes);
  writer.u16(checkedBytes(bytes, `value of ${name || 'member'}`).length);
  writer.bytes(bytes);
}

function writeValues(writer: Writer, attribute: IppAttribute, depth: number): void {
  if (attribute.values.length === 0) {
    throw new IppEncodeError(`attribute ${attribute.name} has no values`);
  }
  if (depth > DEFAULT_DECODE_LIMITS.maxCollectionDepth) {
    throw new IppEncodeError('collections nested too deeply');
  }
  attribute.values.forEach((value, index) => {
    const name = depth === 0 && index === 0 ? attribute.name : '';
    if (value.tag === 'collection') {
      writeField(writer, ValueTag.begCollection, name, new Uint8Array(0));
      for (const member of value.value) {
        writeField(
          writer,
          ValueTag.memberAttrName,
          '',
          checkedBytes(utf8Encoder.encode(member.name), 'member name'),
        );
        writeValues(writer, member, depth + 1);
      }
      writeField(writer, ValueTag.endCollection, '', new Uint8Array(0));
      return;
    }
    const bytes = valueBytes(value, attribute.name);
    if (value.tag === 'other') {
      writeField(writer, value.code, name, bytes, value.code > 0xff);
      return;
    }
    writeField(writer, TAG_CODES[value.tag], name, bytes);
  });
}

const TAG_OF_GROUP: Readonly<Record<GroupName, number>> = {
  operation: DelimiterTag.operation,
  job: DelimiterTag.job,
  printer: DelimiterTag.printer,
  unsupported: DelimiterTag.unsupported,
  subscription: DelimiterTag.subscription,
  eventNotification: DelimiterTag.eventNotification,
  resource: DelimiterTag.resource,
  document: DelimiterTag.document,
  system: DelimiterTag.system,
};

/** Encodes a message; the document data, if any, follows end-of-attributes. */
export function encodeMessage(message: IppMessage): Uint8Array {
  const writer = new Writer();
  writer.u8(message.version.major);
  writer.u8(message.version.minor);
  writer.u16(message.code);
  writer.i32(message.requestId);
  for (const group of message.groups) {
    writer.u8(TAG_OF_GROUP[group.tag]);
    for (const attribute of group.attributes) writeValues(writer, attribute, 0);
  }
  writer.u8(DelimiterTag.endOfAttributes);
  writer.bytes(message.data);
  return writer.result();
}

import type {
  IppAttribute,
  IppDateTime,
  IppGroup,
  IppMessage,
  IppRange,
  IppResolution,
  IppValue,
} from './types.ts';
import type { GroupName } from './constants.ts';

/**
 * A plain JavaScript view of a value: strings for every string type (language dropped), enum
 * names where known, numbers, booleans, Date, Uint8Array, objects for resolution/range, a record
 * of arrays for a collection, and null for out-of-band values.
 */
export type IppPlain =
  | string
  | number
  | boolean
  | null
  | Date
  | Uint8Array
  | IppResolution
  | IppRange
  // eslint-disable-next-line @typescript-eslint/consistent-indexed-object-style -- Record<> cannot refer to itself
  | { readonly [member: string]: readonly IppPlain[] };

export function plainValue(value: IppValue): IppPlain {
  switch (value.tag) {
    case 'enum':
      return value.name ?? value.value;
    case 'dateTime':
      return value.value.date;
    case 'collection':
      return Object.fromEntries(value.value.map((m) => [m.name, m.values.map(plainValue)]));
    case 'other':
      return value.value;
    default:
      return value.value;
  }
}

const STRINGISH = new Set<IppValue['tag']>([
  'textWithLanguage',
  'nameWithLanguage',
  'textWithoutLanguage',
  'nameWithoutLanguage',
  'keyword',
  'uri',
  'uriScheme',
  'charset',
  'naturalLanguage',
  'mimeMediaType',
]);

/**
 * Read access to one group's attributes. Getters return `undefined` (or `[]`) when the
 * attribute is absent, out-of-band (`no-value`, `unknown`…) or of an unexpected type: callers
 * treat a printer that sends the wrong type like one that does not send the attribute at all.
 */
export class IppAttributes {
  readonly group: GroupName;
  private readonly byName: ReadonlyMap<string, IppAttribute>;

  constructor(group: IppGroup) {
    this.group = group.tag;
    const byName = new Map<string, IppAttribute>();
    // The first occurrence wins when a (broken) sender repeats an attribute in one group.
    for (const attribute of group.attributes) {
      if (!byName.has(attribute.name)) byName.set(attribute.name, attribute);
    }
    this.byName = byName;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  attribute(name: string): IppAttribute | undefined {
    return this.byName.get(name);
  }

  values(name: string): readonly IppValue[] {
    return this.byName.get(name)?.values ?? [];
  }

  /** Every value as plain JS (a 1setOf is always an array, even with one value). */
  plain(name: string): IppPlain[] {
    return this.values(name).map(plainValue);
  }

  strings(name: string): string[] {
    const out: string[] = [];
    for (const value of this.values(name)) {
      if (STRINGISH.has(value.tag) && typeof value.value === 'string') out.push(value.value);
    }
    return out;
  }

  string(name: string): string | undefined {
    return this.strings(name)[0];
  }

  integers(name: string): number[] {
    const out: number[] = [];
    for (const value of this.values(name)) {
      if (value.tag === 'integer' || value.tag === 'enum') out.push(value.value);
    }
    return out;
  }

  integer(name: string): number | undefined {
    return this.integers(name)[0];
  }

  boolean(name: string): boolean | undefined {
    const value = this.values(name)[0];
    return value?.tag === 'boolean' ? value.value : undefined;
  }

  /** Enum names (or keywords: some servers send keyword where the spec says enum). */
  enumNames(name: string): string[] {
    const out: string[] = [];
    for (const value of this.values(name)) {
      if (value.tag === 'enum' && value.name !== undefined) out.push(value.name);
      else if (value.tag === 'keyword') out.push(value.value);
    }
    return out;
  }

  enumName(name: string): string | undefined {
    return this.enumNames(name)[0];
  }

  dateTime(name: string): IppDateTime | undefined {
    const value = this.values(name)[0];
    return value?.tag === 'dateTime' ? value.value : undefined;
  }

  octets(name: string): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const value of this.values(name)) if (value.tag === 'octetString') out.push(value.value);
    return out;
  }

  collections(name: string): IppAttributes[] {
    const out: IppAttributes[] = [];
    for (const value of this.values(name)) {
      if (value.tag === 'collection')
        out.push(new IppAttributes({ tag: this.group, attributes: value.value }));
    }
    return out;
  }
}

/** The attribute groups of a message with the given tag, in order (one per printer or job). */
export function groupsOf(message: IppMessage, tag: GroupName): IppAttributes[] {
  return message.groups.filter((g) => g.tag === tag).map((g) => new IppAttributes(g));
}

/** The first group with the given tag; an empty group if there is none. */
export function groupOf(message: IppMessage, tag: GroupName): IppAttributes {
  return groupsOf(message, tag)[0] ?? new IppAttributes({ tag, attributes: [] });
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IppAttributes, plainValue } from '../../../../src-main/printers/ipp/attributes.ts';
import {
  IppDecodeError,
  IppEncodeError,
  decodeMessage,
  encodeMessage,
} from '../../../../src-main/printers/ipp/codec.ts';
import type {
  IppAttribute,
  IppMessage,
  IppValue,
} from '../../../../src-main/printers/ipp/types.ts';

const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.replace(/\s+/g, '').match(/../g) ?? [], (byte) => parseInt(byte, 16));

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function message(attributes: IppAttribute[], code = 0x000b): IppMessage {
  return {
    version: { major: 2, minor: 0 },
    code,
    requestId: 7,
    groups: [
      {
        tag: 'operation',
        attributes: [
          { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
          {
            name: 'attributes-natural-language',
            values: [{ tag: 'naturalLanguage', value: 'en' }],
          },
        ],
      },
      { tag: 'printer', attributes },
    ],
    data: new Uint8Array(0),
  };
}

describe('IPP encoding (RFC 8010)', () => {
  it('encodes a Get-Printer-Attributes request byte for byte', () => {
    const bytes = encodeMessage({
      version: { major: 1, minor: 1 },
      code: 0x000b,
      requestId: 1,
      groups: [
        {
          tag: 'operation',
          attributes: [
            { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
            {
              name: 'attributes-natural-language',
              values: [{ tag: 'naturalLanguage', value: 'en' }],
            },
            { name: 'printer-uri', values: [{ tag: 'uri', value: 'ipp://h/p' }] },
            {
              name: 'requested-attributes',
              values: [
                { tag: 'keyword', value: 'printer-state' },
                { tag: 'keyword', value: 'x' },
              ],
            },
          ],
        },
      ],
      data: new Uint8Array(0),
    });
    expect(toHex(bytes)).toBe(
      [
        '0101 000b 00000001', // version 1.1, Get-Printer-Attributes, request-id 1
        '01', // operation-attributes-tag
        '47 0012 617474726962757465732d63686172736574 0005 7574662d38',
        '48 001b 617474726962757465732d6e61747572616c2d6c616e6775616765 0002 656e',
        '45 000b 7072696e7465722d757269 0009 6970703a2f2f682f70',
        '44 0014 7265717565737465642d61747472696275746573 000d 7072696e7465722d7374617465',
        '44 0000 0001 78', // additional value: zero-length name
        '03',
      ]
        .join('')
        .replace(/\s+/g, ''),
    );
  });

  it('encodes a collection with begCollection / memberAttrName / endCollection', () => {
    const bytes = encodeMessage({
      version: { major: 2, minor: 0 },
      code: 0,
      requestId: 1,
      groups: [
        {
          tag: 'job',
          attributes: [
            {
              name: 'media-col',
              values: [
                {
                  tag: 'collection',
                  value: [{ name: 'media-type', values: [{ tag: 'keyword', value: 'plain' }] }],
                },
              ],
            },
          ],
        },
      ],
      data: new Uint8Array(0),
    });
    expect(toHex(bytes)).toBe(
      '020000000000000102' +
        '34 0009 6d656469612d636f6c 0000'.replace(/\s/g, '') +
        '4a 0000 000a 6d656469612d74797065'.replace(/\s/g, '') +
        '44 0000 0005 706c61696e'.replace(/\s/g, '') +
        '37 0000 0000'.replace(/\s/g, '') +
        '03',
    );
  });
});

describe('IPP decoding', () => {
  it('decodes dateTime as the right instant, month included, with its UTC offset', () => {
    // 2026-11-24 10:30:15.5 at UTC+01:30 (RFC 2579 DateAndTime).
    const bytes = encodeMessage(message([]));
    const attribute = hex('31 0004 74696d65 000b 07ea 0b 18 0a 1e 0f 05 2b 01 1e');
    const input = new Uint8Array([...bytes.subarray(0, -1), ...attribute, 0x03]);
    const printer = new IppAttributes(
      decodeMessage(input).groups[1] ?? { tag: 'printer', attributes: [] },
    );
    const time = printer.dateTime('time');
    expect(time?.date.toISOString()).toBe('2026-11-24T09:00:15.500Z');
    expect(time?.utcOffsetMinutes).toBe(90);
  });

  it('round-trips a dateTime west of UTC', () => {
    const date = new Date('2026-01-31T23:59:58.700Z');
    const original = message([
      { name: 't', values: [{ tag: 'dateTime', value: { date, utcOffsetMinutes: -300 } }] },
    ]);
    const decoded = decodeMessage(encodeMessage(original));
    const value = decoded.groups[1]?.attributes[0]?.values[0];
    expect(value).toEqual({ tag: 'dateTime', value: { date, utcOffsetMinutes: -300 } });
  });

  it('decodes enums of known attributes to names and keeps unknown ones numeric', () => {
    const decoded = decodeMessage(
      encodeMessage(
        message([
          { name: 'printer-state', values: [{ tag: 'enum', value: 5 }] },
          { name: 'printer-state', values: [{ tag: 'enum', value: 3 }] },
          { name: 'job-state', values: [{ tag: 'enum', value: 42 }] },
          { name: 'vendor-thing', values: [{ tag: 'enum', value: 4 }] },
          {
            name: 'operations-supported',
            values: [
              { tag: 'enum', value: 0x0002 },
              { tag: 'enum', value: 0x4002 },
            ],
          },
          { name: 'print-quality-supported', values: [{ tag: 'enum', value: 5 }] },
        ]),
      ),
    );
    const printer = new IppAttributes(decoded.groups[1] ?? { tag: 'printer', attributes: [] });
    expect(printer.enumName('printer-state')).toBe('stopped'); // first occurrence wins
    expect(printer.plain('job-state')).toEqual([42]);
    expect(printer.plain('vendor-thing')).toEqual([4]);
    expect(printer.plain('operations-supported')).toEqual(['Print-Job', 'CUPS-Get-Printers']);
    expect(printer.plain('print-quality-supported')).toEqual(['high']);
  });

  it('always gives a 1setOf as an array, even with a single value', () => {
    const decoded = decodeMessage(
      encodeMessage(
        message([{ name: 'media-ready', values: [{ tag: 'keyword', value: 'iso_a4_210x297mm' }] }]),
      ),
    );
    const printer = new IppAttributes(decoded.groups[1] ?? { tag: 'printer', attributes: [] });
    expect(printer.plain('media-ready')).toEqual(['iso_a4_210x297mm']);
    expect(printer.plain('absent')).toEqual([]);
  });

  it('decodes nested collections and 1setOf collection', () => {
    const mediaCol = (key: string, x: number): IppValue => ({
      tag: 'collection',
      value: [
        { name: 'media-key', values: [{ tag: 'keyword', value: key }] },
        {
          name: 'media-size',
          values: [
            {
              tag: 'collection',
              value: [
                { name: 'x-dimension', values: [{ tag: 'integer', value: x }] },
                { name: 'y-dimension', values: [{ tag: 'integer', value: 29700 }] },
              ],
            },
          ],
        },
        {
          name: 'media-source-properties',
          values: [{ tag: 'noValue', value: null }],
        },
      ],
    });
    const decoded = decodeMessage(
      encodeMessage(
        message([
          { name: 'media-col-database', values: [mediaCol('a4', 21000), mediaCol('a5', 14800)] },
        ]),
      ),
    );
    const printer = new IppAttributes(decoded.groups[1] ?? { tag: 'printer', attributes: [] });
    const collections = printer.collections('media-col-database');
    expect(collections).toHaveLength(2);
    expect(collections[1]?.string('media-key')).toBe('a5');
    expect(collections[1]?.collections('media-size')[0]?.integer('x-dimension')).toBe(14800);
    expect(printer.plain('media-col-database')[0]).toEqual({
      'media-key': ['a4'],
      'media-size': [{ 'x-dimension': [21000], 'y-dimension': [29700] }],
      'media-source-properties': [null],
    });
  });

  it('keeps the language of textWithLanguage and nameWithLanguage', () => {
    const decoded = decodeMessage(
      encodeMessage(
        message([
          {
            name: 'printer-info',
            values: [{ tag: 'textWithLanguage', value: 'Drucker im Flur', language: 'de' }],
          },
          {
            name: 'job-name',
            values: [{ tag: 'nameWithLanguage', value: 'Rapport', language: 'fr-CA' }],
          },
        ]),
      ),
    );
    const printer = new IppAttributes(decoded.groups[1] ?? { tag: 'printer', attributes: [] });
    expect(printer.values('printer-info')[0]).toEqual({
      tag: 'textWithLanguage',
      value: 'Drucker im Flur',
      language: 'de',
    });
    expect(printer.string('job-name')).toBe('Rapport');
  });

  it('treats out-of-band values as absent in typed getters but keeps them in values()', () => {
    const decoded = decodeMessage(
      encodeMessage(
        message([
          { name: 'printer-location', values: [{ tag: 'noValue', value: null }] },
          { name: 'printer-info', values: [{ tag: 'unknown', value: null }] },
          { name: 'job-k-limit', values: [{ tag: 'unsupported', value: null }] },
        ]),
      ),
    );
    const printer = new IppAttributes(decoded.groups[1] ?? { tag: 'printer', attributes: [] });
    expect(printer.string('printer-location')).toBeUndefined();
    expect(printer.values('printer-info')).toEqual([{ tag: 'unknown', value: null }]);
    expect(printer.integer('job-k-limit')).toBeUndefined();
  });

  it('keeps unknown and extension tags as raw bytes and re-encodes them', () => {
    const original = message([
      { name: 'vendor', values: [{ tag: 'other', code: 0x5f, value: Uint8Array.of(1, 2, 3) }] },
      { name: 'ext', values: [{ tag: 'other', code: 0x40000001, value: Uint8Array.of(9) }] },
    ]);
    const bytes = encodeMessage(original);
    expect(encodeMessage(decodeMessage(bytes))).toEqual(bytes);
    const printer = new IppAttributes(
      decodeMessage(bytes).groups[1] ?? { tag: 'printer', attributes: [] },
    );
    expect(printer.values('ext')[0]).toEqual({
      tag: 'other',
      code: 0x40000001,
      value: Uint8Array.of(9),
    });
  });

  it('returns the document data after end-of-attributes', () => {
    const original = { ...message([]), data: new TextEncoder().encode('%PDF-1.4') };
    expect(new TextDecoder().decode(decodeMessage(encodeMessage(original)).data)).toBe('%PDF-1.4');
  });
});

describe('every value tag round-trips', () => {
  const text = fc.string({ maxLength: 40 });
  const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
  const date = fc
    .date({
      min: new Date('1970-01-02T00:00:00Z'),
      max: new Date('2200-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => new Date(Math.floor(d.getTime() / 100) * 100));
  const simpleValue: fc.Arbitrary<IppValue> = fc.oneof(
    int32.map((value) => ({ tag: 'integer' as const, value })),
    fc.boolean().map((value) => ({ tag: 'boolean' as const, value })),
    int32.map((value) => ({ tag: 'enum' as const, value })),
    fc.uint8Array({ maxLength: 64 }).map((value) => ({ tag: 'octetString' as const, value })),
    fc.tuple(date, fc.integer({ min: -14 * 60, max: 14 * 60 })).map(([d, utcOffsetMinutes]) => ({
      tag: 'dateTime' as const,
      value: { date: d, utcOffsetMinutes },
    })),
    fc
      .tuple(int32, int32, fc.constantFrom('dpi' as const, 'dpcm' as const))
      .map(([x, y, units]) => ({ tag: 'resolution' as const, value: { x, y, units } })),
    fc
      .tuple(int32, int32)
      .map(([lower, upper]) => ({ tag: 'rangeOfInteger' as const, value: { lower, upper } })),
    fc
      .tuple(
        fc.constantFrom('textWithLanguage' as const, 'nameWithLanguage' as const),
        text,
        fc.constantFrom('en', 'de-CH', 'ja'),
      )
      .map(([tag, value, language]) => ({ tag, value, language })),
    fc
      .tuple(
        fc.constantFrom(
          'textWithoutLanguage' as const,
          'nameWithoutLanguage' as const,
          'keyword' as const,
          'uri' as const,
          'uriScheme' as const,
          'charset' as const,
          'naturalLanguage' as const,
          'mimeMediaType' as const,
        ),
        text,
      )
      .map(([tag, value]) => ({ tag, value })),
    fc
      .constantFrom(
        'unsupported' as const,
        'unknown' as const,
        'noValue' as const,
        'notSettable' as const,
        'deleteAttribute' as const,
        'adminDefine' as const,
      )
      .map((tag) => ({ tag, value: null })),
  );
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/);
  const { value: anyValue } = fc.letrec<{ value: IppValue; attribute: IppAttribute }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      simpleValue,
      fc
        .array(tie('attribute'), { minLength: 1, maxLength: 3 })
        .map((value) => ({ tag: 'collection' as const, value })),
    ),
    attribute: fc.record({ name, values: fc.array(tie('value'), { minLength: 1, maxLength: 3 }) }),
  }));
  const attributeArb = fc.record({
    name,
    values: fc.array(anyValue, { minLength: 1, maxLength: 4 }),
  });

  it('decode(encode(m)) equals m and re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.array(attributeArb, { maxLength: 8 }), (attributes) => {
        const original = message(attributes);
        const bytes = encodeMessage(original);
        const decoded = decodeMessage(bytes);
        // Enums of unknown attributes decode with name undefined; compare through plainValue too.
        const strip = (m: IppMessage): unknown =>
          m.groups.map((g) =>
            g.attributes.map((a) => ({ name: a.name, values: a.values.map(plainValue) })),
          );
        expect(strip(decoded)).toEqual(strip(original));
        expect(encodeMessage(decoded)).toEqual(bytes);
      }),
      { seed: 20261124, numRuns: 300 },
    );
  });
});

describe('malformed input yields IppDecodeError, never a crash', () => {
  const valid = encodeMessage(
    message([
      { name: 'printer-state', values: [{ tag: 'enum', value: 3 }] },
      {
        name: 'media-col-default',
        values: [
          {
            tag: 'collection',
            value: [{ name: 'media-key', values: [{ tag: 'keyword', value: 'a4' }] }],
          },
        ],
      },
      { name: 'printer-info', values: [{ tag: 'textWithLanguage', value: 'x', language: 'en' }] },
    ]),
  );

  it('rejects every truncation of a valid message', () => {
    for (let length = 0; length < valid.length; length++) {
      expect(() => decodeMessage(valid.subarray(0, length)), `length ${length}`).toThrow(
        IppDecodeError,
      );
    }
  });

  const cases: [string, string, RegExp][] = [
    ['unsupported version', '0900 0000 00000001 03', /unsupported IPP version 9\.0/],
    [
      'attribute before any group',
      '0200 0000 00000001 21 0001 61 0004 00000001 03',
      /before any attribute group/,
    ],
    [
      'additional value with no attribute',
      '0200 0000 00000001 04 21 0000 0004 00000001 03',
      /additional value without an attribute/,
    ],
    [
      'integer of the wrong length',
      '0200 0000 00000001 04 21 0001 61 0002 0001 03',
      /integer value must be 4 bytes/,
    ],
    [
      'dateTime out of range',
      '0200 0000 00000001 04 31 0001 74 000b 07ea 0d 18 0a 1e 0f 05 2b 01 1e 03',
      /dateTime value out of range/,
    ],
    [
      'endCollection outside a collection',
      '0200 0000 00000001 04 37 0000 0000 03',
      /outside a collection/,
    ],
    [
      'collection left open',
      '0200 0000 00000001 04 34 0001 63 0000 03',
      /inside an open collection/,
    ],
    [
      'named value inside a collection',
      '0200 0000 00000001 04 34 0001 63 0000 4a 0000 0001 6d 21 0001 6e 0004 00000001 37 0000 0000 03',
      /has a name/,
    ],
    [
      'value before member name',
      '0200 0000 00000001 04 34 0001 63 0000 21 0000 0004 00000001 37 0000 0000 03',
      /before any member name/,
    ],
    [
      'textWithLanguage lengths disagree',
      '0200 0000 00000001 04 35 0001 74 0007 0002 656e 0009 61 03',
      /overruns|do not add up/,
    ],
    ['unknown delimiter', '0200 0000 00000001 0e 03', /unknown delimiter tag 0xe/],
    ['no end-of-attributes', '0200 0000 00000001 04 21 0001 61 0004 00000001', /truncated/],
    [
      'value length beyond the input',
      '0200 0000 00000001 04 41 0001 61 ffff 41 03',
      /truncated: value needs 65535 bytes/,
    ],
  ];
  it.each(cases)('%s', (_label, bytes, pattern) => {
    expect(() => decodeMessage(hex(bytes))).toThrow(pattern);
  });

  it('caps collection depth', () => {
    const open = '34 0000 0000 4a 0000 0001 6d'.repeat(40);
    const bytes = hex(`0200 0000 00000001 04 34 0001 63 0000 4a 0000 0001 6d ${open} 03`);
    expect(() => decodeMessage(bytes)).toThrow(/nested deeper than 16/);
  });

  it('caps the number of values', () => {
    const many = '21 0000 0004 00000001'.repeat(50);
    const bytes = hex(`0200 0000 00000001 04 21 0001 61 0004 00000001 ${many} 03`);
    expect(() => decodeMessage(bytes, { maxCollectionDepth: 16, maxValues: 20 })).toThrow(
      /more than 20 values/,
    );
  });

  it('carries a stable code and the byte offset', () => {
    try {
      decodeMessage(hex('0200 0000 00000001 04 21 0001 61 0002 0001 03'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IppDecodeError);
      expect((error as IppDecodeError).code).toBe('ipp-malformed');
      expect((error as IppDecodeError).offset).toBe(15); // the value, after tag, name and length
    }
  });
});

describe('encoding refuses what IPP cannot carry', () => {
  it('rejects integers outside 32 bits and strings over 65535 bytes', () => {
    expect(() =>
      encodeMessage(message([{ name: 'n', values: [{ tag: 'integer', value: 2 ** 31 }] }])),
    ).toThrow(IppEncodeError);
    expect(() =>
      encodeMessage(
        message([
          { name: 'n', values: [{ tag: 'textWithoutLanguage', value: 'x'.repeat(70_000) }] },
        ]),
      ),
    ).toThrow(/at most 65535/);
    expect(() => encodeMessage(message([{ name: 'n', values: [] }]))).toThrow(/has no values/);
  });
});

describe('subscriptions and event notifications (RFC 3995, RFC 3996)', () => {
  // A Get-Notifications response as CUPS sends it, shortened: operation group with
  // notify-get-interval, then one event-notification group (tag 0x07).
  const response = hex(
    `
    0200 0000 0000 0009
    01
      47 0012 attributes-charset 0005 7574662d38
      21 0013 notify-get-interval 0004 0000003c
    07
      21 0016 notify-subscription-id 0004 00000005
      21 0016 notify-sequence-number 0004 00000002
      44 0017 notify-subscribed-event 0011 6a6f622d73746174652d6368616e676564
      21 000d notify-job-id 0004 0000000c
      23 0009 job-state 0004 00000004
    03`.replace(/([a-z][a-z-]+)/g, (name) => Buffer.from(name).toString('hex')),
  );

  it('decodes an event-notification group (0x07) with its enums', () => {
    const decoded = decodeMessage(response);
    expect(decoded.groups.map((g) => g.tag)).toEqual(['operation', 'eventNotification']);
    const event = new IppAttributes(
      decoded.groups[1] ?? { tag: 'eventNotification', attributes: [] },
    );
    expect(event.group).toBe('eventNotification');
    expect(event.integer('notify-sequence-number')).toBe(2);
    expect(event.string('notify-subscribed-event')).toBe('job-state-changed');
    expect(event.enumName('job-state')).toBe('pending-held');
    expect(toHex(encodeMessage(decoded))).toBe(toHex(response));
  });

  it('encodes a subscription template group (0x06) and names notify-status-code', () => {
    const request: IppMessage = {
      version: { major: 2, minor: 0 },
      code: 0x0016,
      requestId: 1,
      groups: [
        {
          tag: 'subscription',
          attributes: [
            { name: 'notify-pull-method', values: [{ tag: 'keyword', value: 'ippget' }] },
            { name: 'notify-lease-duration', values: [{ tag: 'integer', value: 60 }] },
          ],
        },
      ],
      data: new Uint8Array(0),
    };
    const bytes = encodeMessage(request);
    expect(toHex(bytes)).toBe(
      toHex(
        hex(
          `0200 0016 00000001 06
           44 0012 ${Buffer.from('notify-pull-method').toString('hex')} 0006 ${Buffer.from('ippget').toString('hex')}
           21 0015 ${Buffer.from('notify-lease-duration').toString('hex')} 0004 0000003c
           03`,
        ),
      ),
    );
    expect(decodeMessage(bytes)).toEqual(request);
    const refused = message([]);
    const withStatus: IppMessage = {
      ...refused,
      groups: [
        {
          tag: 'subscription',
          attributes: [{ name: 'notify-status-code', values: [{ tag: 'enum', value: 0x0415 }] }],
        },
      ],
    };
    const group = decodeMessage(encodeMessage(withStatus)).groups[0];
    expect(group?.attributes[0]?.values[0]).toEqual({
      tag: 'enum',
      value: 0x0415,
      name: 'client-error-too-many-subscriptions',
    });
  });
});

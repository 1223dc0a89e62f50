import type { GroupName } from './constants.ts';

/** RFC 2579 DateAndTime as IPP carries it: an instant plus the sender's UTC offset. */
export interface IppDateTime {
  /** The instant (UTC). */
  readonly date: Date;
  /** The sender's offset from UTC in minutes (e.g. +120 for CEST), kept for round-trips. */
  readonly utcOffsetMinutes: number;
}

export interface IppResolution {
  readonly x: number;
  readonly y: number;
  readonly units: 'dpi' | 'dpcm' | number;
}

export interface IppRange {
  readonly lower: number;
  readonly upper: number;
}

export type IppStringTag =
  | 'textWithoutLanguage'
  | 'nameWithoutLanguage'
  | 'keyword'
  | 'uri'
  | 'uriScheme'
  | 'charset'
  | 'naturalLanguage'
  | 'mimeMediaType';

export type IppOutOfBandTag =
  'unsupported' | 'unknown' | 'noValue' | 'notSettable' | 'deleteAttribute' | 'adminDefine';

/**
 * One value as it travels on the wire: the tag is kept so that a decoded message re-encodes to
 * the same bytes and so that a 1setOf mixing tags (name and nameWithLanguage) is represented.
 */
export type IppValue =
  | { readonly tag: 'integer'; readonly value: number }
  | { readonly tag: 'boolean'; readonly value: boolean }
  /** `name` is set for enums of known attributes (`printer-state` 3 → `idle`). */
  | { readonly tag: 'enum'; readonly value: number; readonly name?: string | undefined }
  | { readonly tag: 'octetString'; readonly value: Uint8Array }
  | { readonly tag: 'dateTime'; readonly value: IppDateTime }
  | { readonly tag: 'resolution'; readonly value: IppResolution }
  | { readonly tag: 'rangeOfInteger'; readonly value: IppRange }
  | { readonly tag: 'collection'; readonly value: readonly IppAttribute[] }
  | {
      readonly tag: 'textWithLanguage' | 'nameWithLanguage';
      readonly value: string;
      readonly language: string;
    }
  | { readonly tag: IppStringTag; readonly value: string }
  | { readonly tag: IppOutOfBandTag; readonly value: null }
  /** A tag this codec does not know (including 0x7F extensions): kept as raw bytes. */
  | { readonly tag: 'other'; readonly code: number; readonly value: Uint8Array };

/** An attribute: a name and one or more values. A 1setOf is simply several values. */
export interface IppAttribute {
  readonly name: string;
  readonly values: readonly IppValue[];
}

export interface IppGroup {
  readonly tag: GroupName;
  readonly attributes: readonly IppAttribute[];
}

export interface IppMessage {
  readonly version: { readonly major: number; readonly minor: number };
  /** operation-id in a request, status-code in a response. */
  readonly code: number;
  readonly requestId: number;
  readonly groups: readonly IppGroup[];
  /** Document data after the attributes (Print-Job), empty otherwise. */
  readonly data: Uint8Array;
}

import { Operation, StatusCode } from './constants.ts';

/**
 * Names of the enum values of the attributes we know (RFC 8011 §5, PWG 5100.x, the IANA IPP
 * registry). An enum of a known attribute decodes to its name; an unknown attribute or value
 * keeps its number, so nothing is lost.
 */
type EnumTable = ReadonlyMap<number, string>;

const table = (entries: Record<number, string>): EnumTable =>
  new Map(Object.entries(entries).map(([value, name]) => [Number(value), name]));

const printerState = table({ 3: 'idle', 4: 'processing', 5: 'stopped' });
const jobState = table({
  3: 'pending',
  4: 'pending-held',
  5: 'processing',
  6: 'processing-stopped',
  7: 'canceled',
  8: 'aborted',
  9: 'completed',
});
const operations = table(Object.fromEntries(Object.entries(Operation).map(([n, v]) => [v, n])));
const statusCodes = table(Object.fromEntries(Object.entries(StatusCode).map(([n, v]) => [v, n])));
const orientation = table({
  3: 'portrait',
  4: 'landscape',
  5: 'reverse-landscape',
  6: 'reverse-portrait',
  7: 'none',
});
const printQuality = table({ 3: 'draft', 4: 'normal', 5: 'high' });
const finishings = table({
  3: 'none',
  4: 'staple',
  5: 'punch',
  6: 'cover',
  7: 'bind',
  8: 'saddle-stitch',
  9: 'edge-stitch',
  10: 'fold',
  11: 'trim',
  12: 'bale',
  13: 'booklet-maker',
  14: 'jog-offset',
  15: 'coat',
  16: 'laminate',
  20: 'staple-top-left',
  21: 'staple-bottom-left',
  22: 'staple-top-right',
  23: 'staple-bottom-right',
  24: 'edge-stitch-left',
  25: 'edge-stitch-top',
  26: 'edge-stitch-right',
  27: 'edge-stitch-bottom',
  28: 'staple-dual-left',
  29: 'staple-dual-top',
  30: 'staple-dual-right',
  31: 'staple-dual-bottom',
  74: 'punch-dual-left',
  75: 'punch-dual-top',
  76: 'punch-dual-right',
  77: 'punch-dual-bottom',
  93: 'fold-half',
});
const BY_ATTRIBUTE: ReadonlyMap<string, EnumTable> = new Map([
  ['printer-state', printerState],
  ['job-state', jobState],
  ['operations-supported', operations],
  ['operation-id', operations],
  // RFC 3995 §5.3.15: why a subscription in a Create-*-Subscriptions request was not created.
  ['notify-status-code', statusCodes],
  ['orientation-requested', orientation],
  ['print-quality', printQuality],
  ['finishings', finishings],
  ['finishings-col-database', finishings],
]);

/** `-default`, `-supported`, `-ready` and `-actual` variants share the base attribute's enum. */
const SUFFIXES = ['-default', '-supported', '-ready', '-actual'] as const;

function tableFor(attribute: string): EnumTable | undefined {
  const direct = BY_ATTRIBUTE.get(attribute);
  if (direct !== undefined) return direct;
  for (const suffix of SUFFIXES) {
    if (attribute.endsWith(suffix)) return BY_ATTRIBUTE.get(attribute.slice(0, -suffix.length));
  }
  return undefined;
}

/** The name of `value` for `attribute`, or undefined when the attribute or value is not known. */
export function enumName(attribute: string, value: number): string | undefined {
  return tableFor(attribute)?.get(value);
}

/** The number of enum `name` for `attribute`, or undefined when unknown. */
export function enumValue(attribute: string, name: string): number | undefined {
  const entries = tableFor(attribute);
  if (entries === undefined) return undefined;
  for (const [value, entryName] of entries) if (entryName === name) return value;
  return undefined;
}

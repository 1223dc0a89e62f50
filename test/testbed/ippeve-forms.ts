/**
 * ippeveprinter's testing web forms (`/supplies`, `/media`): GET requests that change the virtual
 * device's supplies and trays, and with them its printer-state-reasons.
 *
 * Both forms replace the whole set on every submission: a supply left out is dropped from
 * printer-supply, a tray left out is emptied (media-empty). So the current values are read from
 * the page first and sent back with the requested changes.
 */

/** Supply levels in percent. Which exist depends on the device: waste and black always. */
export interface SupplyLevels {
  /** Waste toner tank fill level: above 90 → marker-waste-almost-full, 100 → marker-waste-full. */
  readonly waste?: number;
  /** Black toner: below 10 → toner-low, 0 → toner-empty. */
  readonly toner?: number;
  readonly cyan?: number;
  readonly magenta?: number;
  readonly yellow?: number;
}

/** Form field order of ippeveprinter's printer-supply values. */
const SUPPLY_KEYS = ['waste', 'toner', 'cyan', 'magenta', 'yellow'] as const;

export interface TrayState {
  /** PWG media name, e.g. na_letter_8.5x11in or iso_a4_210x297mm; '' for none. */
  readonly size: string;
  /** Media type, e.g. stationery; '' for none. */
  readonly type: string;
  /** Sheets loaded: 0 → media-empty, 1–24 → media-low, -2 unknown. */
  readonly level: number;
}

export interface Tray extends TrayState {
  /** media-source keyword: main, by-pass-tray, … */
  readonly source: string;
  /** Index of the tray in media-source-supported, which the form's field names use. */
  readonly index: number;
}

async function get(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (!response.ok) {
    throw new Error(`GET ${url} answered HTTP ${response.status}`);
  }
  return body;
}

export function parseSupplyForm(html: string): readonly number[] {
  const levels: number[] = [];
  for (const match of html.matchAll(/<input name="supply(\d+)" size="3" value="(-?\d+)">/g)) {
    levels[Number(match[1])] = Number(match[2]);
  }
  return levels;
}

function checkPercent(key: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    throw new RangeError(`Supply level ${key} must be an integer from 0 to 100, got ${value}.`);
  }
}

export async function setSupplies(
  webUrl: string,
  levels: SupplyLevels,
): Promise<readonly number[]> {
  const current = [...parseSupplyForm(await get(`${webUrl}/supplies`))];
  if (current.length === 0) {
    throw new Error(
      `No supply form at ${webUrl}/supplies (was the device started with --no-web-forms?)`,
    );
  }
  SUPPLY_KEYS.forEach((key, index) => {
    const value = levels[key];
    if (value === undefined) return;
    checkPercent(key, value);
    if (index >= current.length) {
      throw new Error(
        `This device has no ${key} supply: start it with color: true for cyan, magenta and yellow.`,
      );
    }
    current[index] = value;
  });
  const query = current.map((level, index) => `supply${index}=${level}`).join('&');
  const after = parseSupplyForm(await get(`${webUrl}/supplies?${query}`));
  if (after.join() !== current.join()) {
    throw new Error(
      `ippeveprinter did not take the supply levels ${query}: it shows ${after.join()}.`,
    );
  }
  return after;
}

function selected(select: string): string {
  return /<option selected>([^<]*)<\/option>/.exec(select)?.[1] ?? '';
}

/**
 * Trays as the media form shows them. The level select only marks the preset values, so levels
 * are taken from printer-input-tray (see levelsBySource) when known.
 */
export function parseMediaForm(html: string): readonly Tray[] {
  const trays: Tray[] = [];
  const rows = html.matchAll(
    /<tr><th>([^<:]+):<\/th><td><select name="size(\d+)">(.*?)<\/select> <select name="type\d+">(.*?)<\/select> <select name="level\d+">(.*?)<\/select>/g,
  );
  for (const [, source = '', index = '', sizes = '', types = '', levels = ''] of rows) {
    const level = /<option value="(-?\d+)" selected>/.exec(levels)?.[1];
    trays.push({
      source,
      index: Number(index),
      size: selected(sizes),
      type: selected(types),
      level: level === undefined ? -2 : Number(level),
    });
  }
  return trays;
}

/** Decoded printer-input-tray values (`type=…;level=…;name=main;`): sheets loaded per source. */
export function levelsBySource(inputTrays: readonly string[]): ReadonlyMap<string, number> {
  const levels = new Map<string, number>();
  for (const tray of inputTrays) {
    const fields = new Map(
      tray
        .split(';')
        .filter((field) => field.includes('='))
        .map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)]),
    );
    const name = fields.get('name');
    const level = fields.get('level');
    if (name !== undefined && level !== undefined) levels.set(name, Number(level));
  }
  return levels;
}

export async function setMedia(
  webUrl: string,
  changes: Readonly<Record<string, Partial<TrayState>>>,
  currentLevels: ReadonlyMap<string, number>,
): Promise<readonly Tray[]> {
  const trays = parseMediaForm(await get(`${webUrl}/media`)).map((tray) => ({
    ...tray,
    level: currentLevels.get(tray.source) ?? tray.level,
  }));
  for (const source of Object.keys(changes)) {
    if (!trays.some((tray) => tray.source === source)) {
      throw new Error(
        `The device has no tray "${source}"; its trays are: ${trays.map((t) => t.source).join(', ')}.`,
      );
    }
  }
  const wanted = trays.map((tray) => ({ ...tray, ...changes[tray.source] }));
  const query = new URLSearchParams();
  for (const tray of wanted) {
    query.set(`size${tray.index}`, tray.size);
    query.set(`type${tray.index}`, tray.type);
    query.set(`level${tray.index}`, String(tray.level));
  }
  await get(`${webUrl}/media?${query.toString()}`);
  return wanted;
}

import type { Supply, SupplyKind } from '../model/printer.ts';

/** Level below which a consumable counts as low when the device states no threshold. */
const DEFAULT_LOW_PERCENT = 10;
/** Level above which a waste container counts as almost full when the device states none. */
const DEFAULT_WASTE_HIGH_PERCENT = 90;

function kindOf(type: string): SupplyKind {
  const t = type.toLowerCase();
  if (t.includes('waste')) return 'waste';
  if (t.includes('toner')) return 'toner';
  if (t.includes('ink')) return 'ink';
  if (t.includes('opc') || t.includes('drum') || t.includes('photoconductor')) return 'drum';
  if (t.includes('fuser')) return 'fuser';
  return 'other';
}

function supply(
  name: string,
  kind: SupplyKind,
  color: string | null,
  rawLevel: number | undefined,
  lowLevel: number | undefined,
  highLevel: number | undefined,
): Supply {
  // CUPS marker-levels and PWG printer-supply: -1 unavailable, -2 unknown, -3 "unknown but not
  // empty" (RFC 3805 prtMarkerSuppliesLevel semantics).
  if (rawLevel === undefined || !Number.isFinite(rawLevel) || rawLevel < 0 || rawLevel > 100) {
    return { name, kind, color, level: null, status: rawLevel === -3 ? 'ok' : 'unknown' };
  }
  const level = Math.round(rawLevel);
  if (kind === 'waste') {
    const high =
      highLevel !== undefined && highLevel > 0 && highLevel <= 100
        ? highLevel
        : DEFAULT_WASTE_HIGH_PERCENT;
    return {
      name,
      kind,
      color,
      level,
      status: level >= 100 ? 'empty' : level >= high ? 'low' : 'ok',
    };
  }
  const low =
    lowLevel !== undefined && lowLevel >= 0 && lowLevel < 100 ? lowLevel : DEFAULT_LOW_PERCENT;
  return { name, kind, color, level, status: level === 0 ? 'empty' : level <= low ? 'low' : 'ok' };
}

/** CUPS queue attributes `marker-names/types/colors/levels/low-levels/high-levels` → supplies. */
export function suppliesFromMarkers(markers: {
  readonly names: readonly string[];
  readonly types: readonly string[];
  readonly colors: readonly string[];
  readonly levels: readonly number[];
  readonly lowLevels: readonly number[];
  readonly highLevels: readonly number[];
}): Supply[] {
  return markers.names.map((name, i) => {
    const color = markers.colors[i];
    return supply(
      name,
      kindOf(markers.types[i] ?? name),
      color === undefined || color === '' || color === 'none' ? null : color,
      markers.levels[i],
      markers.lowLevels[i],
      markers.highLevels[i],
    );
  });
}

/**
 * One `printer-supply` value (PWG 5100.13 §6.6.4), e.g.
 * `index=2;class=supplyThatIsConsumed;type=toner;unit=percent;maxcapacity=100;level=75;colorantname=black;`
 * Levels in other units are scaled by `maxcapacity`.
 */
export function parsePrinterSupply(value: string, description?: string): Supply {
  const fields = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const type = fields.get('type') ?? 'other';
  const rawLevel = Number(fields.get('level') ?? Number.NaN);
  const max = Number(fields.get('maxcapacity') ?? Number.NaN);
  const unit = fields.get('unit') ?? 'percent';
  let level: number | undefined = Number.isFinite(rawLevel) ? rawLevel : undefined;
  if (level !== undefined && level >= 0 && unit !== 'percent' && max > 0)
    level = (level / max) * 100;
  const colorant = fields.get('colorantname');
  const kind = fields.get('class') === 'receptacleThatIsFilled' ? 'waste' : kindOf(type);
  return supply(
    description ?? `${colorant ?? ''} ${type}`.trim(),
    kind,
    colorant === undefined || colorant === 'unknown' ? null : colorant,
    level,
    undefined,
    undefined,
  );
}

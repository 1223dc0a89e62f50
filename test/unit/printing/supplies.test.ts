import { describe, expect, it } from 'vitest';
import { parsePrinterSupply, suppliesFromMarkers } from '../../../src-shared/printing/supplies.ts';

describe('supplies', () => {
  it('maps CUPS marker-* attributes, with the special negative levels', () => {
    const supplies = suppliesFromMarkers({
      names: ['Black Toner', 'Toner Waste Tank', 'Cyan Ink', 'Drum', 'Magenta Ink'],
      types: ['toner', 'waste-toner', 'ink', 'opc', 'ink'],
      colors: ['#000000', 'none', '#00FFFF', 'none', '#FF00FF'],
      levels: [5, 95, -3, -1, 0],
      lowLevels: [10, 0, 15, 10, 15],
      highLevels: [100, 90, 100, 100, 100],
    });
    expect(supplies).toEqual([
      { name: 'Black Toner', kind: 'toner', color: '#000000', level: 5, status: 'low' },
      { name: 'Toner Waste Tank', kind: 'waste', color: null, level: 95, status: 'low' },
      { name: 'Cyan Ink', kind: 'ink', color: '#00FFFF', level: null, status: 'ok' },
      { name: 'Drum', kind: 'drum', color: null, level: null, status: 'unknown' },
      { name: 'Magenta Ink', kind: 'ink', color: '#FF00FF', level: 0, status: 'empty' },
    ]);
  });

  it('parses PWG printer-supply strings as ippeveprinter sends them', () => {
    expect(
      parsePrinterSupply(
        'index=2;class=supplyThatIsConsumed;type=toner;unit=percent;maxcapacity=100;level=75;colorantname=black;',
        'Black Toner',
      ),
    ).toEqual({ name: 'Black Toner', kind: 'toner', color: 'black', level: 75, status: 'ok' });
    expect(
      parsePrinterSupply(
        'index=1;class=receptacleThatIsFilled;type=wasteToner;unit=percent;maxcapacity=100;level=100;colorantname=unknown;',
      ),
    ).toMatchObject({ kind: 'waste', level: 100, status: 'empty', color: null });
    expect(parsePrinterSupply('type=toner;unit=sheets;maxcapacity=2000;level=100;')).toMatchObject({
      level: 5,
      status: 'low',
    });
    expect(parsePrinterSupply('garbage')).toMatchObject({
      kind: 'other',
      level: null,
      status: 'unknown',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { deviceAddress } from '../../../src-main/diagnostics/checks/device-address.ts';
import {
  driverMatchesModel,
  isDriverless,
  isGeneric,
} from '../../../src-main/diagnostics/checks/driver.ts';

describe('device addresses from queue URIs', () => {
  it('finds host and port for network connections', () => {
    expect(deviceAddress('ipp://192.0.2.10/ipp/print')).toMatchObject({
      kind: 'tcp',
      host: '192.0.2.10',
      port: 631,
      ippUri: 'ipp://192.0.2.10/ipp/print',
    });
    expect(deviceAddress('ipps://[2001:db8::5]:443/ipp/print')).toMatchObject({
      host: '2001:db8::5',
      port: 443,
    });
    expect(deviceAddress('socket://192.0.2.11')).toMatchObject({ port: 9100, ippUri: null });
    expect(deviceAddress('lpd://192.0.2.12/queue')).toMatchObject({ port: 515 });
  });

  it('says why USB, DNS-SD and local queues are not probed', () => {
    expect(deviceAddress('usb://HP/LaserJet?serial=X')).toMatchObject({
      kind: 'not-network',
      reason: expect.stringContaining('USB') as unknown,
    });
    expect(deviceAddress('dnssd://Office._ipp._tcp.local/')).toMatchObject({
      reason: expect.stringContaining('by name') as unknown,
    });
    expect(deviceAddress(null)).toMatchObject({ kind: 'not-network' });
    expect(deviceAddress('beh:/1/3/5/socket://x')).toMatchObject({
      reason: expect.stringContaining('"beh"') as unknown,
    });
  });
});

describe('driver names against device models', () => {
  it('matches on the distinctive words of the model', () => {
    // A family driver (M404) fits the model variant (M404dn); a neighbouring model (M402) does not.
    expect(
      driverMatchesModel('HP LaserJet Pro M404 Postscript (recommended)', 'HP LaserJet Pro M404dn'),
    ).toBe(true);
    expect(
      driverMatchesModel('HP LaserJet Pro M402 Postscript (recommended)', 'HP LaserJet Pro M404dn'),
    ).toBe(false);
    expect(
      driverMatchesModel('HP LaserJet Pro M404dn, hpcups 3.22.10', 'HP LaserJet Pro M404dn'),
    ).toBe(true);
    expect(driverMatchesModel('Kyocera ECOSYS M2540dn KPDL', 'Kyocera ECOSYS M2540dn')).toBe(true);
    expect(driverMatchesModel('HP LaserJet Series PCL 4/5', 'Acme Laser 9000')).toBe(false);
  });

  it('recognises driverless and generic drivers', () => {
    expect(isDriverless('Acme Laser 9000 - IPP Everywhere')).toBe(true);
    expect(isDriverless('HP LaserJet Series PCL 4/5')).toBe(false);
    expect(isGeneric('Generic PostScript Printer')).toBe(true);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseCupsServerName,
  resolveCupsServer,
} from '../../../../src-main/printers/cups/server.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempHome = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'printo-home-'));
  dirs.push(dir);
  return dir;
};
const nothing = (): boolean => false;

describe('finding the CUPS scheduler like the CUPS tools do', () => {
  it('parses every CUPS_SERVER form', () => {
    expect(parseCupsServerName('/run/cups/cups.sock', 'x')).toEqual({
      kind: 'unix',
      socketPath: '/run/cups/cups.sock',
      path: '/',
    });
    expect(parseCupsServerName('print.example', 'x')).toMatchObject({
      host: 'print.example',
      port: 631,
    });
    expect(parseCupsServerName('127.0.0.1:8631', 'x')).toMatchObject({
      host: '127.0.0.1',
      port: 8631,
    });
    expect(parseCupsServerName('[::1]:8631/version=1.1', 'x')).toMatchObject({
      host: '::1',
      port: 8631,
    });
    expect(() => parseCupsServerName('host:99999', 'CUPS_SERVER')).toThrow(/not a valid server/);
    expect(() => parseCupsServerName('  ', 'CUPS_SERVER')).toThrow(/is empty/);
  });

  it('prefers CUPS_SERVER, then ~/.cups/client.conf, then the server client.conf', () => {
    const home = tempHome();
    const root = tempHome();
    writeFileSync(join(root, 'client.conf'), '# site\nServerName printserver.example:632\n');
    expect(resolveCupsServer({ CUPS_SERVERROOT: root }, nothing, home)).toMatchObject({
      source: join(root, 'client.conf'),
      endpoint: { host: 'printserver.example', port: 632 },
    });
    mkdirSync(join(home, '.cups'));
    writeFileSync(join(home, '.cups', 'client.conf'), 'ServerName /tmp/mine.sock\n');
    expect(resolveCupsServer({ CUPS_SERVERROOT: root }, nothing, home)).toMatchObject({
      endpoint: { kind: 'unix', socketPath: '/tmp/mine.sock' },
    });
    expect(
      resolveCupsServer({ CUPS_SERVER: 'localhost:1631', CUPS_SERVERROOT: root }, nothing, home),
    ).toMatchObject({
      source: 'CUPS_SERVER',
      endpoint: { port: 1631 },
    });
  });

  it('falls back to the local socket when it exists, else localhost:631', () => {
    const home = tempHome();
    const env = { CUPS_SERVERROOT: home };
    expect(resolveCupsServer(env, (p) => p === '/run/cups/cups.sock', home).endpoint).toEqual({
      kind: 'unix',
      socketPath: '/run/cups/cups.sock',
      path: '/',
    });
    expect(resolveCupsServer(env, nothing, home).endpoint).toMatchObject({
      kind: 'tcp',
      host: 'localhost',
      port: 631,
    });
  });
});

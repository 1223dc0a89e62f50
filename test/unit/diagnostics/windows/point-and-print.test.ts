import { describe, expect, it } from 'vitest';
import type { PointAndPrintPolicy } from '../../../../src-main/diagnostics/check.ts';
import {
  pointAndPrintCheck,
  pointAndPrintOutcome,
} from '../../../../src-main/diagnostics/windows/point-and-print.ts';
import { failing } from '../../printers/windows/fixture-runner.ts';
import { evidenceOf, rejection, single } from './assertions.ts';
import { VERSIONS, windowsContext } from './context.ts';

const ERRORS = /0x0000011b, 0x00000709 or 0x000006e4/;

async function run(version: (typeof VERSIONS)[number], fixture?: string) {
  const { context, runner } = await windowsContext(
    version,
    fixture === undefined ? {} : { 'point-and-print': fixture },
  );
  const outcome = single(await pointAndPrintCheck.run(context));
  expect(runner.calls).toEqual([{ script: 'point-and-print', args: {} }]);
  return outcome;
}

describe.each(VERSIONS)('windows-point-and-print (%s)', (version) => {
  it('explains the secure defaults when no value is set', async () => {
    const outcome = await run(version);
    expect(outcome.status).toBe('pass');
    expect(outcome.summary).toBe(
      'Point and Print uses the secure defaults: only administrators can install printer drivers.',
    );
    expect(outcome.details).toMatch(/^No Point and Print policy is set on this computer/);
    expect(outcome.details).toMatch(/August 2021/);
    expect(outcome.details).toMatch(ERRORS);
    expect(outcome.fixes).toBeUndefined();
    expect(evidenceOf(outcome, 'RestrictDriverInstallationToAdministrators')?.value).toBeNull();
    expect(evidenceOf(outcome, 'RpcAuthnLevelPrivacyEnabled')?.value).toBeNull();
  });

  it('explains admin-only driver installation: users need IT to install drivers', async () => {
    const outcome = await run(version, 'point-and-print-admin-only.json');
    expect(outcome.status).toBe('pass');
    expect(outcome.summary).toBe(
      'Only administrators can install printer drivers, the secure setting.',
    );
    expect(outcome.details).toMatch(/cannot add a printer whose driver is not on the computer yet/);
    expect(outcome.details).toMatch(/request for administrator credentials/);
    expect(outcome.details).toMatch(ERRORS);
    expect(outcome.details).toMatch(/for IT to install the driver/);
    expect(evidenceOf(outcome, 'RestrictDriverInstallationToAdministrators')?.value).toBe(1);
  });

  it('warns about every insecure value, each with its fix', async () => {
    const outcome = await run(version, 'point-and-print-insecure.json');
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toBe('3 Point and Print settings weaken printer driver security.');
    expect(outcome.details).toMatch(
      /RestrictDriverInstallationToAdministrators|full system rights/,
    );
    expect(outcome.details).toMatch(
      /NoWarningNoElevationOnInstall = 1: new printer connections install drivers without a warning or elevation prompt; UpdatePromptSettings = 2: driver updates install without a warning or elevation prompt/,
    );
    expect(outcome.details).toMatch(/PrintNightmare, CVE-2021-34527/);
    expect(outcome.details).toMatch(/workaround for 0x0000011b/);
    expect(outcome.fixes?.map((fix) => fix.command)).toEqual([
      "Set-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows NT\\Printers\\PointAndPrint' -Name RestrictDriverInstallationToAdministrators -Value 1 -Type DWord",
      "Set-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows NT\\Printers\\PointAndPrint' -Name NoWarningNoElevationOnInstall -Value 0 -Type DWord; Set-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows NT\\Printers\\PointAndPrint' -Name UpdatePromptSettings -Value 0 -Type DWord",
      "Set-ItemProperty -Path 'HKLM:\\System\\CurrentControlSet\\Control\\Print' -Name RpcAuthnLevelPrivacyEnabled -Value 1 -Type DWord; Restart-Service Spooler -Force",
    ]);
  });

  it('warns about NoWarningNoElevationOnInstall even while admin-only overrides it', async () => {
    const outcome = await run(version, 'point-and-print-no-prompts.json');
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toBe(
      'Point and Print is set to install drivers without prompts; Windows ignores that only while driver installation stays limited to administrators.',
    );
    expect(outcome.details).toMatch(/the moment that limit is lifted/);
    expect(outcome.details).toMatch(ERRORS);
    expect(outcome.fixes?.map((fix) => fix.title)).toEqual([
      'Turn the Point and Print prompts back on',
    ]);
  });

  it('accepts users installing drivers only from approved package Point and Print servers', async () => {
    const outcome = await run(version, 'point-and-print-approved-servers.json');
    expect(outcome.status).toBe('pass');
    expect(outcome.summary).toBe(
      'Users can install printer drivers, but only package-aware drivers from the approved print server.',
    );
    expect(evidenceOf(outcome, 'Approved package Point and Print servers')).toEqual({
      label: 'Approved package Point and Print servers',
      value: ['printsrv01.corp.example'],
      sensitive: 'device.identifiers',
    });
    expect(evidenceOf(outcome, 'ServerList')).toEqual({
      label: 'ServerList',
      value: 'printsrv01.corp.example;printsrv02.corp.example',
      sensitive: 'device.identifiers',
    });
  });

  it('lets unreadable output reach the runner as print-service-bad-response', async () => {
    const { context } = await windowsContext(version, {
      'point-and-print': failing('garbage/truncated.json'),
    });
    const error = await rejection(pointAndPrintCheck.run(context));
    expect(error.code).toBe('print-service-bad-response');
    expect(error.message).toContain('point-and-print.ps1');
  });
});

describe('pointAndPrintOutcome from a source that knows only PointAndPrintPolicy', () => {
  const secure: PointAndPrintPolicy = {
    restrictDriverInstallationToAdministrators: null,
    noWarningNoElevationOnInstall: null,
    updatePromptSettings: null,
    restricted: null,
    trustedServers: null,
    serverList: null,
    rpcAuthnLevelPrivacyEnabled: null,
  };

  it('reports the seven values and nothing it was not given', () => {
    const outcome = pointAndPrintOutcome(secure);
    expect(outcome.evidence?.map((evidence) => evidence.label)).toEqual([
      'RestrictDriverInstallationToAdministrators',
      'NoWarningNoElevationOnInstall',
      'UpdatePromptSettings',
      'Restricted',
      'TrustedServers',
      'ServerList',
      'RpcAuthnLevelPrivacyEnabled',
    ]);
  });

  it('warns about non-admin installation when it cannot see approved servers', () => {
    const outcome = pointAndPrintOutcome({
      ...secure,
      restrictDriverInstallationToAdministrators: 0,
      restricted: 1,
      trustedServers: 1,
      serverList: 'printsrv01.corp.example',
    });
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toMatch(/RestrictDriverInstallationToAdministrators = 0/);
    expect(outcome.details).toMatch(/no combination of settings is as safe/);
  });

  it('reads UpdatePromptSettings 1 as "warning but no elevation"', () => {
    const outcome = pointAndPrintOutcome({
      ...secure,
      restrictDriverInstallationToAdministrators: 0,
      updatePromptSettings: 1,
    });
    expect(outcome.details).toMatch(
      /UpdatePromptSettings = 1: driver updates install with a warning but no elevation prompt/,
    );
  });
});

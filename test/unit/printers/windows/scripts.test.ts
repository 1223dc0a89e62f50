import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WINDOWS_SCRIPTS } from '../../../../src-main/printers/windows/schemas.ts';

/*
 * PowerShell does not run here, so the scripts' contract with the Node side is checked as text:
 * the habits that keep names as data and keep the output one parseable JSON document.
 */

const DIR = fileURLToPath(new URL('../../../../resources/windows/', import.meta.url));
const read = (file: string) => readFileSync(`${DIR}${file}`, 'utf8');
const common = read('common.ps1');

describe('resources/windows scripts', () => {
  it('are exactly one file per script the adapter runs, plus common.ps1', () => {
    const files = readdirSync(DIR).filter((file) => file.endsWith('.ps1'));
    expect(files.sort()).toEqual([...WINDOWS_SCRIPTS.map((s) => `${s}.ps1`), 'common.ps1'].sort());
  });

  it('are plain ASCII: Windows PowerShell 5.1 reads a file without BOM in the ANSI code page', () => {
    for (const file of [...WINDOWS_SCRIPTS.map((s) => `${s}.ps1`), 'common.ps1']) {
      expect({
        file,
        ascii: readFileSync(`${DIR}${file}`).every(
          (byte) =>
            byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f),
        ),
      }).toEqual({
        file,
        ascii: true,
      });
    }
  });

  it.each(WINDOWS_SCRIPTS)(
    '%s.ps1 stops on errors, writes UTF-8 and reports failures as JSON',
    (script) => {
      const text = read(`${script}.ps1`);
      const lines = text.split(/\r?\n/).filter((line) => line !== '' && !line.startsWith('#'));
      expect(lines.slice(0, 3)).toEqual([
        "$ErrorActionPreference = 'Stop'",
        "$ProgressPreference = 'SilentlyContinue'",
        '[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)',
      ]);
      expect(text).toContain(". (Join-Path -Path $PSScriptRoot -ChildPath 'common.ps1')");
      expect(text).toContain('Read-PrintoArgs');
      expect(text).toMatch(/catch \{\s+Write-PrintoFailure -Record \$_\s+exit 1\s+\}\s*$/);
    },
  );

  it.each([
    'list-printers',
    'list-jobs',
    'spooler-status',
    'printer-driver',
    'point-and-print',
    'spool-space',
  ])('%s.ps1 prints one compressed JSON array', (script) => {
    expect(read(`${script}.ps1`)).toMatch(
      /\[Console\]::Out\.Write\(\(ConvertTo-Json -Depth 4 -Compress -InputObject @\(\$\w+\)\)\)/,
    );
  });

  it('never evaluate or quote input into code, queries or wildcard parameters', () => {
    const forbidden = [
      /Invoke-Expression/i,
      /\biex\b/i,
      /\[scriptblock\]::Create/i,
      /\$ExecutionContext/i,
      /Start-Process/i,
      /-Filter\b/i,
      /-Query\b/i,
      /Get-Printer\s+-Name/i,
      /-PrinterName\b/i,
      /Get-CimInstance[^\n]*-Filter/i,
    ];
    for (const file of [...WINDOWS_SCRIPTS.map((s) => `${s}.ps1`), 'common.ps1']) {
      const code = read(file)
        .split(/\r?\n/)
        .filter((line) => !line.trimStart().startsWith('#'))
        .join('\n');
      for (const pattern of forbidden) {
        expect({ file, pattern: String(pattern), found: pattern.test(code) }).toMatchObject({
          found: false,
        });
      }
    }
  });

  it('read arguments from PRINTO_ARGS only', () => {
    expect(common).toContain("[Environment]::GetEnvironmentVariable('PRINTO_ARGS')");
    for (const script of WINDOWS_SCRIPTS) {
      expect(read(`${script}.ps1`)).not.toMatch(/^param\s*\(/im);
      expect(read(`${script}.ps1`)).not.toContain('$args[');
    }
  });

  it('unpack DriverVersion to a string inside PowerShell', () => {
    expect(common).toContain(
      'DriverVersion      = Format-PrintoDriverVersion $Driver.DriverVersion',
    );
    expect(common).toMatch(/'\{0\}\.\{1\}\.\{2\}\.\{3\}' -f \$major, \$minor, \$build, \$revision/);
    for (const script of ['list-printers', 'printer-driver']) {
      expect(read(`${script}.ps1`)).toContain('ConvertTo-PrintoDriverRecord -Driver $driver');
    }
  });

  it('join the driver to Win32_PnPSignedDriver by name, filtering in PowerShell', () => {
    const text = read('printer-driver.ps1');
    expect(text).toContain('$printer = Find-PrintoPrinter -Name $name');
    expect(text).toMatch(
      /Get-CimInstance -ClassName Win32_PnPSignedDriver \| Where-Object \{ \$_\.DeviceClass -eq 'PRINTER' \}/,
    );
    expect(text).toContain('Where-Object { $_.DeviceName -eq $driverName }');
    expect(text).toContain('Where-Object { $_.InfName -eq $infFile }');
    // One form for DriverDate whichever edition ran: the DMTF text of WMI.
    expect(text).toContain("'000000.******+000'");
  });

  it('read the registry read-only through one helper, in the 64-bit view', () => {
    expect(common).toContain('[Microsoft.Win32.RegistryView]::Registry64');
    expect(common).toContain('$base.OpenSubKey($Path, $false)');
    const policy = read('point-and-print.ps1');
    for (const value of [
      'RestrictDriverInstallationToAdministrators',
      'NoWarningNoElevationOnInstall',
      'UpdatePromptSettings',
      'Restricted',
      'TrustedServers',
      'ServerList',
      'PackagePointAndPrintOnly',
      'PackagePointAndPrintServerList',
      'RpcAuthnLevelPrivacyEnabled',
    ]) {
      expect(policy).toContain(`-Name '${value}'`);
    }
    expect(policy).toContain(
      String.raw`Open-PrintoMachineKey -Path 'Software\Policies\Microsoft\Windows NT\Printers\PointAndPrint'`,
    );
    expect(policy).toContain(
      String.raw`Open-PrintoMachineKey -Path 'System\CurrentControlSet\Control\Print'`,
    );
    const spool = read('spool-space.ps1');
    expect(spool).toContain(
      String.raw`Open-PrintoMachineKey -Path 'SYSTEM\CurrentControlSet\Control\Print\Printers'`,
    );
    expect(spool).toContain("GetValue('DefaultSpoolDirectory', $null)");
    expect(spool).toContain(String.raw`'System32\spool\PRINTERS'`);
    for (const script of ['point-and-print', 'spool-space']) {
      expect(read(`${script}.ps1`)).not.toMatch(/Set-ItemProperty|New-Item|SetValue|CreateSubKey/);
    }
  });

  it('check ReturnValue of the Win32_Printer methods', () => {
    expect(common).toMatch(/Invoke-CimMethod -InputObject \$instance -MethodName \$Method/);
    expect(common).toMatch(/\$code = \[int\]\$result\.ReturnValue/);
    expect(read('pause-printer.ps1')).toContain("-Method 'Pause'");
    expect(read('resume-printer.ps1')).toContain("-Method 'Resume'");
    expect(read('print-test-page.ps1')).toContain("-Method 'PrintTestPage'");
  });

  it('use the job cmdlets on the job object they looked up', () => {
    expect(read('cancel-job.ps1')).toContain('Remove-PrintJob -InputObject $job');
    expect(read('hold-job.ps1')).toContain('Suspend-PrintJob -InputObject $job');
    expect(read('release-job.ps1')).toContain('Resume-PrintJob -InputObject $job');
  });
});

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

  it.each(['list-printers', 'list-jobs', 'spooler-status'])(
    '%s.ps1 prints one compressed JSON array',
    (script) => {
      expect(read(`${script}.ps1`)).toMatch(
        /\[Console\]::Out\.Write\(\(ConvertTo-Json -Depth 4 -Compress -InputObject @\(\$\w+\)\)\)/,
      );
    },
  );

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
    const text = read('list-printers.ps1');
    expect(text).toContain('DriverVersion      = Format-PrintoDriverVersion $driver.DriverVersion');
    expect(text).toMatch(/'\{0\}\.\{1\}\.\{2\}\.\{3\}' -f \$major, \$minor, \$build, \$revision/);
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

# Resumes a paused printer queue for Printo Help (Win32_Printer.Resume; its ReturnValue is checked).
# PRINTO_ARGS: { "printer": string }
# Output: [ { "ok": true } ]
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)

try {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'common.ps1')
    $printoArgs = Read-PrintoArgs
    $printer = Get-PrintoString -Arguments $printoArgs -Name 'printer' -Required
    $null = Find-PrintoPrinter -Name $printer
    Invoke-PrintoPrinterMethod -Name $printer -Method 'Resume'
    Write-PrintoOk
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

# Cancels a print job for Printo Help (Remove-PrintJob).
# PRINTO_ARGS: { "printer": string, "jobId": number }
# Output: [ { "ok": true } ]
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)

try {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'common.ps1')
    $printoArgs = Read-PrintoArgs
    $printer = Get-PrintoString -Arguments $printoArgs -Name 'printer' -Required
    $jobId = Get-PrintoJobId -Arguments $printoArgs
    $target = Find-PrintoPrinter -Name $printer
    $job = Find-PrintoJob -Printer $target -JobId $jobId

    Remove-PrintJob -InputObject $job
    Write-PrintoOk
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

# Holds (pauses) a print job for Printo Help (Suspend-PrintJob).
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
    # JOB_STATUS PRINTED 0x80, DELETED 0x100, DELETING 0x4, COMPLETE 0x1000: nothing left to hold.
    if (([uint32]$job.JobStatus -band 0x1184) -ne 0) {
        Stop-Printo -Id 'ActionNotPossible' -Category 'InvalidOperation' -Message "Job $jobId on '$printer' has already finished or is being deleted; it cannot be held."
    }
    Suspend-PrintJob -InputObject $job
    Write-PrintoOk
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

# Releases (resumes) a held print job for Printo Help (Resume-PrintJob).
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
    # IPP Release-Job semantics: only a held (JOB_STATUS_PAUSED 0x1) job can be released.
    if (([uint32]$job.JobStatus -band 0x1) -eq 0) {
        Stop-Printo -Id 'ActionNotPossible' -Category 'InvalidOperation' -Message "Job $jobId on '$printer' is not held."
    }
    Resume-PrintJob -InputObject $job
    Write-PrintoOk
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

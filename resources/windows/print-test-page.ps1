# Prints the Windows test page for Printo Help (Win32_Printer.PrintTestPage) and reports the new
# job's id. PrintTestPage returns no id, so the script looks for the job that appeared.
# PRINTO_ARGS: { "printer": string }
# Output: [ { "ok": true, "jobId": number | null } ]  (null: the page left the queue before it was seen)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)

try {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'common.ps1')
    $printoArgs = Read-PrintoArgs
    $printer = Get-PrintoString -Arguments $printoArgs -Name 'printer' -Required
    $target = Find-PrintoPrinter -Name $printer

    $before = @{}
    foreach ($job in @(Get-PrintJob -PrinterObject $target)) { $before[[string]$job.Id] = $true }
    Invoke-PrintoPrinterMethod -Name $printer -Method 'PrintTestPage'

    $jobId = $null
    for ($attempt = 0; $attempt -lt 20 -and $null -eq $jobId; $attempt++) {
        $new = @(Get-PrintJob -PrinterObject $target | Where-Object { -not $before.ContainsKey([string]$_.Id) })
        # Someone else may print at the same moment: prefer a job of this user.
        $mine = @($new | Where-Object { $_.UserName -eq [Environment]::UserName })
        $pick = @($(if ($mine.Count -gt 0) { $mine } else { $new }) | Sort-Object -Property Id -Descending)
        if ($pick.Count -gt 0) { $jobId = [int64]$pick[0].Id } else { Start-Sleep -Milliseconds 250 }
    }
    Write-PrintoOk -Extra @{ jobId = $jobId }
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

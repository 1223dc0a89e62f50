# Lists print jobs for Printo Help (Get-PrintJob per printer).
# PRINTO_ARGS: { "printer"?: string }  (one queue, matched exactly, or every queue)
# Output: [ { Id, PrinterName, DocumentName, UserName, JobStatus, ..., SubmittedTime } ]
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)

try {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'common.ps1')
    $printoArgs = Read-PrintoArgs
    $printer = Get-PrintoString -Arguments $printoArgs -Name 'printer'

    $targets = if ($null -eq $printer) { @(Get-Printer) } else { @(Find-PrintoPrinter -Name $printer) }
    $fields = 'Id', 'PrinterName', 'ComputerName', 'DocumentName', 'UserName', 'JobStatus', 'Position',
    'Size', 'TotalPages', 'PagesPrinted', 'Priority', 'Datatype', 'SubmittedTime'

    $jobs = @(foreach ($target in $targets) {
            try {
                Get-PrintJob -PrinterObject $target | Select-Object -Property $fields
            }
            catch {
                # Listing every queue: a connection to a print server that is down must not hide
                # the local queues. Asked for one queue, its failure is the answer.
                if ($null -ne $printer) { throw }
            }
        })
    [Console]::Out.Write((ConvertTo-Json -Depth 4 -Compress -InputObject @($jobs)))
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

# Print Spooler service status for Printo Help. Works while the spooler is stopped.
# PRINTO_ARGS: {}
# Output: [ { Name, Status (1 Stopped ... 4 Running), StartType (2 Automatic, 3 Manual, 4 Disabled) } ]
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)

try {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'common.ps1')
    $null = Read-PrintoArgs
    $service = Get-Service -Name 'Spooler'
    # [int]: enum values serialise as numbers on 5.1 but could be names elsewhere.
    $record = [pscustomobject]@{
        Name      = $service.Name
        Status    = [int]$service.Status
        StartType = [int]$service.StartType
    }
    [Console]::Out.Write((ConvertTo-Json -Depth 4 -Compress -InputObject @($record)))
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

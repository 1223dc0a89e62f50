# Where the spooler writes jobs, and the free space of that drive, for Printo Help diagnostics.
# The folder is DefaultSpoolDirectory of HKLM\SYSTEM\CurrentControlSet\Control\Print\Printers,
# or %SystemRoot%\System32\spool\PRINTERS when that is not set.
# PRINTO_ARGS: {}
# Output: [ { Path, Configured (true when the registry names the folder), Drive, FreeBytes, TotalBytes } ]
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)

try {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'common.ps1')
    $null = Read-PrintoArgs

    $key = Open-PrintoMachineKey -Path 'SYSTEM\CurrentControlSet\Control\Print\Printers'
    try {
        $configured = if ($null -eq $key) { $null } else { $key.GetValue('DefaultSpoolDirectory', $null) }
    }
    finally {
        if ($null -ne $key) { $key.Dispose() }
    }
    $isConfigured = $configured -is [string] -and $configured.Trim().Length -gt 0
    $path = if ($isConfigured) {
        [Environment]::ExpandEnvironmentVariables($configured.Trim())
    }
    else {
        Join-Path -Path $env:SystemRoot -ChildPath 'System32\spool\PRINTERS'
    }
    # Free space for this user (disk quotas included), which is what a job being spooled meets.
    $drive = [IO.DriveInfo]::new([IO.Path]::GetPathRoot($path))
    $record = [pscustomobject]@{
        Path       = $path
        Configured = $isConfigured
        Drive      = $drive.Name
        FreeBytes  = $drive.AvailableFreeSpace
        TotalBytes = $drive.TotalSize
    }
    [Console]::Out.Write((ConvertTo-Json -Depth 4 -Compress -InputObject @($record)))
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

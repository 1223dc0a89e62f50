# Point and Print policy for Printo Help diagnostics (the PrintNightmare-era settings):
#   HKLM\Software\Policies\Microsoft\Windows NT\Printers\PointAndPrint
#     RestrictDriverInstallationToAdministrators, NoWarningNoElevationOnInstall,
#     UpdatePromptSettings, Restricted, TrustedServers, ServerList, InForest
#   HKLM\Software\Policies\Microsoft\Windows NT\Printers\PackagePointAndPrint
#     PackagePointAndPrintOnly, PackagePointAndPrintServerList, ListofServers\*
#   HKLM\System\CurrentControlSet\Control\Print  RpcAuthnLevelPrivacyEnabled
# Only the computer policy is read; the same Point and Print policies also exist per user
# (HKCU), which this script does not report.
# PRINTO_ARGS: {}
# Output: [ { <each value above>: number | string | null, PackagePointAndPrintServers: [string] | null } ]
# A value that is not set is null; a DWORD is a number, REG_SZ text stays text.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)

function Get-PrintoRegistryValue {
    param($Key, [Parameter(Mandatory = $true)] [string] $Name)
    if ($null -eq $Key) { return $null }
    $value = $Key.GetValue($Name, $null)
    # A DWORD reads as a signed Int32: give it back unsigned, as regedit shows it.
    if ($value -is [int]) { if ($value -lt 0) { return [long]$value + 4294967296 } return [long]$value }
    if ($value -is [long] -or $value -is [string]) { return $value }
    if ($value -is [string[]]) { return ($value -join ';') }
    # Binary data means nothing to these policies.
    return $null
}

try {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'common.ps1')
    $null = Read-PrintoArgs

    $pointAndPrint = Open-PrintoMachineKey -Path 'Software\Policies\Microsoft\Windows NT\Printers\PointAndPrint'
    $package = Open-PrintoMachineKey -Path 'Software\Policies\Microsoft\Windows NT\Printers\PackagePointAndPrint'
    $servers = Open-PrintoMachineKey -Path 'Software\Policies\Microsoft\Windows NT\Printers\PackagePointAndPrint\ListofServers'
    $print = Open-PrintoMachineKey -Path 'System\CurrentControlSet\Control\Print'
    try {
        # Group Policy writes the approved servers as values named 1, 2, ... one server each.
        # Assigned in a statement, not as the value of an if: that would unroll an empty list to
        # $null and a one-server list to a bare string.
        $serverList = $null
        if ($null -ne $servers) {
            $serverList = @(foreach ($valueName in $servers.GetValueNames()) {
                    $server = Get-PrintoRegistryValue -Key $servers -Name $valueName
                    if ($server -is [string] -and $server.Trim().Length -gt 0) { $server.Trim() }
                })
        }
        $record = [pscustomobject]@{
            RestrictDriverInstallationToAdministrators = Get-PrintoRegistryValue -Key $pointAndPrint -Name 'RestrictDriverInstallationToAdministrators'
            NoWarningNoElevationOnInstall              = Get-PrintoRegistryValue -Key $pointAndPrint -Name 'NoWarningNoElevationOnInstall'
            UpdatePromptSettings                       = Get-PrintoRegistryValue -Key $pointAndPrint -Name 'UpdatePromptSettings'
            Restricted                                 = Get-PrintoRegistryValue -Key $pointAndPrint -Name 'Restricted'
            TrustedServers                             = Get-PrintoRegistryValue -Key $pointAndPrint -Name 'TrustedServers'
            ServerList                                 = Get-PrintoRegistryValue -Key $pointAndPrint -Name 'ServerList'
            InForest                                   = Get-PrintoRegistryValue -Key $pointAndPrint -Name 'InForest'
            PackagePointAndPrintOnly                   = Get-PrintoRegistryValue -Key $package -Name 'PackagePointAndPrintOnly'
            PackagePointAndPrintServerList             = Get-PrintoRegistryValue -Key $package -Name 'PackagePointAndPrintServerList'
            PackagePointAndPrintServers                = $serverList
            RpcAuthnLevelPrivacyEnabled                = Get-PrintoRegistryValue -Key $print -Name 'RpcAuthnLevelPrivacyEnabled'
        }
    }
    finally {
        foreach ($key in @($pointAndPrint, $package, $servers, $print)) { if ($null -ne $key) { $key.Dispose() } }
    }
    [Console]::Out.Write((ConvertTo-Json -Depth 4 -Compress -InputObject @($record)))
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

# The driver of one printer, for Printo Help diagnostics: Get-PrinterDriver joined with the
# signing facts of Win32_PnPSignedDriver (IsSigned, Signer, DriverDate, DriverProviderName).
# Win32_PnPSignedDriver only knows drivers bound to a Plug and Play device (USB, WSD and IPP
# printers); a queue on a Standard TCP/IP port has none, and Signature is then null.
# PRINTO_ARGS: { "printer": string }  (matched exactly)
# Output: [ { Printer, DriverName, Driver: { Name, ..., Signature: { MatchedBy, ... } | null } | null } ]
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)

function ConvertTo-PrintoDmtfDate {
    # DriverDate is a CIM datetime ("20230801000000.******+000"): the INF's DriverVer date at
    # midnight UTC. Get-CimInstance turns it into a DateTime (in local time when it applied the
    # offset); write it back in the DMTF form so that both editions print the same text, keeping
    # only the calendar date that the INF gave.
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [string]) { return $Value }
    $date = [datetime]$Value
    if ($date.Kind -eq [DateTimeKind]::Local) { $date = $date.ToUniversalTime() }
    return $date.ToString('yyyyMMdd', [Globalization.CultureInfo]::InvariantCulture) + '000000.******+000'
}

try {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'common.ps1')
    $printoArgs = Read-PrintoArgs
    $name = Get-PrintoString -Arguments $printoArgs -Name 'printer' -Required

    $printer = Find-PrintoPrinter -Name $name
    $driverName = [string]$printer.DriverName
    # Filtered here rather than with Get-PrinterDriver -Name, which reads [ ] * ? as wildcards.
    $driver = Select-PrintoNativeDriver -Drivers @(Get-PrinterDriver | Where-Object { $_.Name -eq $driverName })

    $record = $null
    if ($null -ne $driver) {
        $record = ConvertTo-PrintoDriverRecord -Driver $driver
        # The join: the device's name is the INF model name, which is the driver name; inbox
        # drivers keep their INF file name (prnms017.inf), while a third-party INF is published
        # as oemNN.inf and only the device name can match it.
        $signed = @(Get-CimInstance -ClassName Win32_PnPSignedDriver | Where-Object { $_.DeviceClass -eq 'PRINTER' })
        $matchedBy = 'DeviceName'
        $match = @($signed | Where-Object { $_.DeviceName -eq $driverName }) | Select-Object -First 1
        $infFile = if ([string]::IsNullOrEmpty([string]$driver.InfPath)) { $null } else { [IO.Path]::GetFileName([string]$driver.InfPath) }
        if ($null -eq $match -and $null -ne $infFile) {
            $matchedBy = 'InfName'
            $match = @($signed | Where-Object { $_.InfName -eq $infFile }) | Select-Object -First 1
        }
        $signature = if ($null -eq $match) { $null } else {
            [pscustomobject]@{
                MatchedBy          = $matchedBy
                DeviceName         = $match.DeviceName
                InfName            = $match.InfName
                IsSigned           = $match.IsSigned
                Signer             = $match.Signer
                DriverDate         = ConvertTo-PrintoDmtfDate $match.DriverDate
                DriverProviderName = $match.DriverProviderName
                DriverVersion      = $match.DriverVersion
            }
        }
        $record | Add-Member -MemberType NoteProperty -Name 'Signature' -Value $signature
    }

    $result = [pscustomobject]@{
        Printer    = $printer.Name
        DriverName = $driverName
        Driver     = $record
    }
    [Console]::Out.Write((ConvertTo-Json -Depth 4 -Compress -InputObject @($result)))
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

# Helpers dot-sourced by every Printo Help script in this folder. Runs on Windows PowerShell 5.1
# and PowerShell 7. The calling script has already set $ErrorActionPreference = 'Stop' and UTF-8
# output.
#
# Contract with the Node side (src-main/printers/windows):
# - Input: one JSON object in the environment variable PRINTO_ARGS. Printer names are data; they
#   are never placed on a command line or into a query string, so quotes, $, backticks and
#   semicolons in a name cannot become code.
# - Output: exactly one compressed JSON document on stdout and exit code 0, or on failure
#   {"error":{"message","hresult","category","id"}} and exit code 1.

function Write-PrintoJson {
    param([Parameter(Mandatory = $true)] [AllowNull()] [AllowEmptyCollection()] $InputObject)
    # [Console]::Out rather than Write-Output: the host would wrap or reformat long lines.
    [Console]::Out.Write((ConvertTo-Json -Depth 4 -Compress -InputObject $InputObject))
    [Console]::Out.Flush()
}

function Stop-Printo {
    # Reports a failure the script itself detected and ends the script. $HResult stays untyped:
    # a [string] parameter would turn $null into ''.
    param(
        [Parameter(Mandatory = $true)] [string] $Id,
        [Parameter(Mandatory = $true)] [string] $Message,
        [string] $Category = 'NotSpecified',
        $HResult = $null
    )
    Write-PrintoJson -InputObject ([pscustomobject]@{
            error = [pscustomobject]@{ message = $Message; hresult = $HResult; category = $Category; id = $Id }
        })
    exit 1
}

function Write-PrintoFailure {
    # Turns any ErrorRecord into the error document. The CDXML print cmdlets carry the Win32/RPC
    # code only in FullyQualifiedErrorId ("HRESULT 0x800706ba,Get-Printer" when the spooler is
    # down); other exceptions carry it in Exception.HResult.
    param([Parameter(Mandatory = $true)] $Record)
    $hresult = $null
    $fqid = [string]$Record.FullyQualifiedErrorId
    if ($fqid -match 'HRESULT 0x([0-9a-fA-F]{8})') {
        $hresult = '0x' + $Matches[1].ToUpperInvariant()
    }
    elseif ($null -ne $Record.Exception -and $Record.Exception.HResult -ne 0) {
        $hresult = '0x{0:X8}' -f $Record.Exception.HResult
    }
    $message = if ($null -ne $Record.Exception) { $Record.Exception.Message } else { [string]$Record }
    Write-PrintoJson -InputObject ([pscustomobject]@{
            error = [pscustomobject]@{
                message  = $message
                hresult  = $hresult
                category = [string]$Record.CategoryInfo.Category
                id       = $fqid
            }
        })
}

function Read-PrintoArgs {
    $raw = [Environment]::GetEnvironmentVariable('PRINTO_ARGS')
    if ([string]::IsNullOrWhiteSpace($raw)) { return [pscustomobject]@{} }
    # PowerShell 7.5+ would otherwise turn a string that looks like a date into a DateTime.
    if ((Get-Command -Name ConvertFrom-Json).Parameters.ContainsKey('DateKind')) {
        $parsed = ConvertFrom-Json -InputObject $raw -DateKind String
    }
    else {
        $parsed = ConvertFrom-Json -InputObject $raw
    }
    if ($parsed -isnot [System.Management.Automation.PSCustomObject]) {
        Stop-Printo -Id 'InvalidArgument' -Category 'InvalidArgument' -Message 'PRINTO_ARGS is not a JSON object.'
    }
    return $parsed
}

function Get-PrintoString {
    param([Parameter(Mandatory = $true)] $Arguments, [Parameter(Mandatory = $true)] [string] $Name, [switch] $Required)
    $property = $Arguments.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value) {
        if ($Required) { Stop-Printo -Id 'InvalidArgument' -Category 'InvalidArgument' -Message "Missing argument '$Name'." }
        return $null
    }
    # Anything but a string (a date conversion, a number) would compare wrongly: refuse it.
    if ($property.Value -isnot [string] -or $property.Value.Length -eq 0) {
        Stop-Printo -Id 'InvalidArgument' -Category 'InvalidArgument' -Message "Argument '$Name' must be a non-empty string."
    }
    return [string]$property.Value
}

function Get-PrintoJobId {
    param([Parameter(Mandatory = $true)] $Arguments)
    $property = $Arguments.PSObject.Properties['jobId']
    $value = if ($null -eq $property) { $null } else { $property.Value }
    if (-not ($value -is [int] -or $value -is [long]) -or $value -lt 1 -or $value -gt [uint32]::MaxValue) {
        Stop-Printo -Id 'InvalidArgument' -Category 'InvalidArgument' -Message "Argument 'jobId' must be a positive integer."
    }
    return [uint32]$value
}

function Find-PrintoPrinter {
    # Exact, case-insensitive match like the spooler's own. Not Get-Printer -Name: it treats
    # [ ] * ? in a name as wildcards. Get-Printer also runs first in every script because it is
    # the call that reports a stopped spooler (HRESULT 0x800706BA).
    param([Parameter(Mandatory = $true)] [string] $Name, [switch] $Full)
    $all = if ($Full) { @(Get-Printer -Full) } else { @(Get-Printer) }
    $found = @($all | Where-Object { $_.Name -eq $Name })
    if ($found.Count -eq 0) {
        Stop-Printo -Id 'PrinterNotFound' -Category 'ObjectNotFound' -HResult '0x80070709' -Message "No printer named '$Name'."
    }
    return $found[0]
}

function Find-PrintoJob {
    param([Parameter(Mandatory = $true)] $Printer, [Parameter(Mandatory = $true)] [uint32] $JobId)
    # Filtering ourselves rather than Get-PrintJob -ID gives one clear "not found" whatever the
    # Windows version reports for a missing id.
    $job = @(Get-PrintJob -PrinterObject $Printer | Where-Object { $_.Id -eq $JobId }) | Select-Object -First 1
    if ($null -eq $job) {
        Stop-Printo -Id 'JobNotFound' -Category 'ObjectNotFound' -Message "No job $JobId in the queue of '$($Printer.Name)'."
    }
    return $job
}

function Invoke-PrintoPrinterMethod {
    # Win32_Printer methods report failure in ReturnValue (a Win32 error code), not as an exception.
    # The instance is found by filtering, never with a WQL -Filter that would quote the name into
    # the query text.
    param([Parameter(Mandatory = $true)] [string] $Name, [Parameter(Mandatory = $true)] [string] $Method)
    $instance = @(Get-CimInstance -ClassName Win32_Printer | Where-Object { $_.Name -eq $Name }) | Select-Object -First 1
    if ($null -eq $instance) {
        Stop-Printo -Id 'PrinterNotFound' -Category 'ObjectNotFound' -HResult '0x80070709' -Message "No printer named '$Name'."
    }
    $result = Invoke-CimMethod -InputObject $instance -MethodName $Method
    $code = [int]$result.ReturnValue
    if ($code -ne 0) {
        $text = ([System.ComponentModel.Win32Exception]::new($code)).Message
        $hresult = '0x8007{0:X4}' -f ($code -band 0xFFFF)
        switch ($code) {
            5 { Stop-Printo -Id 'AccessDenied' -Category 'PermissionDenied' -HResult $hresult -Message "Win32_Printer.$Method on '$Name': $text" }
            1801 { Stop-Printo -Id 'PrinterNotFound' -Category 'ObjectNotFound' -HResult $hresult -Message "No printer named '$Name'." }
            default { Stop-Printo -Id 'Win32Error' -HResult $hresult -Message "Win32_Printer.$Method on '$Name' returned $($code): $text" }
        }
    }
}

function Write-PrintoOk {
    param([hashtable] $Extra = @{})
    $record = [ordered]@{ ok = $true }
    foreach ($key in $Extra.Keys) { $record[$key] = $Extra[$key] }
    Write-PrintoJson -InputObject @([pscustomobject]$record)
}

function Format-PrintoDriverVersion {
    # DriverVersion is a packed uint64 (major<<48 | minor<<32 | build<<16 | revision) that a
    # JavaScript number cannot hold: unpack it here. [decimal] keeps all 64 bits exact on both
    # PowerShell editions.
    param($Packed)
    if ($null -eq $Packed) { return $null }
    $n = [decimal][uint64]$Packed
    $revision = $n % 65536; $n = [math]::Floor($n / 65536)
    $build = $n % 65536; $n = [math]::Floor($n / 65536)
    $minor = $n % 65536; $major = [math]::Floor($n / 65536)
    return '{0}.{1}.{2}.{3}' -f $major, $minor, $build, $revision
}

function Select-PrintoNativeDriver {
    # A driver name can be installed for several environments; prefer the native one over the
    # x86 copy kept for 32-bit clients. $null when there is none.
    param([AllowEmptyCollection()] [object[]] $Drivers = @())
    $native = @($Drivers | Where-Object { $_.PrinterEnvironment -ne 'Windows NT x86' })
    if ($native.Count -gt 0) { return $native[0] }
    if ($Drivers.Count -gt 0) { return $Drivers[0] }
    return $null
}

function ConvertTo-PrintoDriverRecord {
    # The Get-PrinterDriver fields the Node side reads (DriverRecordSchema).
    param([Parameter(Mandatory = $true)] $Driver)
    return [pscustomobject]@{
        Name               = $Driver.Name
        Manufacturer       = $Driver.Manufacturer
        MajorVersion       = $Driver.MajorVersion
        DriverVersion      = Format-PrintoDriverVersion $Driver.DriverVersion
        Date               = $Driver.Date
        IsPackageAware     = $Driver.IsPackageAware
        PrinterEnvironment = $Driver.PrinterEnvironment
        InfPath            = $Driver.InfPath
        Provider           = $Driver.Provider
    }
}

function Open-PrintoMachineKey {
    # An HKLM key read-only, in the 64-bit view (a 32-bit PowerShell would otherwise be sent to
    # WOW6432Node); $null when the key does not exist. The caller disposes it.
    param([Parameter(Mandatory = $true)] [string] $Path)
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
    try { return $base.OpenSubKey($Path, $false) } finally { $base.Dispose() }
}

# Lists printers for Printo Help: Get-Printer -Full merged with what only Win32_Printer knows
# (Default, WorkOffline, Attributes, DetectedErrorState, ExtendedPrinterStatus), the printer's
# port (host address, RAW/LPR, WSD device URL) and its driver.
# PRINTO_ARGS: { "name"?: string }  (one printer, matched exactly, or all)
# Output: [ { Name, ..., Win32: {...} | null, Port: {...} | null, Driver: {...} | null } ]
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)

try {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'common.ps1')
    $printoArgs = Read-PrintoArgs
    $name = Get-PrintoString -Arguments $printoArgs -Name 'name'

    $printers = if ($null -eq $name) { @(Get-Printer -Full) } else { @(Find-PrintoPrinter -Name $name -Full) }

    # Keys are names; PowerShell hashtables compare them case-insensitively, like the spooler.
    $win32 = @{}
    foreach ($w in @(Get-CimInstance -ClassName Win32_Printer)) { $win32[[string]$w.Name] = $w }
    $ports = @{}
    foreach ($port in @(Get-PrinterPort)) { $ports[[string]$port.Name] = $port }
    $drivers = @{}
    foreach ($group in @(Get-PrinterDriver | Group-Object -Property Name)) {
        $drivers[[string]$group.Name] = Select-PrintoNativeDriver -Drivers $group.Group
    }

    $records = @(foreach ($p in $printers) {
            $w = $win32[[string]$p.Name]
            $port = $ports[[string]$p.PortName]
            $driver = $drivers[[string]$p.DriverName]
            [pscustomobject]@{
                Name            = $p.Name
                ComputerName    = $p.ComputerName
                Type            = $p.Type
                DriverName      = $p.DriverName
                PortName        = $p.PortName
                Shared          = $p.Shared
                ShareName       = $p.ShareName
                Published       = $p.Published
                Location        = $p.Location
                Comment         = $p.Comment
                PrinterStatus   = $p.PrinterStatus
                JobCount        = $p.JobCount
                KeepPrintedJobs = $p.KeepPrintedJobs
                Datatype        = $p.Datatype
                PrintProcessor  = $p.PrintProcessor
                RenderingMode   = $p.RenderingMode
                Win32           = if ($null -eq $w) { $null } else {
                    $w | Select-Object -Property Default, WorkOffline, Attributes, PrinterStatus, ExtendedPrinterStatus, DetectedErrorState, ExtendedDetectedErrorState, Status
                }
                Port            = if ($null -eq $port) { $null } else {
                    # Port classes differ (TCP/IP, WSD, local); Select-Object fills absent fields with null.
                    $port | Select-Object -Property Name, Description, PortMonitor, PrinterHostAddress, PortNumber, Protocol, LprQueueName, DeviceURL, SNMPEnabled
                }
                Driver          = if ($null -eq $driver) { $null } else { ConvertTo-PrintoDriverRecord -Driver $driver }
            }
        })
    [Console]::Out.Write((ConvertTo-Json -Depth 4 -Compress -InputObject @($records)))
}
catch {
    Write-PrintoFailure -Record $_
    exit 1
}

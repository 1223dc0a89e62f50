import type { Evidence, Fix } from '../../../src-shared/model/diagnostics.ts';
import type { CheckOutcome, PointAndPrintPolicy, SystemCheck } from '../check.ts';
import { windowsSource } from './common.ts';
import type { PointAndPrintExtras } from './source.ts';

/*
 * The PrintNightmare-era Point and Print settings (KB5005652, CVE-2021-34527, CVE-2021-34481) and
 * RPC privacy for printing (KB4599464, CVE-2021-1678), read as what they mean for people who
 * install or update printer drivers.
 */

const POLICY_KEY = String.raw`HKLM:\Software\Policies\Microsoft\Windows NT\Printers\PointAndPrint`;
const PRINT_KEY = String.raw`HKLM:\System\CurrentControlSet\Control\Print`;

/** The policy as any source gives it, plus what PowerShellDiagnosticsSource also reads. */
export type PolicyFacts = PointAndPrintPolicy & Partial<PointAndPrintExtras>;

const ADMIN_ONLY =
  'Since the August 2021 security updates (KB5005652, after PrintNightmare) only administrators can install or update printer drivers on Windows, including through Point and Print from a print server. A user without administrator rights cannot add a printer whose driver is not on the computer yet, and a driver update offered by a print server waits for an administrator: people then see a request for administrator credentials, or "Windows cannot connect to the printer" with errors such as 0x0000011b, 0x00000709 or 0x000006e4. The remedy is for IT to install the driver (package-aware, from the print server, Intune or Group Policy) or to bring the print server and computers up to date, not to weaken these settings.';

interface Finding {
  readonly summary: string;
  readonly detail: string;
  readonly fix: Fix;
}

function isSet(value: number | null): value is number {
  return value !== null && value !== 0;
}

function approvedServers(policy: PolicyFacts): readonly string[] {
  return policy.packagePointAndPrintServerList === 1
    ? (policy.packagePointAndPrintServers ?? []).filter((server) => server.trim() !== '')
    : [];
}

function promptsFinding(policy: PolicyFacts, adminOnly: boolean): Finding | null {
  const install = isSet(policy.noWarningNoElevationOnInstall);
  const update = isSet(policy.updatePromptSettings);
  if (!install && !update) return null;
  const what = [
    ...(install
      ? [
          `NoWarningNoElevationOnInstall = ${policy.noWarningNoElevationOnInstall}: new printer connections install drivers without a warning or elevation prompt`,
        ]
      : []),
    ...(update
      ? [
          `UpdatePromptSettings = ${policy.updatePromptSettings}: driver updates install ${policy.updatePromptSettings === 1 ? 'with a warning but no elevation prompt' : 'without a warning or elevation prompt'}`,
        ]
      : []),
  ];
  const commands = [
    ...(install
      ? [
          `Set-ItemProperty -Path '${POLICY_KEY}' -Name NoWarningNoElevationOnInstall -Value 0 -Type DWord`,
        ]
      : []),
    ...(update
      ? [`Set-ItemProperty -Path '${POLICY_KEY}' -Name UpdatePromptSettings -Value 0 -Type DWord`]
      : []),
  ];
  return {
    summary: adminOnly
      ? 'Point and Print is set to install drivers without prompts; Windows ignores that only while driver installation stays limited to administrators.'
      : 'Printer drivers install without the Point and Print security prompts: the configuration PrintNightmare exploits.',
    detail:
      `${what.join('; ')}. ` +
      (adminOnly
        ? 'While only administrators may install drivers, Windows overrides these settings; but the moment that limit is lifted, any user could be handed a malicious driver that runs with full system rights (PrintNightmare, CVE-2021-34527).'
        : 'Any user can be handed a driver by a print server, including a malicious one that runs with full system rights (PrintNightmare, CVE-2021-34527). Microsoft says these values must be 0 or not set.'),
    fix: {
      title: 'Turn the Point and Print prompts back on',
      steps: [
        'IT: in Group Policy, open Computer Configuration > Administrative Templates > Printers > "Point and Print Restrictions" and set both "When installing drivers for a new connection" and "When updating drivers for an existing connection" to "Show warning and elevation prompt", or set the policy to Not configured.',
        'Run gpupdate /force on this computer, then the diagnostics again.',
      ],
      command: commands.join('; '),
    },
  };
}

function findingsFor(policy: PolicyFacts): Finding[] {
  const findings: Finding[] = [];
  const restrict = policy.restrictDriverInstallationToAdministrators;
  const adminOnly = restrict !== 0;
  const servers = approvedServers(policy);

  if (!adminOnly && servers.length === 0) {
    const trusted =
      policy.restricted === 1 && policy.trustedServers === 1 && policy.serverList !== null
        ? ' The "Point and Print Restrictions" server list limits where drivers can come from, but Microsoft notes that no combination of settings is as safe as allowing administrators only.'
        : '';
    findings.push({
      summary:
        'Users who are not administrators can install printer drivers (RestrictDriverInstallationToAdministrators = 0).',
      detail: `This lifts the protection Windows has had since August 2021: a print server, or anything pretending to be one, can install a driver that runs with full system rights. Microsoft advises 0 only temporarily, and only together with package Point and Print limited to approved servers.${trusted}`,
      fix: {
        title: 'Limit driver installation to administrators again',
        steps: [
          'IT: in Group Policy, set Computer Configuration > Administrative Templates > Printers > "Limits print driver installation to Administrators" to Enabled.',
          'Install the drivers people need in advance (package-aware, from the print server, Intune or Group Policy), or, if users must install them, enable "Package Point and print - Approved servers" with your print servers listed.',
        ],
        command: `Set-ItemProperty -Path '${POLICY_KEY}' -Name RestrictDriverInstallationToAdministrators -Value 1 -Type DWord`,
      },
    });
  }

  const prompts = promptsFinding(policy, adminOnly);
  if (prompts !== null) findings.push(prompts);

  if (policy.rpcAuthnLevelPrivacyEnabled === 0) {
    findings.push({
      summary:
        'RPC privacy for printing is turned off (RpcAuthnLevelPrivacyEnabled = 0), a workaround for error 0x0000011b that lowers security.',
      detail:
        "The value was a common workaround for 0x0000011b when connecting to shared printers after the 2021 updates. It lets this computer's Print Spooler accept printer connections without RPC packet privacy (CVE-2021-1678), which matters when it shares printers with other computers. The lasting fix for 0x0000011b is current Windows updates on the print server and on every computer that prints through it.",
      fix: {
        title: 'Turn RPC privacy for printing back on',
        steps: [
          'Make sure this computer and the computers that print through it have current Windows updates.',
          'IT: set RpcAuthnLevelPrivacyEnabled to 1 (or delete it) and restart the Print Spooler.',
        ],
        command: `Set-ItemProperty -Path '${PRINT_KEY}' -Name RpcAuthnLevelPrivacyEnabled -Value 1 -Type DWord; Restart-Service Spooler -Force`,
      },
    });
  }
  return findings;
}

function evidenceFor(policy: PolicyFacts): Evidence[] {
  const evidence: Evidence[] = [
    {
      label: 'RestrictDriverInstallationToAdministrators',
      value: policy.restrictDriverInstallationToAdministrators,
    },
    { label: 'NoWarningNoElevationOnInstall', value: policy.noWarningNoElevationOnInstall },
    { label: 'UpdatePromptSettings', value: policy.updatePromptSettings },
    { label: 'Restricted', value: policy.restricted },
    { label: 'TrustedServers', value: policy.trustedServers },
    // Server names identify the organisation's machines.
    { label: 'ServerList', value: policy.serverList, sensitive: 'device.identifiers' },
  ];
  if (policy.inForest !== undefined) evidence.push({ label: 'InForest', value: policy.inForest });
  if (policy.packagePointAndPrintOnly !== undefined) {
    evidence.push({ label: 'PackagePointAndPrintOnly', value: policy.packagePointAndPrintOnly });
  }
  if (policy.packagePointAndPrintServerList !== undefined) {
    evidence.push({
      label: 'PackagePointAndPrintServerList',
      value: policy.packagePointAndPrintServerList,
    });
  }
  if (policy.packagePointAndPrintServers !== undefined) {
    evidence.push({
      label: 'Approved package Point and Print servers',
      value:
        policy.packagePointAndPrintServers === null
          ? null
          : [...policy.packagePointAndPrintServers],
      sensitive: 'device.identifiers',
    });
  }
  evidence.push({
    label: 'RpcAuthnLevelPrivacyEnabled',
    value: policy.rpcAuthnLevelPrivacyEnabled,
  });
  return evidence;
}

function passOutcome(policy: PolicyFacts, evidence: Evidence[]): CheckOutcome {
  const restrict = policy.restrictDriverInstallationToAdministrators;
  if (restrict === 0) {
    const servers = approvedServers(policy);
    return {
      status: 'pass',
      summary: `Users can install printer drivers, but only package-aware drivers from ${servers.length === 1 ? 'the approved print server' : `${servers.length} approved print servers`}.`,
      details:
        'RestrictDriverInstallationToAdministrators is 0, combined with "Package Point and print - Approved servers": Windows checks the signature of every driver package it takes from those servers. Keep the list to your own print servers.' +
        (policy.packagePointAndPrintOnly === 1
          ? ''
          : ' Enabling "Only use Package Point and print" as well stops fallbacks to older, non-package drivers.'),
      evidence,
    };
  }
  const allAbsent =
    restrict === null &&
    policy.noWarningNoElevationOnInstall === null &&
    policy.updatePromptSettings === null &&
    policy.rpcAuthnLevelPrivacyEnabled === null;
  return {
    status: 'pass',
    summary: allAbsent
      ? 'Point and Print uses the secure defaults: only administrators can install printer drivers.'
      : 'Only administrators can install printer drivers, the secure setting.',
    details: allAbsent
      ? `No Point and Print policy is set on this computer, so Windows uses its secure defaults. ${ADMIN_ONLY}`
      : ADMIN_ONLY,
    evidence,
  };
}

/** The outcome for a Point and Print policy. */
export function pointAndPrintOutcome(policy: PolicyFacts): CheckOutcome {
  const evidence = evidenceFor(policy);
  const findings = findingsFor(policy);
  const [first] = findings;
  if (first === undefined) return passOutcome(policy, evidence);
  const adminOnly = policy.restrictDriverInstallationToAdministrators !== 0;
  return {
    status: 'warn',
    summary:
      findings.length === 1
        ? first.summary
        : `${findings.length} Point and Print settings weaken printer driver security.`,
    details: [
      ...findings.map((finding) => finding.detail),
      ...(adminOnly ? [ADMIN_ONLY] : []),
    ].join('\n\n'),
    evidence,
    fixes: findings.map((finding) => finding.fix),
  };
}

export const pointAndPrintCheck: SystemCheck = {
  id: 'windows-point-and-print',
  title: 'Point and Print policy',
  description:
    'Reads the Point and Print and RPC privacy settings introduced after PrintNightmare and explains what they mean for installing and updating printer drivers.',
  os: ['win32'],
  scope: 'system',
  network: false,
  async run(context) {
    const found = windowsSource(context);
    if ('skip' in found) return [found.skip];
    const policy: PolicyFacts = await found.source.pointAndPrintPolicy({ signal: context.signal });
    return [pointAndPrintOutcome(policy)];
  },
};

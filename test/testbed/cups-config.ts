/**
 * Configuration of a private cupsd whose every path lies inside one directory
 * (reference: /work/shared/reference/printing.md §1).
 */
import { join } from 'node:path';

export interface CupsdLayout {
  readonly dir: string;
  readonly port: number;
  readonly socket: string;
  /** cupsd's run-as identity: `lp`/`lp` when started as root, else the current uid/gid. */
  readonly user: string;
  readonly group: string;
  readonly logLevel: CupsLogLevel;
}

/** `info` at least: the test bed reads job outcomes and queue readiness from the ErrorLog. */
export type CupsLogLevel = 'info' | 'debug';

/** Directories cupsd expects to exist before it starts (it refuses missing ones). */
export function cupsdDirectories(dir: string): readonly string[] {
  return [
    join(dir, 'spool'),
    join(dir, 'spool', 'tmp'),
    join(dir, 'cache'),
    join(dir, 'state'),
    join(dir, 'log'),
    join(dir, 'ppd'),
  ];
}

export function cupsFilesConf(layout: CupsdLayout): string {
  const { dir } = layout;
  return [
    `ServerRoot ${dir}`,
    `RequestRoot ${join(dir, 'spool')}`,
    `TempDir ${join(dir, 'spool', 'tmp')}`,
    `CacheDir ${join(dir, 'cache')}`,
    `StateDir ${join(dir, 'state')}`,
    // Defaults to /run/cups/printcap, which would clobber the host's.
    `Printcap ${join(dir, 'printcap')}`,
    `ErrorLog ${join(dir, 'log', 'error_log')}`,
    `AccessLog ${join(dir, 'log', 'access_log')}`,
    `PageLog ${join(dir, 'log', 'page_log')}`,
    'ServerBin /usr/lib/cups',
    'DataDir /usr/share/cups',
    `User ${layout.user}`,
    `Group ${layout.group}`,
    // Only consulted for @SYSTEM, which the open policy below never asks for; it must name an
    // existing group that differs from Group, and root always exists. No `Sandboxing Off`:
    // as root that is a fatal configuration error.
    'SystemGroup root',
    '',
  ].join('\n');
}

export function cupsdConf(layout: CupsdLayout): string {
  return [
    `LogLevel ${layout.logLevel}`,
    'MaxLogSize 0',
    `Listen 127.0.0.1:${layout.port}`,
    `Listen ${layout.socket}`,
    'Browsing No',
    'WebInterface No',
    // Without it cupsd exits after 60 s without clients, in the middle of a slow test file.
    'IdleExitTimeout 0',
    // Debian's shipped setting: a job to an unreachable device is retried instead of stopping
    // the queue, which is what a customer's machine shows.
    'ErrorPolicy retry-job',
    'DefaultAuthType None',
    '<Location />',
    '  Order deny,allow',
    '</Location>',
    '<Policy default>',
    // Job names and owners visible to everyone: tests read them back over IPP.
    '  JobPrivateAccess all',
    '  JobPrivateValues none',
    '  SubscriptionPrivateAccess all',
    '  SubscriptionPrivateValues none',
    // Open policy: lpadmin, cupsdisable, cancel and lp work without authentication.
    '  <Limit All>',
    '    Order deny,allow',
    '  </Limit>',
    '</Policy>',
    '',
  ].join('\n');
}

/**
 * An empty Community turns off the SNMP supply query of the ipp backend. On loopback nothing
 * answers SNMP, and for a classic-PPD queue the backend would wait 2 s per query, twice, on every
 * job (IPP Everywhere PPDs already say `cupsSNMPSupplies: False`). Backends read it from
 * ServerRoot, so the host's /etc/cups/snmp.conf is not involved.
 */
export const SNMP_CONF = '# Written by the Printo Help test bed: no SNMP on loopback.\nCommunity\n';

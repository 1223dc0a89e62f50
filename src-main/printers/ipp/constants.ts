/**
 * IPP wire constants: RFC 8010 §3.5 (tags), RFC 8011 §5.4.15 / §4 (operations), §B (status
 * codes), and the CUPS operations of the CUPS Implementation of IPP document.
 */

/** Delimiter tags, 0x00–0x0F: they start an attribute group or end the attribute section. */
export const DelimiterTag = {
  operation: 0x01,
  job: 0x02,
  endOfAttributes: 0x03,
  printer: 0x04,
  unsupported: 0x05,
  subscription: 0x06,
  eventNotification: 0x07,
  resource: 0x08,
  document: 0x09,
  system: 0x0a,
} as const;
export type GroupName = Exclude<keyof typeof DelimiterTag, 'endOfAttributes'>;

export const GROUP_BY_TAG: ReadonlyMap<number, GroupName> = new Map(
  Object.entries(DelimiterTag)
    .filter(([name]) => name !== 'endOfAttributes')
    .map(([name, tag]) => [tag, name as GroupName]),
);

/** Value tags, 0x10–0xFF. 0x7F is the extension tag (a 4-byte tag follows in the value). */
export const ValueTag = {
  unsupported: 0x10,
  unknown: 0x12,
  noValue: 0x13,
  notSettable: 0x15,
  deleteAttribute: 0x16,
  adminDefine: 0x17,
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  textWithoutLanguage: 0x41,
  nameWithoutLanguage: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
  extension: 0x7f,
} as const;

export const Operation = {
  'Print-Job': 0x0002,
  'Print-URI': 0x0003,
  'Validate-Job': 0x0004,
  'Create-Job': 0x0005,
  'Send-Document': 0x0006,
  'Send-URI': 0x0007,
  'Cancel-Job': 0x0008,
  'Get-Job-Attributes': 0x0009,
  'Get-Jobs': 0x000a,
  'Get-Printer-Attributes': 0x000b,
  'Hold-Job': 0x000c,
  'Release-Job': 0x000d,
  'Restart-Job': 0x000e,
  'Pause-Printer': 0x0010,
  'Resume-Printer': 0x0011,
  'Purge-Jobs': 0x0012,
  'Set-Printer-Attributes': 0x0013,
  'Set-Job-Attributes': 0x0014,
  'Get-Printer-Supported-Values': 0x0015,
  'Create-Printer-Subscriptions': 0x0016,
  'Create-Job-Subscriptions': 0x0017,
  'Get-Subscription-Attributes': 0x0018,
  'Get-Subscriptions': 0x0019,
  'Renew-Subscription': 0x001a,
  'Cancel-Subscription': 0x001b,
  'Get-Notifications': 0x001c,
  'Enable-Printer': 0x0022,
  'Disable-Printer': 0x0023,
  'Hold-New-Jobs': 0x0025,
  'Release-Held-New-Jobs': 0x0026,
  'Cancel-Jobs': 0x0038,
  'Cancel-My-Jobs': 0x0039,
  'Close-Job': 0x003b,
  'Identify-Printer': 0x003c,
  'CUPS-Get-Default': 0x4001,
  'CUPS-Get-Printers': 0x4002,
  'CUPS-Add-Modify-Printer': 0x4003,
  'CUPS-Delete-Printer': 0x4004,
  'CUPS-Get-Classes': 0x4005,
  'CUPS-Add-Modify-Class': 0x4006,
  'CUPS-Delete-Class': 0x4007,
  'CUPS-Accept-Jobs': 0x4008,
  'CUPS-Reject-Jobs': 0x4009,
  'CUPS-Set-Default': 0x400a,
  'CUPS-Get-Devices': 0x400b,
  'CUPS-Get-PPDs': 0x400c,
  'CUPS-Move-Job': 0x400d,
  'CUPS-Authenticate-Job': 0x400e,
  'CUPS-Get-PPD': 0x400f,
  'CUPS-Get-Document': 0x4027,
} as const;
export type OperationName = keyof typeof Operation;

export const StatusCode = {
  'successful-ok': 0x0000,
  'successful-ok-ignored-or-substituted-attributes': 0x0001,
  'successful-ok-conflicting-attributes': 0x0002,
  'successful-ok-ignored-subscriptions': 0x0003,
  'successful-ok-too-many-events': 0x0005,
  'successful-ok-events-complete': 0x0007,
  'client-error-bad-request': 0x0400,
  'client-error-forbidden': 0x0401,
  'client-error-not-authenticated': 0x0402,
  'client-error-not-authorized': 0x0403,
  'client-error-not-possible': 0x0404,
  'client-error-timeout': 0x0405,
  'client-error-not-found': 0x0406,
  'client-error-gone': 0x0407,
  'client-error-request-entity-too-large': 0x0408,
  'client-error-request-value-too-long': 0x0409,
  'client-error-document-format-not-supported': 0x040a,
  'client-error-attributes-or-values-not-supported': 0x040b,
  'client-error-uri-scheme-not-supported': 0x040c,
  'client-error-charset-not-supported': 0x040d,
  'client-error-conflicting-attributes': 0x040e,
  'client-error-compression-not-supported': 0x040f,
  'client-error-compression-error': 0x0410,
  'client-error-document-format-error': 0x0411,
  'client-error-document-access-error': 0x0412,
  'client-error-attributes-not-settable': 0x0413,
  'client-error-ignored-all-subscriptions': 0x0414,
  'client-error-too-many-subscriptions': 0x0415,
  'client-error-document-password-error': 0x0418,
  'client-error-document-permission-error': 0x0419,
  'client-error-document-security-error': 0x041a,
  'client-error-document-unprintable-error': 0x041b,
  'client-error-account-info-needed': 0x041c,
  'client-error-account-closed': 0x041d,
  'client-error-account-limit-reached': 0x041e,
  'client-error-account-authorization-failed': 0x041f,
  'client-error-not-fetchable': 0x0420,
  'server-error-internal-error': 0x0500,
  'server-error-operation-not-supported': 0x0501,
  'server-error-service-unavailable': 0x0502,
  'server-error-version-not-supported': 0x0503,
  'server-error-device-error': 0x0504,
  'server-error-temporary-error': 0x0505,
  'server-error-not-accepting-jobs': 0x0506,
  'server-error-busy': 0x0507,
  'server-error-job-canceled': 0x0508,
  'server-error-multiple-document-jobs-not-supported': 0x0509,
  'server-error-printer-is-deactivated': 0x050a,
  'server-error-too-many-jobs': 0x050b,
  'server-error-too-many-documents': 0x050c,
} as const;

const STATUS_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(StatusCode).map(([name, code]) => [code, name]),
);

/** `0x0406` → `client-error-not-found`; unregistered codes keep their class and hex value. */
export function statusName(code: number): string {
  const known = STATUS_NAMES.get(code);
  if (known !== undefined) return known;
  const hex = `0x${code.toString(16).padStart(4, '0')}`;
  if (code < 0x0100) return `successful-${hex}`;
  if (code >= 0x0400 && code < 0x0500) return `client-error-${hex}`;
  if (code >= 0x0500 && code < 0x0600) return `server-error-${hex}`;
  return `status-${hex}`;
}

export function isSuccessStatus(code: number): boolean {
  return code < 0x0100;
}

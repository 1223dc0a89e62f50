import type { DiagnosticsReport, Evidence, SensitiveScope } from '../model/diagnostics.ts';

/**
 * The shareable form of a diagnostics report for the consent scopes an agent holds
 * (ARCHITECTURE.md, Consent): serial numbers, IP addresses and host names only with
 * `device.identifiers`; document names and owners only with `jobs.metadata`.
 *
 * Two layers, because a value can leak through text as well as through its own field:
 * 1. every value a check marked sensitive (and the host name) is replaced wherever it appears,
 *    in evidence, summaries, details and fix steps alike;
 * 2. without `device.identifiers`, anything shaped like an IP address, a MAC address or the host
 *    of a URI is replaced too, so an address a check forgot to mark does not get through.
 */
export const REDACTED = {
  'device.identifiers': '[device identifier]',
  'jobs.metadata': '[job details]',
} as const satisfies Record<SensitiveScope, string>;

interface Secret {
  readonly value: string;
  readonly replacement: string;
}

const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
// Full and compressed IPv6 forms (at least two groups and a "::", or eight groups).
const IPV6 =
  /(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])|(?<![\w:])(?:[0-9a-f]{1,4}:){0,6}(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{0,4}(?![\w:])/gi;
const MAC = /\b[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}\b/gi;
// scheme://host[:port] → keep the scheme and port, drop the host.
const URI_HOST = /\b([a-z][a-z0-9+.-]*:\/\/)(\[[^\]]+\]|[^/\s:@\]]+)/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function secretsOf(report: DiagnosticsReport, allowed: ReadonlySet<SensitiveScope>): Secret[] {
  const found = new Map<string, string>();
  const add = (value: string, scope: SensitiveScope): void => {
    const trimmed = value.trim();
    if (trimmed === '' || allowed.has(scope)) return;
    found.set(trimmed, REDACTED[scope]);
  };
  add(report.host.name, 'device.identifiers');
  for (const result of report.results) {
    for (const evidence of result.evidence) {
      if (evidence.sensitive === undefined) continue;
      const values = Array.isArray(evidence.value) ? evidence.value : [evidence.value];
      for (const value of values) {
        if (typeof value === 'string') add(value, evidence.sensitive);
      }
    }
  }
  // Longest first, so that "printer.example.com" goes before "printer".
  return [...found.entries()]
    .map(([value, replacement]) => ({ value, replacement }))
    .sort((a, b) => b.value.length - a.value.length);
}

function scrubber(secrets: readonly Secret[], allowIdentifiers: boolean): (text: string) => string {
  // Very short values ("lp", "a") are only replaced as whole strings: as substrings they would
  // eat ordinary words.
  const patterns = secrets
    .filter((s) => s.value.length >= 3)
    .map((s) => {
      const body = escapeRegExp(s.value);
      const start = /^\w/.test(s.value) ? '(?<![\\w])' : '';
      const end = /\w$/.test(s.value) ? '(?![\\w])' : '';
      return { pattern: new RegExp(`${start}${body}${end}`, 'g'), replacement: s.replacement };
    });
  const exact = new Map(secrets.map((s) => [s.value, s.replacement]));
  return (text) => {
    const whole = exact.get(text.trim());
    if (whole !== undefined) return whole;
    let out = text;
    for (const { pattern, replacement } of patterns) out = out.replace(pattern, replacement);
    if (!allowIdentifiers) {
      const id = REDACTED['device.identifiers'];
      out = out
        .replace(URI_HOST, (_match, scheme: string) => `${scheme}${id}`)
        .replace(IPV4, id)
        .replace(IPV6, (match) => (match.includes(':') && match.length > 2 ? id : match))
        .replace(MAC, id);
    }
    return out;
  };
}

function mapStrings<T>(value: T, scrub: (text: string) => string): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => mapStrings(item, scrub)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapStrings(item, scrub)]),
    ) as T;
  }
  return value;
}

export function shareableReport(
  report: DiagnosticsReport,
  scopes: readonly SensitiveScope[],
): DiagnosticsReport {
  const allowed = new Set(scopes);
  const allowIdentifiers = allowed.has('device.identifiers');
  const scrub = scrubber(secretsOf(report, allowed), allowIdentifiers);
  const results = report.results.map((result) => ({
    ...mapStrings(result, scrub),
    // Field names and ids are ours, not data: keep them exact.
    checkId: result.checkId,
    evidence: result.evidence.map((evidence): Evidence => ({
      ...mapStrings(evidence, scrub),
      label: evidence.label,
    })),
  }));
  return {
    ...report,
    host: {
      ...report.host,
      name: allowIdentifiers ? report.host.name : REDACTED['device.identifiers'],
      printService: {
        ...report.host.printService,
        endpoint: scrub(report.host.printService.endpoint),
      },
    },
    printers: report.printers.map((p) => ({
      ...p,
      name: scrub(p.name),
      summary: scrub(p.summary),
    })),
    results,
    sharing: { scopes: [...allowed].sort() },
  };
}

import type { DiagnosticsReport, Evidence, SensitiveScope } from '../model/diagnostics.ts';
import { REDACTED, mapStrings, textScrubber, type KnownValue } from './free-text.ts';

/**
 * The shareable form of a diagnostics report for the consent scopes an agent holds
 * (ARCHITECTURE.md, Consent): serial numbers, IP addresses and host names only with
 * `device.identifiers`; document names and owners only with `jobs.metadata`.
 *
 * Two layers, because a value can leak through text as well as through its own field:
 * 1. every value a check marked sensitive (and the host name) is replaced wherever it appears,
 *    in evidence, summaries, details and fix steps alike;
 * 2. without `device.identifiers`, anything shaped like an identifier (addresses, host names,
 *    URIs, serial numbers: free-text.ts) is replaced too — in supply names, state messages,
 *    evidence and fix titles alike — so one a check forgot to mark does not get through.
 */
export { REDACTED } from './free-text.ts';

function secretsOf(report: DiagnosticsReport, allowed: ReadonlySet<SensitiveScope>): KnownValue[] {
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
  return [...found.entries()].map(([value, replacement]) => ({ value, replacement }));
}

export function shareableReport(
  report: DiagnosticsReport,
  scopes: readonly SensitiveScope[],
): DiagnosticsReport {
  const allowed = new Set(scopes);
  const allowIdentifiers = allowed.has('device.identifiers');
  const scrub = textScrubber(secretsOf(report, allowed), allowIdentifiers);
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

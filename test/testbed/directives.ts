/** What a fake-print.sh job title (see fake-print.sh) should do to the queue it is printed on. */
import { DEVICE_REASON_KEYWORDS, stripSeverity } from './ipp-names.ts';
import type { JobState } from './ipp-names.ts';

export interface ExpectedEffect {
  /** Base keywords (no -report/-warning/-error) the queue's reasons must contain afterwards. */
  readonly present: readonly string[];
  /** Base keywords the queue's reasons must no longer contain. */
  readonly absent: readonly string[];
  /** Final job states to accept through CUPS. */
  readonly jobStates: readonly JobState[];
}

/**
 * Follows ippeveprinter's STATE: rules: `+a,b` adds, `-a,b` removes, a bare list (or `none`)
 * replaces all reasons. FAIL ends the job aborted on the device; through CUPS the job usually
 * ends canceled and sometimes completed (see Testbed.printAndWait).
 */
export function expectedEffect(directives: string): ExpectedEffect {
  const present = new Set<string>();
  const absent = new Set<string>();
  let fails = false;
  for (const raw of directives.split(';')) {
    const directive = raw.trim();
    if (/^FAIL(:\d+)?$/.test(directive)) fails = true;
    const state = /^STATE:\s*(.*)$/.exec(directive)?.[1]?.trim();
    if (state === undefined || state === '') continue;
    const mode = state.startsWith('+') ? 'add' : state.startsWith('-') ? 'remove' : 'replace';
    const keywords = state
      .replace(/^[+-]/, '')
      .split(',')
      .map((keyword) => stripSeverity(keyword.trim()))
      .filter((keyword) => keyword !== '' && keyword !== 'none');
    if (mode === 'replace') {
      present.clear();
      for (const keyword of DEVICE_REASON_KEYWORDS) absent.add(keyword);
    }
    for (const keyword of keywords) {
      if (mode === 'remove') {
        present.delete(keyword);
        absent.add(keyword);
      } else {
        absent.delete(keyword);
        present.add(keyword);
      }
    }
  }
  return {
    present: [...present],
    absent: [...absent],
    jobStates: fails ? ['aborted', 'canceled', 'completed'] : ['completed'],
  };
}

/**
 * Payment card numbers (PANs) in free text, masked before anything is stored, logged or
 * forwarded (PCI DSS v4 3.4.1: at most the first six and last four digits may be shown; 3.5.1:
 * no readable PAN at rest). The rule follows Zendesk's chat redaction: a run of 12–19 digits that
 * passes the Luhn check, written together or grouped with spaces or dashes.
 *
 * What counts as one candidate, and why:
 * - Digits are grouped by single separators: a space, a no-break or thin space, or a dash
 *   (ASCII, hyphen or en dash), as people type and paste card numbers (`4111 1111 1111 1111`,
 *   `3782-822463-10005`). Anything else (`.`, `/`, `:`, `,`, letters, two spaces) ends a run, so
 *   IP addresses, dates, times and version numbers never reach 12 digits.
 * - A candidate is one group of 12–19 digits, or consecutive groups of at least 3 digits each
 *   that add up to 12–19 digits. Groups of 1–2 digits are dates, times and list numbers
 *   (`2024-01-15 1234`), not card groupings, so they split a run.
 * - A single unbroken group longer than 19 digits is some other identifier: left alone, and no
 *   part of it is masked.
 * - A run right after `+` is an international phone number (`+44 20 7946 0958`): left alone.
 *   A run glued to letters (`Visa4111111111111111`) is still masked: a missed card number is a
 *   compliance failure, a masked serial number only a question to ask again.
 * - In a longer run of groups (`4111 1111 1111 1111 2025`), the longest Luhn-valid span wins,
 *   then the leftmost; the rest of the run is searched again. Such a part must have at least 15
 *   digits (Amex, 16- and 19-digit cards): a 12-digit slice of a long ticket number
 *   (`1234 5678 9012 3456`) passes Luhn one time in ten by chance.
 *
 * The masked form is written without grouping (`411111******1111`): it reads the same however the
 * number was typed and makes the shown prefix and suffix obvious. At least six digits are always
 * masked: 16–19-digit numbers show the first 6 and last 4 exactly as PCI allows; shorter ones
 * (Amex 15, Diners 14, 12–13) show fewer leading digits so that what remains is not guessable
 * from the Luhn check alone (a 12-digit number with only 2 hidden digits has 10 candidates).
 */

export interface CardRedaction {
  /** The text with every card number masked. */
  readonly text: string;
  /** True when at least one card number was masked. */
  readonly redacted: boolean;
  /** How many card numbers were masked. */
  readonly count: number;
}

export const MIN_PAN_DIGITS = 12;
export const MAX_PAN_DIGITS = 19;
/** A part of a longer run of groups needs at least this many digits. */
const MIN_PART_DIGITS = 15;
/** Groups shorter than this split a run (dates, times, list numbers). */
const MIN_GROUP_DIGITS = 3;
/** Never fewer digits hidden than this, whatever the length. */
const MIN_MASKED_DIGITS = 6;
export const MASK_CHAR = '*';

// Space, no-break space, thin space, narrow no-break space; hyphen-minus, hyphen, non-breaking
// hyphen, en dash.
const SEPARATOR = '[ \\u00A0\\u2009\\u202F\\-\\u2010\\u2011\\u2013]';
const RUN = new RegExp(`\\d+(?:${SEPARATOR}\\d+)*`, 'g');

/** The Luhn (mod 10) check on a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** `4111111111111111` → `411111******1111` (see the module comment for shorter numbers). */
export function maskPan(digits: string): string {
  const last = 4;
  const first = Math.max(0, Math.min(6, digits.length - last - MIN_MASKED_DIGITS));
  return (
    digits.slice(0, first) +
    MASK_CHAR.repeat(digits.length - first - last) +
    digits.slice(digits.length - last)
  );
}

interface Group {
  readonly start: number;
  readonly end: number;
  readonly digits: string;
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly digits: string;
}

function isPan(digits: string): boolean {
  return digits.length >= MIN_PAN_DIGITS && digits.length <= MAX_PAN_DIGITS && luhnValid(digits);
}

/** The best candidate among consecutive groups: longest Luhn-valid span, then leftmost. */
function bestSpan(
  groups: readonly Group[],
  isWholeRun: boolean,
): { span: Span; from: number; to: number } | null {
  let best: { span: Span; from: number; to: number } | null = null;
  for (let from = 0; from < groups.length; from += 1) {
    let digits = '';
    for (let to = from; to < groups.length; to += 1) {
      const group = groups[to];
      if (group === undefined) break;
      digits += group.digits;
      if (digits.length > MAX_PAN_DIGITS) break;
      const whole = isWholeRun && from === 0 && to === groups.length - 1;
      if (!whole && digits.length < MIN_PART_DIGITS) continue;
      if (!isPan(digits)) continue;
      if (best === null || digits.length > best.span.digits.length) {
        const first = groups[from];
        if (first === undefined) break;
        best = { span: { start: first.start, end: group.end, digits }, from, to };
      }
    }
  }
  return best;
}

function spansIn(groups: readonly Group[], out: Span[], isWholeRun: boolean): void {
  if (groups.length === 0) return;
  const best = bestSpan(groups, isWholeRun);
  if (best === null) return;
  spansIn(groups.slice(0, best.from), out, false);
  out.push(best.span);
  spansIn(groups.slice(best.to + 1), out, false);
}

function candidatesInRun(run: string, offset: number): Span[] {
  const groups: Group[] = [];
  for (const match of run.matchAll(/\d+/g)) {
    groups.push({
      start: offset + match.index,
      end: offset + match.index + match[0].length,
      digits: match[0],
    });
  }
  const spans: Span[] = [];
  // Short groups split the run into segments; a long single group is a candidate on its own.
  let segment: Group[] = [];
  const flush = (): void => {
    spansIn(segment, spans, true);
    segment = [];
  };
  for (const group of groups) {
    if (group.digits.length > MAX_PAN_DIGITS) {
      flush();
    } else if (group.digits.length < MIN_GROUP_DIGITS) {
      flush();
    } else if (group.digits.length >= MIN_PAN_DIGITS) {
      // A whole card number typed in one piece is not joined with its neighbours.
      flush();
      if (isPan(group.digits)) spans.push(group);
    } else {
      segment.push(group);
    }
  }
  flush();
  return spans;
}

/** Masks every payment card number in `text`; everything else is returned unchanged. */
export function redactCardNumbers(text: string): CardRedaction {
  const spans: Span[] = [];
  for (const match of text.matchAll(RUN)) {
    const start = match.index;
    if (text[start - 1] === '+') continue;
    spans.push(...candidatesInRun(match[0], start));
  }
  if (spans.length === 0) return { text, redacted: false, count: 0 };
  spans.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + maskPan(span.digits);
    at = span.end;
  }
  out += text.slice(at);
  return { text: out, redacted: true, count: spans.length };
}

/**
 * Every string inside a JSON value with its card numbers masked, except under the keys in
 * `keep` (identifiers the protocol has already validated, such as UUIDs and tokens, which are
 * never free text and must stay exact). `redacted` says whether anything was masked.
 */
export function redactCardNumbersDeep<T>(
  value: T,
  keep: ReadonlySet<string>,
): { value: T; redacted: boolean } {
  // An object, not a `let`: the walk below sets it from inside a closure.
  const found = { redacted: false };
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') {
      const result = redactCardNumbers(item);
      if (result.redacted) found.redacted = true;
      return result.text;
    }
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(item))
        out[key] = keep.has(key) ? child : walk(child);
      return out;
    }
    return item;
  };
  const out = walk(value) as T;
  return { value: found.redacted ? out : value, redacted: found.redacted };
}

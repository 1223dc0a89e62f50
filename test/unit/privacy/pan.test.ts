import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luhnValid, maskPan, redactCardNumbers } from '../../../src-shared/privacy/pan.ts';

// Published test numbers of the card schemes (no real accounts).
const TEST_PANS = {
  visa: '4111111111111111',
  visa13: '4222222222222',
  visa19: '4917610000000000003',
  mastercard: '5555555555554444',
  mastercard2series: '2223003122003222',
  amex: '378282246310005',
  diners: '30569309025904',
  discover: '6011111111111117',
  jcb: '3566002020360505',
  maestro: '6759649826438453',
  maestro19: '6799990100000000019',
  unionpay19: '6205500000000000004',
} as const;

const digitsOnly = (text: string): string => text.replace(/\D/g, '');

describe('luhnValid', () => {
  it.each(Object.entries(TEST_PANS))('accepts the %s test number', (_name, pan) => {
    expect(luhnValid(pan)).toBe(true);
  });

  it('rejects a single changed digit and non-digits', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('4111 1111 1111 1111')).toBe(false);
    expect(luhnValid('')).toBe(false);
  });

  it('catches every single-digit change of a valid number', () => {
    const pan = TEST_PANS.mastercard;
    for (let i = 0; i < pan.length; i += 1) {
      for (let d = 0; d <= 9; d += 1) {
        const changed = pan.slice(0, i) + String(d) + pan.slice(i + 1);
        if (changed !== pan) expect(luhnValid(changed)).toBe(false);
      }
    }
  });
});

describe('maskPan', () => {
  it('shows the first 6 and last 4 of 16–19-digit numbers', () => {
    expect(maskPan(TEST_PANS.visa)).toBe('411111******1111');
    expect(maskPan(TEST_PANS.maestro19)).toBe('679999*********0019');
  });

  it('always hides at least six digits of shorter numbers', () => {
    expect(maskPan(TEST_PANS.amex)).toBe('37828******0005');
    expect(maskPan(TEST_PANS.diners)).toBe('3056******5904');
    expect(maskPan(TEST_PANS.visa13)).toBe('422******2222');
    expect(maskPan('411111111119')).toBe('41******1119');
  });
});

describe('redactCardNumbers', () => {
  it.each(Object.entries(TEST_PANS))('masks the %s test number written together', (_n, pan) => {
    const result = redactCardNumbers(`my card is ${pan} thanks`);
    expect(result).toEqual({ text: `my card is ${maskPan(pan)} thanks`, redacted: true, count: 1 });
    expect(result.text).not.toContain(pan);
  });

  it.each([
    ['4111 1111 1111 1111', '411111******1111'],
    ['4111-1111-1111-1111', '411111******1111'],
    ['5555\u00A05555\u00A05555\u00A04444', '555555******4444'],
    ['5555\u20135555\u20135555\u20134444', '555555******4444'],
    ['3782 822463 10005', '37828******0005'],
    ['3056 930902 5904', '3056******5904'],
    ['6799 9901 0000 0000 019', '679999*********0019'],
    ['4111 1111-1111 1111', '411111******1111'],
  ])('masks a grouped number %j without its grouping', (grouped, masked) => {
    expect(redactCardNumbers(`card: ${grouped}.`)).toEqual({
      text: `card: ${masked}.`,
      redacted: true,
      count: 1,
    });
  });

  it('masks several numbers and counts them', () => {
    const result = redactCardNumbers(
      `old ${TEST_PANS.visa}, new 5555 5555 5555 4444; or Amex ${TEST_PANS.amex}`,
    );
    expect(result).toEqual({
      text: 'old 411111******1111, new 555555******4444; or Amex 37828******0005',
      redacted: true,
      count: 3,
    });
  });

  it('masks a number next to an expiry date and a security code, leaving them alone', () => {
    expect(redactCardNumbers('4111 1111 1111 1111 12/27 123').text).toBe(
      '411111******1111 12/27 123',
    );
    // A trailing year written as a group: the longest Luhn-valid span is the card number.
    expect(redactCardNumbers('4111 1111 1111 1111 2027').text).toBe('411111******1111 2027');
  });

  it('finds the card number inside a longer run of groups', () => {
    expect(redactCardNumbers('ref 12 4111 1111 1111 1111').text).toBe('ref 12 411111******1111');
    expect(redactCardNumbers('order 123 4111111111111111').text).toBe('order 123 411111******1111');
  });

  it('masks a 12-digit number when it is the whole run', () => {
    // 411111111117 passes Luhn; as the whole grouped run it is a candidate.
    expect(redactCardNumbers('4111 1111 1117').text).toBe('41******1117');
  });

  it('masks a number glued to letters (a missed card number is worse than a masked id)', () => {
    expect(redactCardNumbers('Visa4111111111111111!').text).toBe('Visa411111******1111!');
  });

  it('is idempotent: masked text is left as it is', () => {
    const once = redactCardNumbers(`a ${TEST_PANS.visa} b ${TEST_PANS.amex}`);
    expect(redactCardNumbers(once.text)).toEqual({ text: once.text, redacted: false, count: 0 });
  });

  it.each([
    ['a phone number', 'call me on 0151 2345 6789 or 555-123-4567'],
    ['an international phone number', 'mobile +44 7911 123456 789'],
    ['an E.164 number that passes Luhn', '+4111111111111111'],
    ['an order number failing Luhn', 'order 4111111111111112 is stuck'],
    ['a grouped number failing Luhn', 'ticket 1234 5678 9012 3456'],
    ['an ISO date and time', 'since 2024-01-15 10:30:00 and 2025-12-31'],
    ['a date with a time in digits', 'job 2024-01-15 1234 failed'],
    ['IPv4 addresses', '192.168.100.200 and 10.0.0.1:631'],
    ['a version string', 'driver 6.4.1234.5678 build 20240115'],
    ['too short', '41111111111 (11 digits)'],
    ['a run longer than 19 digits', 'token 41111111111111110000 and 411111111111111111111111'],
    ['a Luhn-valid 20-digit run', `id ${TEST_PANS.visa}0000`],
    ['amounts', 'invoice 1,234,567,890.12 EUR'],
    ['a UUID', 'session 550e8400-e29b-41d4-a716-446655440000'],
    ['a 12-digit Luhn-valid slice of a longer grouped number', 'ticket 4111 1111 1117 2346'],
    ['digit pairs', 'ports 41 11 11 11 11 11 11 11'],
    ['empty text', ''],
  ])('leaves %s alone', (_what, text) => {
    expect(redactCardNumbers(text)).toEqual({ text, redacted: false, count: 0 });
  });

  it('never leaves more than 10 digits of any card number readable (property)', () => {
    const pans = Object.values(TEST_PANS);
    fc.assert(
      fc.property(
        fc.constantFrom(...pans),
        fc.constantFrom(' ', '-', ''),
        fc.string({ maxLength: 20 }).map((s) => s.replace(/\d/g, '')),
        fc.string({ maxLength: 20 }).map((s) => s.replace(/[\d+]/g, '')),
        (pan, separator, before, after) => {
          const grouped = separator === '' ? pan : (pan.match(/.{1,4}/g) ?? []).join(separator);
          // Keep the last group at least 3 digits long, as card groupings are.
          const typed = /(?:^|\D)\d{1,2}$/.test(grouped) ? pan : grouped;
          const result = redactCardNumbers(`${before} ${typed} ${after}`);
          expect(result.count).toBe(1);
          // No digits around it: the only readable digits are the masked form's.
          expect(digitsOnly(result.text)).toBe(digitsOnly(maskPan(pan)));
          expect(result.text).toContain(maskPan(pan));
        },
      ),
    );
  });

  it('leaves text without a 12-digit candidate unchanged (property)', () => {
    const word = fc.stringMatching(/^[a-z.,:/]{1,8}$/);
    const shortNumber = fc.stringMatching(/^\d{1,11}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(word, shortNumber), { maxLength: 30 }), (parts) => {
        // Every number stands between words, so no run reaches 12 digits.
        const text = parts.map(([w, n]) => `${w} ${n}`).join(' x ');
        expect(redactCardNumbers(text)).toEqual({ text, redacted: false, count: 0 });
      }),
    );
  });
});

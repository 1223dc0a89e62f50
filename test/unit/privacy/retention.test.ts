import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETENTION,
  RETENTION_CATEGORIES,
  RETENTION_RULES,
  RetentionPeriodsSchema,
  expiresAt,
  expiryCutoff,
  isExpired,
  periodDays,
  retentionDaysSchema,
  retentionProblems,
} from '../../../src-shared/privacy/retention.ts';

const ended = new Date('2026-03-01T12:00:00.000Z');

describe('default periods', () => {
  it('are the documented ones', () => {
    expect(DEFAULT_RETENTION).toEqual({
      chatTranscriptDays: 90,
      diagnosticReportDays: 30,
      consentReceiptDays: 730,
      sessionMetadataDays: 730,
    });
    expect(Object.isFrozen(DEFAULT_RETENTION)).toBe(true);
  });

  it('are valid, within bounds, and each category says what and why', () => {
    expect(RetentionPeriodsSchema.parse(DEFAULT_RETENTION)).toEqual(DEFAULT_RETENTION);
    for (const category of RETENTION_CATEGORIES) {
      const rule = RETENTION_RULES[category];
      expect(rule.defaultDays).toBeLessThanOrEqual(rule.maxDays);
      expect(rule.what.length).toBeGreaterThan(10);
      expect(rule.why.length).toBeGreaterThan(40);
    }
  });

  it('fill in whatever a configuration leaves out', () => {
    expect(RetentionPeriodsSchema.parse({})).toEqual(DEFAULT_RETENTION);
    expect(RetentionPeriodsSchema.parse({ chatTranscriptDays: 30 })).toEqual({
      ...DEFAULT_RETENTION,
      chatTranscriptDays: 30,
    });
  });
});

describe('expiresAt / isExpired / expiryCutoff', () => {
  it('counts whole 24-hour days from the end', () => {
    expect(expiresAt('chatTranscript', ended).toISOString()).toBe('2026-05-30T12:00:00.000Z');
    expect(expiresAt('chatTranscript', ended, { chatTranscriptDays: 1 }).toISOString()).toBe(
      '2026-03-02T12:00:00.000Z',
    );
    expect(expiresAt('consentReceipt', '2026-03-01T12:00:00Z').toISOString()).toBe(
      '2028-02-29T12:00:00.000Z',
    );
  });

  it('is expired from the expiry instant on, not a millisecond before', () => {
    const periods = { chatTranscriptDays: 7 };
    const expiry = expiresAt('chatTranscript', ended, periods);
    expect(isExpired('chatTranscript', ended, new Date(expiry.getTime() - 1), periods)).toBe(false);
    expect(isExpired('chatTranscript', ended, expiry, periods)).toBe(true);
    expect(isExpired('chatTranscript', ended, new Date(expiry.getTime() + 1), periods)).toBe(true);
  });

  it('agrees with the cutoff a database query uses', () => {
    const periods = { ...DEFAULT_RETENTION, sessionMetadataDays: 365 };
    const now = new Date('2027-03-01T12:00:00.000Z');
    for (const category of RETENTION_CATEGORIES) {
      const cutoff = expiryCutoff(category, now, periods);
      expect(isExpired(category, cutoff, now, periods)).toBe(true);
      expect(isExpired(category, new Date(cutoff.getTime() + 1), now, periods)).toBe(false);
    }
  });

  it('ignores daylight-saving changes (the period is in UTC milliseconds)', () => {
    // Europe switched to summer time on 2026-03-29: still exactly 30 × 24 hours.
    const from = new Date('2026-03-15T00:30:00+01:00');
    expect(expiresAt('diagnosticReport', from).getTime() - from.getTime()).toBe(30 * 86_400_000);
  });

  it('accepts ISO strings with an offset and refuses invalid times', () => {
    expect(isExpired('chatTranscript', '2026-03-01T13:00:00+01:00', ended)).toBe(false);
    expect(() => expiresAt('chatTranscript', 'yesterday')).toThrow(/not a valid time/);
    expect(() => isExpired('chatTranscript', ended, new Date(Number.NaN))).toThrow(
      /now is not a valid time/,
    );
  });

  it('uses the default of a category the caller has no period for', () => {
    const relayPeriods = {
      chatTranscriptDays: 10,
      consentReceiptDays: 20,
      sessionMetadataDays: 30,
    };
    expect(periodDays('diagnosticReport', relayPeriods)).toBe(30);
    expect(periodDays('chatTranscript', relayPeriods)).toBe(10);
  });
});

describe('validation of configured periods', () => {
  it.each([
    [{ chatTranscriptDays: 0 }, 'chatTranscriptDays: chatTranscriptDays must be at least 1 day'],
    [{ chatTranscriptDays: -5 }, 'must be at least 1 day'],
    [{ chatTranscriptDays: 1.5 }, 'must be a whole number of days'],
    [{ chatTranscriptDays: '90' }, 'must be a number of days'],
    [{ chatTranscriptDays: 36500 }, 'must be at most 1095 days'],
    [{ diagnosticReportDays: 366 }, 'must be at most 365 days'],
    [{ consentReceiptDays: 3651, sessionMetadataDays: 3650 }, 'must be at most 3650 days'],
    [{ chatTranscriptDays: Number.POSITIVE_INFINITY }, 'chatTranscriptDays'],
    [{ chatTranscriptDays: 90, chatTranscriptDay: 30 }, 'chatTranscriptDay'],
  ])('refuses %j', (value, message) => {
    const problems = retentionProblems(value);
    expect(problems.join('\n')).toContain(message);
  });

  it('keeps the proof of consent at least as long as the transcript', () => {
    expect(retentionProblems({ chatTranscriptDays: 400, consentReceiptDays: 365 })).toEqual([
      'consentReceiptDays (365) must be at least chatTranscriptDays (400): the proof of consent must outlive the transcript',
    ]);
  });

  it('keeps a session row at least as long as its receipts', () => {
    expect(retentionProblems({ consentReceiptDays: 730, sessionMetadataDays: 365 })).toEqual([
      'sessionMetadataDays (365) must be at least consentReceiptDays (730): receipts are deleted with their session',
    ]);
  });

  it('accepts the bounds themselves', () => {
    expect(
      retentionProblems({
        chatTranscriptDays: 1,
        diagnosticReportDays: 365,
        consentReceiptDays: 1,
        sessionMetadataDays: 3650,
      }),
    ).toEqual([]);
    expect(retentionDaysSchema('chatTranscript').safeParse(1095).success).toBe(true);
    expect(retentionDaysSchema('chatTranscript').safeParse(1096).success).toBe(false);
  });

  it('refuses something that is not an object', () => {
    expect(retentionProblems('90 days')).not.toEqual([]);
    expect(retentionProblems(null)).not.toEqual([]);
  });
});

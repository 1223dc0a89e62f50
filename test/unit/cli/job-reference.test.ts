import { describe, expect, it } from 'vitest';
import { parseJobReference } from '../../../src-main/cli/printo-help.ts';

describe('naming a job on the command line', () => {
  it('accepts PRINTER JOB-ID and PRINTER-JOBID, queue names with dashes included', () => {
    expect(parseJobReference('Office', '12')).toEqual({ printer: 'Office', jobId: 12 });
    expect(parseJobReference('Office-12', undefined)).toEqual({ printer: 'Office', jobId: 12 });
    expect(parseJobReference('HP-LaserJet-4th-Floor-7', undefined)).toEqual({
      printer: 'HP-LaserJet-4th-Floor',
      jobId: 7,
    });
  });

  it('rejects what is not a job', () => {
    expect(() => parseJobReference('Office', 'twelve')).toThrow(/positive whole number/);
    expect(() => parseJobReference('Office', '0')).toThrow(/positive whole number/);
    expect(() => parseJobReference('Office', undefined)).toThrow(/PRINTER JOB-ID/);
  });
});

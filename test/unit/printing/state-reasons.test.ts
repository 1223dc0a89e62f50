import { describe, expect, it } from 'vitest';
import {
  normaliseReasons,
  reasonSeverity,
  splitReasonSuffix,
} from '../../../src-shared/printing/state-reasons.ts';

describe('state reason severity', () => {
  it('splits the -report / -warning / -error suffix', () => {
    expect(splitReasonSuffix('media-jam-warning')).toEqual(['media-jam', 'warning']);
    expect(splitReasonSuffix('toner-low-report')).toEqual(['toner-low', 'report']);
    expect(splitReasonSuffix('media-jam')).toEqual(['media-jam', null]);
    expect(splitReasonSuffix('-error')).toEqual(['-error', null]);
  });

  it('takes the stronger of suffix and keyword default, capped at warning unless stopped', () => {
    // ippeveprinter says -report while idle; a jam is still a problem worth a warning.
    expect(reasonSeverity('media-jam-report', 'idle')).toBe('warning');
    expect(reasonSeverity('media-jam-report', 'stopped')).toBe('error');
    expect(reasonSeverity('toner-low-report', 'stopped')).toBe('warning');
    expect(reasonSeverity('toner-low-error', 'stopped')).toBe('error');
    expect(reasonSeverity('cups-waiting-for-job-completed', 'processing')).toBe('report');
    expect(reasonSeverity('com.acme-fuser-cleaning', 'idle')).toBe('warning');
  });

  it('normalises a list: drops none and duplicates, keeps the raw keyword', () => {
    expect(normaliseReasons(['none'], 'idle')).toEqual([]);
    expect(normaliseReasons(['paused', 'media-empty-warning', 'paused'], 'stopped')).toEqual([
      { keyword: 'paused', raw: 'paused', severity: 'warning' },
      { keyword: 'media-empty', raw: 'media-empty-warning', severity: 'error' },
    ]);
  });
});

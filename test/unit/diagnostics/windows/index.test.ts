import { describe, expect, it } from 'vitest';
import { windowsChecks } from '../../../../src-main/diagnostics/windows/index.ts';

describe('windowsChecks', () => {
  it('are the Windows-only checks, with stable ids', () => {
    expect(windowsChecks.map((check) => [check.id, check.scope])).toEqual([
      ['windows-spooler', 'system'],
      ['windows-point-and-print', 'system'],
      ['windows-driver', 'printer'],
    ]);
    for (const check of windowsChecks) {
      expect(check.os).toEqual(['win32']);
      expect(check.network).toBe(false);
      expect(check.title).not.toBe('');
      expect(check.description).toMatch(/\.$/);
    }
  });
});

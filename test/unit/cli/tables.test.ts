/** printo-help's tables as a person sees them: fitted to the terminal, plain words. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWideWidths } from '../../../src-shared/text/table.ts';
import type { Job } from '../../../src-shared/model/job.ts';
import { normaliseReasons } from '../../../src-shared/printing/state-reasons.ts';
import { displayWidth } from '../../../src-shared/text/table.ts';
import { pagesText } from '../../../src-main/cli/format.ts';
import { fakeSystem, makePrinter, runWith } from './fake-system.ts';

// The Unicode width tables, as every command that draws a table loads them first.
beforeAll(loadWideWidths);

const job = (over: Partial<Job> & { id: number }): Job => ({
  printer: 'office',
  name: null,
  owner: 'alice',
  sizeBytes: 2048,
  pages: null,
  pagesCompleted: 0,
  state: 'pending',
  reasons: [],
  createdAt: '2026-03-01T09:30:00.000Z',
  processingAt: null,
  completedAt: null,
  ...over,
});

const system = fakeSystem(
  [
    makePrinter({
      name: 'office',
      isDefault: true,
      location: 'Second floor, next to the kitchen, east wing',
      driver: 'Acme LaserWriter 9000 Series PostScript, 2.4.1 (recommended)',
      reasons: normaliseReasons(['media-jam-warning', 'toner-low-report'], 'idle'),
      supplies: [
        { name: 'Black Toner', kind: 'toner', color: '#000000', level: 4, status: 'low' },
        { name: 'Toner Waste Tank', kind: 'waste', color: null, level: 25, status: 'ok' },
      ],
    }),
    makePrinter({
      name: '会議室のプリンター',
      location: '東京 本社 3階',
      state: 'processing',
      stateMessage: 'Idle.',
    }),
  ],
  [
    job({
      id: 12,
      name: '四半期報告書 📊 final version for the board meeting.pdf',
      state: 'processing',
      reasons: ['job-printing'],
      pagesCompleted: 3,
    }),
    job({ id: 13, name: 'payslips', state: 'pending-held', reasons: ['job-hold-until-specified'] }),
    job({
      id: 9,
      name: 'memo',
      state: 'completed',
      reasons: ['processing-to-stop-point'],
      pages: 4,
      pagesCompleted: 4,
    }),
  ],
);

function expectFits(text: string, columns: number): void {
  for (const line of text.split('\n')) {
    expect(line).toBe(line.trimEnd());
    expect(displayWidth(line)).toBeLessThanOrEqual(columns);
  }
}

describe('printo-help tables', () => {
  it.each([80, 60])('printers fits %i columns, wide characters included', async (columns) => {
    const run = await runWith(system, ['printers'], columns);
    expect(run.code).toBe(0);
    expectFits(run.stdout, columns);
    expect(run.stdout).toContain('会議室のプリンター');
  });

  it('printers: one status per printer, problems beside it, no stale "Idle." under Printing', async () => {
    const run = await runWith(system, ['printers']);
    const office = run.stdout.split('\n').find((line) => line.startsWith('office'));
    expect(office).toMatch(/office \(default\)\s+Paper jam\s+Toner low\s+0\s+Black Toner 4% low/);
    expect(run.stdout).not.toMatch(/Ready, /);
    expect(run.stdout).not.toContain('Idle.');
  });

  it.each([80, 60])(
    'jobs fits %i columns, states in plain words, pages filled',
    async (columns) => {
      const run = await runWith(system, ['jobs', '--all'], columns);
      expect(run.code).toBe(0);
      expectFits(run.stdout, columns);
      expect(run.stdout).not.toMatch(
        /job-hold-until-specified|processing-to-stop-point|job-printing/,
      );
      expect(run.stdout).toMatch(/13\s+office\s+Held/);
    },
  );

  it('jobs --json keeps the raw keywords', async () => {
    const run = await runWith(system, ['jobs', '--all', '--json']);
    expect(run.stdout).toContain('job-hold-until-specified');
  });

  it('PAGES: printed so far, and the total when known', () => {
    expect(pagesText({ pages: null, pagesCompleted: 3 })).toBe('3 printed');
    expect(pagesText({ pages: 4, pagesCompleted: 4 })).toBe('4 of 4');
    expect(pagesText({ pages: 10, pagesCompleted: 0 })).toBe('10');
    expect(pagesText({ pages: null, pagesCompleted: 0 })).toBe('');
  });
});

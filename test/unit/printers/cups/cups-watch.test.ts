import { describe, expect, it } from 'vitest';
import { changeFromEvent } from '../../../../src-main/printers/cups/cups-watch.ts';
import { IppAttributes } from '../../../../src-main/printers/ipp/attributes.ts';
import { attr } from '../../../../src-main/printers/ipp/client.ts';
import type { IppAttribute } from '../../../../src-main/printers/ipp/types.ts';

const AT = new Date('2026-03-01T09:00:00Z');
const event = (...attributes: IppAttribute[]) =>
  changeFromEvent(new IppAttributes({ tag: 'eventNotification', attributes }), AT);
const on = (keyword: string) => attr.keyword('notify-subscribed-event', keyword);
const printer = attr.name('printer-name', 'Office');

describe('CUPS events as changes', () => {
  it('maps printer events, the precise ones CUPS sends included', () => {
    for (const keyword of ['printer-state-changed', 'printer-stopped', 'printer-config-changed'])
      expect(event(on(keyword), printer)).toEqual({
        kind: 'printer-changed',
        printer: 'Office',
        at: AT.toISOString(),
      });
    expect(event(on('printer-added'), printer)?.kind).toBe('printer-added');
    // No printer-name: the queue comes from notify-printer-uri.
    expect(
      event(
        on('printer-deleted'),
        attr.uri('notify-printer-uri', 'ipp://localhost/printers/Lab%201'),
      ),
    ).toMatchObject({ kind: 'printer-deleted', printer: 'Lab 1' });
  });

  it('maps job events with their job id; a finished state is job-completed', () => {
    const job = attr.integer('notify-job-id', 12);
    expect(event(on('job-created'), printer, job)).toEqual({
      kind: 'job-created',
      printer: 'Office',
      jobId: 12,
      at: AT.toISOString(),
    });
    expect(
      event(on('job-state-changed'), printer, job, attr.enum('job-state', 'pending-held')),
    ).toMatchObject({ kind: 'job-changed', jobId: 12 });
    expect(
      event(on('job-state-changed'), printer, job, attr.enum('job-state', 'canceled')),
    ).toMatchObject({ kind: 'job-completed', jobId: 12 });
    expect(event(on('job-created'), printer)).toBeUndefined();
  });

  it('asks for a resync after a scheduler restart and ignores what it did not ask for', () => {
    expect(event(on('server-restarted'))).toEqual({ kind: 'resync', at: AT.toISOString() });
    expect(event(on('job-progress'), printer, attr.integer('notify-job-id', 1))).toBeUndefined();
  });
});

/**
 * The ippget loop against a scripted scheduler, on an injected clock: each event once, in
 * sequence order, from the number after the last one seen; a gap (events CUPS dropped) is a
 * resync; stop cancels the subscription.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCupsWatch } from '../../../../src-main/printers/cups/cups-watch.ts';
import { IppAttributes } from '../../../../src-main/printers/ipp/attributes.ts';
import { IppClient, attr } from '../../../../src-main/printers/ipp/client.ts';
import { decodeMessage, encodeMessage } from '../../../../src-main/printers/ipp/codec.ts';
import { Operation } from '../../../../src-main/printers/ipp/constants.ts';
import type { IppAttribute, IppGroup } from '../../../../src-main/printers/ipp/types.ts';
import type { PrinterChange } from '../../../../src-shared/model/printer-change.ts';
import { ManualClock } from '../../manual-clock.ts';

const operationGroup: IppGroup = {
  tag: 'operation',
  attributes: [
    { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
    { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
  ],
};

const jobEvent = (sequence: number, jobId: number): IppGroup => ({
  tag: 'eventNotification',
  attributes: [
    attr.integer('notify-subscription-id', 42),
    attr.integer('notify-sequence-number', sequence),
    attr.keyword('notify-subscribed-event', 'job-created'),
    attr.name('printer-name', 'Office'),
    attr.integer('notify-job-id', jobId),
  ],
});

/** What the scripted scheduler holds, and what it was asked. */
const cups = {
  /** Every event it still keeps (it answers those at or after the asked sequence number). */
  events: [] as IppGroup[],
  asked: [] as { operation: string; attributes: IppAttributes }[],
};

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const asked = decodeMessage(Buffer.concat(chunks));
    const operation = Object.entries(Operation).find(([, c]) => c === asked.code)?.[0] ?? '?';
    const attributes = new IppAttributes(asked.groups[0] ?? { tag: 'operation', attributes: [] });
    cups.asked.push({ operation, attributes });
    let groups: IppGroup[] = [];
    const extra: IppAttribute[] = [];
    if (operation === 'Create-Printer-Subscriptions') {
      groups = [
        {
          tag: 'subscription',
          attributes: [
            attr.integer('notify-subscription-id', 42),
            attr.integer('notify-lease-duration', 300),
          ],
        },
      ];
    } else if (operation === 'Get-Notifications') {
      const from = attributes.integer('notify-sequence-numbers') ?? 1;
      extra.push(attr.integer('notify-get-interval', 60));
      groups = cups.events.filter(
        (e) => (new IppAttributes(e).integer('notify-sequence-number') ?? 0) >= from,
      );
    }
    response.writeHead(200, { 'content-type': 'application/ipp' });
    response.end(
      encodeMessage({
        version: { major: 2, minor: 0 },
        code: 0,
        requestId: asked.requestId,
        groups: [
          { tag: 'operation', attributes: [...operationGroup.attributes, ...extra] },
          ...groups,
        ],
        data: new Uint8Array(0),
      }),
    );
  });
});

let client: IppClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new IppClient(
    { kind: 'tcp', host: '127.0.0.1', port, tls: false, path: '/' },
    { userName: 'me' },
  );
});

afterAll(() => {
  client.close();
  server.close();
});

describe('CUPS watch: sequence numbers', () => {
  it('delivers each event once, asks from the next number, reports a gap as resync, cancels on stop', async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
    const changes: PrinterChange[] = [];
    const watch = await startCupsWatch({
      client,
      listener: (c) => changes.push(c),
      clock,
      intervalMs: 1000,
    });
    expect(watch.subscriptionId).toBe(42);
    const create = cups.asked.find((a) => a.operation === 'Create-Printer-Subscriptions');
    expect(create).toBeDefined();

    cups.events = [jobEvent(2, 11), jobEvent(1, 10)];
    await clock.advanceSettled(1000);
    expect(changes.map((c) => [c.kind, c.jobId])).toEqual([
      ['job-created', 10],
      ['job-created', 11],
    ]);
    // Asked again: from 3 on, so the two old events are neither asked for nor repeated.
    await clock.advanceSettled(1000);
    const gets = cups.asked.filter((a) => a.operation === 'Get-Notifications');
    expect(gets.map((g) => g.attributes.integer('notify-sequence-numbers'))).toEqual([1, 3]);
    expect(changes).toHaveLength(2);

    // CUPS dropped 3 and 4 (more than MaxEvents happened): the UI must refetch everything.
    cups.events = [jobEvent(5, 14)];
    await clock.advanceSettled(1000);
    expect(changes.slice(2).map((c) => [c.kind, c.jobId])).toEqual([
      ['resync', undefined],
      ['job-created', 14],
    ]);

    await watch.stop();
    const cancel = cups.asked.at(-1);
    expect(cancel?.operation).toBe('Cancel-Subscription');
    expect(cancel?.attributes.integer('notify-subscription-id')).toBe(42);
    expect(clock.pending).toEqual([]);
  });
});

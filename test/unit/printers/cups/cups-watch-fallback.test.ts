/**
 * A scheduler that refuses event subscriptions (as a locked-down or non-CUPS IPP server does):
 * the CUPS adapter says why once and polls its listings instead, on an injected clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { CupsPrinterSystem } from '../../../../src-main/printers/cups/cups-printer-system.ts';
import { parseCupsServerName } from '../../../../src-main/printers/cups/server.ts';
import { decodeMessage, encodeMessage } from '../../../../src-main/printers/ipp/codec.ts';
import { Operation, StatusCode } from '../../../../src-main/printers/ipp/constants.ts';
import type { IppGroup } from '../../../../src-main/printers/ipp/types.ts';
import type { PrinterChange } from '../../../../src-shared/model/printer-change.ts';
import { ManualClock } from '../../manual-clock.ts';

const operationGroup: IppGroup = {
  tag: 'operation',
  attributes: [
    { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
    { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
  ],
};

const queue = (name: string, state: number): IppGroup => ({
  tag: 'printer',
  attributes: [
    { name: 'printer-name', values: [{ tag: 'nameWithoutLanguage', value: name }] },
    { name: 'printer-state', values: [{ tag: 'enum', value: state }] },
    { name: 'printer-is-accepting-jobs', values: [{ tag: 'boolean', value: true }] },
  ],
});

/** The queues it lists; asked operations, in order. */
const scheduler = { queues: [queue('Office', 3)], asked: [] as string[] };

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const asked = decodeMessage(Buffer.concat(chunks));
    const name = Object.entries(Operation).find(([, code]) => code === asked.code)?.[0] ?? '?';
    scheduler.asked.push(name);
    const status =
      name === 'Create-Printer-Subscriptions'
        ? StatusCode['server-error-operation-not-supported']
        : StatusCode['successful-ok'];
    const groups = name === 'CUPS-Get-Printers' ? scheduler.queues : [];
    response.writeHead(200, { 'content-type': 'application/ipp' });
    response.end(
      encodeMessage({
        version: { major: 2, minor: 0 },
        code: status,
        requestId: asked.requestId,
        groups: [operationGroup, ...groups],
        data: new Uint8Array(0),
      }),
    );
  });
});

afterAll(() => {
  server.close();
});

describe('CUPS adapter: watching a scheduler that refuses subscriptions', () => {
  it('says why once, then finds changes by listing on its clock', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
    const system = new CupsPrinterSystem({
      server: { endpoint: parseCupsServerName(`127.0.0.1:${port}`, 'test'), source: 'test' },
      deviceQuery: false,
      clock,
    });
    const reasons: string[] = [];
    const changes: PrinterChange[] = [];
    const onFallback = (reason: string): void => {
      reasons.push(reason);
    };
    const watch = await system.watch((c) => changes.push(c), { onFallback });
    expect(watch.mode).toBe('polling');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/refused event subscriptions.*operation-not-supported/);

    scheduler.queues = [queue('Office', 5), queue('Lab', 3)];
    await clock.advanceSettled(1000);
    expect(changes.map((c) => [c.kind, c.printer])).toEqual([
      ['printer-added', 'Lab'],
      ['printer-changed', 'Office'],
    ]);

    // A second watch on the same adapter polls straight away and says nothing more.
    const again = await system.watch(() => undefined, { onFallback });
    expect(again.mode).toBe('polling');
    expect(reasons).toHaveLength(1);
    expect(scheduler.asked.filter((op) => op === 'Create-Printer-Subscriptions')).toHaveLength(1);
    await watch.stop();
    await again.stop();
    expect(clock.pending).toEqual([]);
    system.close();
  });
});

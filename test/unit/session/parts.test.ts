import { describe, expect, it } from 'vitest';
import { Backoff, DEFAULT_BACKOFF } from '../../../src-main/session/backoff.ts';
import { classifyClose } from '../../../src-main/session/close-codes.ts';
import { consentDeadlineMs } from '../../../src-main/session/consent-prompt.ts';
import { Grant } from '../../../src-main/session/grant.ts';
import { Listeners } from '../../../src-main/session/listeners.ts';
import { redactData } from '../../../src-main/session/redact.ts';
import { relayEndpoints } from '../../../src-main/session/relay-url.ts';
import { Sequencing } from '../../../src-main/session/sequencing.ts';
import { isPrintoError } from '../../../src-shared/errors.ts';
import { makePrinter } from '../make-printer.ts';
import { diagnostics, jobs } from './fixtures.ts';

describe('relayEndpoints', () => {
  it('derives the enroll and client endpoints, keeping a path prefix', () => {
    const endpoints = relayEndpoints('https://relay.example.com/printo');
    expect(endpoints.enroll.href).toBe('https://relay.example.com/printo/v1/enroll');
    expect(endpoints.client.href).toBe('wss://relay.example.com/printo/v1/client');
    expect(relayEndpoints('http://127.0.0.1:8080/').client.href).toBe(
      'ws://127.0.0.1:8080/v1/client',
    );
    expect(relayEndpoints('http://localhost:8080').client.href).toBe(
      'ws://localhost:8080/v1/client',
    );
    expect(relayEndpoints('http://[::1]:8080').client.href).toBe('ws://[::1]:8080/v1/client');
  });

  it.each(['http://relay.example.com', 'ws://10.0.0.5:8080', 'http://128.0.0.1'])(
    'refuses plain %s (not loopback)',
    (url) => {
      expect(() => relayEndpoints(url)).toThrow(
        expect.objectContaining({ code: 'relay-url-insecure' }),
      );
    },
  );

  it('refuses credentials in the URL and other schemes', () => {
    expect(() => relayEndpoints('https://dev:secret@relay.example.com')).toThrow(
      expect.objectContaining({ code: 'relay-url-invalid' }),
    );
    expect(() => relayEndpoints('ftp://relay.example.com')).toThrow(
      expect.objectContaining({ code: 'relay-url-invalid' }),
    );
    let error: unknown;
    try {
      relayEndpoints('not a url');
    } catch (caught) {
      error = caught;
    }
    expect(isPrintoError(error, 'relay-url-invalid')).toBe(true);
  });
});

describe('Backoff', () => {
  it('grows ×1.5 from 1 s to the 30 s cap; jitter only shortens', () => {
    const none = new Backoff(DEFAULT_BACKOFF, () => 0);
    const delays = Array.from({ length: 12 }, () => none.next());
    expect(delays.slice(0, 5)).toEqual([1_000, 1_500, 2_250, 3_375, 5_063]);
    expect(delays.at(-1)).toBe(30_000);
    const full = new Backoff(DEFAULT_BACKOFF, () => 0.999_999);
    expect(full.next()).toBe(600);
    none.reset();
    expect(none.next()).toBe(1_000);
  });

  it('waits at least 10 s when rate limited, never beyond the cap', () => {
    const backoff = new Backoff(DEFAULT_BACKOFF, () => 0);
    expect(backoff.next(true)).toBe(10_000);
    for (let i = 0; i < 10; i += 1) backoff.next();
    expect(backoff.next(true)).toBe(30_000);
  });
});

describe('classifyClose', () => {
  it.each([
    [4001, 'auth-failed'],
    [4004, 'replaced'],
    [4006, 'resume-rejected'],
    [4007, 'unsupported-version'],
    [1008, 'closed-by-relay'],
    [1009, 'closed-by-relay'],
  ])('%i is fatal: %s', (code, reason) => {
    expect(classifyClose({ code, reason: '' })).toMatchObject({ retry: false, reason });
  });

  it.each([
    [1001, false],
    [1006, false],
    [1011, false],
    [1013, true],
    [4005, true],
  ])('%i is retried (rate limited: %s)', (code, rateLimited) => {
    expect(classifyClose({ code, reason: '' })).toEqual({ retry: true, rateLimited });
  });

  it('reads the HTTP status of a refused upgrade', () => {
    expect(classifyClose({ code: 1006, reason: '', httpStatus: 401 })).toMatchObject({
      retry: false,
      reason: 'auth-failed',
    });
    expect(classifyClose({ code: 1006, reason: '', httpStatus: 429 })).toEqual({
      retry: true,
      rateLimited: true,
    });
    expect(classifyClose({ code: 1006, reason: '', httpStatus: 502 })).toEqual({
      retry: true,
      rateLimited: false,
    });
    expect(classifyClose({ code: 1006, reason: '', subprotocolRejected: true })).toMatchObject({
      retry: false,
      reason: 'unsupported-version',
    });
  });
});

describe('Sequencing', () => {
  it('numbers, keeps until acknowledged, and accepts each relay frame once', () => {
    const seq = new Sequencing();
    const now = Date.parse('2026-11-25T10:00:00Z');
    const a = seq.stamp({ type: 'chat.send', payload: { text: 'a' } }, now);
    const b = seq.stamp({ type: 'chat.send', payload: { text: 'b' } }, now);
    expect([a.seq, b.seq]).toEqual([1, 2]);
    seq.acknowledge(1);
    expect(seq.pending).toEqual([b]);
    expect(seq.accept(1, 'id-1')).toBe(true);
    expect(seq.accept(1, 'id-1')).toBe(false);
    expect(seq.accept(2, 'id-1')).toBe(false);
    expect(seq.accept(0, 'id-x')).toBe(true);
    expect(seq.accept(2, 'id-2')).toBe(true);
    expect(JSON.parse(seq.encode(b))).toMatchObject({
      v: 1,
      id: b.id,
      seq: 2,
      ack: 2,
      type: 'chat.send',
    });
    expect(JSON.parse(seq.control({ type: 'ack', payload: {} }, now))).toMatchObject({
      seq: 0,
      ack: 2,
    });
  });
});

describe('Grant', () => {
  it('grants only what was requested, and the relay can narrow but never widen it', () => {
    const grant = new Grant();
    expect(grant.answer(['chat', 'printers.read'], ['printers.read', 'actions', 'chat'])).toEqual([
      'chat',
      'printers.read',
    ]);
    grant.narrowTo(['chat', 'printers.read', 'actions']);
    expect(grant.list).toEqual(['chat', 'printers.read']);
    grant.narrowTo(['chat']);
    expect(grant.list).toEqual(['chat']);
  });
});

describe('consentDeadlineMs', () => {
  it('measures on the relay’s clock and never waits beyond 60 s', () => {
    expect(consentDeadlineMs('2026-11-25T10:01:00Z', '2026-11-25T10:00:00Z')).toBe(60_000);
    expect(consentDeadlineMs('2026-11-25T10:00:30Z', '2026-11-25T10:00:00Z')).toBe(30_000);
    expect(consentDeadlineMs('2026-11-25T11:00:00Z', '2026-11-25T10:00:00Z')).toBe(60_000);
    expect(consentDeadlineMs('2026-11-25T09:00:00Z', '2026-11-25T10:00:00Z')).toBe(0);
  });
});

describe('redactData', () => {
  it('keeps everything with device.identifiers and jobs.metadata', () => {
    const data = jobs();
    expect(redactData(data, ['printers.read', 'jobs.metadata'])).toEqual(data);
    const printer = {
      kind: 'printers' as const,
      printers: [makePrinter({ name: 'A', connection: { uri: 'ipp://10.1.2.3/ipp', port: null } })],
    };
    expect(redactData(printer, ['device.identifiers'])).toEqual(printer);
  });

  it('replaces a printer’s own host, serial and port wherever they appear, and leaves times and names alone', () => {
    const redacted = redactData(
      {
        kind: 'printers',
        printers: [
          makePrinter({
            name: 'Floor2',
            location: 'Rack printsrv01.corp.example, room 2',
            connection: {
              uri: 'socket://printsrv01.corp.example:9100',
              port: 'printsrv01.corp.example',
            },
            stateMessage:
              'printsrv01.corp.example did not answer at 10:30:45; MAC 00:1b:a9:4f:22:10, fe80::1',
          }),
          makePrinter({
            name: 'USB',
            description: 'HP LaserJet CNB7K12345',
            connection: { uri: 'usb://HP/LaserJet?serial=CNB7K12345', port: 'USB001' },
          }),
        ],
      },
      ['printers.read'],
    );
    if (redacted.kind !== 'printers') throw new Error('kind');
    const [floor, usb] = redacted.printers;
    expect(floor?.name).toBe('Floor2');
    expect(floor?.location).toBe('Rack [device identifier], room 2');
    expect(floor?.stateMessage).toBe(
      '[device identifier] did not answer at 10:30:45; MAC [device identifier], [device identifier]',
    );
    expect(floor?.connection).toEqual({
      uri: '[device identifier]',
      port: '[device identifier]',
    });
    expect(usb?.description).toBe('HP LaserJet [device identifier]');
    expect(usb?.connection).toEqual({
      uri: '[device identifier]',
      port: '[device identifier]',
    });
  });

  it('uses the shareable report for diagnostics', () => {
    const redacted = redactData(diagnostics(), ['diagnostics.read', 'jobs.metadata']);
    if (redacted.kind !== 'diagnostics') throw new Error('kind');
    expect(redacted.report.sharing).toEqual({ scopes: ['jobs.metadata'] });
    expect(redacted.report.results[0]?.summary).toBe(
      'The printer cannot be reached at [device identifier].',
    );
  });
});

describe('Listeners', () => {
  // The throwing listener is reported as a process warning (printed by the test run).
  it('unsubscribes, and a listener that throws does not stop the others', () => {
    const listeners = new Listeners<{ chat: string }>();
    const heard: string[] = [];
    const off = listeners.on('chat', (text) => heard.push(`a:${text}`));
    listeners.on('chat', () => {
      throw new Error('broken UI');
    });
    listeners.on('chat', (text) => heard.push(`c:${text}`));
    listeners.emit('chat', 'one');
    off();
    listeners.emit('chat', 'two');
    expect(heard).toEqual(['a:one', 'c:one', 'c:two']);
  });
});

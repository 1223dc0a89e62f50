import { describe, expect, it } from 'vitest';
import { PrintoError } from '../../../../src-shared/errors.ts';
import {
  createLogger,
  errorFields,
  isForbiddenField,
} from '../../../../src-relay/server/logger.ts';
import type { LogLevel } from '../../../../src-relay/server/logger.ts';
import { ManualClock } from '../../manual-clock.ts';

function capture(level?: LogLevel) {
  const lines: string[] = [];
  const logger = createLogger({
    write: (line) => lines.push(line),
    clock: new ManualClock(Date.parse('2026-11-25T09:00:00Z')),
    ...(level === undefined ? {} : { level }),
  });
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe('JSON line logger', () => {
  it('writes one JSON object per line with time, level, event and the fields', () => {
    const { logger, lines, parsed } = capture();
    logger.info('session.ended', { sessionId: 'abc', reason: 'user-ended', seconds: 42, ok: true });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(parsed()[0]).toEqual({
      time: '2026-11-25T09:00:00.000Z',
      level: 'info',
      event: 'session.ended',
      sessionId: 'abc',
      reason: 'user-ended',
      seconds: 42,
      ok: true,
    });
  });

  it('drops lines below its level', () => {
    const { logger, parsed } = capture('warn');
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.error('d');
    expect(parsed().map((l) => l['event'])).toEqual(['c', 'd']);
  });

  it('never writes a field that may hold content or a credential, whatever it is called', () => {
    const { logger, lines, parsed } = capture();
    const secrets: Record<string, string> = {
      text: 'my card is 4111 1111 1111 1111',
      message: 'hello agent',
      chatMessage: 'is anyone there',
      code: '482913057',
      sessionCode: '482913057',
      session_code: '482913057',
      password: 'hunter2hunter2',
      newPassword: 'letmein-please',
      token: 'pws_abc',
      resumeToken: 'resume-0123456789',
      authtoken: 'auth-0123456789',
      secret: 'shh-0123456789',
      deviceSecret: 'pds_0123456789',
      cookie: 'printo_session=pws_0123',
      ticket: 'pat_0123456789',
      enrollmentKey: 'pek_0123456789',
      Authorization: 'Basic abc',
      description: 'my printer at home',
    };
    logger.warn('test.event', { ...secrets, sessionId: 'kept', agentId: 'kept-too' });
    const line = parsed()[0] ?? {};
    for (const name of Object.keys(secrets)) expect(line).not.toHaveProperty(name);
    for (const value of Object.values(secrets)) expect(lines[0]).not.toContain(value);
    expect(line['sessionId']).toBe('kept');
    expect(line['agentId']).toBe('kept-too');
    // The names of what was dropped are listed, so the call site can be fixed.
    expect(String(line['droppedFields']).split(',')).toEqual(Object.keys(secrets));
  });

  it('keeps an error code, so operators see why something failed', () => {
    const { logger, parsed } = capture();
    logger.error('a.failed', { errorCode: 'store-disk-full' });
    logger.error('b.failed', { error_code: 'listen-failed' });
    logger.error('c.failed', { errorCode: 'EADDRINUSE' });
    logger.error('d.failed', { ErrorCode: 'session-on-hold', code: 'x' });
    expect(parsed().map((l) => [l['errorCode'], l['error_code'], l['ErrorCode']])).toEqual([
      ['store-disk-full', undefined, undefined],
      [undefined, 'listen-failed', undefined],
      ['EADDRINUSE', undefined, undefined],
      [undefined, undefined, 'session-on-hold'],
    ]);
    expect(parsed()[3]?.['droppedFields']).toBe('code');
  });

  it('never lets a session code through as an error code', () => {
    const { logger, lines, parsed } = capture();
    for (const value of [
      '482913057',
      '482 913 057',
      'code-482913057',
      'invalid-code:482913057',
      'wrong code 482913057',
      482913057,
      'x'.repeat(65),
    ]) {
      logger.warn('join.refused', { errorCode: value, sessionId: 'kept' });
    }
    for (const line of parsed()) {
      expect(line).not.toHaveProperty('errorCode');
      expect(line['droppedFields']).toBe('errorCode');
      expect(line['sessionId']).toBe('kept');
    }
    expect(lines.join('')).not.toMatch(/482/);
  });

  it('errorFields gives the name and stable code of an error, never its message', () => {
    const failure = new PrintoError('session-not-found', 'No session with code 482913057.');
    expect(errorFields(failure)).toEqual({
      errorName: 'PrintoError',
      errorCode: 'session-not-found',
    });
    const errno = Object.assign(new Error('listen EADDRINUSE 127.0.0.1:4280'), {
      code: 'EADDRINUSE',
    });
    expect(errorFields(errno)).toEqual({ errorName: 'Error', errorCode: 'EADDRINUSE' });
    expect(errorFields(Object.assign(new Error('x'), { code: '482913057' }))).toEqual({
      errorName: 'Error',
    });
    expect(errorFields('boom')).toEqual({ errorName: 'string' });
    const { logger, lines } = capture();
    logger.error('join.failed', errorFields(failure));
    expect(lines[0]).toContain('"errorCode":"session-not-found"');
    expect(lines[0]).not.toContain('482913057');
  });

  it('keeps harmless ids and counts', () => {
    for (const name of ['sessionId', 'agentId', 'deviceId', 'orgId', 'reason', 'status', 'count']) {
      expect(isForbiddenField(name)).toBe(false);
    }
  });

  it('does not let fields overwrite time, level or event', () => {
    const { logger, parsed } = capture();
    logger.info('real.event', { event: 'forged', level: 'debug', time: 'then' });
    expect(parsed()[0]).toMatchObject({ event: 'real.event', level: 'info' });
    expect(parsed()[0]?.['time']).toBe('2026-11-25T09:00:00.000Z');
  });

  it('truncates long strings and refuses event names built from data', () => {
    const { logger, parsed } = capture();
    logger.info('relay.started', { host: 'h'.repeat(1000) });
    logger.info('user said: hello there');
    expect(String(parsed()[0]?.['host']).length).toBeLessThanOrEqual(201);
    expect(parsed()[1]?.['event']).toBe('invalid-event-name');
    expect(JSON.stringify(parsed()[1])).not.toContain('hello');
  });
});

/**
 * The ClientServices contract as data: every method and event has its schemas, the error shape
 * knows exactly the project's error codes, and the plain words every front end shows cover every
 * scope and every proposed action.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  EVENTS,
  EVENT_NAMES,
  METHODS,
  METHOD_NAMES,
  ServiceErrorSchema,
  SupportSnapshotSchema,
  isEventName,
  isMethodName,
} from '../../../src-shared/api/contract.ts';
import { SCOPE_WORDS, describeAction, formatSessionCode } from '../../../src-shared/api/words.ts';
import { ERROR_CODES } from '../../../src-shared/error-codes.ts';
import { ALL_SCOPES, ProposedActionSchema } from '../../../src-shared/protocol/v1.ts';
import type { ProposedAction } from '../../../src-shared/protocol/v1.ts';

describe('METHODS', () => {
  it('names every method area.verb, with argument and result schemas and a summary', () => {
    expect(METHOD_NAMES.length).toBeGreaterThan(30);
    expect(METHOD_NAMES).toEqual(Object.keys(METHODS));
    for (const name of METHOD_NAMES) {
      const spec = METHODS[name];
      expect(name, name).toMatch(/^[a-z][a-zA-Z]*\.[a-z][a-zA-Z]*$/);
      expect(spec.args, name).toBeInstanceOf(z.ZodType);
      expect(spec.result, name).toBeInstanceOf(z.ZodType);
      expect(spec.summary.trim().length, name).toBeGreaterThan(0);
      expect(isMethodName(name)).toBe(true);
    }
  });

  it('takes one object per method: a non-object is refused by every argument schema', () => {
    for (const name of METHOD_NAMES) {
      expect(METHODS[name].args.safeParse('text').success, name).toBe(false);
      expect(METHODS[name].args.safeParse(null).success, name).toBe(false);
    }
  });

  it('knows its own names only', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', '', 'printers']) {
      expect(isMethodName(name), name).toBe(false);
    }
    expect(isMethodName(undefined)).toBe(false);
  });
});

describe('EVENTS', () => {
  it('has a schema for every event, and the names the front ends subscribe to', () => {
    expect(EVENT_NAMES).toEqual(Object.keys(EVENTS));
    expect([...EVENT_NAMES].sort()).toEqual([
      'diagnostics.progress',
      'printers.changed',
      'settings.changed',
      'support.activity',
      'support.changed',
      'support.chat',
    ]);
    for (const name of EVENT_NAMES) {
      expect(EVENTS[name], name).toBeInstanceOf(z.ZodType);
      expect(isEventName(name)).toBe(true);
    }
    expect(isEventName('toString')).toBe(false);
    expect(isEventName('printers.list')).toBe(false);
  });

  it('sends the support snapshot whole: the event and the methods share one schema', () => {
    expect(EVENTS['support.changed']).toBe(SupportSnapshotSchema);
    expect(METHODS['support.snapshot'].result).toBe(SupportSnapshotSchema);
    expect(METHODS['support.ask'].result).toBe(SupportSnapshotSchema);
  });
});

describe('ServiceErrorSchema', () => {
  it('allows exactly the project’s error codes', () => {
    expect(ServiceErrorSchema.shape.code.options).toEqual([...ERROR_CODES]);
    for (const code of [
      'service-unknown-method',
      'service-invalid-arguments',
      'service-invalid-result',
      'service-internal-error',
    ]) {
      expect(ERROR_CODES).toContain(code);
    }
  });

  it('is strict: a message and a nullable hint, nothing else', () => {
    const good = { code: 'not-enrolled', message: 'No.', hint: null };
    expect(ServiceErrorSchema.safeParse(good).success).toBe(true);
    expect(ServiceErrorSchema.safeParse({ ...good, stack: 'at x' }).success).toBe(false);
    expect(ServiceErrorSchema.safeParse({ ...good, code: 'ENOENT' }).success).toBe(false);
    expect(ServiceErrorSchema.safeParse({ code: 'not-enrolled', message: 'No.' }).success).toBe(
      false,
    );
  });
});

describe('words', () => {
  it('has a title and an explanation for every scope, and for nothing else', () => {
    expect(Object.keys(SCOPE_WORDS).sort()).toEqual([...ALL_SCOPES].sort());
    for (const scope of ALL_SCOPES) {
      expect(SCOPE_WORDS[scope].title.trim(), scope).not.toBe('');
      expect(SCOPE_WORDS[scope].explanation.trim(), scope).not.toBe('');
    }
    const titles = ALL_SCOPES.map((s) => SCOPE_WORDS[s].title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  const actions: [ProposedAction, string][] = [
    [{ id: 'resume-queue', printer: 'Office' }, 'Resume the printer Office'],
    [{ id: 'cancel-jobs', printer: 'Office', jobIds: [12] }, 'Cancel job 12 on Office'],
    [{ id: 'cancel-jobs', printer: 'Office', jobIds: [12, 13, 14] }, 'Cancel 3 jobs on Office'],
    [{ id: 'release-job', printer: 'Office', jobId: 7 }, 'Release held job 7 on Office'],
    [{ id: 'print-test-page', printer: 'Office' }, 'Print a test page on Office'],
    [{ id: 'run-diagnostics' }, 'Run the printer diagnostics'],
    [{ id: 'run-diagnostics', printers: [] }, 'Run the printer diagnostics'],
    [
      { id: 'run-diagnostics', printers: ['Office', 'Lab'] },
      'Run the printer diagnostics for Office, Lab',
    ],
  ];

  it.each(actions)('describes %j', (action, words) => {
    expect(ProposedActionSchema.safeParse(action).success).toBe(true);
    expect(describeAction(action)).toBe(words);
  });

  it('describes every action id the protocol has', () => {
    const ids = new Set(actions.map(([a]) => a.id));
    const protocolIds = ProposedActionSchema.options.flatMap((option) =>
      'options' in option
        ? option.options.map((o) => o.shape.id.value)
        : [(option as { shape: { id: { value: string } } }).shape.id.value],
    );
    expect([...ids].sort()).toEqual([...new Set(protocolIds)].sort());
  });

  it.each([
    ['123456789', '123 456 789'],
    ['000000001', '000 000 001'],
    ['12345678', '12345678'],
    ['1234567890', '1234567890'],
    ['123 456 789', '123 456 789'],
    ['abcdefghi', 'abcdefghi'],
    ['', ''],
  ])('formats the session code %j as %j', (code, shown) => {
    expect(formatSessionCode(code)).toBe(shown);
  });
});

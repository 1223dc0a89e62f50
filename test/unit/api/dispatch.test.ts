/**
 * `dispatch` and `unwrapReply`: the one place where a call crosses the ClientServices contract.
 * Arguments and results are parsed with the method's schemas, failures become one error shape,
 * and an unexpected error never carries its raw message across.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ClientServiceMethods, MethodName } from '../../../src-shared/api/contract.ts';
import {
  ServiceCallError,
  dispatch,
  toServiceError,
  unwrapReply,
} from '../../../src-shared/api/dispatch.ts';
import { PrintoError } from '../../../src-shared/errors.ts';

/** Only the methods a test gives; any other call is a test bug and fails loudly. */
function services(partial: Partial<ClientServiceMethods>): ClientServiceMethods {
  return new Proxy(partial, {
    get(target, name) {
      const found = (target as Record<PropertyKey, unknown>)[name];
      if (found === undefined) throw new Error(`the test did not expect ${String(name)}`);
      return found;
    },
  }) as ClientServiceMethods;
}

const APP_INFO = {
  name: 'Printo Help' as const,
  version: '0.1.0',
  platform: 'linux',
  printSystem: { kind: 'cups' as const, endpoint: '/run/cups/cups.sock' },
  shell: 'terminal' as const,
};

async function errorOf(
  methods: ClientServiceMethods,
  method: unknown,
  args: unknown,
): Promise<{ code: string; message: string; hint: string | null }> {
  const reply = await dispatch(methods, method, args);
  if (reply.ok) throw new Error(`expected a failure, got ${JSON.stringify(reply.value)}`);
  return reply.error;
}

describe('dispatch', () => {
  it('calls the method with the parsed arguments and returns its checked value', async () => {
    const jobs = vi.fn(() => Promise.resolve([]));
    const reply = await dispatch(services({ 'printers.jobs': jobs }), 'printers.jobs', {
      printer: 'Office',
      which: 'all',
    });
    expect(reply).toEqual({ ok: true, value: [] });
    expect(jobs).toHaveBeenCalledWith({ printer: 'Office', which: 'all' });
  });

  it('treats absent arguments as an empty object for a method that takes none', async () => {
    const info = vi.fn(() => Promise.resolve(APP_INFO));
    expect(await dispatch(services({ 'app.info': info }), 'app.info', undefined)).toEqual({
      ok: true,
      value: APP_INFO,
    });
    expect(info).toHaveBeenCalledWith({});
  });

  it.each([
    ['an unknown name', 'printers.nuke'],
    ['an inherited property', 'toString'],
    ['the prototype', '__proto__'],
    ['not a string', 42],
    ['nothing', undefined],
  ])('refuses %s as service-unknown-method', async (_what, method) => {
    const error = await errorOf(services({}), method, {});
    expect(error.code).toBe('service-unknown-method');
    expect(error.hint).toBeNull();
    expect(error.message).toContain(String(method));
  });

  it('cuts a long unknown method name short in its message', async () => {
    const error = await errorOf(services({}), 'x'.repeat(5_000), {});
    expect(error.code).toBe('service-unknown-method');
    expect(error.message.length).toBeLessThan(200);
  });

  it.each([
    [
      'a negative job id',
      'printers.jobAction',
      { printer: 'Office', jobId: -1, action: 'cancel' },
      'jobId',
    ],
    [
      'an unknown action',
      'printers.queueAction',
      { printer: 'Office', action: 'explode' },
      'action',
    ],
    ['an empty printer name', 'printers.testPage', { printer: '' }, 'printer'],
    [
      'a nested field',
      'transcripts.setFlags',
      { ref: { type: 'session' }, flags: {} },
      'ref.sessionId',
    ],
    ['a key the method does not take', 'printers.list', { everything: true }, 'everything'],
    ['a blank chat message', 'support.chat', { text: '   ' }, 'text'],
  ])(
    'refuses %s as service-invalid-arguments, naming the field, without calling',
    async (_what, method, args, field) => {
      const implementation = vi.fn(() => Promise.resolve({ message: 'done' }));
      const methods = services({ [method as MethodName]: implementation });
      const error = await errorOf(methods, method, args);
      expect(error.code).toBe('service-invalid-arguments');
      expect(error.message).toContain(`${method}:`);
      expect(error.message).toContain(field);
      expect(implementation).not.toHaveBeenCalled();
    },
  );

  it('refuses arguments that are not an object at all', async () => {
    const error = await errorOf(services({}), 'printers.testPage', 'Office');
    expect(error.code).toBe('service-invalid-arguments');
  });

  it('refuses a result outside the result schema as service-invalid-result', async () => {
    const methods = services({
      'printers.queueAction': () => Promise.resolve({ message: 42 } as never),
    });
    const error = await errorOf(methods, 'printers.queueAction', {
      printer: 'Office',
      action: 'pause',
    });
    expect(error.code).toBe('service-invalid-result');
    expect(error.message).toContain('printers.queueAction');
    expect(error.message).toContain('message');
  });

  it('passes a PrintoError across as its code, message and hint', async () => {
    const methods = services({
      'support.ask': () =>
        Promise.reject(new PrintoError('support-disabled', 'Support is off.', { hint: 'Ask IT.' })),
    });
    expect(await errorOf(methods, 'support.ask', { description: 'help' })).toEqual({
      code: 'support-disabled',
      message: 'Support is off.',
      hint: 'Ask IT.',
    });
    const noHint = services({
      'support.end': () => Promise.reject(new PrintoError('session-not-active', 'Over.')),
    });
    expect(await errorOf(noHint, 'support.end', {})).toEqual({
      code: 'session-not-active',
      message: 'Over.',
      hint: null,
    });
  });

  it('turns a PrintoError thrown synchronously into the same reply', async () => {
    const methods = services({
      'support.answerAction': () => {
        throw new PrintoError('action-not-pending', 'Nothing waits.');
      },
    });
    const error = await errorOf(methods, 'support.answerAction', {
      requestId: 'r1',
      approve: true,
    });
    expect(error.code).toBe('action-not-pending');
  });

  it.each([
    ['a plain Error', new Error('ENOENT: /home/alice/Documents/payslip-4111111111111111.pdf')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'alice')")],
    ['a string', 'alice@example.com broke it'],
    [
      'an Error with a foreign code',
      Object.assign(new Error('EACCES /home/alice'), { code: 'EACCES' }),
    ],
  ] as [string, unknown][])(
    'turns %s into service-internal-error without its raw message',
    async (_what, thrown) => {
      const methods = services({
        'printers.list': async () => {
          await Promise.resolve();
          // Whatever a part throws, strings included.
          throw thrown;
        },
      });
      const error = await errorOf(methods, 'printers.list', {});
      expect(error.code).toBe('service-internal-error');
      expect(error.hint).not.toBeNull();
      const raw = thrown instanceof Error ? thrown.message : String(thrown);
      expect(error.message).not.toContain(raw);
      expect(JSON.stringify(error)).not.toMatch(/alice|4111/);
    },
  );
});

describe('toServiceError', () => {
  it('passes a ServiceCallError on as it came', () => {
    const error = new ServiceCallError({ code: 'not-enrolled', message: 'No.', hint: 'Enrol.' });
    expect(toServiceError(error)).toEqual({ code: 'not-enrolled', message: 'No.', hint: 'Enrol.' });
  });
});

describe('unwrapReply', () => {
  it('gives the parsed value of a good reply', () => {
    expect(unwrapReply('app.info', { ok: true, value: APP_INFO })).toEqual(APP_INFO);
  });

  it('throws the error of a failed reply as a ServiceCallError', () => {
    let thrown: unknown;
    try {
      unwrapReply('support.ask', {
        ok: false,
        error: { code: 'support-busy', message: 'Already open.', hint: 'End it first.' },
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ServiceCallError);
    expect(thrown).toMatchObject({
      name: 'ServiceCallError',
      code: 'support-busy',
      message: 'Already open.',
      hint: 'End it first.',
    });
  });

  it('throws service-invalid-result for a malformed error', () => {
    expect(() =>
      unwrapReply('support.ask', { ok: false, error: { code: 'no-such-code', message: 'x' } }),
    ).toThrow(expect.objectContaining({ code: 'service-invalid-result' }));
  });

  it('throws service-invalid-result for a value outside the result schema', () => {
    expect(() =>
      unwrapReply('app.info', { ok: true, value: { ...APP_INFO, name: 'Other' } }),
    ).toThrow(
      expect.objectContaining({ name: 'ServiceCallError', code: 'service-invalid-result' }),
    );
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'ok'],
    ['an object without ok', { value: APP_INFO }],
  ])('throws a ServiceCallError (not a TypeError) for a reply that is %s', (_what, reply) => {
    let thrown: unknown;
    try {
      unwrapReply('app.info', reply);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ServiceCallError);
    expect((thrown as ServiceCallError).code).toBe('service-invalid-result');
  });

  it('round-trips dispatch: what dispatch says is what unwrapReply throws', async () => {
    const methods = services({
      'settings.set': () =>
        Promise.reject(new PrintoError('setting-locked', 'Locked.', { hint: 'Ask IT.' })),
    });
    const reply = await dispatch(methods, 'settings.set', { key: 'proxy', value: 'none' });
    expect(() => unwrapReply('settings.set', reply)).toThrow(
      expect.objectContaining({ code: 'setting-locked', message: 'Locked.', hint: 'Ask IT.' }),
    );
  });
});

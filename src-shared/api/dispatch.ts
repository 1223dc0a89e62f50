/**
 * The one place where a call crosses the contract: arguments parsed with the method's schema,
 * the implementation called, the result parsed again, and any failure turned into a
 * {@link ServiceError}. The Electron IPC wrapper, the browser shell's WebSocket and the terminal
 * all go through `dispatch`; front ends turn an error reply back into a {@link ServiceCallError}.
 */
import { isErrorCode } from '../error-codes.ts';
import { PrintoError } from '../errors.ts';
import { METHODS, ServiceErrorSchema, isMethodName } from './contract.ts';
import type {
  ClientServiceMethods,
  MethodArgs,
  MethodName,
  MethodResult,
  ServiceError,
} from './contract.ts';

/** What a transport carries back for one call. */
export type CallReply<T = unknown> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ServiceError };

/** A failed call, as a front end sees it: the contract's error, thrown. */
export class ServiceCallError extends Error {
  readonly code: ServiceError['code'];
  readonly hint: string | null;

  constructor(error: ServiceError) {
    super(error.message);
    this.name = 'ServiceCallError';
    this.code = error.code;
    this.hint = error.hint;
  }
}

function issues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }) {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length === 0 ? i.message : `${i.path.map(String).join('.')}: ${i.message}`))
    .join('; ');
}

/** Any thrown value as the contract's error: our own codes pass, anything else is internal. */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof PrintoError) {
    return { code: error.code, message: error.message, hint: error.hint ?? null };
  }
  if (error instanceof ServiceCallError) {
    return { code: error.code, message: error.message, hint: error.hint };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (isErrorCode(code) && error instanceof Error) {
    return { code, message: error.message, hint: null };
  }
  // Never the raw message: an unexpected error can carry paths or personal data.
  return {
    code: 'service-internal-error',
    message: 'Something went wrong inside Printo Help.',
    hint: 'Try again; if it keeps happening, restart the app and tell your IT support.',
  };
}

/** Calls one method by name with untrusted arguments; never throws. */
export async function dispatch(
  services: ClientServiceMethods,
  method: unknown,
  args: unknown,
): Promise<CallReply> {
  if (!isMethodName(method)) {
    return {
      ok: false,
      error: {
        code: 'service-unknown-method',
        message: `There is no method ${JSON.stringify(String(method)).slice(0, 80)}.`,
        hint: null,
      },
    };
  }
  const spec = METHODS[method];
  const parsed = spec.args.safeParse(args ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'service-invalid-arguments',
        message: `${method}: ${issues(parsed.error)}.`,
        hint: null,
      },
    };
  }
  let value: unknown;
  try {
    const implementation = services[method] as (a: unknown) => Promise<unknown>;
    value = await implementation.call(services, parsed.data);
  } catch (error) {
    return { ok: false, error: toServiceError(error) };
  }
  const checked = spec.result.safeParse(value);
  if (!checked.success) {
    return {
      ok: false,
      error: {
        code: 'service-invalid-result',
        message: `${method} produced a result the contract does not allow: ${issues(checked.error)}.`,
        hint: null,
      },
    };
  }
  return { ok: true, value: checked.data };
}

/** A front end's side: an error reply becomes a thrown ServiceCallError; the value is parsed. */
export function unwrapReply<M extends MethodName>(method: M, reply: unknown): MethodResult<M> {
  // A transport can hand over anything (a dropped WebSocket frame, a bug): never a TypeError.
  if (typeof reply !== 'object' || reply === null) {
    throw new ServiceCallError({
      code: 'service-invalid-result',
      message: `${method}: no reply came back.`,
      hint: null,
    });
  }
  const r = reply as CallReply;
  if (!r.ok) {
    const error = ServiceErrorSchema.safeParse(r.error);
    throw new ServiceCallError(
      error.success
        ? error.data
        : { code: 'service-invalid-result', message: 'A malformed error came back.', hint: null },
    );
  }
  const parsed = METHODS[method].result.safeParse(r.value);
  if (!parsed.success) {
    throw new ServiceCallError({
      code: 'service-invalid-result',
      message: `${method}: ${issues(parsed.error)}.`,
      hint: null,
    });
  }
  return parsed.data as MethodResult<M>;
}

export type { MethodArgs };

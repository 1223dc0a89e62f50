/**
 * Asks the app's consent handler, under the request's deadline. No answer in time is a denial
 * (remote-support.md: RustDesk once granted access after a time-out without a click), and so is
 * a handler that fails: consent is never assumed.
 */
import { ScopeSchema, LIMITS } from '../../src-shared/protocol/v1.ts';
import type { Scope } from '../../src-shared/protocol/v1.ts';
import type { Clock } from '../../src-shared/clock.ts';
import type { ConsentRequest, SessionHandlers } from './types.ts';

export interface PromptOutcome {
  readonly granted: readonly Scope[];
  readonly noticeShown: string;
  /** True when the deadline passed without an answer. */
  readonly timedOut: boolean;
}

/**
 * The time left to answer, measured on the relay's clock (`expiresAt` minus the frame's `ts`),
 * so that a wrong clock on this computer neither denies at once nor waits too long.
 */
export function consentDeadlineMs(expiresAt: string, sentAt: string): number {
  const remaining = Date.parse(expiresAt) - Date.parse(sentAt);
  if (!Number.isFinite(remaining)) return LIMITS.consentTimeoutMs;
  return Math.min(Math.max(remaining, 0), LIMITS.consentTimeoutMs);
}

export function promptConsent(
  handler: SessionHandlers['onConsentRequest'],
  request: Omit<ConsentRequest, 'signal' | 'answerWithinMs'>,
  deadlineMs: number,
  clock: Clock,
  controller: AbortController,
): Promise<PromptOutcome> {
  const deny = (timedOut: boolean): PromptOutcome => ({
    granted: [],
    noticeShown: request.notice.text,
    timedOut,
  });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: PromptOutcome): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      // Whatever happened, the prompt is over: the UI closes it.
      controller.abort();
      resolve(outcome);
    };
    const timer = clock.setTimeout(() => {
      settle(deny(true));
    }, deadlineMs);
    // Aborted from outside: the session ended and nobody will read the answer.
    controller.signal.addEventListener('abort', () => {
      settle(deny(false));
    });
    let answer: Promise<{ granted: readonly Scope[]; noticeShown: string }>;
    try {
      answer = handler({ ...request, answerWithinMs: deadlineMs, signal: controller.signal });
    } catch (error) {
      answer = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    answer.then(
      (value) => {
        // The handler is app code, but what it returns goes into a consent receipt: check it.
        const granted = value.granted.filter((scope) => ScopeSchema.safeParse(scope).success);
        const noticeShown =
          typeof value.noticeShown === 'string' ? value.noticeShown : request.notice.text;
        settle({ granted, noticeShown, timedOut: false });
      },
      () => {
        settle(deny(false));
      },
    );
  });
}

/**
 * What a closed connection means for the session: end it (and why), or try again. Fatal codes are
 * the ones a retry cannot fix; retrying them would also hammer the relay (remote-support.md:
 * tell fatal errors from retryable ones).
 */
import { CloseCode } from '../../src-shared/protocol/v1.ts';
import { isGatewayFailure } from './proxy.ts';
import type { SessionEndReason } from './types.ts';

export type CloseVerdict =
  | { readonly retry: true; readonly rateLimited: boolean }
  | { readonly retry: false; readonly reason: SessionEndReason; readonly message: string };

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  /** Set when the relay answered the upgrade with an HTTP status instead of switching. */
  readonly httpStatus?: number;
  /** The handshake failed because no `printo-support.v1` subprotocol was agreed. */
  readonly subprotocolRejected?: boolean;
  /** The proxy on the way to the relay failed the connection (src-main/session/proxy.ts). */
  readonly proxyFailure?: ProxyFailure;
}

export interface ProxyFailure {
  readonly code: 'proxy-auth-required' | 'proxy-refused' | 'proxy-unreachable';
  /** Names the proxy by scheme, host and port only. */
  readonly message: string;
  /** The proxy's answer to CONNECT, when it gave one. */
  readonly status: number | undefined;
}

const fatal = (reason: SessionEndReason, message: string): CloseVerdict => ({
  retry: false,
  reason,
  message,
});

export function classifyClose(info: CloseInfo): CloseVerdict {
  if (info.subprotocolRejected === true) {
    return fatal(
      'unsupported-version',
      'The relay does not speak this version of the support protocol. Update Printo Help.',
    );
  }
  if (info.proxyFailure !== undefined) return classifyProxy(info.proxyFailure);
  if (info.httpStatus !== undefined) return classifyHttp(info.httpStatus);
  switch (info.code) {
    case CloseCode.authFailed:
      return fatal('auth-failed', 'The relay did not accept this computer’s credentials.');
    case CloseCode.resumeRejected:
      return fatal('resume-rejected', 'The relay could not resume the session.');
    case CloseCode.unsupportedVersion:
      return fatal(
        'unsupported-version',
        'The relay does not speak this version of the support protocol. Update Printo Help.',
      );
    case CloseCode.replaced:
      return fatal('replaced', 'The session was taken over by another connection.');
    // A frame of ours broke the rules; sending it again on resume would break them again.
    case CloseCode.policyViolation:
    case CloseCode.messageTooBig:
    case CloseCode.normal:
      return fatal('closed-by-relay', `The relay closed the connection (${info.code}).`);
    case CloseCode.rateLimited:
      return { retry: true, rateLimited: true };
    // 1001 going away (relay restarting), 1006 dropped, 1011 relay error, 1013 try again later,
    // and anything unknown: the resume window decides when to give up.
    default:
      return { retry: true, rateLimited: info.code === CloseCode.tryAgainLater };
  }
}

/**
 * A proxy that wants credentials will want them on every retry; one that refuses the relay by
 * rule (403) too. One that cannot reach the relay (502, 503, 504) or cannot be reached is like a
 * dropped network: the resume window decides.
 */
function classifyProxy(failure: ProxyFailure): CloseVerdict {
  if (failure.code === 'proxy-auth-required') return fatal('proxy-auth-required', failure.message);
  if (failure.code === 'proxy-refused' && !isGatewayFailure(failure.status)) {
    return fatal('proxy-refused', failure.message);
  }
  return { retry: true, rateLimited: false };
}

function classifyHttp(status: number): CloseVerdict {
  if (status === 401 || status === 403) {
    return fatal(
      'auth-failed',
      'The relay did not accept this computer’s credentials; enrol it again.',
    );
  }
  return { retry: true, rateLimited: status === 429 || status === 503 };
}

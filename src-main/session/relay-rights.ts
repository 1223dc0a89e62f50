/**
 * The device's rights over the relay's copy of its support sessions (docs/protocol.md §2, "The
 * device's rights over the relay's copy"; docs/privacy.md §5): list, export, erase, restrict,
 * object and correct, authenticated with this computer's own credentials like the WebSocket, and
 * through the same proxy (src-main/session/relay-http.ts). Every answer is checked against the
 * schemas of src-shared/protocol/http.ts; every refusal becomes a PrintoError with the relay's
 * code, and an erasure refused for a legal hold says so (`session-on-hold`), not "failed".
 */
import type { z } from 'zod';
import { PrintoError } from '../../src-shared/errors.ts';
import type { ErrorCode } from '../../src-shared/error-codes.ts';
import {
  DeviceSessionListResponseSchema,
  ErasureResponseSchema,
  HttpErrorBodySchema,
  RectificationRequestSchema,
  RectificationResponseSchema,
  SessionExportResponseSchema,
  SessionRightResponseSchema,
} from '../../src-shared/protocol/http.ts';
import type {
  DeviceSessionListResponse,
  ErasureResponse,
  HttpErrorCode,
  RectificationResponse,
  SessionExportResponse,
  SessionRightResponse,
} from '../../src-shared/protocol/http.ts';
import type { ProxyEnv, ProxySetting } from './proxy.ts';
import { jsonOf, relayRequest } from './relay-http.ts';
import type { RelayHttpRequest } from './relay-http.ts';
import { relayEndpoints } from './relay-url.ts';
import type { DeviceCredentials } from './types.ts';

export type RelaySessionSummary = DeviceSessionListResponse['sessions'][number];

export interface RelayRightsOptions {
  /** `https://relay.example.com` (plain `http:` only to loopback). */
  readonly relayUrl: string;
  readonly credentials: DeviceCredentials;
  /** The policy's `proxy`; default `system`. */
  readonly proxy?: ProxySetting | undefined;
  /** Where `system` reads HTTPS_PROXY and NO_PROXY; default process.env. */
  readonly env?: ProxyEnv | undefined;
  /** Each request's time-out; default 15 s. */
  readonly timeoutMs?: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** The relay's HTTP error codes, as our stable codes (src-shared/error-codes.ts). */
const CODE_OF: Partial<Record<HttpErrorCode, ErrorCode>> = {
  'device-auth-failed': 'device-auth-failed',
  'session-on-hold': 'session-on-hold',
  'session-open': 'session-open',
  'message-not-found': 'message-not-found',
  'transcript-deleted': 'transcript-deleted',
  'not-found': 'session-not-found',
  'rate-limited': 'relay-rate-limited',
};

const LIST_HINT =
  'List this computer’s sessions at the relay with `printo-help transcripts relay list`.';

const HINT_OF: Partial<Record<ErrorCode, string>> = {
  'device-auth-failed':
    'This computer’s enrolment is no longer accepted (it may have been revoked); enrol it again with `printo-help enroll --force`.',
  'session-on-hold':
    'Nothing was erased. Your request is recorded; ask again once the legal hold ends.',
  'session-open': 'End the session first, then ask again.',
  'session-not-found': LIST_HINT,
  'message-not-found':
    'Only your own messages can be corrected; `printo-help transcripts relay export SESSION` shows their ids.',
  'transcript-deleted': 'The relay no longer keeps this session’s transcript.',
  'relay-rate-limited': 'Wait a few seconds, then try again.',
};

export class RelayRights {
  private readonly endpoint: URL;
  private readonly authorization: string;
  private readonly options: RelayRightsOptions;

  constructor(options: RelayRightsOptions) {
    this.endpoint = relayEndpoints(options.relayUrl).deviceSessions;
    if (options.credentials.deviceId.includes(':')) {
      throw new PrintoError('credentials-invalid', 'A device id cannot contain ":".', {
        hint: 'Enrol this computer again.',
      });
    }
    this.options = options;
    // The secret travels in a header, never in the URL, which ends up in logs.
    this.authorization = `Basic ${Buffer.from(
      `${options.credentials.deviceId}:${options.credentials.deviceSecret}`,
    ).toString('base64')}`;
  }

  /** This device's sessions as the relay keeps them (access). */
  async list(): Promise<readonly RelaySessionSummary[]> {
    const body = await this.call(this.endpoint, { method: 'GET' }, DeviceSessionListResponseSchema);
    return body.sessions;
  }

  /** One session with its transcript, corrections and consent receipts (access, portability). */
  export(sessionId: string): Promise<SessionExportResponse> {
    return this.call(this.at(sessionId, 'export'), { method: 'GET' }, SessionExportResponseSchema);
  }

  /** Erase it now; `session-on-hold` under a legal hold (nothing erased, the request recorded). */
  erase(sessionId: string): Promise<ErasureResponse> {
    return this.call(this.at(sessionId, 'erasure'), { method: 'POST' }, ErasureResponseSchema);
  }

  /** Restrict its processing: the relay keeps it but no agent may take a copy. */
  restrict(sessionId: string): Promise<SessionRightResponse> {
    return this.call(
      this.at(sessionId, 'restriction'),
      { method: 'POST' },
      SessionRightResponseSchema,
    );
  }

  /** Object to its processing (no service-improvement use). */
  object(sessionId: string): Promise<SessionRightResponse> {
    return this.call(
      this.at(sessionId, 'objection'),
      { method: 'POST' },
      SessionRightResponseSchema,
    );
  }

  /** Append a correction of one of this device's own messages; the original stays. */
  correct(sessionId: string, messageId: string, text: string): Promise<RectificationResponse> {
    const parsed = RectificationRequestSchema.safeParse({ messageId, text });
    if (!parsed.success) {
      throw new PrintoError(
        'transcripts-invalid-request',
        'A correction needs a message id and a text of 1 to 4,000 characters.',
      );
    }
    return this.call(
      this.at(sessionId, 'rectification'),
      { method: 'POST', json: parsed.data },
      RectificationResponseSchema,
    );
  }

  private at(sessionId: string, action: string): URL {
    if (sessionId === '' || sessionId.length > 128) {
      throw new PrintoError('session-not-found', 'That is not a session id.', {
        hint: LIST_HINT,
      });
    }
    const url = new URL(this.endpoint.href);
    url.pathname = `${url.pathname}/${encodeURIComponent(sessionId)}/${action}`;
    return url;
  }

  private async call<T extends z.ZodType>(
    url: URL,
    request: RelayHttpRequest,
    schema: T,
  ): Promise<z.output<T>> {
    const response = await relayRequest(
      url,
      { ...request, headers: { authorization: this.authorization } },
      {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        proxy: this.options.proxy,
        env: this.options.env,
      },
    );
    const body = jsonOf(response);
    if (response.status >= 200 && response.status <= 299) {
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        throw new PrintoError(
          'relay-bad-response',
          `The relay’s answer (HTTP ${response.status}) is not in the form of protocol v1.`,
          { hint: 'The relay may be of another version; tell your IT department.' },
        );
      }
      return parsed.data;
    }
    const refusal = HttpErrorBodySchema.safeParse(body);
    if (!refusal.success) {
      throw new PrintoError(
        'relay-request-failed',
        `The relay answered HTTP ${response.status}${response.status === 404 ? ': it may be too old for this request' : ''}.`,
      );
    }
    const { code, message } = refusal.data.error;
    const ours = CODE_OF[code] ?? 'relay-request-failed';
    const hint = HINT_OF[ours];
    // The relay's message is plain language for the user; its code stays visible for others.
    throw new PrintoError(
      ours,
      ours === 'relay-request-failed' ? `The relay refused (${code}): ${message}` : message,
      hint === undefined ? undefined : { hint },
    );
  }
}

/**
 * One HTTP request to the relay, through the proxy that policy and the environment say
 * (src-main/session/proxy.ts): enrolment and the device's rights requests. node:http(s) with the
 * proxy's agent, so the requests take the same route as the WebSocket (proxy.ts says why not
 * fetch). No redirect is followed: one would carry the enrollment key or the device's
 * credentials somewhere nobody checked.
 */
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import https from 'node:https';
import { PrintoError, isPrintoError } from '../../src-shared/errors.ts';
import { DEFAULT_PROXY_SETTING, relayAgent } from './proxy.ts';
import type { ProxyEnv, ProxySetting } from './proxy.ts';

/*
 * Required, not imported: ESM's facade of node:http reads every export, and one of them loads
 * Node's bundled undici (~30 ms of every start-up, bench/cli-startup.ts); require does not.
 */
const http = createRequire(import.meta.url)('node:http') as typeof Http;

export interface RelayHttpOptions {
  readonly signal: AbortSignal;
  /** The policy's `proxy`; default `system`. */
  readonly proxy?: ProxySetting | undefined;
  /** Where `system` reads the proxy variables; default process.env. */
  readonly env?: ProxyEnv | undefined;
}

export interface RelayHttpRequest {
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON, sent as `application/json`. */
  readonly json?: unknown;
}

export interface RelayHttpResponse {
  readonly status: number;
  readonly text: string;
}

/** A session export is the largest answer; far below this. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export function relayRequest(
  url: URL,
  request: RelayHttpRequest,
  options: RelayHttpOptions,
): Promise<RelayHttpResponse> {
  const agent = relayAgent(options.proxy ?? DEFAULT_PROXY_SETTING, url, options.env ?? process.env);
  const body = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json));
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<RelayHttpResponse>((resolve, reject) => {
    const unreachable = (cause: unknown): PrintoError =>
      new PrintoError('relay-unreachable', `Cannot reach the relay at ${url.origin}.`, {
        hint: 'Check the relay address and the network connection, then try again.',
        cause,
      });
    /** A time-out is the relay (or the way to it) not answering; another abort is the caller's. */
    const aborted = (): Error => {
      const reason: unknown = options.signal.reason;
      if (reason instanceof Error && reason.name === 'TimeoutError') {
        return new PrintoError(
          'relay-unreachable',
          `The relay at ${url.origin} did not answer in time.`,
          {
            hint: 'Check the network connection (and the proxy, if one is used), then try again.',
            cause: reason,
          },
        );
      }
      return reason instanceof Error ? reason : new Error('The request was cancelled.');
    };
    const outgoing = send(
      url,
      {
        method: request.method,
        agent,
        signal: options.signal,
        headers: {
          accept: 'application/json',
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(body.length) }),
          ...request.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            response.destroy();
            reject(
              new PrintoError('relay-bad-response', 'The relay’s answer is far too large.', {}),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', (error) => {
          reject(options.signal.aborted ? aborted() : unreachable(error));
        });
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    outgoing.on('error', (error) => {
      if (options.signal.aborted) reject(aborted());
      // The proxy's own failures say so; anything else is the way to the relay.
      else reject(isPrintoError(error) ? error : unreachable(error));
    });
    outgoing.end(body);
  }).finally(() => {
    agent.destroy();
  });
}

/** The body as JSON, or undefined when it is not JSON. */
export function jsonOf(response: RelayHttpResponse): unknown {
  try {
    return JSON.parse(response.text) as unknown;
  } catch {
    return undefined;
  }
}

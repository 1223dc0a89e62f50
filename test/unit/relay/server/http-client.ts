/** A tiny HTTP(S) client for tests: any header (Origin, Cookie), any body, a CA for TLS. */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The parsed body (undefined when empty). */
  readonly json: unknown;
}

export function call(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Sent as JSON with its content type. */
    json?: unknown;
    ca?: string | Buffer;
  } = {},
): Promise<TestResponse> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          if ((res.headers['content-type'] ?? '').includes('json') && text !== '') {
            json = JSON.parse(text);
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The value of the printo_session cookie in a Set-Cookie header. */
export function sessionCookie(response: TestResponse): string {
  const header = response.headers['set-cookie']?.[0] ?? '';
  const match = /^printo_session=([^;]*)/.exec(header);
  if (match?.[1] === undefined) throw new Error(`no session cookie in ${JSON.stringify(header)}`);
  return match[1];
}

/**
 * IPP over HTTP (RFC 8010 §4, RFC 7472 for ipps): POST application/ipp to a TCP host, a TLS host
 * or a Unix socket (the local CUPS scheduler). Every request has a time-out and an AbortSignal,
 * responses are size-capped, and failures become `PrintoError`s with stable codes.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { PrintoError } from '../../../src-shared/errors.ts';

/*
 * Required, not imported: ESM's facade of node:http reads every export, and one of them loads
 * Node's bundled undici (~30 ms of every start-up, bench/cli-startup.ts); require does not.
 */
const http = createRequire(import.meta.url)('node:http') as typeof Http;

export type IppEndpoint =
  | {
      readonly kind: 'tcp';
      readonly host: string;
      readonly port: number;
      readonly tls: boolean;
      /** HTTP path, e.g. `/` for the CUPS scheduler or `/ipp/print` for a device. */
      readonly path: string;
    }
  | { readonly kind: 'unix'; readonly socketPath: string; readonly path: string };

/** How to decide whether to trust an ipps peer. Printers mostly present self-signed certificates. */
export interface TlsTrust {
  /** Extra certificate authorities (PEM), on top of Node's bundled roots. */
  readonly ca?: string | readonly string[];
  /** SHA-256 fingerprints (`AB:CD:…`, as `openssl x509 -fingerprint -sha256` prints) trusted as-is. */
  readonly pinnedFingerprints?: readonly string[];
  /** Accept any certificate. Explicit opt-in only; never a default. */
  readonly acceptAnyCertificate?: boolean;
}

export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
  /** Whole-request deadline in milliseconds (connect + send + receive). */
  readonly timeoutMs?: number | undefined;
  /** A request that is safe to send twice (everything but job submission). */
  readonly idempotent?: boolean | undefined;
}

export interface TransportOptions {
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly tls?: TlsTrust;
}

export const IppTransportErrorCode = {
  Unreachable: 'ipp-unreachable',
  Timeout: 'ipp-timeout',
  ConnectionLost: 'ipp-connection-lost',
  HttpStatus: 'ipp-http-status',
  NotAuthorized: 'ipp-not-authorized',
  BadResponse: 'ipp-bad-response',
  TooLarge: 'ipp-response-too-large',
  TlsUntrusted: 'ipp-tls-untrusted',
} as const;

const DEFAULT_TIMEOUT_MS = 10_000;
/** CUPS answers a 1,000-queue CUPS-Get-Printers in a few MiB; nothing legitimate comes near this. */
const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EACCES',
  'EPERM',
  'ENOTSOCK',
]);

export function describeEndpoint(endpoint: IppEndpoint): string {
  if (endpoint.kind === 'unix') return endpoint.socketPath;
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.tls ? 'ipps' : 'ipp'}://${host}:${endpoint.port}${endpoint.path}`;
}

/** `ipp://host:631/printers/x` → the HTTP endpoint to POST to (ipp and ipps default to 631). */
export function endpointFromUri(uri: string): IppEndpoint {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new PrintoError('ipp-bad-uri', `Not a valid printer URI: ${JSON.stringify(uri)}`);
  }
  const secure = url.protocol === 'ipps:' || url.protocol === 'https:';
  if (!['ipp:', 'ipps:', 'http:', 'https:'].includes(url.protocol)) {
    throw new PrintoError('ipp-bad-uri', `Not an IPP URI (${url.protocol}): ${uri}`, {
      hint: 'Use an ipp://, ipps://, http:// or https:// address.',
    });
  }
  const defaultPort = url.protocol === 'http:' ? 80 : url.protocol === 'https:' ? 443 : 631;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    kind: 'tcp',
    host,
    port: url.port === '' ? defaultPort : Number(url.port),
    tls: secure,
    path: url.pathname === '' ? '/' : url.pathname,
  };
}

function normaliseFingerprint(fingerprint: string): string {
  return fingerprint.replaceAll(':', '').toUpperCase();
}

/** SHA-256 fingerprint of a DER certificate in the `AB:CD:…` form. */
export function certificateFingerprint(der: Uint8Array): string {
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/**
 * Opens a TLS connection and decides trust before a single byte of the request is sent:
 * a certificate that chains to a trusted CA and matches the host name, or one whose fingerprint
 * was pinned, or anything when `acceptAnyCertificate` was chosen explicitly.
 */
function connectTls(
  endpoint: Extract<IppEndpoint, { kind: 'tcp' }>,
  trust: TlsTrust,
  callback: (error: Error | null, socket: Duplex) => void,
): void {
  const pinned = new Set((trust.pinnedFingerprints ?? []).map(normaliseFingerprint));
  const ca = trust.ca === undefined ? undefined : [...tls.rootCertificates, ...[trust.ca].flat()];
  const socket = tls.connect({
    host: endpoint.host,
    port: endpoint.port,
    // SNI must not carry an IP address (RFC 6066 §3).
    ...(/^[\d.]+$|:/.test(endpoint.host) ? {} : { servername: endpoint.host }),
    ...(ca === undefined ? {} : { ca }),
    minVersion: 'TLSv1.2',
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
  });
  const fail = (error: Error): void => {
    socket.destroy();
    callback(error, socket);
  };
  socket.once('error', fail);
  socket.once('secureConnect', () => {
    socket.off('error', fail);
    const certificate = socket.getPeerCertificate();
    const fingerprint = certificate.raw.length > 0 ? certificateFingerprint(certificate.raw) : '';
    const trusted =
      socket.authorized ||
      trust.acceptAnyCertificate === true ||
      pinned.has(normaliseFingerprint(fingerprint));
    if (!trusted) {
      const why = String(socket.authorizationError);
      fail(
        new PrintoError(
          IppTransportErrorCode.TlsUntrusted,
          `The certificate of ${describeEndpoint(endpoint)} is not trusted (${why}); SHA-256 fingerprint ${fingerprint}.`,
          {
            hint: "Printers often use self-signed certificates. If this fingerprint matches the one on the printer's own status page, trust it (pin the fingerprint); otherwise the address may be answered by another device.",
          },
        ),
      );
      return;
    }
    callback(null, socket);
  });
}

function mapSocketError(error: unknown, endpoint: IppEndpoint, responseStarted: boolean): Error {
  if (error instanceof PrintoError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const where = describeEndpoint(endpoint);
  if (!responseStarted && UNREACHABLE_CODES.has(code)) {
    return new PrintoError(
      IppTransportErrorCode.Unreachable,
      `Cannot connect to ${where} (${code}).`,
      {
        cause: error,
      },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new PrintoError(
    IppTransportErrorCode.ConnectionLost,
    `The connection to ${where} failed${code === '' ? '' : ` (${code})`}: ${detail}`,
    { cause: error },
  );
}

/** POSTs IPP messages; one instance keeps a small pool of keep-alive connections. */
export class IppTransport {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly trust: TlsTrust;

  constructor(options: TransportOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.trust = options.tls ?? {};
  }

  /** Closes idle keep-alive connections so a command-line process can exit at once. */
  close(): void {
    this.agent.destroy();
  }

  async post(
    endpoint: IppEndpoint,
    body: Uint8Array,
    options: RequestOptions = {},
  ): Promise<Uint8Array> {
    options.signal?.throwIfAborted();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const deadline = Date.now() + timeoutMs;
    try {
      return await this.attempt(endpoint, body, options.signal, deadline, timeoutMs);
    } catch (error) {
      // A keep-alive connection the server closed while idle fails on first use; the request
      // never reached it, so sending it again on a fresh connection is safe when idempotent.
      if (error instanceof StaleConnection && options.idempotent !== false) {
        return this.attempt(endpoint, body, options.signal, deadline, timeoutMs);
      }
      if (error instanceof StaleConnection) throw error.mapped;
      throw error;
    }
  }

  private attempt(
    endpoint: IppEndpoint,
    body: Uint8Array,
    signal: AbortSignal | undefined,
    deadline: number,
    timeoutMs: number,
  ): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      let settled = false;
      let responseStarted = false;
      const finish = (error: Error | null, value?: Uint8Array): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error === null && value !== undefined) resolve(value);
        else reject(error ?? new Error('IPP request failed'));
      };

      const headers: Http.OutgoingHttpHeaders = {
        'Content-Type': 'application/ipp',
        'Content-Length': body.byteLength,
        Host:
          endpoint.kind === 'unix'
            ? 'localhost'
            : `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`,
        Accept: 'application/ipp',
      };
      const base: Http.RequestOptions = { method: 'POST', path: endpoint.path, headers };
      let requestOptions: Http.RequestOptions;
      if (endpoint.kind === 'unix') {
        requestOptions = { ...base, socketPath: endpoint.socketPath, agent: this.agent };
      } else if (endpoint.tls) {
        requestOptions = {
          ...base,
          // No agent: Node then uses createConnection, which hands over a verified socket.
          createConnection: (_options, callback) => {
            connectTls(endpoint, this.trust, callback);
            return undefined;
          },
        };
      } else {
        requestOptions = { ...base, host: endpoint.host, port: endpoint.port, agent: this.agent };
      }

      const request = http.request(requestOptions, (response) => {
        responseStarted = true;
        const status = response.statusCode ?? 0;
        const where = describeEndpoint(endpoint);
        if (status === 401 || status === 403) {
          response.resume();
          finish(
            new PrintoError(
              IppTransportErrorCode.NotAuthorized,
              `${where} refused the request (HTTP ${status}).`,
              {
                hint: 'The print service requires authentication or does not allow this from this user.',
              },
            ),
          );
          return;
        }
        if (status !== 200) {
          response.resume();
          const upgrade = status === 426 ? ' It requires an encrypted (ipps) connection.' : '';
          finish(
            new PrintoError(
              IppTransportErrorCode.HttpStatus,
              `${where} answered HTTP ${status} ${response.statusMessage ?? ''}.${upgrade}`.replace(
                ' .',
                '.',
              ),
            ),
          );
          return;
        }
        const type = (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        if (type !== 'application/ipp') {
          response.resume();
          finish(
            new PrintoError(
              IppTransportErrorCode.BadResponse,
              `${where} did not answer with IPP (Content-Type: ${type === '' ? 'none' : type}).`,
              { hint: 'Check that the address points at a printer or print server.' },
            ),
          );
          return;
        }
        const declared = Number(response.headers['content-length'] ?? Number.NaN);
        if (declared > this.maxResponseBytes) {
          finish(tooLarge(where, this.maxResponseBytes));
          response.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            finish(tooLarge(where, this.maxResponseBytes));
            response.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          const all = Buffer.concat(chunks, size);
          finish(null, new Uint8Array(all.buffer, all.byteOffset, all.byteLength));
        });
        response.on('error', (error) => {
          finish(mapSocketError(error, endpoint, true));
        });
        response.on('aborted', () => {
          finish(mapSocketError(new Error('response aborted'), endpoint, true));
        });
      });

      request.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        if (request.reusedSocket && !responseStarted && error.code === 'ECONNRESET') {
          finish(new StaleConnection(mapSocketError(error, endpoint, responseStarted)));
          return;
        }
        finish(mapSocketError(error, endpoint, responseStarted));
      });

      const onTimeout = (): void => {
        finish(
          new PrintoError(
            IppTransportErrorCode.Timeout,
            `No answer from ${describeEndpoint(endpoint)} within ${timeoutMs} ms.`,
            { hint: 'The printer or print service may be busy, asleep or unreachable.' },
          ),
        );
        request.destroy();
      };
      const onAbort = (): void => {
        const reason: unknown = signal?.reason;
        finish(reason instanceof Error ? reason : new Error('aborted'));
        request.destroy();
      };
      const timer = setTimeout(onTimeout, Math.max(0, deadline - Date.now()));
      signal?.addEventListener('abort', onAbort, { once: true });
      request.end(body);
    });
  }
}

class StaleConnection extends Error {
  readonly mapped: Error;
  constructor(mapped: Error) {
    super(mapped.message);
    this.mapped = mapped;
  }
}

function tooLarge(where: string, limit: number): PrintoError {
  return new PrintoError(
    IppTransportErrorCode.TooLarge,
    `The response from ${where} is larger than ${Math.round(limit / 1024 / 1024)} MiB.`,
  );
}

/**
 * The transport on real loopback sockets. Real CUPS and ippeveprinter cover the happy path in
 * test/integration; here small servers inject what a real print service will not do on demand:
 * silence, garbage, huge answers, wrong content types, untrusted certificates.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { IppClient } from '../../../../src-main/printers/ipp/client.ts';
import { decodeMessage, encodeMessage } from '../../../../src-main/printers/ipp/codec.ts';
import {
  IppTransport,
  certificateFingerprint,
  endpointFromUri,
} from '../../../../src-main/printers/ipp/transport.ts';
import type { IppEndpoint } from '../../../../src-main/printers/ipp/transport.ts';

const fixtures = new URL('../../../fixtures/tls/', import.meta.url);
const cert = readFileSync(new URL('localhost.crt', fixtures), 'utf8');
const key = readFileSync(new URL('localhost.key', fixtures), 'utf8');

type Handler = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void;

const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function okResponse(requestBody: Buffer): Uint8Array {
  const request = decodeMessage(requestBody);
  return encodeMessage({
    version: { major: 2, minor: 0 },
    code: 0,
    requestId: request.requestId,
    groups: [
      {
        tag: 'operation',
        attributes: [
          { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
          {
            name: 'attributes-natural-language',
            values: [{ tag: 'naturalLanguage', value: 'en' }],
          },
        ],
      },
      {
        tag: 'printer',
        attributes: [{ name: 'printer-state', values: [{ tag: 'enum', value: 3 }] }],
      },
    ],
    data: new Uint8Array(0),
  });
}

const answerOk: Handler = (_request, body, response) => {
  response.writeHead(200, { 'Content-Type': 'application/ipp' });
  response.end(okResponse(body));
};

async function listen(
  server: http.Server | https.Server | net.Server,
  where: number | string = 0,
): Promise<number> {
  await new Promise<void>((resolve) => {
    if (typeof where === 'string') server.listen(where, resolve);
    else server.listen(where, '127.0.0.1', resolve);
  });
  servers.push({
    close: () => {
      server.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
    },
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function withBody(handler: Handler): http.RequestListener {
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      handler(request, Buffer.concat(chunks), response);
    });
  };
}

async function ippServer(handler: Handler): Promise<IppEndpoint> {
  const port = await listen(http.createServer(withBody(handler)));
  return { kind: 'tcp', host: '127.0.0.1', port, tls: false, path: '/ipp/print' };
}

const uri = 'ipp://127.0.0.1/ipp/print';

describe('IPP transport', () => {
  const transport = new IppTransport({ timeoutMs: 2_000 });
  afterAll(() => {
    transport.close();
  });

  it('sends application/ipp over HTTP POST and returns the decoded answer', async () => {
    let seen: http.IncomingHttpHeaders | undefined;
    const endpoint = await ippServer((request, body, response) => {
      seen = request.headers;
      answerOk(request, body, response);
    });
    const client = new IppClient(endpoint, { transport });
    const response = await client.getPrinterAttributes(uri);
    expect(response.printers()[0]?.enumName('printer-state')).toBe('idle');
    expect(seen?.['content-type']).toBe('application/ipp');
  });

  it('talks to a Unix socket (the local CUPS scheduler)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printo-ipp-'));
    try {
      const socketPath = join(dir, 'cups.sock');
      await listen(http.createServer(withBody(answerOk)), socketPath);
      const client = new IppClient({ kind: 'unix', socketPath, path: '/' }, { transport });
      const response = await client.getPrinterAttributes('ipp://localhost/printers/x');
      expect(response.statusName).toBe('successful-ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('times out on a peer that accepts and never answers', async () => {
    const silent = net.createServer(() => {
      /* accept, read nothing back */
    });
    const port = await listen(silent);
    const client = new IppClient(
      { kind: 'tcp', host: '127.0.0.1', port, tls: false, path: '/' },
      { transport },
    );
    const started = performance.now();
    await expect(client.getPrinterAttributes(uri, {}, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'ipp-timeout',
    });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('stops at once when the caller aborts', async () => {
    const silent = net.createServer(() => {
      /* never answers */
    });
    const port = await listen(silent);
    const client = new IppClient(
      { kind: 'tcp', host: '127.0.0.1', port, tls: false, path: '/' },
      { transport },
    );
    const controller = new AbortController();
    const pending = client.getPrinterAttributes(uri, {}, { signal: controller.signal });
    controller.abort(new Error('user closed the window'));
    await expect(pending).rejects.toThrow('user closed the window');
  });

  it('reports a closed port and a missing socket as unreachable', async () => {
    const probe = net.createServer();
    const port = await listen(probe);
    probe.close();
    const tcp = new IppClient(
      { kind: 'tcp', host: '127.0.0.1', port, tls: false, path: '/' },
      { transport },
    );
    await expect(tcp.getPrinterAttributes(uri)).rejects.toMatchObject({ code: 'ipp-unreachable' });
    const unix = new IppClient(
      { kind: 'unix', socketPath: join(tmpdir(), 'printo-no-such.sock'), path: '/' },
      { transport },
    );
    await expect(unix.getPrinterAttributes(uri)).rejects.toMatchObject({
      code: 'ipp-unreachable',
      message: expect.stringContaining('printo-no-such.sock') as unknown,
    });
  });

  it('refuses responses over the size cap, declared or streamed', async () => {
    const small = new IppTransport({ maxResponseBytes: 64 * 1024 });
    try {
      const declared = await ippServer((_request, _body, response) => {
        response.writeHead(200, {
          'Content-Type': 'application/ipp',
          'Content-Length': 10_000_000,
        });
        response.write(Buffer.alloc(1024));
      });
      await expect(
        new IppClient(declared, { transport: small }).getPrinterAttributes(uri),
      ).rejects.toMatchObject({
        code: 'ipp-response-too-large',
      });
      const streamed = await ippServer((_request, _body, response) => {
        response.writeHead(200, { 'Content-Type': 'application/ipp' });
        const chunk = Buffer.alloc(16 * 1024, 0x41);
        const pump = (): void => {
          while (response.write(chunk)) {
            /* fill the socket buffer */
          }
          response.once('drain', pump);
        };
        pump();
      });
      await expect(
        new IppClient(streamed, { transport: small }).getPrinterAttributes(uri),
      ).rejects.toMatchObject({
        code: 'ipp-response-too-large',
      });
    } finally {
      small.close();
    }
  });

  it('names HTTP failures: wrong content type, authentication, encryption required', async () => {
    const html = await ippServer((_request, _body, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<html>router login</html>');
    });
    await expect(
      new IppClient(html, { transport }).getPrinterAttributes(uri),
    ).rejects.toMatchObject({
      code: 'ipp-bad-response',
      message: expect.stringContaining('text/html') as unknown,
    });
    const auth = await ippServer((_request, _body, response) => {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="CUPS"' });
      response.end();
    });
    await expect(
      new IppClient(auth, { transport }).getPrinterAttributes(uri),
    ).rejects.toMatchObject({
      code: 'ipp-not-authorized',
    });
    const upgrade = await ippServer((_request, _body, response) => {
      response.writeHead(426);
      response.end();
    });
    await expect(
      new IppClient(upgrade, { transport }).getPrinterAttributes(uri),
    ).rejects.toMatchObject({
      code: 'ipp-http-status',
      message: expect.stringContaining('encrypted') as unknown,
    });
  });

  it('turns a garbage body into IPP_MALFORMED and a wrong request-id into an error', async () => {
    const garbage = await ippServer((_request, _body, response) => {
      response.writeHead(200, { 'Content-Type': 'application/ipp' });
      response.end(Buffer.from('0200000000000001040101', 'hex'));
    });
    await expect(
      new IppClient(garbage, { transport }).getPrinterAttributes(uri),
    ).rejects.toMatchObject({
      code: 'ipp-malformed',
    });
    const wrongId = await ippServer((_request, body, response) => {
      const answer = okResponse(body);
      new DataView(answer.buffer, answer.byteOffset).setInt32(4, 999_999);
      response.writeHead(200, { 'Content-Type': 'application/ipp' });
      response.end(answer);
    });
    await expect(new IppClient(wrongId, { transport }).getPrinterAttributes(uri)).rejects.toThrow(
      /request-id 999999/,
    );
  });

  it('turns a non-successful IPP status into IppStatusError with its name', async () => {
    const endpoint = await ippServer((_request, body, response) => {
      const answer = okResponse(body);
      new DataView(answer.buffer, answer.byteOffset).setUint16(2, 0x0406);
      response.writeHead(200, { 'Content-Type': 'application/ipp' });
      response.end(answer);
    });
    await expect(
      new IppClient(endpoint, { transport }).getPrinterAttributes(uri),
    ).rejects.toMatchObject({
      code: 'ipp-status',
      statusName: 'client-error-not-found',
    });
  });
});

describe('ipps certificate handling', () => {
  async function tlsPrinter(): Promise<{ port: number; requests: () => number }> {
    let requests = 0;
    const server = https.createServer(
      { cert, key },
      withBody((request, body, response) => {
        requests += 1;
        answerOk(request, body, response);
      }),
    );
    const port = await listen(server);
    return { port, requests: () => requests };
  }

  const der = Buffer.from(cert.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const fingerprint = certificateFingerprint(der);

  it('refuses a self-signed certificate, names its fingerprint, and sends nothing', async () => {
    const printer = await tlsPrinter();
    const client = IppClient.forUri(`ipps://localhost:${printer.port}/ipp/print`, {
      timeoutMs: 2_000,
    });
    await expect(client.getPrinterAttributes('ipps://localhost/ipp/print')).rejects.toMatchObject({
      code: 'ipp-tls-untrusted',
      message: expect.stringContaining(fingerprint) as unknown,
    });
    expect(printer.requests()).toBe(0);
  });

  it('accepts the certificate when its fingerprint is pinned', async () => {
    const printer = await tlsPrinter();
    const client = IppClient.forUri(`ipps://localhost:${printer.port}/ipp/print`, {
      tls: { pinnedFingerprints: [fingerprint.toLowerCase()] },
    });
    const response = await client.getPrinterAttributes('ipps://localhost/ipp/print');
    expect(response.printers()[0]?.enumName('printer-state')).toBe('idle');
  });

  it('accepts a certificate that chains to a given CA and matches the host', async () => {
    const printer = await tlsPrinter();
    const client = IppClient.forUri(`ipps://localhost:${printer.port}/ipp/print`, {
      tls: { ca: cert },
    });
    await expect(client.getPrinterAttributes('ipps://localhost/ipp/print')).resolves.toBeDefined();
    expect(printer.requests()).toBe(1);
  });
});

describe('endpointFromUri', () => {
  it('maps ipp and ipps URIs to HTTP endpoints on port 631 by default', () => {
    expect(endpointFromUri('ipp://printer.example/ipp/print')).toEqual({
      kind: 'tcp',
      host: 'printer.example',
      port: 631,
      tls: false,
      path: '/ipp/print',
    });
    expect(endpointFromUri('ipps://[::1]:8631/ipp/print')).toMatchObject({
      host: '::1',
      port: 8631,
      tls: true,
    });
  });

  it('rejects other schemes and garbage with a clear error', () => {
    expect(() => endpointFromUri('socket://192.0.2.10:9100')).toThrow(/Not an IPP URI/);
    expect(() => endpointFromUri('not a uri')).toThrow(/Not a valid printer URI/);
  });
});

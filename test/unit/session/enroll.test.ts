import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { enroll } from '../../../src-main/session/enroll.ts';
import { isPrintoError } from '../../../src-shared/errors.ts';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real HTTP server on loopback that answers /v1/enroll as told. */
async function relay(
  answer: (body: unknown, response: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      const body: unknown = JSON.parse(raw);
      seen.push({
        method: request.method,
        url: request.url,
        contentType: request.headers['content-type'],
        body,
      });
      answer(body, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

describe('enroll', () => {
  it('posts the key and the device name and returns the credentials', async () => {
    const { url, seen } = await relay((_body, response) => {
      json(response, 201, { deviceId: 'dev-6a0d', deviceSecret: 'pds_kq9' });
    });
    const credentials = await enroll(
      url,
      { enrollmentKey: ' pek_3sX ', deviceName: 'WS-ACCOUNTS-07' },
      { signal: AbortSignal.timeout(5_000) },
    );
    expect(credentials).toEqual({ deviceId: 'dev-6a0d', deviceSecret: 'pds_kq9' });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/v1/enroll',
        contentType: 'application/json',
        body: { enrollmentKey: 'pek_3sX', deviceName: 'WS-ACCOUNTS-07' },
      },
    ]);
  });

  it('keeps a path prefix of the relay address', async () => {
    const { url, seen } = await relay((_body, response) => {
      json(response, 201, { deviceId: 'dev-1', deviceSecret: 'pds_1' });
    });
    await enroll(
      `${url}/printo`,
      { enrollmentKey: 'k', deviceName: 'n' },
      { signal: AbortSignal.timeout(5_000) },
    );
    expect(seen[0]?.url).toBe('/printo/v1/enroll');
  });

  it('says the key was rejected, with the relay’s words, on 401', async () => {
    const { url } = await relay((_body, response) => {
      json(response, 401, {
        error: { code: 'enrollment-key-invalid', message: 'The enrollment key is not valid.' },
      });
    });
    const failure = enroll(
      url,
      { enrollmentKey: 'wrong', deviceName: 'n' },
      { signal: AbortSignal.timeout(5_000) },
    );
    await expect(failure).rejects.toSatisfy(
      (error) =>
        isPrintoError(error, 'enroll-key-rejected') &&
        error.message.includes('The enrollment key is not valid.'),
    );
  });

  it('refuses an answer without usable credentials', async () => {
    const { url } = await relay((_body, response) => {
      json(response, 201, { deviceId: 'has:colon', deviceSecret: 'x' });
    });
    await expect(
      enroll(url, { enrollmentKey: 'k', deviceName: 'n' }, { signal: AbortSignal.timeout(5_000) }),
    ).rejects.toSatisfy((error) => isPrintoError(error, 'enroll-bad-response'));
  });

  it('refuses plain http to another host before sending anything', async () => {
    // Anything sent would go to this proxy on loopback, never to relay.example.com.
    let connections = 0;
    const proxy = createServer();
    proxy.on('connection', () => (connections += 1));
    servers.push(proxy);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    await expect(
      enroll(
        'http://relay.example.com',
        { enrollmentKey: 'k', deviceName: 'n' },
        {
          signal: AbortSignal.timeout(5_000),
          proxy: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        },
      ),
    ).rejects.toSatisfy(
      (error) =>
        isPrintoError(error, 'relay-url-insecure') &&
        error.hint?.includes('https://relay.example.com') === true,
    );
    expect(connections).toBe(0);
  });

  it('says the relay cannot be reached when nothing listens', async () => {
    const { url } = await relay(() => undefined);
    const server = servers.pop();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await expect(
      enroll(url, { enrollmentKey: 'k', deviceName: 'n' }, { signal: AbortSignal.timeout(5_000) }),
    ).rejects.toSatisfy((error) => isPrintoError(error, 'relay-unreachable'));
  });
});

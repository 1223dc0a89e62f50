/**
 * Printo Relay's network front: one HTTP or HTTPS server on one address, the HTTP endpoints,
 * a hook for WebSocket upgrades (the session hub), the hourly retention purge and a graceful
 * stop. It refuses to serve plain HTTP off loopback (remote-support.md: `wss` only off loopback)
 * unless told that TLS is terminated in front of it.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { PrintoError } from '../../src-shared/errors.ts';
import type { RetentionPeriods, Store } from '../store/store.ts';
import { systemClock } from '../../src-shared/clock.ts';
import type { Clock, TimerHandle } from '../../src-shared/clock.ts';
import type { Logger, Metrics, UpgradeAuthenticator } from './contracts.ts';
import { createAgentAccess } from './agent-access.ts';
import type { AgentAccess } from './agent-access.ts';
import { createUpgradeAuthenticator } from './auth.ts';
import { createHttpHandler } from './http.ts';
import type { HttpLimits } from './http.ts';
import { createLogger, errorFields } from './logger.ts';
import { createMetrics } from './metrics.ts';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4280;
export const DEFAULT_PURGE_INTERVAL_MS = 60 * 60_000;
/** How long a graceful stop waits for the session hub and open connections before cutting. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export const RelayErrorCode = {
  InsecureBind: 'insecure-bind',
  BadAddress: 'bad-address',
  TlsFiles: 'tls-files',
  Listen: 'listen-failed',
} as const;

/** What the HTTP side and the session hub share. Build it first to hand `auth` to the hub. */
export interface RelayContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly access: AgentAccess;
  readonly auth: UpgradeAuthenticator;
}

export function createRelayContext(options: {
  store: Store;
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
  /** Browser origins allowed besides the relay's own (added by startRelay once bound). */
  allowedOrigins?: readonly string[];
  webSessionTtlMs?: number;
  ticketTtlMs?: number;
}): RelayContext {
  const clock = options.clock ?? systemClock;
  const access = createAgentAccess({
    clock,
    ...(options.allowedOrigins === undefined ? {} : { allowedOrigins: options.allowedOrigins }),
    ...(options.webSessionTtlMs === undefined ? {} : { webSessionTtlMs: options.webSessionTtlMs }),
    ...(options.ticketTtlMs === undefined ? {} : { ticketTtlMs: options.ticketTtlMs }),
  });
  return {
    store: options.store,
    clock,
    logger: options.logger ?? createLogger(),
    metrics: options.metrics ?? createMetrics(),
    access,
    auth: createUpgradeAuthenticator({ store: options.store, access }),
  };
}

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface RelayOptions {
  /** The relay owns it from now on: `stop()` closes it, last. */
  readonly store: Store;
  readonly retention: RetentionPeriods;
  /** Default 127.0.0.1. Anything but loopback needs `tls` or `force`. */
  readonly host?: string;
  /** Default 4280; 0 picks a free port. */
  readonly port?: number;
  /** PEM files; TLS 1.2 or later only. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Serve plain HTTP off loopback anyway (TLS terminated by a proxy in front). */
  readonly force?: boolean;
  /**
   * The URL agents' browsers use when it is not the bound address (a proxy, a DNS name). Its
   * origin is allowed, and an https URL makes cookies `Secure`.
   */
  readonly publicUrl?: string;
  /** Extra browser origins allowed on the agent endpoints. */
  readonly allowedOrigins?: readonly string[];
  /** Shared parts; built from `store` and the fields below when absent. */
  readonly context?: RelayContext;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** The session hub's upgrade handler; upgrades are refused with 404 without one. */
  readonly onUpgrade?: UpgradeHandler;
  /** Called first thing in `stop()`: end sessions with this reason and close their sockets. */
  readonly onShutdown?: (reason: string) => Promise<void> | void;
  readonly purgeIntervalMs?: number;
  readonly shutdownGraceMs?: number;
  readonly httpLimits?: Partial<HttpLimits>;
}

export interface RunningRelay {
  /** Where the relay answers (its public URL when one was given). */
  readonly url: string;
  readonly port: number;
  readonly context: RelayContext;
  /** Runs the retention purge now and returns what it removed. */
  purgeNow(): ReturnType<Store['purge']>;
  /** Graceful: healthz 503, sessions ended with `reason`, server closed, store closed last. */
  stop(options?: { reason?: string }): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
  }
  return false;
}

/**
 * Throws before anything is bound when the address is not loopback and there is no TLS and no
 * `force`: an agent's password and cookie would cross the network in clear.
 */
export function checkBindSecurity(options: { host: string; tls: boolean; force: boolean }): void {
  if (isLoopbackHost(options.host) || options.tls || options.force) return;
  throw new PrintoError(
    RelayErrorCode.InsecureBind,
    `Refusing to serve plain HTTP on ${options.host}: passwords, cookies and chat would cross the network unencrypted.`,
    {
      hint: 'Give a certificate and key (--tls-cert FILE --tls-key FILE), bind 127.0.0.1, or --force-insecure when a TLS proxy terminates connections in front of the relay.',
    },
  );
}

function readTls(files: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new PrintoError(RelayErrorCode.TlsFiles, `Cannot read the TLS ${what} ${file}.`, {
        hint: 'Check the path and that this user may read it.',
        cause: error,
      });
    }
  };
  return { cert: read(files.certFile, 'certificate'), key: read(files.keyFile, 'key') };
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const hint =
        error.code === 'EADDRINUSE'
          ? `Another program uses port ${port}: choose another with --port, or stop it.`
          : error.code === 'EACCES'
            ? 'Ports below 1024 need privileges: choose a port above 1024.'
            : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
              ? `${host} is not an address of this machine.`
              : undefined;
      reject(
        new PrintoError(
          RelayErrorCode.Listen,
          `Cannot listen on ${urlHost(host)}:${port} (${error.code ?? error.message}).`,
          hint === undefined ? { cause: error } : { hint, cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function refuseUpgrade(socket: Duplex, status: 404 | 503): void {
  const text = status === 404 ? 'Not Found' : 'Service Unavailable';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => {
    socket.destroy();
  });
}

export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new PrintoError(RelayErrorCode.BadAddress, `Not a port number: ${port}.`, {
      hint: 'Use 1–65535, or 0 to pick a free one.',
    });
  }
  checkBindSecurity({ host, tls: options.tls !== undefined, force: options.force === true });
  const publicUrl = options.publicUrl === undefined ? undefined : URL.parse(options.publicUrl);
  if (publicUrl === null || (publicUrl !== undefined && !/^https?:$/.test(publicUrl.protocol))) {
    throw new PrintoError(
      RelayErrorCode.BadAddress,
      `The public URL ${JSON.stringify(options.publicUrl)} is not an http(s) URL.`,
      { hint: 'Give the URL agents open in their browser, e.g. https://relay.example.com.' },
    );
  }
  const tls = options.tls === undefined ? undefined : readTls(options.tls);

  const context =
    options.context ??
    createRelayContext({
      store: options.store,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    });
  const { store, clock, logger } = context;
  if (options.allowedOrigins !== undefined) context.access.origins.allow(options.allowedOrigins);

  let shuttingDown = false;
  const handler = createHttpHandler({
    store,
    clock,
    logger,
    metrics: context.metrics,
    access: context.access,
    secureCookies: tls !== undefined || publicUrl?.protocol === 'https:',
    isShuttingDown: () => shuttingDown,
    ...(options.httpLimits === undefined ? {} : { limits: options.httpLimits }),
  });
  const server: Server =
    tls === undefined
      ? createHttpServer(handler)
      : createHttpsServer({ ...tls, minVersion: 'TLSv1.2' }, handler);
  // Slow-loris guards: a request has 10 s for its headers and 15 s in all.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;

  // Upgraded sockets leave the HTTP server's bookkeeping; track them for the graceful stop.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    if (shuttingDown) {
      refuseUpgrade(socket, 503);
      return;
    }
    if (options.onUpgrade === undefined) {
      refuseUpgrade(socket, 404);
      return;
    }
    try {
      options.onUpgrade(request, socket, head);
    } catch (error) {
      logger.error('ws.upgrade-failed', {
        ...errorFields(error),
      });
      socket.destroy();
    }
  });

  const boundPort = await listen(server, host, port);
  const scheme = tls === undefined ? 'http' : 'https';
  const own = [`${scheme}://${urlHost(host)}:${boundPort}`];
  if (isLoopbackHost(host)) {
    for (const h of ['localhost', '127.0.0.1', '[::1]']) own.push(`${scheme}://${h}:${boundPort}`);
  }
  if (publicUrl !== undefined) own.push(publicUrl.origin);
  context.access.origins.allow(own);
  const url = publicUrl?.href.replace(/\/$/, '') ?? own[0] ?? '';

  if (!isLoopbackHost(host) && tls === undefined) {
    logger.warn('relay.insecure-forced', { host });
  }
  if (!isLoopbackHost(host) && publicUrl === undefined && options.allowedOrigins === undefined) {
    // Browsers will come by a DNS name the relay cannot guess; without it, their Origin fails.
    logger.warn('relay.no-public-url', { host });
  }

  const purgeNow = (): ReturnType<Store['purge']> => {
    const result = store.purge(new Date(clock.now()), options.retention);
    logger.info('retention.purged', {
      sessions: result.sessions,
      chatMessages: result.chatMessages,
      consentReceipts: result.consentReceipts,
      heldBack: result.heldBack,
    });
    return result;
  };
  const purgeSafely = (): void => {
    try {
      purgeNow();
    } catch (error) {
      logger.error('retention.purge-failed', {
        ...errorFields(error),
      });
    }
  };
  // Once at start (a relay restarted every night would otherwise never purge), then hourly.
  purgeSafely();
  const purgeTimer = clock.setInterval(
    purgeSafely,
    options.purgeIntervalMs ?? DEFAULT_PURGE_INTERVAL_MS,
    { unref: true },
  );

  logger.info('relay.started', { host, port: boundPort, tls: tls !== undefined });

  const grace = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  let stopping: Promise<void> | undefined;
  const stop = async (reason: string): Promise<void> => {
    shuttingDown = true;
    clock.clearTimeout(purgeTimer);
    logger.info('relay.stopping', { reason });
    const withGrace = async (work: Promise<unknown>, what: string): Promise<void> => {
      let timer: TimerHandle | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = clock.setTimeout(() => {
          resolve('late');
        }, grace);
      });
      try {
        if ((await Promise.race([work, late])) === 'late')
          logger.warn('relay.stop-timeout', { what });
      } catch (error) {
        logger.error('relay.stop-failed', {
          what,
          ...errorFields(error),
        });
      } finally {
        clock.clearTimeout(timer);
      }
    };
    // Sessions first, so that each ends with its reason and its last records are written.
    if (options.onShutdown !== undefined) {
      const hook = options.onShutdown;
      await withGrace(
        Promise.resolve().then(() => hook(reason)),
        'sessions',
      );
    }
    // Then let the peers finish the WebSocket closing handshake, and cut the ones that do not.
    await withGrace(
      Promise.all(
        [...upgraded].map(
          (socket) =>
            new Promise((resolve) => {
              if (socket.destroyed) resolve(undefined);
              else socket.once('close', resolve);
            }),
        ),
      ),
      'websockets',
    );
    for (const socket of upgraded) socket.destroy();
    const closed = new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    server.closeIdleConnections();
    await withGrace(closed, 'connections');
    server.closeAllConnections();
    // Last: nothing can write to the store any more.
    store.close();
    logger.info('relay.stopped', { reason });
  };

  return {
    url,
    port: boundPort,
    context,
    purgeNow,
    stop: (stopOptions) => {
      stopping ??= stop(stopOptions?.reason ?? 'shutdown');
      return stopping;
    },
  };
}

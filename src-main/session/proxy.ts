/**
 * How the desktop client reaches the relay through a proxy (policy `proxy`, docs/deployment.md):
 * one decision — (setting, target URL, environment) → the proxy to use or none — and one
 * `http.Agent` that every relay connection takes: the WebSocket (src-main/session/connection.ts),
 * enrolment and the device-rights requests (src-main/session/relay-http.ts).
 *
 * - `system`: the environment's proxy variables with their usual meaning (proxy-from-env, the
 *   package axios and others use): `HTTPS_PROXY` for an https relay, `HTTP_PROXY` for an http one
 *   (loopback only), `ALL_PROXY` for either, lower case first, and `NO_PROXY` excepts hosts
 *   (`*`, `host`, `.domain`, `host:port`). A loopback relay is proxied like any other unless
 *   NO_PROXY names it. Windows' and macOS's own proxy settings (WinINet, System Configuration)
 *   are not read: there too `system` means these variables.
 * - `none`: direct, whatever the environment says.
 * - a URL: that proxy for every relay connection (NO_PROXY is part of `system` only).
 *
 * An http(s) proxy is always asked to CONNECT, even for a plain-http loopback relay: the proxy
 * carries bytes and never sees the device's credentials or a WebSocket upgrade it might mangle.
 * A SOCKS proxy (socks4, socks5) is used as it is. Both agents come from the proxy-agents family
 * (https-proxy-agent, socks-proxy-agent), which the ws package documents for its `agent` option.
 * The HTTP requests use node:http(s) with the same agent rather than fetch: undici's ProxyAgent
 * would be a second proxy implementation with its own failure reporting and no SOCKS, while one
 * agent gives the WebSocket and the requests the same route and the same errors.
 *
 * Failures of the proxy itself become PrintoErrors with stable codes: `proxy-unreachable` (no
 * answer), `proxy-auth-required` (407), `proxy-refused` (any other refusal of CONNECT: 403, 502…),
 * `proxy-invalid` (a variable that is not a proxy URL). A proxy's user name and password (which a
 * variable may hold) never appear in a message: only its scheme, host and port.
 */
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import https from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { PrintoError } from '../../src-shared/errors.ts';

/*
 * Required, not imported: ESM's facade of node:http reads every export, and one of them loads
 * Node's bundled undici (~30 ms of every start-up, bench/cli-startup.ts); require does not.
 */
const http = createRequire(import.meta.url)('node:http') as typeof Http;

/** The policy value: `system`, `none` or a proxy URL (src-shared/model/policy.ts, ProxySchema). */
export type ProxySetting = string;

/** Environment variables; only the proxy ones are read. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

export const DEFAULT_PROXY_SETTING: ProxySetting = 'system';

const HINT =
  'Check the proxy: the `proxy` policy setting, or HTTPS_PROXY / NO_PROXY when it is "system" (`printo-help policy` shows the setting).';

/** `http://proxy.example.com:3128`, without a user name or password: safe to show and log. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/** The environment's proxy for `target` (proxy-from-env), '' for none. */
function fromEnvironment(target: URL, env: ProxyEnv): string {
  // proxy-from-env reads process.env and nothing else; to honour an environment given by the
  // caller (tests, a front end that passes its own), it is put in place for this one synchronous
  // call and restored at once — nothing else can run in between.
  if (env === process.env) return getProxyForUrl(target);
  const real = process.env;
  process.env = { ...env };
  try {
    return getProxyForUrl(target);
  } finally {
    process.env = real;
  }
}

/**
 * The proxy that a connection to `target` (an http(s) or ws(s) URL of the relay) goes through, or
 * null for a direct connection.
 */
export function proxyFor(setting: ProxySetting, target: URL, env: ProxyEnv): URL | null {
  if (setting === 'none') return null;
  let text: string;
  let origin: string;
  if (setting === 'system') {
    // The WebSocket's URL is asked about as the http(s) URL it upgrades from: HTTPS_PROXY serves
    // wss:// (there is no WSS_PROXY).
    const asHttp = new URL(target.href);
    if (asHttp.protocol === 'wss:') asHttp.protocol = 'https:';
    else if (asHttp.protocol === 'ws:') asHttp.protocol = 'http:';
    text = fromEnvironment(asHttp, env);
    if (text === '') return null;
    origin = 'the environment (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY)';
  } else {
    text = setting;
    origin = 'the proxy policy setting';
  }
  let proxy: URL;
  try {
    proxy = new URL(text);
  } catch {
    // Not quoted: the text may hold a password.
    throw new PrintoError('proxy-invalid', `The proxy from ${origin} is not a URL.`, {
      hint: 'Use the form http://proxy.example.com:3128.',
    });
  }
  if (!SUPPORTED.has(proxy.protocol)) {
    throw new PrintoError(
      'proxy-invalid',
      `The proxy from ${origin} uses ${proxy.protocol}//, which Printo Help cannot use.`,
      { hint: 'Use an http://, https://, socks4:// or socks5:// proxy.' },
    );
  }
  return proxy;
}

/** A failure of the proxy itself; `status` is its answer to CONNECT, when it gave one. */
export class ProxyError extends PrintoError {
  declare readonly code: 'proxy-unreachable' | 'proxy-auth-required' | 'proxy-refused';
  readonly status: number | undefined;

  constructor(
    code: ProxyError['code'],
    message: string,
    options: { hint: string; status?: number | undefined; cause?: unknown },
  ) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.status = options.status;
  }
}

const HTTP_PROXY_SCHEMES = new Set(['http:', 'https:']);
const SOCKS_SCHEMES = new Set(['socks:', 'socks4:', 'socks4a:', 'socks5:', 'socks5h:']);
const SUPPORTED = new Set([...HTTP_PROXY_SCHEMES, ...SOCKS_SCHEMES]);

function unreachable(proxy: URL, cause: unknown): ProxyError {
  return new ProxyError('proxy-unreachable', `Cannot reach the proxy ${describeProxy(proxy)}.`, {
    hint: HINT,
    cause,
  });
}

function refused(proxy: URL, status: number | undefined, cause?: unknown): ProxyError {
  const answer = status === undefined ? '' : ` (HTTP ${status})`;
  if (status === 407) {
    return new ProxyError(
      'proxy-auth-required',
      `The proxy ${describeProxy(proxy)} asks for authentication${answer}.`,
      {
        hint: 'Printo Help authenticates to a proxy only with a user name and password in HTTPS_PROXY (proxy "system"); ask IT to allow the relay through the proxy without authentication, or set such a variable.',
        status,
        cause,
      },
    );
  }
  return new ProxyError(
    'proxy-refused',
    `The proxy ${describeProxy(proxy)} refused to connect to the relay${answer}.`,
    {
      hint: `${isGatewayFailure(status) ? 'The proxy could not reach the relay; try again later. ' : 'The proxy may not allow the relay’s address; ask IT. '}${HINT}`,
      status,
      cause,
    },
  );
}

/** 502, 503, 504: the proxy could not reach the relay (or is overloaded) — worth another try. */
export function isGatewayFailure(status: number | undefined): boolean {
  return status === 502 || status === 503 || status === 504;
}

/** CONNECT through an http(s) proxy; any answer but 200 fails the request with a PrintoError. */
class TunnelAgent extends HttpsProxyAgent<string> {
  override async connect(
    request: Http.ClientRequest,
    options: Parameters<HttpsProxyAgent<string>['connect']>[1],
  ) {
    let status: number | undefined;
    request.once('proxyConnect', (answer: { statusCode?: number }) => {
      status = answer.statusCode;
    });
    let socket: Awaited<ReturnType<HttpsProxyAgent<string>['connect']>>;
    try {
      socket = await super.connect(request, options);
    } catch (error) {
      throw unreachable(this.proxy, error);
    }
    if (status !== 200) {
      // https-proxy-agent would replay the proxy's answer as if the relay had sent it; a refusal
      // of the tunnel is the proxy's, and said so.
      socket.destroy();
      throw refused(this.proxy, status);
    }
    return socket;
  }
}

/** Through a SOCKS proxy; its failures as PrintoErrors. */
class SocksAgent extends SocksProxyAgent {
  private readonly proxyAt: URL;

  constructor(proxy: URL) {
    super(proxy);
    this.proxyAt = proxy;
  }

  override async connect(
    request: Http.ClientRequest,
    options: Parameters<SocksProxyAgent['connect']>[1],
  ) {
    try {
      return await super.connect(request, options);
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (/authentication/i.test(message)) {
        throw new ProxyError(
          'proxy-auth-required',
          `The SOCKS proxy ${describeProxy(this.proxyAt)} asks for authentication.`,
          { hint: HINT, cause: error },
        );
      }
      // `Socks5 proxy rejected connection - NotAllowed` and the like: the proxy answered, and
      // said no. Anything else (ECONNREFUSED, a closed socket, a time-out) is not reaching it.
      if (/proxy rejected/i.test(message)) throw refused(this.proxyAt, undefined, error);
      throw unreachable(this.proxyAt, error);
    }
  }
}

/**
 * The agent for connections to `target`: through the proxy that `proxyFor` picks, or a fresh
 * direct one — not Node's global agent, which NODE_USE_ENV_PROXY can turn into a proxied one
 * behind a `none`.
 */
export function relayAgent(setting: ProxySetting, target: URL, env: ProxyEnv): Http.Agent {
  const proxy = proxyFor(setting, target, env);
  const secure = target.protocol === 'https:' || target.protocol === 'wss:';
  if (proxy === null) return secure ? new https.Agent() : new http.Agent();
  if (SOCKS_SCHEMES.has(proxy.protocol)) return new SocksAgent(proxy);
  return new TunnelAgent(proxy);
}

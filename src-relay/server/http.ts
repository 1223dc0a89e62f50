/**
 * The relay's plain HTTP endpoints: device enrolment, agent login/logout/me, WebSocket tickets,
 * session exports for agents, the device's rights over the relay's copy of its sessions (HTTP
 * Basic with the device's credentials, as its WebSocket), health and metrics. WebSocket upgrades never reach this handler (relay-server.ts routes them).
 *
 * Every response is JSON (or Prometheus text), never cached, never framed, never a stack trace.
 * There are no CORS headers: other sites cannot read any response, and the cookie endpoints
 * also demand an allowed `Origin` (SameSite=Strict is the first defence against CSRF, the Origin
 * check the second).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import {
  DeviceSessionListResponseSchema,
  EnrollRequestSchema,
  ErasureResponseSchema,
  LoginRequestSchema,
  RectificationRequestSchema,
  RectificationResponseSchema,
  SessionExportResponseSchema,
  SessionRightResponseSchema,
} from '../../src-shared/protocol/http.ts';
import type {
  AgentMeResponse,
  DeviceSessionListResponse,
  EnrollResponse,
  HttpErrorBody,
  HttpErrorCode,
  TicketResponse,
} from '../../src-shared/protocol/http.ts';
import type { Clock } from '../../src-shared/clock.ts';
import type { Logger, Metrics } from './contracts.ts';
import type { Agent, Device, SessionRecord, SessionRight, Store } from '../store/store.ts';
import { authenticateDevice } from './auth.ts';
import { maskFreeText } from '../sessions/inbound.ts';
import { SESSION_COOKIE } from './agent-access.ts';
import { agentMayExport } from './agent-scope.ts';
import type { AgentAccess } from './agent-access.ts';
import {
  SecretPrefix,
  dummyPasswordHash,
  generateSecret,
  hashSecret,
  verifyPassword,
} from './passwords.ts';
import { errorFields } from './logger.ts';
import { addressKey, createRateLimiter } from './rate-limit.ts';
import type { RateLimitRule, RateLimiter } from './rate-limit.ts';

export interface HttpLimits {
  /** Largest JSON body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Failed enrolments per source address (successful ones cost nothing). */
  readonly enrollPerAddress: RateLimitRule;
  /** Login attempts per source address (a successful one is given back). */
  readonly loginPerAddress: RateLimitRule;
  /** Login attempts per email (reset by a successful login). */
  readonly loginPerEmail: RateLimitRule;
  /** Tickets per agent. */
  readonly ticketsPerAgent: RateLimitRule;
  /** Rights requests (list, export, erasure, …) per device. */
  readonly rightsPerDevice: RateLimitRule;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 16 * 1024,
  enrollPerAddress: { capacity: 10, refillMs: 60_000 },
  loginPerAddress: { capacity: 20, refillMs: 3_000 },
  loginPerEmail: { capacity: 5, refillMs: 60_000 },
  ticketsPerAgent: { capacity: 10, refillMs: 3_000 },
  rightsPerDevice: { capacity: 20, refillMs: 3_000 },
};

export interface HttpDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly access: AgentAccess;
  /** Add `Secure` to cookies: served over TLS, or behind a TLS-terminating proxy. */
  readonly secureCookies: boolean;
  /** True once a graceful stop has begun: /healthz answers 503. */
  readonly isShuttingDown: () => boolean;
  readonly limits?: Partial<HttpLimits>;
}

export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => void;

class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    status: number,
    code: HttpErrorCode,
    message: string,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Emails are compared case-insensitively; the store holds them in this form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string | string[]>> = {},
): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    ...(body === undefined
      ? {}
      : {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(text)),
        }),
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: HttpError): void {
  send(
    response,
    error.status,
    // A message may quote the request (a schema error): masked like everything that leaves.
    {
      error: { code: error.code, message: maskFreeText(error.message) },
    } satisfies HttpErrorBody,
    error.headers,
  );
}

/** Reads a JSON body: content type checked, size capped while streaming, syntax checked. */
async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'unsupported-media-type', 'Send the body as application/json.');
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  const tooLarge = new HttpError(
    413,
    'payload-too-large',
    `The body is larger than ${maxBytes} bytes.`,
    { connection: 'close' },
  );
  if (declared > maxBytes) throw tooLarge;
  // Events rather than `for await`: leaving an async iterator early destroys the socket, and the
  // 413 could not be sent.
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        request.resume(); // drain and discard; the response closes the connection
        reject(tooLarge);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'bad-request', 'The body is not valid JSON.');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first === undefined || first.path.length === 0 ? '' : `${first.path.join('.')}: `;
    throw new HttpError(
      400,
      'bad-request',
      `Invalid request: ${where}${first?.message ?? 'invalid'}.`,
    );
  }
  return result.data;
}

/** All values of one cookie (a sibling site may have planted another under the same name). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (header === undefined) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

function rateLimited(retryAfterMs: number, what: string): HttpError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new HttpError(429, 'rate-limited', `Too many ${what}; try again in ${seconds} s.`, {
    'retry-after': String(seconds),
  });
}

interface Route {
  readonly methods: readonly string[];
  readonly handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
}

/** `/v1/agent/sessions/{sessionId}/export`; ids are UUIDs, so 128 characters is plenty. */
const SESSION_EXPORT_PATH = /^\/v1\/agent\/sessions\/([^/]{1,128})\/export$/;
/** `/v1/device/sessions/{sessionId}/{action}`: the device's rights over one of its sessions. */
const DEVICE_SESSION_PATH =
  /^\/v1\/device\/sessions\/([^/]{1,128})\/(export|erasure|restriction|objection|rectification)$/;

type DeviceAction = 'export' | 'erasure' | 'restriction' | 'objection' | 'rectification';
const RIGHT_OF: Readonly<Record<DeviceAction, SessionRight>> = {
  export: 'access',
  erasure: 'erasure',
  restriction: 'restriction',
  objection: 'objection',
  rectification: 'rectification',
};

export function createHttpHandler(deps: HttpDeps): HttpHandler {
  const { store, clock, logger, metrics, access } = deps;
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...deps.limits };
  const enrollLimiter = createRateLimiter(limits.enrollPerAddress, clock);
  const loginAddressLimiter = createRateLimiter(limits.loginPerAddress, clock);
  const loginEmailLimiter = createRateLimiter(limits.loginPerEmail, clock);
  const ticketLimiter = createRateLimiter(limits.ticketsPerAgent, clock);
  const rightsLimiter = createRateLimiter(limits.rightsPerDevice, clock);
  const now = (): string => new Date(clock.now()).toISOString();

  const take = (limiter: RateLimiter, key: string, what: string): void => {
    const decision = limiter.take(key);
    if (!decision.ok) {
      metrics.rejected('http-rate-limited');
      throw rateLimited(decision.retryAfterMs, what);
    }
  };

  const cookie = (value: string, maxAgeSeconds: number): string =>
    [
      `${SESSION_COOKIE}=${value}`,
      'HttpOnly',
      'SameSite=Strict',
      'Path=/',
      `Max-Age=${maxAgeSeconds}`,
      ...(deps.secureCookies ? ['Secure'] : []),
    ].join('; ');

  /** State-changing agent endpoints: the browser always sends Origin on a POST. */
  const requireOrigin = (request: IncomingMessage): string => {
    const origin = request.headers.origin;
    if (origin === undefined || !access.origins.isAllowed(origin)) {
      metrics.rejected('http-bad-origin');
      throw new HttpError(
        403,
        'origin-not-allowed',
        'This origin may not use the agent endpoints.',
      );
    }
    return origin;
  };

  /**
   * Cookie endpoints that only read: an allowed Origin as for the others, or — because browsers
   * omit Origin on a same-origin GET — no Origin and the browser's own Fetch Metadata saying the
   * request is same-origin (`Sec-Fetch-Site`, which a page cannot set). Anything else is refused.
   */
  const requireReadOrigin = (request: IncomingMessage): void => {
    if (request.headers.origin === undefined && request.headers['sec-fetch-site'] === 'same-origin')
      return;
    requireOrigin(request);
  };

  /** The logged-in, enabled agent behind the request's cookie. */
  const requireAgent = (request: IncomingMessage): { agent: Agent; webSessionId: string } => {
    for (const token of cookieValues(request.headers.cookie, SESSION_COOKIE)) {
      const session = token.length <= 128 ? access.webSessions.get(token) : null;
      if (session === null) continue;
      const agent = store.getAgent(session.agentId);
      if (agent === null || agent.disabled) {
        access.webSessions.deleteAgent(session.agentId);
        throw new HttpError(403, 'agent-disabled', 'This agent account is disabled.');
      }
      return { agent, webSessionId: session.id };
    }
    throw new HttpError(401, 'not-logged-in', 'Log in first.');
  };

  /** The enrolled, unrevoked device behind the request's Basic credentials; then its limit. */
  const requireDevice = (request: IncomingMessage): Device => {
    const result = authenticateDevice(store, request.headers.authorization);
    if (!result.ok) {
      metrics.rejected(result.reason);
      throw new HttpError(
        401,
        'device-auth-failed',
        'Unknown or revoked device, or wrong credentials.',
        { 'www-authenticate': 'Basic realm="printo-relay", charset="UTF-8"' },
      );
    }
    take(rightsLimiter, result.device.id, 'requests from this device');
    return result.device;
  };

  /** Ids, the right and the outcome into the audit log; never content. */
  const audit = (
    right: SessionRight,
    device: Device,
    sessionId: string | null,
    outcome: string,
  ): void => {
    store.recordRightsRequest({ right, deviceId: device.id, sessionId, outcome }, now());
    logger.info('device.rights-request', {
      right,
      deviceId: device.id,
      ...(sessionId === null ? {} : { sessionId }),
      outcome,
    });
  };

  /**
   * The device's own session, or 404 — the same answer for another device's session as for none,
   * so the answer does not reveal that it exists. The refusal is audited.
   */
  const ownSession = (device: Device, sessionId: string, right: SessionRight): SessionRecord => {
    const session = store.getSession(sessionId);
    if (session?.deviceId !== device.id) {
      metrics.rejected('device-session-not-found');
      audit(right, device, sessionId, 'not-found');
      throw new HttpError(404, 'not-found', 'No such session.');
    }
    return session;
  };

  const deviceSession = async (
    request: IncomingMessage,
    response: ServerResponse,
    sessionId: string,
    action: DeviceAction,
  ): Promise<void> => {
    const device = requireDevice(request);
    const right = RIGHT_OF[action];
    // The body is read before anything is looked up: a bad one changes and records nothing.
    const body =
      action === 'rectification'
        ? parse(RectificationRequestSchema, await readJson(request, limits.maxBodyBytes))
        : null;
    const session = ownSession(device, sessionId, right);
    const actor = `client:${device.id}`;
    switch (action) {
      case 'export': {
        const exported = store.exportSession(session.id, now(), actor);
        if (exported === null) throw new HttpError(404, 'not-found', 'No such session.');
        audit(right, device, session.id, 'done');
        send(response, 200, SessionExportResponseSchema.parse(exported));
        return;
      }
      case 'erasure': {
        // A session still open would go on writing the transcript being erased.
        if (session.state !== 'ended') {
          audit(right, device, session.id, 'session-open');
          throw new HttpError(
            409,
            'session-open',
            'The session is still open; end it, then ask again.',
          );
        }
        const at = now();
        const result = store.eraseSession(session.id, at, actor);
        if (result.reason === 'legal-hold') {
          audit(right, device, session.id, 'legal-hold');
          throw new HttpError(
            409,
            'session-on-hold',
            'This session is under a legal hold, so it cannot be erased now. Your request is recorded; the session is erased when the hold ends and you ask again.',
          );
        }
        if (!result.erased) throw new HttpError(404, 'not-found', 'No such session.');
        audit(right, device, session.id, 'done');
        send(response, 200, ErasureResponseSchema.parse({ sessionId: session.id, erasedAt: at }));
        return;
      }
      case 'restriction':
      case 'objection': {
        const updated = store.recordSessionRight(session.id, action, now());
        const at = action === 'restriction' ? updated?.restrictedAt : updated?.objectedAt;
        if (updated === null || at === undefined) {
          throw new HttpError(404, 'not-found', 'No such session.');
        }
        audit(right, device, session.id, 'done');
        send(
          response,
          200,
          SessionRightResponseSchema.parse({ sessionId: session.id, right: action, at }),
        );
        return;
      }
      case 'rectification': {
        if (body === null) throw new HttpError(400, 'bad-request', 'Send a correction.');
        const result = store.appendCorrection({
          sessionId: session.id,
          correctsMessageId: body.messageId,
          text: body.text,
          at: now(),
        });
        if (!result.ok) {
          audit(right, device, session.id, result.reason);
          if (result.reason === 'message-not-found') {
            throw new HttpError(
              404,
              'message-not-found',
              'This session has no message with that id that this device sent.',
            );
          }
          if (result.reason === 'transcript-deleted') {
            throw new HttpError(
              409,
              'transcript-deleted',
              'The transcript of this session is already deleted; there is nothing to correct.',
            );
          }
          throw new HttpError(404, 'not-found', 'No such session.');
        }
        audit(right, device, session.id, 'done');
        send(response, 201, RectificationResponseSchema.parse(result.correction));
        return;
      }
    }
  };

  const routes: Readonly<Record<string, Route>> = {
    '/v1/enroll': {
      methods: ['POST'],
      async handle(request, response) {
        const body = parse(EnrollRequestSchema, await readJson(request, limits.maxBodyBytes));
        const address = addressKey(request.socket.remoteAddress);
        take(enrollLimiter, address, 'enrolment attempts from this address');
        const org = store.findOrgByEnrollmentKeyHash(hashSecret(body.enrollmentKey));
        if (org === null) {
          metrics.rejected('enroll-bad-key');
          logger.warn('device.enroll-refused', { address });
          throw new HttpError(
            401,
            'enrollment-key-invalid',
            'The enrollment key is not valid; ask your IT administrator for the current one.',
          );
        }
        enrollLimiter.refund(address);
        const deviceSecret = generateSecret(SecretPrefix.deviceSecret);
        const device = store.createDevice(
          // The name is shown to agents: masked where it enters (sessions/inbound.ts).
          {
            orgId: org.id,
            name: maskFreeText(body.deviceName),
            secretHash: hashSecret(deviceSecret),
          },
          now(),
        );
        logger.info('device.enrolled', { deviceId: device.id, orgId: org.id });
        send(response, 201, { deviceId: device.id, deviceSecret } satisfies EnrollResponse);
      },
    },

    '/v1/agent/login': {
      methods: ['POST'],
      async handle(request, response) {
        requireOrigin(request);
        const body = parse(LoginRequestSchema, await readJson(request, limits.maxBodyBytes));
        const email = normalizeEmail(body.email);
        const address = addressKey(request.socket.remoteAddress);
        take(loginAddressLimiter, address, 'login attempts from this address');
        take(loginEmailLimiter, email, 'login attempts for this account');
        const found = store.findAgentCredentials(email);
        // Unknown email: verify against a dummy hash so the answer takes as long as a wrong password.
        const ok = await verifyPassword(
          body.password,
          found?.passwordHash ?? (await dummyPasswordHash()),
        );
        if (found === null || !ok || found.agent.disabled) {
          metrics.rejected('login-failed');
          logger.warn('agent.login-failed', { address });
          throw new HttpError(
            401,
            'login-failed',
            'Wrong email or password, or the account is disabled.',
          );
        }
        loginAddressLimiter.refund(address);
        loginEmailLimiter.reset(email);
        const { token, expiresAt } = access.webSessions.create(found.agent.id);
        logger.info('agent.logged-in', { agentId: found.agent.id });
        const maxAge = Math.max(0, Math.floor((expiresAt - clock.now()) / 1000));
        send(response, 204, undefined, { 'set-cookie': cookie(token, maxAge) });
      },
    },

    '/v1/agent/logout': {
      methods: ['POST'],
      handle(request, response) {
        requireOrigin(request);
        // Ending the web session also closes the WebSockets opened with its tickets (compose.ts).
        for (const token of cookieValues(request.headers.cookie, SESSION_COOKIE)) {
          if (token.length <= 128) access.webSessions.delete(token);
        }
        send(response, 204, undefined, { 'set-cookie': cookie('', 0) });
        return Promise.resolve();
      },
    },

    '/v1/agent/me': {
      methods: ['GET', 'HEAD'],
      handle(request, response) {
        requireReadOrigin(request);
        const { agent } = requireAgent(request);
        send(response, 200, {
          id: agent.id,
          email: agent.email,
          name: agent.name,
          role: agent.role,
        } satisfies AgentMeResponse);
        return Promise.resolve();
      },
    },

    '/v1/agent/ticket': {
      methods: ['POST'],
      handle(request, response) {
        const origin = requireOrigin(request);
        const { agent, webSessionId } = requireAgent(request);
        take(ticketLimiter, agent.id, 'tickets');
        const { ticket, expiresAt } = access.tickets.issue(agent.id, origin, webSessionId);
        send(response, 200, {
          ticket,
          expiresAt: new Date(expiresAt).toISOString(),
        } satisfies TicketResponse);
        return Promise.resolve();
      },
    },

    /** `/v1/agent/sessions/{sessionId}/export`, matched in `dispatch`. */
    '/v1/agent/sessions/:id/export': {
      methods: ['GET'],
      handle(request, response) {
        requireReadOrigin(request);
        const { agent } = requireAgent(request);
        const sessionId = sessionIdOf(request);
        // Another organisation's session, or one the agent may not export, is answered like a
        // session that does not exist: the answer does not reveal that it does.
        const session = store.getSession(sessionId);
        if (session === null || !agentMayExport(agent, session)) {
          metrics.rejected('export-refused');
          throw new HttpError(404, 'not-found', 'No such session.');
        }
        // The user restricted its processing (GDPR Art. 18): kept, not given out to agents.
        if (session.restrictedAt !== undefined) {
          metrics.rejected('export-restricted');
          throw new HttpError(
            409,
            'session-restricted',
            'The user has restricted the processing of this session: it is kept, but not given out. An operator can still export it for a legal claim (printo-relay transcripts export).',
          );
        }
        const exported = store.exportSession(sessionId, now(), `agent:${agent.id}`);
        if (exported === null) throw new HttpError(404, 'not-found', 'No such session.');
        logger.info('session.exported', { sessionId, agentId: agent.id });
        // Through the schema on the way out: the body holds its fields and nothing else.
        send(response, 200, SessionExportResponseSchema.parse(exported));
        return Promise.resolve();
      },
    },

    '/v1/device/sessions': {
      methods: ['GET'],
      handle(request, response) {
        const device = requireDevice(request);
        const body: DeviceSessionListResponse = {
          sessions: store.listSessions({ deviceId: device.id }).map((session) => ({
            id: session.id,
            state: session.state,
            createdAt: session.createdAt,
            endedAt: session.endedAt,
            agentName:
              session.agentId === null
                ? null
                : maskFreeText(store.getAgent(session.agentId)?.name ?? ''),
            grantedScopes: [...session.grantedScopes],
            legalHold: session.legalHold,
            restricted: session.restrictedAt !== undefined,
            restrictedAt: session.restrictedAt ?? null,
            objected: session.objectedAt !== undefined,
            objectedAt: session.objectedAt ?? null,
            transcriptDeletedAt: session.transcriptDeletedAt ?? null,
            erasedAt: session.erasedAt ?? null,
          })),
        };
        audit('access', device, null, 'done');
        send(response, 200, DeviceSessionListResponseSchema.parse(body));
        return Promise.resolve();
      },
    },

    /** `/v1/device/sessions/{sessionId}/{action}`, matched in `dispatch`. */
    '/v1/device/sessions/:id/export': {
      methods: ['GET'],
      handle: (request, response) =>
        deviceSession(request, response, deviceIdOf(request), 'export'),
    },
    '/v1/device/sessions/:id/erasure': {
      methods: ['POST'],
      handle: (request, response) =>
        deviceSession(request, response, deviceIdOf(request), 'erasure'),
    },
    '/v1/device/sessions/:id/restriction': {
      methods: ['POST'],
      handle: (request, response) =>
        deviceSession(request, response, deviceIdOf(request), 'restriction'),
    },
    '/v1/device/sessions/:id/objection': {
      methods: ['POST'],
      handle: (request, response) =>
        deviceSession(request, response, deviceIdOf(request), 'objection'),
    },
    '/v1/device/sessions/:id/rectification': {
      methods: ['POST'],
      handle: (request, response) =>
        deviceSession(request, response, deviceIdOf(request), 'rectification'),
    },

    '/healthz': {
      methods: ['GET', 'HEAD'],
      handle(_request, response) {
        if (deps.isShuttingDown()) send(response, 503, { status: 'shutting-down' });
        else send(response, 200, { status: 'ok' });
        return Promise.resolve();
      },
    },

    '/metrics': {
      methods: ['GET', 'HEAD'],
      handle(_request, response) {
        const text = metrics.render();
        response.writeHead(200, {
          ...SECURITY_HEADERS,
          'content-type': 'text/plain; version=0.0.4; charset=utf-8',
          'content-length': String(Buffer.byteLength(text)),
        });
        response.end(text);
        return Promise.resolve();
      },
    },
  };

  const pathOf = (request: IncomingMessage): string => {
    try {
      return new URL(request.url ?? '/', 'http://relay.invalid').pathname;
    } catch {
      throw new HttpError(400, 'bad-request', 'Malformed request target.');
    }
  };

  function sessionIdOf(request: IncomingMessage): string {
    return SESSION_EXPORT_PATH.exec(pathOf(request))?.[1] ?? '';
  }

  /** The session id of a `/v1/device/sessions/{sessionId}/{action}` path. */
  function deviceIdOf(request: IncomingMessage): string {
    return DEVICE_SESSION_PATH.exec(pathOf(request))?.[1] ?? '';
  }

  const routeKey = (path: string): string => {
    if (SESSION_EXPORT_PATH.test(path)) return '/v1/agent/sessions/:id/export';
    const device = DEVICE_SESSION_PATH.exec(path);
    if (device !== null) return `/v1/device/sessions/:id/${device[2] ?? ''}`;
    return path;
  };

  const dispatch = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = pathOf(request);
    const key = routeKey(path);
    const route = Object.hasOwn(routes, key) ? routes[key] : undefined;
    if (route === undefined) throw new HttpError(404, 'not-found', 'No such endpoint.');
    const method = request.method ?? 'GET';
    if (!route.methods.includes(method)) {
      throw new HttpError(405, 'method-not-allowed', `Use ${route.methods.join(' or ')}.`, {
        allow: route.methods.join(', '),
      });
    }
    await route.handle(request, response);
  };

  return (request, response) => {
    dispatch(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendError(response, error);
        return;
      }
      // Unexpected: log what kind of error, never its text (it may quote input) nor the stack.
      logger.error('http.internal-error', {
        ...errorFields(error),
      });
      sendError(response, new HttpError(500, 'internal', 'Internal error.'));
    });
  };
}

/**
 * What an agent holds between the login and the WebSocket: a web session (the cookie) and
 * single-use tickets, plus the set of origins allowed to use them.
 *
 * Both tables are in memory, keyed by the SHA-256 of the random value (a heap dump does not
 * reveal live tokens). That is right for one relay node: a restart logs agents out, which is
 * acceptable, and several nodes would need a shared table (Redis) instead.
 */
import type { Clock } from '../../src-shared/clock.ts';
import { SecretPrefix, generateSecret, hashSecret } from './passwords.ts';

export const SESSION_COOKIE = 'printo_session';
/** A working day; the console logs in again after it. */
export const DEFAULT_WEB_SESSION_TTL_MS = 8 * 60 * 60_000;
/** Long enough to open a WebSocket right after asking, short enough to be useless if leaked. */
export const DEFAULT_TICKET_TTL_MS = 30_000;

export interface WebSession {
  /** The SHA-256 of the cookie token: names the session without being usable as a cookie. */
  readonly id: string;
  readonly agentId: string;
  readonly expiresAt: number;
}

/** Why a web session ended: the agent logged out, it expired, or the account changed. */
export type WebSessionEnd = 'logged-out' | 'expired' | 'account-changed';

export interface WebSessions {
  /** Creates a session; the returned token goes in the cookie and is not kept. */
  create(agentId: string): { token: string; expiresAt: number; id: string };
  /** The live session for a cookie token, or null (unknown or expired). */
  get(token: string): WebSession | null;
  /** Whether the session with this id is live (not ended, not expired). */
  isLive(id: string): boolean;
  /** Logout. */
  delete(token: string): void;
  /** Ends every session of an agent (disabled, password changed). */
  deleteAgent(agentId: string): void;
  /** Ends the sessions that have expired by now; `onEnd` hears of each. */
  sweep(): void;
  /**
   * Called once for every session that ends, however it ends, so that the WebSockets opened
   * with its tickets close with it (docs/protocol.md, close code 4001).
   */
  onEnd(listener: (session: WebSession, why: WebSessionEnd) => void): void;
  readonly size: number;
}

export interface Ticket {
  readonly agentId: string;
  /** The web session that asked for it: the WebSocket lives no longer than that session. */
  readonly webSessionId: string;
  /** The Origin that asked for it; the WebSocket must come from the same one. */
  readonly origin: string;
  readonly expiresAt: number;
}

export interface TicketTable {
  issue(
    agentId: string,
    origin: string,
    webSessionId: string,
  ): { ticket: string; expiresAt: number };
  /** Removes the ticket whatever happens next: a ticket is good for one try only. */
  consume(ticket: string): Ticket | null;
  readonly size: number;
}

/** Drops expired entries now and then, so that abandoned ones do not pile up. */
function sweeper<V extends { expiresAt: number }>(table: Map<string, V>, clock: Clock): () => void {
  let lastSweep = clock.now();
  return () => {
    const now = clock.now();
    if (now - lastSweep < 60_000 && table.size < 10_000) return;
    lastSweep = now;
    for (const [key, value] of table) if (value.expiresAt <= now) table.delete(key);
  };
}

export function createWebSessions(
  clock: Clock,
  ttlMs: number = DEFAULT_WEB_SESSION_TTL_MS,
): WebSessions {
  const table = new Map<string, WebSession>();
  const listeners: ((session: WebSession, why: WebSessionEnd) => void)[] = [];
  const end = (session: WebSession, why: WebSessionEnd): void => {
    if (!table.delete(session.id)) return;
    for (const listener of listeners) listener(session, why);
  };
  const expired = (session: WebSession): boolean => session.expiresAt <= clock.now();
  return {
    create(agentId) {
      const token = generateSecret(SecretPrefix.webSession);
      const expiresAt = clock.now() + ttlMs;
      const id = hashSecret(token);
      table.set(id, { id, agentId, expiresAt });
      return { token, expiresAt, id };
    },
    get(token) {
      const session = table.get(hashSecret(token));
      if (session === undefined) return null;
      if (expired(session)) {
        end(session, 'expired');
        return null;
      }
      return session;
    },
    isLive(id) {
      const session = table.get(id);
      if (session === undefined) return false;
      if (expired(session)) {
        end(session, 'expired');
        return false;
      }
      return true;
    },
    delete(token) {
      const session = table.get(hashSecret(token));
      if (session !== undefined) end(session, 'logged-out');
    },
    deleteAgent(agentId) {
      for (const session of [...table.values()]) {
        if (session.agentId === agentId) end(session, 'account-changed');
      }
    },
    sweep() {
      for (const session of [...table.values()]) if (expired(session)) end(session, 'expired');
    },
    onEnd(listener) {
      listeners.push(listener);
    },
    get size() {
      return table.size;
    },
  };
}

export function createTicketTable(
  clock: Clock,
  ttlMs: number = DEFAULT_TICKET_TTL_MS,
): TicketTable {
  const table = new Map<string, Ticket>();
  const sweep = sweeper(table, clock);
  return {
    issue(agentId, origin, webSessionId) {
      sweep();
      const ticket = generateSecret(SecretPrefix.ticket);
      const expiresAt = clock.now() + ttlMs;
      table.set(hashSecret(ticket), { agentId, webSessionId, origin, expiresAt });
      return { ticket, expiresAt };
    },
    consume(ticket) {
      const key = hashSecret(ticket);
      const entry = table.get(key);
      table.delete(key);
      if (entry === undefined || entry.expiresAt <= clock.now()) return null;
      return entry;
    },
    get size() {
      return table.size;
    },
  };
}

/** The origins allowed to use the agent endpoints (cookie requests and the WebSocket). */
export interface OriginPolicy {
  isAllowed(origin: string | undefined): boolean;
  /** Adds origins (the relay's own, once it knows its port). Invalid ones throw. */
  allow(origins: Iterable<string>): void;
  list(): readonly string[];
}

/** `https://Example.com:443/x` → `https://example.com`; null for anything that is not http(s). */
export function normalizeOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.origin;
}

export function createOriginPolicy(configured: Iterable<string> = []): OriginPolicy {
  const allowed = new Set<string>();
  const policy: OriginPolicy = {
    isAllowed(origin) {
      // A browser sends exactly `scheme://host[:port]`; compare that form, nothing looser.
      if (origin === undefined || origin === 'null') return false;
      const normal = normalizeOrigin(origin);
      return normal !== null && normal === origin.toLowerCase() && allowed.has(normal);
    },
    allow(origins) {
      for (const origin of origins) {
        const normal = normalizeOrigin(origin);
        if (normal === null) {
          throw new Error(`Not an http(s) origin: ${JSON.stringify(origin)}`);
        }
        allowed.add(normal);
      }
    },
    list: () => [...allowed],
  };
  policy.allow(configured);
  return policy;
}

/** Everything the HTTP side and the upgrade authenticator share about agents. */
export interface AgentAccess {
  readonly webSessions: WebSessions;
  readonly tickets: TicketTable;
  readonly origins: OriginPolicy;
}

export function createAgentAccess(options: {
  clock: Clock;
  allowedOrigins?: Iterable<string>;
  webSessionTtlMs?: number;
  ticketTtlMs?: number;
}): AgentAccess {
  return {
    webSessions: createWebSessions(options.clock, options.webSessionTtlMs),
    tickets: createTicketTable(options.clock, options.ticketTtlMs),
    origins: createOriginPolicy(options.allowedOrigins),
  };
}

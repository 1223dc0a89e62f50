/**
 * Seams between the relay's parts: the HTTP side (enrolment, login, tickets, metrics, logs) and
 * the WebSocket side (sessions). Each is small so that tests can use the real implementation.
 */
import type { IncomingMessage } from 'node:http';
import type { AgentRole, AgentScope } from '../store/store.ts';

export interface ClientIdentity {
  readonly deviceId: string;
  readonly orgId: string;
  readonly deviceName: string;
}

export interface AgentIdentity {
  readonly agentId: string;
  readonly name: string;
  readonly role: AgentRole;
  /** The web session whose ticket opened the connection: it closes when that session ends. */
  readonly webSessionId: string;
  /** As it was when the connection opened; a change closes the agent's connections. */
  readonly scope: AgentScope;
}

/** Authentication of WebSocket upgrades; rejections carry an HTTP status and a reason for metrics. */
export type AuthResult<T> =
  | { readonly ok: true; readonly identity: T }
  | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

export interface UpgradeAuthenticator {
  /** `Authorization: Basic base64(deviceId:deviceSecret)` on /v1/client. */
  client(request: IncomingMessage): Promise<AuthResult<ClientIdentity>>;
  /** Single-use ticket (`?ticket=`) and an allowed `Origin` on /v1/agent. */
  agent(request: IncomingMessage, url: URL): Promise<AuthResult<AgentIdentity>>;
}

/** Structured JSON logs. Fields must never hold message text, session codes, passwords or tokens. */
export interface Logger {
  info(event: string, fields?: Readonly<Record<string, string | number | boolean | null>>): void;
  warn(event: string, fields?: Readonly<Record<string, string | number | boolean | null>>): void;
  error(event: string, fields?: Readonly<Record<string, string | number | boolean | null>>): void;
}

/** Prometheus-style counters and gauges the relay exposes on /metrics. */
export interface Metrics {
  connectionOpened(role: 'client' | 'agent'): void;
  connectionClosed(role: 'client' | 'agent'): void;
  /** Called with the number of sessions in each state whenever it changes. */
  sessionsByState(counts: Readonly<Record<string, number>>): void;
  messageRelayed(type: string): void;
  rejected(reason: string): void;
  render(): string;
}

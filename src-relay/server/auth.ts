/**
 * Authentication of WebSocket upgrades, before any WebSocket exists (remote-support.md: auth in
 * the upgrade handler, never `verifyClient`):
 * - `/v1/client`: `Authorization: Basic base64(deviceId:deviceSecret)`; the secret's SHA-256 is
 *   compared with the stored one in constant time, and a revoked device is refused (401).
 * - `/v1/agent?ticket=…`: a single-use ticket from `POST /v1/agent/ticket`, an allowed `Origin`
 *   (the same one that asked for the ticket: cross-site WebSocket hijacking), and an agent that
 *   is still enabled.
 */
import type { IncomingMessage } from 'node:http';
import type {
  AgentIdentity,
  AuthResult,
  ClientIdentity,
  UpgradeAuthenticator,
} from './contracts.ts';
import type { Device, Store } from '../store/store.ts';
import type { AgentAccess } from './agent-access.ts';
import { maskFreeText } from '../sessions/inbound.ts';
import { hashSecret, secretMatches } from './passwords.ts';

/** Rejection reasons, as counted in `printo_relay_rejections_total{reason}`. */
export const AuthReason = {
  noCredentials: 'auth-no-credentials',
  badCredentials: 'auth-bad-credentials',
  noTicket: 'auth-no-ticket',
  badTicket: 'auth-bad-ticket',
  badOrigin: 'auth-bad-origin',
  agentDisabled: 'auth-agent-disabled',
  deviceRevoked: 'auth-device-revoked',
} as const;

/** A device id and secret from a Basic header, or null when it is missing or malformed. */
export function parseBasicAuthorization(
  header: string | undefined,
): { user: string; password: string } | null {
  if (header === undefined) return null;
  const match = /^Basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i.exec(header);
  if (match?.[1] === undefined || match[1].length > 1024) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Compared against when the device id is unknown, so both paths do the same work. */
const UNKNOWN_DEVICE_HASH = hashSecret('unknown-device');

/**
 * The device behind an `Authorization: Basic deviceId:deviceSecret` header, as the client
 * WebSocket and the device's HTTP endpoints authenticate: the secret's hash compared in constant
 * time (an unknown id does the same work), and a revoked device refused after the secret check,
 * so only the device itself learns that it was revoked.
 */
export function authenticateDevice(
  store: Store,
  header: string | undefined,
):
  | { readonly ok: true; readonly device: Device }
  | { readonly ok: false; readonly reason: (typeof AuthReason)[keyof typeof AuthReason] } {
  const credentials = parseBasicAuthorization(header);
  if (credentials === null) return { ok: false, reason: AuthReason.noCredentials };
  const found =
    credentials.user.length <= 128 ? store.findDeviceCredentials(credentials.user) : null;
  const matches = secretMatches(credentials.password, found?.secretHash ?? UNKNOWN_DEVICE_HASH);
  if (found === null || !matches) return { ok: false, reason: AuthReason.badCredentials };
  if (found.device.revokedAt !== undefined) return { ok: false, reason: AuthReason.deviceRevoked };
  return { ok: true, device: found.device };
}

export function createUpgradeAuthenticator(deps: {
  store: Store;
  access: AgentAccess;
}): UpgradeAuthenticator {
  const { store, access } = deps;
  const reject = (status: 401 | 403, reason: string) => ({ ok: false, status, reason }) as const;

  return {
    client(request: IncomingMessage): Promise<AuthResult<ClientIdentity>> {
      const authenticated = authenticateDevice(store, request.headers.authorization);
      if (!authenticated.ok) return Promise.resolve(reject(401, authenticated.reason));
      const { device } = authenticated;
      return Promise.resolve({
        ok: true,
        // Names cross the relay to the other side: masked here, whatever was stored before.
        identity: {
          deviceId: device.id,
          orgId: device.orgId,
          deviceName: maskFreeText(device.name),
        },
      });
    },

    agent(request: IncomingMessage, url: URL): Promise<AuthResult<AgentIdentity>> {
      const value = url.searchParams.get('ticket');
      if (value === null || value === '') return Promise.resolve(reject(401, AuthReason.noTicket));
      // Consumed first: a ticket presented with a wrong Origin is burnt, not left for a retry.
      const ticket = value.length <= 128 ? access.tickets.consume(value) : null;
      if (ticket === null) return Promise.resolve(reject(401, AuthReason.badTicket));
      const origin = request.headers.origin;
      if (!access.origins.isAllowed(origin) || origin !== ticket.origin) {
        return Promise.resolve(reject(403, AuthReason.badOrigin));
      }
      const agent = store.getAgent(ticket.agentId);
      if (agent === null || agent.disabled) {
        return Promise.resolve(reject(403, AuthReason.agentDisabled));
      }
      // The ticket outlived a logout (or the session expired): the WebSocket must not.
      if (!access.webSessions.isLive(ticket.webSessionId)) {
        return Promise.resolve(reject(401, AuthReason.badTicket));
      }
      return Promise.resolve({
        ok: true,
        identity: {
          agentId: agent.id,
          name: maskFreeText(agent.name),
          role: agent.role,
          webSessionId: ticket.webSessionId,
          scope: agent.scope,
        },
      });
    },
  };
}

/**
 * The whole relay: the shared context, the session hub behind the WebSocket gateway, and the
 * HTTP server of relay-server.ts. `printo-relay serve` and the integration tests start it here.
 */
import type { HubOptions } from '../sessions/hub.ts';
import { SessionHub } from '../sessions/hub.ts';
import { createRelayContext, startRelay } from './relay-server.ts';
import type { RelayOptions, RunningRelay } from './relay-server.ts';
import { WebSocketGateway } from './ws.ts';

/** The transcript notice the user sees before consenting (ARCHITECTURE.md, Consent). */
export function transcriptNotice(
  retentionDays: number,
  consentReceiptDays?: number,
): HubOptions['notice'] {
  const receipts =
    consentReceiptDays === undefined
      ? ''
      : ` A record of your consent (who, when, what you allowed) is kept for ${consentReceiptDays} days.`;
  return {
    text:
      `This support chat is recorded. Printo Gens keeps the transcript for ${retentionDays} days, ` +
      `then destroys it.${receipts} Card numbers are masked before anything is stored. You can ` +
      `ask for a copy or for its erasure at any time.`,
    retentionDays,
  };
}

/** How often expired web sessions are looked for (and their WebSockets closed). */
const WEB_SESSION_SWEEP_MS = 30_000;

export interface FullRelayOptions extends Omit<
  RelayOptions,
  'context' | 'onUpgrade' | 'onShutdown'
> {
  /** Hub settings (time-outs, chat rate); the notice defaults to `transcriptNotice`. */
  readonly hub?: Partial<Omit<HubOptions, 'store' | 'clock' | 'logger' | 'metrics'>>;
  readonly heartbeatMs?: number;
}

export interface FullRelay extends RunningRelay {
  readonly hub: SessionHub;
  /**
   * An agent was disabled or its password reset: its web sessions end and its connections close
   * (4001) now.
   */
  agentDisabled(agentId: string): void;
  /**
   * An agent's organisation scope changed: its connections close (4008) now, as they hold the
   * old scope. Its web sessions stay: every HTTP request reads the agent afresh.
   */
  agentScopeChanged(agentId: string): void;
  /** A device was revoked: its connections close (4001) now. */
  deviceRevoked(deviceId: string): void;
}

export async function startRelayWithSessions(options: FullRelayOptions): Promise<FullRelay> {
  const context = createRelayContext({
    store: options.store,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  const hub = new SessionHub({
    notice: transcriptNotice(
      options.retention.chatTranscriptDays,
      options.retention.consentReceiptDays,
    ),
    ...options.hub,
    store: context.store,
    clock: context.clock,
    logger: context.logger,
    metrics: context.metrics,
  });
  // A web session that ends by logout or expiry takes its WebSockets with it. (A changed account
  // closes all of the agent's connections itself: agentDisabled below.)
  context.access.webSessions.onEnd((session, why) => {
    if (why === 'account-changed') return;
    hub.disconnectWebSession(session.id, why === 'expired' ? 'web session expired' : 'logged out');
  });
  const sweep = context.clock.setInterval(
    () => {
      context.access.webSessions.sweep();
    },
    WEB_SESSION_SWEEP_MS,
    { unref: true },
  );
  const gateway = new WebSocketGateway({
    hub,
    auth: context.auth,
    logger: context.logger,
    metrics: context.metrics,
    clock: context.clock,
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  });
  let relay: RunningRelay;
  try {
    relay = await startRelay({
      ...options,
      context,
      onUpgrade: (request, socket, head) => {
        gateway.handleUpgrade(request, socket, head);
      },
      onShutdown: () => {
        hub.shutdown();
      },
    });
  } catch (error) {
    context.clock.clearTimeout(sweep);
    gateway.close();
    throw error;
  }
  return {
    ...relay,
    hub,
    agentDisabled: (agentId) => {
      context.access.webSessions.deleteAgent(agentId);
      hub.disconnectAgent(agentId);
    },
    agentScopeChanged: (agentId) => {
      hub.disconnectAgent(agentId, 'scope-changed');
    },
    deviceRevoked: (deviceId) => {
      hub.disconnectDevice(deviceId);
    },
    stop: async (stopOptions) => {
      context.clock.clearTimeout(sweep);
      await relay.stop(stopOptions);
      gateway.close();
    },
  };
}

/**
 * The relay under test, in its own process so that its memory can be read from outside:
 * a temporary data directory, one organisation, one agent, and the chat rate limit raised
 * and the per-agent ticket limit raised (the benchmark measures the relay's forwarding, not its
 * abuse limits).
 * Prints one JSON line { url, pid, enrollmentKey, email, password } and runs until SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelayWithSessions } from '../../src-relay/server/compose.ts';
import { silentLogger } from '../../src-relay/server/logger.ts';
import { createAgentAccount, createOrgWithKey } from '../../src-relay/server/identities.ts';
import { SqliteStore } from '../../src-relay/store/sqlite-store.ts';
import { RelayRetentionConfigSchema } from '../../src-relay/store/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'printo-bench-relay-'));
const store = new SqliteStore({ dataDir: dir, masterKey: randomBytes(32) });
const now = new Date().toISOString();
const { enrollmentKey } = createOrgWithKey(store, 'Bench Org', now);
const email = 'bench@relay.example';
const password = randomBytes(18).toString('base64url');
await createAgentAccount(store, { email, name: 'Bench Agent', role: 'agent', password }, now);
const relay = await startRelayWithSessions({
  store,
  retention: RelayRetentionConfigSchema.parse({}),
  port: 0,
  logger: silentLogger,
  hub: { chatRate: { burst: 1_000_000, perSecond: 1_000_000 } },
  // One agent account opens every agent socket here; a real agent asks for a few tickets a day.
  httpLimits: { ticketsPerAgent: { capacity: 1_000_000, refillMs: 1 } },
});
process.stdout.write(
  `${JSON.stringify({ url: relay.url, pid: process.pid, enrollmentKey, email, password })}\n`,
);
const stop = async (): Promise<void> => {
  await relay.stop({ reason: 'benchmark done' });
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
// The benchmark collects garbage before it reads the resident size (node --expose-gc).
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(`${JSON.stringify(process.memoryUsage())}\n`);
});
process.on('SIGTERM', () => void stop());

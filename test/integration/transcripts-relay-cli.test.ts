/**
 * `printo-help transcripts relay …` against a real relay on loopback, through a real CONNECT
 * proxy that policy names: the device's rights over the relay's copy (list, export, restrict,
 * object, correct, erase), with the credentials from the secret store and the relay from policy;
 * erasure under a legal hold is answered as such.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxy } from 'proxy';
import { linuxPolicy } from '../testbed/policy-file.ts';
import type { LinuxPolicy } from '../testbed/policy-file.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src-main/cli/printo-help.ts';
import { saveDeviceCredentials } from '../../src-main/secrets/device-credentials.ts';
import { MemorySecretStore } from '../../src-main/secrets/memory-store.ts';
import { enroll } from '../../src-main/session/enroll.ts';
import type { DeviceCredentials } from '../../src-main/session/types.ts';
import {
  DeviceSessionListResponseSchema,
  SessionExportResponseSchema,
} from '../../src-shared/protocol/http.ts';
import { removeTempDirs, startBed } from './relay/harness.ts';
import type { Bed } from './relay/harness.ts';
import { endedSession } from './relay/ended-session.ts';

let bed: Bed;
let proxyUrl: string;
const connects: string[] = [];
const proxySockets = new Set<Socket>();
const proxy = createProxy(createServer());
const dirs: string[] = [];
beforeAll(async () => {
  bed = await startBed();
  proxy.on('connect', (request: { url?: string }) => connects.push(request.url ?? ''));
  proxy.on('connection', (socket: Socket) => proxySockets.add(socket));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of proxySockets) socket.destroy();
  await new Promise((resolve) => proxy.close(resolve));
  await bed.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  removeTempDirs();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'printo-relay-rights-'));
  dirs.push(dir);
  return dir;
}

/** Policy as IT would set it on Linux: the relay, and the proxy to reach it by. */
function policy(values: Record<string, unknown>): LinuxPolicy {
  return linuxPolicy(tempDir(), values);
}

const ended = (credentials: DeviceCredentials, text: string) =>
  endedSession(bed, credentials, text);

interface Device {
  credentials: DeviceCredentials;
  cli(argv: string[]): Promise<{ code: number; out: string; err: string }>;
}

/** An enrolled device whose credentials are in its secret store, with policy naming relay and proxy. */
async function device(values: Record<string, unknown> = {}): Promise<Device> {
  const credentials = await enroll(
    bed.url,
    { enrollmentKey: bed.enrollmentKey, deviceName: 'WS-RIGHTS' },
    { signal: AbortSignal.timeout(10_000), proxy: 'none' },
  );
  const secrets = new MemorySecretStore();
  await saveDeviceCredentials(secrets, credentials);
  const deps = {
    secrets,
    policy: policy({ relayUrl: bed.url, proxy: proxyUrl, ...values }),
    // The policy's proxy, not the environment's, decides.
    env: { HTTP_PROXY: 'http://127.0.0.1:9' },
  };
  return {
    credentials,
    async cli(argv) {
      let out = '';
      let err = '';
      const code = await runCli(
        ['transcripts', 'relay', ...argv],
        { stdout: (t) => (out += t), stderr: (t) => (err += t), color: false },
        deps,
      );
      return { code, out, err };
    },
  };
}

describe('printo-help transcripts relay', () => {
  it('lists and exports through the policy’s proxy, then restricts, objects and corrects', async () => {
    const mine = await device();
    const own = await ended(mine.credentials, 'The printer is on floor 3');
    const before = connects.length;

    const listed = await mine.cli(['list']);
    expect(listed).toMatchObject({ code: 0, err: '' });
    expect(listed.out).toContain(own.sessionId);
    expect(listed.out).toContain('ended');
    const asJson = await mine.cli(['--json', 'list']);
    const { sessions } = DeviceSessionListResponseSchema.parse(JSON.parse(asJson.out));
    expect(sessions).toEqual([
      expect.objectContaining({ id: own.sessionId, restricted: false, objected: false }),
    ]);

    const exported = await mine.cli(['export', own.sessionId]);
    expect(exported.code).toBe(0);
    const body = SessionExportResponseSchema.parse(JSON.parse(exported.out));
    expect(body.transcript.map((m) => m.text)).toContain('The printer is on floor 3');
    const file = join(tempDir(), 'relay-copy.json');
    const all = await mine.cli(['export', '--out', file]);
    expect(all).toMatchObject({ code: 0, out: `Exported to ${file}.\n` });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const everything = JSON.parse(readFileSync(file, 'utf8')) as { sessions: unknown[] };
    expect(everything.sessions.map((s) => SessionExportResponseSchema.parse(s).session.id)).toEqual(
      [own.sessionId],
    );

    expect(await mine.cli(['restrict', own.sessionId])).toMatchObject({ code: 0, err: '' });
    const objected = await mine.cli(['--json', 'object', own.sessionId]);
    expect(JSON.parse(objected.out)).toMatchObject({
      sessionId: own.sessionId,
      right: 'objection',
    });
    const corrected = await mine.cli([
      '--json',
      'correct',
      own.sessionId,
      own.messageId,
      'It is on floor 4',
    ]);
    expect(JSON.parse(corrected.out)).toMatchObject({
      correctsMessageId: own.messageId,
      text: 'It is on floor 4',
    });
    const after = await mine.cli(['list']);
    expect(after.out).toMatch(/restricted, objected/);
    const stored = bed.store.getSession(own.sessionId);
    expect(stored?.restrictedAt).toEqual(expect.any(String));
    expect(stored?.objectedAt).toEqual(expect.any(String));

    // Every request went through the proxy that policy names (HTTP_PROXY points nowhere).
    const relayHost = new URL(bed.url).host;
    expect(connects.slice(before)).toEqual(Array<string>(9).fill(relayHost));
  });

  it('answers an erasure under a legal hold as such, and erases once the hold ends', async () => {
    const mine = await device();
    const held = await ended(mine.credentials, 'Keep me');
    bed.store.setLegalHold(held.sessionId, true, new Date(bed.clock.now()).toISOString());
    const refused = await mine.cli(['erase', held.sessionId]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/legal hold/);
    expect(refused.err).toContain('(session-on-hold)');
    expect(refused.err).toContain('Nothing was erased');
    const asJson = await mine.cli(['--json', 'erase', held.sessionId]);
    expect(JSON.parse(asJson.err)).toMatchObject({ error: { code: 'session-on-hold' } });
    expect(bed.store.listChat(held.sessionId)).toHaveLength(1);

    bed.store.setLegalHold(held.sessionId, false, new Date(bed.clock.now()).toISOString());
    const erased = await mine.cli(['erase', held.sessionId]);
    expect(erased).toMatchObject({ code: 0, err: '' });
    expect(erased.out).toMatch(/^Erased at the relay/);
    expect(bed.store.listChat(held.sessionId)).toEqual([]);
  });

  it('gives the relay’s codes: another device’s session, a message not the device’s own', async () => {
    const mine = await device();
    const theirs = await device();
    const foreign = await ended(theirs.credentials, 'Not yours');
    const own = await ended(mine.credentials, 'Mine');
    const refused = await mine.cli(['--json', 'export', foreign.sessionId]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.err)).toMatchObject({ error: { code: 'session-not-found' } });
    expect(refused.err + refused.out).not.toContain('Not yours');
    const wrongMessage = await mine.cli(['--json', 'correct', own.sessionId, 'no-such', 'Fix']);
    expect(JSON.parse(wrongMessage.err)).toMatchObject({ error: { code: 'message-not-found' } });
  });

  it('refuses revoked credentials, a computer not enrolled and a relay nobody named', async () => {
    const mine = await device();
    bed.store.revokeDevice(mine.credentials.deviceId, new Date(bed.clock.now()).toISOString());
    const revoked = await mine.cli(['--json', 'list']);
    expect(JSON.parse(revoked.err)).toMatchObject({ error: { code: 'device-auth-failed' } });

    const io = { stdout: () => undefined, stderr: (t: string) => (err += t), color: false };
    let err = '';
    const notEnrolled = await runCli(['--json', 'transcripts', 'relay', 'list'], io, {
      secrets: new MemorySecretStore(),
      policy: policy({ relayUrl: bed.url }),
    });
    expect(notEnrolled).toBe(1);
    expect(JSON.parse(err)).toMatchObject({ error: { code: 'not-enrolled' } });
    err = '';
    // Credentials stored without their relay (as earlier versions stored them), and no policy.
    const oldCredentials = new MemorySecretStore();
    await saveDeviceCredentials(oldCredentials, mine.credentials);
    const noRelay = await runCli(['--json', 'transcripts', 'relay', 'list'], io, {
      secrets: oldCredentials,
      policy: policy({}),
    });
    expect(noRelay).toBe(1);
    expect(JSON.parse(err)).toMatchObject({ error: { code: 'relay-not-configured' } });
    err = '';
    const missing = await runCli(['--json', 'transcripts', 'relay', 'erase'], io, {});
    expect(missing).toBe(2);
  });
});

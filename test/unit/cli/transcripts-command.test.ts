/**
 * `printo-help transcripts …` on a real local store (SQLite in its worker, on a temporary file):
 * each right from the command line.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src-main/cli/printo-help.ts';
import { MemorySecretStore } from '../../../src-main/secrets/memory-store.ts';
import { loadOrCreateTranscriptMasterKey } from '../../../src-main/secrets/transcript-master-key.ts';
import { openTranscriptStore } from '../../../src-main/transcripts/store.ts';
import { ExportSchema } from '../../../src-shared/model/transcript.ts';
import { ManualClock } from '../manual-clock.ts';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function seeded(): Promise<{
  deps: Parameters<typeof runCli>[2];
  dir: string;
  sessionId: string;
  messageId: string;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'printo-transcripts-cli-'));
  dirs.push(dir);
  const secrets = new MemorySecretStore();
  const path = join(dir, 'transcripts.sqlite');
  const store = await openTranscriptStore({
    path,
    masterKey: await loadOrCreateTranscriptMasterKey(secrets),
    clock: new ManualClock(NOW.getTime()),
  });
  const sessionId = randomUUID();
  const messageId = randomUUID();
  await store.startSession({ sessionId, startedAt: NOW.toISOString(), description: 'Tray 2 jams' });
  await store.record(sessionId, {
    type: 'chat',
    seq: 1,
    messageId,
    from: 'client',
    name: 'WS-07',
    text: 'It is the printer on floor 3',
    at: NOW.toISOString(),
    redacted: false,
  });
  await store.endSession(sessionId, { endedAt: NOW.toISOString(), reason: 'ended-by-client' });
  await store.close();
  const policyDir = mkdtempSync(join(tmpdir(), 'printo-transcripts-policy-'));
  dirs.push(policyDir);
  return {
    deps: {
      secrets,
      transcriptsPath: path,
      clock: new ManualClock(NOW.getTime()),
      policy: {
        platform: 'linux',
        policyFilePath: join(policyDir, 'none.json'),
        userSettingsPath: join(policyDir, 'settings.json'),
      },
    },
    dir,
    sessionId,
    messageId,
  };
}

async function cli(
  argv: string[],
  deps: Parameters<typeof runCli>[2],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { stdout: (t) => (out += t), stderr: (t) => (err += t), color: false },
    deps,
  );
  return { code, out, err };
}

describe('printo-help transcripts', () => {
  // Opens the store (a worker thread and SQLite) once per command: seconds on a busy machine.
  it(
    'lists, shows, exports, restricts, corrects and erases a kept session',
    { timeout: 30_000 },
    async () => {
      const { deps, dir, sessionId, messageId } = await seeded();
      const listed = await cli(['--json', 'transcripts', 'list'], deps);
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.out)).toMatchObject({ sessions: [{ sessionId }] });

      const shown = await cli(['transcripts', 'show', sessionId], deps);
      expect(shown.out).toContain('WS-07: It is the printer on floor 3');

      const file = join(dir, 'mine.json');
      expect((await cli(['transcripts', 'export', sessionId, '--out', file], deps)).code).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      ExportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));

      expect((await cli(['transcripts', 'restrict', sessionId], deps)).code).toBe(0);
      expect((await cli(['transcripts', 'list'], deps)).out).toContain('restricted');

      const fix = await cli(['transcripts', 'correct', sessionId, messageId, 'floor 4'], deps);
      expect(fix.code).toBe(0);
      const after = await cli(['transcripts', 'show', sessionId], deps);
      expect(after.out).toContain('It is the printer on floor 3  (corrected)');
      expect(after.out).toContain('correction: floor 4');

      expect((await cli(['transcripts', 'erase'], deps)).code).toBe(2);
      expect((await cli(['transcripts', 'erase', sessionId], deps)).code).toBe(0);
      expect(JSON.parse((await cli(['--json', 'transcripts', 'list'], deps)).out)).toEqual({
        sessions: [],
      });
      const gone = await cli(['transcripts', 'show', sessionId], deps);
      expect(gone.code).toBe(1);
      expect(gone.err).toContain('transcripts-not-found');
    },
  );

  it('says nothing is kept when no key was ever made', async () => {
    const result = await cli(['transcripts', 'list'], { secrets: new MemorySecretStore() });
    expect(result).toMatchObject({
      code: 0,
      out: 'No support session is kept on this computer.\n',
    });
  });
});

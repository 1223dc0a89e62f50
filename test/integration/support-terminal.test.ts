/**
 * `printo-help support` end to end, the way a person uses it: the real command on a real
 * pseudo-terminal, a real relay on loopback with an agent on its WebSocket, a real CUPS bed, a
 * real gnome-keyring on a private D-Bus and the real SQLite file of the local copy. The user asks
 * for help, narrows the agent's consent, chats (with a card number), the agent asks for data (one
 * request answered, one refused), proposes an action that the user approves and that really
 * happens on CUPS; the user revokes, then ends. Afterwards the user's own copy shows exactly what
 * the agent saw, its export validates against the published JSON Schema, erasure leaves no trace
 * in the database file, and the relay's copy answers the user's rights (erasure refused under a
 * legal hold).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportSchema, TranscriptViewSchema } from '../../src-shared/model/transcript.ts';
import { ALL_SCOPES } from '../../src-shared/protocol/v1.ts';
import { EXPORT_SCHEMA_FILE } from '../../scripts/write-protocol-schema.ts';
import { KeyringBed, noBusEnv } from '../testbed/keyring.ts';
import { PtyProcess } from '../testbed/pty.ts';
import { startTestbed } from '../testbed/testbed.ts';
import type { Testbed } from '../testbed/testbed.ts';
import { removeTempDirs, startBed } from './relay/harness.ts';
import type { AgentSocket, Bed } from './relay/harness.ts';

const BIN = fileURLToPath(new URL('../../bin/printo-help', import.meta.url));
const CARD = '4111 1111 1111 1111';

let keyring: KeyringBed;
let cups: Testbed;
let relay: Bed;
let env: NodeJS.ProcessEnv;

function printoHelp(
  args: readonly string[],
  input?: string,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env, timeout: 30_000 },
      (error, out, err) => {
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), out, err });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

beforeAll(async () => {
  [keyring, cups, relay] = await Promise.all([
    KeyringBed.start({ name: 'support-pty' }),
    startTestbed({ name: 'support-pty' }),
    startBed(),
  ]);
  const device = await cups.addDevice({ name: 'pty-dev', make: 'Acme', model: 'Laser 500' });
  await cups.addQueues([{ name: 'Office', device, description: 'Office printer' }]);
  env = { ...keyring.env, ...cups.env, NO_COLOR: '1' };
  const enrolled = await printoHelp(
    ['enroll', '--relay', relay.url, '--key-stdin', '--name', 'WS-PTY-01'],
    relay.enrollmentKey,
  );
  expect(enrolled).toMatchObject({ code: 0, err: '' });
});

afterAll(async () => {
  await relay.stop();
  await Promise.all([keyring.stop(), cups.stop()]);
  removeTempDirs();
});

describe('printo-help support, on a pseudo-terminal', () => {
  it('runs a whole session with consent, chat, data, an approved action, revoke and end; the user’s copy shows what the agent saw', async () => {
    // The queue the agent will resume, paused with CUPS's own tool.
    await cups.run('cupsdisable', ['Office']);
    expect((await cups.queue('Office')).state).toBe('stopped');

    const pty = new PtyProcess([process.execPath, BIN, 'support'], env);
    let agent: AgentSocket | undefined;
    try {
      await pty.expect(/Describe the problem in a few words: /);
      pty.type('The office printer stopped\r');
      const [, spaced] = await pty.expect(/Your session code: (\d{3} \d{3} \d{3})/);
      // Word-wrapped to the terminal's width.
      await pty.expect(/Notice: [\s\S]+?\(The relay\s+keeps\s+the\s+chat\s+for\s+\d+\s+days\.\)/);
      await pty.expect(/A copy is kept on this computer/);
      await pty.expect(/\[waiting for an agent · code \d{3} \d{3} \d{3}\] > /);

      // The agent joins with the code as the user read it out; it asks for every scope.
      agent = await relay.agent();
      const joined = await agent.join({ code: spaced ?? '' });
      expect(joined.payload.requested).toEqual(ALL_SCOPES);
      const sessionId = joined.payload.sessionId;
      expect(joined.payload.deviceName).toBe('WS-PTY-01');

      // Each scope explained in plain words; the user allows chat, printers and actions only.
      await pty.expect(/Sam Support asks for access to this computer:/);
      await pty.expect(/1\. Chat: Send you messages and read yours\./);
      await pty.expect(/6\. Propose fixes: .+approve each one/);
      pty.type('7\r');
      await pty.expect(/Type a \(allow all\), the numbers of what to allow, or d \(deny\)\./);
      pty.type('1 2 6\r');
      const state = await agent.next('consent.state');
      expect(state.payload.granted).toEqual(['chat', 'printers.read', 'actions']);
      await pty.expect(/You allowed: chat, printers\.read, actions\./);
      await pty.expect(/\[with Sam Support · allowed: chat, printers\.read, actions\] > /);

      // Chat both ways; the card number never reaches the agent.
      pty.type(`My card ${CARD} was charged twice\r`);
      const fromUser = await agent.next('chat.message', (m) => m.payload.from === 'client');
      expect(fromUser.payload.text).toBe('My card 411111******1111 was charged twice');
      expect(fromUser.payload.redacted).toBe(true);
      await pty.expect(/You: My card .*was charged twice/);
      await agent.chat('I will look at your printers now.');
      await pty.expect(/Sam Support: I will look at your printers now\./);

      // Data: printers are granted (answered), diagnostics are not (refused here and by the relay).
      const dataRef = agent.send({ type: 'data.request', payload: { kind: 'printers' } });
      const accepted = await agent.next('request.accepted', (f) => f.payload.ref === dataRef);
      const seen = await agent.next(
        'data.response',
        (f) => f.payload.requestId === accepted.payload.requestId,
      );
      expect(seen.payload.data?.kind).toBe('printers');
      await pty.expect(/The agent saw your printers\./);
      const refusedRef = agent.send({ type: 'data.request', payload: { kind: 'diagnostics' } });
      const refused = await agent.next('error', (e) => e.payload.ref === refusedRef);
      expect(refused.payload.code).toBe('scope-not-granted');

      // A proposed action: the user approves; the queue really resumes on CUPS.
      const proposeRef = agent.send({
        type: 'action.propose',
        payload: { action: { id: 'resume-queue', printer: 'Office' } },
      });
      const proposed = await agent.next('request.accepted', (f) => f.payload.ref === proposeRef);
      await pty.expect(/The agent proposes: Resume the printer Office\. Approve\? Type y or n\./);
      pty.type('y\r');
      const forAction = (f: { payload: { requestId: string } }): boolean =>
        f.payload.requestId === proposed.payload.requestId;
      expect((await agent.next('action.response', forAction)).payload.outcome).toBe('approved');
      expect((await agent.next('action.response', forAction)).payload).toMatchObject({
        outcome: 'done',
        message: 'Office is resumed.',
      });
      expect((await cups.queue('Office')).state).not.toBe('stopped');
      await pty.expect(/Action done: Office is resumed\./);

      // Revoke: the agent hears at once, and its next printers request is refused.
      pty.type('/revoke printers.read\r');
      const narrowed = await agent.next('consent.state');
      expect(narrowed.payload.granted).toEqual(['chat', 'actions']);
      await pty.expect(/You took back: printers\.read\./);
      await pty.expect(/\[with Sam Support · allowed: chat, actions\] > /);

      pty.type('/status\r');
      await pty.expect(/Session code: \d{3} \d{3} \d{3}/);
      await pty.expect(/A copy of this session is kept on this computer\./);

      // The user ends the session.
      pty.type('/end\r');
      expect((await agent.next('session.ended')).payload.reason).toBe('ended-by-client');
      await pty.expect(/The session has ended: You ended the session\./);
      expect(await pty.exited).toBe(0);
      if (process.env['SHOW_PTY'] !== undefined) console.log(await pty.screen());

      // The user's own copy: exactly what the agent saw.
      const shown = await printoHelp(['--json', 'transcripts', 'show', sessionId]);
      expect(shown.err).toBe('');
      const view = TranscriptViewSchema.parse(JSON.parse(shown.out));
      expect(view.description).toBe('The office printer stopped');
      expect(view.agent?.name).toBe('Sam Support');
      expect(view.end?.reason).toBe('ended-by-client');
      expect(view.consent.map((c) => [c.decision, c.scopes])).toEqual([
        ['granted', ['chat', 'printers.read', 'actions']],
        ['revoked', ['printers.read']],
      ]);
      expect(view.consent[0]?.notice?.digest).toMatch(/^[0-9a-f]{64}$/);
      const userMessage = view.chat.find((m) => m.from === 'client');
      expect(userMessage?.text).toBe('My card 411111******1111 was charged twice');
      expect(view.chat.map((m) => m.from)).toEqual(['client', 'agent']);
      expect(view.dataShared).toHaveLength(1);
      expect(view.dataShared[0]?.kind).toBe('printers');
      // Byte for byte what the agent received.
      expect(view.dataShared[0]?.sent).toEqual(seen.payload);
      expect(view.actions).toHaveLength(1);
      expect(view.actions[0]?.answers.map((a) => a.answer.outcome)).toEqual(['approved', 'done']);

      // Portability: the export validates against docs/printo-help-export.v1.schema.json.
      const exported = await printoHelp(['--json', 'transcripts', 'export', sessionId]);
      const document: unknown = JSON.parse(exported.out);
      expect(ExportSchema.safeParse(document).success).toBe(true);
      const ajv = new Ajv2020({ allErrors: true, strict: false });
      ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
      ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      const validate = ajv.compile(JSON.parse(readFileSync(EXPORT_SCHEMA_FILE, 'utf8')) as object);
      expect(validate(document), JSON.stringify(validate.errors)).toBe(true);

      // The relay's copy, from the client: listed, and erasure refused under a legal hold.
      const listed = await printoHelp(['--json', 'transcripts', 'relay', 'list']);
      expect(listed.err).toBe('');
      expect(JSON.stringify(JSON.parse(listed.out))).toContain(sessionId);
      relay.store.setLegalHold(sessionId, true, new Date(relay.clock.now()).toISOString());
      const held = await printoHelp(['--json', 'transcripts', 'relay', 'erase', sessionId]);
      expect(held.code).toBe(1);
      expect(JSON.parse(held.err)).toMatchObject({ error: { code: 'session-on-hold' } });
      expect(relay.store.getSession(sessionId)?.erasedAt ?? null).toBeNull();
      relay.store.setLegalHold(sessionId, false, new Date(relay.clock.now()).toISOString());
      const erasedThere = await printoHelp(['--json', 'transcripts', 'relay', 'erase', sessionId]);
      expect(erasedThere.code).toBe(0);
      expect(relay.store.getSession(sessionId)?.erasedAt).toBeTruthy();

      // Erasure of the local copy leaves no readable trace in the file.
      const database = join(
        keyring.env['XDG_DATA_HOME'] ?? '',
        'printo-help',
        'transcripts.sqlite',
      );
      expect(existsSync(database)).toBe(true);
      const bytes = (): string =>
        ['', '-wal']
          .map((suffix) => database + suffix)
          .filter((file) => existsSync(file))
          .map((file) => readFileSync(file).toString('latin1'))
          .join('');
      expect(bytes()).toContain(sessionId);
      const erased = await printoHelp(['transcripts', 'erase', sessionId]);
      expect(erased.code).toBe(0);
      for (const trace of [sessionId, 'The office printer stopped', 'Sam Support', 'Office']) {
        expect(bytes()).not.toContain(trace);
      }
      const after = await printoHelp(['--json', 'transcripts', 'list']);
      expect(JSON.parse(after.out)).toEqual({ sessions: [] });
    } catch (error) {
      console.log(pty.text);
      throw error;
    } finally {
      pty.kill();
      await agent?.close();
    }
  });

  it('ends the session with a reason when the user presses Ctrl-C', async () => {
    const pty = new PtyProcess([process.execPath, BIN, 'support', '--description', 'Toner'], env);
    let agent: AgentSocket | undefined;
    try {
      const [, spaced] = await pty.expect(/Your session code: (\d{3} \d{3} \d{3})/);
      agent = await relay.agent();
      const joined = await agent.join({ code: spaced ?? '' });
      await pty.expect(/asks for access to this computer:/);
      pty.type('a\r');
      await agent.next('consent.state');
      await pty.expect(/\[with Sam Support · allowed: /);
      pty.type('\u0003');
      const ended = await agent.next('session.ended');
      expect(ended.payload.reason).toBe('ended-by-client');
      expect(await pty.exited).toBe(0);
      expect(relay.store.getSession(joined.payload.sessionId)).toMatchObject({
        state: 'ended',
        endReason: 'ended-by-client',
      });
    } finally {
      pty.kill();
      await agent?.close();
    }
  });
});

describe('printo-help support, refused', () => {
  it('says how to enrol when this computer is not enrolled and no relay is set', async () => {
    const home = mkdtempSync(join(tmpdir(), 'printo-support-'));
    try {
      const result = await new Promise<{ code: number | null; err: string }>((resolve) => {
        execFile(
          process.execPath,
          [BIN, 'support', '--description', 'Printer jam'],
          {
            env: {
              ...noBusEnv(join(home, 'run')),
              HOME: home,
              XDG_DATA_HOME: join(home, 'data'),
              XDG_CONFIG_HOME: join(home, 'config'),
            },
            timeout: 30_000,
          },
          (error, _out, err) => {
            resolve({ code: error === null ? 0 : Number(error.code ?? 1), err });
          },
        ).stdin?.end();
      });
      expect(result.code).toBe(1);
      expect(result.err).toContain('No support relay is configured on this computer.');
      expect(result.err).toContain('printo-help enroll');
      expect(result.err).toContain('(not-enrolled)');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('has no --json form (a usage error, as JSON)', async () => {
    const result = await printoHelp(['--json', 'support']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.err)).toMatchObject({ error: { code: 'conflicting-option' } });
  });
});

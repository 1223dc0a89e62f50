/**
 * `printo-relay`: run Printo Relay and manage what it holds (organisations, agents, sessions,
 * transcripts, retention) from a terminal or a script.
 *
 * Exit codes: 0 success; 1 the action failed (not found, on legal hold, store locked…);
 * 2 usage error (including a refused insecure address).
 *
 * Secrets (enrollment keys, the first admin password) are printed once on standard output and
 * never logged; passwords are read from the terminal or `--password-stdin`, never from argv.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PrintoError, UsageError, isPrintoError, reportCliError } from '../../src-shared/errors.ts';
import { renderTable } from '../../src-shared/text/table.ts';
import type { Clock } from '../server/contracts.ts';
import { adminSocketPath, startAdminSocket } from '../server/admin-socket.ts';
import { startRelayWithSessions } from '../server/compose.ts';
import {
  AgentRoleSchema,
  bootstrapFirstStart,
  createAgentAccount,
  createOrgWithKey,
  findAgentByEmail,
  findOrg,
  issueEnrollmentKey,
} from '../server/identities.ts';
import { createLogger } from '../server/logger.ts';
import type { LogLevel } from '../server/logger.ts';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  RelayErrorCode,
  checkBindSecurity,
  systemClock,
} from '../server/relay-server.ts';
import type { RetentionPeriods, SessionState, Store } from '../store/store.ts';
import { parseRetentionConfig } from '../store/config.ts';
import { resolveMasterKey } from '../store/master-key.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { promptHidden, readAll } from './prompt.ts';
import { RemoteStore } from './remote-store.ts';

export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;

export const DATA_DIR_ENV = 'PRINTO_RELAY_DATA';
export const DEFAULT_DATA_DIR = 'printo-relay-data';
export const CONFIG_FILE = 'config.json';

export interface RelayCliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  /** Where interactive prompts are written (standard error, so stdout stays clean). */
  readonly promptOutput: { write(text: string): unknown };
}

export interface RelayCliDependencies {
  readonly clock?: Clock;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly openStore?: (dataDir: string, clock: Clock) => Store;
  /** Resolves with a reason when `serve` should stop (default: SIGINT or SIGTERM). */
  readonly waitForStop?: () => Promise<string>;
  /** Where `serve` writes its JSON logs (default: standard error). */
  readonly logWrite?: (line: string) => void;
}

const STATES: readonly SessionState[] = ['waiting', 'awaiting-consent', 'active', 'ended'];
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function port(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new InvalidArgumentError('a port is a number from 0 to 65535 (0 picks a free one).');
  }
  return Number(value);
}

function oneOf<T extends string>(allowed: readonly T[], label: string) {
  return (value: string): T => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`${label} is one of ${allowed.join(', ')}.`);
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Plain columns, fitted to the terminal (whole lines into a pipe or a file); the CLI has no
 * colour to keep scripts and logs readable.
 */
function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return renderTable(
    headers.map((header) => ({ header })),
    rows,
    process.stdout.isTTY ? { width: process.stdout.columns } : {},
  );
}

export function defaultOpenStore(
  env: Readonly<Record<string, string | undefined>>,
): (dataDir: string, clock: Clock) => Store {
  return (dataDir, clock) =>
    new SqliteStore({
      dataDir,
      masterKey: resolveMasterKey(dataDir, env).key,
      clock: () => new Date(clock.now()),
    });
}

/** Retention periods from DATA_DIR/config.json (all defaults when there is no file). */
export function loadRetention(dataDir: string): RetentionPeriods {
  const path = join(dataDir, CONFIG_FILE);
  if (!existsSync(path)) return parseRetentionConfig(undefined, path);
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PrintoError('config-invalid', `Cannot read ${path} as JSON.`, {
      hint: 'Fix the file or remove it to use the defaults.',
      cause: error,
    });
  }
  const retention =
    typeof config === 'object' && config !== null
      ? (config as Record<string, unknown>)['retention']
      : undefined;
  return parseRetentionConfig(retention, path);
}

function signalStop(): Promise<string> {
  return new Promise((resolveStop) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // A second Ctrl-C while stopping means "now".
      process.once('SIGINT', () => process.exit(ExitCode.Failed));
      resolveStop(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export async function runRelayCli(
  argv: readonly string[],
  io: RelayCliIo,
  deps: RelayCliDependencies = {},
): Promise<number> {
  const clock = deps.clock ?? systemClock;
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const openStoreAt = deps.openStore ?? defaultOpenStore(env);
  const now = (): string => new Date(clock.now()).toISOString();
  let exitCode: number = ExitCode.Ok;
  let store: Store | undefined;

  const program = new Command('printo-relay')
    .description('Printo Relay: where Printo Help clients and support agents meet.')
    .addOption(
      new Option('--data-dir <dir>', 'the relay data directory').default(
        // An empty variable counts as unset (a data directory of '' would be the working one).
        env[DATA_DIR_ENV] === undefined || env[DATA_DIR_ENV] === ''
          ? `./${DEFAULT_DATA_DIR}`
          : env[DATA_DIR_ENV],
        `$${DATA_DIR_ENV} or ./${DEFAULT_DATA_DIR}`,
      ),
    )
    .addOption(new Option('--json', 'machine-readable JSON on standard output'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        io.stdout(text);
      },
      writeErr: (text) => {
        io.stderr(text);
      },
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 the action failed, 2 usage error.
One process owns the data directory: while \`serve\` runs, the other commands run through it
(DATA_DIR/admin.sock, usable by the relay's own user only).`,
    );

  const globals = (): { dataDir: string; json?: boolean } =>
    program.opts<{ dataDir: string; json?: boolean }>();
  const dataDir = (): string => resolve(cwd, globals().dataDir);
  const json = (value: unknown): void => {
    io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  };
  const ensureDataDir = (): string => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32' && (statSync(dir).mode & 0o077) !== 0) {
      io.stderr(
        `printo-relay: warning: ${dir} is accessible to other users; restrict it: chmod 700 ${dir}\n`,
      );
    }
    return dir;
  };
  /**
   * The store: the running relay's, through its admin socket, when `serve` holds the data
   * directory (unless `local`); else the file itself.
   */
  const getStore = (mode: 'any' | 'local' = 'any'): Store => {
    if (store !== undefined) return store;
    const dir = ensureDataDir();
    const socket = adminSocketPath(dir);
    if (mode === 'any' && existsSync(socket)) {
      try {
        store = new RemoteStore(socket);
        return store;
      } catch (error) {
        // A socket file a dead relay left behind: the file is free, open it here.
        if (!isPrintoError(error, 'store-remote-unavailable')) throw error;
      }
    }
    store = openStoreAt(dir, clock);
    return store;
  };

  // ---------------------------------------------------------------------------------------
  program
    .command('serve')
    .description('run the relay (127.0.0.1 by default; TLS with a certificate and key)')
    .addOption(new Option('--host <host>', 'address to listen on').default(DEFAULT_HOST))
    .addOption(
      new Option('--port <port>', 'port to listen on (0 picks one)')
        .default(DEFAULT_PORT)
        .argParser(port),
    )
    .addOption(new Option('--tls-cert <file>', 'PEM certificate (chain) for HTTPS/WSS'))
    .addOption(new Option('--tls-key <file>', 'PEM private key for HTTPS/WSS'))
    .addOption(
      new Option(
        '--force-insecure',
        'serve plain HTTP off loopback (only behind a TLS-terminating proxy)',
      ),
    )
    .addOption(
      new Option(
        '--public-url <url>',
        'the URL agents use when it is not the bound address (a proxy, a DNS name)',
      ),
    )
    .addOption(
      new Option('--allow-origin <origin>', 'another browser origin allowed (repeatable)')
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option('--log-level <level>', 'debug, info, warn or error')
        .default('info')
        .argParser(oneOf(LOG_LEVELS, '--log-level')),
    )
    .action(
      async (options: {
        host: string;
        port: number;
        tlsCert?: string;
        tlsKey?: string;
        forceInsecure?: boolean;
        publicUrl?: string;
        allowOrigin: string[];
        logLevel: LogLevel;
      }) => {
        if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
          throw new UsageError('Give both --tls-cert and --tls-key, or neither.');
        }
        if (options.publicUrl !== undefined && !URL.canParse(options.publicUrl)) {
          throw new UsageError(`--public-url is not a URL: ${JSON.stringify(options.publicUrl)}.`);
        }
        const tls =
          options.tlsCert === undefined || options.tlsKey === undefined
            ? undefined
            : { certFile: resolve(cwd, options.tlsCert), keyFile: resolve(cwd, options.tlsKey) };
        // Before anything is created or printed: a refused address must leave no trace.
        checkBindSecurity({
          host: options.host,
          tls: tls !== undefined,
          force: options.forceInsecure === true,
        });
        const dir = ensureDataDir();
        const retention = loadRetention(dir);
        const opened = getStore('local');
        const first = await bootstrapFirstStart(opened, now());
        if (first !== null) {
          // Shown once, here, and never again: only hashes are stored, nothing is logged.
          io.stdout(
            [
              'First start: created a development organisation and an administrator.',
              'These credentials are shown only now; keep them somewhere safe.',
              `  Organisation:    ${first.org.name} (${first.org.id})`,
              `  Enrollment key:  ${first.enrollmentKey}`,
              `  Admin email:     ${first.admin.email}`,
              `  Admin password:  ${first.password}`,
              '',
            ].join('\n'),
          );
        }
        const logger = createLogger({
          level: options.logLevel,
          ...(deps.logWrite === undefined ? {} : { write: deps.logWrite }),
        });
        const relay = await startRelayWithSessions({
          store: opened,
          retention,
          host: options.host,
          port: options.port,
          clock,
          logger,
          allowedOrigins: options.allowOrigin,
          ...(tls === undefined ? {} : { tls }),
          ...(options.forceInsecure === true ? { force: true } : {}),
          ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
        });
        store = undefined; // the relay owns it now and closes it last
        // The other commands run through the relay while it holds the data directory.
        const admin = await startAdminSocket({
          dataDir: dir,
          store: opened,
          logger,
          onAgentDisabled: (agentId) => {
            relay.agentDisabled(agentId);
          },
        });
        // Listen for the stop signal before saying we are up: whoever reads the line (a
        // supervisor, a test) may send SIGTERM at once, before this process runs another line.
        const stopped = (deps.waitForStop ?? signalStop)();
        io.stdout(`Printo Relay listening on ${relay.url}\nData directory: ${dir}\n`);
        const reason = await stopped;
        io.stdout(`Stopping (${reason})…\n`);
        await admin?.close();
        await relay.stop({ reason });
        io.stdout('Stopped.\n');
      },
    );

  // ---------------------------------------------------------------------------------------
  const orgs = program.command('orgs').description('customer organisations and enrollment keys');
  orgs
    .command('add')
    .description('add an organisation and print its enrollment key (once)')
    .argument('<name>')
    .action((name: string) => {
      const { org, enrollmentKey } = createOrgWithKey(getStore(), name, now());
      if (globals().json === true) json({ org, enrollmentKey });
      else {
        io.stdout(
          `Added organisation ${org.name} (${org.id}).\nEnrollment key (shown only now): ${enrollmentKey}\n`,
        );
      }
    });
  orgs
    .command('key')
    .description('issue another enrollment key for an organisation (printed once)')
    .argument('<org>', 'organisation id or name')
    .action((idOrName: string) => {
      const org = findOrg(getStore(), idOrName);
      const enrollmentKey = issueEnrollmentKey(getStore(), org.id, now());
      if (globals().json === true) json({ orgId: org.id, enrollmentKey });
      else io.stdout(`New enrollment key for ${org.name} (shown only now): ${enrollmentKey}\n`);
    });
  orgs
    .command('list')
    .description('list organisations')
    .action(() => {
      const list = getStore().listOrgs();
      if (globals().json === true) json({ orgs: list });
      else
        io.stdout(
          `${table(
            ['ID', 'NAME', 'CREATED'],
            list.map((o) => [o.id, o.name, o.createdAt]),
          )}\n`,
        );
    });

  // ---------------------------------------------------------------------------------------
  const agents = program.command('agents').description('support agent accounts');
  agents
    .command('add')
    .description('add an agent; the password is asked on the terminal or read from stdin')
    .argument('<email>')
    .requiredOption('--name <name>', 'display name shown to customers')
    .addOption(
      new Option('--role <role>', 'agent or admin')
        .default('agent')
        .argParser(oneOf(AgentRoleSchema.options, '--role')),
    )
    .addOption(new Option('--password-stdin', 'read the password from standard input'))
    .action(
      async (
        email: string,
        options: { name: string; role: 'agent' | 'admin'; passwordStdin?: boolean },
      ) => {
        let password: string;
        if (options.passwordStdin === true) {
          password = await readAll(io.stdin);
        } else if (io.stdin.isTTY === true) {
          password = await promptHidden('Password: ', io.stdin, io.promptOutput);
          const again = await promptHidden('Password again: ', io.stdin, io.promptOutput);
          if (again !== password)
            throw new UsageError('The two passwords differ; nothing was added.');
        } else {
          throw new UsageError(
            'No terminal to ask for the password: pipe it with --password-stdin (never put it on the command line).',
          );
        }
        const agent = await createAgentAccount(
          getStore(),
          { email, name: options.name, role: options.role, password },
          now(),
        );
        if (globals().json === true) json({ agent });
        else io.stdout(`Added ${agent.role} ${agent.name} <${agent.email}> (${agent.id}).\n`);
      },
    );
  agents
    .command('list')
    .description('list agents')
    .action(() => {
      const list = getStore().listAgents();
      if (globals().json === true) json({ agents: list });
      else {
        io.stdout(
          `${table(
            ['ID', 'EMAIL', 'NAME', 'ROLE', 'STATUS'],
            list.map((a) => [a.id, a.email, a.name, a.role, a.disabled ? 'disabled' : 'active']),
          )}\n`,
        );
      }
    });
  const setDisabled = (disabled: boolean) => (email: string) => {
    const agent = findAgentByEmail(getStore(), email);
    getStore().setAgentDisabled(agent.id, disabled);
    const word = disabled ? 'disabled' : 'enabled';
    if (globals().json === true) json({ ok: true, agentId: agent.id, disabled });
    else {
      io.stdout(
        `${agent.email} is ${word}.${disabled ? ' A running relay has ended its web sessions and connections.' : ''}\n`,
      );
    }
  };
  agents
    .command('disable')
    .description('disable an agent: no login, no ticket, no new connection')
    .argument('<email>')
    .action(setDisabled(true));
  agents
    .command('enable')
    .description('enable a disabled agent again')
    .argument('<email>')
    .action(setDisabled(false));

  // ---------------------------------------------------------------------------------------
  program
    .command('sessions')
    .description('support sessions')
    .command('list')
    .description('list sessions (metadata only, never chat)')
    .addOption(new Option('--state <state>', STATES.join(', ')).argParser(oneOf(STATES, '--state')))
    .action((options: { state?: SessionState }) => {
      const list = getStore().listSessions(
        options.state === undefined ? {} : { state: options.state },
      );
      if (globals().json === true) {
        // The description is the customer's words: not part of a listing.
        json({
          sessions: list.map((s) =>
            Object.fromEntries(Object.entries(s).filter(([key]) => key !== 'description')),
          ),
        });
      } else {
        io.stdout(
          `${table(
            ['ID', 'STATE', 'CREATED', 'ENDED', 'END REASON', 'HOLD'],
            list.map((s) => [
              s.id,
              s.state,
              s.createdAt,
              s.endedAt ?? '',
              s.endReason ?? '',
              s.legalHold ? 'hold' : '',
            ]),
          )}\n`,
        );
      }
    });

  // ---------------------------------------------------------------------------------------
  const transcripts = program
    .command('transcripts')
    .description("one session's transcript and consent receipts: export, erase, legal hold");
  const notFound = (id: string): PrintoError =>
    new PrintoError('session-not-found', `No session ${id}.`, {
      hint: 'List them with `printo-relay sessions list`.',
    });
  transcripts
    .command('export')
    .description('export a session with its transcript and consent receipts as JSON')
    .argument('<session-id>')
    .addOption(new Option('--out <file>', 'write to this new file (mode 0600) instead of stdout'))
    .action((id: string, options: { out?: string }) => {
      const exported = getStore().exportSession(id, now());
      if (exported === null) throw notFound(id);
      const text = `${JSON.stringify(exported, null, 2)}\n`;
      if (options.out === undefined) {
        io.stdout(text);
        return;
      }
      const out = resolve(cwd, options.out);
      try {
        writeFileSync(out, text, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
        throw new PrintoError('export-write-failed', `Cannot write ${out}.`, {
          hint: exists
            ? 'The file exists; choose a new name (exports never overwrite).'
            : 'Check the directory and permissions.',
          cause: error,
        });
      }
      io.stderr(`Exported session ${id} to ${out}.\n`);
    });
  transcripts
    .command('erase')
    .description("erase a session's transcript and the personal content of its receipts now")
    .argument('<session-id>')
    .action((id: string) => {
      const result = getStore().eraseSession(id, now());
      if (!result.erased) {
        if (result.reason === 'legal-hold') {
          throw new PrintoError(
            'session-on-hold',
            `Session ${id} is on legal hold: nothing was erased.`,
            {
              hint: `Release the hold first if the law allows it: printo-relay transcripts release ${id}`,
            },
          );
        }
        throw notFound(id);
      }
      if (globals().json === true) json({ ok: true, sessionId: id, erased: true });
      else io.stdout(`Erased the transcript of session ${id}.\n`);
    });
  const hold = (on: boolean) => (id: string) => {
    if (!getStore().setLegalHold(id, on, now())) throw notFound(id);
    if (globals().json === true) json({ ok: true, sessionId: id, legalHold: on });
    else {
      io.stdout(
        on
          ? `Session ${id} is on legal hold: retention and erasure will not delete it.\n`
          : `Released the legal hold on session ${id}; retention applies again.\n`,
      );
    }
  };
  transcripts
    .command('hold')
    .description('put a session on legal hold (kept past retention, not erasable)')
    .argument('<session-id>')
    .action(hold(true));
  transcripts
    .command('release')
    .description('release a legal hold')
    .argument('<session-id>')
    .action(hold(false));

  // ---------------------------------------------------------------------------------------
  program
    .command('purge')
    .description('delete now what is past its retention period and not on hold')
    .action(() => {
      const retention = loadRetention(ensureDataDir());
      const result = getStore().purge(new Date(clock.now()), retention);
      if (globals().json === true) json({ ...result, retention });
      else {
        io.stdout(
          `Purged ${result.sessions} session(s), ${result.chatMessages} chat message(s) and ` +
            `${result.consentReceipts} consent receipt(s); ${result.heldBack} kept on legal hold.\n`,
        );
      }
    });

  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return ExitCode.Usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    exitCode = reportCliError('printo-relay', error, {
      write: io.stderr,
      asJson: globals().json === true,
      exitCodeFor: (failure) =>
        failure.code === RelayErrorCode.InsecureBind ? ExitCode.Usage : ExitCode.Failed,
    });
  } finally {
    store?.close();
  }
  return exitCode;
}

/** Entry point used by bin/printo-relay. */
export async function main(): Promise<void> {
  process.exitCode = await runRelayCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
    promptOutput: process.stderr,
  });
}

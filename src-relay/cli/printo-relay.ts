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
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PrintoError, UsageError, isPrintoError, reportCliError } from '../../src-shared/errors.ts';
import { loadWideWidths, renderTable } from '../../src-shared/text/table.ts';
import { systemClock } from '../../src-shared/clock.ts';
import type { Clock } from '../../src-shared/clock.ts';
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
  setProviderOrgs,
  resetAgentPassword,
} from '../server/identities.ts';
import { createLogger } from '../server/logger.ts';
import type { LogLevel } from '../server/logger.ts';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  RelayErrorCode,
  checkBindSecurity,
} from '../server/relay-server.ts';
import type { AgentScope, Org, SessionState, Store } from '../store/store.ts';
import { loadRelayConfig } from '../store/config.ts';
import { resolveMasterKey } from '../store/master-key.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { RELAY_VERSION } from '../version.ts';
import { promptHidden, readAll } from './prompt.ts';
import { RemoteStore } from './remote-store.ts';

export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;

export const DATA_DIR_ENV = 'PRINTO_RELAY_DATA';
export const DEFAULT_DATA_DIR = 'printo-relay-data';

export const CliErrorCode = {
  /** A command other than `serve` was pointed at a data directory that does not exist. */
  DataDirMissing: 'data-dir-missing',
  DeviceNotFound: 'device-not-found',
} as const;

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

/** `provider: all`, `provider: Acme, Beta`, `customer: Acme` (names where known, else ids). */
export function describeScope(scope: AgentScope, orgs: readonly Org[]): string {
  const name = (id: string): string => orgs.find((o) => o.id === id)?.name ?? id;
  if (scope.kind === 'customer') return `customer: ${name(scope.orgId)}`;
  if (scope.orgs === 'all') return 'provider: all';
  return `provider: ${scope.orgs.length === 0 ? 'none' : scope.orgs.map(name).join(', ')}`;
}

export function defaultOpenStore(
  env: Readonly<Record<string, string | undefined>>,
): (dataDir: string, clock: Clock) => Store {
  return (dataDir, clock) =>
    new SqliteStore({
      dataDir,
      masterKey: resolveMasterKey(dataDir, env).key,
      clock,
    });
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
    .version(RELAY_VERSION, '-V, --version')
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
  const warnIfShared = (dir: string): string => {
    if (process.platform !== 'win32' && (statSync(dir).mode & 0o077) !== 0) {
      io.stderr(
        `printo-relay: warning: ${dir} is accessible to other users; restrict it: chmod 700 ${dir}\n`,
      );
    }
    return dir;
  };
  /** `serve` makes the data directory on first start. */
  const ensureDataDir = (): string => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return warnIfShared(dir);
  };
  /**
   * The other commands need one that exists: a mistyped path or the wrong working directory must
   * not leave an empty relay behind and answer "nothing there".
   */
  const existingDataDir = (): string => {
    const dir = dataDir();
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new PrintoError(
        CliErrorCode.DataDirMissing,
        `There is no relay data directory at ${dir}${existsSync(dir) ? ' (it is not a directory)' : ''}.`,
        {
          hint:
            `Give the relay's directory with --data-dir DIR or $${DATA_DIR_ENV} (default ` +
            `./${DEFAULT_DATA_DIR} in the working directory), or create it by starting the relay ` +
            `once: printo-relay --data-dir ${dir} serve`,
        },
      );
    }
    return warnIfShared(dir);
  };
  /**
   * The store: the running relay's, through its admin socket, when `serve` holds the data
   * directory (unless `local`); else the file itself.
   */
  const getStore = (mode: 'any' | 'local' = 'any'): Store => {
    if (store !== undefined) return store;
    // `serve` (local) has made the directory already.
    const dir = mode === 'local' ? dataDir() : existingDataDir();
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
        const config = loadRelayConfig(dir);
        const { retention } = config;
        const opened = getStore('local');
        const logger = createLogger({
          level: options.logLevel,
          clock,
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
        // Only once the address is ours: a start that fails (a port in use) must not create
        // accounts whose one-time credentials nobody will see, and the next start that binds
        // is then still a first start.
        let first: Awaited<ReturnType<typeof bootstrapFirstStart>>;
        try {
          first = await bootstrapFirstStart(opened, now());
        } catch (error) {
          await relay.stop({ reason: 'start-failed' });
          throw error;
        }
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
        // What will be deleted when, and why: each period with where it came from.
        logger.info('retention.in-force', {
          chatTranscriptDays: retention.chatTranscriptDays,
          chatTranscriptFrom: config.retentionSources.chatTranscriptDays,
          consentReceiptDays: retention.consentReceiptDays,
          consentReceiptFrom: config.retentionSources.consentReceiptDays,
          sessionMetadataDays: retention.sessionMetadataDays,
          sessionMetadataFrom: config.retentionSources.sessionMetadataDays,
          configFile: config.path,
        });
        // The other commands run through the relay while it holds the data directory.
        const admin = await startAdminSocket({
          dataDir: dir,
          store: opened,
          logger,
          onAgentDisabled: (agentId) => {
            relay.agentDisabled(agentId);
          },
          onAgentScopeChanged: (agentId) => {
            relay.agentScopeChanged(agentId);
          },
          onAgentPasswordReset: (agentId) => {
            relay.agentDisabled(agentId);
          },
          onDeviceRevoked: (deviceId) => {
            relay.deviceRevoked(deviceId);
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
    .addOption(
      new Option('--allow-duplicate-name', 'add it even if an organisation has this name already'),
    )
    .action((name: string, options: { allowDuplicateName?: boolean }) => {
      const { org, enrollmentKey } = createOrgWithKey(getStore(), name, now(), {
        allowDuplicateName: options.allowDuplicateName === true,
      });
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
      if (globals().json === true) json({ orgId: org.id, org, enrollmentKey });
      else {
        io.stdout(
          `New enrollment key for organisation ${org.name} (${org.id}), shown only now: ${enrollmentKey}\n`,
        );
      }
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

  /** From stdin, or asked twice on the terminal; never from argv. */
  const readNewPassword = async (fromStdin: boolean, outcome: string): Promise<string> => {
    if (fromStdin) return readAll(io.stdin);
    if (io.stdin.isTTY !== true) {
      throw new UsageError(
        'No terminal to ask for the password: pipe it with --password-stdin (never put it on the command line).',
      );
    }
    const password = await promptHidden('Password: ', io.stdin, io.promptOutput);
    const again = await promptHidden('Password again: ', io.stdin, io.promptOutput);
    if (again !== password)
      throw new UsageError(`The two passwords differ; nothing was ${outcome}.`);
    return password;
  };

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
    .addOption(
      new Option(
        '--org <org>',
        "a customer organisation's own agent (id or name): sees that organisation only; " +
          'without it, a provider agent serving every organisation',
      ),
    )
    .addOption(new Option('--password-stdin', 'read the password from standard input'))
    .action(
      async (
        email: string,
        options: { name: string; role: 'agent' | 'admin'; org?: string; passwordStdin?: boolean },
      ) => {
        // Before the password is asked for: a wrong organisation should not cost typing it.
        const home = options.org === undefined ? undefined : findOrg(getStore(), options.org);
        const password = await readNewPassword(options.passwordStdin === true, 'added');
        const agent = await createAgentAccount(
          getStore(),
          {
            email,
            name: options.name,
            role: options.role,
            password,
            ...(home === undefined ? {} : { scope: { kind: 'customer', orgId: home.id } }),
          },
          now(),
        );
        if (globals().json === true) json({ agent });
        else {
          io.stdout(
            `Added ${agent.role} ${agent.name} <${agent.email}> (${agent.id}), ${describeScope(agent.scope, home === undefined ? [] : [home])}.\n`,
          );
        }
      },
    );
  agents
    .command('list')
    .description('list agents')
    .action(() => {
      const list = getStore().listAgents();
      if (globals().json === true) json({ agents: list });
      else {
        const orgList = getStore().listOrgs();
        io.stdout(
          `${table(
            ['ID', 'EMAIL', 'NAME', 'ROLE', 'STATUS', 'SCOPE'],
            list.map((a) => [
              a.id,
              a.email,
              a.name,
              a.role,
              a.disabled ? 'disabled' : 'active',
              describeScope(a.scope, orgList),
            ]),
          )}\n`,
        );
      }
    });
  agents
    .command('orgs')
    .description(
      "set the organisations a provider agent serves: --all, or a list (a customer organisation's agent serves its own only)",
    )
    .argument('<email>')
    .argument('[orgs...]', 'organisation ids or names')
    .addOption(new Option('--all', 'serve every organisation'))
    .action((email: string, orgList: string[], options: { all?: boolean }) => {
      if (options.all === true && orgList.length > 0) {
        throw new UsageError('Give --all or a list of organisations, not both.');
      }
      if (options.all !== true && orgList.length === 0) {
        throw new UsageError(
          'Give the organisations the agent serves (ids or names), or --all for every one.',
        );
      }
      const agent = setProviderOrgs(getStore(), email, options.all === true ? 'all' : orgList);
      if (globals().json === true) json({ ok: true, agentId: agent.id, scope: agent.scope });
      else {
        io.stdout(
          `${agent.email} is now ${describeScope(agent.scope, getStore().listOrgs())}. ` +
            'A running relay has closed its connections; they reconnect under the new scope.\n',
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
    .command('reset-password')
    .description(
      "give an agent a new password (asked on the terminal or read from stdin); ends the agent's web sessions and connections",
    )
    .argument('<email>')
    .addOption(new Option('--password-stdin', 'read the password from standard input'))
    .action(async (email: string, options: { passwordStdin?: boolean }) => {
      // Known before the password is asked for: a typo in the email fails at once.
      findAgentByEmail(getStore(), email);
      const password = await readNewPassword(options.passwordStdin === true, 'changed');
      const agent = await resetAgentPassword(getStore(), email, password);
      if (globals().json === true) json({ ok: true, agentId: agent.id });
      else {
        io.stdout(
          `New password set for ${agent.email}. A running relay has ended its web sessions and connections.\n`,
        );
      }
    });
  agents
    .command('enable')
    .description('enable a disabled agent again')
    .argument('<email>')
    .action(setDisabled(false));

  // ---------------------------------------------------------------------------------------
  const devices = program.command('devices').description('enrolled devices (desktop clients)');
  devices
    .command('list')
    .description('list enrolled devices')
    .addOption(new Option('--org <org>', 'only those of this organisation (id or name)'))
    .action((options: { org?: string }) => {
      const orgList = getStore().listOrgs();
      const org = options.org === undefined ? undefined : findOrg(getStore(), options.org);
      const list = getStore().listDevices(org === undefined ? {} : { orgId: org.id });
      if (globals().json === true) json({ devices: list });
      else {
        const orgName = new Map(orgList.map((o) => [o.id, o.name]));
        io.stdout(
          `${table(
            ['ID', 'NAME', 'ORGANISATION', 'ENROLLED', 'STATUS'],
            list.map((d) => [
              d.id,
              d.name,
              orgName.get(d.orgId) ?? d.orgId,
              d.createdAt,
              d.revokedAt === undefined ? 'active' : `revoked ${d.revokedAt}`,
            ]),
          )}\n`,
        );
      }
    });
  devices
    .command('revoke')
    .description('revoke a device: its credentials are refused and its connections closed')
    .argument('<device-id>')
    .action((id: string) => {
      const device = getStore()
        .listDevices()
        .find((d) => d.id === id);
      if (device === undefined || !getStore().revokeDevice(id, now())) {
        throw new PrintoError(CliErrorCode.DeviceNotFound, `No device ${id}.`, {
          hint: 'List them with `printo-relay devices list`.',
        });
      }
      if (globals().json === true) json({ ok: true, deviceId: id, revoked: true });
      else {
        io.stdout(
          `Revoked device ${device.name} (${id}). A running relay has closed its connections; ` +
            'it can no longer connect or resume.\n',
        );
      }
    });

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
      // Who and where, by name: ids alone tell an operator nothing.
      const orgNames = new Map(
        getStore()
          .listOrgs()
          .map((o) => [o.id, o.name]),
      );
      const deviceNames = new Map(
        getStore()
          .listDevices()
          .map((d) => [d.id, d.name]),
      );
      const agentNames = new Map(
        getStore()
          .listAgents()
          .map((a) => [a.id, a.name]),
      );
      const named = list.map((s) => ({
        session: s,
        orgName: orgNames.get(s.orgId) ?? null,
        deviceName: deviceNames.get(s.deviceId) ?? null,
        agentName: s.agentId === null ? null : (agentNames.get(s.agentId) ?? null),
      }));
      if (globals().json === true) {
        // The description is the customer's words: not part of a listing.
        json({
          sessions: named.map(({ session, ...names }) => ({
            ...Object.fromEntries(Object.entries(session).filter(([key]) => key !== 'description')),
            ...names,
          })),
        });
      } else {
        io.stdout(
          `${table(
            [
              'ID',
              'STATE',
              'ORGANISATION',
              'DEVICE',
              'AGENT',
              'CREATED',
              'ENDED',
              'END REASON',
              'HOLD',
            ],
            named.map(({ session: s, orgName, deviceName, agentName }) => [
              s.id,
              s.state,
              orgName ?? s.orgId,
              deviceName ?? s.deviceId,
              agentName ?? s.agentId ?? '',
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
      const { retention } = loadRelayConfig(existingDataDir());
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
    // Names in any script in the tables (organisations, devices, agents).
    if (!argv.includes('--version') && !argv.includes('-V')) await loadWideWidths();
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

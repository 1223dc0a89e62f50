/**
 * `printo-help`: printers, queues and queue actions from a terminal or a script.
 *
 * Exit codes: 0 success; 1 the action failed (no such printer or job, not possible now…);
 * 2 usage error; 3 the print service cannot be reached.
 */
import type { Clock } from '../../src-shared/clock.ts';
import type { CreatePolicyServiceOptions } from '../policy/policy-sources.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { TranscriptsAction } from './transcripts-command.ts';
import type { CliIo } from './io.ts';
import type { RelayTranscriptsAction } from './transcripts-relay-command.ts';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { UsageErrorCode } from '../../src-shared/error-codes.ts';
import { UsageError, isPrintoError, reportCliError } from '../../src-shared/errors.ts';
import type { PrintoError } from '../../src-shared/errors.ts';
import type { CreatePrinterSystemOptions } from '../printers/create-printer-system.ts';
import type { PrinterSystem, WhichJobs } from '../printers/printer-system.ts';
import { PrinterSystemErrorCode } from '../printers/printer-system.ts';
import type { Check } from '../diagnostics/check.ts';
import { DEFAULT_NETWORK_TIMEOUT_MS } from '../diagnostics/timeouts.ts';
import { APP_VERSION } from '../version.ts';
/*
 * Start-up: only commander and the few small modules above load before a command runs. Each
 * command imports what it needs when it runs (the print system, zod schemas, the tables, the
 * diagnostics), so `--version` and `--help` cost little more than Node itself (bench/cli-startup.ts).
 */

export const ExitCode = { Ok: 0, Failed: 1, Usage: 2, NoPrintService: 3 } as const;

export type { CliIo } from './io.ts';

export interface CliDependencies {
  readonly createSystem?: (
    options: CreatePrinterSystemOptions,
  ) => PrinterSystem & { close?: () => void };
  readonly checks?: readonly Check[];
  /** Clock for the diagnostics (job ages); default Date.now. */
  readonly now?: () => number;
  /** Where `policy` reads (tests point it at their own files and recorded OS output). */
  readonly policy?: CreatePolicyServiceOptions;
  /** Where `enroll` keeps the credentials; default the OS keyring. */
  readonly secrets?: SecretStore;
  /** Standard input, read whole (`--key-stdin`); default the process's. */
  readonly readStdin?: () => Promise<string>;
  /** The local transcript store's file (`transcripts`); default the user's data folder. */
  readonly transcriptsPath?: string;
  /** The clock of `transcripts` (purges, corrections); default the real one. */
  readonly clock?: Clock;
  /** `support`'s terminal; default the process's standard input and output. */
  readonly terminal?: {
    readonly input: NodeJS.ReadableStream;
    readonly output: NodeJS.WritableStream;
    readonly isTTY: boolean;
  };
  /** The environment a `system` proxy is read from (HTTPS_PROXY, NO_PROXY); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

interface GlobalOptions {
  json?: boolean;
  timeout?: number;
}

function toPositiveInteger(label: string, value: string, code: UsageErrorCode): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0 || Number(value) > 0x7fffffff) {
    throw new UsageError(
      `${label} must be a positive whole number, not ${JSON.stringify(value)}.`,
      code,
    );
  }
  return Number(value);
}

/** An option parser: commander reports InvalidArgumentError as a usage error (exit code 2). */
function positiveInteger(label: string) {
  return (value: string): number => {
    try {
      return toPositiveInteger(label, value, 'invalid-argument');
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

/** Every PRINTER argument: an empty name would mean "the server" to CUPS, never a queue. */
export function printerArgument(value: string): string {
  if (value.trim() === '') {
    throw new UsageError(
      'The printer name is empty. Run `printo-help printers` to see the queues.',
      'printer-name-empty',
    );
  }
  return value;
}

/**
 * A job is named like CUPS names it (`Office-12`) or as two arguments (`Office 12`). Queue names
 * may contain dashes, so only a trailing `-<digits>` is the job id, and only when the argument is
 * not itself a queue: `cancel-job office-1` with a queue `office-1` is a forgotten JOB-ID, never
 * job 1 of a queue `office`. `isQueue` is asked only for that one ambiguous form.
 */
export async function parseJobReference(
  first: string,
  second: string | undefined,
  isQueue: (name: string) => Promise<boolean>,
): Promise<{ printer: string; jobId: number }> {
  printerArgument(first);
  if (second !== undefined) {
    return { printer: first, jobId: toPositiveInteger('JOB-ID', second, 'job-id-invalid') };
  }
  const missing = (why: string): UsageError =>
    new UsageError(
      `${why} Name the job as PRINTER JOB-ID or PRINTER-JOB-ID (e.g. Office 12 or Office-12); \`printo-help jobs\` lists them.`,
      'job-id-missing',
    );
  const match = /^(.+)-(\d+)$/.exec(first);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw missing(`No JOB-ID after ${JSON.stringify(first)}.`);
  }
  if (await isQueue(first)) throw missing(`${JSON.stringify(first)} is a printer, not a job.`);
  return { printer: match[1], jobId: toPositiveInteger('JOB-ID', match[2], 'job-id-invalid') };
}

/** Whether a queue of that name exists; other failures (CUPS unreachable) are thrown. */
async function isQueue(system: PrinterSystem, name: string): Promise<boolean> {
  try {
    await system.getPrinter(name);
    return true;
  } catch (error) {
    if (isPrintoError(error, PrinterSystemErrorCode.PrinterNotFound)) return false;
    throw error;
  }
}

function exitCodeFor(error: PrintoError): number {
  return error.code === PrinterSystemErrorCode.Unreachable ||
    error.code === PrinterSystemErrorCode.Timeout
    ? ExitCode.NoPrintService
    : ExitCode.Failed;
}

/** `--json` anywhere before a `--` that ends the options. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** All of standard input, as text. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runCli(
  argv: readonly string[],
  io: CliIo,
  deps: CliDependencies = {},
): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  let system: (PrinterSystem & { close?: () => void }) | undefined;

  const program = new Command('printo-help')
    .description(
      'Printo Help from a terminal: printers and queues, diagnostics, support sessions, your transcripts and policy.',
    )
    .version(APP_VERSION, '-V, --version')
    .addOption(new Option('--json', 'machine-readable JSON on standard output'))
    .addOption(
      new Option(
        '--timeout <ms>',
        'give up on the print service after this many milliseconds',
      ).argParser(positiveInteger('--timeout')),
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        io.stdout(text);
      },
      writeErr: (text) => {
        io.stderr(text);
      },
      // Usage errors are printed by reportCliError, as JSON under --json.
      outputError: () => undefined,
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 the action failed, 2 usage error, 3 the print service cannot be reached.
On Linux and macOS the print service is CUPS, found like the CUPS tools find it (CUPS_SERVER,
client.conf, then the local socket); on Windows it is the print spooler.`,
    );

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const json = (value: unknown): void => {
    io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  };
  const getSystem = async (queryDevices = true): Promise<PrinterSystem> => {
    const timeout = globals().timeout;
    const options: CreatePrinterSystemOptions = {
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
      ...(queryDevices ? {} : { queryDevices }),
    };
    system ??=
      deps.createSystem?.(options) ??
      (await (await import('../printers/create-printer-system.ts')).createPrinterSystem(options));
    return system;
  };
  const done = (message: string, payload: Record<string, unknown>): void => {
    if (globals().json === true) json({ ok: true, ...payload });
    else io.stdout(`${message}\n`);
  };

  program
    .command('printers')
    .description('list the printers (queues) with their status, jobs and supplies')
    .action(async () => {
      const listing = (await getSystem()).listPrinters();
      // The table code loads while the print service answers (bench/cli-startup.ts).
      const format = globals().json === true ? null : import('./format.ts');
      const printers = await listing;
      if (format === null) json({ printers });
      else io.stdout(`${await (await format).printersTable(printers, io)}\n`);
    });

  program
    .command('jobs')
    .description('list print jobs, of one printer or of all')
    .argument('[printer]', 'only the jobs of this printer', printerArgument)
    .addOption(
      new Option('--completed', 'finished jobs instead of the waiting ones').conflicts('all'),
    )
    .addOption(new Option('--all', 'waiting and finished jobs'))
    .action(
      async (printer: string | undefined, options: { completed?: boolean; all?: boolean }) => {
        const which: WhichJobs =
          options.all === true ? 'all' : options.completed === true ? 'completed' : 'not-completed';
        const listing = (await getSystem()).listJobs(printer, { which });
        const format = globals().json === true ? null : import('./format.ts');
        const jobs = await listing;
        if (format === null) json({ jobs });
        else io.stdout(`${await (await format).jobsTable(jobs, io)}\n`);
      },
    );

  const jobCommand = (
    name: string,
    description: string,
    act: (system: PrinterSystem, printer: string, jobId: number) => Promise<void>,
    past: string,
  ): void => {
    program
      .command(name)
      .description(description)
      .argument('<printer>', 'the printer, or PRINTER-JOBID as CUPS writes it (Office-12)')
      .argument('[job-id]', 'the job number')
      .action(async (first: string, second: string | undefined) => {
        const system = await getSystem();
        const { printer, jobId } = await parseJobReference(first, second, (name) =>
          isQueue(system, name),
        );
        await act(system, printer, jobId);
        done(`Job ${jobId} on ${printer} ${past}.`, { action: name, printer, jobId });
      });
  };
  jobCommand('cancel-job', 'cancel a print job', (s, p, j) => s.cancelJob(p, j), 'cancelled');
  jobCommand(
    'hold-job',
    'hold a print job so that it does not print until released',
    (s, p, j) => s.holdJob(p, j),
    'held',
  );
  jobCommand(
    'release-job',
    'release a held print job',
    (s, p, j) => s.releaseJob(p, j),
    'released',
  );

  program
    .command('pause')
    .description('pause a printer: jobs wait in the queue until it is resumed')
    .argument('<printer>', 'the printer (queue) name', printerArgument)
    .action(async (printer: string) => {
      await (await getSystem()).pausePrinter(printer);
      done(`${printer} is paused; jobs wait until you resume it.`, { action: 'pause', printer });
    });

  program
    .command('resume')
    .description('resume a paused printer')
    .argument('<printer>', 'the printer (queue) name', printerArgument)
    .action(async (printer: string) => {
      await (await getSystem()).resumePrinter(printer);
      done(`${printer} is resumed.`, { action: 'resume', printer });
    });

  program
    .command('test-page')
    .description('print a test page')
    .argument('<printer>', 'the printer (queue) name', printerArgument)
    .action(async (printer: string) => {
      const { jobId } = await (await getSystem()).printTestPage(printer);
      done(`Test page sent to ${printer} as job ${jobId}.`, {
        action: 'test-page',
        printer,
        jobId,
      });
    });

  program
    .command('diagnose')
    .description(
      'check the print service, every printer, its driver and its jobs, and explain what to do',
    )
    .argument(
      '[printers...]',
      'only these printers (all when none are named)',
      (value: string, previous: string[] | undefined) => [
        ...(previous ?? []),
        printerArgument(value),
      ],
    )
    .addOption(
      new Option(
        '--share <scopes>',
        'print the shareable JSON report: device.identifiers and/or jobs.metadata are kept, everything else identifying is redacted (none: redact all)',
      ),
    )
    .addHelpText(
      'after',
      `
--timeout sets each network check's time-out (default ${DEFAULT_NETWORK_TIMEOUT_MS} ms).
Exit codes: 0 nothing failed, 1 a check failed, 2 usage error, 3 the print service cannot be reached.`,
    )
    .action(async (names: string[], options: { share?: string }) => {
      const { runDiagnose } = await import('./diagnose-command.ts');
      exitCode = await runDiagnose({
        names,
        share: options.share,
        timeoutMs: globals().timeout,
        json: globals().json === true,
        io,
        // The checks ask the devices themselves, each under the network time-out.
        system: await getSystem(false),
        ...(deps.checks === undefined ? {} : { checks: deps.checks }),
        ...(deps.now === undefined ? {} : { now: deps.now }),
      });
    });

  program
    .command('enroll')
    .description(
      'enrol this computer with Printo Relay (once); its credentials go to the OS keyring',
    )
    .addOption(new Option('--relay <url>', 'the relay (default: relayUrl from policy)'))
    .addOption(
      new Option(
        '--key <key>',
        'the organisation’s enrollment key (default: enrollmentKey from policy); --key-stdin keeps it out of the process list',
      ),
    )
    .addOption(new Option('--key-stdin', 'read the enrollment key from standard input'))
    .addOption(new Option('--name <name>', 'how agents see this computer (default: its host name)'))
    .addOption(
      new Option('--force', 'enrol again as a new device, replacing the stored credentials'),
    )
    .action(
      async (options: {
        relay?: string;
        key?: string;
        keyStdin?: boolean;
        name?: string;
        force?: boolean;
      }) => {
        const { runEnroll } = await import('./enroll-command.ts');
        const secrets =
          deps.secrets ?? new (await import('../secrets/keyring-store.ts')).KeyringSecretStore();
        await runEnroll({
          relay: options.relay,
          key: options.key,
          keyStdin: options.keyStdin === true,
          name: options.name,
          force: options.force === true,
          json: globals().json === true,
          timeoutMs: globals().timeout ?? 10_000,
          stdout: io.stdout,
          readStdin: deps.readStdin ?? readStdin,
          secrets,
          policy: deps.policy,
          env: deps.env,
        });
      },
    );

  const transcripts = program
    .command('transcripts')
    .description(
      'your rights over the support sessions kept on this computer: see, export, erase, restrict, object, correct',
    );
  const runTranscriptsAction = async (action: TranscriptsAction): Promise<void> => {
    const { runTranscripts } = await import('./transcripts-command.ts');
    const secrets =
      deps.secrets ?? new (await import('../secrets/keyring-store.ts')).KeyringSecretStore();
    await runTranscripts({
      action,
      json: globals().json === true,
      stdout: io.stdout,
      secrets,
      path: deps.transcriptsPath,
      policy: deps.policy,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    });
  };
  transcripts
    .command('list')
    .description('the sessions kept, with when each will be deleted')
    .action(() => runTranscriptsAction({ kind: 'list' }));
  transcripts
    .command('show')
    .description('one session: the chat, your consent, what the agent saw, proposed actions')
    .argument('<session-id>')
    .action((sessionId: string) => runTranscriptsAction({ kind: 'show', sessionId }));
  transcripts
    .command('export')
    .description('one session, or everything, as JSON (printo-help-export/v1)')
    .argument('[session-id]')
    .addOption(new Option('--out <file>', 'write it to a new file only you can read'))
    .action((sessionId: string | undefined, options: { out?: string }) =>
      runTranscriptsAction({ kind: 'export', sessionId, out: options.out }),
    );
  transcripts
    .command('erase')
    .description('erase one session now (or --all): its key is destroyed with it')
    .argument('[session-id]')
    .addOption(new Option('--all', 'every session and report kept on this computer'))
    .action((sessionId: string | undefined, options: { all?: boolean }) => {
      if ((sessionId === undefined) === (options.all !== true)) {
        throw new UsageError('Name one session to erase, or --all.', 'missing-argument');
      }
      return runTranscriptsAction({ kind: 'erase', sessionId, all: options.all === true });
    });
  for (const [name, description] of [
    ['restrict', 'keep a session but never send it or include it in a shared report'],
    ['object', 'object to any further use of a session'],
  ] as const) {
    transcripts
      .command(name)
      .description(description)
      .argument('<session-id>')
      .addOption(new Option('--undo', 'lift it again'))
      .action((sessionId: string, options: { undo?: boolean }) =>
        runTranscriptsAction({ kind: name, sessionId, undo: options.undo === true }),
      );
  }
  transcripts
    .command('correct')
    .description('append a correction to one of your own messages; the original stays, marked')
    .argument('<session-id>')
    .argument('<message-id>')
    .argument('<text>')
    .action((sessionId: string, messageId: string, text: string) =>
      runTranscriptsAction({ kind: 'correct', sessionId, messageId, text }),
    );

  const relay = transcripts
    .command('relay')
    .description(
      'your rights over the relay’s copy of this computer’s sessions: list, export, erase, restrict, object, correct',
    )
    .addOption(
      new Option(
        '--relay <url>',
        'the relay this computer is enrolled with (default: relayUrl from policy)',
      ),
    )
    .addHelpText(
      'after',
      `
The relay is reached with this computer's credentials from the OS keyring (printo-help enroll),
through the proxy that policy sets ("system": HTTPS_PROXY, NO_PROXY). --timeout applies to each
request. Erasure under a legal hold is refused with session-on-hold: nothing is erased, the request
is recorded.`,
    );
  const runRelayAction = async (action: RelayTranscriptsAction): Promise<void> => {
    const { runRelayTranscripts } = await import('./transcripts-relay-command.ts');
    const secrets =
      deps.secrets ?? new (await import('../secrets/keyring-store.ts')).KeyringSecretStore();
    await runRelayTranscripts({
      action,
      relay: relay.opts<{ relay?: string }>().relay,
      json: globals().json === true,
      timeoutMs: globals().timeout,
      stdout: io.stdout,
      secrets,
      policy: deps.policy,
      env: deps.env,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    });
  };
  relay
    .command('list')
    .description('the sessions the relay keeps of this computer, with hold, restriction, objection')
    .action(() => runRelayAction({ kind: 'list' }));
  relay
    .command('export')
    .description('one session as the relay keeps it, or all of them, as JSON')
    .argument('[session-id]')
    .addOption(new Option('--out <file>', 'write it to a new file only you can read'))
    .action((sessionId: string | undefined, options: { out?: string }) =>
      runRelayAction({ kind: 'export', sessionId, out: options.out }),
    );
  for (const [name, description] of [
    ['erase', 'erase a session at the relay now (refused while it is under a legal hold)'],
    ['restrict', 'have the relay keep a session but let no agent take a copy of it'],
    ['object', 'object to any further use of a session by the relay'],
  ] as const) {
    relay
      .command(name)
      .description(description)
      .argument('<session-id>')
      .action((sessionId: string) => runRelayAction({ kind: name, sessionId }));
  }
  relay
    .command('correct')
    .description('append a correction to one of your own messages at the relay; the original stays')
    .argument('<session-id>')
    .argument('<message-id>')
    .argument('<text>')
    .action((sessionId: string, messageId: string, text: string) =>
      runRelayAction({ kind: 'correct', sessionId, messageId, text }),
    );

  program
    .command('support')
    .description(
      'ask for help: a support session in this terminal, with your consent, chat and proposed fixes',
    )
    .addOption(
      new Option('--description <text>', 'the problem in a few words (asked for otherwise)'),
    )
    .addHelpText(
      'after',
      `
In the session: type to chat; when the agent asks for access, a (allow all), the numbers of
some, or d (deny) — no answer in time denies; y or n for each fix the agent proposes.
  /status          what the agent may do now, and the session code
  /revoke SCOPE    take one permission back (or /revoke all)
  /end             end the session (Ctrl-C too)
The session needs this computer enrolled (\`printo-help enroll\`) or an enrollment key set by policy.`,
    )
    .action(async (options: { description?: string }) => {
      if (globals().json === true) {
        throw new UsageError(
          '`support` is a conversation in the terminal; it has no --json form. Scripts can read the session afterwards with `printo-help --json transcripts show SESSION`.',
          'conflicting-option',
        );
      }
      const [{ runSupportTerminal }, { openClientServices }] = await Promise.all([
        import('./support-command.ts'),
        import('../services/compose.ts'),
      ]);
      const services = await openClientServices({
        shell: 'terminal',
        system: await getSystem(),
        policy: deps.policy,
        secrets: deps.secrets,
        transcriptsPath: deps.transcriptsPath,
        onBackgroundError: (error) => {
          io.stderr(`Printo Help: ${error instanceof Error ? error.message : String(error)}\n`);
        },
      });
      const terminal = deps.terminal ?? {
        input: process.stdin,
        output: process.stdout,
        isTTY: process.stdin.isTTY && process.stdout.isTTY,
      };
      // Outside a terminal, Ctrl-C and a service stop arrive as signals.
      const stop = new AbortController();
      const onSignal = (): void => {
        stop.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        exitCode = await runSupportTerminal({
          services,
          input: terminal.input,
          output: terminal.output,
          terminal: terminal.isTTY,
          description: options.description,
          stop: stop.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await services.close('Printo Help was closed.');
      }
    });

  program
    .command('policy')
    .description(
      'show the effective configuration: each value with where it comes from and whether your organisation has locked it',
    )
    .action(async () => {
      const { policyCommand } = await import('../policy/render.ts');
      io.stdout(
        await policyCommand({
          ...deps.policy,
          json: globals().json === true,
          color: io.color,
          columns: io.columns,
        }),
      );
    });

  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return ExitCode.Usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    exitCode = reportCliError('printo-help', error, {
      write: io.stderr,
      // From argv itself: a usage error can stop commander before it has read --json.
      asJson: wantsJson(argv),
      exitCodeFor,
      printCommanderErrors: true,
    });
  } finally {
    system?.close?.();
  }
  return exitCode;
}

/** Entry point used by bin/printo-help. */
export async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: process.stdout.isTTY && process.env['NO_COLOR'] === undefined,
    progress: process.stderr.isTTY,
    // Fitted to a terminal; a pipe or a file gets whole lines.
    ...(process.stdout.isTTY ? { columns: process.stdout.columns } : {}),
    ...(process.stderr.isTTY ? { stderrColumns: process.stderr.columns } : {}),
  });
  process.exitCode = code;
}

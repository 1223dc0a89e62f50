/**
 * `printo-help support`: a support session in a terminal, for print servers and computers without
 * a desktop (issue 9 §5). It is a front end of ClientServices like the desktop window: it calls
 * the contract and draws what the events say, nothing more.
 *
 * One line of input at a time: a pending question (the agent's consent request, a proposed
 * action) takes the next line as its answer; otherwise a line is a chat message or a command
 * (`/revoke SCOPE`, `/end`, `/status`, `/help`). The prompt always shows the session's status.
 */
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import { clearLine, cursorTo } from 'node:readline';
import type {
  Activity,
  ClientServices,
  PendingAction,
  PendingConsent,
  SupportSnapshot,
} from '../../src-shared/api/contract.ts';
import { ServiceCallError } from '../../src-shared/api/dispatch.ts';
import { PrintoError } from '../../src-shared/errors.ts';
import { SCOPE_WORDS, formatSessionCode } from '../../src-shared/api/words.ts';
import { ScopeSchema } from '../../src-shared/protocol/v1.ts';
import wrapAnsi from 'wrap-ansi';
import type { Scope } from '../../src-shared/protocol/v1.ts';

export interface SupportTerminalOptions {
  readonly services: ClientServices;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { columns?: number };
  /** The input and output are a terminal (a prompt line is redrawn; Ctrl-C arrives as SIGINT). */
  readonly terminal: boolean;
  /** The problem, from `--description`; asked for when undefined. */
  readonly description?: string | undefined;
  /** Aborted when the process is told to stop (SIGINT/SIGTERM outside a terminal). */
  readonly stop?: AbortSignal;
}

type Question =
  | { readonly kind: 'consent'; readonly consent: PendingConsent }
  | { readonly kind: 'action'; readonly action: PendingAction };

const HELP = [
  'Type a message and press Enter to chat with the agent.',
  '  /status          what the agent may do now, and the session code',
  '  /revoke SCOPE    take one permission back (e.g. /revoke printers.read, or /revoke all)',
  '  /end             end the session',
  'Ctrl-C also ends the session.',
].join('\n');

function time(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function scopesText(scopes: readonly Scope[]): string {
  return scopes.length === 0 ? 'nothing' : scopes.join(', ');
}

/** The prompt: the session's state, always on screen. */
export function statusLine(snapshot: SupportSnapshot): string {
  switch (snapshot.state) {
    case 'idle':
    case 'connecting':
      return 'connecting';
    case 'waiting':
      return `waiting for an agent · code ${formatSessionCode(snapshot.code ?? '')}`;
    case 'consent-pending':
      return 'the agent asks for access';
    case 'active':
      return `with ${snapshot.agent?.name ?? 'the agent'} · allowed: ${scopesText(snapshot.granted)}`;
    case 'reconnecting':
      return 'connection lost, reconnecting';
    case 'ended':
      return 'ended';
  }
}

/** What the agent asked for and what left this computer, as one line of the transcript. */
export function activityLine(activity: Activity): string | null {
  switch (activity.type) {
    case 'consent':
      return activity.decision === 'revoked'
        ? `You took back: ${scopesText(activity.scopes)}.`
        : activity.decision === 'granted'
          ? `You allowed: ${scopesText(activity.scopes)}.`
          : activity.decision === 'timed-out'
            ? 'No answer in time: access was denied.'
            : 'You denied access.';
    case 'data.requested':
      return null;
    case 'data.sent': {
      const what = {
        printers: 'your printers',
        jobs: 'your print jobs',
        diagnostics: 'the diagnostic report',
      }[activity.kind];
      const only = activity.printers === null ? '' : ` (${activity.printers.join(', ')})`;
      return activity.payload.error === undefined
        ? `The agent saw ${what}${only}. \`printo-help transcripts show\` shows exactly what.`
        : `The agent asked for ${what}${only}; nothing was sent: ${activity.payload.error}`;
    }
    case 'refused':
      return `Refused an agent request: it needs "${activity.missingScope}", which you have not allowed.`;
    case 'action.proposed':
      return null;
    case 'action.answered':
      return activity.payload.outcome === 'approved'
        ? null
        : `Action ${activity.payload.outcome}${activity.payload.message === undefined ? '' : `: ${activity.payload.message}`}`;
  }
}

function secondsLeft(iso: string): number {
  return Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 1000));
}

function consentText(consent: PendingConsent): string {
  const lines = [`${consent.agent.name} asks for access to this computer:`];
  consent.scopes.forEach((scope, index) => {
    const words = SCOPE_WORDS[scope];
    const allowed = consent.grantable.includes(scope);
    lines.push(
      `  ${String(index + 1)}. ${words.title}: ${words.explanation}${allowed ? '' : ' (not allowed on this computer)'}`,
    );
  });
  lines.push(
    `Notice: ${consent.notice.text}`,
    `You have ${String(secondsLeft(consent.expiresAt))} seconds to answer; no answer means no access.`,
    'Type a to allow all, the numbers to allow some (e.g. 1 3), or d to deny.',
  );
  return lines.join('\n');
}

/** The answer to a consent question: the scopes granted, or null when it is not an answer. */
export function parseConsentAnswer(line: string, consent: PendingConsent): Scope[] | null {
  const answer = line.trim().toLowerCase();
  if (answer === 'a' || answer === 'all') return [...consent.grantable];
  if (answer === 'd' || answer === 'deny' || answer === 'n' || answer === 'none') return [];
  const parts = answer.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return null;
  const picked = new Set<Scope>();
  for (const part of parts) {
    const n = Number(part);
    const scope = Number.isInteger(n) ? consent.scopes[n - 1] : undefined;
    if (scope === undefined || !consent.grantable.includes(scope)) return null;
    picked.add(scope);
  }
  return consent.scopes.filter((s) => picked.has(s));
}

/** Runs one session; resolves with the exit code (0: it ended, 1: it could not start). */
export async function runSupportTerminal(options: SupportTerminalOptions): Promise<number> {
  const { services, output } = options;
  const rl: Interface = createInterface({
    input: options.input,
    output,
    terminal: options.terminal,
  });
  let snapshot: SupportSnapshot = await services.call('support.snapshot', {});
  const questions: Question[] = [];
  const asked = new Set<string>();
  let finished = false;
  // Read through a function: the flag changes in callbacks the type checker cannot see.
  const isFinished = (): boolean => finished;
  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });

  /** Prints above the prompt (word-wrapped to the terminal), and redraws the prompt under it. */
  const say = (text: string, last = false): void => {
    if (options.terminal) {
      clearLine(output, 0);
      cursorTo(output, 0);
    }
    const columns = options.terminal ? (output.columns ?? 80) : undefined;
    const wrapped =
      columns === undefined ? text : wrapAnsi(text, columns - 1, { hard: true, trim: false });
    output.write(`${wrapped}\n`);
    // A prompt is for a person at a terminal; into a pipe it would only be noise.
    if (options.terminal && !finished && !last) rl.prompt(true);
  };
  const updatePrompt = (): void => {
    const question = questions[0];
    const prompt =
      question === undefined
        ? `[${statusLine(snapshot)}] > `
        : question.kind === 'consent'
          ? '[allow?] a / numbers / d > '
          : '[approve?] y / n > ';
    rl.setPrompt(prompt);
    if (options.terminal && !finished) rl.prompt(true);
  };
  const fail = (error: unknown): void => {
    if (error instanceof ServiceCallError) {
      say(`${error.message}${error.hint === null ? '' : `\n${error.hint}`}`);
    } else say(error instanceof Error ? error.message : String(error));
  };
  const ask = (question: Question): void => {
    questions.push(question);
    if (questions.length === 1) showQuestion();
    updatePrompt();
  };
  const showQuestion = (): void => {
    const question = questions[0];
    if (question === undefined) return;
    say(
      question.kind === 'consent'
        ? consentText(question.consent)
        : `The agent proposes: ${question.action.title}. Approve? Type y or n.`,
    );
  };
  const settleQuestion = (): void => {
    questions.shift();
    showQuestion();
    updatePrompt();
  };
  const finish = async (code: number): Promise<void> => {
    if (finished) return;
    finished = true;
    unsubscribe.forEach((u) => {
      u();
    });
    rl.close();
    resolveDone(code);
    return Promise.resolve();
  };

  const unsubscribe = [
    services.on('support.changed', (next) => {
      const before = snapshot;
      snapshot = next;
      if (next.consent !== null && !asked.has(next.consent.requestId)) {
        asked.add(next.consent.requestId);
        ask({ kind: 'consent', consent: next.consent });
      }
      for (const action of next.actions) {
        if (asked.has(action.requestId)) continue;
        asked.add(action.requestId);
        ask({ kind: 'action', action });
      }
      // A question whose request went away (timed out, withdrawn, the session ended).
      const current = questions[0];
      const gone = (q: Question): boolean =>
        q.kind === 'consent'
          ? next.consent?.requestId !== q.consent.requestId
          : !next.actions.some((a) => a.requestId === q.action.requestId);
      if (questions.some(gone)) {
        for (let i = questions.length - 1; i >= 0; i--) {
          const q = questions[i];
          if (q !== undefined && gone(q)) questions.splice(i, 1);
        }
        if (current !== undefined && current !== questions[0]) showQuestion();
      }
      if (before.state !== next.state && next.state === 'reconnecting') {
        say('The connection to the support relay was lost; reconnecting…');
      }
      if (next.state === 'ended' && next.ended !== null) {
        say(`The session has ended: ${next.ended.message}`, true);
        void finish(0);
        return;
      }
      updatePrompt();
    }),
    services.on('support.chat', (message) => {
      const who = message.from === 'client' ? 'You' : message.name;
      say(`[${time(message.at)}] ${who}: ${message.text}`);
    }),
    services.on('support.activity', (activity) => {
      const line = activityLine(activity);
      if (line !== null) say(line);
    }),
  ];

  const end = (reason: string): void => {
    if (finished) return;
    say('Ending the session…');
    services.call('support.end', { reason }).then(
      () => finish(0),
      (error: unknown) => {
        fail(error);
        void finish(0);
      },
    );
  };
  rl.on('SIGINT', () => {
    end('The user pressed Ctrl-C.');
  });
  options.stop?.addEventListener('abort', () => {
    end('Printo Help was stopped.');
  });
  rl.on('close', () => {
    // End of input (Ctrl-D): the session cannot be answered any more.
    if (!finished) end('The user closed the terminal.');
  });

  const command = async (line: string): Promise<void> => {
    const [name, ...rest] = line.trim().split(/\s+/);
    switch (name) {
      case '/help':
        say(HELP);
        return;
      case '/status':
        say(
          [
            `Status: ${statusLine(snapshot)}.`,
            snapshot.code === null ? null : `Session code: ${formatSessionCode(snapshot.code)}`,
            `The agent may: ${snapshot.granted.length === 0 ? 'nothing yet' : snapshot.granted.map((s) => SCOPE_WORDS[s].title.toLowerCase()).join('; ')}.`,
            snapshot.localCopy.kept
              ? 'A copy of this session is kept on this computer.'
              : `No copy is kept on this computer: ${snapshot.localCopy.reason ?? ''}`,
          ]
            .filter((l) => l !== null)
            .join('\n'),
        );
        return;
      case '/end':
        end(rest.join(' ') || 'The user ended the session.');
        return;
      case '/revoke': {
        const wanted = rest.join(' ').trim();
        const scopes =
          wanted === 'all'
            ? snapshot.granted
            : ScopeSchema.safeParse(wanted).success
              ? [wanted as Scope]
              : null;
        if (scopes === null || scopes.length === 0) {
          say(
            `Which permission? One of: ${snapshot.granted.join(', ') || '(none granted)'}, or all.`,
          );
          return;
        }
        // The new state arrives as support.changed, in order with the other events.
        await services.call('support.revoke', { scopes: [...scopes] });
        return;
      }
      default:
        say(`Unknown command ${name ?? ''}. /help lists them.`);
    }
  };

  const onLine = async (line: string): Promise<void> => {
    const question = questions[0];
    if (question?.kind === 'consent') {
      const granted = parseConsentAnswer(line, question.consent);
      if (granted === null) {
        say('Type a (allow all), the numbers of what to allow, or d (deny).');
        return;
      }
      settleQuestion();
      await services.call('support.answerConsent', {
        requestId: question.consent.requestId,
        granted,
      });
      return;
    }
    if (question?.kind === 'action') {
      const answer = line.trim().toLowerCase();
      if (!['y', 'yes', 'n', 'no'].includes(answer)) {
        say('Type y to approve or n to decline.');
        return;
      }
      settleQuestion();
      await services.call('support.answerAction', {
        requestId: question.action.requestId,
        approve: answer.startsWith('y'),
      });
      return;
    }
    const text = line.trim();
    if (text === '') {
      updatePrompt();
      return;
    }
    if (text.startsWith('/')) {
      await command(text);
      return;
    }
    if (snapshot.state !== 'active' || !snapshot.granted.includes('chat')) {
      say(
        snapshot.state === 'active'
          ? 'Chat is not part of what you allowed; /end ends the session.'
          : 'Chat starts once an agent has joined and you have allowed it.',
      );
      return;
    }
    await services.call('support.chat', { text });
  };

  // Lines are handled one after another: an answer is sent before the next line is read.
  let queue = Promise.resolve();
  const startLines = (): void => {
    rl.on('line', (line) => {
      queue = queue.then(() => onLine(line)).catch(fail);
    });
  };

  // The description, then the request.
  let description = options.description?.trim() ?? '';
  while (description === '') {
    description = (
      await Promise.race([
        new Promise<string>((resolve) => {
          rl.question('Describe the problem in a few words: ', resolve);
        }),
        done.then(() => ''),
      ])
    ).trim();
    if (isFinished()) return done;
  }
  say('Asking for help…');
  try {
    const queued = await services.call('support.ask', { description });
    // Events may already have brought a newer state (an agent joining at once).
    if (snapshot.code === null) snapshot = queued;
  } catch (error) {
    await finish(1);
    // Reported like every other command's failure: message, hint and stable code, exit code 1.
    if (error instanceof ServiceCallError) {
      throw new PrintoError(error.code, error.message, {
        ...(error.hint === null ? {} : { hint: error.hint }),
      });
    }
    throw error;
  }
  say(
    [
      `Your session code: ${formatSessionCode(snapshot.code ?? '')}`,
      snapshot.codeExpiresAt === null
        ? null
        : `Read it to the support agent; it is valid until ${time(snapshot.codeExpiresAt)}.`,
      snapshot.notice === null
        ? null
        : `Notice: ${snapshot.notice.text} (The relay keeps the chat for ${String(snapshot.notice.retentionDays)} days.)`,
      snapshot.localCopy.kept
        ? 'A copy is kept on this computer: `printo-help transcripts list` shows it.'
        : `This session will NOT be kept on this computer: ${snapshot.localCopy.reason ?? ''}`,
      'Waiting for an agent… /help lists the commands; /end or Ctrl-C ends the session.',
    ]
      .filter((l) => l !== null)
      .join('\n'),
  );
  startLines();
  updatePrompt();
  return done;
}

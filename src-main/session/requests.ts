/**
 * Agent requests that reach this computer: data requests and proposed actions. Each is checked
 * against the grant *here*, before any handler runs, so that a request the relay should have
 * refused still gets nowhere (ARCHITECTURE.md, Consent); what goes back is redacted to the grant
 * as it is when the answer leaves, not as it was when the request came in.
 */
import { worstStatus } from '../../src-shared/model/diagnostics.ts';
import { DataSchema } from '../../src-shared/protocol/v1.ts';
import type {
  ClientMessage,
  DataKind,
  ProposedAction,
  Scope,
} from '../../src-shared/protocol/v1.ts';
import { ACTION_SCOPE, READ_SCOPE } from './grant.ts';
import type { Grant } from './grant.ts';
import { redactData, redactText } from './redact.ts';
import type { ActionResult, Data, LocalRefusal, SessionHandlers } from './types.ts';

type DataResponse = Extract<ClientMessage, { type: 'data.response' }>;
type ActionResponse = Extract<ClientMessage, { type: 'action.response' }>;

export interface RequestDeps {
  readonly grant: Grant;
  readonly handlers: Pick<SessionHandlers, 'onDataRequest' | 'onActionRequest'>;
  /** Sends a sequenced reply (queued for resend if the connection is down). */
  readonly reply: (message: DataResponse | ActionResponse) => void;
  /** Whether a reply fits in one frame. */
  readonly fits: (message: DataResponse | ActionResponse) => boolean;
  readonly refused: (refusal: LocalRefusal) => void;
}

/** Why an in-flight request was cut short: revoked → answer with an error; ended → say nothing. */
type AbortReason = 'revoked' | 'ended';

interface InFlight {
  readonly scope: Scope;
  readonly controller: AbortController;
}

const notGranted = (scope: Scope): string =>
  `Refused by the client: the user has not granted "${scope}".`;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class AgentRequests {
  private readonly deps: RequestDeps;
  private readonly inFlight = new Set<InFlight>();
  /** Request ids already answered or being answered: a relay replay never runs a handler twice. */
  private readonly seen = new Set<string>();

  constructor(deps: RequestDeps) {
    this.deps = deps;
  }

  /** `printers`: only these queues (the agent's filter), or null for all of them. */
  async data(requestId: string, kind: DataKind, printers: readonly string[] | null): Promise<void> {
    if (!this.firstTime(requestId)) return;
    const { grant, handlers, reply } = this.deps;
    const scope = READ_SCOPE[kind];
    if (!grant.has(scope)) {
      this.deps.refused({ requestId, type: 'data.request', missingScope: scope });
      reply({ type: 'data.response', payload: { requestId, error: notGranted(scope) } });
      return;
    }
    const entry = this.track(scope);
    let data: Data | undefined;
    let error: string | undefined;
    try {
      const collected = DataSchema.safeParse(
        await handlers.onDataRequest(kind, grant.list, entry.controller.signal, printers),
      );
      if (!collected.success) error = 'The client could not collect valid data.';
      else if (collected.data.kind !== kind)
        error = `The client collected ${collected.data.kind}, not ${kind}.`;
      else data = onlyPrinters(collected.data, printers);
    } catch (cause) {
      error = `The client could not collect the data: ${messageOf(cause)}`;
    } finally {
      this.inFlight.delete(entry);
    }
    if (this.endedDuring(entry)) return;
    // Revoked while the handler ran: the grant decides when the data leaves, not when asked.
    if (!grant.has(scope)) {
      reply({ type: 'data.response', payload: { requestId, error: notGranted(scope) } });
      return;
    }
    if (data === undefined) {
      // An error can quote what the print service said, addresses included.
      reply({
        type: 'data.response',
        payload: { requestId, error: redactText(error ?? 'No data.', grant.list) },
      });
      return;
    }
    const response: DataResponse = {
      type: 'data.response',
      payload: { requestId, data: redactData(data, grant.list) },
    };
    if (this.deps.fits(response)) reply(response);
    else {
      reply({
        type: 'data.response',
        payload: {
          requestId,
          error:
            'The data is larger than one frame; ask for fewer printers (data.request with "printers").',
        },
      });
    }
  }

  async action(requestId: string, action: ProposedAction): Promise<void> {
    if (!this.firstTime(requestId)) return;
    const { grant, handlers, reply } = this.deps;
    const respond = (
      outcome: ActionResponse['payload']['outcome'],
      message?: string,
      data?: Data,
    ) => {
      reply({
        type: 'action.response',
        payload: {
          requestId,
          outcome,
          ...(message === undefined ? {} : { message: redactText(message, grant.list) }),
          ...(data === undefined ? {} : { data }),
        },
      });
    };
    if (!grant.has(ACTION_SCOPE)) {
      this.deps.refused({ requestId, type: 'action.request', missingScope: ACTION_SCOPE });
      respond('declined', notGranted(ACTION_SCOPE));
      return;
    }
    const entry = this.track(ACTION_SCOPE);
    // An object, not a `let`: approve() flips it from inside the handler's await.
    const approval = { given: false };
    const approve = (): boolean => {
      if (approval.given) return true;
      if (entry.controller.signal.aborted || !grant.has(ACTION_SCOPE)) return false;
      approval.given = true;
      respond('approved');
      return true;
    };
    let result: ActionResult;
    let threw = false;
    try {
      result = await handlers.onActionRequest(action, {
        requestId,
        approve,
        grantedScopes: grant.list,
        signal: entry.controller.signal,
      });
    } catch (cause) {
      threw = true;
      result = { outcome: 'failed', message: `The action failed: ${messageOf(cause)}` };
    } finally {
      this.inFlight.delete(entry);
    }
    if (this.endedDuring(entry)) return;
    if (result.outcome === 'declined') {
      if (approval.given) respond('failed', result.message ?? 'Cancelled after it was approved.');
      else respond('declined', result.message);
      return;
    }
    // A handler that reports a result without approve() did the action, so the user approved
    // it in the handler's own way; say so first, as the protocol's order requires. A handler
    // that threw before approval never got that far.
    if (!approval.given && !threw) {
      approval.given = true;
      respond('approved');
    }
    const { data, note } = this.shareable(result.data);
    const message = [result.message, note].filter((part) => part !== undefined).join(' ');
    const response: ActionResponse = {
      type: 'action.response',
      payload: {
        requestId,
        outcome: result.outcome,
        // "Test page sent to 192.0.2.7" names the printer's host.
        ...(message === '' ? {} : { message: redactText(message, grant.list) }),
        ...(data === undefined ? {} : { data }),
      },
    };
    if (this.deps.fits(response)) reply(response);
    else
      respond(result.outcome, [message, 'The result data was too large to send.'].join(' ').trim());
  }

  /** Scopes were revoked: requests that depended on them stop (their handlers see the signal). */
  revoked(scopes: readonly Scope[]): void {
    for (const entry of this.inFlight) {
      if (scopes.includes(entry.scope)) entry.controller.abort('revoked' satisfies AbortReason);
    }
  }

  /** The session ended: every handler stops, and nothing more is sent. */
  endAll(): void {
    for (const entry of this.inFlight) entry.controller.abort('ended' satisfies AbortReason);
    this.inFlight.clear();
  }

  /** Data attached to an action result goes out only under its read scope, redacted. */
  private shareable(data: Data | undefined): { data?: Data; note?: string } {
    if (data === undefined) return {};
    const parsed = DataSchema.safeParse(data);
    if (!parsed.success) return { note: '(The result data was not valid and was left out.)' };
    const scope = READ_SCOPE[parsed.data.kind];
    if (!this.deps.grant.has(scope)) {
      return { note: `(Result data left out: the user has not granted "${scope}".)` };
    }
    return { data: redactData(parsed.data, this.deps.grant.list) };
  }

  private firstTime(requestId: string): boolean {
    if (this.seen.has(requestId)) return false;
    this.seen.add(requestId);
    return true;
  }

  private track(scope: Scope): InFlight {
    const entry = { scope, controller: new AbortController() };
    this.inFlight.add(entry);
    return entry;
  }

  private endedDuring(entry: InFlight): boolean {
    return entry.controller.signal.aborted && entry.controller.signal.reason === 'ended';
  }
}

/**
 * The data narrowed to the queues the agent named (null: all), whatever the handler returned:
 * the agent asked for less, so less leaves this computer. A diagnostics report keeps the
 * computer's own checks, and its verdict is that of what is left.
 */
export function onlyPrinters(data: Data, printers: readonly string[] | null): Data {
  if (printers === null) return data;
  const wanted = new Set(printers);
  switch (data.kind) {
    case 'printers':
      return { kind: 'printers', printers: data.printers.filter((p) => wanted.has(p.name)) };
    case 'jobs':
      return { kind: 'jobs', jobs: data.jobs.filter((j) => wanted.has(j.printer)) };
    case 'diagnostics': {
      const results = data.report.results.filter(
        (r) => r.printer === null || wanted.has(r.printer),
      );
      return {
        kind: 'diagnostics',
        report: {
          ...data.report,
          verdict: worstStatus(results.map((r) => r.status)),
          printers: data.report.printers.filter((p) => wanted.has(p.name)),
          results,
        },
      };
    }
  }
}

/**
 * Whether a client's answer matches the agent's request it claims to answer: a `data.response`
 * for a data request, of the kind asked for, about the queues the agent named and no others; an
 * `action.response` for a proposed action, with result data only about that action's queues.
 * The relay forwards nothing else (docs/protocol.md §6): a client that answers a `printers`
 * request with `jobs`, or with queues nobody asked about, is refused with `answer-mismatch`.
 */
import type { ClientMessage, DataKind, ProposedAction } from '../../src-shared/protocol/v1.ts';

/** An agent's request the client has not finished answering: what a valid answer must match. */
export type Pending =
  | {
      readonly kind: 'data';
      readonly dataKind: DataKind;
      /** The queues the agent named, or undefined for all. */
      readonly printers: readonly string[] | undefined;
      /** The agent's frame id, returned as `ref` so the agent can match the answer. */
      readonly ref: string;
    }
  | { readonly kind: 'action'; readonly action: ProposedAction; readonly ref: string };

type Answer = Extract<ClientMessage, { type: 'data.response' | 'action.response' }>;
type Data = NonNullable<Answer['payload']['data']>;

/** The queues a piece of data is about (a report's computer-wide checks are about none). */
function queuesIn(data: Data): string[] {
  switch (data.kind) {
    case 'printers':
      return data.printers.map((p) => p.name);
    case 'jobs':
      return data.jobs.map((j) => j.printer);
    case 'diagnostics':
      return [
        ...data.report.printers.map((p) => p.name),
        ...data.report.results.flatMap((r) => (r.printer === null ? [] : [r.printer])),
      ];
  }
}

function outside(data: Data, allowed: readonly string[] | undefined): string | null {
  if (allowed === undefined) return null;
  const names = new Set(allowed);
  return queuesIn(data).find((name) => !names.has(name)) ?? null;
}

/** What kinds of result data an action may carry, and about which queues. */
function actionScope(action: Extract<Pending, { kind: 'action' }>['action']): {
  kinds: readonly DataKind[];
  printers: readonly string[] | undefined;
} {
  if (action.id === 'run-diagnostics') return { kinds: ['diagnostics'], printers: action.printers };
  return { kinds: ['printers', 'jobs', 'diagnostics'], printers: [action.printer] };
}

/** Null when the answer fits the request; otherwise why not, for the `error` frame. */
export function answerMismatch(pending: Pending, answer: Answer): string | null {
  if (answer.type === 'data.response') {
    if (pending.kind !== 'data')
      return 'This request is a proposed action: answer it with action.response.';
    const data = answer.payload.data;
    if (data === undefined) return null;
    if (data.kind !== pending.dataKind) {
      return `The request asked for ${pending.dataKind}, not ${data.kind}.`;
    }
    const stray = outside(data, pending.printers);
    return stray === null ? null : 'The answer is about a printer the request did not name.';
  }
  if (pending.kind !== 'action') return 'This request asks for data: answer it with data.response.';
  const data = answer.payload.data;
  if (data === undefined) return null;
  const scope = actionScope(pending.action);
  if (!scope.kinds.includes(data.kind)) {
    return `The result of ${pending.action.id} cannot be ${data.kind} data.`;
  }
  const stray = outside(data, scope.printers);
  return stray === null ? null : 'The result is about a printer the action did not name.';
}

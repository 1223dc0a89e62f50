import type { DiagnosticsReport } from '../../../src-shared/model/diagnostics.ts';
import type { Job } from '../../../src-shared/model/job.ts';
import type { Scope } from '../../../src-shared/protocol/v1.ts';
import type {
  ActionContext,
  ActionResult,
  ConsentAnswer,
  ConsentRequest,
  Data,
} from '../../../src-main/session/types.ts';
import type { ProposedAction, DataKind } from '../../../src-shared/protocol/v1.ts';
import { makePrinter } from '../make-printer.ts';

export const NOTICE = {
  text: 'This chat is recorded and kept for 90 days.',
  retentionDays: 90,
};

export const SESSION_ID = '4d7c8a52-1e0b-4b8e-9a53-2f4f0a3b6c11';
export const RESUME_TOKEN = 'rt_0123456789abcdefghij';
export const AGENT = { id: 'agent-1', name: 'Sam Support' };

export const printers = (): Data => ({
  kind: 'printers',
  printers: [
    makePrinter({
      name: 'Floor2',
      description: 'Floor 2 copier at 192.0.2.7',
      connection: { uri: 'ipp://printer-floor2.corp.example:631/ipp/print', port: 'IP_192.0.2.7' },
      stateMessage: 'Unable to connect to printer-floor2.corp.example (192.0.2.7) at 10:30:45',
    }),
    makePrinter({
      name: 'Label',
      connection: { uri: 'usb://Zebra/ZD420?serial=D4J190800123', port: null },
    }),
  ],
});

const job = (over: Partial<Job>): Job => ({
  id: 42,
  printer: 'Floor2',
  name: 'Salaries Q4.xlsx',
  owner: 'jdoe',
  sizeBytes: 2048,
  pages: 3,
  pagesCompleted: 0,
  state: 'processing-stopped',
  reasons: ['media-jam'],
  createdAt: '2026-11-25T09:00:00.000Z',
  processingAt: null,
  completedAt: null,
  ...over,
});

export const jobs = (): Data => ({
  kind: 'jobs',
  jobs: [job({}), job({ id: 43, name: null, owner: null })],
});

export const diagnostics = (): Data => {
  const report: DiagnosticsReport = {
    schema: 'diagnostics-report/v1',
    id: '6f1c2b1e-6a39-4d41-9c55-0b3f2b1a9f10',
    startedAt: '2026-11-25T10:00:00.000Z',
    finishedAt: '2026-11-25T10:00:03.000Z',
    durationMs: 3000,
    host: {
      name: 'WS-ACCOUNTS-07',
      os: { platform: 'linux', release: '6.8', arch: 'x64' },
      printService: { kind: 'cups', endpoint: 'ipp://localhost:631' },
    },
    app: { name: 'Printo Help', version: '0.1.0' },
    options: { checkTimeoutMs: 3000, deadlineMs: 12000, printers: null },
    verdict: 'fail',
    printers: [{ name: 'Floor2', verdict: 'fail', summary: 'The printer cannot be reached.' }],
    results: [
      {
        checkId: 'device-reachable',
        title: 'Printer reachable',
        printer: 'Floor2',
        status: 'fail',
        summary: 'The printer cannot be reached at 192.0.2.7.',
        details: null,
        evidence: [
          { label: 'Serial number', value: 'CNB7K12345', sensitive: 'device.identifiers' },
        ],
        fixes: [],
        startedAt: '2026-11-25T10:00:00.000Z',
        durationMs: 3,
      },
      {
        checkId: 'print-service',
        title: 'Print service running',
        printer: null,
        status: 'pass',
        summary: 'The print service is running.',
        details: null,
        evidence: [],
        fixes: [],
        startedAt: '2026-11-25T10:00:00.000Z',
        durationMs: 1,
      },
    ],
  };
  return { kind: 'diagnostics', report };
};

/** A consent handler that answers with `granted`, and records what it was asked. */
export function grants(granted: readonly Scope[]) {
  const asked: ConsentRequest[] = [];
  const handler = (request: ConsentRequest): Promise<ConsentAnswer> => {
    asked.push(request);
    return Promise.resolve({ granted, noticeShown: request.notice.text });
  };
  return { asked, handler };
}

export interface Calls {
  data: { kind: DataKind; scopes: readonly Scope[]; printers?: readonly string[] }[];
  actions: ProposedAction[];
}

/** Data and action handlers that record their calls; actions are approved unless told otherwise. */
export function handlers(
  decide: (action: ProposedAction) => 'approve' | 'decline' = () => 'approve',
) {
  const calls: Calls = { data: [], actions: [] };
  return {
    calls,
    onDataRequest: (
      kind: DataKind,
      scopes: readonly Scope[],
      _signal: AbortSignal,
      only: readonly string[] | null,
    ): Promise<Data> => {
      calls.data.push({ kind, scopes, ...(only === null ? {} : { printers: only }) });
      return Promise.resolve(
        kind === 'printers' ? printers() : kind === 'jobs' ? jobs() : diagnostics(),
      );
    },
    onActionRequest: (action: ProposedAction, context: ActionContext): Promise<ActionResult> => {
      calls.actions.push(action);
      if (decide(action) === 'decline') return Promise.resolve({ outcome: 'declined' });
      if (!context.approve()) return Promise.resolve({ outcome: 'declined' });
      return Promise.resolve({ outcome: 'done', message: `${action.id} done` });
    },
  };
}

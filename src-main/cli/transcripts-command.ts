/**
 * `printo-help transcripts …`: the user's rights over this computer's own copy of their support
 * sessions (docs/privacy.md, "The desktop client's copy"): access (list, show), portability
 * (export), erasure, restriction, objection and rectification (correct). What is past its
 * retention period is purged first, so nothing expired is ever shown.
 */
import { writeExport } from './export-file.ts';
import { systemClock } from '../../src-shared/clock.ts';
import type { Clock } from '../../src-shared/clock.ts';
import { PrintoError } from '../../src-shared/errors.ts';
import type { TranscriptView } from '../../src-shared/model/transcript.ts';
import { createPolicyService } from '../policy/policy-sources.ts';
import type { CreatePolicyServiceOptions } from '../policy/policy-sources.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { loadTranscriptMasterKey } from '../secrets/transcript-master-key.ts';
import { openTranscriptStore } from '../transcripts/store.ts';
import type { TranscriptStore } from '../transcripts/store.ts';

export { defaultTranscriptsPath } from '../transcripts/path.ts';
import { defaultTranscriptsPath } from '../transcripts/path.ts';

export type TranscriptsAction =
  | { readonly kind: 'list' }
  | { readonly kind: 'show'; readonly sessionId: string }
  | {
      readonly kind: 'export';
      readonly sessionId?: string | undefined;
      readonly out?: string | undefined;
    }
  | { readonly kind: 'erase'; readonly sessionId?: string | undefined; readonly all: boolean }
  | { readonly kind: 'restrict' | 'object'; readonly sessionId: string; readonly undo: boolean }
  | {
      readonly kind: 'correct';
      readonly sessionId: string;
      readonly messageId: string;
      readonly text: string;
    };

export interface TranscriptsCommandOptions {
  readonly action: TranscriptsAction;
  readonly json: boolean;
  readonly stdout: (text: string) => void;
  readonly secrets: SecretStore;
  readonly path?: string | undefined;
  readonly policy?: CreatePolicyServiceOptions | undefined;
  readonly clock?: Clock | undefined;
}

function noneKept(): PrintoError {
  return new PrintoError('transcripts-not-found', 'No support session is kept on this computer.', {
    hint: 'List what is kept with `printo-help transcripts list`.',
  });
}

function showText(view: TranscriptView): string {
  const lines = [
    `Session ${view.sessionId}, started ${view.startedAt}${view.end === null ? '' : `, ended ${view.end.endedAt} (${view.end.reason})`}`,
    `Agent: ${view.agent?.name ?? '(none joined)'}; kept until ${view.expiresAt}${view.flags.restricted ? '; restricted' : ''}${view.flags.objected ? '; objected' : ''}`,
    `Your description: ${view.description}`,
  ];
  for (const c of view.consent)
    lines.push(`${c.at}  consent ${c.decision}: ${c.scopes.join(', ') || '(none)'}`);
  for (const m of view.chat) {
    lines.push(`${m.at}  ${m.name}: ${m.text}${m.corrected ? '  (corrected)' : ''}`);
    for (const fix of m.corrections) lines.push(`${fix.at}    correction: ${fix.text}`);
  }
  for (const d of view.dataShared) {
    lines.push(
      `${d.at}  the agent saw: ${d.kind}${d.printers === undefined ? '' : ` (${d.printers.join(', ')})`}`,
    );
  }
  for (const a of view.actions) {
    lines.push(
      `${a.proposedAt}  proposed: ${a.action.id}; ${a.answers.map((x) => x.answer.outcome).join(' → ') || 'no answer'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function runTranscripts(options: TranscriptsCommandOptions): Promise<void> {
  const { action, stdout, json } = options;
  const masterKey = await loadTranscriptMasterKey(options.secrets);
  if (masterKey === null) {
    // Nothing was ever kept here (no key, no store): an empty list, not an error.
    if (action.kind === 'list') {
      stdout(
        json
          ? `${JSON.stringify({ sessions: [] })}\n`
          : 'No support session is kept on this computer.\n',
      );
      return;
    }
    throw noneKept();
  }
  const policy = (await createPolicyService(options.policy).load()).values;
  const store: TranscriptStore = await openTranscriptStore({
    path: options.path ?? defaultTranscriptsPath(),
    masterKey,
    retention: {
      ...(policy.transcriptRetentionDays === null
        ? {}
        : { chatTranscriptDays: policy.transcriptRetentionDays }),
      diagnosticReportDays: policy.diagnosticReportRetentionDays,
    },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  try {
    await store.purge();
    switch (action.kind) {
      case 'list': {
        const sessions = await store.listSessions();
        if (json) stdout(`${JSON.stringify({ sessions })}\n`);
        else if (sessions.length === 0) stdout('No support session is kept on this computer.\n');
        else {
          for (const s of sessions) {
            stdout(
              `${s.sessionId}  ${s.startedAt}  ${s.end === null ? 'open' : s.end.reason}  kept until ${s.expiresAt}${s.flags.restricted ? '  restricted' : ''}${s.flags.objected ? '  objected' : ''}\n`,
            );
          }
        }
        return;
      }
      case 'show': {
        const view = await store.viewSession(action.sessionId);
        stdout(json ? `${JSON.stringify(view)}\n` : showText(view));
        return;
      }
      case 'export': {
        const data = await store.exportData(
          action.sessionId === undefined
            ? undefined
            : { type: 'session', sessionId: action.sessionId },
        );
        await writeExport(data, action.out, json, stdout);
        return;
      }
      case 'erase': {
        if (action.all) await store.eraseAll();
        else if (action.sessionId !== undefined)
          await store.erase({ type: 'session', sessionId: action.sessionId });
        stdout(
          json
            ? `${JSON.stringify({ erased: action.all ? 'all' : action.sessionId })}\n`
            : 'Erased: nothing of it can be read back.\n',
        );
        return;
      }
      case 'restrict':
      case 'object': {
        const flag = action.kind === 'restrict' ? 'restricted' : 'objected';
        await store.setFlags(
          { type: 'session', sessionId: action.sessionId },
          { [flag]: !action.undo },
        );
        stdout(
          json
            ? `${JSON.stringify({ sessionId: action.sessionId, [flag]: !action.undo })}\n`
            : `${action.sessionId}: ${action.undo ? `no longer ${flag}` : flag}.\n`,
        );
        return;
      }
      case 'correct': {
        await store.correctMessage(
          action.sessionId,
          action.messageId,
          action.text,
          new Date((options.clock ?? systemClock).now()).toISOString(),
        );
        stdout(
          json
            ? `${JSON.stringify({ corrected: action.messageId })}\n`
            : 'Correction added; the original message stays, marked as corrected.\n',
        );
        return;
      }
    }
  } finally {
    await store.close();
  }
}

/**
 * `printo-help transcripts relay …`: the user's rights over the relay's copy of this computer's
 * support sessions (docs/privacy.md §5, docs/protocol.md §2): list, export, erase, restrict,
 * object, correct. The relay is `--relay`, the one policy names (`relayUrl`), or the one this
 * computer enrolled with; the credentials
 * are this computer's own, from the OS keyring; the way there is the policy's `proxy`.
 */
import { writeExport } from './export-file.ts';
import { systemClock } from '../../src-shared/clock.ts';
import type { Clock } from '../../src-shared/clock.ts';
import { PrintoError } from '../../src-shared/errors.ts';
import { createPolicyService } from '../policy/policy-sources.ts';
import type { CreatePolicyServiceOptions } from '../policy/policy-sources.ts';
import { loadDeviceCredentials } from '../secrets/device-credentials.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { RelayRights } from '../session/relay-rights.ts';
import type { RelaySessionSummary } from '../session/relay-rights.ts';

export type RelayTranscriptsAction =
  | { readonly kind: 'list' }
  | {
      readonly kind: 'export';
      readonly sessionId?: string | undefined;
      readonly out?: string | undefined;
    }
  | { readonly kind: 'erase' | 'restrict' | 'object'; readonly sessionId: string }
  | {
      readonly kind: 'correct';
      readonly sessionId: string;
      readonly messageId: string;
      readonly text: string;
    };

export interface RelayTranscriptsCommandOptions {
  readonly action: RelayTranscriptsAction;
  readonly relay: string | undefined;
  readonly json: boolean;
  readonly timeoutMs: number | undefined;
  readonly stdout: (text: string) => void;
  readonly secrets: SecretStore;
  readonly policy?: CreatePolicyServiceOptions | undefined;
  /** Where a `system` proxy is read from (HTTPS_PROXY, NO_PROXY); default process.env. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly clock?: Clock | undefined;
}

function listLine(s: RelaySessionSummary): string {
  const marks = [
    s.legalHold ? 'legal hold' : '',
    s.restricted ? 'restricted' : '',
    s.objected ? 'objected' : '',
    s.erasedAt !== null
      ? `erased ${s.erasedAt}`
      : s.transcriptDeletedAt !== null
        ? `transcript deleted ${s.transcriptDeletedAt}`
        : '',
  ].filter((mark) => mark !== '');
  return `${s.id}  ${s.createdAt}  ${s.state}  ${s.agentName ?? '(no agent)'}${marks.length === 0 ? '' : `  ${marks.join(', ')}`}\n`;
}

export async function runRelayTranscripts(options: RelayTranscriptsCommandOptions): Promise<void> {
  const { action, stdout, json } = options;
  const policy = (await createPolicyService(options.policy).load()).values;
  const credentials = await loadDeviceCredentials(options.secrets);
  if (credentials === null) {
    throw new PrintoError('not-enrolled', 'This computer is not enrolled with a relay.', {
      hint: 'The relay keeps nothing of a computer that never enrolled; `printo-help enroll` enrols it.',
    });
  }
  // The relay named here, by policy, or the one these credentials were issued by.
  const relayUrl = options.relay ?? policy.relayUrl ?? credentials.relayUrl ?? null;
  if (relayUrl === null) {
    throw new PrintoError('relay-not-configured', 'Which relay? None is set by policy.', {
      hint: 'Give --relay URL (the one this computer was enrolled with), or set relayUrl by policy.',
    });
  }
  const rights = new RelayRights({
    relayUrl,
    credentials,
    proxy: policy.proxy,
    env: options.env,
    timeoutMs: options.timeoutMs,
  });
  switch (action.kind) {
    case 'list': {
      const sessions = await rights.list();
      if (json) stdout(`${JSON.stringify({ sessions })}\n`);
      else if (sessions.length === 0) stdout('The relay keeps no session of this computer.\n');
      else for (const s of sessions) stdout(listLine(s));
      return;
    }
    case 'export': {
      const data =
        action.sessionId === undefined
          ? {
              format: 'printo-help/relay-export/v1',
              exportedAt: new Date((options.clock ?? systemClock).now()).toISOString(),
              relayUrl,
              deviceId: credentials.deviceId,
              // One at a time: the relay allows a device 20 requests at once, then one every 3 s.
              sessions: await (async () => {
                const all = [];
                for (const s of await rights.list()) all.push(await rights.export(s.id));
                return all;
              })(),
            }
          : await rights.export(action.sessionId);
      await writeExport(data, action.out, json, stdout);
      return;
    }
    case 'erase': {
      // Under a legal hold this throws `session-on-hold` with the relay's explanation.
      const erased = await rights.erase(action.sessionId);
      stdout(
        json
          ? `${JSON.stringify(erased)}\n`
          : `Erased at the relay (${erased.erasedAt}): its transcript cannot be read back.\n`,
      );
      return;
    }
    case 'restrict':
    case 'object': {
      const recorded =
        action.kind === 'restrict'
          ? await rights.restrict(action.sessionId)
          : await rights.object(action.sessionId);
      stdout(
        json
          ? `${JSON.stringify(recorded)}\n`
          : action.kind === 'restrict'
            ? `${recorded.sessionId}: restricted at the relay since ${recorded.at}; it is kept but no agent may take a copy.\n`
            : `${recorded.sessionId}: objected to at the relay since ${recorded.at}.\n`,
      );
      return;
    }
    case 'correct': {
      const correction = await rights.correct(action.sessionId, action.messageId, action.text);
      stdout(
        json
          ? `${JSON.stringify(correction)}\n`
          : 'Correction added at the relay; the original message stays as it was.\n',
      );
      return;
    }
  }
}

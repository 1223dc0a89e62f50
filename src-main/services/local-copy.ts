/**
 * This computer's own copy of support sessions and diagnostic reports (issue 9 §3): the transcript
 * store, opened on first need with the master key from the OS keyring, purged when it opens and
 * every hour after. Without a usable keyring, or when policy turns the copy off, nothing is kept
 * and `status()` says why in plain words — the support screen shows it before the user consents.
 */
import { PrintoError, isPrintoError } from '../../src-shared/errors.ts';
import type { PolicyService } from '../policy/effective.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { secretStoreStatus } from '../secrets/status.ts';
import {
  loadOrCreateTranscriptMasterKey,
  loadTranscriptMasterKey,
} from '../secrets/transcript-master-key.ts';
import type { Clock, TimerHandle } from '../../src-shared/clock.ts';
import { openTranscriptStore } from '../transcripts/store.ts';
import type { TranscriptStore } from '../transcripts/store.ts';

export const PURGE_INTERVAL_MS = 60 * 60_000;

export interface LocalCopyOptions {
  readonly path: string;
  readonly secrets: SecretStore;
  readonly policy: PolicyService;
  readonly clock: Clock;
  /** Called with a purge's failure (the next hour tries again). */
  readonly onError?: (error: unknown) => void;
}

export interface LocalCopyStatus {
  readonly kept: boolean;
  readonly reason: string | null;
}

export class LocalCopy {
  readonly #options: LocalCopyOptions;
  #store: Promise<TranscriptStore> | null = null;
  #timer: TimerHandle | undefined = undefined;
  #closed = false;

  constructor(options: LocalCopyOptions) {
    this.#options = options;
  }

  /** Whether a session started now would be kept here; asks the keyring (a write and a read). */
  async status(): Promise<LocalCopyStatus> {
    const policy = this.#options.policy.current().values;
    if (!policy.allowLocalTranscript) {
      return {
        kept: false,
        reason: 'Your administrator has turned off the copy of support sessions on this computer.',
      };
    }
    if (this.#store !== null) return { kept: true, reason: null };
    const keyring = await secretStoreStatus(this.#options.secrets);
    if (!keyring.usable) {
      return {
        kept: false,
        reason: `${keyring.message} Without it, this session will not be kept on this computer (the relay keeps its copy as its notice says).`,
      };
    }
    return { kept: true, reason: null };
  }

  /**
   * The store, opened once. `create`: make the master key if there is none yet (a session is
   * about to be recorded); otherwise null when nothing was ever kept here.
   */
  async open(create: boolean): Promise<TranscriptStore | null> {
    if (this.#closed) {
      throw new PrintoError('transcripts-closed', 'Printo Help is shutting down.');
    }
    if (this.#store !== null) return this.#store;
    const key = create
      ? await loadOrCreateTranscriptMasterKey(this.#options.secrets)
      : await loadTranscriptMasterKey(this.#options.secrets);
    if (key === null) return null;
    // Another caller may have opened it while the keyring answered.
    const opened = this.#opened();
    if (opened !== null) return opened;
    const policy = this.#options.policy.current().values;
    const clock = this.#options.clock;
    this.#store = openTranscriptStore({
      path: this.#options.path,
      masterKey: key,
      retention: {
        ...(policy.transcriptRetentionDays === null
          ? {}
          : { chatTranscriptDays: policy.transcriptRetentionDays }),
        diagnosticReportDays: policy.diagnosticReportRetentionDays,
      },
      clock,
    }).then(async (store) => {
      // Nothing past its time is ever shown or kept: purge now, then every hour.
      await store.purge();
      this.#schedulePurge();
      return store;
    });
    this.#store.catch(() => {
      this.#store = null;
    });
    return this.#store;
  }

  /** The store for a right the user exercises; null when nothing was ever kept here. */
  async forRights(): Promise<TranscriptStore | null> {
    try {
      return await this.open(false);
    } catch (error) {
      if (isPrintoError(error)) throw error;
      throw new PrintoError('transcripts-failed', 'The copy on this computer cannot be opened.', {
        cause: error,
      });
    }
  }

  #opened(): Promise<TranscriptStore> | null {
    return this.#store;
  }

  #schedulePurge(): void {
    const { clock } = this.#options;
    clock.clearTimeout(this.#timer);
    this.#timer = clock.setTimeout(() => {
      void (async () => {
        try {
          await (await this.#store)?.purge();
        } catch (error) {
          this.#options.onError?.(error);
        }
        if (!this.#closed) this.#schedulePurge();
      })();
    }, PURGE_INTERVAL_MS);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#options.clock.clearTimeout(this.#timer);
    const store = this.#store;
    this.#store = null;
    if (store !== null) await (await store.catch(() => null))?.close();
  }
}

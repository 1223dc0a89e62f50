/**
 * The transcript master key: 32 random bytes (AES-256), kept in the OS keyring as base64 and
 * nowhere else. It wraps the key of each local transcript record (ARCHITECTURE.md, "Retention"),
 * so losing it makes every local transcript unreadable: it is created once and never replaced
 * silently.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PrintoError } from '../../src-shared/errors.ts';
import type { SecretStore } from './secret-store.ts';

export const TRANSCRIPT_MASTER_KEY_SECRET = 'transcript-master-key';
export const TRANSCRIPT_MASTER_KEY_BYTES = 32;

/** Canonical base64 of exactly 32 bytes: 43 characters of the alphabet and one `=`. */
const StoredMasterKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/)
  .transform((text) => Buffer.from(text, 'base64'));

/** One creation at a time per store: two racing creators would each keep a different key. */
const pending = new WeakMap<SecretStore, Promise<Buffer>>();

/** The key, created and stored on first use. Rejects with `secret-corrupt` for a damaged value. */
export function loadOrCreateTranscriptMasterKey(store: SecretStore): Promise<Buffer> {
  let promise = pending.get(store);
  if (promise === undefined) {
    promise = loadOrCreate(store).finally(() => pending.delete(store));
    pending.set(store, promise);
  }
  return promise;
}

/** The key, or null when none was made yet. */
export async function loadTranscriptMasterKey(store: SecretStore): Promise<Buffer | null> {
  const raw = await store.get(TRANSCRIPT_MASTER_KEY_SECRET);
  if (raw === null) return null;
  const parsed = StoredMasterKeySchema.safeParse(raw);
  if (!parsed.success) {
    throw new PrintoError(
      'secret-corrupt',
      `The transcript master key in the OS keyring (“${TRANSCRIPT_MASTER_KEY_SECRET}”) is not 32 bytes of base64.`,
      {
        hint: `Printo Help leaves it as it is. Removing the item (service com.printogens.help, account ${TRANSCRIPT_MASTER_KEY_SECRET}) from the keyring lets it make a new key; local transcripts kept under the old one can then no longer be read.`,
      },
    );
  }
  return parsed.data;
}

async function loadOrCreate(store: SecretStore): Promise<Buffer> {
  const existing = await loadTranscriptMasterKey(store);
  if (existing !== null) return existing;
  await store.set(
    TRANSCRIPT_MASTER_KEY_SECRET,
    randomBytes(TRANSCRIPT_MASTER_KEY_BYTES).toString('base64'),
  );
  // Read back what the keyring holds, so that a process that raced us ends up with the same key.
  const stored = await loadTranscriptMasterKey(store);
  if (stored === null) {
    throw new PrintoError(
      'keyring-failed',
      'The OS keyring did not keep the transcript master key Printo Help stored in it.',
      { hint: 'Check that the OS keyring works, then try again.' },
    );
  }
  return stored;
}

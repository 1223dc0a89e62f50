/**
 * Encryption at rest for the local transcript store: AES-256-GCM, one data key per session or
 * diagnostic report, stored wrapped (AES-256-GCM) by the transcript master key from the OS keyring.
 * Deleting a data key makes everything it sealed unreadable wherever a copy ended up
 * (crypto-shredding). Every sealed value carries its row and purpose as associated data, so a
 * ciphertext copied into another row does not decrypt. The relay does the same
 * (src-relay/store/crypto.ts); the two programs share no code by design.
 *
 * Format: version (1 byte, 1) ‖ nonce (12, random) ‖ ciphertext ‖ tag (16). Random nonces are safe:
 * a data key seals one session's records, far below NIST SP 800-38D's 2^32 per key.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { PrintoError } from '../../src-shared/errors.ts';

export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_V1 = 1;

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function seal(key: Uint8Array, plaintext: Uint8Array | string, aad: string): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([
    cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
    cipher.final(),
  ]);
  return Buffer.concat([Buffer.of(FORMAT_V1), nonce, body, cipher.getAuthTag()]);
}

/** The plaintext, or `transcripts-decrypt-failed` (wrong key, altered, or moved to another row). */
export function unseal(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer {
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const fail = (cause?: unknown) =>
    new PrintoError(
      'transcripts-decrypt-failed',
      `A stored value (${aad}) of the local transcripts does not decrypt: the file was altered or damaged.`,
      {
        hint: 'Erase the affected record, or all local transcripts, to start afresh.',
        cause,
      },
    );
  if (data.length < 1 + NONCE_BYTES + TAG_BYTES || data[0] !== FORMAT_V1) throw fail();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(1, 1 + NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(data.subarray(1 + NONCE_BYTES, data.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (error) {
    throw fail(error);
  }
}

const CHECK_LABEL = 'printo-help/v1/transcripts/master-key-check';

/** A value kept beside the data that tells whether a master key is the one it was written with. */
export function masterKeyCheck(masterKey: Uint8Array): Buffer {
  return createHmac('sha256', masterKey).update(CHECK_LABEL).digest();
}

export function masterKeyMatches(masterKey: Uint8Array, check: Uint8Array): boolean {
  const expected = masterKeyCheck(masterKey);
  return check.length === expected.length && timingSafeEqual(check, expected);
}

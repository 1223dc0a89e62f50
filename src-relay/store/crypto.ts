/**
 * Encryption at rest for the relay store. Personal text (chat, request descriptions, consent
 * notices) is sealed with AES-256-GCM under a data key of its session and category; data keys are
 * stored wrapped (AES-256-GCM) by the master key. Destroying a data key makes everything sealed
 * with it unreadable wherever a copy of the ciphertext ended up (crypto-shredding).
 *
 * Every sealed value is bound to where it belongs by its associated data (the session, message or
 * receipt id), so a ciphertext copied into another row does not decrypt.
 *
 * Format of a sealed value: version (1 byte, 1) ‖ nonce (12 bytes, random) ‖ ciphertext ‖ tag (16).
 * Random 96-bit nonces are safe here: each data key seals one session's messages, far below the
 * 2^32 messages per key NIST SP 800-38D allows for random nonces.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomBytes,
  randomFillSync,
  timingSafeEqual,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { StoreErrorCode, storeError } from './errors.ts';

export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_V1 = 1;

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Importing raw key bytes into OpenSSL on every call cost more than the encryption itself on the
 * chat path; data keys are cached Buffers (data-keys.ts), so their KeyObjects are cached too.
 * Weak: a shredded key's bytes and KeyObject go together.
 */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();
function keyObject(key: Uint8Array): KeyObject {
  let object = keyObjects.get(key);
  if (object === undefined) {
    object = createSecretKey(key);
    keyObjects.set(key, object);
  }
  return object;
}

/** Random nonces drawn from a pool: one getrandom call per 341 nonces instead of one each. */
const noncePool = Buffer.alloc(NONCE_BYTES * 341);
let nonceOffset = noncePool.length;
function nextNonce(): Buffer {
  if (nonceOffset + NONCE_BYTES > noncePool.length) {
    randomFillSync(noncePool);
    nonceOffset = 0;
  }
  const nonce = Buffer.from(noncePool.subarray(nonceOffset, nonceOffset + NONCE_BYTES));
  nonceOffset += NONCE_BYTES;
  return nonce;
}

export function seal(key: Uint8Array, plaintext: Uint8Array | string, aad: string): Uint8Array {
  const nonce = nextNonce();
  const cipher = createCipheriv('aes-256-gcm', keyObject(key), nonce, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([
    cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
    cipher.final(),
  ]);
  return Buffer.concat([Buffer.of(FORMAT_V1), nonce, body, cipher.getAuthTag()]);
}

/** The plaintext of `sealed`, or a `store-decrypt-failed` error (wrong key, tampered, moved). */
export function unseal(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer {
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (data.length < 1 + NONCE_BYTES + TAG_BYTES || data[0] !== FORMAT_V1) {
    throw storeError(StoreErrorCode.decryptFailed, `An encrypted value for ${aad} is malformed.`);
  }
  const nonce = data.subarray(1, 1 + NONCE_BYTES);
  const tag = data.subarray(data.length - TAG_BYTES);
  const body = data.subarray(1 + NONCE_BYTES, data.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyObject(key), nonce, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (error) {
    throw storeError(
      StoreErrorCode.decryptFailed,
      `An encrypted value for ${aad} does not decrypt with its key (wrong key or altered data).`,
      { cause: error },
    );
  }
}

export function wrapKey(masterKey: Uint8Array, dataKey: Uint8Array, aad: string): Uint8Array {
  return seal(masterKey, dataKey, aad);
}

export function unwrapKey(masterKey: Uint8Array, wrapped: Uint8Array, aad: string): Buffer {
  const key = unseal(masterKey, wrapped, aad);
  if (key.length !== KEY_BYTES) {
    throw storeError(StoreErrorCode.invalidData, `The data key for ${aad} has the wrong length.`);
  }
  return key;
}

const CHECK_LABEL = 'printo-relay/v1/master-key-check';
const FINGERPRINT_LABEL = 'printo-relay/v1/master-key-fingerprint';

/** A value stored beside the data that tells whether a master key is the right one. */
export function masterKeyCheck(masterKey: Uint8Array): string {
  return createHmac('sha256', masterKey).update(CHECK_LABEL).digest('base64');
}

export function masterKeyMatches(masterKey: Uint8Array, check: string): boolean {
  const expected = Buffer.from(masterKeyCheck(masterKey), 'base64');
  const stored = Buffer.from(check, 'base64');
  return stored.length === expected.length && timingSafeEqual(stored, expected);
}

/** A short, non-secret name of a master key for messages ("key 3f9a0c12e4b7"). */
export function masterKeyFingerprint(masterKey: Uint8Array): string {
  return createHmac('sha256', masterKey).update(FINGERPRINT_LABEL).digest('hex').slice(0, 12);
}

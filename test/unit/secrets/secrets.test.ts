import { describe, expect, it } from 'vitest';
import {
  deleteDeviceCredentials,
  loadDeviceCredentials,
  loadOrCreateTranscriptMasterKey,
  loadTranscriptMasterKey,
  MemorySecretStore,
  saveDeviceCredentials,
  secretStoreStatus,
} from '../../../src-main/secrets/index.ts';
import { isPrintoError, PrintoError } from '../../../src-shared/errors.ts';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('device credentials', () => {
  it('round-trips, and is null before enrolment and after deletion', async () => {
    const store = new MemorySecretStore();
    expect(await loadDeviceCredentials(store)).toBeNull();
    await saveDeviceCredentials(store, { deviceId: 'dev_1', deviceSecret: 'secret' });
    expect(store.snapshot()).toEqual({
      'device-credentials': '{"deviceId":"dev_1","deviceSecret":"secret"}',
    });
    expect(await loadDeviceCredentials(store)).toEqual({
      deviceId: 'dev_1',
      deviceSecret: 'secret',
    });
    expect(await deleteDeviceCredentials(store)).toBe(true);
    expect(await loadDeviceCredentials(store)).toBeNull();
  });

  it.each([
    ['not JSON', 'deviceId=dev_1;deviceSecret=leaky'],
    ['JSON of another shape', '{"id":"dev_1","secret":"leaky"}'],
    ['a device id with a colon', '{"deviceId":"dev:1","deviceSecret":"leaky"}'],
    ['an empty secret', '{"deviceId":"dev_1","deviceSecret":""}'],
  ])('a stored value that is %s is secret-corrupt, without quoting it', async (_, raw) => {
    const store = new MemorySecretStore({ 'device-credentials': raw });
    const error = await rejection(loadDeviceCredentials(store));
    expect(isPrintoError(error, 'secret-corrupt')).toBe(true);
    expect((error as PrintoError).message).not.toContain('leaky');
    expect((error as PrintoError).hint).toMatch(/Enrol this computer again/);
  });

  it('refuses to save what it could not read back, and keeps what was there', async () => {
    const store = new MemorySecretStore();
    await saveDeviceCredentials(store, { deviceId: 'dev_1', deviceSecret: 'secret' });
    await expect(
      saveDeviceCredentials(store, { deviceId: 'a:b', deviceSecret: 's' }),
    ).rejects.toThrow(TypeError);
    expect(await loadDeviceCredentials(store)).toEqual({
      deviceId: 'dev_1',
      deviceSecret: 'secret',
    });
  });
});

describe('transcript master key', () => {
  it('is made once: 32 random bytes, stored as base64, the same on every later load', async () => {
    const store = new MemorySecretStore();
    expect(await loadTranscriptMasterKey(store)).toBeNull();
    const key = await loadOrCreateTranscriptMasterKey(store);
    expect(key).toHaveLength(32);
    expect(store.snapshot()['transcript-master-key']).toBe(key.toString('base64'));
    expect(await loadOrCreateTranscriptMasterKey(store)).toEqual(key);
    expect(await loadOrCreateTranscriptMasterKey(new MemorySecretStore())).not.toEqual(key);
  });

  it('gives concurrent callers one key, not one each', async () => {
    const store = new MemorySecretStore();
    const keys = await Promise.all([1, 2, 3].map(() => loadOrCreateTranscriptMasterKey(store)));
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[0]);
    expect(await loadTranscriptMasterKey(store)).toEqual(keys[0]);
  });

  it.each([
    ['not base64', 'definitely not a key!'],
    ['16 bytes', Buffer.alloc(16, 7).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 7).toString('base64')],
    ['32 bytes in base64url', Buffer.alloc(32, 0xfb).toString('base64url')],
  ])('a stored value of %s is secret-corrupt and is not replaced', async (_, raw) => {
    const store = new MemorySecretStore({ 'transcript-master-key': raw });
    const error = await rejection(loadOrCreateTranscriptMasterKey(store));
    expect(isPrintoError(error, 'secret-corrupt')).toBe(true);
    expect((error as PrintoError).message).not.toContain(raw);
    expect(store.snapshot()['transcript-master-key']).toBe(raw);
  });

  it('passes a keyring failure on as it is', async () => {
    const store = new MemorySecretStore();
    store.failWith(new PrintoError('keyring-locked', 'locked'));
    expect(
      isPrintoError(await rejection(loadOrCreateTranscriptMasterKey(store)), 'keyring-locked'),
    ).toBe(true);
  });
});

describe('secretStoreStatus', () => {
  it('is usable when a value can be written, read back and removed; the probe leaves nothing', async () => {
    const store = new MemorySecretStore();
    expect(await secretStoreStatus(store)).toEqual({ usable: true });
    expect(store.snapshot()).toEqual({});
  });

  it('reports a keyring failure with its code, message and hint, without throwing', async () => {
    const store = new MemorySecretStore();
    store.failWith(new PrintoError('keyring-no-dbus', 'no bus', { hint: 'start one' }));
    expect(await secretStoreStatus(store)).toEqual({
      usable: false,
      code: 'keyring-no-dbus',
      message: 'no bus',
      hint: 'start one',
    });
  });

  it('reports an unexpected error as keyring-failed', async () => {
    const store = new MemorySecretStore();
    store.failWith(new Error('boom'));
    expect(await secretStoreStatus(store)).toMatchObject({ usable: false, code: 'keyring-failed' });
  });
});

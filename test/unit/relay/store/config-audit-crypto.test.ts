import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPrintoError } from '../../../../src-shared/errors.ts';
import {
  GENESIS_HASH,
  auditHash,
  canonicalJson,
  verifyAuditChain,
  type AuditEntry,
} from '../../../../src-relay/store/audit.ts';
import {
  DEFAULT_RELAY_RETENTION,
  RelayRetentionConfigSchema,
  parseRetentionConfig,
} from '../../../../src-relay/store/config.ts';
import { masterKeyFingerprint, seal, unseal } from '../../../../src-relay/store/crypto.ts';
import { T0, newStore, openStore, seedSession, seedWorld, withRawDb } from './fixture.ts';

describe('retention configuration', () => {
  it('defaults every period the configuration leaves out', () => {
    expect(DEFAULT_RELAY_RETENTION).toEqual({
      chatTranscriptDays: 90,
      consentReceiptDays: 730,
      sessionMetadataDays: 730,
    });
    expect(parseRetentionConfig(undefined)).toEqual(DEFAULT_RELAY_RETENTION);
    expect(parseRetentionConfig({ chatTranscriptDays: 30 })).toEqual({
      ...DEFAULT_RELAY_RETENTION,
      chatTranscriptDays: 30,
    });
    expect(RelayRetentionConfigSchema.parse({})).toEqual(DEFAULT_RELAY_RETENTION);
  });

  it('names every problem, with the file, and says where to look', () => {
    let error: unknown;
    try {
      parseRetentionConfig(
        { chatTranscriptDays: 0, consentReceiptDays: 'forever', chatTranscriptDay: 3 },
        '/srv/relay/config.json',
      );
    } catch (caught) {
      error = caught;
    }
    expect(isPrintoError(error, 'retention-invalid')).toBe(true);
    const { message, hint } = error as { message: string; hint: string };
    expect(message).toContain('/srv/relay/config.json');
    expect(message).toContain('retention.chatTranscriptDays');
    expect(message).toContain('retention.consentReceiptDays');
    expect(message).toContain('chatTranscriptDay');
    expect(hint).toContain('docs/privacy.md');
  });

  it('refuses receipts kept shorter than transcripts', () => {
    expect(() => parseRetentionConfig({ chatTranscriptDays: 100, consentReceiptDays: 50 })).toThrow(
      /proof of consent must outlive the transcript/,
    );
  });
});

describe('audit chain', () => {
  const entry = (seq: number, prevHash: string): AuditEntry => {
    const body = {
      seq,
      at: T0,
      action: 'export' as const,
      detail: { sessionId: `s${String(seq)}` },
    };
    return { ...body, prevHash, hash: auditHash(prevHash, body) };
  };

  it('hashes canonical JSON, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,"x"]},"b":1}',
    );
    expect(
      auditHash(GENESIS_HASH, { seq: 1, at: T0, action: 'purge', detail: { a: 1, b: 2 } }),
    ).toBe(auditHash(GENESIS_HASH, { seq: 1, at: T0, action: 'purge', detail: { b: 2, a: 1 } }));
  });

  it('detects an altered entry, a broken link and a removed tail', () => {
    const first = entry(1, GENESIS_HASH);
    const second = entry(2, first.hash);
    expect(verifyAuditChain([first, second], second.hash).ok).toBe(true);
    expect(
      verifyAuditChain([first, { ...second, detail: { sessionId: 'other' } }], second.hash),
    ).toMatchObject({ ok: false, brokenAt: 2, problem: 'hash' });
    expect(verifyAuditChain([first, entry(2, GENESIS_HASH)], second.hash)).toMatchObject({
      ok: false,
      brokenAt: 2,
      problem: 'link',
    });
    expect(verifyAuditChain([first], second.hash)).toMatchObject({ ok: false, problem: 'head' });
  });

  it('notices an entry changed in the database', () => {
    const { store, dir, key } = newStore();
    const session = seedSession(store, seedWorld(store));
    store.exportSession(session.id, T0);
    store.setLegalHold(session.id, true, T0);
    expect(store.verifyAuditLog().ok).toBe(true);
    store.close();
    withRawDb(dir, (db) => {
      db.prepare(
        `UPDATE audit_log SET detail = '{"sessionId":"someone-else"}' WHERE seq = 1`,
      ).run();
    });
    expect(openStore(dir, key).verifyAuditLog()).toMatchObject({ ok: false, brokenAt: 1 });
  });
});

describe('sealing', () => {
  it('round-trips, binds the associated data and refuses another key', () => {
    const key = randomBytes(32);
    const sealed = seal(key, 'hello', 'chat/1');
    expect(unseal(key, sealed, 'chat/1').toString()).toBe('hello');
    expect(seal(key, 'hello', 'chat/1')).not.toEqual(sealed);
    for (const attempt of [
      () => unseal(key, sealed, 'chat/2'),
      () => unseal(randomBytes(32), sealed, 'chat/1'),
      () => unseal(key, sealed.subarray(0, 10), 'chat/1'),
    ]) {
      let code = '';
      try {
        attempt();
      } catch (error) {
        code = isPrintoError(error) ? error.code : 'other';
      }
      expect(code).toBe('store-decrypt-failed');
    }
  });

  it('fingerprints keys without revealing them', () => {
    const key = randomBytes(32);
    expect(masterKeyFingerprint(key)).toMatch(/^[0-9a-f]{12}$/);
    expect(masterKeyFingerprint(key)).not.toBe(masterKeyFingerprint(randomBytes(32)));
    expect(key.toString('hex')).not.toContain(masterKeyFingerprint(key));
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  displayPolicyValue,
  POLICY_DEFAULTS,
  POLICY_KEYS,
  PolicySchema,
  policyKeyInfo,
  policyValueSchema,
  ProxySchema,
  RelayUrlSchema,
} from '../../../src-shared/model/policy.ts';
import { ALL_SCOPES } from '../../../src-shared/protocol/v1.ts';

const errors = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe('policy schema', () => {
  it('has a description, a valid default and a storage kind for every key', () => {
    expect(PolicySchema.parse(POLICY_DEFAULTS)).toEqual(POLICY_DEFAULTS);
    for (const name of POLICY_KEYS) {
      const info = policyKeyInfo(name);
      expect(info.description.length, name).toBeGreaterThan(20);
      expect(policyValueSchema(name).safeParse(info.default).success, name).toBe(true);
    }
  });

  it('has the defaults the product promises', () => {
    expect(POLICY_DEFAULTS).toMatchObject({
      supportEnabled: true,
      relayUrl: null,
      allowedScopes: [...ALL_SCOPES],
      consentTimeoutSeconds: 60,
      diagnosticReportRetentionDays: 30,
      transcriptRetentionDays: null, // as the relay's notice says
      autoUpdate: false,
      telemetryEnabled: false,
    });
  });

  it('accepts only https relays, and http to this computer', () => {
    for (const url of [
      'https://relay.corp.example',
      'https://relay.corp.example:8443/printo/',
      'http://localhost:4280',
      'http://127.0.0.1:4280',
      'http://[::1]:4280',
    ]) {
      expect(errors(RelayUrlSchema.safeParse(url)), url).toEqual([]);
    }
    expect(errors(RelayUrlSchema.safeParse('http://relay.corp.example'))).toEqual([
      'http:// is only allowed to this computer (localhost, 127.0.0.1, [::1]); use https://relay.corp.example',
    ]);
    expect(errors(RelayUrlSchema.safeParse('http://127.0.0.1.evil.example'))).toHaveLength(1);
    expect(errors(RelayUrlSchema.safeParse('wss://relay.corp.example'))).toEqual([
      'must start with https:// (got wss://)',
    ]);
    expect(errors(RelayUrlSchema.safeParse('https://admin:pw@relay.corp.example'))).toEqual([
      'must not contain a user name or password',
    ]);
    expect(errors(RelayUrlSchema.safeParse('relay.corp.example'))).toHaveLength(1);
  });

  it('takes system, none or a proxy URL', () => {
    for (const proxy of [
      'system',
      'none',
      'http://proxy.corp.example:3128',
      'socks5://10.0.0.1:1080',
    ]) {
      expect(ProxySchema.safeParse(proxy).success, proxy).toBe(true);
    }
    expect(ProxySchema.safeParse('auto').success).toBe(false);
    expect(ProxySchema.safeParse('http://user:pw@proxy:3128').success).toBe(false);
  });

  it('bounds time-outs and retention, and takes known scopes once each', () => {
    expect(PolicySchema.shape.consentTimeoutSeconds.safeParse(14).success).toBe(false);
    expect(PolicySchema.shape.consentTimeoutSeconds.safeParse(300).success).toBe(true);
    expect(PolicySchema.shape.consentTimeoutSeconds.safeParse(60.5).success).toBe(false);
    expect(PolicySchema.shape.diagnosticReportRetentionDays.safeParse(366).success).toBe(false);
    expect(PolicySchema.shape.transcriptRetentionDays.safeParse(0).success).toBe(false);
    expect(PolicySchema.shape.allowedScopes.safeParse(['chat', 'printers.read']).success).toBe(
      true,
    );
    expect(errors(PolicySchema.shape.allowedScopes.safeParse(['chat', 'chat']))).toEqual([
      'must not name a scope twice',
    ]);
    expect(PolicySchema.shape.allowedScopes.safeParse(['screen.control']).success).toBe(false);
  });

  it('accepts only false for the features that do not exist', () => {
    expect(errors(PolicySchema.shape.autoUpdate.safeParse(true))[0]).toMatch(
      /Printo Help has no auto-updater/,
    );
    expect(errors(PolicySchema.shape.telemetryEnabled.safeParse(true))[0]).toMatch(/no telemetry/);
  });

  it('keeps the computer’s enrolment machine-only and out of users’ hands', () => {
    expect(policyKeyInfo('relayUrl')).toMatchObject({ machineOnly: true, userSettable: true });
    expect(policyKeyInfo('enrollmentKey')).toMatchObject({
      machineOnly: true,
      userSettable: false,
      sensitive: true,
    });
    expect(policyKeyInfo('allowedScopes').userSettable).toBe(false);
  });

  it('masks secrets', () => {
    expect(displayPolicyValue('enrollmentKey', 'ek_7Hq2mVx9Lr4TnB8c')).toBe(
      '(hidden, ends in nB8c)',
    );
    expect(displayPolicyValue('enrollmentKey', 'short')).toBe('(hidden)');
    expect(displayPolicyValue('enrollmentKey', null)).toBeNull();
    expect(displayPolicyValue('relayUrl', 'https://x.example')).toBe('https://x.example');
  });
});

describe('docs/deployment.md', () => {
  it('lists every key with its type, default and whether users may set it', () => {
    const doc = readFileSync(new URL('../../../docs/deployment.md', import.meta.url), 'utf8');
    for (const name of POLICY_KEYS) {
      const info = policyKeyInfo(name);
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      const cells = (row ?? '').split(' | ');
      const fallback =
        info.default === null
          ? 'not set'
          : Array.isArray(info.default)
            ? info.default.join(', ')
            : typeof info.default === 'string'
              ? info.default
              : JSON.stringify(info.default);
      expect(cells.slice(1, 5), name).toEqual([
        info.kind,
        fallback,
        info.machineOnly ? 'computer only' : 'computer or user',
        info.userSettable ? 'yes' : 'no',
      ]);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { CliErrorCode } from '../../src-relay/cli/printo-relay.ts';
import { RelayErrorCode } from '../../src-relay/server/relay-server.ts';
import { IdentityErrorCode } from '../../src-relay/server/identities.ts';
import { ConfigErrorCode } from '../../src-relay/store/config.ts';
import { StoreErrorCode } from '../../src-relay/store/errors.ts';
import { ProbeErrorCode } from '../../src-main/diagnostics/device-probe.ts';
import { PolicyErrorCode } from '../../src-main/policy/source.ts';
import { IPP_MALFORMED } from '../../src-main/printers/ipp/codec.ts';
import { IppTransportErrorCode } from '../../src-main/printers/ipp/transport.ts';
import { PrinterSystemErrorCode } from '../../src-main/printers/printer-system.ts';
import {
  CLIENT_ERROR_CODES,
  ERROR_CODES,
  RELAY_ERROR_CODES,
  USAGE_ERROR_CODES,
  isErrorCode,
} from '../../src-shared/error-codes.ts';
import {
  ErrorCodeSchema as FrameErrorCodeSchema,
  SessionEndedReasonSchema,
} from '../../src-shared/protocol/v1.ts';

const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

describe('stable error codes', () => {
  it('are kebab-case, each declared once, in one union for both tools', () => {
    const all = [...CLIENT_ERROR_CODES, ...RELAY_ERROR_CODES, ...USAGE_ERROR_CODES];
    expect(ERROR_CODES).toEqual(all);
    for (const code of all) expect(code).toMatch(KEBAB);
    expect(new Set(all).size).toBe(all.length);
    // A session's end reasons reach callers as codes too.
    for (const reason of SessionEndedReasonSchema.options) expect(isErrorCode(reason)).toBe(true);
    // The protocol's own codes follow the same style.
    for (const code of FrameErrorCodeSchema.options) expect(code).toMatch(KEBAB);
  });

  it.each([
    ['PrinterSystemErrorCode', PrinterSystemErrorCode],
    ['IppTransportErrorCode', IppTransportErrorCode],
    ['ProbeErrorCode', ProbeErrorCode],
    ['PolicyErrorCode', PolicyErrorCode],
    ['StoreErrorCode', StoreErrorCode],
    ['IdentityErrorCode', IdentityErrorCode],
    ['RelayErrorCode', RelayErrorCode],
    ['ConfigErrorCode', ConfigErrorCode],
    ['CliErrorCode', CliErrorCode],
    ['IPP_MALFORMED', { IPP_MALFORMED }],
  ] as const)('%s names only declared codes', (_name, table) => {
    for (const code of Object.values(table)) {
      expect(isErrorCode(code), code).toBe(true);
    }
  });
});

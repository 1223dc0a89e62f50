/**
 * Enrolment: trade the organisation's enrollment key for this computer's own credentials, once.
 * The credentials go back to the caller, which keeps them in the OS keyring; nothing is written
 * here.
 */
import { z } from 'zod';
import { PrintoError } from '../../src-shared/errors.ts';
import { EnrollResponseSchema } from '../../src-shared/protocol/http.ts';
import type { ProxyEnv, ProxySetting } from './proxy.ts';
import { jsonOf, relayRequest } from './relay-http.ts';
import type { RelayHttpResponse } from './relay-http.ts';
import { relayEndpoints } from './relay-url.ts';
import type { DeviceCredentials } from './types.ts';

export interface EnrollRequest {
  readonly enrollmentKey: string;
  readonly deviceName: string;
}

export interface EnrollOptions {
  readonly signal: AbortSignal;
  /** The policy's `proxy` (src-main/session/proxy.ts); default `system`. */
  readonly proxy?: ProxySetting | undefined;
  /** Where `system` reads HTTPS_PROXY and NO_PROXY; default process.env. */
  readonly env?: ProxyEnv | undefined;
}

/** `{ error: { code, message } }` or `{ code, message }` or `{ message }`, whichever the relay sends. */
function relayMessage(response: RelayHttpResponse): string | undefined {
  const parsed = z
    .union([
      z.object({ error: z.object({ message: z.string() }) }).transform((b) => b.error.message),
      z.object({ message: z.string() }).transform((b) => b.message),
    ])
    .safeParse(jsonOf(response));
  return parsed.success ? parsed.data.slice(0, 300) : undefined;
}

export async function enroll(
  relayUrl: string,
  request: EnrollRequest,
  options: EnrollOptions,
): Promise<DeviceCredentials> {
  const { enroll: url } = relayEndpoints(relayUrl);
  const enrollmentKey = request.enrollmentKey.trim();
  const deviceName = request.deviceName.trim();
  if (enrollmentKey === '') {
    throw new PrintoError('enroll-key-missing', 'No enrollment key was given.', {
      hint: 'Your IT department has the organisation’s enrollment key.',
    });
  }
  if (deviceName === '') throw new PrintoError('enroll-name-missing', 'No device name was given.');
  // No redirect is followed (relay-http.ts): one would resend the enrollment key somewhere we
  // did not check. Unreachable relay or proxy: `relay-unreachable`, `proxy-…` from relayRequest.
  const response = await relayRequest(
    url,
    { method: 'POST', json: { enrollmentKey, deviceName } },
    options,
  );
  if (response.status < 200 || response.status > 299) {
    const said = relayMessage(response);
    const detail = said === undefined ? '' : ` The relay said: ${said}`;
    if (response.status === 401 || response.status === 403) {
      throw new PrintoError(
        'enroll-key-rejected',
        `The relay rejected the enrollment key.${detail}`,
        {
          hint: 'Check the key with your IT department; it may have been replaced.',
        },
      );
    }
    if (response.status === 429) {
      throw new PrintoError('enroll-rate-limited', `Too many enrolment attempts.${detail}`, {
        hint: 'Wait a minute, then try again.',
      });
    }
    throw new PrintoError(
      'enroll-failed',
      `Enrolment failed with HTTP ${response.status}.${detail}`,
    );
  }
  const body = jsonOf(response);
  if (body === undefined) {
    throw new PrintoError('enroll-bad-response', 'The relay’s answer to enrolment is not JSON.');
  }
  const parsed = EnrollResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new PrintoError(
      'enroll-bad-response',
      'The relay’s answer to enrolment has no usable device id and secret.',
    );
  }
  return { deviceId: parsed.data.deviceId, deviceSecret: parsed.data.deviceSecret };
}

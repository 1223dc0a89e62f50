/**
 * Enrolment: trade the organisation's enrollment key for this computer's own credentials, once.
 * The credentials go back to the caller, which keeps them in the OS keyring; nothing is written
 * here.
 */
import { z } from 'zod';
import { PrintoError } from '../../src-shared/errors.ts';
import { EnrollResponseSchema } from '../../src-shared/protocol/http.ts';
import { relayEndpoints } from './relay-url.ts';
import type { DeviceCredentials } from './types.ts';

export interface EnrollRequest {
  readonly enrollmentKey: string;
  readonly deviceName: string;
}

export interface EnrollOptions {
  readonly signal: AbortSignal;
  readonly fetch?: typeof fetch;
}

/** `{ error: { code, message } }` or `{ code, message }` or `{ message }`, whichever the relay sends. */
async function relayMessage(response: Response): Promise<string | undefined> {
  try {
    const body: unknown = await response.json();
    const parsed = z
      .union([
        z.object({ error: z.object({ message: z.string() }) }).transform((b) => b.error.message),
        z.object({ message: z.string() }).transform((b) => b.message),
      ])
      .safeParse(body);
    return parsed.success ? parsed.data.slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
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
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ enrollmentKey, deviceName }),
      // A redirect would resend the enrollment key somewhere we did not check.
      redirect: 'error',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw new PrintoError('relay-unreachable', `Cannot reach the relay at ${url.origin}.`, {
      hint: 'Check the relay address and the network connection, then try again.',
      cause: error,
    });
  }
  if (!response.ok) {
    const said = await relayMessage(response);
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
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new PrintoError('enroll-bad-response', 'The relay’s answer to enrolment is not JSON.', {
      cause: error,
    });
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

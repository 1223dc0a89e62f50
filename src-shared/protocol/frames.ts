import type { z } from 'zod';
import type { ErrorCode } from './v1.ts';
import { EnvelopeSchema, LIMITS, PROTOCOL_VERSION } from './v1.ts';

export type DecodeResult<M> =
  | {
      readonly ok: true;
      readonly frame: Omit<z.infer<typeof EnvelopeSchema>, 'type' | 'payload'> & M;
    }
  | {
      readonly ok: false;
      readonly code: ErrorCode;
      readonly message: string;
      readonly id?: string;
    };

/** UTF-8 length without TextEncoder (src-shared has no DOM or Node types). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/**
 * Parses one text frame: JSON, then the envelope, then the message schema of the sender's role.
 * Never throws; a bad frame gives the error code to send back.
 */
export function decodeFrame<S extends z.ZodType<{ type: string; payload: unknown }>>(
  raw: string,
  schema: S,
): DecodeResult<z.infer<S>> {
  if (raw.length > LIMITS.maxFrameBytes || utf8Length(raw) > LIMITS.maxFrameBytes) {
    return {
      ok: false,
      code: 'bad-frame',
      message: `Frames are limited to ${LIMITS.maxFrameBytes} bytes.`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'bad-json', message: 'The frame is not valid JSON.' };
  }
  // A peer speaking another version gets told so (and is closed with 4007), not "bad frame".
  if (
    typeof json === 'object' &&
    json !== null &&
    'v' in json &&
    typeof json.v === 'number' &&
    json.v !== PROTOCOL_VERSION
  ) {
    return {
      ok: false,
      code: 'unsupported-version',
      message: `This relay speaks protocol version ${PROTOCOL_VERSION} only.`,
    };
  }
  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    return {
      ok: false,
      code: 'bad-frame',
      message: `Bad envelope: ${envelope.error.issues[0]?.message ?? 'invalid'} at ${envelope.error.issues[0]?.path.join('.') ?? ''}.`,
    };
  }
  const { type, payload, ...rest } = envelope.data;
  const parsed = schema.safeParse({ type, payload });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // zod reports a discriminator no option matches at the discriminator's path (`type`).
    const unknownType =
      issue?.code === 'invalid_union' &&
      (issue.path.length === 0 || (issue.path.length === 1 && issue.path[0] === 'type'));
    return {
      ok: false,
      code: unknownType ? 'unknown-type' : 'bad-frame',
      message: unknownType
        ? `Unknown message type ${JSON.stringify(type)}.`
        : `Bad ${type} payload: ${issue?.message ?? 'invalid'} at ${issue?.path.join('.') ?? ''}.`,
      id: rest.id,
    };
  }
  return { ok: true, frame: { ...rest, ...parsed.data } };
}

export function encodeFrame(
  message: { type: string; payload: unknown },
  meta: { id: string; seq: number; ack: number; ts: string },
): string {
  return JSON.stringify({
    v: PROTOCOL_VERSION,
    type: message.type,
    id: meta.id,
    seq: meta.seq,
    ack: meta.ack,
    ts: meta.ts,
    payload: message.payload,
  });
}

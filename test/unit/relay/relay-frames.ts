/**
 * What the test peers of the relay do with each frame it sends them: decode it with the
 * protocol's schema for their role, and treat a frame the schema refuses as the relay bug it is —
 * never drop it quietly.
 */
import { z } from 'zod';
import { decodeFrame } from '../../../src-shared/protocol/frames.ts';
import type { Framed } from '../../../src-shared/protocol/v1.ts';

/** A frame from the relay that violates the protocol schema, with the frame and zod's issues. */
export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
  readonly frame: string;

  constructor(message: string, frame: string) {
    super(message);
    this.frame = frame;
  }
}

/** zod's issues with the frame's type and payload, every one of them. */
function issuesOf(raw: string, schema: z.ZodType): string {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return 'not JSON';
  }
  if (typeof json !== 'object' || json === null) return 'not a JSON object';
  const { type, payload } = json as { type?: unknown; payload?: unknown };
  const parsed = schema.safeParse({ type, payload });
  return parsed.success ? '(the envelope)' : z.prettifyError(parsed.error);
}

/**
 * The frame the relay sent `who`, decoded with `schema`; throws a ProtocolViolation that quotes
 * the frame and zod's issues when the schema refuses it.
 */
export function decodeRelayFrame<S extends z.ZodType<{ type: string; payload: unknown }>>(
  raw: string,
  schema: S,
  who: string,
): Framed<z.infer<S>> {
  const decoded = decodeFrame(raw, schema);
  if (decoded.ok) return decoded.frame;
  const shown = raw.length > 4_000 ? `${raw.slice(0, 4_000)}…` : raw;
  throw new ProtocolViolation(
    `The relay sent the ${who} a frame that violates the protocol schema ` +
      `(${decoded.code}: ${decoded.message})\n${issuesOf(raw, schema)}\nframe: ${shown}`,
    raw,
  );
}

/**
 * Makes a violation found inside a socket's or a hub's callback fail the run: thrown on a later
 * microtask, so it reaches vitest as an unhandled error instead of unwinding the code that
 * delivered the frame.
 */
export function failLater(error: Error): void {
  queueMicrotask(() => {
    throw error;
  });
}

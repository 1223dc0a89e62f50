/**
 * The relay's boundary for frames: every frame a peer sends is decoded here, and every free text
 * in it — a help request's description, chat, the strings of a data or action payload — has its
 * card numbers masked before any part of the relay sees it. So nothing the relay stores, logs or
 * forwards can hold a readable card number, whatever the call site does with the frame (PCI DSS
 * v4 3.4.1). Error messages that quote the frame are masked too.
 *
 * Names that cross the relay (a device's, an agent's) are masked where identities are built
 * (server/auth.ts) and written (enrolment, `agents add`).
 */
import { redactCardNumbers, redactCardNumbersDeep } from '../../src-shared/privacy/pan.ts';
import { decodeFrame, type DecodeResult } from '../../src-shared/protocol/frames.ts';
import { AgentMessageSchema, ClientMessageSchema } from '../../src-shared/protocol/v1.ts';
import type { AgentMessage, ClientMessage } from '../../src-shared/protocol/v1.ts';

/** Keys whose values are identifiers the schema has validated (UUIDs, tokens, codes): kept exact. */
const IDENTIFIER_KEYS: ReadonlySet<string> = new Set([
  'requestId',
  'sessionId',
  'messageId',
  'ref',
  'resume',
  'code',
]);

export type Inbound<M> =
  | (Extract<DecodeResult<M>, { ok: true }> & { readonly redacted: boolean })
  | Extract<DecodeResult<M>, { ok: false }>;

function masked<M extends { payload: unknown }>(result: DecodeResult<M>): Inbound<M> {
  if (!result.ok) return { ...result, message: redactCardNumbers(result.message).text };
  const { value: payload, redacted } = redactCardNumbersDeep(result.frame.payload, IDENTIFIER_KEYS);
  return { ok: true, frame: redacted ? { ...result.frame, payload } : result.frame, redacted };
}

export function decodeClientFrame(raw: string): Inbound<ClientMessage> {
  return masked(decodeFrame(raw, ClientMessageSchema));
}

export function decodeAgentFrame(raw: string): Inbound<AgentMessage> {
  return masked(decodeFrame(raw, AgentMessageSchema));
}

/** A name or other single free text from outside (enrolment, an account, the store). */
export function maskFreeText(text: string): string {
  return redactCardNumbers(text).text;
}

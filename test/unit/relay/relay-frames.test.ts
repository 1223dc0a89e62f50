/** The test peers' check of what the relay sends: a frame off the protocol fails, saying why. */
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src-shared/protocol/frames.ts';
import { RelayToAgentMessageSchema } from '../../../src-shared/protocol/v1.ts';
import { ProtocolViolation, decodeRelayFrame } from './relay-frames.ts';

const meta = {
  id: '0d9f2c54-6f1e-4c4b-9a41-2f0e5e8b7a10',
  seq: 1,
  ack: 0,
  ts: '2026-11-25T09:00:00.000Z',
};

describe('decodeRelayFrame', () => {
  it('returns a frame the schema accepts', () => {
    const raw = encodeFrame({ type: 'queue.snapshot', payload: { sessions: [] } }, meta);
    expect(decodeRelayFrame(raw, RelayToAgentMessageSchema, 'agent')).toMatchObject({
      type: 'queue.snapshot',
      seq: 1,
    });
  });

  it('throws with the frame and zod’s issue for one the schema refuses', () => {
    const raw = encodeFrame({ type: 'queue.snapshot', payload: { sessions: 'none' } }, meta);
    let thrown: unknown;
    try {
      decodeRelayFrame(raw, RelayToAgentMessageSchema, 'agent');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolViolation);
    const violation = thrown as ProtocolViolation;
    expect(violation.frame).toBe(raw);
    expect(violation.message).toContain('The relay sent the agent a frame that violates');
    expect(violation.message).toContain('payload.sessions');
    expect(violation.message).toContain(raw);
  });

  it('refuses a frame that is not JSON', () => {
    expect(() => decodeRelayFrame('{', RelayToAgentMessageSchema, 'client')).toThrow(
      /bad-json.*\nnot JSON\nframe: \{/s,
    );
  });
});

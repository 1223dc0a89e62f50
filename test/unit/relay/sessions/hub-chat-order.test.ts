/**
 * Chat accepted before a session ends reaches both sides, and the store, before the end does:
 * also when the end comes from the relay itself (shutdown, time-outs) in the same turn.
 */
import { describe, expect, it } from 'vitest';
import { newStore, seedWorld } from '../store/fixture.ts';
import { activeChatSession, newHub } from './hub-harness.ts';

describe('session hub: chat before an end', () => {
  it('delivers and stores chat sent in the same turn as a shutdown before session.ended', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    const hub = newHub(store);
    const { client, agent, sessionId } = activeChatSession(hub, world);

    agent.send('chat.send', { text: 'One last thing: restart the spooler.' });
    hub.shutdown();

    const tail = (frames: typeof client.frames): string[] =>
      frames.slice(-2).map((f) => `${f.type}:${String(f.payload['text'] ?? f.payload['reason'])}`);
    expect(tail(client.frames)).toEqual([
      'chat.message:One last thing: restart the spooler.',
      'session.ended:relay-shutdown',
    ]);
    expect(tail(agent.frames)).toEqual([
      'chat.message:One last thing: restart the spooler.',
      'session.ended:relay-shutdown',
    ]);
    expect(store.listChat(sessionId).map((m) => m.text)).toEqual([
      'One last thing: restart the spooler.',
    ]);
  });
});

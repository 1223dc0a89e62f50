/**
 * The hub with a real SQLite store whose chat writes fail (a full disk, say): the sender is told,
 * nothing reaches the other side, and the relay and the session carry on.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../../src-relay/store/store.ts';
import { newStore, seedWorld } from '../store/fixture.ts';
import { activeChatSession, newHub, turn } from './hub-harness.ts';

describe('session hub when the store cannot write chat', () => {
  it('refuses the message to its sender, forwards nothing, and keeps going', async () => {
    const { store } = newStore();
    const world = seedWorld(store);
    let failing = true;
    const flaky = new Proxy(store, {
      get(target, property) {
        if (property === 'appendChats' && failing) {
          return () => {
            throw new Error('SQLITE_FULL: database or disk is full');
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    }) as Store;
    const hub = newHub(flaky);
    const { client, agent, sessionId } = activeChatSession(hub, world);

    agent.send('chat.send', { text: 'Hello, can you open the rear door?' });
    await turn();
    expect(agent.frames.at(-1)).toMatchObject({ type: 'error', payload: { code: 'internal' } });
    expect(client.frames.some((f) => f.type === 'chat.message')).toBe(false);

    failing = false;
    agent.send('chat.send', { text: 'Trying again.' });
    await turn();
    expect(
      client.frames.filter((f) => f.type === 'chat.message').map((f) => f.payload['text']),
    ).toEqual(['Trying again.']);
    expect(store.listChat(sessionId).map((m) => m.text)).toEqual(['Trying again.']);
    hub.shutdown();
  });
});

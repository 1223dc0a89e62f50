/**
 * Data requests through the hub: the agent's printer filter reaches the client as it was given;
 * a malformed one is refused at the relay and nothing reaches the client.
 */
import { describe, expect, it } from 'vitest';
import { newStore, seedWorld } from '../store/fixture.ts';
import { activeChatSession, newHub } from './hub-harness.ts';

function activeSession() {
  const { store } = newStore();
  const hub = newHub(store);
  return activeChatSession(hub, seedWorld(store), ['chat', 'printers.read']);
}

describe('session hub: data requests', () => {
  it('passes the agent’s printer filter to the client, and none when there was none', () => {
    const { client, agent } = activeSession();
    agent.send('data.request', { kind: 'jobs', printers: ['Floor2', 'Label "A4"'] });
    agent.send('data.request', { kind: 'printers' });
    const requests = client.frames.filter((f) => f.type === 'data.request');
    expect(requests.map((f) => f.payload)).toEqual([
      {
        requestId: expect.any(String) as unknown,
        kind: 'jobs',
        printers: ['Floor2', 'Label "A4"'],
      },
      { requestId: expect.any(String) as unknown, kind: 'printers' },
    ]);
    expect(agent.frames.filter((f) => f.type === 'request.accepted')).toHaveLength(2);
  });

  it('refuses an empty or oversized filter with bad-frame; the client hears nothing', () => {
    const { client, agent } = activeSession();
    const before = client.frames.length;
    agent.send('data.request', { kind: 'printers', printers: [] });
    agent.send('data.request', {
      kind: 'printers',
      printers: Array.from({ length: 51 }, (_, i) => `Q${String(i)}`),
    });
    agent.send('data.request', { kind: 'printers', printers: [''] });
    expect(agent.frames.filter((f) => f.type === 'error').map((f) => f.payload['code'])).toEqual([
      'bad-frame',
      'bad-frame',
      'bad-frame',
    ]);
    expect(client.frames.slice(before).filter((f) => f.type === 'data.request')).toEqual([]);
  });
});

/**
 * Cutting off one device at once (it was revoked): its connections close with 4001, nobody
 * else's do, and its session is not ended on the spot (it ends when the resume window passes).
 */
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../../../src-shared/protocol/v1.ts';
import { T0, newStore, seedWorld } from '../store/fixture.ts';
import { activeChatSession, newHub, peer } from './hub-harness.ts';

describe('session hub: disconnectDevice', () => {
  it('closes the device’s connections with 4001 and leaves the others', () => {
    const { store } = newStore();
    const world = seedWorld(store);
    const hub = newHub(store);
    const { client, agent, sessionId } = activeChatSession(hub, world);
    const closes = new Map<string, [number, string][]>();
    for (const [name, p] of [
      ['client', client],
      ['agent', agent],
    ] as const) {
      closes.set(name, []);
      p.connection.close = (code, reason) => closes.get(name)?.push([code, reason]);
    }
    // Another device of the same organisation, waiting in the queue.
    const other = store.createDevice({ orgId: world.orgId, name: 'WS-2', secretHash: 'x' }, T0);
    const bystander = peer('client');
    const bystanderCloses: number[] = [];
    bystander.connection.close = (code) => bystanderCloses.push(code);
    bystander.bind(
      hub.attach(bystander.connection, {
        role: 'client',
        client: { deviceId: other.id, orgId: world.orgId, deviceName: 'WS-2' },
      }),
    );
    bystander.send('hello', {});

    expect(hub.disconnectDevice(world.deviceId)).toBe(1);
    expect(closes.get('client')).toEqual([[CloseCode.authFailed, 'device revoked']]);
    expect(closes.get('agent')).toEqual([]);
    expect(bystanderCloses).toEqual([]);
    // Already closed: a second call closes nothing.
    expect(hub.disconnectDevice(world.deviceId)).toBe(0);
    expect(hub.disconnectDevice('no-such-device')).toBe(0);
    expect(store.getSession(sessionId)?.state).toBe('active');
    hub.shutdown();
  });
});

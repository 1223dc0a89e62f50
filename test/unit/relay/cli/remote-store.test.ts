/**
 * The admin-socket client's worker thread on its own: where no relay answers, it reports the
 * failure to the caller and ends quietly instead of crashing with an uncaught error.
 */
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type {
  RemoteStoreEvent,
  RemoteStoreWorkerData,
} from '../../../../src-relay/cli/remote-store.ts';

describe('admin-socket client worker', () => {
  it('reports a socket that is not there and exits without an uncaught error', async () => {
    const { port1, port2 } = new MessageChannel();
    const workerData: RemoteStoreWorkerData = {
      path: '/nonexistent/admin.sock',
      port: port2,
      signal: new SharedArrayBuffer(4),
    };
    const worker = new Worker(
      new URL('../../../../src-relay/cli/remote-store-worker.ts', import.meta.url),
      { workerData, transferList: [port2] },
    );
    const errors: unknown[] = [];
    worker.on('error', (error) => errors.push(error));
    const exitCode = await new Promise<number>((resolve) => worker.once('exit', resolve));
    const events: RemoteStoreEvent[] = [];
    for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) {
      events.push(m.message as RemoteStoreEvent);
    }
    port1.close();
    expect(errors).toEqual([]);
    expect(exitCode).toBe(0);
    expect(events).toEqual([{ kind: 'failed', message: 'ENOENT' }]);
  });
});

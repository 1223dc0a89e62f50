/**
 * The worker thread of remote-store.ts: one connection to the relay's admin socket. Lines from
 * the caller go out as they are; each line that comes back is posted to the caller, and the
 * shared counter is bumped so that the caller, asleep in Atomics.wait, wakes up.
 */
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { workerData } from 'node:worker_threads';
import type { RemoteStoreEvent, RemoteStoreWorkerData } from './remote-store.ts';

const data = workerData as RemoteStoreWorkerData;
const signal = new Int32Array(data.signal);

function post(event: RemoteStoreEvent): void {
  data.port.postMessage(event);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

const socket = connect(data.path);
let connected = false;
socket.on('connect', () => {
  connected = true;
  post({ kind: 'connected' });
});
socket.on('error', (error: NodeJS.ErrnoException) => {
  post({ kind: 'failed', message: error.code ?? error.message });
});
socket.on('close', () => {
  if (connected) post({ kind: 'failed', message: 'closed' });
  data.port.close();
});
createInterface({ input: socket, crlfDelay: Infinity })
  .on('line', (line) => {
    post({ kind: 'line', line });
  })
  // readline re-emits its input's errors: reported above already, and unhandled here they
  // would crash this thread (an uncaught ENOENT when no relay answers).
  .on('error', () => undefined);
data.port.on('message', (line: string) => {
  socket.write(line);
});
data.port.on('close', () => {
  socket.destroy();
});

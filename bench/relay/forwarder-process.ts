/**
 * The baseline: a bare `ws` forwarder of two sockets. Connections to /pair/<id> are paired; each
 * text frame from one is sent to the other. No authentication, no parsing, no storage.
 * Prints one JSON line { url, pid } and runs until SIGTERM.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';

const waiting = new Map<string, WebSocket>();
const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });
wss.on('connection', (socket, request) => {
  const id = request.url ?? '';
  const partner = waiting.get(id);
  if (partner === undefined) {
    waiting.set(id, socket);
    return;
  }
  waiting.delete(id);
  socket.on('message', (data) => {
    partner.send(data, { binary: false });
  });
  partner.on('message', (data) => {
    socket.send(data, { binary: false });
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `ws://127.0.0.1:${port}`, pid: process.pid })}\n`);
});
// The benchmark collects garbage before it reads the resident size (node --expose-gc).
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(`${JSON.stringify(process.memoryUsage())}\n`);
});
process.on('SIGTERM', () => {
  wss.close();
  server.close();
  process.exit(0);
});

/**
 * Relay benchmark: in one run, 500 concurrent sessions (1,000 sockets) exchanging chat through
 * Printo Relay, against a bare `ws` forwarder of two sockets as the baseline. Prints messages per
 * second, p50 and p99 round-trip latency for both, the ratios, and resident memory per idle
 * session. Targets: p99 no worse than 2× the baseline, throughput at least half of it, under
 * 64 KiB per idle session.
 *
 *   node bench/relay.ts [--sessions N] [--rounds R]
 *
 * Both servers run in their own process (bench/relay/*-process.ts) so that their memory can be
 * read from /proc; the load comes from this process, the same for both. A round trip is: the
 * agent sends a chat message, the client answers when it arrives, the agent receives the answer.
 *
 * Memory per idle session is the growth of the server's resident size (after a garbage
 * collection) from before the sessions open to when they are all open and idle, divided by their
 * number; 25 sessions that open and chat first take one-off costs (compiled code, caches) out of
 * it. CPU time per message (server process, load generator) is printed too: on a small machine
 * the two share the cores, and it shows where the time goes.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '20' },
  },
});
const SESSIONS = Number(values.sessions);
const ROUNDS = Number(values.rounds);
const PROTOCOL = 'printo-support.v1';
const WARM_UP_SESSIONS = 25;

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const log = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

async function startChild(script: string): Promise<{
  child: ChildProcess;
  info: Record<string, string | number>;
  lines: AsyncIterator<string>;
}> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', fileURLToPath(new URL(script, import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[
    Symbol.asyncIterator
  ]();
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`${script} exited with ${String(code)}`));
    });
  });
  exited.catch(() => undefined);
  const first = await Promise.race([lines.next(), exited]);
  return { child, info: JSON.parse(String(first.value)) as Record<string, string | number>, lines };
}

/** The child's resident size once it has collected its garbage (bench/relay/*-process.ts). */
async function settledRss(
  child: ChildProcess,
  lines: AsyncIterator<string>,
): Promise<{ rss: number; heap: number; external: number }> {
  child.kill('SIGUSR2');
  const usage = JSON.parse(String((await lines.next()).value)) as NodeJS.MemoryUsage;
  return { rss: rssBytes(child.pid ?? 0), heap: usage.heapUsed, external: usage.external };
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

/** CPU time (user + system) of a process so far, in ms, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat(5); here, after "pid (comm) ", 12 and 13.
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  return (ticks * 1000) / 100;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index] as T);
      }
    }),
  );
  return results;
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// A minimal protocol peer: frames with seq/ack, waiting for message types.

class Peer {
  readonly socket: WebSocket;
  private seq = 0;
  private lastIn = 0;
  private readonly waiters = new Map<string, ((payload: Record<string, unknown>) => void)[]>();
  onMessage: ((type: string, payload: Record<string, unknown>) => void) | null = null;

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as {
        type: string;
        seq: number;
        payload: Record<string, unknown>;
      };
      if (frame.seq > this.lastIn) this.lastIn = frame.seq;
      this.onMessage?.(frame.type, frame.payload);
      const queue = this.waiters.get(frame.type);
      const waiter = queue?.shift();
      if (waiter !== undefined) waiter(frame.payload);
    });
  }

  static open(url: string, options: WebSocket.ClientOptions): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, PROTOCOL, { perMessageDeflate: false, ...options });
      socket.once('open', () => {
        resolve(new Peer(socket));
      });
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`upgrade refused: HTTP ${String(response.statusCode)}`));
      });
    });
  }

  send(type: string, payload: unknown, sequenced = true): void {
    this.socket.send(
      JSON.stringify({
        v: 1,
        type,
        id: randomUUID(),
        seq: sequenced ? ++this.seq : 0,
        ack: this.lastIn,
        ts: new Date().toISOString(),
        payload,
      }),
    );
  }

  next(type: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const queue = this.waiters.get(type) ?? [];
      queue.push(resolve);
      this.waiters.set(type, queue);
    });
  }
}

async function httpJson(
  url: string,
  init: RequestInit,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? null : (JSON.parse(text) as unknown),
    headers: response.headers,
  };
}

interface Pair {
  readonly agent: { send(text: string): void; onReply(handler: () => void): void; close(): void };
  readonly client: { close(): void };
}

/** Ping-pong over every pair at once; returns round-trip times (ms) and the wall time. */
async function pingPong(
  pairs: readonly Pair[],
  rounds: number,
): Promise<{ rtts: number[]; wallMs: number }> {
  const rtts: number[] = [];
  const started = performance.now();
  await Promise.all(
    pairs.map(
      (pair) =>
        new Promise<void>((resolve) => {
          let round = 0;
          let sentAt = 0;
          const sendOne = (): void => {
            sentAt = performance.now();
            pair.agent.send(`ping ${round}`);
          };
          pair.agent.onReply(() => {
            rtts.push(performance.now() - sentAt);
            round += 1;
            if (round >= rounds) resolve();
            else sendOne();
          });
          sendOne();
        }),
    ),
  );
  return { rtts, wallMs: performance.now() - started };
}

/**
 * A ping-pong pair: the client answers every message from the agent, the agent hears the
 * answers. `isFrom` tells a chat message from `sender` as the server under test delivers it.
 */
function chatPair(
  agent: Peer,
  client: Peer,
  isFrom: (type: string, payload: Record<string, unknown>, sender: 'agent' | 'client') => boolean,
): Pair {
  client.onMessage = (type, payload) => {
    if (isFrom(type, payload, 'agent')) client.send('chat.send', { text: 'pong' });
  };
  let reply: (() => void) | null = null;
  agent.onMessage = (type, payload) => {
    if (isFrom(type, payload, 'client')) reply?.();
  };
  return {
    agent: {
      send: (text) => {
        agent.send('chat.send', { text });
      },
      onReply: (handler) => {
        reply = handler;
      },
      close: () => {
        agent.socket.close();
      },
    },
    client: {
      close: () => {
        client.socket.close();
      },
    },
  };
}

async function relayPairs(
  info: Record<string, string | number>,
  count: number,
  first: number,
): Promise<Pair[]> {
  const base = String(info['url']);
  const wsBase = base.replace(/^http/, 'ws');
  const origin = new URL(base).origin;
  log(`  enrolling ${count} devices…`);
  const devices = await pool(
    Array.from({ length: count }, (_, i) => first + i),
    16,
    async (i) => {
      const { body } = await httpJson(`${base}/v1/enroll`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ enrollmentKey: info['enrollmentKey'], deviceName: `WS-BENCH-${i}` }),
      });
      return body as { deviceId: string; deviceSecret: string };
    },
  );
  const login = await httpJson(`${base}/v1/agent/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin },
    body: JSON.stringify({ email: info['email'], password: info['password'] }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  log(`  opening ${count * 2} sockets and asking for consent…`);
  return pool(devices, 32, async (device) => {
    const client = await Peer.open(`${wsBase}/v1/client`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`${device.deviceId}:${device.deviceSecret}`).toString('base64')}`,
      },
    });
    client.send('hello', {}, false);
    await client.next('welcome');
    const queued = client.next('help.queued');
    client.send('help.request', { description: 'benchmark session' });
    const { sessionId } = (await queued) as { sessionId: string };

    const { body } = await httpJson(`${base}/v1/agent/ticket`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: origin },
    });
    const agent = await Peer.open(
      `${wsBase}/v1/agent?ticket=${(body as { ticket: string }).ticket}`,
      {
        headers: { Origin: origin },
      },
    );
    agent.send('hello', {}, false);
    await agent.next('welcome');
    const consent = client.next('consent.request');
    const granted = agent.next('consent.state');
    agent.send('session.join', { sessionId });
    const { requestId, notice } = (await consent) as {
      requestId: string;
      notice: { text: string };
    };
    // The relay only takes consent for the notice it showed: echo it verbatim.
    client.send('consent.answer', { requestId, granted: ['chat'], noticeShown: notice.text });
    await granted;

    // The relay delivers chat as chat.message, naming the sender (each gets its own copy too).
    return chatPair(
      agent,
      client,
      (type, payload, sender) => type === 'chat.message' && payload['from'] === sender,
    );
  });
}

async function forwarderPairs(
  info: Record<string, string | number>,
  count: number,
  first: number,
): Promise<Pair[]> {
  const url = String(info['url']);
  return pool(
    Array.from({ length: count }, (_, i) => first + i),
    32,
    async (i) => {
      const first = await Peer.open(`${url}/pair/${i}`, {});
      const second = await Peer.open(`${url}/pair/${i}`, {});
      // The same frames as through the relay: a chat envelope each way, forwarded as it is.
      return chatPair(first, second, (type) => type === 'chat.send');
    },
  );
}

async function measure(
  name: string,
  script: string,
  connect: (info: Record<string, string | number>, count: number, first: number) => Promise<Pair[]>,
): Promise<{ msgsPerSecond: number; p50: number; p99: number; bytesPerSession: number }> {
  log(`${name}:`);
  const { child, info, lines } = await startChild(script);
  try {
    const pid = Number(info['pid']);
    // Memory per session is what each one adds: a few sessions that chat first take the one-off
    // costs (compiled code, caches) out of the reading; they stay open, idle, to the end.
    const warm = await connect(info, WARM_UP_SESSIONS, SESSIONS);
    await pingPong(warm, 2);
    await settle(500);
    const before = await settledRss(child, lines);
    const pairs = await connect(info, SESSIONS, 0);
    await settle(1_000);
    const idle = await settledRss(child, lines);
    log(
      `  ${pairs.length} sessions idle: per session ${kib((idle.rss - before.rss) / pairs.length)} resident, of which JS heap ${kib((idle.heap - before.heap) / pairs.length)} and buffers ${kib((idle.external - before.external) / pairs.length)}`,
    );
    log(`  ping-pong, ${ROUNDS} round trips each…`);
    await pingPong(pairs, 2); // warm-up
    const serverCpuBefore = cpuMs(pid);
    const loadCpuBefore = process.cpuUsage();
    const { rtts, wallMs } = await pingPong(pairs, ROUNDS);
    const loadCpu = process.cpuUsage(loadCpuBefore);
    const serverCpu = cpuMs(pid) - serverCpuBefore;
    log(
      `  CPU per message: server ${((serverCpu * 1000) / (rtts.length * 2)).toFixed(1)} µs, load ${((loadCpu.user + loadCpu.system) / (rtts.length * 2)).toFixed(1)} µs`,
    );
    const sorted = [...rtts].sort((a, b) => a - b);
    for (const pair of [...pairs, ...warm]) {
      pair.agent.close();
      pair.client.close();
    }
    return {
      // Two chat messages per round trip.
      msgsPerSecond: (rtts.length * 2) / (wallMs / 1000),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      bytesPerSession: (idle.rss - before.rss) / pairs.length,
    };
  } finally {
    child.kill('SIGTERM');
  }
}

const relay = await measure('Printo Relay', './relay/relay-process.ts', relayPairs);
const bare = await measure('bare ws forwarder', './relay/forwarder-process.ts', forwarderPairs);

const line = (label: string, r: typeof relay): string =>
  `  ${label.padEnd(20)} ${r.msgsPerSecond.toFixed(0).padStart(7)} msg/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   ${kib(r.bytesPerSession).padStart(9)} per idle session`;
const throughputRatio = relay.msgsPerSecond / bare.msgsPerSecond;
const p99Ratio = relay.p99 / bare.p99;
console.log(
  `bench/relay: ${SESSIONS} sessions (${SESSIONS * 2} sockets), ${ROUNDS} round trips each, Node ${process.versions.node}`,
);
console.log(line('Printo Relay', relay));
console.log(line('bare ws forwarder', bare));
console.log(
  `  throughput relay/bare ${throughputRatio.toFixed(2)} (target >= 0.5: ${throughputRatio >= 0.5 ? 'met' : 'NOT met'})`,
);
console.log(
  `  p99 relay/bare        ${p99Ratio.toFixed(2)} (target <= 2: ${p99Ratio <= 2 ? 'met' : 'NOT met'})`,
);
console.log(
  `  memory per idle relay session ${kib(relay.bytesPerSession)} (target < 64 KiB: ${relay.bytesPerSession < 64 * 1024 ? 'met' : 'NOT met'})`,
);

/**
 * One direction-pair of a peer's conversation with the relay, surviving reconnects: outbound
 * frames get consecutive `seq` numbers and stay in an outbox until the peer acknowledges them, so
 * that a resumed connection can be replayed what it missed; inbound frames are deduplicated by
 * `seq` and `id` (docs/protocol.md, Sequencing and resume).
 */
import { randomUUID } from 'node:crypto';
import { encodeFrame } from '../../src-shared/protocol/frames.ts';

/** Frames kept for replay; a peer that lets more go unacknowledged is too far behind to resume. */
const MAX_OUTBOX = 5_000;
/** Message ids remembered for deduplication. */
const MAX_SEEN_IDS = 2_000;

export interface FrameSink {
  send(frame: string): void;
}

export class Stream {
  private outSeq = 0;
  private readonly outbox: { seq: number; frame: string }[] = [];
  /** Highest seq received from the peer. */
  lastInSeq = 0;
  private readonly seenIds = new Set<string>();
  private sink: FrameSink | null = null;
  /** Set when the outbox overflowed: the stream cannot be resumed any more. */
  overflowed = false;

  attach(sink: FrameSink): void {
    this.sink = sink;
  }

  detach(sink: FrameSink): void {
    if (this.sink === sink) this.sink = null;
  }

  get connected(): boolean {
    return this.sink !== null;
  }

  /** Sends a sequenced message (kept for replay until acknowledged). */
  send(message: { type: string; payload: unknown }, now: Date): void {
    this.outSeq += 1;
    const frame = encodeFrame(message, {
      id: randomUUID(),
      seq: this.outSeq,
      ack: this.lastInSeq,
      ts: now.toISOString(),
    });
    this.outbox.push({ seq: this.outSeq, frame });
    if (this.outbox.length > MAX_OUTBOX) {
      this.outbox.shift();
      this.overflowed = true;
    }
    this.sink?.send(frame);
  }

  /** Sends an unsequenced control message (welcome, ack): never replayed. */
  control(message: { type: string; payload: unknown }, now: Date): void {
    this.sink?.send(
      encodeFrame(message, {
        id: randomUUID(),
        seq: 0,
        ack: this.lastInSeq,
        ts: now.toISOString(),
      }),
    );
  }

  /** The peer has everything up to `ack`: forget it. */
  acknowledge(ack: number): void {
    while (this.outbox.length > 0 && (this.outbox[0]?.seq ?? Infinity) <= ack) this.outbox.shift();
  }

  /**
   * Whether an inbound frame is new. Control frames (seq 0) are always new; a seq at or below the
   * last one, or an id already seen, is a duplicate from a resend.
   */
  accept(seq: number, id: string): boolean {
    if (seq === 0) return true;
    if (seq <= this.lastInSeq || this.seenIds.has(id)) return false;
    this.lastInSeq = seq;
    this.seenIds.add(id);
    if (this.seenIds.size > MAX_SEEN_IDS) {
      const oldest = this.seenIds.values().next().value;
      if (oldest !== undefined) this.seenIds.delete(oldest);
    }
    return true;
  }

  /** Resends everything after `lastSeq` (what the peer says it has). False if that is gone. */
  replay(lastSeq: number): boolean {
    const first = this.outbox[0];
    if (this.overflowed && (first === undefined || first.seq > lastSeq + 1)) return false;
    this.acknowledge(lastSeq);
    for (const entry of this.outbox) this.sink?.send(entry.frame);
    return true;
  }

  get pending(): number {
    return this.outbox.length;
  }
}

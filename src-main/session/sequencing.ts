/**
 * Sequencing of one session, across connections (v1.ts, Envelope; docs/protocol.md, Sequencing
 * and resume): our messages are numbered 1, 2, 3… and kept until the relay acknowledges them, so
 * that a resumed connection can send again what the relay never got; the relay's messages are
 * accepted once, by seq and by id, so that its replay after a resume is not processed twice.
 */
import { randomUUID } from 'node:crypto';
import { encodeFrame } from '../../src-shared/protocol/frames.ts';
import type { ClientMessage } from '../../src-shared/protocol/v1.ts';

/** Message ids remembered for deduplication: far more than one replay can hold. */
const SEEN_IDS = 2_048;

export interface Outgoing {
  readonly message: ClientMessage;
  readonly id: string;
  readonly seq: number;
  readonly ts: string;
}

export class Sequencing {
  private nextSeq = 1;
  private readonly unacked: Outgoing[] = [];
  private readonly seenIds = new Set<string>();
  /** Highest relay seq received: our cumulative `ack`, and `lastSeq` when resuming. */
  lastReceived = 0;

  /** Numbers a message and keeps it until acknowledged. */
  stamp(message: ClientMessage, now: number): Outgoing {
    const outgoing = {
      message,
      id: randomUUID(),
      seq: this.nextSeq,
      ts: new Date(now).toISOString(),
    };
    this.nextSeq += 1;
    this.unacked.push(outgoing);
    return outgoing;
  }

  /** The relay has everything up to `ack` (cumulative): forget it. */
  acknowledge(ack: number): void {
    let drop = 0;
    while (drop < this.unacked.length && (this.unacked[drop]?.seq ?? Infinity) <= ack) drop += 1;
    if (drop > 0) this.unacked.splice(0, drop);
  }

  /** What to send again after a resume, oldest first. */
  get pending(): readonly Outgoing[] {
    return this.unacked;
  }

  /**
   * Whether a relay frame is new. `hello`/`welcome`/`ack` carry seq 0 and are always new; a seq at
   * or below the last one, or an id seen before, is a replay of something already processed.
   */
  accept(seq: number, id: string): boolean {
    if (seq === 0) return true;
    if (seq <= this.lastReceived || this.seenIds.has(id)) return false;
    this.lastReceived = seq;
    this.seenIds.add(id);
    if (this.seenIds.size > SEEN_IDS) {
      const oldest = this.seenIds.values().next();
      if (oldest.done !== true) this.seenIds.delete(oldest.value);
    }
    return true;
  }

  /** The wire form, with the current cumulative ack (a resent frame keeps its id and seq). */
  encode(outgoing: Outgoing): string {
    const { id, seq, ts } = outgoing;
    return encodeFrame(outgoing.message, { id, seq, ts, ack: this.lastReceived });
  }

  /** An unsequenced control frame (`hello`, `ack`): seq 0, never kept. */
  control(message: ClientMessage, now: number): string {
    return encodeFrame(message, {
      id: randomUUID(),
      seq: 0,
      ack: this.lastReceived,
      ts: new Date(now).toISOString(),
    });
  }
}

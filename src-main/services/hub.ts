/**
 * The services' events, typed by the contract, with a count of listeners per event: the printer
 * watch runs only while someone listens (a window is open), and stops with the last listener.
 */
import { EVENTS } from '../../src-shared/api/contract.ts';
import type { EventName, EventPayload } from '../../src-shared/api/contract.ts';

type AnyListener = (payload: never) => void;

export class EventHub {
  readonly #listeners = new Map<EventName, Set<AnyListener>>();
  readonly #onFirst = new Map<EventName, () => void>();
  readonly #onLast = new Map<EventName, () => void>();

  /** Called when an event gets its first listener, and when it loses its last. */
  whileListened(event: EventName, start: () => void, stop: () => void): void {
    this.#onFirst.set(event, start);
    this.#onLast.set(event, stop);
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const entry = listener as AnyListener;
    const first = set.size === 0;
    set.add(entry);
    if (first) this.#onFirst.get(event)?.();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      set.delete(entry);
      if (set.size === 0) this.#onLast.get(event)?.();
    };
  }

  listened(event: EventName): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  /**
   * Delivers a payload after checking it against the contract: a front end never receives an
   * event the schema does not allow. A listener that throws does not stop the others.
   */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const set = this.#listeners.get(event);
    if (set === undefined || set.size === 0) return;
    const checked = EVENTS[event].safeParse(payload);
    if (!checked.success) {
      process.emitWarning(`ClientServices: a ${event} event does not match the contract.`);
      return;
    }
    for (const listener of [...set] as ((p: unknown) => void)[]) {
      try {
        listener(checked.data);
      } catch (error) {
        process.emitWarning(`A ${event} listener threw: ${String(error)}`);
      }
    }
  }
}

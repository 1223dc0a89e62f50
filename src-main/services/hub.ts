/**
 * The services' events, typed by the contract, with a count of listeners per event: the printer
 * watch runs only while someone listens (a window is open), and stops with the last listener.
 */
import { EVENTS } from '../../src-shared/api/contract.ts';
import type { EventName, EventPayload } from '../../src-shared/api/contract.ts';
import { Listeners } from '../session/listeners.ts';

type Payloads = { [E in EventName]: EventPayload<E> };

export class EventHub {
  readonly #listeners = new Listeners<Payloads>();
  readonly #onFirst = new Map<EventName, () => void>();
  readonly #onLast = new Map<EventName, () => void>();

  /** Called when an event gets its first listener, and when it loses its last. */
  whileListened(event: EventName, start: () => void, stop: () => void): void {
    this.#onFirst.set(event, start);
    this.#onLast.set(event, stop);
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const first = this.#listeners.count(event) === 0;
    const off = this.#listeners.on(event, listener);
    if (first) this.#onFirst.get(event)?.();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      off();
      if (this.#listeners.count(event) === 0) this.#onLast.get(event)?.();
    };
  }

  /**
   * Delivers a payload after checking it against the contract: a front end never receives an
   * event the schema does not allow. A listener that throws does not stop the others.
   */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (this.#listeners.count(event) === 0) return;
    const checked = EVENTS[event].safeParse(payload);
    if (!checked.success) {
      process.emitWarning(`ClientServices: a ${event} event does not match the contract.`);
      return;
    }
    this.#listeners.emit(event, checked.data as Payloads[E]);
  }
}

/**
 * Typed listeners with unsubscribe functions, instead of EventEmitter: the UI gets the payload
 * only, each event has one type, and a listener that throws cannot break the session (or the
 * "end session" control) for the others. ClientServices' event hub is built on them too.
 */
export type Listener<T> = (value: T) => void;

export class Listeners<Events extends object> {
  private readonly sets = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.sets.get(event);
    if (set === undefined) {
      set = new Set();
      this.sets.set(event, set);
    }
    const entry = listener as Listener<never>;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** How many listeners `event` has now. */
  count(event: keyof Events): number {
    return this.sets.get(event)?.size ?? 0;
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.sets.get(event);
    if (set === undefined) return;
    for (const listener of [...set] as Listener<Events[K]>[]) {
      try {
        listener(value);
      } catch (error) {
        process.emitWarning(`A "${String(event)}" listener threw: ${String(error)}`);
      }
    }
  }
}

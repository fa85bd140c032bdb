/** The engine's event emitter: listeners hear every event in order; a failing listener never stops trading. */
import type { EngineEvent } from "../core/events.ts";

export type Listener = (e: EngineEvent) => void;
export type EventType = EngineEvent["type"];

export interface ListenOptions {
  /** false: every event but "tick" (default true) */
  ticks?: boolean;
  /** only these types: what no one hears is not even made (a backtest hears fills, not a tick's orders) */
  types?: readonly EventType[];
}

export class EventBus {
  readonly #listeners: Listener[] = [];
  /** listeners that want the "tick" event (one a tick: a backtest's listener skips it, and then none is made) */
  tickListeners = 0;
  /** listeners of every type but "tick", and of each type named in `types` */
  #every = 0;
  readonly #typed: Partial<Record<EventType, number>> = {};

  /** Subscribes (see ListenOptions); returns the unsubscribe function. */
  on(listener: Listener, opts: ListenOptions = {}): () => void {
    const types = opts.types ?? null, ticks = types ? types.includes("tick") : opts.ticks ?? true;
    const heard: Listener = types
      ? (e) => types.includes(e.type) && listener(e)
      : ticks
      ? listener
      : (e) => e.type !== "tick" && listener(e);
    this.#listeners.push(heard);
    this.#count(ticks, types, 1);
    return () => {
      const i = this.#listeners.indexOf(heard);
      if (i < 0) return;
      this.#listeners.splice(i, 1);
      this.#count(ticks, types, -1);
    };
  }

  /** Whether anyone listens to events of this type (the engine makes an event only then, or for the ledger). */
  hears(type: EventType): boolean {
    return type === "tick" ? this.tickListeners > 0 : this.#every > 0 || (this.#typed[type] ?? 0) > 0;
  }

  #count(ticks: boolean, types: readonly EventType[] | null, by: number): void {
    if (ticks) this.tickListeners += by;
    if (!types) this.#every += by;
    else for (const t of types) if (t !== "tick") this.#typed[t] = (this.#typed[t] ?? 0) + by;
  }

  emit(e: EngineEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        // a broken listener (alerts, logs) must never stop trading
        console.error(`mmbot: event listener failed on ${e.type}: ${(err as Error).message}`);
      }
    }
  }
}

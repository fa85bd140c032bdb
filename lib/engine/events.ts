/** The engine's event emitter: listeners hear every event in order; a failing listener never stops trading. */
import type { EngineEvent } from "../core/events.ts";

export type Listener = (e: EngineEvent) => void;

export class EventBus {
  readonly #listeners: Listener[] = [];
  /** listeners that want the "tick" event (one a tick: a backtest's listener skips it, and then none is made) */
  tickListeners = 0;

  /** Subscribes (`ticks: false`: not to the "tick" event); returns the unsubscribe function. */
  on(listener: Listener, opts: { ticks?: boolean } = {}): () => void {
    const ticks = opts.ticks ?? true;
    const heard: Listener = ticks ? listener : (e) => e.type !== "tick" && listener(e);
    this.#listeners.push(heard);
    if (ticks) this.tickListeners++;
    return () => {
      const i = this.#listeners.indexOf(heard);
      if (i < 0) return;
      this.#listeners.splice(i, 1);
      if (ticks) this.tickListeners--;
    };
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

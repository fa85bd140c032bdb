/** The engine's event emitter: listeners hear every event in order; a failing listener never stops trading. */
import type { EngineEvent } from "../core/events.ts";

export type Listener = (e: EngineEvent) => void;

export class EventBus {
  readonly #listeners: Listener[] = [];

  /** Subscribes; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
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

/**
 * The durable record of the engine's events (the ledger, in a running bot), written synchronously
 * before anyone else hears of them. Fail closed: when a write throws, that event and every later one
 * wait in order in a backlog, and the engine stops quoting until the backlog is written.
 */
import { messageOf } from "../core/format.ts";
import type { EngineEvent } from "../core/events.ts";
import type { EventBus, EventType } from "./events.ts";
import type { Halt } from "../core/decide.ts";

export type Sink = (e: EngineEvent) => void;

export class Recording {
  readonly #backlog: EngineEvent[] = [];
  #error: string | null = null;

  /** `bus`: the listeners that hear an event once it is written (`emit` tells them) */
  constructor(readonly sink: Sink | null, readonly bus: EventBus) {}

  /** Whether an event of this type is written or heard: if neither, the engine does not make it (a backtest's). */
  hears(type: EventType): boolean {
    return this.sink !== null || this.bus.hears(type);
  }

  /** true while events wait to be written: the engine must not quote */
  get failing(): boolean {
    return this.#backlog.length > 0;
  }

  get error(): string | null {
    return this.#error;
  }

  /** Not quoting while events wait to be written; null while the record keeps up. */
  get halt(): Halt | null {
    if (!this.failing) return null;
    const detail = `the ledger cannot record (${this.#error ?? "unknown error"}); not quoting until it can`;
    return { state: "standing_aside", reason: "ledger", detail };
  }

  /** Writes `e`, or queues it behind earlier unwritten events; returns false when it could not be written now. */
  write(e: EngineEvent): boolean {
    if (!this.sink) return true;
    if (this.#backlog.length) {
      // ticks only refresh the replay position and the equity snapshot: the next one written does that
      if (e.type !== "tick") this.#backlog.push(e);
      return false;
    }
    try {
      this.sink(e);
      return true;
    } catch (err) {
      this.#error = messageOf(err);
      this.#backlog.push(e); // even a tick: the backlog is what makes the engine stand aside
      return false;
    }
  }

  /** Writes `e`, then tells the listeners; the first write that fails is announced as `ledger_failed`. */
  emit(e: EngineEvent, scrub: (t: string) => string): void {
    const wasFailing = this.failing;
    this.write(e);
    this.bus.emit(e);
    if (!wasFailing && this.failing) {
      this.bus.emit({ type: "ledger_failed", ts: e.ts, message: scrub(this.#error ?? "") });
    }
  }

  /** Retries the backlog in order; true when it is empty now. */
  flush(): boolean {
    while (this.#backlog.length) {
      try {
        this.sink!(this.#backlog[0]);
      } catch (err) {
        this.#error = messageOf(err);
        return false;
      }
      this.#backlog.shift();
    }
    return true;
  }
}

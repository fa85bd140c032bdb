/** Clocks: the engine never reads the wall clock directly, so backtests and tests control time. */
import { sleep } from "../core/sleep.ts";
import type { Clock } from "../core/types.ts";

export type { Clock };

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => sleep(ms),
  elapsedMs: () => performance.now(),
};

/** Set by hand: tests and the backtester move time explicitly; work takes no time on it, sleeps do. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  sleep(ms: number): Promise<void> {
    this.t += ms;
    return Promise.resolve();
  }
  elapsedMs(): number {
    return this.t;
  }
}

/** Replay time: starts at `startMs` and runs `speed` times faster than the wall clock. */
export class ScaledClock implements Clock {
  readonly #wallStart = performance.now();
  constructor(readonly startMs: number, readonly speed: number) {}
  now(): number {
    return this.startMs + (performance.now() - this.#wallStart) * this.speed;
  }
  sleep(ms: number): Promise<void> {
    return sleep(ms / this.speed);
  }
  elapsedMs(): number {
    return performance.now();
  }
}

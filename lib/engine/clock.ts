/** Clocks: the engine never reads the wall clock directly, so backtests and tests control time. */

export interface Clock {
  /** ms since epoch, on the market's time line */
  now(): number;
  /** waits `ms` of this clock's time */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Set by hand: tests and the backtester move time explicitly. */
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
}

/** Replay time: starts at `startMs` and runs `speed` times faster than the wall clock. */
export class ScaledClock implements Clock {
  readonly #wallStart = performance.now();
  constructor(readonly startMs: number, readonly speed: number) {}
  now(): number {
    return this.startMs + (performance.now() - this.#wallStart) * this.speed;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / this.speed)));
  }
}

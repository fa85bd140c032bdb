/** The tick loop: one engine tick every refresh period on the given clock, until stopped or out of data. */
import type { Clock } from "./clock.ts";
import type { Engine } from "./engine.ts";

export interface LoopOptions {
  refreshMs: number;
  /** aborting ends the loop at once (a sleep in progress is cut short) */
  signal: AbortSignal;
  /** replay: the loop ends when the clock passes this time */
  endTs?: number;
  /** runs before each tick (e.g. picking up a pause set from another process) */
  beforeTick?: () => Promise<void>;
}

export type LoopEnd = "stopped" | "data_ended";

export async function runLoop(engine: Engine, clock: Clock, opts: LoopOptions): Promise<LoopEnd> {
  const aborted = new Promise<void>((resolve) =>
    opts.signal.addEventListener("abort", () => resolve(), { once: true })
  );
  let next = clock.now();
  while (!opts.signal.aborted) {
    if (opts.endTs !== undefined && clock.now() >= opts.endTs) return "data_ended";
    await opts.beforeTick?.();
    await engine.tick();
    next += opts.refreshMs;
    // a slow tick does not queue up ticks: skip to the next period still ahead
    while (next <= clock.now()) next += opts.refreshMs;
    await Promise.race([clock.sleep(next - clock.now()), aborted]);
  }
  return "stopped";
}

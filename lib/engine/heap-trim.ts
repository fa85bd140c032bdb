/**
 * A full garbage collection in the idle gap after a tick, at most once every `everyMs` of wall time, so a bot left
 * running for days stays at the size of what it holds.
 *
 * Why: a running bot allocates a little every tick and keeps some of it for seconds (a client id in the fill
 * tracker's ring, an order's copy), long enough to be promoted; V8 then lets its old generation fill with these dead
 * objects up to a limit about twice the live heap before it collects, and keeps the pages after. The soak (paper at
 * speed 600) measured Deno's RSS rising from 79 to 96 MB in 30 minutes that way with a live heap of 12–20 MB; a full
 * collection every 15 s held it within a few MB of minute 1. No runtime flag did (--memory-saver-mode,
 * --heap-growing-percent=20, --no-memory-pool: +10 to +11 MB against +13 in 10 minutes). A full collection pauses
 * the process 20–50 ms on Deno and 7–11 ms on Bun (paper at speed 600, loaded machine); a live bot ticks every
 * `refresh_s` and is idle in between, so it runs where nothing waits, about 0.2 % of one core.
 * Backtests never call it (they allocate and exit).
 */
import v8 from "node:v8";
import vm from "node:vm";

/** The runtime's synchronous full collection: Bun's own, V8's `gc` otherwise (Deno, Node); null if none. */
export function fullCollector(): (() => void) | null {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) return () => bun.gc(true);
  try {
    // V8 hands `gc` only to contexts made while --expose-gc is set: one such context, then the flag is unset
    // again so nothing else (the user's code, a library) finds a `gc` it did not ask for
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as unknown;
    v8.setFlagsFromString("--no-expose-gc");
    return typeof gc === "function" ? () => gc() : null;
  } catch {
    return null; // a runtime without it: V8's own schedule alone
  }
}

export const HEAP_TRIM_EVERY_MS = 15_000;

export class HeapTrim {
  #lastMs: number;
  /** how many collections it ran (the tests, /status) */
  collections = 0;

  constructor(
    readonly collect: (() => void) | null = fullCollector(),
    readonly everyMs = HEAP_TRIM_EVERY_MS,
    readonly nowMs: () => number = () => performance.now(),
  ) {
    this.#lastMs = nowMs(); // the first one a period after start: the start's own garbage is collected anyway
  }

  /** After a tick: collects when the last collection is `everyMs` or more ago. */
  afterTick(): void {
    const now = this.nowMs();
    if (!this.collect || now - this.#lastMs < this.everyMs) return;
    this.#lastMs = now;
    this.collect();
    this.collections++;
  }
}

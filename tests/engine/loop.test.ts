import { describe, expect, test } from "bun:test";
import { runLoop } from "../../lib/engine/loop.ts";
import type { Engine } from "../../lib/engine/engine.ts";
import type { Clock } from "../../lib/core/types.ts";

/** A clock whose sleeps end only when the test says so (or never): the loop's end must come from the abort. */
function clock() {
  let t = 0;
  const sleeps: number[] = [];
  const c: Clock = {
    now: () => t,
    elapsedMs: () => t,
    sleep: (ms: number) => (sleeps.push(ms), new Promise<void>(() => {})),
  };
  return { c, sleeps, advance: (ms: number) => (t += ms) };
}

describe("runLoop", () => {
  test("an abort during a sleep ends the loop at once, and the sleep was the rest of the refresh period", async () => {
    const { c, sleeps, advance } = clock();
    const ctrl = new AbortController();
    let ticks = 0;
    const engine = { tick: () => (ticks++, advance(4_000)) } as unknown as Engine;
    const loop = runLoop(engine, c, { refreshMs: 15_000, signal: ctrl.signal });
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(ticks).toBe(1);
    expect(sleeps).toEqual([11_000]); // 15 s − the tick's 4 s
    ctrl.abort();
    expect(await loop).toBe("stopped");
  });

  test("aborted while the tick runs: no sleep at all, the loop ends after that tick", async () => {
    const { c, sleeps } = clock();
    const ctrl = new AbortController();
    const engine = { tick: () => ctrl.abort() } as unknown as Engine;
    expect(await runLoop(engine, c, { refreshMs: 15_000, signal: ctrl.signal })).toBe("stopped");
    expect(sleeps).toEqual([]);
  });

  test("the listeners it adds to the signal are removed again: none left after many sleeps", async () => {
    let live = 0, ticks = 0;
    const ctrl = new AbortController();
    const signal = ctrl.signal;
    const add = signal.addEventListener.bind(signal), remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...a: Parameters<typeof add>) => (live++, add(...a))) as typeof add;
    signal.removeEventListener = ((...a: Parameters<typeof remove>) => (live--, remove(...a))) as typeof remove;
    let t = 0;
    const c: Clock = { now: () => t, elapsedMs: () => t, sleep: (ms: number) => ((t += ms), Promise.resolve()) };
    const engine = { tick: () => (++ticks === 1000 ? ctrl.abort() : undefined) } as unknown as Engine;
    expect(await runLoop(engine, c, { refreshMs: 15_000, signal })).toBe("stopped");
    expect(ticks).toBe(1000);
    expect(live).toBe(0);
  });
});

describe("runLoop: afterTick", () => {
  test("runs once after each tick, before that tick's sleep", async () => {
    const events: string[] = [];
    const ctrl = new AbortController();
    let t = 0, ticks = 0;
    const c: Clock = {
      now: () => t,
      elapsedMs: () => t,
      sleep: (ms: number) => (events.push("sleep"), (t += ms), Promise.resolve()),
    };
    const engine = { tick: () => (events.push("tick"), ++ticks === 3 ? ctrl.abort() : undefined) } as unknown as Engine;
    const end = await runLoop(engine, c, {
      refreshMs: 15_000,
      signal: ctrl.signal,
      afterTick: () => events.push("after"),
    });
    expect(end).toBe("stopped");
    // the third tick aborts: its afterTick still runs, its sleep is skipped
    expect(events).toEqual(["tick", "after", "sleep", "tick", "after", "sleep", "tick", "after"]);
  });
});

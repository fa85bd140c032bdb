import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { fullCollector, HeapTrim } from "../../lib/engine/heap-trim.ts";

describe("HeapTrim: a full collection after a tick, at most once a period", () => {
  test("the first a period after start, then only once the period has passed again", () => {
    let now = 1_000;
    let runs = 0;
    const trim = new HeapTrim(() => runs++, 15_000, () => now);
    const at = (ms: number) => ((now = ms), trim.afterTick(), runs);
    expect(at(6_000)).toBe(0); // 5 s after start
    expect(at(15_999)).toBe(0); // 14.999 s
    expect(at(16_000)).toBe(1); // 15 s: the first
    expect(at(21_000)).toBe(1);
    expect(at(30_999)).toBe(1); // 14.999 s after the first
    expect(at(31_000)).toBe(2);
    expect(at(500_000)).toBe(3); // a long pause between ticks: one collection, not one per period missed
    expect(at(500_001)).toBe(3);
    expect(trim.collections).toBe(3);
  });

  test("without a collector it does nothing and counts nothing", () => {
    let now = 0;
    const trim = new HeapTrim(null, 15_000, () => now);
    now = 60_000;
    trim.afterTick();
    expect(trim.collections).toBe(0);
  });

  test("this runtime's full collection frees an object nothing holds, and keeps one that is held", async () => {
    const collect = fullCollector();
    expect(collect).not.toBeNull();
    const held = { name: "held" };
    const refs = (() => ({ dropped: new WeakRef({ big: new Array(10_000).fill(7) }), held: new WeakRef(held) }))();
    // a WeakRef's target lives at least until the job that made it ends
    await new Promise((r) => setTimeout(r, 0));
    collect!();
    expect(refs.dropped.deref()).toBeUndefined();
    expect(refs.held.deref()).toBe(held);
  });

  test("on Deno too (V8's gc, reached through node:vm): frees an object nothing holds", () => {
    const script = `
      import { fullCollector } from "${new URL("../../lib/engine/heap-trim.ts", import.meta.url).href}";
      const collect = fullCollector();
      const ref = (() => new WeakRef({ big: new Array(10_000).fill(7) }))();
      await new Promise((r) => setTimeout(r, 0));
      collect?.();
      console.log(collect === null ? "no collector" : ref.deref() === undefined ? "freed" : "kept");
      console.log(typeof (globalThis as { gc?: unknown }).gc); // the flag was unset again: no global gc
    `;
    const r = spawnSync("deno", ["eval", "--ext=ts", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["freed", "undefined"]);
  });
});

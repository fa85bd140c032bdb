import { describe, expect, test } from "bun:test";
import { RecentMarket } from "../../lib/lab/recent.ts";
import type { Engine } from "../../lib/engine/engine.ts";
import type { Candle } from "../../lib/core/types.ts";

/** An engine stand-in: tickStatus() and recentCandles() as the tick left them. */
function engineAt() {
  const state = { ts: 0, equity: 0, candles: [] as Candle[] };
  const engine = {
    on: () => () => {},
    tickStatus: () => ({
      ts: state.ts,
      mid: 100,
      decision: null,
      state: "quoting",
      pnl: { equity: state.equity },
      inventoryRatio: 0.5,
    }),
    recentCandles: () => state.candles,
  } as unknown as Engine;
  return { engine, state };
}

const H = 3_600_000;
const candle = (ts: number): Candle => ({ ts, open: 1, high: 1, low: 1, close: 1, volume: 1 });

describe("the last day in memory", () => {
  test("max drawdown within a window: the largest fall from a running peak", () => {
    const { engine, state } = engineAt();
    const recent = new RecentMarket(engine);
    for (const [i, equity] of [100, 110, 99, 105, 88, 120].entries()) {
      state.ts = i * 60_000;
      state.equity = equity;
      recent.record();
    }
    expect(recent.maxDrawdownPct(0, 5 * 60_000)).toBeCloseTo((110 - 88) / 110 * 100, 12); // 20 %
    expect(recent.maxDrawdownPct(4 * 60_000, 5 * 60_000)).toBe(0); // 88 then 120: no fall
  });

  test("keeps 24 hours of the market's clock, however long it runs", () => {
    const { engine, state } = engineAt();
    const recent = new RecentMarket(engine);
    for (let ts = 0; ts <= 30 * H; ts += 15 * 60_000) {
      state.ts = ts;
      state.candles = [candle(ts - 60_000)];
      recent.record();
    }
    expect(recent.ticks()[0].ts).toBe(6 * H);
    expect(recent.ticks().length).toBe(24 * 4 + 1);
    expect(recent.candles(0, 31 * H).map((c) => c.ts)[0]).toBe(6 * H + 14 * 60_000);
  });

  test("overlapping candles from tick to tick, several closing between two ticks: each is kept once", () => {
    const { engine, state } = engineAt();
    const recent = new RecentMarket(engine);
    // a tick every 30 s, the engine holding the last five closed minutes (each is seen at up to ten ticks); no
    // tick from 8:00 to 11:30 (a stall): the tick at 12:00 brings minutes 7..10 at once, so keeping only the
    // newest would lose 7..9
    for (let ts = 0; ts <= 20 * 60_000; ts += 30_000) {
      if (ts >= 8 * 60_000 && ts < 12 * 60_000) continue;
      state.ts = ts;
      const last = Math.floor(ts / 60_000) - 1; // the minute that closed last
      state.candles = [4, 3, 2, 1, 0].map((k) => last - k).filter((m) => m >= 0).map((m) => candle(m * 60_000));
      recent.record();
    }
    // minutes 0..19 closed by 20:00 (19 is the last one closed): twenty candles, once each
    expect(recent.candles(0, H).map((c) => c.ts / 60_000)).toEqual(Array.from({ length: 20 }, (_, m) => m));
  });

  test("ticks faster than the ring's first room (4,096): it grows, wraps and keeps every tick of the day in order", () => {
    const { engine, state } = engineAt();
    const recent = new RecentMarket(engine);
    const step = 10_000; // 10 s ticks: 8,641 in 24 h, more than twice the first room; 60 h of them wrap the ring
    for (let ts = 0; ts <= 60 * H; ts += step) {
      state.ts = ts;
      state.equity = ts / step; // a different value at each tick, to see which tick each field came from
      recent.record();
    }
    const ticks = recent.ticks();
    expect(ticks.length).toBe(24 * 360 + 1);
    expect(ticks[0].ts).toBe(36 * H);
    expect(ticks.every((t, k) => t.ts === 36 * H + k * step && t.equity === t.ts / step)).toBe(true);
    expect(recent.ticks(60 * H - 2 * step).map((t) => t.ts)).toEqual([60 * H - 2 * step, 60 * H - step, 60 * H]);
    expect(recent.ticks(-Infinity, 2).map((t) => t.ts)).toEqual([60 * H - step, 60 * H]);
  });

  test("a field the tick did not have reads back as null, not NaN or 0", () => {
    const { engine, state } = engineAt();
    const recent = new RecentMarket(engine);
    state.ts = H;
    recent.record();
    // engineAt's status: no decision (no bid, no ask), mid 100, inventory 0.5, equity 0
    expect(recent.ticks()).toEqual([{ ts: H, mid: 100, bid: null, ask: null, equity: 0, inventoryRatio: 0.5 }]);
  });
});

import { describe, expect, test } from "bun:test";
import type { Candle } from "../../lib/core/types.ts";
import { Indicators, requiredCandles } from "../../lib/core/indicators.ts";
import { config } from "../fixtures.ts";

const candle = (i: number, close: number, range = 2): Candle => ({
  ts: i * 60_000,
  open: close,
  high: close + range / 2,
  low: close - range / 2,
  close,
  volume: 1,
});

describe("warm-up", () => {
  test.each([
    ["natr_macd", 34], // max(NATR 30, MACD slow 26 + signal 9 − 1)
    ["natr_rsi", 31], // max(NATR 30, RSI 30 + 1 for the first change)
    ["fixed", 30], // NATR only
  ])("%s needs %d candles", (profile: string, n: number) => {
    expect(requiredCandles(config(`strategy.profile=${profile}`).strategy)).toBe(n);
  });

  test("not ready until the last required candle, then every value is present", () => {
    const ind = new Indicators(config().strategy);
    for (let i = 0; i < 33; i++) ind.add(candle(i, 100 + (i % 3)));
    const early = ind.snapshot();
    expect(early).toMatchObject({ ready: false, count: 33, required: 34, natr: null, macd: null });
    ind.add(candle(33, 101));
    const s = ind.snapshot();
    expect(s.ready).toBe(true);
    expect(s.natr).not.toBeNull();
    expect(s.macd).not.toBeNull();
  });
});

describe("values", () => {
  test("NATR is ATR as a percent of the close: constant range 2 at price 100 → 2 %", () => {
    const ind = new Indicators(config("strategy.profile=fixed").strategy);
    for (let i = 0; i < 30; i++) ind.add(candle(i, 100));
    const s = ind.snapshot();
    expect(s.atr).toBeCloseTo(2, 12);
    expect(s.natr).toBeCloseTo(2, 12);
  });

  test("RSI of a steadily rising close is 100", () => {
    const ind = new Indicators(config("strategy.profile=natr_rsi").strategy);
    for (let i = 0; i < 31; i++) ind.add(candle(i, 100 + i));
    expect(ind.snapshot().rsi).toBe(100);
  });

  test("MACD histogram is positive in an accelerating uptrend", () => {
    const ind = new Indicators(config().strategy);
    for (let i = 0; i < 40; i++) ind.add(candle(i, 100 + i * i * 0.01));
    expect(ind.snapshot().macd!.histogram).toBeGreaterThan(0);
  });

  test("a candle that is not newer than the last is ignored", () => {
    const ind = new Indicators(config().strategy);
    expect(ind.add(candle(5, 100))).toBe(true);
    expect(ind.add(candle(5, 100))).toBe(false);
    expect(ind.add(candle(4, 100))).toBe(false);
    expect(ind.snapshot()).toMatchObject({ count: 1, lastCandleTs: 5 * 60_000 });
  });
});

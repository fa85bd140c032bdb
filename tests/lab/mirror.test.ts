import { describe, expect, test } from "bun:test";
import { runBacktest } from "../../lib/lab/backtest.ts";
import { edgeSplit, mirrorCandles, mirrorConfig, mirrorFunding, runMirroredBacktest } from "../../lib/lab/mirror.ts";
import { type Figures, figuresOf, mirroredFigures, poolFigures } from "../../lib/lab/objective.ts";
import { evaluateWindow, windowInput } from "../../lib/lab/walk-forward.ts";
import { bar, config, flat } from "../fixtures.ts";

const T0 = Date.UTC(2024, 4, 1);

describe("mirrorCandles: p → P0² / p about the first open", () => {
  test("worked numbers: P0 = 100, so P0² = 10000; high and low swap", () => {
    const m = mirrorCandles([bar(T0, 100, 110, 95, 105, 7), bar(T0 + 60_000, 105, 125, 100, 125, 9)]);
    // first: open 10000/100 = 100, high 10000/95 = 105.2631…, low 10000/110 = 90.9090…, close 10000/105 = 95.2380…
    expect(m[0].ts).toBe(T0);
    expect(m[0].open).toBe(100);
    expect(m[0].high).toBeCloseTo(105.263157894, 8);
    expect(m[0].low).toBeCloseTo(90.909090909, 8);
    expect(m[0].close).toBeCloseTo(95.238095238, 8);
    expect(m[0].volume).toBe(7);
    // second: a rise from 105 to 125 (+19.05 %) becomes 95.238 → 80 (−16 %: 1/1.1905 = 0.84)
    expect(m[1].open).toBeCloseTo(95.238095238, 8);
    expect(m[1].high).toBe(100); // 10000 / low 100
    expect(m[1].low).toBe(80); // 10000 / high 125
    expect(m[1].close).toBe(80);
    expect(m[1].volume).toBe(9);
  });

  test("the same volatility: every log-return is the original's with its sign flipped", () => {
    const c = [bar(T0, 2000, 2010, 1990, 2005), bar(T0 + 60_000, 2005, 2050, 2001, 2040)];
    const m = mirrorCandles(c);
    expect(Math.log(m[1].close / m[0].close)).toBeCloseTo(-Math.log(2040 / 2005), 12);
    expect(Math.log(m[1].high / m[1].low)).toBeCloseTo(Math.log(2050 / 2001), 12);
  });

  test("mirroring twice gives the candles back", () => {
    const c = [bar(T0, 2000, 2010, 1990, 2005), bar(T0 + 60_000, 2005, 2050, 2001, 2040)];
    const back = mirrorCandles(mirrorCandles(c));
    back.forEach((b, i) => {
      for (const k of ["open", "high", "low", "close"] as const) expect(b[k]).toBeCloseTo(c[i][k], 9);
    });
    expect(mirrorCandles([])).toEqual([]);
  });

  test("funding rates change sign, at the same times; a perp's constant rate too", () => {
    expect(mirrorFunding([{ ts: 1, rate: 0.0001 }, { ts: 2, rate: -0.0003 }, { ts: 3, rate: 0 }])).toEqual([
      { ts: 1, rate: -0.0001 },
      { ts: 2, rate: 0.0003 },
      { ts: 3, rate: 0 },
    ]);
    const perp = config("market.type=perp", "paper.funding_rate_8h=0.0002");
    expect(mirrorConfig(perp, true).paper.funding_rate_8h).toBe(-0.0002);
    expect(mirrorConfig(perp, false).paper.funding_rate_8h).toBe(0.0002); // a funding file is mirrored instead
    const spot = config();
    expect(mirrorConfig(spot, true)).toBe(spot);
  });
});

describe("edge and directional parts", () => {
  test("worked numbers from the issue: +3.6 % over holding, −5.1 % mirrored", () => {
    // edge (3.6 − 5.1) / 2 = −0.75; directional (3.6 + 5.1) / 2 = 4.35
    const s = edgeSplit(3.6, -5.1);
    expect(s.edge_pct).toBeCloseTo(-0.75, 12);
    expect(s.directional_pct).toBeCloseTo(4.35, 12);
  });

  test("backtest --mirror: the mirror's figures are a plain backtest of the mirrored candles", async () => {
    // 3 hours rising 2000 → 2179.8 (+0.05 % a minute, 0.3 % range): the mirror falls to 2000²/2179.8 ≈ 1835.0
    const candles = flat(T0, 180, (i) => 2000 * 1.0005 ** i).map((c) => ({
      ...c,
      high: c.high * 1.0015,
      low: c.low * 0.9985,
    }));
    const cfg = config("strategy.profile=fixed", "strategy.fixed_bid_spread_bps=5", "strategy.fixed_ask_spread_bps=5");
    const r = await runMirroredBacktest(cfg, candles);
    const plainMirror = await runBacktest(cfg, mirrorCandles(candles));
    expect(r.summary.mirror!.return_pct).toBe(plainMirror.summary.return_pct);
    expect(r.summary.mirror!.fills).toBe(plainMirror.summary.fills);
    // the hold benchmark goes the other way: 1 base + 3000 quote, held
    expect(r.summary.hold_return_pct).toBeGreaterThan(0);
    expect(r.summary.mirror!.hold_return_pct).toBeLessThan(0);
    const excess = r.summary.return_pct - r.summary.hold_return_pct;
    const mirrorExcess = plainMirror.summary.return_pct - plainMirror.summary.hold_return_pct;
    expect(r.summary.edge_pct).toBeCloseTo((excess + mirrorExcess) / 2, 12);
    expect(r.summary.directional_pct).toBeCloseTo((excess - mirrorExcess) / 2, 12);
  });
});

describe("optimize --mirror's score", () => {
  const figures = (excess: number, excessDd: number, fills: number): Figures => ({
    score: 0,
    excess_return_pct: excess,
    excess_drawdown_pct: excessDd,
    return_pct: excess,
    hold_return_pct: 0,
    max_drawdown_pct: 1,
    fills,
    fees_quote: 2,
    pnl_quote: 0,
    spread_capture_bps_avg: 12,
    sharpe: null,
  });
  const o = { drawdownWeight: 0.5, minFills: 10, mirror: true };

  test("worked numbers: edge − |directional| − weight × the worse excess drawdown", () => {
    // excess +3.6 and mirror −5.1: edge −0.75, directional 4.35; drawdowns 1.0 and 6.0 → 6.0
    // score = −0.75 − 4.35 − 0.5 × 6 = −8.1
    const f = mirroredFigures(figures(3.6, 1, 400), figures(-5.1, 6, 380), o);
    expect(f.edge_pct).toBeCloseTo(-0.75, 12);
    expect(f.directional_pct).toBeCloseTo(4.35, 12);
    expect(f.excess_drawdown_pct).toBe(6);
    expect(f.score).toBeCloseTo(-8.1, 12);
    expect(f.fills).toBe(780);
    expect(f.fees_quote).toBe(4);
  });

  test("a pure market maker (the same excess both ways) keeps its whole edge", () => {
    // +0.4 both ways: edge 0.4, directional 0; drawdown 0.2 → 0.4 − 0 − 0.1 = 0.3
    const f = mirroredFigures(figures(0.4, 0.2, 50), figures(0.4, 0.1, 50), o);
    expect(f.directional_pct).toBe(0);
    expect(f.score).toBeCloseTo(0.3, 12);
  });

  test("too few fills in either run: no score", () => {
    const f = mirroredFigures(figures(0.4, 0.2, 50), figures(0.4, 0.1, 9), o);
    expect(f.score).toBeNull();
    expect(f.note).toBe("9 fills in a run, fewer than the minimum 10");
  });

  test("pooled files average the edge and the directional part", () => {
    const a = mirroredFigures(figures(1, 0, 50), figures(-1, 0, 50), o); // edge 0, directional 1
    const b = mirroredFigures(figures(2, 0, 50), figures(0, 0, 50), o); // edge 1, directional 1
    const p = poolFigures([a, b]);
    expect(p.edge_pct).toBe(0.5);
    expect(p.directional_pct).toBe(1);
    expect(p.score).toBeCloseTo(((0 - 1) + (1 - 1)) / 2, 12);
  });
});

describe("a window scored with its mirror (optimize --mirror)", () => {
  test("the figures are those of the window and of its mirrored candles, combined as above", async () => {
    // 4 hours: up 0.05 % a minute for two hours, then down; warm-up 30 candles
    const candles = flat(T0, 240, (i) => 2000 * 1.0005 ** (i < 120 ? i : 240 - i)).map((c) => ({
      ...c,
      high: c.high * 1.0015,
      low: c.low * 0.9985,
    }));
    const cfg = config("strategy.profile=fixed", "strategy.fixed_bid_spread_bps=5", "strategy.fixed_ask_spread_bps=5");
    const w = { file: 0, from: 30, to: 240 };
    const o = { drawdownWeight: 0.5, minFills: 1 };
    const mirrored = await evaluateWindow(cfg, candles, w, { ...o, mirror: true });
    const input = windowInput(cfg, candles, w);
    const a = await runBacktest(input.config, input.candles);
    // the mirror starts balanced at its own first price: 0.5 of equity in base at the mirrored window's first open
    const mc = mirrorCandles(input.candles),
      p = mc[30].open,
      equity = cfg.paper.initial_base * p + cfg.paper.initial_quote;
    const paper = { ...cfg.paper, initial_base: equity * 0.5 / p, initial_quote: equity * 0.5 };
    const b = await runBacktest({ ...cfg, paper }, mc);
    const want = mirroredFigures(figuresOf(a.summary, a.series, o), figuresOf(b.summary, b.series, o), o);
    expect(mirrored).toEqual(want);
    expect(mirrored.fills).toBe(a.summary.fills + b.summary.fills);
    expect(mirrored.edge_pct).toBeCloseTo(
      (a.summary.return_pct - a.summary.hold_return_pct + b.summary.return_pct - b.summary.hold_return_pct) / 2,
      12,
    );
  });
});

/**
 * The walk-forward optimizer's pieces with worked numbers: windows, the objective, the sampler, the space,
 * and the search itself on a synthetic objective whose optimum is known (no backtests: fast and exact).
 */
import { describe, expect, test } from "bun:test";
import YAML from "yaml";
import type { Config } from "../../lib/config/schema.ts";
import { buildConfig, defaults, getPath } from "../../lib/config/validate.ts";
import { excessDrawdownPct, type Figures, poolFigures, scoreOf } from "../../lib/lab/objective.ts";
import { argBest, candidateConfig, type Evaluate, optimize } from "../../lib/lab/optimize.ts";
import { loadConfig } from "../../lib/config/cli.ts";
import { profileDoc } from "../../lib/lab/profile.ts";
import { clock, progressLine } from "../../lib/lab/progress.ts";
import { latinHypercube, sampleCandidates, scale } from "../../lib/lab/search.ts";
import { DEFAULT_SPACES, parseSpace, SpaceError, spaceFor, warmupOf } from "../../lib/lab/space.ts";
import { splitWindows, type Window, WindowError, windowInput } from "../../lib/lab/walk-forward.ts";
import { config } from "../fixtures.ts";

describe("walk-forward windows", () => {
  test("1000 candles, 3 folds, warm-up 40: four windows of 240 after the warm-up", () => {
    const [w] = splitWindows([1000], ["a.csv"], 3, 40);
    expect(w.map((x) => [x.from, x.to])).toEqual([[40, 280], [280, 520], [520, 760], [760, 1000]]);
  });

  test("each file is cut on its own; the last window takes the remainder", () => {
    // (1003 − 34) / 3 = 323 rest 0; (500 − 34) / 3 = 155 rest 1
    const [a, b] = splitWindows([1003, 500], ["a", "b"], 2, 34);
    expect(a.map((x) => [x.file, x.from, x.to])).toEqual([[0, 34, 357], [0, 357, 680], [0, 680, 1003]]);
    expect(b.map((x) => [x.file, x.from, x.to])).toEqual([[1, 34, 189], [1, 189, 344], [1, 344, 500]]);
  });

  test("a window shorter than the indicators need is refused, naming the file and the numbers", () => {
    // (200 − 60) / 4 = 35 candles per window < 60
    expect(() => splitWindows([200], ["short.csv"], 3, 60)).toThrow(WindowError);
    expect(() => splitWindows([200], ["short.csv"], 3, 60)).toThrow(
      /short\.csv: 200 candles give 4 windows of 35 candles \(--folds 3\), shorter than the 60 candles/,
    );
    expect(() => splitWindows([300], ["ok.csv"], 3, 60)).not.toThrow(); // 240 / 4 = 60
  });

  test("a window's backtest gets the candidate's own warm-up before it and starts balanced at the target", () => {
    const candles = Array.from({ length: 300 }, (_, i) => ({
      ts: i * 60_000,
      open: 2000 + i,
      high: 2001 + i,
      low: 1999 + i,
      close: 2000 + i,
      volume: 5,
    }));
    const cfg = config("strategy.profile=fixed", "strategy.natr_period=20"); // needs 20 candles
    const w: Window = { file: 0, from: 100, to: 200 };
    const input = windowInput(cfg, candles, w);
    expect(input.candles[0].ts).toBe(80 * 60_000);
    expect(input.candles.length).toBe(120);
    // equity 1 × 2100 + 3000 = 5100, half in base at 2100
    expect(input.config.paper.initial_base).toBeCloseTo(2550 / 2100, 12);
    expect(input.config.paper.initial_quote).toBeCloseTo(2550, 9);
    expect(cfg.paper.initial_base).toBe(1); // the base config is not changed
    const perp = config("market.type=perp", "paper.initial_base=0");
    expect(windowInput(perp, candles, w).config.paper).toEqual(perp.paper);
  });
});

describe("objective", () => {
  test("excess drawdown: the largest fall of equity − hold from its peak, % of the start", () => {
    // excess: 0, 2, 1, −1, 3 → peak 2, trough −1: 3 on a start of 200 → 1.5 %
    expect(excessDrawdownPct([200, 202, 201, 199, 203], [200, 200, 200, 200, 200], 200)).toBeCloseTo(1.5, 12);
    // equity falls with the hold: no excess drawdown
    expect(excessDrawdownPct([200, 150, 100], [200, 150, 100], 200)).toBe(0);
  });

  test("score = excess − weight × excess drawdown; none below the fill minimum", () => {
    expect(scoreOf(1.5, 3, 20, { drawdownWeight: 0.5, minFills: 10 })).toBeCloseTo(0, 12);
    expect(scoreOf(-0.4, 1, 10, { drawdownWeight: 2, minFills: 10 })).toBeCloseTo(-2.4, 12);
    expect(scoreOf(5, 0, 9, { drawdownWeight: 0.5, minFills: 10 })).toBeNull();
  });

  test("pooling files: percentages averaged, counts summed, no score if one file has none", () => {
    const f = (score: number | null, excess: number, fills: number): Figures => ({
      score,
      excess_return_pct: excess,
      excess_drawdown_pct: 1,
      return_pct: excess,
      hold_return_pct: 0,
      max_drawdown_pct: 2,
      fills,
      fees_quote: fills,
      pnl_quote: 10,
      spread_capture_bps_avg: null,
      sharpe: 1,
    });
    const pooled = poolFigures([f(1, 2, 10), f(3, 4, 30)]);
    expect([pooled.score, pooled.excess_return_pct, pooled.fills, pooled.pnl_quote]).toEqual([2, 3, 40, 20]);
    expect(poolFigures([f(1, 2, 10), f(null, 4, 3)]).score).toBeNull();
  });

  test("argBest: highest score, first on ties, none when nothing scored", () => {
    expect(argBest([1, 3, null, 3])).toBe(1);
    expect(argBest([null, -5, -2])).toBe(2);
    expect(argBest([null, null])).toBe(-1);
  });
});

describe("Latin hypercube sampler", () => {
  test("every axis has exactly one point in each of the n slices", () => {
    const points = latinHypercube(50, 4, 7);
    for (let d = 0; d < 4; d++) {
      const slices = points.map((p) => Math.floor(p[d] * 50)).sort((a, b) => a - b);
      expect(slices).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
  });

  test("same seed, same points; another seed, other points", () => {
    expect(latinHypercube(20, 3, 42)).toEqual(latinHypercube(20, 3, 42));
    expect(latinHypercube(20, 3, 42)).not.toEqual(latinHypercube(20, 3, 43));
  });

  test("scaling: linear between lo and hi, integers rounded and kept in range", () => {
    expect(scale(0.25, { key: "k", lo: 20, hi: 420, integer: false })).toBe(120);
    expect(scale(0.999, { key: "k", lo: 10, hi: 120, integer: true })).toBe(120);
    expect(scale(0.5, { key: "k", lo: 7, hi: 60, integer: true })).toBe(34); // 33.5 rounds up
    const c = sampleCandidates(parseSpace(["strategy.rsi_period=7:60"]), 30, 1);
    expect(c.every((p) => Number.isInteger(p["strategy.rsi_period"]))).toBe(true);
  });
});

describe("--space", () => {
  test("parses key=lo:hi against the schema", () => {
    expect(parseSpace(["strategy.bid_spread_multiplier=20:400", "strategy.natr_period = 10:120"])).toEqual([
      { key: "strategy.bid_spread_multiplier", lo: 20, hi: 400, integer: false },
      { key: "strategy.natr_period", lo: 10, hi: 120, integer: true },
    ]);
  });

  test.each([
    ["strategy.bid_spread=1:2", /unknown key "strategy\.bid_spread"; tunable keys: .*strategy\.bid_spread_multiplier/],
    ["market.maker_fee_bps=1:2", /unknown key "market\.maker_fee_bps"/],
    ["strategy.bid_spread_multiplier=400:20", /empty range; lo must be below hi/],
    ["strategy.bid_spread_multiplier=50:50", /empty range/],
    [
      "strategy.bid_spread_multiplier=0:20",
      /lo 0 is not allowed; strategy\.bid_spread_multiplier must be a number > 0/,
    ],
    ["strategy.natr_period=1:50", /lo 1 is not allowed; .* an integer ≥ 2/],
    ["strategy.natr_period", /must look like key=lo:hi/],
    ["strategy.natr_period=a:9", /lo NaN is not allowed/],
  ])("%s is refused", (arg: string, message: RegExp) => {
    expect(() => parseSpace([arg])).toThrow(SpaceError);
    expect(() => parseSpace([arg])).toThrow(message);
  });

  test("every profile's default space parses, and the warm-up covers its largest periods", () => {
    for (const space of Object.values(DEFAULT_SPACES)) expect(() => parseSpace(space)).not.toThrow();
    const macd = config();
    expect(warmupOf(macd, parseSpace(DEFAULT_SPACES.natr_macd))).toBe(120); // natr_period up to 120
    const rsi = config("strategy.profile=natr_rsi");
    expect(warmupOf(rsi, parseSpace(["strategy.rsi_period=7:60"]))).toBe(61); // RSI(60) needs 61 > NATR 30
  });
});

/** A synthetic backtest: the score peaks at bid multiplier 100 + 100 × window and ask multiplier 150. */
const peakAt = (j: number) => 100 + 100 * j;
const synthetic = (fills = 50): Evaluate => (c: Config, w: Window) => {
  const bid = getPath(c, "strategy.bid_spread_multiplier") as number;
  const ask = getPath(c, "strategy.ask_spread_multiplier") as number;
  const score = -(((bid - peakAt(w.from / 100 - 1)) / 100) ** 2) - ((ask - 150) / 100) ** 2;
  return Promise.resolve({
    score: fills >= 10 ? score : null,
    excess_return_pct: score,
    excess_drawdown_pct: 0,
    return_pct: score,
    hold_return_pct: 0,
    max_drawdown_pct: 0,
    fills,
    fees_quote: 0,
    pnl_quote: 0,
    spread_capture_bps_avg: null,
    sharpe: null,
  });
};
const SPACE = parseSpace(["strategy.bid_spread_multiplier=20:420", "strategy.ask_spread_multiplier=20:420"]);
// one file of 400 candles, warm-up 100, 2 folds: windows from 100, 200, 300 (w.from / 100 − 1 = window index)
const run = (seed: number, evaluate = synthetic(), trials = 200) =>
  optimize({
    base: config(),
    files: [{ name: "f", length: 400 }],
    space: SPACE,
    trials,
    folds: 2,
    seed,
    warmup: 100,
    evaluate,
  });

describe("the search, on a synthetic objective with a known optimum", () => {
  test("each fold picks the in-sample peak; out-of-sample is the same parameters on the next window", async () => {
    const r = await run(1);
    expect(r.windows[0].map((w) => w.from)).toEqual([100, 200, 300]);
    expect(r.folds.map((f) => [f.fold, f.tune, f.test])).toEqual([[1, 0, 1], [2, 1, 2]]);
    for (const f of r.folds) {
      // 200 Latin-hypercube points over a 400-wide square: one lands within a few units of the peak
      expect(Math.abs(f.params["strategy.bid_spread_multiplier"] - peakAt(f.tune))).toBeLessThan(25);
      expect(Math.abs(f.params["strategy.ask_spread_multiplier"] - 150)).toBeLessThan(25);
      // out of sample the peak has moved 100 on: the score is what the formula gives there
      const bid = f.params["strategy.bid_spread_multiplier"], ask = f.params["strategy.ask_spread_multiplier"];
      const expected = -(((bid - peakAt(f.test)) / 100) ** 2) - ((ask - 150) / 100) ** 2;
      expect(f.out_of_sample.score).toBeCloseTo(expected, 12);
      expect(f.out_of_sample.score!).toBeLessThan(f.in_sample.score!);
    }
    // best: the mean over windows 0 and 1 peaks halfway, at bid 150
    expect(Math.abs(r.best.params["strategy.bid_spread_multiplier"] - 150)).toBeLessThan(25);
    expect(r.best.tuning_windows).toHaveLength(2);
    expect(r.baseline.params).toEqual({ "strategy.bid_spread_multiplier": 120, "strategy.ask_spread_multiplier": 60 });
    expect(r.candidates).toBe(201);
  }, 30_000);

  test("same seed, same choice; another seed, other candidates", async () => {
    const [a, b, c] = await Promise.all([run(5), run(5), run(6)]);
    expect(a.best.params).toEqual(b.best.params);
    expect(a.folds).toEqual(b.folds);
    expect(c.best.params).not.toEqual(a.best.params);
  }, 30_000);

  test("nothing beats the configuration's own parameters on a flat objective: the baseline stays", async () => {
    const flat: Evaluate = (cfg, w) => synthetic()(cfg, w).then((f) => ({ ...f, score: 0 }));
    const r = await run(1, flat, 20);
    expect(r.best.candidate).toBe(0);
    expect(r.folds.every((f) => f.candidate === 0)).toBe(true);
  });

  test("too few fills everywhere: nothing scores, the baseline stands and says why", async () => {
    const r = await run(1, synthetic(3), 10);
    expect(r.best.candidate).toBe(0);
    expect(r.best.tuning_score).toBeNull();
    expect(r.best.holdout.score).toBeNull();
  });

  test("candidates the config's cross-checks refuse are listed and never run", async () => {
    const calls: [number, number][] = [];
    const counting: Evaluate = (cfg, w) => {
      calls.push([cfg.strategy.macd_fast, cfg.strategy.macd_slow]);
      return synthetic()(cfg, w);
    };
    const r = await optimize({
      base: config(),
      files: [{ name: "f", length: 400 }],
      space: parseSpace(["strategy.macd_fast=5:40", "strategy.macd_slow=20:30"]),
      trials: 20,
      folds: 2,
      seed: 3,
      warmup: 100,
      evaluate: counting,
    });
    expect(r.rejected.length).toBeGreaterThan(0);
    for (const x of r.rejected) {
      expect(x.params["strategy.macd_fast"]).toBeGreaterThanOrEqual(x.params["strategy.macd_slow"]);
    }
    // each valid one on the 2 tuning windows; the score ignores the MACD keys, so the baseline wins every
    // choice and is the only one run on the holdout
    expect(calls.length).toBe((21 - r.rejected.length) * 2 + 1);
    expect(r.best.candidate).toBe(0);
    expect(calls.filter(([fast, slow]) => fast >= slow)).toEqual([]);
  });
});

describe("profile and progress", () => {
  test("the profile holds the whole strategy section and what else differs from the defaults", () => {
    const cfg = buildConfig({ sets: ["strategy.profile=fixed", "market.maker_fee_bps=2", "paper.initial_base=2"] });
    expect(profileDoc(cfg, ["http.port"])).toEqual({
      market: { maker_fee_bps: 2 },
      strategy: { ...defaults().strategy, profile: "fixed" },
      paper: { initial_base: 2 },
      http: { port: 8080 },
    });
  });

  test("the bar: share, counts, time spent and the ETA from the pace so far", () => {
    expect(clock(65_000)).toBe("1:05");
    expect(clock(3_725_000)).toBe("1:02:05");
    // 50 of 200 in 30 s: 150 more at 0.6 s each = 1:30
    expect(progressLine(50, 200, 30_000, 20)).toBe(
      "[#####---------------]  25 % 50/200 backtests, 0:30 spent, ETA 1:30",
    );
    // download's bar counts minutes: 3 of 4 days done in 45 s, a quarter left at that pace is 15 s
    expect(progressLine(4320, 5760, 45_000, 20, "minutes")).toBe(
      "[###############-----]  75 % 4320/5760 minutes, 0:45 spent, ETA 0:15",
    );
  });
});

describe("default spaces and the fee floor", () => {
  test("a fixed spread's default range starts at the maker fee when the floor is on", () => {
    const range = (...sets: string[]) =>
      spaceFor(config("strategy.profile=fixed", ...sets), [])
        .filter((d) => d.key.startsWith("strategy.fixed_"))
        .map((d) => [d.lo, d.hi]);
    expect(range()).toEqual([[10, 60], [10, 60]]); // maker fee 10 bps
    expect(range("market.maker_fee_bps=2")).toEqual([[2, 60], [2, 60]]);
    expect(range("strategy.fee_floor=false")).toEqual([[2, 60], [2, 60]]);
    // a space on the command line is taken as given
    expect(spaceFor(config("strategy.profile=fixed"), ["strategy.fixed_bid_spread_bps=3:5"])[0].lo).toBe(3);
  });

  test("every profile's default space tunes levels: how many, the step (NATR multiples; fixed: bps), the size scale", () => {
    const ranges = (profile: string) =>
      Object.fromEntries(
        spaceFor(config(`strategy.profile=${profile}`), [])
          .filter((d) => d.key.startsWith("strategy.level"))
          .map((d) => [d.key, [d.lo, d.hi, d.integer]]),
      );
    for (const profile of ["natr_macd", "natr_rsi", "as"]) {
      expect(ranges(profile)).toEqual({
        "strategy.levels": [1, 4, true],
        "strategy.level_step_natr": [0.5, 6, false],
        "strategy.level_amount_scale": [0.5, 3, false],
      });
    }
    expect(ranges("fixed")).toEqual({
      "strategy.levels": [1, 4, true],
      "strategy.level_step_bps": [5, 100, false],
      "strategy.level_amount_scale": [0.5, 3, false],
    });
  });

  test("natr_macd and natr_rsi tune the fast-move guard, after the levels (fixed and as do not)", () => {
    const guard = {
      "strategy.move_guard_natr": [0.5, 6, false],
      "strategy.move_guard_min": [1, 15, true],
      "strategy.move_guard_widen": [0, 3, false],
      "strategy.move_guard_away": [0, 3, false],
    };
    for (const profile of ["natr_macd", "natr_rsi"]) {
      const space = spaceFor(config(`strategy.profile=${profile}`), []);
      // then the calm filter (3 keys) and the unwind (2 keys)
      expect(Object.fromEntries(space.slice(-9, -5).map((d) => [d.key, [d.lo, d.hi, d.integer]]))).toEqual(guard);
      expect(space[space.length - 10].key).toBe("strategy.level_amount_scale");
    }
    for (const profile of ["fixed", "as"]) {
      expect(spaceFor(config(`strategy.profile=${profile}`), []).some((d) => d.key.includes("move_guard"))).toBe(false);
    }
  });

  test("natr_macd and natr_rsi tune the calm filter after the fast-move guard (fixed and as do not)", () => {
    const calm = {
      "strategy.range_guard_natr": [0.5, 8, false],
      "strategy.range_guard_min": [1, 15, true],
      "strategy.range_guard_widen": [0, 3, false],
    };
    for (const profile of ["natr_macd", "natr_rsi"]) {
      const space = spaceFor(config(`strategy.profile=${profile}`), []);
      // then the unwind (2 keys)
      expect(Object.fromEntries(space.slice(-5, -2).map((d) => [d.key, [d.lo, d.hi, d.integer]]))).toEqual(calm);
      expect(space[space.length - 6].key).toBe("strategy.move_guard_away");
    }
    for (const profile of ["fixed", "as"]) {
      expect(spaceFor(config(`strategy.profile=${profile}`), []).some((d) => d.key.includes("range_guard"))).toBe(
        false,
      );
    }
  });

  test("natr_macd and natr_rsi tune the perp unwind last, after the calm filter (fixed and as do not)", () => {
    const unwind = { "strategy.unwind_natr": [0.5, 8, false], "strategy.unwind_offset_natr": [0, 3, false] };
    for (const profile of ["natr_macd", "natr_rsi"]) {
      const space = spaceFor(config(`strategy.profile=${profile}`), []);
      expect(Object.fromEntries(space.slice(-2).map((d) => [d.key, [d.lo, d.hi, d.integer]]))).toEqual(unwind);
      expect(space[space.length - 3].key).toBe("strategy.range_guard_widen");
      // appended: the points of every key before them are those of the space without them
      const without = space.slice(0, -2);
      const a = sampleCandidates(space, 30, 5), b = sampleCandidates(without, 30, 5);
      for (let i = 0; i < 30; i++) for (const d of without) expect(a[i][d.key]).toBe(b[i][d.key]);
    }
    for (const profile of ["fixed", "as"]) {
      expect(spaceFor(config(`strategy.profile=${profile}`), []).some((d) => d.key.includes("unwind"))).toBe(false);
    }
  });

  test("levels come last: the other keys' seeded points are those of the space without them", () => {
    // the fast-move guard's and the calm filter's keys come after the levels, so they are left out as the levels are
    const space = spaceFor(config(), []).filter((d) => !/^strategy\.((move|range)_guard|unwind)/.test(d.key));
    const without = space.filter((d) => !d.key.startsWith("strategy.level"));
    expect(space.slice(0, without.length)).toEqual(without);
    const a = sampleCandidates(space, 40, 7), b = sampleCandidates(without, 40, 7);
    for (let i = 0; i < 40; i++) {
      for (const d of without) expect(a[i][d.key]).toBe(b[i][d.key]);
      expect(Number.isInteger(a[i]["strategy.levels"])).toBe(true);
    }
    // rounded to whole levels, one point in each 40th of 1…4: 1 takes u < 1/6 (slices 0–5, and slice 6 straddles
    // 1/6), 2 takes slices 7–19 (and maybe 6), 3 slices 20–32 (and maybe 33, which straddles 5/6), 4 slices 34–39
    const count = (n: number) => a.filter((c) => c["strategy.levels"] === n).length;
    const counts = [1, 2, 3, 4].map(count);
    expect(counts[0] + counts[1]).toBe(20);
    expect(counts[2] + counts[3]).toBe(20);
    for (const [n, lo] of [[0, 6], [1, 13], [2, 13], [3, 6]]) expect(counts[n] - lo).toBeOneOf([0, 1]);
  });
});

describe("candidates of a configuration sized in quote", () => {
  test("profiles/natr_rsi.yml (order_value_quote 25) gives valid candidates that keep its size", () => {
    const base = loadConfig("profiles/natr_rsi.yml", []);
    const c = candidateConfig(base, { "strategy.bid_spread_multiplier": 50 });
    expect(c.strategy.order_value_quote).toBe(25);
    expect(c.strategy.bid_spread_multiplier).toBe(50);
  });
});

describe("the profile of a configuration sized in quote", () => {
  test("is written with its size in quote alone, and loads", () => {
    const base = loadConfig("profiles/natr_rsi.yml", []);
    const doc = profileDoc(base) as { strategy: Record<string, unknown> };
    expect(doc.strategy.order_value_quote).toBe(25);
    expect("order_amount" in doc.strategy).toBe(false);
    expect(buildConfig({ yamlText: YAML.stringify(doc), source: "profile" }).strategy.order_value_quote).toBe(25);
  });
});

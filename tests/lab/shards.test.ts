/**
 * optimize over shards (lib/lab/shards.ts): a shard backtests candidates c with c mod N = I, the merge chooses from
 * the parts exactly as one run does; parts of different searches do not merge. The backtest is a synthetic one whose
 * figures depend on the candidate and the window only, some with too few fills, some non-finite.
 */
import { describe, expect, test } from "bun:test";
import type { Config } from "../../lib/config/schema.ts";
import { getPath } from "../../lib/config/validate.ts";
import type { Figures } from "../../lib/lab/objective.ts";
import { type Evaluate, optimize } from "../../lib/lab/optimize.ts";
import {
  checkParts,
  MergeError,
  mergeParts,
  parsePart,
  parseShard,
  PART_FORMAT,
  partJson,
  runShard,
  shardCandidates,
  type ShardPart,
  type ShardSettings,
} from "../../lib/lab/shards.ts";
import { parseSpace } from "../../lib/lab/space.ts";
import type { Window } from "../../lib/lab/walk-forward.ts";
import { config } from "../fixtures.ts";

/** A backtest of the candidate on the window: a bumpy score, few fills in places, now and then an infinite Sharpe. */
const synthetic: Evaluate = (c: Config, w: Window) => {
  const bid = getPath(c, "strategy.bid_spread_multiplier") as number;
  const period = getPath(c, "strategy.natr_period") as number;
  const x = Math.sin(bid / 17 + w.from / 50 + w.file) * 3 - ((period - 40) / 30) ** 2;
  const fills = Math.round(bid + period + w.file * 7) % 13;
  const figures: Figures = {
    score: fills >= 3 ? x : null,
    excess_return_pct: x,
    excess_drawdown_pct: Math.abs(x) / 3,
    return_pct: x + 1,
    hold_return_pct: 1,
    max_drawdown_pct: 2,
    fills,
    fees_quote: fills * 0.1,
    pnl_quote: x * 10,
    spread_capture_bps_avg: fills ? x : null,
    sharpe: period % 2 ? Infinity : x,
  };
  return Promise.resolve(figures);
};

const BASE = config();
const SPACE = parseSpace(["strategy.bid_spread_multiplier=20:420", "strategy.natr_period=10:60"]);
const FILES = [{ name: "a.csv", length: 700 }, { name: "b.csv", length: 500 }];
const SEARCH = { base: BASE, files: FILES, space: SPACE, trials: 23, folds: 2, seed: 5, warmup: 61 };
const SETTINGS: ShardSettings = {
  config_yaml: "",
  space: SPACE,
  trials: SEARCH.trials,
  folds: SEARCH.folds,
  seed: SEARCH.seed,
  warmup: SEARCH.warmup,
  options: { objective: { drawdownWeight: 0.5, minFills: 3 } },
  data: FILES.map((f) => ({ name: f.name, candles: f.length, sha256: `hash-of-${f.name}` })),
};

/** The N parts of the search, as written to disk and read back. */
async function partsOf(count: number, settings = SETTINGS): Promise<{ name: string; part: ShardPart }[]> {
  const parts = [];
  for (let index = 0; index < count; index++) {
    const { results } = await runShard({ ...SEARCH, evaluate: synthetic, shard: { index, count } });
    const part: ShardPart = { format: PART_FORMAT, shard: { index, count }, settings, report_data: null, results };
    parts.push({ name: `part-${index}.json`, part: parsePart(partJson(part)) });
  }
  return parts;
}

describe("shards", () => {
  test("I/N is parsed 0-based; anything else is refused", () => {
    expect(parseShard("0/1")).toEqual({ index: 0, count: 1 });
    expect(parseShard("3/4")).toEqual({ index: 3, count: 4 });
    for (const bad of ["4/4", "1/0", "-1/3", "1", "a/b", "1/3/4", "0/10001"]) expect(parseShard(bad)).toBeNull();
  });

  test("the shards of any N cover the baseline and every drawn candidate exactly once", () => {
    for (const n of [1, 2, 3, 7, 30]) {
      const all = Array.from({ length: n }, (_, i) => shardCandidates(23, { index: i, count: n })).flat();
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, c) => c));
    }
    expect(shardCandidates(23, { index: 1, count: 3 })).toEqual([1, 4, 7, 10, 13, 16, 19, 22]);
  });

  test("a candidate's parameters are the same whatever N: the seeded points, sliced", async () => {
    const one = (await partsOf(1))[0].part.results;
    for (const n of [2, 5]) {
      for (const { part } of await partsOf(n)) {
        for (const r of part.results) expect(r.params).toEqual(one.find((x) => x.candidate === r.candidate)!.params);
      }
    }
  });

  test("the merge of N parts is exactly one run's result, for N = 1, 2, 3 and 25 (more shards than candidates)", async () => {
    const single = await optimize({ ...SEARCH, evaluate: synthetic });
    expect(single.best.candidate).not.toBe(0); // a choice was made (not just the baseline standing)
    expect(single.folds.map((f) => f.candidate)).not.toEqual([0, 0]);
    for (const n of [1, 2, 3, 25]) {
      const merged = await mergeParts(BASE, await partsOf(n));
      expect(merged).toEqual(single);
    }
  });

  test("non-finite figures survive the part file (JSON alone would make them null)", async () => {
    const [{ part }] = await partsOf(1);
    const sharpes = part.results.flatMap((r) => r.figures.flat().map((f) => f.sharpe));
    expect(sharpes).toContain(Infinity);
    expect(JSON.parse(JSON.stringify({ x: Infinity })).x).toBeNull(); // why partJson exists
  });
});

describe("parts that are not one search", () => {
  const refuse = (parts: { name: string; part: ShardPart }[], message: string) => {
    expect(() => checkParts(parts)).toThrow(MergeError);
    expect(() => checkParts(parts)).toThrow(message);
  };

  test("a missing shard, a shard given twice, mixed N: refused, named", async () => {
    const [p0, p1, p2] = await partsOf(3);
    refuse([p0, p2], "missing shard 1/3");
    refuse([p0, p1, p1, p2], "part-1.json and part-1.json are both shard 1/3");
    const [q0] = await partsOf(2);
    refuse([p0, p1, p2, q0], "is shard 0/2, part-0.json of 3");
    refuse([], "--merge needs the part files");
  });

  test("other seed, trials, objective, scoring option, configuration, space or data: refused with what differs", async () => {
    const parts = await partsOf(2);
    const other = (change: Partial<ShardSettings>) => [
      parts[0],
      { name: "other.json", part: { ...parts[1].part, settings: { ...SETTINGS, ...change } } },
    ];
    refuse(
      other({ seed: 6 }),
      "part-0.json and other.json are parts of different searches: they differ in seed (5 vs 6)",
    );
    refuse(other({ trials: 24 }), "trials (23 vs 24)");
    refuse(other({ options: { objective: { drawdownWeight: 1, minFills: 3 } } }), "the options");
    refuse(other({ options: { ...SETTINGS.options, mirror: true } }), "the options"); // an option added later
    refuse(other({ config_yaml: "strategy: {}" }), "they differ in the configuration");
    refuse(other({ space: SPACE.slice(0, 1) }), "space (");
    refuse(other({ data: [{ ...SETTINGS.data[0], sha256: "another" }, SETTINGS.data[1]] }), "they differ in the data");
    expect(() => checkParts(parts)).not.toThrow(); // the same parts agree
  });

  test("a file that is not a part is refused by name", async () => {
    const [p0] = await partsOf(1);
    refuse([{ name: "report.json", part: { ...p0.part, format: "x" as typeof PART_FORMAT } }], "report.json: not an");
  });
});

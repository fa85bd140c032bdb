/** Pairs of settings that are valid alone and break the bot together: refused at start and on /set, naming both keys. */
import { describe, expect, test } from "bun:test";
import { configProblems } from "../fixtures.ts";
import { spawnSync } from "node:child_process";
import { buildConfig, withValue } from "../../lib/config/validate.ts";
import { coherenceProblems } from "../../lib/config/coherence.ts";

/** The problems buildConfig reports for these --set values ([] when accepted). */
const problems = (...sets: string[]) => configProblems(undefined, ...sets);

const PERP = ["market.type=perp", "paper.initial_base=0"];

describe("coherence of settings (checked at start)", () => {
  test("the shipped defaults are coherent", () => {
    expect(problems()).toEqual([]);
  });

  test("dead_man_s must exceed 2 × refresh_s: 5 with 60 (the issue's case) and 30 with 15 are refused, 31 passes", () => {
    expect(problems("risk.dead_man_s=5", "strategy.refresh_s=60", "risk.shutdown_timeout_s=5")).toEqual([
      "risk.dead_man_s (5) must exceed twice strategy.refresh_s (60): the venue's dead-man switch would cancel every order of ours between two ticks (and after one slow tick), and the bot would re-place them each time; raise risk.dead_man_s above 120 or set it to 0 (off)",
      // the book is read once a tick: 30 s (default) < 60 s
      "risk.max_book_age_s (30) must be at least strategy.refresh_s (60): the order book is read once a tick, so it would count as stale (stale_book) between ticks and the bot would stand aside",
    ]);
    expect(problems("risk.dead_man_s=30", "strategy.refresh_s=15")).toHaveLength(1);
    expect(problems("risk.dead_man_s=31", "strategy.refresh_s=15")).toEqual([]);
    expect(problems("risk.dead_man_s=0", "strategy.refresh_s=15")).toEqual([]); // off: nothing to contradict
  });

  test("max_book_age_s ≥ refresh_s: 14 with 15 refused, 15 with 15 accepted", () => {
    expect(problems("risk.max_book_age_s=14")[0]).toStartWith(
      "risk.max_book_age_s (14) must be at least strategy.refresh_s (15):",
    );
    expect(problems("risk.max_book_age_s=15")).toEqual([]);
  });

  test("shutdown_timeout_s ≤ dead_man_s: 61 with 60 refused, 60 accepted, anything with the dead-man off", () => {
    expect(problems("risk.shutdown_timeout_s=61")).toEqual([
      "risk.shutdown_timeout_s (61) must not exceed risk.dead_man_s (60): the venue's dead-man switch would cancel our orders in the middle of the shutdown's own cancels, and its report could not say which orders we cancelled and which the venue did",
    ]);
    expect(problems("risk.shutdown_timeout_s=60")).toEqual([]);
    expect(problems("risk.shutdown_timeout_s=600", "risk.dead_man_s=0")).toEqual([]);
  });

  test("max_candle_age_s must exceed the 60 s candle period: 60 refused, 61 accepted", () => {
    expect(problems("strategy.max_candle_age_s=60")[0]).toStartWith(
      "strategy.max_candle_age_s (60) must exceed the candle period (60 s):",
    );
    expect(problems("strategy.max_candle_age_s=61")).toEqual([]);
  });

  test("perp: one order in quote above the position limit is refused (spot has no such limit)", () => {
    const p = problems(...PERP, "strategy.order_value_quote=1001");
    expect(p).toEqual([
      "strategy.order_value_quote (1001) must not exceed strategy.max_position_notional (1000): a single order would pass the position limit, so the bot could never quote the side that opens a position",
    ]);
    expect(problems(...PERP, "strategy.order_value_quote=1000")).toEqual([]);
    expect(problems("strategy.order_value_quote=1001")).toEqual([]);
  });

  test("paper perp: the maintenance margin must stay below the initial margin 100 / leverage (125×: 0.8 %)", () => {
    expect(problems(...PERP, "market.leverage=125", "paper.maintenance_margin_pct=0.8")).toEqual([
      "paper.maintenance_margin_pct (0.8) must be below the initial margin of market.leverage (125×: 0.8 %): every position would open at or past its liquidation price and the paper venue would liquidate it at once",
    ]);
    expect(problems(...PERP, "market.leverage=125", "paper.maintenance_margin_pct=0.79")).toEqual([]);
  });

  test("isolated perp: the liquidation guard must be nearer than where a position opens (10× with the 10 % guard is not)", () => {
    // a short at 10×, mmr 0.4 %: liquidated at E × 1.1 / 1.004, 9.5618 % above its entry: the guard (10 %) would hold
    // the adding side from the first fill; at 9× it is 10.6684 % (1.1111 / 1.004 − 1): accepted
    const iso = [...PERP, "market.margin_mode=isolated"];
    expect(problems(...iso, "market.leverage=10")).toEqual([
      "risk.liquidation_guard_pct (10) must be below the liquidation distance at entry of market.leverage (10× isolated: 9.56 %, with paper.maintenance_margin_pct 0.4 %): the guard would stop the side that adds from the first fill, so the position could never grow past one order; lower market.leverage below 9.58 or risk.liquidation_guard_pct below 9.56 (0: off)",
    ]);
    expect(problems(...iso, "market.leverage=9")).toEqual([]);
    expect(problems(...iso, "market.leverage=10", "risk.liquidation_guard_pct=9.5")).toEqual([]);
    expect(problems(...iso, "market.leverage=20", "risk.liquidation_guard_pct=0")).toEqual([]); // off
    expect(problems(...PERP, "market.leverage=20")).toEqual([]); // cross: the collateral sets the distance
  });
});

describe("coherence on /set: the change that would break the pair is refused, the config unchanged", () => {
  const base = buildConfig({});

  test("/set strategy.refresh_s 60 beside dead_man_s 60: refused, naming both keys", () => {
    expect(() => withValue(base, "strategy.refresh_s", "60")).toThrow(
      "risk.dead_man_s (60) must exceed twice strategy.refresh_s (60)",
    );
    expect(base.strategy.refresh_s).toBe(15);
    expect(withValue(base, "strategy.refresh_s", "29").strategy.refresh_s).toBe(29);
  });

  test("/set risk.max_book_age_s 10 with refresh 15: refused", () => {
    expect(() => withValue(base, "risk.max_book_age_s", "10")).toThrow(
      "risk.max_book_age_s (10) must be at least strategy.refresh_s (15)",
    );
  });

  test("every rule names two keys (or a key and the candle period) in its first words", () => {
    const broken = buildConfig({ sets: ["risk.dead_man_s=0"] });
    const c = structuredClone(broken);
    c.risk.dead_man_s = 10;
    c.risk.shutdown_timeout_s = 20;
    c.risk.max_book_age_s = 1;
    c.strategy.max_candle_age_s = 30;
    const all = coherenceProblems(c);
    expect(all).toHaveLength(4);
    for (const p of all) expect(p).toMatch(/^[a-z_]+\.[a-z_]+ \(\d+\) must .*\b[a-z_]+\.[a-z_]+ \(|candle period/);
  });
});

describe("at start", () => {
  test("deno run -P mod.ts --set risk.dead_man_s=5 --set strategy.refresh_s=60: exit 2 with the lines, nothing started", () => {
    const r = spawnSync(
      "deno",
      [
        "run",
        "-P",
        "mod.ts",
        "--set",
        "risk.dead_man_s=5",
        "--set",
        "strategy.refresh_s=60",
        "--set",
        "storage.path=/nonexistent-mmbot/x.sqlite",
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("  - risk.dead_man_s (5) must exceed twice strategy.refresh_s (60)");
    expect(r.stderr).not.toContain("    at ");
  });
});

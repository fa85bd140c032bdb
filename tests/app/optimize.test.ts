/**
 * `mmbot optimize` as a user runs it: real processes, real workers (Deno and Bun), the bundled sample data.
 * Bad input exits 2 with one line naming it.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../lib/config/cli.ts";
import { getPath } from "../../lib/config/validate.ts";

const SAMPLE = "data/binance_spot_ETHUSDT_1m_sample.csv";
const optimize = (args: string[], runtime: "deno" | "bun" = "deno") =>
  spawnSync(
    runtime,
    runtime === "deno" ? ["run", "-P", "mod.ts", "optimize", ...args] : ["mod.ts", "optimize", ...args],
    {
      encoding: "utf8",
      timeout: 120_000,
    },
  );

describe("optimize command", () => {
  test("writes a report with in- and out-of-sample scores per fold and a profile --config accepts", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-opt-"));
    const args = ["--data", SAMPLE, "--trials", "3", "--folds", "2", "--seed", "7", "--min-fills", "1"];
    const a = optimize([...args, "--json", join(dir, "a.json")]);
    expect(a.stderr).not.toContain("    at "); // no stack trace
    expect(a.status).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, "a.json"), "utf8"));
    expect(report.folds).toHaveLength(2);
    for (const f of report.folds) {
      expect(typeof f.in_sample.score === "number" || f.in_sample.score === null).toBe(true);
      expect(f.out_of_sample).toHaveProperty("score");
      expect(f.out_of_sample).toHaveProperty("hold_return_pct");
    }
    // 4320 candles − 120 warm-up (natr_period up to 120) = 4200 → three windows of 1400
    expect(report.data[0].windows.map((w: { candles: number }) => w.candles)).toEqual([1400, 1400, 1400]);
    expect(report.profile_path).toBe(join(dir, "a.yml"));
    const tuned = loadConfig(report.profile_path, []);
    for (const [key, value] of Object.entries(report.best.params)) expect(getPath(tuned, key)).toBe(value);
    expect(a.stdout).toContain(`profile: ${report.profile_path}`);
    expect(a.stderr).toMatch(/backtests, \d+:\d\d spent, ETA/); // the progress bar

    // same seed, one worker instead of two: the same choice and the same scores
    const b = optimize([...args, "--workers", "1", "--json", join(dir, "b.json")]);
    expect(b.status).toBe(0);
    const again = JSON.parse(readFileSync(join(dir, "b.json"), "utf8"));
    expect(again.best).toEqual(report.best);
    expect(again.folds).toEqual(report.folds);
  }, 120_000);

  test("runs its workers under Bun too", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-opt-"));
    const r = optimize(["--data", SAMPLE, "--trials", "2", "--folds", "1", "--json", join(dir, "r.json")], "bun");
    expect(r.stderr).not.toContain("    at ");
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "r.json"), "utf8")).folds).toHaveLength(1);
  }, 120_000);

  test.each([
    [["--space", "strategy.bid_spread=1:2"], /^mmbot optimize: --space strategy\.bid_spread=1:2: unknown key/],
    [["--space", "strategy.ask_spread_multiplier=90:30"], /empty range; lo must be below hi/],
    // (4320 − 120) / 41 = 102 candles per window, under the 120 that natr_period 120 needs
    [
      ["--folds", "40"],
      /binance_spot_ETHUSDT_1m_sample\.csv: 4320 candles give 41 windows of 102 candles .* 120 candles the indicators need/,
    ],
    [["--trials", "0"], /--trials "0": must be an integer from 1 to 100000/],
    [["--set", "strategy.natr_period=0"], /strategy\.natr_period: 0 is not allowed/],
    [["--data", "nope.csv"], /nope\.csv: cannot read the candle file/],
  ])("bad input %p exits 2 naming it", (extra: string[], message: RegExp) => {
    const r = optimize(extra[0] === "--data" ? extra : ["--data", SAMPLE, ...extra]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(message);
    expect(r.stderr).not.toContain("    at ");
  });

  test("loads neither ccxt nor grammY (only --symbol's download imports them, dynamically)", () => {
    const modules = staticModules("lib/app/optimize-command.ts");
    expect(modules.filter((m) => /ccxt|grammy/i.test(m))).toEqual([]);
    const workerModules = staticModules("lib/lab/optimize-worker.ts");
    expect(workerModules.some((m) => m.endsWith("lib/lab/backtest.ts"))).toBe(true);
    expect(workerModules.filter((m) => /ccxt|grammy/i.test(m))).toEqual([]);
  });
});

/** The modules `entry` imports statically, transitively (what loads with it), from `deno info --json`. */
function staticModules(entry: string): string[] {
  const info = spawnSync("deno", ["info", "--json", entry], { encoding: "utf8", timeout: 60_000 });
  expect(info.status).toBe(0);
  type Dep = { code?: { specifier: string }; type?: { specifier: string }; isDynamic?: boolean };
  const graph = JSON.parse(info.stdout) as {
    roots: string[];
    modules: { specifier: string; dependencies?: Dep[] }[];
    redirects: Record<string, string>;
  };
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    const s = graph.redirects[specifier] ?? specifier;
    if (seen.has(s)) return;
    seen.add(s);
    for (const d of bySpecifier.get(s)?.dependencies ?? []) if (!d.isDynamic && d.code) visit(d.code.specifier);
  };
  graph.roots.forEach(visit);
  return [...seen];
}

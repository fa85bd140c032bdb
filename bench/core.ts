/**
 * In-process figures of DESIGN §11, run under whichever runtime started it (bench.ts starts it under Deno and
 * under Bun) and printed as one JSON line: the backtest core (30 days of 1m candles at 15 s ticks, median of 5
 * after a warm-up; seed parameters, and the shipped defaults beside) and the compute time of one engine tick
 * against the paper exchange (p50, p99; never killed, so every tick quotes).
 */
import { runBacktest } from "../lib/lab/backtest.ts";
import { ManualClock } from "../lib/engine/clock.ts";
import { buildConfig } from "../lib/config/validate.ts";
import { Engine } from "../lib/engine/engine.ts";
import { CANDLE_MS } from "../lib/core/types.ts";
import { requiredCandles } from "../lib/core/indicators.ts";
import { PaperExchange } from "../lib/venues/paper.ts";
import { loadCandleFile, ReplayFeed } from "../lib/venues/replay-feed.ts";
import { benchCsv, MONTH, SEED } from "./data.ts";

const MONTH_CSV = benchCsv(MONTH);
const config = buildConfig({ sets: SEED });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const candles = loadCandleFile(MONTH_CSV);
await runBacktest(config, candles.slice(0, 5000)); // warm the JIT
const runs: number[] = [];
let ticks = 0, fills = 0, aside = 0;
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const { summary } = await runBacktest(config, candles);
  runs.push(performance.now() - t);
  ticks = summary.ticks, fills = summary.fills;
  // the workload: ticks standing aside entirely (each counts both sides in `skipped`) cost far less than quoting ones
  const whole = ["kill_switch", "volatility_cap", "stale_book", "stale_candles"];
  aside = Math.round(whole.reduce((a, k) => a + (summary.skipped[k] ?? 0), 0) / 2);
}
const backtestMs = median(runs);
const shipped: number[] = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  await runBacktest(buildConfig({}), candles);
  shipped.push(performance.now() - t);
}
const shippedMs = median(shipped);

// per-tick compute of the whole engine cycle (never killed, so every tick quotes)
const quoting = buildConfig({ sets: [...SEED, "risk.max_drawdown_pct=99"] });
const part = candles.slice(0, 20_000);
const feed = new ReplayFeed(part, quoting.market.tick_size);
const clock = new ManualClock(part[0].ts + requiredCandles(quoting.strategy) * CANDLE_MS);
const engine = new Engine({ config: quoting, exchange: new PaperExchange(feed, clock, quoting), clock });
await engine.start();
const samples: number[] = [];
for (let i = 0; i < 60_000; i++) {
  clock.advance(15_000);
  const t = performance.now();
  const waiting = engine.tick();
  if (waiting) await waiting;
  if (i > 2000) samples.push(performance.now() - t);
}
samples.sort((a, b) => a - b);
const q = (p: number) => samples[Math.floor(p * (samples.length - 1))] * 1000;

console.log(JSON.stringify({ backtestMs, shippedMs, ticks, aside, fills, tickP50Us: q(0.5), tickP99Us: q(0.99) }));

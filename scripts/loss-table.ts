/**
 * Where a configuration loses, per development file, on the holdout window W3 of `optimize --mirror --folds 3`
 * (out of sample), run and mirror side by side: fills, spread capture vs fee vs 1 m / 5 m markout per fill (bps), the
 * PnL split in % of the starting equity (spread, inventory over holding, fees, funding), the time at the inventory
 * limit and the mean |ratio − target|, then the edge and directional parts.
 *   deno run -A scripts/loss-table.ts CONFIG "key=value key=value" CSV...
 * WARMUP=120 sets the candles before the first window (default: what the profile's default space needs); WINDOW=j
 * another window than the holdout (3).
 */
import { loadConfig } from "../lib/config/cli.ts";
import { loadCandleFile } from "../lib/venues/replay-feed.ts";
import { spaceFor, warmupOf } from "../lib/lab/space.ts";
import { mirroredWindowInput, splitWindows, windowInput } from "../lib/lab/walk-forward.ts";
import { type BacktestSummary, runBacktest } from "../lib/lab/backtest.ts";

const [cfgPath, setsText, ...files] = Deno.args;
const sets = setsText ? setsText.split(" ").filter(Boolean) : [];
const config = loadConfig(cfgPath, sets);
const warmup = Deno.env.get("WARMUP") ? Number(Deno.env.get("WARMUP")) : warmupOf(config, spaceFor(config, []));
const j = Number(Deno.env.get("WINDOW") ?? 3);
const x = (v: number | null, d = 2) => (v === null ? "–" : (v >= 0 ? "+" : "") + v.toFixed(d));

function line(name: string, s: BacktestSummary): { text: string; excess: number } {
  const e0 = s.initial_equity_quote, pct = (q: number) => q / e0 * 100;
  const holdPnl = s.hold_equity_quote - e0;
  const fee = s.volume_quote > 0 ? s.fees_quote / s.volume_quote * 10_000 : null;
  const excess = s.return_pct - s.hold_return_pct;
  return {
    excess,
    text: [
      name.padEnd(28),
      `fills ${String(s.fills).padStart(5)}`,
      `capture ${x(s.spread_capture_bps_avg, 1)} fee ${x(fee, 1)} mo1 ${x(s.markout_1m_bps, 1)} mo5 ${
        x(s.markout_5m_bps, 1)
      }`,
      `spread ${x(pct(s.spread_pnl_quote))} inv-hold ${x(pct(s.inventory_pnl_quote - holdPnl))} fees ${
        x(-pct(s.fees_quote))
      } fund ${x(pct(s.funding_quote))}`,
      `limit ${s.inventory_limit_time_pct.toFixed(0)}% dev ${s.inventory_deviation_avg.toFixed(3)}`,
      `excess ${x(excess)}`,
    ].join(" | "),
  };
}

const edges: number[] = [];
for (const f of files) {
  const candles = loadCandleFile(f);
  const w = splitWindows([candles.length], [f], 3, warmup)[0][j];
  const name = f.split("/").pop()!.replace(/^binance_|_1m|\.csv$/g, "");
  const input = windowInput(config, candles, w);
  const run = (await runBacktest(input.config, input.candles)).summary;
  const m = mirroredWindowInput(config, candles, w);
  const mirror = (await runBacktest(m.config, m.candles)).summary;
  const a = line(name, run), b = line("  mirror", mirror);
  const edge = (a.excess + b.excess) / 2;
  edges.push(edge);
  console.log(a.text);
  console.log(b.text);
  console.log(`  edge ${x(edge)} directional ${x((a.excess - b.excess) / 2)}`);
}
console.log(`mean edge ${x(edges.reduce((s, e) => s + e, 0) / edges.length, 3)}`);

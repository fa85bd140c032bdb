/**
 * README → Optimize → the shipped defaults: per development file, the mirrored edge and directional parts (%) of a
 * configuration on the tuning windows W0..W2 of `optimize --mirror --folds 3` (in sample: the search chose on them;
 * their mean, and the mean of optimize's mirrored score there) and on the holdout W3 (out of sample: no choice looked at
 * it), with the holdout's fills (run + mirror).
 *   deno run -A scripts/edge-table.ts NAME CONFIG "key=value key=value" CSV...
 * WARMUP=120 sets the candles before the first window (default: what the profile's default space needs); DIGITS=4 prints
 * four decimals instead of two.
 */
import { loadConfig } from "../lib/config/cli.ts";
import { loadCandleFile } from "../lib/venues/replay-feed.ts";
import { spaceFor, warmupOf } from "../lib/lab/space.ts";
import { evaluateWindow, splitWindows } from "../lib/lab/walk-forward.ts";

const [name, cfgPath, setsText, ...files] = Deno.args;
const sets = setsText ? setsText.split(" ").filter(Boolean) : [];
const config = loadConfig(cfgPath, sets);
// the windows of the optimizer's run: its warm-up is the profile's default space's
const optimized = loadConfig(cfgPath, sets);
const warmup = Deno.env.get("WARMUP") ? Number(Deno.env.get("WARMUP")) : warmupOf(optimized, spaceFor(optimized, []));
const o = { drawdownWeight: 0.5, minFills: 0, mirror: true };
// DIGITS=4: more decimals (default 2)
const digits = Number(Deno.env.get("DIGITS") ?? 2);
for (const f of files) {
  const candles = loadCandleFile(f);
  const [ws] = splitWindows([candles.length], [f], 3, warmup);
  const figs = [];
  for (const w of ws) figs.push(await evaluateWindow(config, candles, w, o));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const tune = figs.slice(0, 3), hold = figs[3];
  const x = (v: number) => (v >= 0 ? "+" : "") + v.toFixed(digits);
  console.log([
    name,
    f.split("/").pop()!.replace(/^binance_|_1m|\.csv$/g, ""),
    "in:",
    x(mean(tune.map((t) => t.edge_pct!))),
    x(mean(tune.map((t) => t.directional_pct!))),
    "score:",
    x(mean(tune.map((t) => t.score ?? NaN))),
    "out:",
    x(hold.edge_pct!),
    x(hold.directional_pct!),
    String(hold.fills),
  ].join(" "));
}

/**
 * Whether a configuration's fills come back (README → "Why nothing earns: the fills do not come back"): on the tuning
 * windows W0..W2 of `optimize --mirror --folds 3` (the holdout W3 is never read), run and mirror pooled, the mean
 * markout of the fills at 1 m to 4 h (bps of the mid at the fill, positive: the mid went on against us), the mean
 * spread capture (from the mid at placement) and the PnL per unit of volume. A passive fill in the replay trades when
 * the mid reaches the order, so it earns nothing at its moment: what it earns is how far the mid comes back, less the
 * fee. A markout that stays above −fee at every horizon means no holding time turns these fills into profit.
 *   deno run -A scripts/markouts.ts CONFIG "key=value key=value" CSV...
 * WARMUP=120 (default) sets the candles before the first window, as scripts/edge-table.ts.
 */
import { loadConfig } from "../lib/config/cli.ts";
import { loadCandleFile, ReplayFeed } from "../lib/venues/replay-feed.ts";
import { mirroredWindowInput, splitWindows, windowInput } from "../lib/lab/walk-forward.ts";
import { runBacktest } from "../lib/lab/backtest.ts";
import { markoutBps } from "../lib/lab/attribution.ts";
import { midOf } from "../lib/core/steps.ts";

const [cfgPath, setsText, ...files] = Deno.args;
const sets = setsText ? setsText.split(" ").filter(Boolean) : [];
const warmup = Number(Deno.env.get("WARMUP") ?? 120);
const HORIZONS_MIN = [1, 5, 15, 60, 240];

const sums = HORIZONS_MIN.map(() => ({ bps: 0, n: 0 }));
let fills = 0, captureBps = 0, pnlQuote = 0, volumeQuote = 0, feesQuote = 0;
for (const file of files) {
  const all = loadCandleFile(file);
  const [windows] = splitWindows([all.length], [file], 3, warmup);
  for (const w of windows.slice(0, 3)) {
    for (const mirrored of [false, true]) {
      const { config, candles } = (mirrored ? mirroredWindowInput : windowInput)(loadConfig(cfgPath, sets), all, w);
      const r = await runBacktest(config, candles);
      const feed = new ReplayFeed(candles, config.market.tick_size); // the mid path the backtest replayed
      const midAt = (t: number) => midOf(feed.topOfBook(t)!);
      const endTs = feed.series.endTs;
      HORIZONS_MIN.forEach((h, k) => {
        const counted = r.fills.filter((f) => f.ts + h * 60_000 <= endTs);
        const m = markoutBps(counted, midAt, h * 60_000, endTs);
        if (m !== null) sums[k].bps += m * counted.length, sums[k].n += counted.length;
      });
      for (const f of r.fills) {
        fills++, captureBps += f.spread_capture_bps ?? 0, volumeQuote += f.price * f.amount, feesQuote += f.fee_quote;
      }
      pnlQuote += r.summary.pnl_quote;
    }
  }
}
const bps = (x: number) => (x / volumeQuote * 10_000).toFixed(2);
console.log(
  `${cfgPath} ${sets.join(" ")}: ${fills} fills, capture ${(captureBps / fills).toFixed(2)} bps, fees ${
    bps(feesQuote)
  } bps, PnL ${bps(pnlQuote)} bps of the volume`,
);
console.log(`markout: ${HORIZONS_MIN.map((h, k) => `${h} m ${(sums[k].bps / sums[k].n).toFixed(2)}`).join(", ")} bps`);

/**
 * The calm filter (`strategy.range_guard_*`, off at 0): quote close only once the market has calmed. NATR is a slow
 * average (30 candles and more), so in the first minutes of a burst the spreads it sets are still the calm market's,
 * and those are the fills the burst goes on through (the markout the backtest reports as adverse selection). The
 * filter reads the widest of the last closed candles,
 *
 *   range = max over the last range_guard_min closed 1m candles of ln(high / low)     (Indicators.snapshot().range)
 *
 * and when range > range_guard_natr × natr / 100 (natr in percent) both sides stand further off by
 *
 *   extra = range_guard_widen × range          (a fraction of the reference, added to each side's spread)
 *
 * until the wide candle is older than `range_guard_min` candles. ln(high / low) is the same for a candle and its
 * mirror (p → P0² / p swaps high and low), and both sides move alike, so the filter takes no view on direction.
 * `range_guard_natr` 0 turns it off; so does `range_guard_widen` 0.
 */
import type { StrategyParams } from "./params.ts";

type RangeParams = Pick<StrategyParams, "range_guard_natr" | "range_guard_widen">;

/** Extra spread of each side, a fraction of the reference (0 when the filter is off or the market is calm). */
export function rangeGuard(p: RangeParams, range: number | null, natrPct: number): number {
  if (!(p.range_guard_natr > 0) || !(p.range_guard_widen > 0) || range === null || !Number.isFinite(range)) return 0;
  return range > p.range_guard_natr * natrPct / 100 ? p.range_guard_widen * range : 0;
}

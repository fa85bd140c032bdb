/** The largest fall of equity from its running peak: the backtest's report and the daily report compute it here. */
import { drawdownPct } from "./risk.ts";

/**
 * Largest fall of `equities` (in time order) from their running peak, percent; 0 when they never fall. The peak
 * starts at `startPeak` (the backtest's initial equity), else at the first value.
 */
export function maxDrawdownPct(equities: Iterable<number>, startPeak = -Infinity): number {
  let peak = startPeak, worst = 0;
  for (const equity of equities) {
    peak = Math.max(peak, equity);
    worst = Math.max(worst, drawdownPct(equity, peak));
  }
  return worst;
}

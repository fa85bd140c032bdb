/**
 * The mirror (DESIGN §14): the same market with the opposite direction, to tell a market maker's edge apart from a
 * directional bet.
 *
 * Every price p becomes P0² / p, P0 the first candle's open: the path starts at the same price, a rise of x % becomes
 * a fall to 1 / (1 + x) (and the other way round), and the log-returns are those of the original with their sign
 * flipped, so the volatility (and NATR's scale) is the same. High and low swap (P0²/low is the highest mirrored
 * price). Volume stays as traded (base units). Perp funding rates change sign: in the mirrored market the side that
 * paid receives.
 *
 *   excess      = return_pct − hold_return_pct            (what quoting did over holding the starting balances)
 *   edge_pct        = (excess + excess_mirror) / 2        (what it earns whichever way the market goes)
 *   directional_pct = (excess − excess_mirror) / 2        (what it won or lost by leaning with this direction)
 */
import type { Config } from "../config/schema.ts";
import type { Candle } from "../core/types.ts";
import { CandleColumns } from "../core/candle-columns.ts";
import type { FundingRate } from "../venues/funding-file.ts";
import { type BacktestOptions, type BacktestReport, type BacktestSummary, runBacktest } from "./backtest.ts";

/** The candles mirrored about the first open: p → P0² / p, high and low swapped, volume and times kept. */
export function mirrorCandles(candles: readonly Candle[]): Candle[] {
  if (!candles.length) return [];
  const p0sq = candles[0].open * candles[0].open;
  return candles.map((c) => ({
    ts: c.ts,
    open: p0sq / c.open,
    high: p0sq / c.low,
    low: p0sq / c.high,
    close: p0sq / c.close,
    volume: c.volume,
  }));
}

/** Funding rates of the mirrored market: the same times, the opposite sign. */
export function mirrorFunding(rates: readonly FundingRate[]): FundingRate[] {
  // 0 − rate: a zero rate stays +0, not −0
  return rates.map((r) => ({ ts: r.ts, rate: 0 - r.rate }));
}

/** Edge and directional parts, in %, from the excess returns over holding of a run and of its mirror. */
export interface EdgeSplit {
  edge_pct: number;
  directional_pct: number;
}

export function edgeSplit(excessPct: number, mirrorExcessPct: number): EdgeSplit {
  return { edge_pct: (excessPct + mirrorExcessPct) / 2, directional_pct: (excessPct - mirrorExcessPct) / 2 };
}

/** A backtest and its mirror: the run's report with `edge_pct`, `directional_pct` and the mirror's summary added. */
export async function runMirroredBacktest(
  config: Config,
  candles: readonly Candle[] | CandleColumns,
  opts: BacktestOptions = {},
): Promise<BacktestReport & { mirror: BacktestReport }> {
  const half = (f: number) => (done: number) => opts.onProgress?.(f + done / 2);
  const report = await runBacktest(config, candles, { ...opts, onProgress: opts.onProgress && half(0) });
  const mirrored = mirrorConfig(config, opts.fundingRates === undefined);
  const mirror = await runBacktest(
    mirrored,
    mirrorCandles(candles instanceof CandleColumns ? candles.candles() : candles),
    {
      fundingRates: opts.fundingRates && mirrorFunding(opts.fundingRates),
      onProgress: opts.onProgress && half(0.5),
    },
  );
  const split = edgeSplit(excessOf(report.summary), excessOf(mirror.summary));
  return { ...report, summary: { ...report.summary, ...split, mirror: mirror.summary }, mirror };
}

const excessOf = (s: BacktestSummary) => s.return_pct - s.hold_return_pct;

/** The configuration of the mirrored run: the constant funding rate (used without a funding file) changes sign. */
export function mirrorConfig(config: Config, flipConstantFunding: boolean): Config {
  if (!flipConstantFunding || config.market.type !== "perp") return config;
  return { ...config, paper: { ...config.paper, funding_rate_8h: 0 - config.paper.funding_rate_8h } };
}

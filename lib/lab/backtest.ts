/**
 * Backtest: the live engine and strategy on a simulated clock over a candle file, as fast as possible,
 * against the paper exchange. Produces the report of DESIGN §10.
 *
 * Sampling: equity (base × mid + quote) is sampled at every tick for the drawdown and the chart;
 * Sharpe uses hourly equity returns, annualised with √(24 × 365) (crypto trades every hour of the year).
 * The PnL is split into spread, inventory, fees and funding (attribution.ts).
 */
import { equityOf, type Portfolio } from "../core/accounting.ts";
import { ManualClock } from "../engine/clock.ts";
import type { Config } from "../config/schema.ts";
import { Engine } from "../engine/engine.ts";
import type { Candle, Fill, Inventory } from "../core/types.ts";
import type { CandleColumns } from "../core/candle-columns.ts";
import { requiredCandles } from "../core/indicators.ts";
import { PaperExchange } from "../venues/paper.ts";
import { maxDrawdownPct } from "../core/drawdown.ts";
import { midOf } from "../core/steps.ts";
import { inventoryRatio } from "../core/quoting.ts";
import { ReplayFeed } from "../venues/replay-feed.ts";
import { markoutBps, type PnlSplit, splitPnl, spreadOf } from "./attribution.ts";
import { rateTable } from "../core/funding.ts";
import { isLiquidation } from "../core/margin.ts";
import type { FundingRate } from "../venues/funding-file.ts";

export interface BacktestSummary extends PnlSplit {
  start: string;
  end: string;
  ticks: number;
  initial_base: number;
  initial_quote: number;
  initial_mid: number;
  final_mid: number;
  initial_equity_quote: number;
  final_equity_quote: number;
  /** = spread_pnl_quote + inventory_pnl_quote − fees_quote + funding_quote */
  pnl_quote: number;
  return_pct: number;
  hold_equity_quote: number;
  hold_return_pct: number;
  sharpe: number | null;
  max_drawdown_pct: number;
  fills: number;
  buys: number;
  sells: number;
  volume_quote: number;
  realized_pnl_quote: number;
  unrealized_pnl_quote: number;
  /** mean distance of the fills from the mid when their orders were placed, bps */
  spread_capture_bps_avg: number | null;
  /** mean move of the mid against us 1 and 5 minutes after our fills, bps (positive: adverse) */
  markout_1m_bps: number | null;
  markout_5m_bps: number | null;
  /** quotes not placed, by reason: one per side per tick (a tick standing aside counts two) */
  skipped: Record<string, number>;
  /** share of ticks with the inventory past target ± max_inventory_deviation (one side not quoted) */
  inventory_limit_time_pct: number;
  /** mean over ticks of |inventory ratio − target_base_ratio| (DESIGN §4's ratio; 0: always on target) */
  inventory_deviation_avg: number;
  kill_switch_trips: { ts: string; drawdown_pct: number }[];
  /** perp: positions the paper venue liquidated (DESIGN §13), each closed at its liquidation price with the fee */
  liquidations: number;
  final_base: number;
  final_quote: number;
  /** with --mirror (lib/lab/mirror.ts): (excess + excess of the mirror) / 2, % */
  edge_pct?: number;
  /** with --mirror: (excess − excess of the mirror) / 2, % */
  directional_pct?: number;
  /** with --mirror: the mirrored run's summary */
  mirror?: BacktestSummary;
}

export interface ReportFill {
  ts: number;
  side: "buy" | "sell";
  price: number;
  amount: number;
  fee_quote: number;
  /** the mid when it traded */
  mid: number;
  trade_id: string;
  spread_capture_bps: number | null;
  /** perp: present (true) on the fill that closed a liquidated position */
  liquidation?: true;
}

/** Every-tick series for the chart (cumulative PnL parts in quote). */
export interface Series {
  ts: Float64Array;
  mid: Float64Array;
  equity: Float64Array;
  hold: Float64Array;
  inventoryRatio: Float64Array;
  spread: Float64Array;
  inventoryPnl: Float64Array;
  fees: Float64Array;
}

export interface BacktestReport {
  summary: BacktestSummary;
  fills: ReportFill[];
  series: Series;
}

export interface BacktestOptions {
  /** called now and then with the share done, 0..1 */
  onProgress?: (done: number) => void;
  /** perp: funding rates by funding time (`--funding CSV`); absent, `paper.funding_rate_8h` at every funding time */
  fundingRates?: readonly FundingRate[];
}

/** Skip reasons always in the report, zero or not (DESIGN §14); others appear when they happen. */
const NAMED_SKIPS = [
  "min_notional",
  "inventory_limit",
  "funds",
  "stale_book",
  "stale_candles",
  "volatility_cap",
  "kill_switch",
];

export async function runBacktest(
  config: Config,
  candles: readonly Candle[] | CandleColumns,
  opts: BacktestOptions = {},
): Promise<BacktestReport> {
  const feed = new ReplayFeed(candles, config.market.tick_size);
  const start = feed.warmStart(requiredCandles(config.strategy), "backtest");
  const end = feed.series.endTs;
  const clock = new ManualClock(start);
  // a fixed id prefix: the same data and config give the same report, byte for byte
  const exchange = new PaperExchange(feed, clock, config, undefined, "bt-");
  const rateAt = opts.fundingRates ? rateTable(opts.fundingRates) : () => config.paper.funding_rate_8h;
  const credit = (q: number) => exchange.creditFunding(q);
  const engine = new Engine({
    config,
    exchange,
    clock,
    funding: { source: { kind: "rates", rateAt }, afterTs: null, credit },
    runId: "", // client ids without a run id: unique within the run, and nothing outlives it (options.ts)
  });
  const fills: ReportFill[] = [];
  const trips: BacktestSummary["kill_switch_trips"] = [];
  let spreadSum = 0, liquidations = 0;
  engine.on((e) => {
    if (e.type === "fill") {
      const f: Fill = e.fill;
      if (isLiquidation(f)) liquidations++;
      const mid = f.mid ?? f.price;
      spreadSum += spreadOf(f.side, f.price, f.amount, mid);
      fills.push({
        ts: f.ts,
        side: f.side,
        price: f.price,
        amount: f.amount,
        fee_quote: f.feeQuote,
        mid,
        trade_id: f.tradeId,
        spread_capture_bps: e.spreadCaptureBps,
        ...(isLiquidation(f) ? { liquidation: true as const } : {}),
      });
    } else if (e.type === "kill_switch") {
      trips.push({ ts: new Date(e.ts).toISOString(), drawdown_pct: e.drawdownPct });
    }
  }, { types: ["fill", "kill_switch"] }); // only these: the tick's order events are then not even made
  await engine.start();
  const portfolio = engine.portfolio as Portfolio;
  const { initial_base, initial_quote } = config.paper;
  const midAt = (t: number) => midOf(feed.topOfBook(t)!);
  const initialMid = midAt(start);
  const initialEquity = initial_base * initialMid + initial_quote;

  const step = config.strategy.refresh_s * 1000;
  const total = Math.ceil((end - start) / step);
  const series = newSeries(total);
  const hourly: number[] = [];
  const progressEvery = Math.max(1, Math.floor(total / 100));
  const perp = config.market.type === "perp";
  let ticks = 0, lastMid = initialMid, deviationSum = 0;
  const target = config.strategy.target_base_ratio;
  const held: Inventory = { base: 0, quote: 0, position: undefined }; // the balances each tick, one object rewritten
  for (let t = start; t < end; t += step) {
    clock.set(t);
    const waiting = engine.tick(); // against the paper exchange a tick never waits: no promise, no await
    if (waiting) await waiting;
    const m = engine.topOfBook!; // the top of book the engine saw this tick
    const mid = m.ts === t ? midOf(m) : midAt(t);
    lastMid = mid;
    const equity = equityOf(portfolio, mid);
    if ((t - start) % 3_600_000 < step) hourly.push(equity);
    const baseValue = portfolio.base * mid;
    series.ts[ticks] = t;
    series.mid[ticks] = mid;
    series.equity[ticks] = equity;
    series.hold[ticks] = initial_base * mid + initial_quote;
    series.inventoryRatio[ticks] = perp ? baseValue : baseValue / (baseValue + portfolio.quote);
    held.base = portfolio.base, held.quote = portfolio.quote, held.position = perp ? portfolio.base : undefined;
    const ratio = inventoryRatio(held, mid, config.market.type, config.strategy);
    if (Number.isFinite(ratio)) deviationSum += Math.abs(ratio - target);
    series.spread[ticks] = spreadSum;
    series.fees[ticks] = portfolio.fees;
    series.inventoryPnl[ticks] = equity - initialEquity - spreadSum + portfolio.fees - portfolio.funding;
    ticks++;
    if (opts.onProgress && ticks % progressEvery === 0) opts.onProgress(ticks / total);
  }
  await engine.stop();
  opts.onProgress?.(1);

  const finalEquity = equityOf(portfolio, lastMid);
  const holdEquity = initial_base * lastMid + initial_quote;
  const captures = fills.map((f) => f.spread_capture_bps).filter((x): x is number => x !== null);
  const pnl = finalEquity - initialEquity;
  const skips = engine.skips;
  const skipped: Record<string, number> = {};
  for (const k of NAMED_SKIPS) skipped[k] = 0;
  for (const k of Object.keys(skips.counts).sort()) skipped[k] = skips.counts[k];
  const summary: BacktestSummary = {
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    ticks,
    initial_base,
    initial_quote,
    initial_mid: initialMid,
    final_mid: lastMid,
    initial_equity_quote: initialEquity,
    final_equity_quote: finalEquity,
    return_pct: (finalEquity / initialEquity - 1) * 100,
    hold_equity_quote: holdEquity,
    hold_return_pct: (holdEquity / initialEquity - 1) * 100,
    sharpe: sharpe([...hourly, finalEquity]),
    max_drawdown_pct: maxDrawdownPct(series.equity.subarray(0, ticks), initialEquity),
    fills: portfolio.fills,
    buys: portfolio.buys,
    sells: portfolio.sells,
    volume_quote: portfolio.volumeQuote,
    ...splitPnl(pnl, spreadSum, portfolio.fees, portfolio.funding),
    realized_pnl_quote: portfolio.realized,
    unrealized_pnl_quote: portfolio.base * (lastMid - portfolio.avgCost),
    spread_capture_bps_avg: captures.length ? captures.reduce((a, b) => a + b, 0) / captures.length : null,
    markout_1m_bps: markoutBps(fills, midAt, 60_000, end),
    markout_5m_bps: markoutBps(fills, midAt, 300_000, end),
    skipped,
    inventory_limit_time_pct: ticks ? skips.ticksAtInventoryLimit / ticks * 100 : 0,
    inventory_deviation_avg: ticks ? deviationSum / ticks : 0,
    kill_switch_trips: trips,
    liquidations,
    final_base: portfolio.base,
    final_quote: portfolio.quote,
  };
  return { summary, fills, series: trimSeries(series, ticks) };
}

function newSeries(n: number): Series {
  const a = () => new Float64Array(n);
  return {
    ts: a(),
    mid: a(),
    equity: a(),
    hold: a(),
    inventoryRatio: a(),
    spread: a(),
    inventoryPnl: a(),
    fees: a(),
  };
}

function trimSeries(s: Series, n: number): Series {
  const out = {} as Series;
  for (const k of Object.keys(s) as (keyof Series)[]) out[k] = s[k].subarray(0, n);
  return out;
}

/** Annualised Sharpe of hourly equity returns (risk-free rate 0); null with fewer than 2 returns or no variance. */
export function sharpe(hourlyEquity: number[]): number | null {
  const r: number[] = [];
  for (let i = 1; i < hourlyEquity.length; i++) r.push(hourlyEquity[i] / hourlyEquity[i - 1] - 1);
  if (r.length < 2) return null;
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const variance = r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1);
  if (!(variance > 0)) return null;
  return mean / Math.sqrt(variance) * Math.sqrt(24 * 365);
}

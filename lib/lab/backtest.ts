/**
 * Backtest: the live engine and strategy on a simulated clock over a candle file, as fast as possible,
 * against the paper exchange. Produces the report of DESIGN §10.
 *
 * Sampling: equity (base × mid + quote) is sampled at every tick for the drawdown and the chart;
 * Sharpe uses hourly equity returns, annualised with √(24 × 365) (crypto trades every hour of the year).
 */
import { equityOf, type Portfolio } from "../core/accounting.ts";
import { ManualClock } from "../engine/clock.ts";
import type { Config } from "../config/schema.ts";
import { Engine } from "../engine/engine.ts";
import { type Candle, CANDLE_MS, type Fill } from "../core/types.ts";
import { requiredCandles } from "../core/indicators.ts";
import { PaperExchange } from "../venues/paper.ts";
import { drawdownPct } from "../core/risk.ts";
import { midOf } from "../core/steps.ts";
import { ReplayFeed } from "../venues/replay-feed.ts";
import { rateTable } from "../core/funding.ts";
import type { FundingRate } from "../venues/funding-file.ts";

export interface BacktestSummary {
  start: string;
  end: string;
  ticks: number;
  initial_base: number;
  initial_quote: number;
  initial_mid: number;
  final_mid: number;
  initial_equity_quote: number;
  final_equity_quote: number;
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
  fees_quote: number;
  realized_pnl_quote: number;
  unrealized_pnl_quote: number;
  spread_capture_bps_avg: number | null;
  final_base: number;
  final_quote: number;
  /** perp: funding received (+) or paid (−), Σ −position × open × rate at each funding time (DESIGN §13) */
  funding_quote: number;
}

export interface ReportFill {
  ts: number;
  side: "buy" | "sell";
  price: number;
  amount: number;
  fee_quote: number;
  trade_id: string;
  spread_capture_bps: number | null;
}

/** Every-tick series for the chart. */
export interface Series {
  ts: number[];
  mid: number[];
  equity: number[];
  hold: number[];
  inventoryRatio: number[];
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

export async function runBacktest(
  config: Config,
  candles: Candle[],
  opts: BacktestOptions = {},
): Promise<BacktestReport> {
  const feed = new ReplayFeed(candles, config.market.tick_size);
  const warmup = requiredCandles(config.strategy);
  const start = candles[0].ts + warmup * CANDLE_MS;
  const end = feed.series.endTs;
  if (start >= end) {
    throw new Error(`backtest: ${candles.length} candles are not enough; the indicators alone need ${warmup}`);
  }
  const clock = new ManualClock(start);
  const exchange = new PaperExchange(feed, clock, config);
  const rateAt = opts.fundingRates ? rateTable(opts.fundingRates) : () => config.paper.funding_rate_8h;
  const credit = (q: number) => exchange.creditFunding(q);
  const engine = new Engine({
    config,
    exchange,
    clock,
    funding: { source: { kind: "rates", rateAt }, afterTs: null, credit },
  });
  const fills: ReportFill[] = [];
  engine.on((e) => {
    if (e.type === "fill") {
      const f: Fill = e.fill;
      fills.push({
        ts: f.ts,
        side: f.side,
        price: f.price,
        amount: f.amount,
        fee_quote: f.feeQuote,
        trade_id: f.tradeId,
        spread_capture_bps: e.spreadCaptureBps,
      });
    }
  });
  await engine.start();
  const portfolio = engine.portfolio as Portfolio;
  const { initial_base, initial_quote } = config.paper;
  const midAt = (t: number) => {
    return midOf(feed.topOfBook(t)!);
  };
  const initialMid = midAt(start);
  const initialEquity = initial_base * initialMid + initial_quote;

  const series: Series = { ts: [], mid: [], equity: [], hold: [], inventoryRatio: [] };
  const hourly: number[] = [];
  let peak = initialEquity, maxDd = 0;
  const step = config.strategy.refresh_s * 1000;
  const total = Math.ceil((end - start) / step);
  const progressEvery = Math.max(1, Math.floor(total / 100));
  let ticks = 0, lastMid = initialMid;
  for (let t = start; t < end; t += step) {
    clock.set(t);
    await engine.tick();
    ticks++;
    const m = engine.topOfBook!; // the top of book the engine saw this tick
    const mid = m.ts === t ? midOf(m) : midAt(t);
    lastMid = mid;
    const equity = equityOf(portfolio, mid);
    peak = Math.max(peak, equity);
    maxDd = Math.max(maxDd, drawdownPct(equity, peak));
    if ((t - start) % 3_600_000 < step) hourly.push(equity);
    series.ts.push(t);
    series.mid.push(mid);
    series.equity.push(equity);
    series.hold.push(initial_base * mid + initial_quote);
    const baseValue = portfolio.base * mid;
    series.inventoryRatio.push(
      config.market.type === "perp" ? portfolio.base * mid : baseValue / (baseValue + portfolio.quote),
    );
    if (opts.onProgress && ticks % progressEvery === 0) opts.onProgress(ticks / total);
  }
  await engine.stop();
  opts.onProgress?.(1);

  const finalEquity = equityOf(portfolio, lastMid);
  const holdEquity = initial_base * lastMid + initial_quote;
  const captures = fills.map((f) => f.spread_capture_bps).filter((x): x is number => x !== null);
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
    pnl_quote: finalEquity - initialEquity,
    return_pct: (finalEquity / initialEquity - 1) * 100,
    hold_equity_quote: holdEquity,
    hold_return_pct: (holdEquity / initialEquity - 1) * 100,
    sharpe: sharpe([...hourly, finalEquity]),
    max_drawdown_pct: maxDd,
    fills: portfolio.fills,
    buys: portfolio.buys,
    sells: portfolio.sells,
    volume_quote: portfolio.volumeQuote,
    fees_quote: portfolio.fees,
    realized_pnl_quote: portfolio.realized,
    unrealized_pnl_quote: portfolio.base * (lastMid - portfolio.avgCost),
    spread_capture_bps_avg: captures.length ? captures.reduce((a, b) => a + b, 0) / captures.length : null,
    final_base: portfolio.base,
    final_quote: portfolio.quote,
    funding_quote: portfolio.funding,
  };
  return { summary, fills, series };
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

/** The summary as an aligned two-column table. */
export function summaryTable(s: BacktestSummary, quote: string): string {
  const f = (x: number | null, d = 2) => (x === null ? "n/a" : x.toFixed(d));
  const rows: [string, string][] = [
    ["period", `${s.start.slice(0, 16)} → ${s.end.slice(0, 16)} (${s.ticks} ticks)`],
    ["initial equity", `${f(s.initial_equity_quote)} ${quote} (${s.initial_base} base + ${s.initial_quote} ${quote})`],
    ["final equity", `${f(s.final_equity_quote)} ${quote}`],
    ["pnl", `${f(s.pnl_quote)} ${quote} (${f(s.return_pct, 3)} %)`],
    ["hold benchmark", `${f(s.hold_equity_quote)} ${quote} (${f(s.hold_return_pct, 3)} %)`],
    ["sharpe (hourly, annualised)", f(s.sharpe)],
    ["max drawdown", `${f(s.max_drawdown_pct, 3)} %`],
    ["fills", `${s.fills} (${s.buys} buys, ${s.sells} sells)`],
    ["volume", `${f(s.volume_quote)} ${quote}`],
    ["fees", `${f(s.fees_quote, 4)} ${quote}`],
    ["funding", `${f(s.funding_quote, 4)} ${quote}`],
    ["realized / unrealized", `${f(s.realized_pnl_quote)} / ${f(s.unrealized_pnl_quote)} ${quote}`],
    ["spread capture", `${f(s.spread_capture_bps_avg)} bps per fill`],
    ["final balances", `${f(s.final_base, 8)} base, ${f(s.final_quote, 6)} ${quote}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n");
}

/** Shared builders for tests: configs, indicator snapshots, quoting inputs. */
import { buildConfig, ConfigError } from "../lib/config/validate.ts";
import type { Config } from "../lib/config/schema.ts";
import type { Candle, Order } from "../lib/core/types.ts";
import type { IndicatorSnapshot } from "../lib/core/indicators.ts";
import type { QuoteDecision, QuoteInput } from "../lib/core/quoting.ts";
import type { BacktestSummary } from "../lib/lab/backtest.ts";
import type { Quoted } from "../lib/core/quote-record.ts";

/** DESIGN §4's seed spreads, shift, inventory scalar and NATR period (also the bench's workload, bench/data.ts). */
export const DESIGN_SEED = [
  "strategy.bid_spread_multiplier=120",
  "strategy.ask_spread_multiplier=60",
  "strategy.shift_multiplier=0.5",
  "strategy.inventory_scalar=1",
  "strategy.natr_period=30",
];

/**
 * The seed values of DESIGN §4 that the worked numbers in the tests are computed with (multipliers 120 / 60,
 * shift 0.5, inventory scalar 1, NATR 30, band 0.3 and no inventory control). The shipped defaults are tuned by `optimize` (README → Optimize) and
 * may move; the formulas' tests stay on these.
 */
export const SEED = [
  ...DESIGN_SEED,
  // inventory control off (lib/core/inventory.ts): the seed's band, no skew, full sizes
  "strategy.max_inventory_deviation=0.3",
  "strategy.inventory_skew=0",
  "strategy.inventory_size_shape=0",
  // one level a side (lib/core/levels.ts), as DESIGN §4's seed
  "strategy.levels=1",
  "strategy.level_step_natr=0",
  "strategy.level_amount_scale=1",
  // no fast-move guard (lib/core/move-guard.ts)
  "strategy.move_guard_natr=0",
];

/** A config from defaults with the seed values, plus `key.path=value` overrides. */
export function config(...sets: string[]): Config {
  return buildConfig({ sets: [...SEED, ...sets] });
}

/**
 * The engine tests' small market: the fixed profile (no trend, spreads from NATR alone), NATR on 5 candles so a few
 * minutes of data warm it up, 0.1 base orders against 1 base + 100 quote.
 */
export const ENGINE_SETS = [
  "strategy.profile=fixed",
  "strategy.natr_period=5",
  "strategy.order_amount=0.1",
  "paper.initial_base=1",
  "paper.initial_quote=100",
];

/** The engine tests' config (ENGINE_SETS on the seed values), plus `key.path=value` overrides. */
export function engineConfig(...sets: string[]): Config {
  return config(...ENGINE_SETS, ...sets);
}

export const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

/** Ready indicators whose last closed candle opened two minutes before NOW (so it ended a minute ago). */
export function indicators(over: Partial<IndicatorSnapshot> = {}): IndicatorSnapshot {
  return {
    ready: true,
    count: 40,
    required: 34,
    lastCandleTs: NOW - 120_000,
    natr: 0.05,
    atr: 1.5,
    macd: { macd: 0, signal: 0, histogram: 0 },
    rsi: 50,
    sigma: 0.0005,
    move: null,
    range: null,
    ...over,
  };
}

/** Mid 3000 with a 2-cent book, tick 0.01, lot 0.0001, min notional 5, balanced spot inventory. */
/** Fixed 10 / 10 bps with no seed shift: at quoteInput's mid 3000 (book 2999.99 / 3000.01) bid 2997.00, ask 3003.00. */
export const FIXED_10_10 = [
  "strategy.profile=fixed",
  "strategy.fixed_bid_spread_bps=10",
  "strategy.fixed_ask_spread_bps=10",
  "strategy.shift_multiplier=0",
];

/** A decision the test expects to quote, typed as one. */
export const quoted = (d: QuoteDecision) => d as Quoted;

export function quoteInput(over: Partial<QuoteInput> = {}, ...sets: string[]): QuoteInput {
  const c = config(...sets);
  return {
    nowMs: NOW,
    topOfBook: { ts: NOW, bestBid: 2999.99, bestAsk: 3000.01 },
    rules: { tickSize: 0.01, lotSize: 0.0001, minNotional: 5 },
    indicators: indicators(),
    inventory: { base: 1, quote: 3000 },
    marketType: c.market.type,
    params: c.strategy,
    makerFeeBps: 0, // no fee floor unless a test sets a fee: the seed formulas alone
    ...over,
  };
}

/** One 1m candle. */
export function bar(ts: number, open: number, high: number, low: number, close: number, volume = 100): Candle {
  return { ts, open, high, low, close, volume };
}

/** `n` candles from `startTs`, each flat at the price `price(i)` (no range). */
export function flat(startTs: number, n: number, price: (i: number) => number, volume = 100): Candle[] {
  return Array.from({ length: n }, (_, i) => {
    const p = price(i);
    return bar(startTs + i * 60_000, p, p, p, p, volume);
  });
}

/**
 * Polls `check` every 20 ms until it holds; fails after `ms` naming `what` (a function: the text is built only on
 * failure, e.g. with the output so far). Tests wait on conditions, never on fixed sleeps.
 */
export async function until(
  check: () => boolean,
  what: string | (() => string) = "the condition",
  ms = 20_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${typeof what === "function" ? what() : what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The problems a config (YAML text and `--set` values) produces: [] when it is accepted. */
export function configProblems(yamlText: string | undefined, ...sets: string[]): string[] {
  try {
    buildConfig({ yamlText, source: "test.yml", sets });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

/** An open order of 0.01 base, nothing filled, at `ts` (0 unless given). */
export const openOrder = (id: string, side: Order["side"], price: number, ts = 0): Order => ({
  clientOrderId: id,
  venueOrderId: `v-${id}`,
  side,
  price,
  amount: 0.01,
  filled: 0,
  status: "open",
  ts,
});

/** A backtest summary with worked figures (PnL 12 = spread 9.5 + inventory 3.3 − fees 0.3 + funding −0.5). */
export const BACKTEST_SUMMARY: BacktestSummary = {
  start: "2024-05-01T03:34:00.000Z",
  end: "2024-05-02T03:34:00.000Z",
  ticks: 5760,
  initial_base: 1,
  initial_quote: 3000,
  initial_mid: 3000,
  final_mid: 3030,
  initial_equity_quote: 6000,
  final_equity_quote: 6012,
  pnl_quote: 12,
  return_pct: 0.2,
  hold_equity_quote: 6030,
  hold_return_pct: 0.5,
  sharpe: 1.234,
  max_drawdown_pct: 0.75,
  fills: 10,
  buys: 4,
  sells: 6,
  volume_quote: 300.5,
  // 12 = 9.5 + 3.3 − 0.3 − 0.5
  spread_pnl_quote: 9.5,
  inventory_pnl_quote: 3.3,
  fees_quote: 0.3,
  funding_quote: -0.5,
  realized_pnl_quote: 5,
  unrealized_pnl_quote: 7.3,
  spread_capture_bps_avg: 3,
  markout_1m_bps: null,
  markout_5m_bps: null,
  skipped: {},
  liquidations: 0,
  inventory_limit_time_pct: 0,
  inventory_deviation_avg: 0.02,
  kill_switch_trips: [],
  final_base: 0.98,
  final_quote: 3072.6,
};

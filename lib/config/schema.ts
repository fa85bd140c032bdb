/**
 * The configuration schema: every key with its type, default, bounds and meaning (units in the text).
 * Types, --set parsing, error texts and config.yml's comments all follow from it.
 * Layers, later wins: schema defaults → config file (YAML) → `--set key.path=value` (lib/config/validate.ts).
 * Secrets never live here; they come from the environment (lib/config/secrets.ts).
 */
import { PROFILES, type RiskLimits, type StrategyParams } from "../core/params.ts";
import { GUARD_KEYS } from "./guard-keys.ts";

export { PROFILES };
export type { Profile } from "../core/params.ts";

export type NumberField = {
  kind: "number" | "integer";
  default: number;
  doc: string;
  /** inclusive bounds */
  min?: number;
  max?: number;
  /** exclusive bounds */
  above?: number;
  below?: number;
};
type BooleanField = { kind: "boolean"; default: boolean; doc: string };
type StringField = { kind: "string"; default: string; doc: string };
type EnumField<V extends string = string> = {
  kind: "enum";
  default: V;
  values: readonly V[];
  doc: string;
};
export type Field = NumberField | BooleanField | StringField | EnumField;

const num = (
  def: number,
  doc: string,
  bounds: Omit<NumberField, "kind" | "default" | "doc"> = {},
): NumberField => ({ kind: "number", default: def, doc, ...bounds });
const int = (
  def: number,
  doc: string,
  bounds: Omit<NumberField, "kind" | "default" | "doc"> = {},
): NumberField => ({ kind: "integer", default: def, doc, ...bounds });
const bool = (def: boolean, doc: string): BooleanField => ({ kind: "boolean", default: def, doc });
const str = (def: string, doc: string): StringField => ({ kind: "string", default: def, doc });
const oneOf = <const V extends string>(values: readonly V[], def: V, doc: string): EnumField<V> => ({
  kind: "enum",
  values,
  default: def,
  doc,
});

/** on: a normal message; silent: delivered without a notification sound; off: not sent */
export const ALERT_LEVELS = ["on", "silent", "off"] as const;
export type AlertLevel = typeof ALERT_LEVELS[number];

// Bounds shared by several keys. Every price, amount and step key has finite ones: a subnormal step
// (1e-320) or an astronomic balance is accepted by "> 0" yet turns prices and PnL into NaN/Infinity.
/** tick_size, lot_size: the finest real steps are about 1e-10; rounding scales by 10^decimals of the step */
const STEP_BOUNDS = { min: 1e-12, max: 1e6 };
/** spread multipliers: the defaults are 60–120 */
const MULTIPLIER_BOUNDS = { above: 0, max: 1e6 };
/** fixed spreads in bps: 10000 bps is 100% of the price */
const SPREAD_BPS_BOUNDS = { above: 0, max: 10_000 };
/** factors where 0 turns a tool off (inventory skew and size shape, the fast-move guard) */
const UP_TO_10 = { min: 0, max: 10 };
const UP_TO_20 = { min: 0, max: 20 };
const PERIOD = { min: 2, max: 1000 };

/** The schema: every key, its type, default, bounds and meaning (units in the text). */
export const SCHEMA = {
  mode: oneOf(["paper", "live"], "paper", "paper: simulated fills; live: real orders through ccxt"),
  market: {
    exchange: str("binance", "ccxt exchange id (binance for spot, binanceusdm for USDT-M perpetuals)"),
    symbol: str("ETH/USDT", "ccxt unified symbol (perpetuals look like ETH/USDT:USDT)"),
    type: oneOf(["spot", "perp"], "spot", "spot: inventory is base vs quote; perp: inventory is the position"),
    sandbox: bool(true, "live mode only: use the exchange's testnet / demo trading"),
    rest_url: str("", "send every REST call to this base URL instead (empty: the exchange's own)"),
    tick_size: num(
      0.01,
      "price step in quote; paper/backtest only (live reads it from the market). 1e-12..1e6: finer than any " +
        "venue's tick yet coarse enough that rounding to it stays exact in doubles",
      STEP_BOUNDS,
    ),
    lot_size: num(
      0.0001,
      "amount step in base; paper/backtest only (live reads it from the market). 1e-12..1e6, as tick_size",
      STEP_BOUNDS,
    ),
    min_notional: num(
      5,
      "smallest order value in quote; paper/backtest only (live reads it). At most 1e9: no venue asks more",
      { min: 0, max: 1e9 },
    ),
    client_order_prefix: str("mmbot-", "client order id prefix: orders carrying it are ours to cancel"),
    maker_fee_bps: num(10, "maker fee in basis points of the order value (negative: rebate)", {
      min: -100,
      max: 100,
    }),
    leverage: int(
      1,
      "perp: leverage set on the venue at start (live) and used for paper margin; refused at start if the venue says no",
      { min: 1, max: 125 },
    ),
    margin_mode: oneOf(
      ["cross", "isolated"],
      "cross",
      "perp: margin mode set on the venue at start (live) and used for the paper liquidation price",
    ),
  },
  strategy: {
    profile: oneOf(
      PROFILES,
      "natr_macd",
      "natr_macd: NATR spreads + MACD trend skew; natr_rsi: NATR spreads + RSI skew; fixed: constant spreads; " +
        "as: Avellaneda–Stoikov reservation price and spread from σ, as_gamma, as_kappa, as_tau_min",
    ),
    refresh_s: num(15, "seconds between re-quotes", { min: 1, max: 3600 }),
    order_amount: num(0.01, "size of each quote in base currency (≤ 1e9: no venue lists more)", { above: 0, max: 1e9 }),
    order_value_quote: num(
      0,
      "size of each quote in quote currency, amount = this / price (0: off, order_amount applies; not both)",
      { min: 0, max: 1e12 },
    ),
    // natr_macd's NATR period, spread multipliers, shift, inventory scalar, inventory control (max_inventory_deviation,
    // inventory_skew, inventory_size_shape) and levels (levels, level_step_natr, level_amount_scale) were chosen by
    // `optimize --mirror` on the development data (README → Optimize); the seed values were 30, 120 / 60, 0.5, 1, 0.3,
    // 0 (off), 0 (off) and one level
    natr_period: int(22, "NATR / ATR period in 1m candles (as: also σ's, the 1m log returns' deviation)", PERIOD),
    bid_spread_multiplier: num(
      347.243,
      "bid spread = natr × this / 10000 (natr in percent). At most 1e6: a spread of 100 × natr, far past any use",
      MULTIPLIER_BOUNDS,
    ),
    ask_spread_multiplier: num(
      355.308,
      "ask spread = natr × this / 10000 (natr in percent). At most 1e6, as bid_spread_multiplier",
      MULTIPLIER_BOUNDS,
    ),
    fixed_bid_spread_bps: num(
      10,
      "fixed profile: bid distance from the reference in bps. At most 10000 (100%: a bid at price 0)",
      SPREAD_BPS_BOUNDS,
    ),
    fixed_ask_spread_bps: num(
      10,
      "fixed profile: ask distance from the reference in bps. At most 10000 (100%: an ask at twice the price)",
      SPREAD_BPS_BOUNDS,
    ),
    macd_fast: int(12, "natr_macd: MACD fast EMA period in candles", { min: 1, max: 1000 }),
    macd_slow: int(26, "natr_macd: MACD slow EMA period in candles", { min: 2, max: 1000 }),
    macd_signal: int(9, "natr_macd: MACD signal EMA period in candles", { min: 1, max: 1000 }),
    rsi_period: int(30, "natr_rsi: RSI period in candles", { min: 2, max: 1000 }),
    trend_scalar: num(-1, "natr_rsi: s = this × (rsi − 50) / 50; −1 leans against overbought/oversold", {
      min: -1,
      max: 1,
    }),
    shift_multiplier: num(1.31623, "max_shift = this × natr / 100 (fraction of mid)", { min: 0, max: 100 }),
    inventory_scalar: num(2.42554, "weight of the inventory shift relative to max_shift", { min: 0, max: 100 }),
    target_base_ratio: num(0.5, "wanted share of equity held in base (spot) / neutral position (perp)", {
      above: 0,
      below: 1,
    }),
    max_inventory_deviation: num(0.117991, "past |ratio − target| > this, quote only the side that reduces it", {
      above: 0,
      max: 1,
    }),
    // inventory control, levels and the as profile: formulas in lib/core/inventory.ts, levels.ts, avellaneda.ts
    inventory_skew: num(0.0702026, "reference shift toward target, mean half-spreads at the band (0: off)", UP_TO_10),
    inventory_size_shape: num(2.509, "adding side sized × exp(−this × share of band used) (0: off)", UP_TO_20),
    levels: int(3, "quotes a side; level k sits k steps beyond level 0", { min: 1, max: 10 }),
    level_step_bps: num(10, "step between levels, bps (when level_step_natr is 0)", { above: 0, max: 1000 }),
    level_step_natr: num(1.37923, "step between levels, NATR multiples (0: level_step_bps)", { min: 0, max: 100 }),
    level_amount_scale: num(0.799374, "level k's size = the order size × this^k", { above: 0, max: 10 }),
    as_gamma: num(1, "as: risk aversion γ; reservation r = mid × (1 − q γ σ² τ)", { above: 0, max: 100 }),
    as_kappa: num(2000, "as: arrival intensity κ; spread γσ²τ + (2/γ)ln(1 + γ/κ)", { above: 0, max: 1e7 }),
    as_tau_min: num(60, "as: horizon τ in minutes", { above: 0, max: 10_080 }),
    // the fast-move guard (lib/core/move-guard.ts): off at its seed 0; natr_macd's 2.46 / 5 / 2.41 were chosen by
    // `optimize --mirror` on the spot tuning windows (README → Optimize); natr_rsi sets its own (1.8 / 9 / 2.34),
    // as and fixed 0
    move_guard_natr: num(2.45821, "fast-move guard: widen after a move past this × natr / 100 (0: off)", UP_TO_10),
    move_guard_min: int(5, "fast-move guard: the move is over this many closed 1m candles", { min: 1, max: 60 }),
    move_guard_widen: num(2.41131, "fast-move guard: the run-over side sits this × |move| further", UP_TO_10),
    ...GUARD_KEYS,
    max_position_notional: num(
      1000,
      "perp: largest position value in quote, either direction. At most 1e12: more than any account holds",
      { above: 0, max: 1e12 },
    ),
    min_spread_bps: num(1, "each quote stays at least this far from mid, in bps", { above: 0, max: 10000 }),
    refresh_tolerance_bps: num(1, "keep a resting order if within this many bps of its new quote", {
      min: 0,
      max: 10000,
    }),
    max_candle_age_s: num(180, "stand aside when the last closed candle ended longer ago than this", { above: 0 }),
    // the fee floor (lib/core/spreads.ts): its own block
    fee_floor: bool(
      true,
      "keep each quote at least market.maker_fee_bps from mid, so a round trip at the maker fee is never a loss",
    ),
  },
  risk: {
    max_drawdown_pct: num(10, "kill switch: stop quoting when the drawdown_basis falls this % below its peak", {
      above: 0,
      max: 100,
    }),
    drawdown_basis: oneOf(
      ["strategy", "equity"],
      "strategy",
      "kill switch on: strategy (spot: starting equity + equity − value of the starting balances held) or equity; perps use equity",
    ),
    max_natr_pct: num(1, "volatility cap: stand aside while NATR (percent) is above this", { above: 0 }),
    max_book_age_s: num(30, "stale data: stand aside when the order book is older than this, seconds", {
      above: 0,
    }),
    max_consecutive_errors: int(5, "error breaker: pause quoting after this many failed ticks in a row", {
      min: 1,
      max: 1000,
    }),
    pull_quotes_on_error: bool(true, "cancel our orders as soon as a tick fails, not only when the breaker trips"),
    dead_man_s: int(60, "venue-side cancel-all if the bot goes silent this long, seconds (Binance USDT-M; 0: off)", {
      min: 0,
      max: 3600,
    }),
    liquidation_guard_pct: num(
      10,
      "perp: stop quoting the side that adds to the position while the mid is within this % of the liquidation price (0: off)",
      { min: 0, max: 100 },
    ),
    shutdown_timeout_s: num(30, "on stop: keep retrying cancels this long before exiting with what is left", {
      above: 0,
      max: 3600,
    }),
  },
  feed: {
    source: oneOf(["replay", "live"], "replay", "replay: candles from feed.path; live: public exchange data"),
    path: str("data/binance_spot_ETHUSDT_1m_sample.csv", "replay: candle CSV (ts,open,high,low,close,volume)"),
    speed: num(1, "replay: clock speed, 1 = wall-clock pace, 60 = a minute per second", {
      above: 0,
      max: 1_000_000,
    }),
  },
  paper: {
    initial_base: num(1, "paper account: starting base balance. At most 1e15: beyond any real account", {
      min: 0,
      max: 1e15,
    }),
    initial_quote: num(3000, "paper account: starting quote balance. At most 1e15, as initial_base", {
      min: 0,
      max: 1e15,
    }),
    max_volume_share: num(0.1, "a fill takes at most this share of the volume traded through our price", {
      above: 0,
      max: 1,
    }),
    funding_rate_8h: num(
      0.0001,
      "perp, replay and backtest without --funding: the funding rate at every funding time (00, 08, 16 UTC)",
      { min: -0.05, max: 0.05 },
    ),
    maintenance_margin_pct: num(
      0.4,
      "perp: maintenance margin rate for the paper liquidation price, % of the position value (Binance ETHUSDT: 0.4)",
      { min: 0, below: 100 },
    ),
    liquidation_fee_pct: num(
      1,
      "perp: the paper venue's liquidation (clearance) fee, % of the position value at the liquidation price, taken from what margin is left",
      { min: 0, max: 10 },
    ),
  },
  http: {
    enabled: bool(true, "serve /health, /metrics, /api and the dashboard"),
    host: str("127.0.0.1", "bind address; non-loopback needs HTTP_TOKEN"),
    port: int(8080, "TCP port (0: any free port)", { min: 0, max: 65535 }),
  },
  telegram: {
    api_root: str("https://api.telegram.org", "Bot API server (a self-hosted one, or a fake in tests)"),
    coalesce_fills_s: num(3, "fills arriving within this many seconds go out as one alert", { min: 0, max: 300 }),
    error_repeat_s: num(300, "an identical error is alerted again (with its count) at most this often, seconds", {
      min: 1,
    }),
    queue_size: int(100, "alerts waiting while Telegram is unreachable; the oldest are dropped beyond this", {
      min: 1,
      max: 10000,
    }),
    alerts: {
      fills: oneOf(ALERT_LEVELS, "on", "each fill (side, amount, price, fee, inventory); on, silent or off"),
      inventory: oneOf(
        ALERT_LEVELS,
        "on",
        "inventory limit hit and cleared; perp liquidation guard engaged and cleared",
      ),
      errors: oneOf(ALERT_LEVELS, "on", "errors (deduplicated) and the error breaker"),
      kill_switch: oneOf(ALERT_LEVELS, "on", "drawdown kill switch tripped"),
      stale_book: oneOf(ALERT_LEVELS, "on", "order book older than risk.max_book_age_s (not quoting) / fresh again"),
      stale_candles: oneOf(
        ALERT_LEVELS,
        "on",
        "last closed candle older than strategy.max_candle_age_s (not quoting) / fresh again",
      ),
      lifecycle: oneOf(ALERT_LEVELS, "silent", "bot started, stopped, paused, resumed"),
    },
    // the daily report (issue 16)
    daily_report: {
      send: oneOf(
        ALERT_LEVELS,
        "silent",
        "daily report (PnL split, fills, volume, fees, funding, inventory, max drawdown): on, silent or off",
      ),
      hour_utc: int(0, "UTC hour (0-23) the daily report goes out; it covers the 24 hours before", {
        min: 0,
        max: 23,
      }),
    },
  },
  storage: {
    path: str("data/mmbot.sqlite", "SQLite ledger file"),
  },
} as const;

export type Section = { readonly [key: string]: Field | Section };
type ValueOf<F> = F extends EnumField<infer V> ? V
  : F extends NumberField ? number
  : F extends BooleanField ? boolean
  : F extends StringField ? string
  : F extends Section ? { -readonly [K in keyof F]: ValueOf<F[K]> }
  : never;

/** The validated configuration; shape and key names follow `SCHEMA`. */
export type Config = ValueOf<typeof SCHEMA>;

// core reads these sections under its own names: the schema must keep providing them
const _strategyFits: StrategyParams = {} as Config["strategy"];
const _riskFits: RiskLimits = {} as Config["risk"];
void _strategyFits, void _riskFits;

export const isField = (node: Field | Section): node is Field => typeof (node as Field).kind === "string";

/** Every dotted key path of the schema with its field. */
export function schemaFields(section: Section = SCHEMA, prefix = ""): [string, Field][] {
  return Object.entries(section).flatMap(([key, node]) =>
    isField(node) ? [[prefix + key, node] as [string, Field]] : schemaFields(node, `${prefix}${key}.`)
  );
}

/** Keys a running bot can change (/set); the rest (market, mode, feed, storage, …) need a restart. */
export function settableAtRuntime(path: string): boolean {
  return /^(strategy|risk)\./.test(path) || /^telegram\.(alerts\.|coalesce_fills_s$|error_repeat_s$)/.test(path);
}

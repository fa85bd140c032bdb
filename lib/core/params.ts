/**
 * The parameters the pure core reads. The config schema (lib/config) provides them under the same
 * snake_case keys as config.yml, and checks at compile time that it does; core never imports config.
 */

export const PROFILES = ["natr_macd", "natr_rsi", "fixed", "as"] as const;
/**
 * natr_macd: NATR spreads + MACD trend skew; natr_rsi: NATR spreads + RSI skew; fixed: constant spreads;
 * as: Avellaneda–Stoikov reservation price and spread (lib/core/avellaneda.ts)
 */
export type Profile = typeof PROFILES[number];

/** `strategy.*` (units as in config.yml: spreads and tolerances in bps, NATR in percent, amounts in base). */
export interface StrategyParams {
  profile: Profile;
  refresh_s: number;
  order_amount: number;
  /** size of each quote in quote currency (amount = this / price); 0 or absent: `order_amount` applies */
  order_value_quote?: number;
  natr_period: number;
  bid_spread_multiplier: number;
  ask_spread_multiplier: number;
  fixed_bid_spread_bps: number;
  fixed_ask_spread_bps: number;
  macd_fast: number;
  macd_slow: number;
  macd_signal: number;
  rsi_period: number;
  trend_scalar: number;
  shift_multiplier: number;
  inventory_scalar: number;
  target_base_ratio: number;
  max_inventory_deviation: number;
  /** reference shift toward reducing inventory, in mean half-spreads at the band's edge (lib/core/inventory.ts) */
  inventory_skew: number;
  /** the adding side's size × exp(−this × band used) (lib/core/inventory.ts) */
  inventory_size_shape: number;
  /** quotes a side (lib/core/levels.ts) */
  levels: number;
  /** bps between levels (when level_step_natr is 0) */
  level_step_bps: number;
  /** NATR multiples between levels (0: level_step_bps applies) */
  level_step_natr: number;
  /** level k's size is the order size × this^k */
  level_amount_scale: number;
  /** as: risk aversion γ */
  as_gamma: number;
  /** as: order arrival intensity κ, per unit of relative distance from mid */
  as_kappa: number;
  /** as: horizon τ, minutes */
  as_tau_min: number;
  /** fast-move guard: threshold of the move, NATR multiples (0: off; lib/core/move-guard.ts) */
  move_guard_natr: number;
  /** fast-move guard: the move is measured over this many closed 1m candles */
  move_guard_min: number;
  /** fast-move guard: the side the move runs over is this many moves further out */
  move_guard_widen: number;
  /** fast-move guard: the side the move runs away from is this many moves further out */
  move_guard_away: number;
  /** calm filter: threshold of the widest recent candle, NATR multiples (0: off; lib/core/range-guard.ts) */
  range_guard_natr: number;
  /** calm filter: the widest of this many closed 1m candles */
  range_guard_min: number;
  /** calm filter: both sides sit this × ln(high / low) of that candle further out */
  range_guard_widen: number;
  /** unwind: a perp position under water by more than this × natr / 100 is handed back (0: off; lib/core/unwind.ts) */
  unwind_natr: number;
  /** unwind: the reducing side sits this × natr / 100 from the mid (when nearer than its own quote) */
  unwind_offset_natr: number;
  max_position_notional: number;
  min_spread_bps: number;
  refresh_tolerance_bps: number;
  max_candle_age_s: number;
  /** keep each side at least the maker fee from mid (lib/core/spreads.ts) */
  fee_floor: boolean;
}

/** `risk.*`: the limits of the risk gate and the error breaker. */
export interface RiskLimits {
  max_drawdown_pct: number;
  /** what the kill switch's drawdown is measured on (lib/core/risk.ts riskEquity); absent: strategy */
  drawdown_basis?: "strategy" | "equity";
  max_natr_pct: number;
  max_book_age_s: number;
  max_consecutive_errors: number;
  /** cancel our orders at the first failed tick, not only when the breaker trips */
  pull_quotes_on_error: boolean;
  /** seconds of silence after which the venue cancels our orders (0: off) */
  dead_man_s: number;
  /** perp: stop adding to the position while the mid is within this % of the liquidation price (0: off) */
  liquidation_guard_pct?: number;
  /** seconds to keep retrying cancels on stop */
  shutdown_timeout_s: number;
}

/**
 * The Avellaneda–Stoikov profile `as` (DESIGN §4), in fractions of the mid (so the same parameters serve any price):
 *
 *   r      = mid × (1 − q × γ × σ² × τ)                        the reservation price
 *   spread = γ × σ² × τ + (2 / γ) × ln(1 + γ / κ)              the total spread around r, half on each side
 *
 * - σ: standard deviation of the 1m log returns over natr_period candles (a fraction per √minute; ETH ~0.0005);
 * - τ (`as_tau_min`): the horizon in minutes; σ² × τ is the variance of the price over it;
 * - q: the inventory's deviation from target in units of the order size: spot (base − target_base_ratio ×
 *   equity / mid) / order_amount, perp position / order_amount (a long of 3 orders: q = 3, r below mid);
 * - γ (`as_gamma`): risk aversion; κ (`as_kappa`): order arrival intensity per unit of relative distance (with
 *   γ ≪ κ the spread's second term is ≈ 2 / κ: κ = 2000 gives 10 bps in all, 5 a side).
 * The min spread, the fee floor, the top of book and every other guard then apply as for any profile.
 */
import type { StrategyParams } from "./params.ts";

export interface AsFigures {
  /** σ, fraction per √minute */
  sigma: number;
  /** inventory deviation in order sizes */
  q: number;
  /** r / mid − 1 */
  reservationShift: number;
  /** half the total spread, fraction */
  halfSpread: number;
}

export function avellanedaStoikov(
  p: Pick<StrategyParams, "as_gamma" | "as_kappa" | "as_tau_min">,
  sigma: number,
  q: number,
): AsFigures {
  const risk = p.as_gamma * sigma * sigma * p.as_tau_min;
  const spread = risk + (2 / p.as_gamma) * Math.log1p(p.as_gamma / p.as_kappa);
  return { sigma, q, reservationShift: -q * risk, halfSpread: spread / 2 };
}

/** q: the inventory's deviation from the target in order sizes (spot: base held over the target's; perp: position). */
export function inventoryInOrders(
  inv: { base: number; quote: number; position?: number },
  mid: number,
  perp: boolean,
  target: number,
  orderBase: number,
): number {
  if (!(orderBase > 0)) return 0;
  if (perp) return (inv.position ?? 0) / orderBase;
  const targetBase = target * (inv.base * mid + inv.quote) / mid;
  return (inv.base - targetBase) / orderBase;
}

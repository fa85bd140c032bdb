/**
 * Inventory control that holds the target (DESIGN §4): three tools, each off at its default so today's quotes stay.
 *
 *   u = clamp((ratio − target_base_ratio) / max_inventory_deviation, −1, 1)
 *     the share of the band used: +1 at the upper edge (too much base / long), −1 at the lower edge
 * - skew: reference × (1 − u × inventory_skew × (bid_spread + ask_spread) / 2). At u = 1 and inventory_skew = 1 the
 *   reference moves down by the mean half-spread: the ask (the side that sells the excess) sits where the mid was
 *   and the bid twice as far, so the reducing side is the one that fills (the min spread and fee floor still hold).
 *   The seed's inventory shift leans by a share of NATR × shift_multiplier (0 with shift_multiplier 0); this one
 *   scales with the spread, so it always outweighs the side's own distance.
 * - sizes: the side that adds (bid when u > 0, ask when u < 0) is sized × exp(−inventory_size_shape × |u|)
 *   (Hummingbot's order-amount shape factor): e^−shape at the band's edge, the reducing side keeps its full size.
 * - band: past |ratio − target| > max_inventory_deviation the side that adds stops (computeQuotes' inventory limit).
 */
import { clamp } from "./steps.ts";
import type { StrategyParams } from "./params.ts";

type ControlParams = Pick<
  StrategyParams,
  "target_base_ratio" | "max_inventory_deviation" | "inventory_skew" | "inventory_size_shape"
>;

export interface InventoryControl {
  /** u: the share of the band used, −1..1 */
  bandUsed: number;
  /** shift of the reference, fraction (negative: down) */
  skewShift: number;
  /** size factors of each side, 0..1 */
  bidScale: number;
  askScale: number;
}

export function inventoryControl(
  p: ControlParams,
  ratio: number,
  bidSpread: number,
  askSpread: number,
): InventoryControl {
  const u = clamp((ratio - p.target_base_ratio) / p.max_inventory_deviation, -1, 1);
  const skew = p.inventory_skew, shape = p.inventory_size_shape;
  const shrink = shape > 0 ? Math.exp(-shape * Math.abs(u)) : 1;
  return {
    bandUsed: u,
    skewShift: skew > 0 ? -u * skew * (bidSpread + askSpread) / 2 : 0,
    bidScale: u > 0 ? shrink : 1,
    askScale: u < 0 ? shrink : 1,
  };
}

/**
 * Spreads: the seed formulas (DESIGN §4), and the fee floor under them.
 *
 * The fee floor. A round trip buys `amount` at bid = mid × (1 − d_bid) and sells it at ask = mid × (1 + d_ask),
 * paying the maker fee f (a fraction) on each side's value. Its result per unit of base is
 *   ask × (1 − f) − bid × (1 + f) = mid × (d_ask + d_bid − 2f − f × (d_ask − d_bid)),
 * which with both sides at the same distance d is 2 × mid × (d − f): not a loss exactly when d ≥ f.
 * So with `strategy.fee_floor` on (the default), each side stays at least `market.maker_fee_bps` from mid:
 *   floor_bps = max(min_spread_bps, maker_fee_bps)   (a rebate, fee < 0, adds nothing)
 * e.g. fee 10 bps at mid 3000: bid ≤ 2997.00, ask ≥ 3003.00, and 3003 × 0.999 = 2997 × 1.001 = 2999.997.
 * Above the floor the seed formulas decide, unchanged.
 */
import type { StrategyParams } from "./params.ts";

type SpreadParams = Pick<
  StrategyParams,
  "profile" | "bid_spread_multiplier" | "ask_spread_multiplier" | "fixed_bid_spread_bps" | "fixed_ask_spread_bps"
>;

/** The model spreads around the reference, as fractions: natr × multiplier / 10000 (fixed: bps / 10000). */
export function modelSpreads(p: SpreadParams, natrPct: number): { bid: number; ask: number } {
  if (p.profile === "fixed") return { bid: p.fixed_bid_spread_bps / 10_000, ask: p.fixed_ask_spread_bps / 10_000 };
  return { bid: natrPct * p.bid_spread_multiplier / 10_000, ask: natrPct * p.ask_spread_multiplier / 10_000 };
}

/** The least distance of each side from mid that the fee floor asks for, in bps (0 when off or a rebate). */
export function feeFloorBps(p: Pick<StrategyParams, "fee_floor">, makerFeeBps: number): number {
  return p.fee_floor ? Math.max(0, makerFeeBps) : 0;
}

/**
 * A warning when the configured spreads at this NATR sit under the maker fee (null when they do not, or NATR is
 * not known yet). Says what the floor does about it, or that it is off.
 */
export function feeFloorWarning(
  p: SpreadParams & Pick<StrategyParams, "fee_floor">,
  makerFeeBps: number,
  natrPct: number | null,
): string | null {
  if (!(makerFeeBps > 0) || p.profile === "as") return null; // as: the spread follows σ (lib/core/avellaneda.ts)
  if (natrPct === null && p.profile !== "fixed") return null;
  const s = modelSpreads(p, natrPct ?? 0);
  const bidBps = s.bid * 10_000, askBps = s.ask * 10_000;
  if (bidBps >= makerFeeBps && askBps >= makerFeeBps) return null;
  const at = p.profile === "fixed" ? "the configured" : `at NATR ${natrPct!.toFixed(3)} % the configured`;
  const keys = p.profile === "fixed"
    ? "strategy.fixed_bid_spread_bps / fixed_ask_spread_bps"
    : "strategy.bid_spread_multiplier / ask_spread_multiplier";
  // only the sides under the fee
  const under = [
    bidBps < makerFeeBps ? `bid spread ${bidBps.toFixed(1)} bps` : null,
    askBps < makerFeeBps ? `ask spread ${askBps.toFixed(1)} bps` : null,
  ].filter((x) => x !== null);
  return `${at} ${under.join(" and ")} ${under.length > 1 ? "are" : "is"} under the maker fee of ${makerFeeBps} bps ` +
    `a side: ` +
    (p.fee_floor
      ? `quotes are held ${makerFeeBps} bps from mid by the fee floor (strategy.fee_floor); raise ${keys} to quote wider by design`
      : `strategy.fee_floor is off, so a round trip between such quotes loses money; raise ${keys} or turn the floor on`);
}

/**
 * Where a backtest's PnL came from (DESIGN §14), pure, from the fills and the mid path:
 * - spread: Σ over fills of (mid − price) × amount for a buy, (price − mid) × amount for a sell, at the mid
 *   of the fill's moment — what the quote earned against the fair price when it traded;
 * - fees: Σ fees paid (negative for rebates); funding: perp payments received (+) or paid (−);
 * - inventory: the rest, PnL − spread + fees − funding. Marked to the mid, each fill changes equity by exactly
 *   its spread − its fee, and between fills equity moves by holding × Δmid: so the rest is Σ holding × Δmid,
 *   what holding the inventory earned or lost. PnL = spread + inventory − fees + funding, exactly.
 * Markouts: the mean move of the mid against us h after our fills, bps of the mid at the fill (positive:
 * the market moved away from the side we took — adverse selection).
 */
import type { Side } from "../core/types.ts";

export interface AttributedFill {
  ts: number;
  side: Side;
  price: number;
  amount: number;
  mid: number;
}

/** Spread captured by one fill against the mid of its moment, quote. */
export const spreadOf = (side: Side, price: number, amount: number, mid: number) =>
  (side === "buy" ? mid - price : price - mid) * amount;

export interface PnlSplit {
  spread_pnl_quote: number;
  inventory_pnl_quote: number;
  fees_quote: number;
  /** perp: funding received (+) or paid (−), Σ −position × open × rate at each funding time (DESIGN §13) */
  funding_quote: number;
}

/**
 * The split of `pnlQuote` (final − initial equity). The reported PnL is then the sum of its parts, in the order
 * spread + inventory − fees + funding, so that the identity holds to the last bit in the report (the parts are
 * floating point: the sum can differ from `pnlQuote` in the 15th digit).
 */
export function splitPnl(
  pnlQuote: number,
  spreadQuote: number,
  feesQuote: number,
  fundingQuote: number,
): PnlSplit & { pnl_quote: number } {
  const inventory = pnlQuote - spreadQuote + feesQuote - fundingQuote;
  return {
    pnl_quote: spreadQuote + inventory - feesQuote + fundingQuote,
    spread_pnl_quote: spreadQuote,
    inventory_pnl_quote: inventory,
    fees_quote: feesQuote,
    funding_quote: fundingQuote,
  };
}

/**
 * Mean markout of the fills at `horizonMs`, bps; fills whose horizon passes `endTs` are left out;
 * null when none is left.
 */
export function markoutBps(
  fills: readonly AttributedFill[],
  midAt: (ts: number) => number,
  horizonMs: number,
  endTs: number,
): number | null {
  let sum = 0, n = 0;
  for (const f of fills) {
    if (f.ts + horizonMs > endTs) continue;
    const later = midAt(f.ts + horizonMs);
    sum += (f.side === "buy" ? f.mid - later : later - f.mid) / f.mid * 10_000;
    n++;
  }
  return n ? sum / n : null;
}

/** Order planning: from what rests at the venue and what we want resting, the cancels and placements. */
import type { Order, Quote } from "./types.ts";

export interface OrderPlan {
  cancel: Order[];
  place: Quote[];
  keep: Order[];
}

/**
 * Keeps at most one resting order per side: the one within `toleranceBps` of the wanted price with the
 * wanted remaining amount; cancels every other order of ours; places a quote where nothing is kept.
 */
export function planOrders(
  open: readonly Order[],
  want: { bid: Quote | null; ask: Quote | null },
  toleranceBps: number,
): OrderPlan {
  const plan: OrderPlan = { cancel: [], place: [], keep: [] };
  for (const side of ["buy", "sell"] as const) {
    const quote = side === "buy" ? want.bid : want.ask;
    let kept: Order | null = null;
    for (const o of open) {
      if (o.side !== side) continue;
      const close = quote !== null && kept === null &&
        Math.abs(o.price - quote.price) / quote.price * 10_000 <= toleranceBps + 1e-9 &&
        Math.abs(o.amount - o.filled - quote.amount) <= quote.amount * 1e-9;
      if (close) kept = o;
      else plan.cancel.push(o);
    }
    if (kept) plan.keep.push(kept);
    else if (quote) plan.place.push(quote);
  }
  return plan;
}

/** Order planning: from what rests at the venue and what we want resting, the cancels and placements. */
import type { Order, Quote } from "./types.ts";

export interface OrderPlan {
  cancel: Order[];
  place: Quote[];
  keep: Order[];
}

/**
 * Keeps, per side, at most one resting order for each wanted quote (level): one within `toleranceBps` of the wanted
 * price with the wanted remaining amount; cancels every other order of ours; places each quote nothing was kept for.
 * So at most `levels` orders a side rest (one with a single level). `bids` / `asks` list every level; without them
 * `bid` / `ask` is the one quote of its side.
 */
export function planOrders(
  open: readonly Order[],
  want: { bid: Quote | null; ask: Quote | null; bids?: readonly Quote[]; asks?: readonly Quote[] },
  toleranceBps: number,
): OrderPlan {
  const plan: OrderPlan = { cancel: [], place: [], keep: [] };
  for (const side of ["buy", "sell"] as const) {
    const one = side === "buy" ? want.bid : want.ask;
    const quotes = (side === "buy" ? want.bids : want.asks) ?? (one ? [one] : []);
    const kept: (Order | null)[] = new Array(quotes.length).fill(null);
    for (const o of open) {
      if (o.side !== side) continue;
      let i = 0; // the first level not kept yet that this order matches (plain loops: this runs every tick)
      for (; i < quotes.length; i++) {
        const q = quotes[i];
        if (
          kept[i] === null && Math.abs(o.price - q.price) / q.price * 10_000 <= toleranceBps + 1e-9 &&
          Math.abs(o.amount - o.filled - q.amount) <= q.amount * 1e-9
        ) break;
      }
      if (i < quotes.length) kept[i] = o;
      else plan.cancel.push(o);
    }
    for (let i = 0; i < quotes.length; i++) {
      if (kept[i]) plan.keep.push(kept[i]!);
      else plan.place.push(quotes[i]);
    }
  }
  return plan;
}

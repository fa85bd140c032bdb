/** Order planning: from what rests at the venue and what we want resting, the cancels and placements. */
import type { Order, Quote, Side } from "./types.ts";

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
  planSide(plan, open, "buy", want.bids ?? (want.bid ? [want.bid] : NONE), toleranceBps);
  planSide(plan, open, "sell", want.asks ?? (want.ask ? [want.ask] : NONE), toleranceBps);
  return plan;
}

const NONE: readonly Quote[] = Object.freeze([]);
/** kept[i]: the order kept for level i of the side being planned (reused: this runs every tick) */
const kept: (Order | null)[] = [];

function planSide(plan: OrderPlan, open: readonly Order[], side: Side, quotes: readonly Quote[], tolBps: number) {
  kept.length = 0;
  for (let i = 0; i < quotes.length; i++) kept.push(null);
  for (const o of open) {
    if (o.side !== side) continue;
    let i = 0; // the first level not kept yet that this order matches
    for (; i < quotes.length; i++) {
      const q = quotes[i];
      if (
        kept[i] === null && Math.abs(o.price - q.price) / q.price * 10_000 <= tolBps + 1e-9 &&
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
  kept.length = 0;
}

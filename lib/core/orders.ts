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
  into?: OrderPlan,
): OrderPlan {
  // `into`: the caller's plan, its cancel and place lists emptied (pop: a write of `length` takes V8's slow path) and
  // written again, good until its next plan; the keep list is always new: the engine hands it over as what rests
  const plan: OrderPlan = into ?? { cancel: [], place: [], keep: [] };
  if (into) {
    while (into.cancel.length) into.cancel.pop();
    while (into.place.length) into.place.pop();
    into.keep = [];
  }
  planSide(plan, open, "buy", want.bids ?? (want.bid ? [want.bid] : NONE), toleranceBps);
  planSide(plan, open, "sell", want.asks ?? (want.ask ? [want.ask] : NONE), toleranceBps);
  return plan;
}

const NONE: readonly Quote[] = Object.freeze([]);
/** kept[i]: the order kept for level i of the side being planned; a fixed scratch (levels ≤ 10 by the schema, and
 * more grow it), reset per side: this runs every tick and allocates nothing */
const kept: (Order | null)[] = new Array(16).fill(null);

/** One side: each of our orders of that side, oldest first, is kept for the first level not kept yet it matches. */
function planSide(plan: OrderPlan, open: readonly Order[], side: Side, quotes: readonly Quote[], tolBps: number) {
  const n = quotes.length;
  for (let i = 0; i < n; i++) kept[i] = null;
  for (let j = 0; j < open.length; j++) {
    const o = open[j];
    if (o.side !== side) continue;
    let i = 0;
    for (; i < n; i++) {
      const q = quotes[i];
      if (
        kept[i] === null && Math.abs(o.price - q.price) / q.price * 10_000 <= tolBps + 1e-9 &&
        Math.abs(o.amount - o.filled - q.amount) <= q.amount * 1e-9
      ) break;
    }
    if (i < n) kept[i] = o;
    else plan.cancel.push(o);
  }
  for (let i = 0; i < n; i++) {
    const k = kept[i];
    if (k) plan.keep.push(k);
    else plan.place.push(quotes[i]);
    kept[i] = null; // hold no order past the call
  }
}

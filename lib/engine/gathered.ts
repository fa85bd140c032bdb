/**
 * The book and the balances as the engine keeps them: records of its own, written field by field from the venue's
 * answers each tick (cycle.ts), read by the decision's inputs and the run state. A venue's fresh answer stored into
 * those long-lived objects took the write barrier's slow path six times a tick; numbers written into a record kept for
 * the engine's life take none. So the records are rewritten each tick: whoever keeps one past it copies it (the status).
 */
import type { Inventory, TopOfBook } from "../core/types.ts";

export const newBook = (): TopOfBook => ({ ts: NaN, bestBid: NaN, bestAsk: NaN });

/** `top` written into `into`. */
export function keepBook(into: TopOfBook, top: TopOfBook): TopOfBook {
  into.ts = top.ts;
  into.bestBid = top.bestBid;
  into.bestAsk = top.bestAsk;
  return into;
}

/** `inv` written into `into`: base and quote, and a perp's fields once the venue has answered with them. */
export function keepBalances(into: Inventory, inv: Inventory): Inventory {
  into.base = inv.base;
  into.quote = inv.quote;
  if (inv.position !== undefined || into.position !== undefined) into.position = inv.position;
  if (inv.entryPrice !== undefined || into.entryPrice !== undefined) into.entryPrice = inv.entryPrice;
  if (inv.liquidationPrice !== undefined || into.liquidationPrice !== undefined) {
    into.liquidationPrice = inv.liquidationPrice;
  }
  if (inv.unrealizedQuote !== undefined || into.unrealizedQuote !== undefined) {
    into.unrealizedQuote = inv.unrealizedQuote;
  }
  return into;
}
